package client

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
)

// Fuzz targets for the client's parsers that had none: the private key and
// the session cookie of a login answer. The answer decoders' targets are in
// decode_test.go, the endpoint URL's in rules_test.go.

// FuzzParsePrivateKey: accepted keys are valid RSA keys; errors never repeat
// a line of the key's body.
func FuzzParsePrivateKey(f *testing.F) {
	f.Add(string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testRSAKey(f))})))
	for _, s := range []string{
		"", "not a key",
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		key, err := ParsePrivateKey(text)
		if err != nil {
			for _, line := range strings.Split(text, "\n") {
				line = strings.TrimSpace(line)
				if len(line) >= 16 && !strings.ContainsAny(line, " \t") && !strings.Contains(line, "-----") && strings.Contains(err.Error(), line) {
					t.Fatalf("the error repeats a line of the key: %v", err)
				}
			}
			return
		}
		if key == nil || key.Validate() != nil {
			t.Fatal("accepted a key that does not validate")
		}
	})
}

// FuzzSessionCookie: whatever Set-Cookie headers a login answer carries, the
// session ID taken from them is empty or one of them, and cannot add a header
// or a cookie when it is sent back.
func FuzzSessionCookie(f *testing.F) {
	for _, s := range []string{
		"JSESSIONID=abc123; Path=/; Secure; HttpOnly",
		"other=1\nJSESSIONID=first; Path=/\nJSESSIONID=second",
		"JSESSIONID=; Path=/",
		"JSESSIONID=\"quoted\"",
		"JSESSIONID=a\rb",
		"jsessionid=lower",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lines string) {
		h := http.Header{}
		for _, l := range strings.Split(lines, "\n") {
			h.Add("Set-Cookie", l)
		}
		got := sessionCookie(h)
		if got == "" {
			return
		}
		if !strings.Contains(lines, got) {
			t.Fatalf("session %q is in none of the headers", got)
		}
		// it goes back as "Cookie: JSESSIONID=<id>" and a JSessionID header:
		// no line break, control character or ';' may smuggle anything in
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < 0x20 || c == 0x7f || c == ';' {
				t.Fatalf("session %q cannot go back in a Cookie header", got)
			}
		}
	})
}

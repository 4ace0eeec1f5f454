package client

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

// testRSAKey is one 2048-bit key shared by the tests: generating is slow.
func testRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

func parseForm(body []byte) (url.Values, error) { return url.ParseQuery(string(body)) }

// verifyTestJWT checks an RS256 client assertion the way a token endpoint would.
func verifyTestJWT(pub *rsa.PublicKey, token, clientID string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("not three parts")
	}
	enc := base64.RawURLEncoding
	hb, err := enc.DecodeString(parts[0])
	if err != nil {
		return err
	}
	var header map[string]string
	if err := json.Unmarshal(hb, &header); err != nil || header["alg"] != "RS256" || header["typ"] != "JWT" {
		return errors.New("bad header")
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return err
	}
	cb, err := enc.DecodeString(parts[1])
	if err != nil {
		return err
	}
	var claims struct {
		Iss, Sub, Aud, Jti string
		Iat, Exp           int64
	}
	if err := json.Unmarshal(cb, &claims); err != nil {
		return err
	}
	now := time.Now().Unix()
	switch {
	case claims.Iss != clientID || claims.Sub != clientID:
		return errors.New("iss/sub")
	case claims.Aud != OneAPIAudience:
		return errors.New("aud")
	case claims.Exp <= now || claims.Exp > now+3600 || claims.Iat > now+5 || claims.Iat >= claims.Exp:
		return errors.New("times")
	case len(claims.Jti) < 16:
		return errors.New("jti")
	}
	return nil
}

func TestSignAssertionVerifiesWithPublicKey(t *testing.T) {
	key := testRSAKey(t)
	tok, err := signAssertion(key, "client-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyTestJWT(&key.PublicKey, tok, "client-1"); err != nil {
		t.Fatalf("assertion does not verify: %v", err)
	}
	// another key must not verify it: the signature is really checked
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyTestJWT(&other.PublicKey, tok, "client-1"); err == nil {
		t.Fatal("assertion verified with an unrelated public key")
	}
	// a changed claim breaks the signature
	parts := strings.Split(tok, ".")
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := strings.Replace(string(cb), "client-1", "client-2", 2)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2]
	if err := verifyTestJWT(&key.PublicKey, tampered, "client-2"); err == nil {
		t.Fatal("tampered assertion verified")
	}
	// every assertion has its own jti
	tok2, _ := signAssertion(key, "client-1", time.Now())
	if tok2 == tok {
		t.Fatal("two assertions are identical: jti is not random")
	}
}

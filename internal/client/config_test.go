package client

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesConfig(t *testing.T) {
	key := testRSAKey(t)
	legacy := Config{BaseURL: "https://connector.zscaler.net/api/v1", Username: "u", Password: fakePassword, APIKey: fakeKey}
	oneapi := Config{BaseURL: "https://api.zsapi.net/ztw/api/v1", ClientID: "cid", ClientSecret: fakeSecret, TokenURL: "https://acme.zslogin.net/oauth2/v1/token"}
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		start  Config
		want   string // "" = valid
	}{
		{"legacy ok", nil, legacy, ""},
		{"oneapi ok", nil, oneapi, ""},
		{"oneapi with private key", func(c *Config) { c.ClientSecret, c.PrivateKey = "", key }, oneapi, ""},
		{"no base URL", func(c *Config) { c.BaseURL = "" }, legacy, "the base URL: not an absolute URL"},
		{"base URL ftp", func(c *Config) { c.BaseURL = "ftp://x/api/v1" }, legacy, "use https"},
		{"base URL over http", func(c *Config) { c.BaseURL = "http://connector.zscaler.net/api/v1" }, legacy, "not loopback"},
		{"base URL with query", func(c *Config) { c.BaseURL = "https://x/api/v1?a=b" }, legacy, "query"},
		{"base URL with credentials", func(c *Config) { c.BaseURL = "https://user:" + fakePassword + "@x/api/v1" }, legacy, "user name or password"},
		{"token URL over http", func(c *Config) { c.TokenURL = "http://acme.zslogin.net/oauth2/v1/token" }, oneapi, "the token URL: http://acme.zslogin.net uses plain http"},
		{"client ID with a space", func(c *Config) { c.ClientID = "c id" }, oneapi, "printable ASCII"},
		{"legacy missing password and key", func(c *Config) { c.Password, c.APIKey = "", "" }, legacy, "password, API key missing"},
		{"legacy short key", func(c *Config) { c.APIKey = "short" }, legacy, "at least 12"},
		{"mixed modes", func(c *Config) { c.Username = "u" }, oneapi, "both OneAPI"},
		{"oneapi no secret", func(c *Config) { c.ClientSecret = "" }, oneapi, "client secret or a private key"},
		{"oneapi secret and key", func(c *Config) { c.PrivateKey = key }, oneapi, "not both"},
		{"oneapi no token URL", func(c *Config) { c.TokenURL = "" }, oneapi, "token URL"},
		{"secret without client ID", func(c *Config) { c.ClientSecret = fakeSecret }, legacy, "without a client ID"},
		{"negative retries", func(c *Config) { c.MaxRetries = -1 }, legacy, "negative"},
		{"negative timeout", func(c *Config) { c.RequestTimeout = -time.Second }, legacy, "negative"},
		{"user agent with newline", func(c *Config) { c.UserAgent = "x\r\nEvil: 1" }, legacy, "control"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.start
			if tc.mutate != nil {
				tc.mutate(&cfg)
			}
			c, err := New(cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New accepted %v", c)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			for _, secret := range []string{fakePassword, fakeKey, fakeSecret} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error shows a secret: %v", err)
				}
			}
		})
	}
}

func TestNewModesAndBaseURL(t *testing.T) {
	c, err := New(Config{BaseURL: "https://connector.zscaler.net/api/v1/", Username: "u", Password: "p", APIKey: fakeKey})
	if err != nil {
		t.Fatal(err)
	}
	if c.mode != AuthLegacy || c.baseURL != "https://connector.zscaler.net/api/v1" {
		t.Fatalf("mode %s, base %q", c.mode, c.baseURL)
	}
	o, err := New(Config{BaseURL: "https://api.zsapi.net/ztw/api/v1", ClientID: "c", ClientSecret: "s", TokenURL: "https://x.zslogin.net/oauth2/v1/token"})
	if err != nil {
		t.Fatal(err)
	}
	if o.mode != AuthOneAPI {
		t.Fatalf("mode %s", o.mode)
	}
}

func TestConfigStringRedactsSecrets(t *testing.T) {
	key := testRSAKey(t)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	for _, cfg := range []Config{
		{BaseURL: "https://x/api/v1", Username: "admin@acme.com", Password: fakePassword, APIKey: fakeKey},
		{BaseURL: "https://x/ztw/api/v1", ClientID: "cid", ClientSecret: fakeSecret, TokenURL: "https://t/oauth2/v1/token"},
		{BaseURL: "https://x/ztw/api/v1", ClientID: "cid", PrivateKey: key, TokenURL: "https://t/oauth2/v1/token"},
	} {
		for _, out := range []string{cfg.String(), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg), fmt.Sprintf("%s", []Config{cfg})} {
			for _, secret := range []string{fakePassword, fakeKey, fakeSecret, key.D.String(), key.Primes[0].String(), pemText[40:80]} {
				if strings.Contains(out, secret) {
					t.Fatalf("Config printed a secret: %s", out)
				}
			}
			if !strings.Contains(out, "***") {
				t.Fatalf("Config print does not mark the secret: %s", out)
			}
		}
	}
	c, err := New(Config{BaseURL: "https://x/api/v1", Username: "u", Password: fakePassword, APIKey: fakeKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(out, fakePassword) || strings.Contains(out, fakeKey) {
			t.Fatalf("Client printed a secret: %s", out)
		}
	}
}

func TestParsePrivateKey(t *testing.T) {
	key := testRSAKey(t)
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	der8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der8}))
	for name, text := range map[string]string{"PKCS#1": pkcs1, "PKCS#8": "\n  " + pkcs8 + "\n"} {
		got, err := ParsePrivateKey(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !got.Equal(key) {
			t.Fatalf("%s: a different key came back", name)
		}
	}

	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}))
	garbled := strings.Replace(pkcs1, pkcs1[100:140], strings.Repeat("A", 40), 1)
	for name, text := range map[string]string{
		"not PEM":     "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ" + fakeSecret,
		"EC key":      ecPEM,
		"garbled":     garbled,
		"certificate": "-----BEGIN CERTIFICATE-----\nMIIB" + fakeSecret + "\n-----END CERTIFICATE-----\n",
		"encrypted":   "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
	} {
		_, err := ParsePrivateKey(text)
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		if strings.Contains(err.Error(), fakeSecret) || strings.Contains(err.Error(), "MII") || strings.Contains(err.Error(), "AAAA") {
			t.Fatalf("%s: error echoes the input: %v", name, err)
		}
	}
}

func TestAPIKeyPrintsNeverShowTheValue(t *testing.T) {
	k := APIKey{ID: 7, Value: fakeKey, Enabled: true, Permissions: []string{"P"}, LastModifiedBy: "a"}
	for _, out := range []string{k.String(), k.GoString(), fmt.Sprintf("%v", k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k), fmt.Sprintf("%v", []APIKey{k}), fmt.Sprintf("%v", &k)} {
		if strings.Contains(out, fakeKey) {
			t.Fatalf("printed the value: %s", out)
		}
		if !strings.Contains(out, "7") {
			t.Fatalf("print lacks the ID: %s", out)
		}
	}
}

func TestValidKeyValue(t *testing.T) {
	for s, want := range map[string]bool{"AbCd12EfGh34": true, "abcdefghijkl": true, "AbCd12EfGh3": false, "AbCd12EfGh345": false, "AbCd12EfGh3!": false, "AbCd12EfGh3é": false, "": false} {
		if ValidKeyValue(s) != want {
			t.Errorf("ValidKeyValue(%q) != %t", s, want)
		}
	}
}

package client

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultRequestTimeout = 30 * time.Second
	// DefaultOperationTimeout bounds one call with all its attempts, logins
	// and waits: an endpoint that never answers fails within it.
	DefaultOperationTimeout = 90 * time.Second
	DefaultUserAgent        = "cloudconnector-go-client"
)

// Config says where the client connects and how it logs in.
// Its String and GoString never show a secret.
type Config struct {
	// BaseURL is the API base URL (…/api/v1 or …/ztw/api/v1). Required;
	// CheckEndpointURL says which URLs are taken.
	BaseURL string

	// Legacy login: all three are needed when ClientID is empty.
	Username, Password, APIKey string

	// OneAPI login, used when ClientID is set: ClientSecret or PrivateKey, and TokenURL.
	ClientID, ClientSecret string
	PrivateKey             *rsa.PrivateKey // signs a private-key JWT instead of sending ClientSecret
	TokenURL               string

	MaxRetries     int           // retries after the first try (0 = none); the ctx and OperationTimeout bound them too
	RequestTimeout time.Duration // per attempt, and the longest pace wait slept through (2 s at least); 0 = 30 s
	// OperationTimeout bounds one call (a list, an edit, …) with every
	// attempt, login and wait in it: retries stop when it is spent.
	// 0 = 90 s, or RequestTimeout where that is longer.
	OperationTimeout time.Duration
	UserAgent        string // "" = "cloudconnector-go-client"
	Logger           Logger // nil = silent
	DisablePacing    bool   // turn off the client-side pace (for tests that want to meet the server's limits)
}

// Logger receives the client's debug lines. Fields never hold bodies or secrets.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// String shows the configuration with every secret replaced.
func (c Config) String() string {
	return fmt.Sprintf("client.Config{BaseURL: %q, Username: %q, Password: %s, APIKey: %s, ClientID: %q, ClientSecret: %s, "+
		"PrivateKey: %s, TokenURL: %q, MaxRetries: %d, RequestTimeout: %s, OperationTimeout: %s, UserAgent: %q, DisablePacing: %t}",
		c.BaseURL, c.Username, redacted(c.Password != ""), redacted(c.APIKey != ""), c.ClientID, redacted(c.ClientSecret != ""),
		redacted(c.PrivateKey != nil), c.TokenURL, c.MaxRetries, c.RequestTimeout, c.OperationTimeout, c.UserAgent, c.DisablePacing)
}

// GoString is String, so that %#v cannot print a secret either.
func (c Config) GoString() string { return c.String() }

func redacted(set bool) string {
	if set {
		return `"***"`
	}
	return `""`
}

// validate checks the configuration without any network access and
// returns the auth mode and the base URL without a trailing slash.
func (c Config) validate() (AuthMode, string, error) {
	base, err := CheckEndpointURL(c.BaseURL)
	if err != nil {
		return "", "", fmt.Errorf("the base URL: %w", err)
	}
	if c.MaxRetries < 0 || c.RequestTimeout < 0 || c.OperationTimeout < 0 {
		return "", "", errors.New("max retries and timeouts must not be negative")
	}
	if strings.ContainsFunc(c.UserAgent, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", "", errors.New("user agent must not contain control characters")
	}

	var legacySet, missing []string
	for _, f := range []struct{ name, value string }{{"username", c.Username}, {"password", c.Password}, {"API key", c.APIKey}} {
		if f.value != "" {
			legacySet = append(legacySet, f.name)
		} else {
			missing = append(missing, f.name)
		}
	}
	if c.ClientID != "" {
		if len(legacySet) > 0 {
			return "", "", fmt.Errorf("both OneAPI (client ID) and legacy login (%s) are configured: use one of them", strings.Join(legacySet, ", "))
		}
		switch {
		case c.ClientSecret == "" && c.PrivateKey == nil:
			return "", "", errors.New("OneAPI login needs a client secret or a private key")
		case c.ClientSecret != "" && c.PrivateKey != nil:
			return "", "", errors.New("OneAPI login takes a client secret or a private key, not both")
		case c.PrivateKey != nil && c.PrivateKey.Validate() != nil:
			return "", "", errors.New("the private key is not a valid RSA private key")
		case c.PrivateKey != nil && c.PrivateKey.N.BitLen() < MinPrivateKeyBits:
			return "", "", fmt.Errorf("the private key must have at least %d bits", MinPrivateKeyBits)
		case c.TokenURL == "":
			return "", "", errors.New("OneAPI login needs a token URL")
		case !ClientIDPattern.MatchString(c.ClientID):
			return "", "", errors.New("the client ID must be printable ASCII without spaces")
		}
		if _, err := CheckEndpointURL(c.TokenURL); err != nil {
			return "", "", fmt.Errorf("the token URL: %w", err)
		}
		return AuthOneAPI, base, nil
	}

	if c.ClientSecret != "" || c.PrivateKey != nil || c.TokenURL != "" {
		return "", "", errors.New("a client secret, private key or token URL is set without a client ID: OneAPI login needs the client ID too")
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("legacy login needs a username, a password and an API key: %s missing (or set a client ID for OneAPI login)", strings.Join(missing, ", "))
	}
	if err := checkObfuscatableKey(c.APIKey); err != nil {
		return "", "", err
	}
	return AuthLegacy, base, nil
}

// ParsePrivateKey reads a PEM-encoded RSA private key in PKCS#1 or PKCS#8
// form. Its errors never repeat the input.
func ParsePrivateKey(pemText string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return nil, errors.New("the private key is not PEM-encoded (expected a -----BEGIN PRIVATE KEY----- block)")
	}
	if _, encrypted := block.Headers["Proc-Type"]; encrypted {
		return nil, errors.New("the private key is encrypted; provide it unencrypted")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("the RSA PRIVATE KEY block is not a valid PKCS#1 key")
		}
		return key, nil
	case "PRIVATE KEY":
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("the PRIVATE KEY block is not a valid PKCS#8 key")
		}
		key, ok := parsed.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("the private key is not an RSA key (RS256 needs RSA)")
		}
		return key, nil
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("the private key is encrypted; provide it unencrypted")
	default:
		return nil, errors.New("the PEM block is not a private key (expected PRIVATE KEY or RSA PRIVATE KEY)")
	}
}

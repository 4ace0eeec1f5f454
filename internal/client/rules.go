package client

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// The rules for values the API takes, each written once. The client checks
// its configuration and arguments with them; the provider's validators check
// the same values with them, and say in their own words what to fix.

// KeyLength is the length of an API key string.
const KeyLength = 12

// MinPrivateKeyBits is the smallest RSA key that signs a OneAPI client assertion.
const MinPrivateKeyBits = 2048

// ClientIDPattern is a OneAPI client ID: printable ASCII without spaces.
var ClientIDPattern = regexp.MustCompile(`^[!-~]+$`)

// ValidKeyValue reports whether s is a key string the API takes in an edit:
// exactly 12 ASCII letters or digits.
func ValidKeyValue(s string) bool { return len(s) == KeyLength && alphanumeric(s) }

// ValidLoginKey reports whether s can be the key of a legacy login: at
// least 12 ASCII letters or digits (the login's obfuscation reads its first 12).
func ValidLoginKey(s string) bool { return len(s) >= KeyLength && alphanumeric(s) }

func alphanumeric(s string) bool {
	return strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == ""
}

// CheckEndpointURL checks a base URL or token URL: absolute, https, or http
// to a loopback host (a local simulator or a port-forward), without
// credentials, query or fragment. It returns the URL without a trailing
// slash. Its errors never quote user info, which could hold a password.
func CheckEndpointURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Scheme == "" {
		return "", errors.New("not an absolute URL; give one like https://connector.zscaler.net/api/v1")
	}
	if u.User != nil {
		return "", errors.New("the URL carries a user name or password; remove it and use the login arguments instead")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("%s://%s%s has a query or fragment; give the base URL alone", u.Scheme, u.Host, u.Path)
	}
	switch u.Scheme { // url.Parse gives it in lower case
	case "https":
	case "http":
		if ip := net.ParseIP(u.Hostname()); !strings.EqualFold(u.Hostname(), "localhost") && (ip == nil || !ip.IsLoopback()) {
			return "", fmt.Errorf("http://%s uses plain http to a host that is not loopback; use https "+
				"(http is allowed only for localhost, 127.0.0.0/8 and ::1)", u.Host)
		}
	default:
		return "", fmt.Errorf("scheme %q is not supported; use https", u.Scheme)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

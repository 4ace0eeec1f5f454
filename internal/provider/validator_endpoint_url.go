package provider

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// endpointURLValidator checks base_url and token_url: an absolute https URL,
// or http to a loopback host (a local simulator or a port-forward). It stays
// a custom check: the library has no URL check, and its RegexMatches would
// quote a URL that carries a password.
func endpointURLValidator() validator.String {
	return stringCheck{
		description: "must be an absolute https URL; http is allowed only for loopback hosts",
		problem: explained(func(v string) error {
			_, err := checkEndpointURL(v)
			return err
		}),
	}
}

// checkEndpointURL validates raw and returns it without a trailing slash.
// Its errors never quote user info, which could hold a password.
func checkEndpointURL(raw string) (string, error) {
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
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("http://%s uses plain http to a host that is not loopback; use https "+
				"(http is allowed only for localhost, 127.0.0.0/8 and ::1)", u.Host)
		}
	default:
		return "", fmt.Errorf("scheme %q is not supported; use https", u.Scheme)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

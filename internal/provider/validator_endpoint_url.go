package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// endpointURLValidator checks base_url and token_url: an absolute https URL,
// or http to a loopback host (a local simulator or a port-forward).
type endpointURLValidator struct{}

func (endpointURLValidator) Description(context.Context) string {
	return "must be an absolute https URL; http is allowed only for loopback hosts"
}

func (v endpointURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (endpointURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := checkEndpointURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf("%s: %s.", req.Path, err))
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

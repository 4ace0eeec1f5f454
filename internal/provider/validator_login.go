package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// notBlankValidator refuses empty or all-space values, which would otherwise
// fail only at login, half-way through an apply.
type notBlankValidator struct{}

func (notBlankValidator) Description(context.Context) string { return "must not be empty" }

func (v notBlankValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (notBlankValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if strings.TrimSpace(req.ConfigValue.ValueString()) == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Empty "+req.Path.String(),
			fmt.Sprintf("%s is set to an empty string. Give it a value, or remove it to use its environment variable.", req.Path))
	}
}

// loginKeyValidator checks the legacy login key's form without echoing it.
type loginKeyValidator struct{}

func (loginKeyValidator) Description(context.Context) string {
	return "must be at least 12 letters or digits"
}

func (v loginKeyValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (loginKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkLoginKey(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf("%s: %s.", req.Path, err))
	}
}

// checkLoginKey: the login obfuscation reads characters 0 to 11 of the key,
// and organization keys are letters and digits.
func checkLoginKey(key string) error {
	if len(key) < keyLength {
		return fmt.Errorf("the key has %d characters, and an organization API key has at least %d; copy it whole "+
			"from the portal (Administration > API Key Management)", len(key), keyLength)
	}
	if !isAlphanumeric(key) {
		return errors.New("the key holds characters other than letters and digits; copy it again from the portal " +
			"(Administration > API Key Management), without spaces or quotes")
	}
	return nil
}

// vanityDomainValidator checks that vanity_domain is the bare name, not a URL.
type vanityDomainValidator struct{}

func (vanityDomainValidator) Description(context.Context) string {
	return "must be the bare vanity name, such as acme for acme.zslogin.net"
}

func (v vanityDomainValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (vanityDomainValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkVanityDomain(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf("%s: %s.", req.Path, err))
	}
}

func checkVanityDomain(v string) error {
	if v == "" {
		return errors.New("empty; give the name in https://<vanity_domain>.zslogin.net")
	}
	if len(v) > 63 {
		return fmt.Errorf("%d characters, more than a DNS label holds (63)", len(v))
	}
	for i, r := range v {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' && i > 0 && i < len(v)-1
		if !ok {
			return fmt.Errorf("%q is not a bare name; give only the part before .zslogin.net (letters, digits "+
				"and inner hyphens), such as acme", v)
		}
	}
	return nil
}

// privateKeyValidator parses the OneAPI private key at validate time, so that
// a key that is not PEM fails before any plan. Errors never quote the key.
type privateKeyValidator struct{}

func (privateKeyValidator) Description(context.Context) string {
	return "must be an RSA private key in PEM form, or the path of a file holding one"
}

func (v privateKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (privateKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := loadPrivateKey(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf("%s: %s.", req.Path, err))
	}
}

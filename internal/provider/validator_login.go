package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// notBlankValidator refuses empty or all-space values, which would otherwise
// fail only at login, half-way through an apply.
func notBlankValidator() validator.String {
	return stringCheck{
		description: "must not be empty",
		summary:     "Empty argument",
		problem: func(v string) string {
			if strings.TrimSpace(v) == "" {
				return " is set to an empty string. Give it a value, or remove it to use its environment variable."
			}
			return ""
		},
	}
}

// loginKeyValidator checks the legacy login key's form without echoing it.
func loginKeyValidator() validator.String {
	return stringCheck{description: "must be at least 12 letters or digits", problem: explained(checkLoginKey)}
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
func vanityDomainValidator() validator.String {
	return stringCheck{
		description: "must be the bare vanity name, such as acme for acme.zslogin.net",
		problem:     explained(checkVanityDomain),
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
func privateKeyValidator() validator.String {
	return stringCheck{
		description: "must be an RSA private key in PEM form, or the path of a file holding one",
		problem: explained(func(v string) error {
			_, err := loadPrivateKey(v)
			return err
		}),
	}
}

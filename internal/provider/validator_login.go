package provider

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// notBlankValidators refuse empty or all-space values, which would otherwise
// fail only at login, half-way through an apply. The regex validator quotes
// the value it refuses; on password and client_secret too that shows no
// secret, as it refuses only white space. It lets "" through to
// LengthAtLeast, so that an empty value gets one error, not two.
func notBlankValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthAtLeast(1),
		stringvalidator.RegexMatches(notBlankPattern,
			"must not be only white space: give it a value, or remove it to use its environment variable"),
	}
}

// notBlankPattern is compiled once: the provider schema, built in every
// provider process, uses it for every login argument.
var notBlankPattern = regexp.MustCompile(`^$|\S`)

// clientIDValidator checks the provider block's client_id against
// client.ClientIDPattern; Configure checks the environment's.
func clientIDValidator() validator.String {
	return stringvalidator.RegexMatches(client.ClientIDPattern, "must be printable ASCII without spaces, as OneAPI client IDs are; "+
		"copy it again from ZIdentity (Integration > API Clients), without quotes or line breaks")
}

// vanityDomainPattern is the bare vanity name, a DNS label: up to 63 letters,
// digits and inner hyphens. vanityDomainValidator checks the provider block's,
// checkVanityDomain the environment's.
var vanityDomainPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

func vanityDomainValidator() validator.String {
	return stringvalidator.RegexMatches(vanityDomainPattern,
		"must be the bare name in https://<vanity_domain>.zslogin.net (up to 63 letters, digits and inner hyphens), such as acme")
}

func checkVanityDomain(v string) error {
	if !vanityDomainPattern.MatchString(v) {
		return fmt.Errorf("%q is not a bare name; give only the part before .zslogin.net (up to 63 letters, digits "+
			"and inner hyphens), such as acme", v)
	}
	return nil
}

// loginKeyValidator checks the legacy login key's form. It stays a custom
// check: the library's RegexMatches would quote the key in its message.
func loginKeyValidator() validator.String {
	return stringCheck{description: "must be at least 12 letters or digits", problem: explained(checkLoginKey)}
}

// checkLoginKey says what keeps key from being a login key (client.ValidLoginKey).
// It checks ZTC_API_KEY too.
func checkLoginKey(key string) error {
	if len(key) < client.KeyLength {
		return fmt.Errorf("the key has %d characters, and an organization API key has at least %d; copy it whole "+
			"from the portal (Administration > API Key Management)", len(key), client.KeyLength)
	}
	if !client.ValidLoginKey(key) {
		return errors.New("the key holds characters other than letters and digits; copy it again from the portal " +
			"(Administration > API Key Management), without spaces or quotes")
	}
	return nil
}

// privateKeyValidator parses the OneAPI private key at validate time, so that
// a key that is not PEM fails before any plan. It stays a custom check: the
// library has no key parser, and its messages would quote the key.
func privateKeyValidator() validator.String {
	return stringCheck{
		description: "must be an RSA private key in PEM form, or the path of a file holding one",
		problem: explained(func(v string) error {
			_, _, err := loadPrivateKey(v)
			return err
		}),
	}
}

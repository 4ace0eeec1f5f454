package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// endpointURLValidator checks base_url and token_url with
// client.CheckEndpointURL. It stays a custom check: the library has no URL
// check, and its RegexMatches would quote a URL that carries a password.
func endpointURLValidator() validator.String {
	return stringCheck{
		description: "must be an absolute https URL; http is allowed only for loopback hosts",
		problem: explained(func(v string) error {
			_, err := client.CheckEndpointURL(v)
			return err
		}),
	}
}

package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// keyStringValidator checks key and key_wo at plan time against the API's
// rule (client.ValidKeyValue). It never repeats the value it refuses.
func keyStringValidator() validator.String {
	return stringCheck{
		description: fmt.Sprintf("must be exactly %d letters or digits", client.KeyLength),
		summary:     "Invalid API key string",
		problem:     continued(checkKeyString),
	}
}

// checkKeyString returns "" for a valid key string, else why it is not one.
func checkKeyString(v string) string {
	switch {
	case len(v) != client.KeyLength:
		return fmt.Sprintf("has %d characters; an API key string is exactly %d letters or digits (A-Z, a-z, 0-9). "+
			"Generate one, for example with random_password (length = 12, special = false).", len(v), client.KeyLength)
	case !client.ValidKeyValue(v):
		return fmt.Sprintf("holds characters other than letters and digits; an API key string is exactly %d of "+
			"A-Z, a-z and 0-9, without spaces or symbols.", client.KeyLength)
	}
	return ""
}

package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// keyLength is the length of an organization API key string.
const keyLength = 12

func isAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// keyStringValidator checks key and key_wo at plan time: the API takes exactly
// 12 letters or digits. It never repeats the value it refuses.
func keyStringValidator() validator.String {
	return stringCheck{
		description: fmt.Sprintf("must be exactly %d letters or digits", keyLength),
		summary:     "Invalid API key string",
		problem:     continued(checkKeyString),
	}
}

// checkKeyString returns "" for a valid key string, else why it is not one.
func checkKeyString(v string) string {
	switch {
	case len(v) != keyLength:
		return fmt.Sprintf("has %d characters; an API key string is exactly %d letters or digits (A-Z, a-z, 0-9). "+
			"Generate one, for example with random_password (length = 12, special = false).", len(v), keyLength)
	case !isAlphanumeric(v):
		return fmt.Sprintf("holds characters other than letters and digits; an API key string is exactly %d of "+
			"A-Z, a-z and 0-9, without spaces or symbols.", keyLength)
	}
	return ""
}

package provider

import (
	"crypto/sha256"
	"encoding/hex"
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

// keyFingerprint identifies a key string without revealing it. The ID is part
// of the input so that one string shared by several organizations does not
// show as the same fingerprint in each.
func keyFingerprint(id, value string) string {
	sum := sha256.Sum256([]byte(id + ":" + value))
	return hex.EncodeToString(sum[:])
}

package client

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Obfuscate computes the legacy login's apiKey field from the key and the
// timestamp string (epoch milliseconds) that goes in the same request.
// Errors never repeat the key.
func Obfuscate(apiKey, timestamp string) (string, error) {
	if err := checkObfuscatableKey(apiKey); err != nil {
		return "", err
	}
	if len(timestamp) < 6 {
		return "", errors.New("the timestamp must have at least 6 digits")
	}
	if strings.Trim(timestamp, "0123456789") != "" {
		return "", errors.New("the timestamp must be decimal digits only")
	}
	high := timestamp[len(timestamp)-6:]
	n, _ := strconv.Atoi(high) // six digits always parse
	low := fmt.Sprintf("%06d", n>>1)

	out := make([]byte, 0, 12)
	for i := 0; i < len(high); i++ {
		out = append(out, apiKey[high[i]-'0'])
	}
	for i := 0; i < len(low); i++ {
		out = append(out, apiKey[low[i]-'0'+2])
	}
	return string(out), nil
}

// checkObfuscatableKey: the algorithm indexes the key by digit (+2), and by byte.
func checkObfuscatableKey(apiKey string) error {
	if !ValidLoginKey(apiKey) {
		return fmt.Errorf("the API key must be at least %d ASCII letters or digits", KeyLength)
	}
	return nil
}

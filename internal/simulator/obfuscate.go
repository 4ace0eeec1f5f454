package simulator

import (
	"errors"
	"fmt"
	"strconv"
)

// Obfuscate computes the apiKey field of a legacy login from the key string and the
// timestamp string sent with it, by the algorithm the API documents: the last six
// digits of the timestamp pick characters of the key, then the digits of half that
// number, zero-padded to six, pick characters two places further on.
func Obfuscate(key, timestamp string) (string, error) {
	if len(key) < 12 {
		return "", errors.New("simulator: obfuscation needs a key of at least 12 characters")
	}
	if len(timestamp) < 6 {
		return "", errors.New("simulator: obfuscation needs a timestamp of at least 6 digits")
	}
	for i := 0; i < len(timestamp); i++ {
		if timestamp[i] < '0' || timestamp[i] > '9' {
			return "", errors.New("simulator: obfuscation needs a timestamp of digits only")
		}
	}
	high := timestamp[len(timestamp)-6:]
	n, _ := strconv.Atoi(high) // six digits always parse
	low := fmt.Sprintf("%06d", n>>1)
	out := make([]byte, 0, 12)
	for i := 0; i < 6; i++ {
		out = append(out, key[high[i]-'0'])
	}
	for i := 0; i < 6; i++ {
		out = append(out, key[low[i]-'0'+2])
	}
	return string(out), nil
}

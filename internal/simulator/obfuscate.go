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
	if len(key) < 12 || len(timestamp) < 6 || !digits(timestamp) {
		return "", errors.New("simulator: obfuscation needs a key of at least 12 characters and a timestamp of at least 6 digits")
	}
	high := timestamp[len(timestamp)-6:]
	n, _ := strconv.Atoi(high) // six digits always parse
	low := fmt.Sprintf("%06d", n>>1)
	out := make([]byte, 12)
	for i := range 6 {
		out[i], out[6+i] = key[high[i]-'0'], key[low[i]-'0'+2]
	}
	return string(out), nil
}

package simulator

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
)

// maxAssertionBytes bounds a client assertion; an RS256 JWT with a 4096-bit key is
// well under 2 KiB.
const maxAssertionBytes = 16 << 10

// assertion is a parsed, not yet verified, private-key JWT (RFC 7523).
type assertion struct {
	alg          string
	iss, sub     string
	aud          []string
	exp          int64  // epoch seconds
	nbf          *int64 // epoch seconds, when present
	signingInput string // header.payload, as signed
	signature    []byte
}

var errBadAssertion = errors.New("malformed client assertion")

// parseAssertion splits and decodes a compact JWT and reads the claims the token
// endpoint checks. It verifies nothing.
func parseAssertion(tok string) (*assertion, error) {
	if len(tok) > maxAssertionBytes {
		return nil, errBadAssertion
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errBadAssertion
	}
	enc := base64.RawURLEncoding.Strict()
	headerJSON, err := enc.DecodeString(parts[0])
	if err != nil {
		return nil, errBadAssertion
	}
	payloadJSON, err := enc.DecodeString(parts[1])
	if err != nil {
		return nil, errBadAssertion
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil || len(sig) == 0 {
		return nil, errBadAssertion
	}

	header, err := decodeJSONObject(headerJSON)
	if err != nil {
		return nil, errBadAssertion
	}
	a := &assertion{signingInput: parts[0] + "." + parts[1], signature: sig}
	if a.alg, err = stringField(header, "alg"); err != nil {
		return nil, errBadAssertion
	}
	if _, ok := header["crit"]; ok {
		return nil, errBadAssertion // no extension is understood, so none may be critical
	}

	claims, err := decodeJSONObject(payloadJSON)
	if err != nil {
		return nil, errBadAssertion
	}
	if a.iss, err = stringField(claims, "iss"); err != nil {
		return nil, errBadAssertion
	}
	if a.sub, err = stringField(claims, "sub"); err != nil {
		return nil, errBadAssertion
	}
	if a.aud, err = audienceClaim(claims["aud"]); err != nil {
		return nil, errBadAssertion
	}
	if a.exp, err = numericDate(claims["exp"]); err != nil {
		return nil, errBadAssertion
	}
	if raw, ok := claims["nbf"]; ok {
		nbf, err := numericDate(raw)
		if err != nil {
			return nil, errBadAssertion
		}
		a.nbf = &nbf
	}
	return a, nil
}

// audienceClaim reads aud: one string or an array of strings.
func audienceClaim(raw json.RawMessage) ([]string, error) {
	raw = trimJSONSpace(raw)
	if len(raw) == 0 {
		return nil, errBadAssertion
	}
	switch raw[0] {
	case '"':
		var one string
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, errBadAssertion
		}
		return []string{one}, nil
	case '[':
		var many []string
		if err := json.Unmarshal(raw, &many); err != nil {
			return nil, errBadAssertion
		}
		return many, nil
	}
	return nil, errBadAssertion
}

// numericDate reads a JWT NumericDate (seconds, possibly fractional) within a sane range.
func numericDate(raw json.RawMessage) (int64, error) {
	raw = trimJSONSpace(raw)
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, errBadAssertion
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil || math.IsNaN(v) || v < 0 || v > 1e11 {
		return 0, errBadAssertion
	}
	return int64(math.Floor(v)), nil
}

// verify checks what the token endpoint requires of a private-key JWT: RS256 signed
// by the client's key, iss = sub = client_id, the OneAPI audience, and an exp in the
// future but at most one hour ahead (compared in whole seconds, as exp is written).
func (a *assertion) verify(pub *rsa.PublicKey, clientID string, now time.Time) error {
	if pub == nil || a.alg != "RS256" {
		return errors.New("client assertion: not RS256 or no key registered")
	}
	if len(a.signature) != pub.Size() {
		return errors.New("client assertion: bad signature")
	}
	digest := sha256.Sum256([]byte(a.signingInput))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], a.signature); err != nil {
		return errors.New("client assertion: bad signature")
	}
	if a.iss != clientID || a.sub != clientID {
		return errors.New("client assertion: iss and sub must be the client ID")
	}
	if !slices.Contains(a.aud, OneAPIAudience) {
		return errors.New("client assertion: wrong audience")
	}
	if !time.Unix(a.exp, 0).After(now) {
		return errors.New("client assertion: expired")
	}
	if a.exp > now.Unix()+int64(time.Hour/time.Second) {
		return errors.New("client assertion: exp more than one hour ahead")
	}
	if a.nbf != nil && *a.nbf > now.Unix() {
		return errors.New("client assertion: not valid yet")
	}
	return nil
}

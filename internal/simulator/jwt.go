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
	parts := strings.Split(tok, ".")
	if len(tok) > maxAssertionBytes || len(parts) != 3 {
		return nil, errBadAssertion
	}
	var decoded [3][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil || len(b) == 0 {
			return nil, errBadAssertion
		}
		decoded[i] = b
	}
	header, err := decodeJSONObject(decoded[0])
	if err != nil {
		return nil, errBadAssertion
	}
	if _, ok := header["crit"]; ok {
		return nil, errBadAssertion // no extension is understood, so none may be critical
	}
	claims, err := decodeJSONObject(decoded[1])
	if err != nil {
		return nil, errBadAssertion
	}
	a := &assertion{signingInput: parts[0] + "." + parts[1], signature: decoded[2]}
	var errs [5]error
	a.alg, errs[0] = stringField(header, "alg")
	a.iss, errs[1] = stringField(claims, "iss")
	a.sub, errs[2] = stringField(claims, "sub")
	a.exp, errs[3] = numericDate(claims["exp"])
	a.aud, errs[4] = audience(claims["aud"])
	if errors.Join(errs[:]...) != nil {
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

// audience reads aud: one string or an array of strings.
func audience(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	return many, json.Unmarshal(raw, &many)
}

// numericDate reads a JWT NumericDate (seconds, possibly fractional) within a sane range.
func numericDate(raw json.RawMessage) (int64, error) {
	var v *float64
	if err := json.Unmarshal(raw, &v); err != nil || v == nil || *v < 0 || *v > 1e11 {
		return 0, errBadAssertion
	}
	return int64(math.Floor(*v)), nil
}

// verify checks what the token endpoint requires of a private-key JWT: RS256 signed
// by the client's key, iss = sub = client_id, the OneAPI audience, and an exp in the
// future but at most one hour ahead (compared in whole seconds, as exp is written).
func (a *assertion) verify(pub *rsa.PublicKey, clientID string, now time.Time) error {
	if pub == nil || a.alg != "RS256" || len(a.signature) != pub.Size() {
		return errors.New("client assertion: not RS256, or no key registered")
	}
	digest := sha256.Sum256([]byte(a.signingInput))
	switch {
	case rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], a.signature) != nil:
		return errors.New("client assertion: bad signature")
	case a.iss != clientID || a.sub != clientID:
		return errors.New("client assertion: iss and sub must be the client ID")
	case !slices.Contains(a.aud, OneAPIAudience):
		return errors.New("client assertion: wrong audience")
	case !time.Unix(a.exp, 0).After(now):
		return errors.New("client assertion: expired")
	case a.exp > now.Unix()+int64(time.Hour/time.Second):
		return errors.New("client assertion: exp more than one hour ahead")
	case a.nbf != nil && *a.nbf > now.Unix():
		return errors.New("client assertion: not valid yet")
	}
	return nil
}

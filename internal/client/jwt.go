package client

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// assertionLifetime is how long a private-key JWT is valid: long enough for
// one token request, short enough that a captured one is soon useless.
const assertionLifetime = 5 * time.Minute

// clientAssertionType is the OAuth2 value for a JWT client assertion.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// signAssertion builds an RS256 JWT that authenticates clientID at the token endpoint.
func signAssertion(key *rsa.PrivateKey, clientID string, now time.Time) (string, error) {
	claims, err := json.Marshal(struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Aud string `json:"aud"`
		Iat int64  `json:"iat"`
		Exp int64  `json:"exp"`
		Jti string `json:"jti"`
	}{
		Iss: clientID,
		Sub: clientID,
		Aud: OneAPIAudience,
		Iat: now.Unix(),
		Exp: now.Add(assertionLifetime).Unix(),
		Jti: rand.Text(), // 128 random bits
	})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signingInput + "." + enc.EncodeToString(sig), nil
}

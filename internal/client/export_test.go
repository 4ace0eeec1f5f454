package client

import (
	"context"
	"crypto/subtle"
	"net/http"
)

// What the tests use of the client and the provider does not: it never logs
// out (a session ends on its own), nor asks which key it logs in with.

// UsesLoginKey reports whether the client logs in (legacy mode) with the key
// string value. It compares in constant time.
func (c *Client) UsesLoginKey(value string) bool {
	if c.mode != AuthLegacy || value == "" {
		return false
	}
	c.mu.Lock()
	key := c.loginKey
	c.mu.Unlock()
	return subtle.ConstantTimeCompare([]byte(key), []byte(value)) == 1
}

// Close logs out a legacy session if one is open.
// The client stays usable: a later call logs in again.
func (c *Client) Close(ctx context.Context) error {
	if c.mode != AuthLegacy {
		return nil
	}
	c.mu.Lock()
	session := c.cred
	c.cred = ""
	c.credGen++
	c.mu.Unlock()
	if session == "" {
		return nil
	}
	cl := &call{op: OpLogout, method: http.MethodDelete, path: "/auth"}
	resp, err := c.send(ctx, cl, c.baseURL+"/auth", nil, "", c.authHeaders(session), 1, paceSlot{})
	if err != nil {
		return err
	}
	if resp.ok() || resp.status == http.StatusUnauthorized { // 401: the session had ended already
		return nil
	}
	return c.apiError(cl, resp)
}

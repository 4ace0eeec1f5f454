package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/sync/singleflight"
)

// assumedTokenLifetime is used when a token answer has no expires_in.
const assumedTokenLifetime = 5 * time.Minute

// credential returns a live session ID or token and its login generation,
// logging in when there is none. stale is the generation that just met a
// 401: a credential of that generation is not returned again. Concurrent
// callers share one login and its failure, except a failure that only the
// leading caller's own context caused: the others then try again.
func (c *Client) credential(ctx context.Context, stale uint64) (string, uint64, error) {
	for {
		c.mu.Lock()
		if c.cred != "" && c.credGen != stale && (c.mode == AuthLegacy || c.now().Before(c.credUntil)) {
			cred, gen := c.cred, c.credGen
			c.mu.Unlock()
			return cred, gen, nil
		}
		c.mu.Unlock()
		ran := make(chan struct{}) // closed if this caller's function is the one that logs in
		flight := c.logins.DoChan("login", func() (any, error) {
			close(ran)
			cred, until, err := c.login(ctx)
			if err != nil {
				return loginResult{callerGone: ctx.Err() != nil}, err
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			c.cred, c.credUntil = cred, until
			c.credGen++
			return loginResult{cred: cred, gen: c.credGen}, nil
		})
		var r singleflight.Result
		select {
		case r = <-flight:
		case <-ctx.Done():
			select {
			case <-ran: // this caller's login, which its context ends at once: its error says more
				r = <-flight
			default:
				return "", 0, ctx.Err()
			}
		}
		res, _ := r.Val.(loginResult)
		if r.Err == nil {
			return res.cred, res.gen, nil
		}
		if !res.callerGone || ctx.Err() != nil {
			return "", 0, r.Err
		}
	}
}

// loginResult is what one shared login gives its callers.
type loginResult struct {
	cred       string
	gen        uint64
	callerGone bool // the login failed because the context of the caller that ran it ended
}

func (c *Client) login(ctx context.Context) (string, time.Time, error) {
	if c.mode == AuthOneAPI {
		return c.tokenLogin(ctx)
	}
	return c.legacyLogin(ctx)
}

// legacyLogin posts the obfuscated key and returns the session ID.
func (c *Client) legacyLogin(ctx context.Context) (string, time.Time, error) {
	c.mu.Lock()
	key := c.loginKey
	c.mu.Unlock()
	ts := strconv.FormatInt(c.now().UnixMilli(), 10)
	obfuscated, err := Obfuscate(key, ts)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("login: %w", err)
	}
	c.mu.Lock()
	c.proof = obfuscated
	c.mu.Unlock()
	// a struct, not a map: no sorting of keys at each login; fields in the
	// order a map would give, so the body is the same
	body, err := json.Marshal(legacyLoginBody{ //nolint:gosec // the login must send them; the body is never logged
		APIKey: obfuscated, Password: c.cfg.Password, Timestamp: ts, Username: c.cfg.Username,
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("login: encoding the request: %w", err)
	}
	cl := &call{op: OpLogin, method: http.MethodPost, path: "/auth", secrets: []string{key, obfuscated}}
	resp, err := c.send(ctx, cl, c.baseURL+"/auth", body, "application/json", nil, 1, paceSlot{})
	if err != nil {
		return "", time.Time{}, err
	}
	if !resp.ok() {
		return "", time.Time{}, c.apiError(cl, resp)
	}
	session := sessionCookie(resp.header)
	if session == "" {
		return "", time.Time{}, fmt.Errorf("login (POST /auth): HTTP %d without a JSESSIONID cookie", resp.status)
	}
	return session, time.Time{}, nil
}

// legacyLoginBody is POST /auth's body: every field a string, as the API expects.
type legacyLoginBody struct {
	APIKey    string `json:"apiKey"`
	Password  string `json:"password"`
	Timestamp string `json:"timestamp"`
	Username  string `json:"username"`
}

// sessionCookie returns the value of the first JSESSIONID among the
// Set-Cookie headers, or "".
func sessionCookie(h http.Header) string {
	for _, line := range h.Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(line)
		if err == nil && ck.Name == "JSESSIONID" && ck.Value != "" {
			return ck.Value
		}
	}
	return ""
}

// tokenLogin gets a OneAPI access token with client credentials.
func (c *Client) tokenLogin(ctx context.Context) (string, time.Time, error) {
	form := url.Values{}
	form.Set("grant_type", "client_credentials")
	form.Set("client_id", c.cfg.ClientID)
	form.Set("audience", OneAPIAudience)
	var secrets []string
	if c.cfg.PrivateKey != nil {
		assertion, err := signAssertion(c.cfg.PrivateKey, c.cfg.ClientID, c.now())
		if err != nil {
			return "", time.Time{}, errors.New("token: signing the client assertion failed")
		}
		c.mu.Lock()
		c.proof = assertion
		c.mu.Unlock()
		form.Set("client_assertion_type", clientAssertionType)
		form.Set("client_assertion", assertion)
		secrets = append(secrets, assertion)
	} else {
		form.Set("client_secret", c.cfg.ClientSecret)
	}
	cl := &call{op: OpToken, method: http.MethodPost, path: c.tokenURL.Path, secrets: secrets}
	issued := c.now()
	resp, err := c.send(ctx, cl, c.tokenURL.String(), []byte(form.Encode()), "application/x-www-form-urlencoded", nil, 1, paceSlot{})
	if err != nil {
		return "", time.Time{}, err
	}
	if !resp.ok() {
		return "", time.Time{}, c.apiError(cl, resp)
	}
	if resp.truncated {
		return "", time.Time{}, fmt.Errorf("token (POST %s): the answer is larger than %d bytes", cl.path, maxSuccessBody)
	}
	tok, err := decodeToken(resp.contentType, resp.body)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token (POST %s): %w", cl.path, err)
	}
	lifetime := tok.ExpiresIn
	if lifetime <= 0 {
		lifetime = assumedTokenLifetime
	}
	// renew a little before the end: a tenth of the lifetime, at most a minute
	return tok.AccessToken, issued.Add(lifetime - min(lifetime/10, time.Minute)), nil
}

package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func wantOAuthError(t *testing.T, resp response, status int, code string) {
	t.Helper()
	wantStatus(t, resp, status)
	var e oauthErrorBody
	dec := json.NewDecoder(strings.NewReader(string(resp.body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error != code || e.Description == "" {
		t.Fatalf("OAuth error = %s, want error %q with a description", resp.body, code)
	}
}

func TestTokenWithSecret(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "a", OneAPIOnly: true}, {Name: "b"}}})
	a := h.sim.Organization("a")
	resp := h.tokenResp(secretForm(a))
	wantStatus(t, resp, 200)
	if ct := resp.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("token Content-Type = %q, want exactly application/json", ct)
	}
	var raw map[string]any
	resp.decode(t, &raw)
	if len(raw) != 3 || raw["token_type"] != "Bearer" || raw["expires_in"] != float64(3600) || raw["access_token"] == "" {
		t.Fatalf("token body = %s", resp.body)
	}
	tok := raw["access_token"].(string)
	// OneAPIOnly does not affect OneAPI.
	wantStatus(t, h.oneapi("GET", "/apiKeys", "", tok), 200)
	// The scheme is case-insensitive.
	wantStatus(t, h.do(req{method: "GET", path: "/ztw/api/v1/apiKeys", headers: []string{"Authorization", "bearer " + tok}}), 200)
	// A token belongs to its organization only.
	b := h.sim.Organization("b")
	h.sim.Advance(time.Second) // list allows 2 calls a second
	keys := []keyJSON{}
	h.oneapi("GET", "/apiKeys", "", tok).decode(t, &keys)
	bk, _ := b.Key()
	if len(keys) != 1 || keys[0].ID == bk.ID {
		t.Fatalf("organization a listed %v", keys)
	}
	// A token does not open the legacy base.
	wantError(t, h.do(req{method: "GET", path: "/api/v1/apiKeys", headers: []string{"Authorization", "Bearer " + tok}}), 401, "SESSION_NOT_VALID")
}

func TestTokenErrors(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	with := func(change func(url.Values)) url.Values {
		f := secretForm(org)
		change(f)
		return f
	}
	t.Run("content type", func(t *testing.T) {
		resp := h.do(req{method: "POST", path: "/oauth2/v1/token", body: secretForm(org).Encode(), headers: []string{"Content-Type", "application/json"}})
		wantOAuthError(t, resp, 415, "invalid_request")
		resp = h.do(req{method: "POST", path: "/oauth2/v1/token", body: secretForm(org).Encode()})
		wantOAuthError(t, resp, 415, "invalid_request")
		resp = h.do(req{method: "POST", path: "/oauth2/v1/token", body: secretForm(org).Encode(), headers: []string{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}})
		wantStatus(t, resp, 200)
	})
	cases := []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"grant missing", with(func(f url.Values) { f.Del("grant_type") }), 400, "invalid_request"},
		{"password grant", with(func(f url.Values) { f.Set("grant_type", "password") }), 400, "unsupported_grant_type"},
		{"audience missing", with(func(f url.Values) { f.Del("audience") }), 400, "invalid_request"},
		{"audience wrong", with(func(f url.Values) { f.Set("audience", "https://api.zscaler.net") }), 400, "invalid_request"},
		{"client missing", with(func(f url.Values) { f.Del("client_id") }), 400, "invalid_request"},
		{"client unknown", with(func(f url.Values) { f.Set("client_id", "nobody") }), 401, "invalid_client"},
		{"secret wrong", with(func(f url.Values) { f.Set("client_secret", "wrong") }), 401, "invalid_client"},
		{"no authentication", with(func(f url.Values) { f.Del("client_secret") }), 401, "invalid_client"},
		{"secret and assertion", with(func(f url.Values) {
			f.Set("client_assertion", "a.b.c")
			f.Set("client_assertion_type", ClientAssertionType)
		}), 400, "invalid_request"},
		{"repeated parameter", with(func(f url.Values) { f.Add("client_id", "other") }), 400, "invalid_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := h.tokenResp(c.form)
			wantOAuthError(t, resp, c.status, c.code)
			if strings.Contains(string(resp.body), org.Config().ClientSecret) {
				t.Fatalf("answer echoes the secret: %s", resp.body)
			}
		})
	}
	t.Run("not a form", func(t *testing.T) {
		resp := h.do(req{method: "POST", path: "/oauth2/v1/token", body: "a=%zz", headers: []string{"Content-Type", "application/x-www-form-urlencoded"}})
		wantOAuthError(t, resp, 400, "invalid_request")
	})
	t.Run("GET", func(t *testing.T) {
		wantError(t, h.do(req{method: "GET", path: "/oauth2/v1/token"}), 405, "METHOD_NOT_ALLOWED")
	})
}

func TestTokenWithJWT(t *testing.T) {
	clientKey, stranger := testRSAKeys(t)
	h := newHarness(t, Options{Organizations: []OrgConfig{
		{Name: "jwt", ClientID: "jwt-client", ClientPublicKey: &clientKey.PublicKey},
		{Name: "plain", ClientID: "plain-client"},
	}})
	now := h.sim.Now().Unix()
	header := map[string]any{"alg": "RS256", "typ": "JWT"}
	claims := func(change func(map[string]any)) map[string]any {
		c := map[string]any{"iss": "jwt-client", "sub": "jwt-client", "aud": OneAPIAudience,
			"exp": now + 300, "iat": now, "jti": "x1"}
		if change != nil {
			change(c)
		}
		return c
	}
	form := func(clientID, assertion string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "audience": {OneAPIAudience}, "client_id": {clientID},
			"client_assertion_type": {ClientAssertionType}, "client_assertion": {assertion}}
	}

	ok := []struct {
		name   string
		change func(map[string]any)
	}{
		{"aud as string", nil},
		{"aud in an array", func(c map[string]any) { c["aud"] = []string{"other", OneAPIAudience} }},
		{"exp exactly one hour ahead", func(c map[string]any) { c["exp"] = now + 3600 }},
		{"fractional exp", func(c map[string]any) { c["exp"] = float64(now) + 10.5 }},
		{"nbf now", func(c map[string]any) { c["nbf"] = now }},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			h.sim.Advance(time.Second) // keeps the list below under its rate limit
			now = h.sim.Now().Unix()
			resp := h.tokenResp(form("jwt-client", signJWT(t, clientKey, header, claims(c.change))))
			wantStatus(t, resp, 200)
			var tb tokenBody
			resp.decode(t, &tb)
			wantStatus(t, h.oneapi("GET", "/apiKeys", "", tb.AccessToken), 200)
		})
	}

	now = h.sim.Now().Unix()
	bad := []struct {
		name string
		jwt  string
	}{
		{"signed by another key", signJWT(t, stranger, header, claims(nil))},
		{"alg HS256", signJWT(t, clientKey, map[string]any{"alg": "HS256"}, claims(nil))},
		{"alg none", signJWT(t, clientKey, map[string]any{"alg": "none"}, claims(nil))},
		{"critical header", signJWT(t, clientKey, map[string]any{"alg": "RS256", "crit": []string{"b64"}}, claims(nil))},
		{"iss differs", signJWT(t, clientKey, header, claims(func(c map[string]any) { c["iss"] = "other" }))},
		{"sub differs", signJWT(t, clientKey, header, claims(func(c map[string]any) { c["sub"] = "other" }))},
		{"aud differs", signJWT(t, clientKey, header, claims(func(c map[string]any) { c["aud"] = "https://api.zscaler.net" }))},
		{"aud missing", signJWT(t, clientKey, header, claims(func(c map[string]any) { delete(c, "aud") }))},
		{"exp missing", signJWT(t, clientKey, header, claims(func(c map[string]any) { delete(c, "exp") }))},
		{"exp as string", signJWT(t, clientKey, header, claims(func(c map[string]any) { c["exp"] = "9999999999" }))},
		{"expired", signJWT(t, clientKey, header, claims(func(c map[string]any) { c["exp"] = now }))},
		{"exp beyond one hour", signJWT(t, clientKey, header, claims(func(c map[string]any) { c["exp"] = now + 3601 }))},
		{"nbf in the future", signJWT(t, clientKey, header, claims(func(c map[string]any) { c["nbf"] = now + 60 }))},
		{"tampered payload", func() string {
			parts := strings.Split(signJWT(t, clientKey, header, claims(nil)), ".")
			other := strings.Split(signJWT(t, clientKey, header, claims(func(c map[string]any) { c["jti"] = "x2" })), ".")
			return parts[0] + "." + other[1] + "." + parts[2]
		}()},
		{"not a JWT", "not-a-jwt"},
		{"padded base64", signJWT(t, clientKey, header, claims(nil)) + "="},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			wantOAuthError(t, h.tokenResp(form("jwt-client", c.jwt)), 401, "invalid_client")
		})
	}
	t.Run("client without a public key", func(t *testing.T) {
		jwt := signJWT(t, clientKey, header, claims(func(c map[string]any) { c["iss"], c["sub"] = "plain-client", "plain-client" }))
		wantOAuthError(t, h.tokenResp(form("plain-client", jwt)), 401, "invalid_client")
	})
	t.Run("wrong assertion type", func(t *testing.T) {
		f := form("jwt-client", signJWT(t, clientKey, header, claims(nil)))
		f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
		wantOAuthError(t, h.tokenResp(f), 400, "invalid_request")
	})
	t.Run("assertion missing", func(t *testing.T) {
		f := form("jwt-client", "")
		f.Del("client_assertion")
		wantOAuthError(t, h.tokenResp(f), 400, "invalid_request")
	})
	t.Run("a JWT client may still use its secret", func(t *testing.T) {
		wantStatus(t, h.tokenResp(secretForm(h.sim.Organization("jwt"))), 200)
	})
}

func TestTokenExpiry(t *testing.T) {
	h := newHarness(t, Options{TokenLifetime: 10 * time.Minute})
	org := h.sim.DefaultOrganization()
	resp := h.tokenResp(secretForm(org))
	var tb tokenBody
	resp.decode(t, &tb)
	if tb.ExpiresIn != 600 {
		t.Fatalf("expires_in = %d, want 600", tb.ExpiresIn)
	}
	h.sim.Advance(9*time.Minute + 59*time.Second)
	wantStatus(t, h.oneapi("GET", "/apiKeys", "", tb.AccessToken), 200)
	h.sim.Advance(time.Second)
	wantError(t, h.oneapi("GET", "/apiKeys", "", tb.AccessToken), 401, "INVALID_TOKEN")

	tok := h.token(org)
	h.sim.ExpireTokens()
	wantError(t, h.oneapi("GET", "/apiKeys", "", tok), 401, "INVALID_TOKEN")

	wantError(t, h.do(req{method: "GET", path: "/ztw/api/v1/apiKeys"}), 401, "INVALID_TOKEN")
	wantError(t, h.do(req{method: "GET", path: "/ztw/api/v1/apiKeys", headers: []string{"Authorization", "Basic Zm9vOmJhcg=="}}), 401, "INVALID_TOKEN")
}

func TestLegacyAndOneAPIAreIndependent(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	tok := h.token(org)
	id := h.login(org)
	wantStatus(t, h.legacy("DELETE", "/auth", "", id), http.StatusNoContent)
	h.sim.ExpireSessions()
	wantStatus(t, h.oneapi("GET", "/apiKeys", "", tok), 200)
	org.SetOneAPIOnly(true)
	wantError(t, h.loginResp(org), 403, "ONLY_ONEAPI_SUPPORTED")
	wantStatus(t, h.oneapi("GET", "/apiKeys", "", h.token(org)), 200)
	org.SetOneAPIOnly(false)
	wantStatus(t, h.loginResp(org), 200)
}

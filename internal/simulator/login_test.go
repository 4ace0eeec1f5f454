package simulator

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestObfuscateTestVector(t *testing.T) {
	got, err := Obfuscate("abcdefghijkl", "1389681124480")
	if err != nil {
		t.Fatal(err)
	}
	if got != "bceeiacieegc" {
		t.Fatalf("Obfuscate = %q, want bceeiacieegc (the contract's test vector)", got)
	}
	// Half of 000001 is 0: the low half is all zeros, so key[2] six times.
	if got, _ := Obfuscate("abcdefghijkl", "1000001"); got != "aaaaabcccccc" {
		t.Fatalf("Obfuscate with a small high half = %q, want aaaaabcccccc", got)
	}
	for _, c := range []struct{ key, ts string }{
		{"abcdefghijk", "1389681124480"}, // key too short
		{"abcdefghijkl", "12345"},        // timestamp too short
		{"abcdefghijkl", "13896811244x0"},
		{"abcdefghijkl", "-389681124480"},
	} {
		if _, err := Obfuscate(c.key, c.ts); err == nil {
			t.Errorf("Obfuscate(%q, %q) succeeded, want an error", c.key, c.ts)
		}
	}
}

var cookieShape = regexp.MustCompile(`^JSESSIONID=[0-9A-F]{32}; Path=/; Secure; HttpOnly$`)

func TestLoginSuccess(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	resp := h.loginResp(org)
	wantStatus(t, resp, http.StatusOK)
	if sc := resp.header.Values("Set-Cookie"); len(sc) == 0 || !cookieShape.MatchString(sc[0]) {
		t.Fatalf("first Set-Cookie = %q, want JSESSIONID=<id>; Path=/; Secure; HttpOnly", sc)
	}
	if string(resp.body) != `{"authType":"ADMIN_LOGIN","obfuscateApiKey":true,"passwordExpiryTime":-1,"passwordExpiryDays":-1}` {
		t.Fatalf("login body = %s", resp.body)
	}
	if ct := resp.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	// Two logins make two sessions.
	if a, b := h.login(org), h.login(org); a == b {
		t.Fatal("two logins returned the same session ID")
	}
}

func TestLoginContentType(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	cfg := org.Config()
	k, _ := org.Key()
	for _, c := range []struct {
		ct     string
		status int
	}{
		{"application/json", 200},
		{"application/json; charset=utf-8", 200},
		{"Application/JSON;charset=UTF-8", 200},
		{"", 415},
		{"text/plain", 415},
		{"application/x-www-form-urlencoded", 415},
		{"application/jsonx", 415},
		{"application/json; charset", 415}, // unparsable parameter
	} {
		var hdr []string
		if c.ct != "" {
			hdr = []string{"Content-Type", c.ct}
		}
		resp := h.do(req{method: "POST", path: "/api/v1/auth", body: h.loginBody(cfg.Username, cfg.Password, k.Value, 0), headers: hdr})
		if c.status == 415 {
			wantError(t, resp, 415, "UNSUPPORTED_MEDIA_TYPE")
		} else {
			wantStatus(t, resp, c.status)
		}
	}
}

func TestLoginErrors(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{
		{Name: "a", Username: "Admin@A.example", Password: "pw-a-123456", APIKey: "AbCd12EfGh34"},
		{Name: "nokey", NoKey: true},
		{Name: "oneapi", OneAPIOnly: true},
		{Name: "disabled"},
	}})
	a := h.sim.Organization("a")
	if err := h.sim.Organization("disabled").SetKeyEnabled(false); err != nil {
		t.Fatal(err)
	}
	jsonHdr := []string{"Content-Type", "application/json"}
	login := func(body string) response {
		return h.do(req{method: "POST", path: "/api/v1/auth", body: body, headers: jsonHdr})
	}
	good := func(o *Organization, skew time.Duration) string {
		cfg := o.Config()
		k, _ := o.Key()
		return h.loginBody(cfg.Username, cfg.Password, k.Value, skew)
	}
	ts := func() string { return strings.TrimSuffix(strings.Split(good(a, 0), `"timestamp":"`)[1], `"}`) }

	t.Run("username is case-insensitive", func(t *testing.T) {
		wantStatus(t, login(h.loginBody("admin@a.EXAMPLE", "pw-a-123456", "AbCd12EfGh34", 0)), 200)
	})
	t.Run("clock window", func(t *testing.T) {
		wantStatus(t, login(good(a, -119*time.Minute)), 200)
		wantStatus(t, login(good(a, 119*time.Minute)), 200)
		wantError(t, login(good(a, -121*time.Minute)), 400, "INVALID_USERNAME_OR_PASSWORD")
		wantError(t, login(good(a, 121*time.Minute)), 400, "INVALID_USERNAME_OR_PASSWORD")
	})

	invalid := []struct{ name, body string }{
		{"wrong username", h.loginBody("nobody@a.example", "pw-a-123456", "AbCd12EfGh34", 0)},
		{"wrong password", h.loginBody("Admin@A.example", "pw-a-1234567", "AbCd12EfGh34", 0)},
		{"wrong key", h.loginBody("Admin@A.example", "pw-a-123456", "zyxwvutsrqpo", 0)},
		{"key sent in clear", `{"apiKey":"AbCd12EfGh34","username":"Admin@A.example","password":"pw-a-123456","timestamp":"` + ts() + `"}`},
		{"organization without key", h.loginBody(h.sim.Organization("nokey").Config().Username, h.sim.Organization("nokey").Config().Password, "AbCd12EfGh34", 0)},
	}
	for _, c := range invalid {
		t.Run(c.name, func(t *testing.T) {
			resp := login(c.body)
			e := wantError(t, resp, 400, "INVALID_USERNAME_OR_PASSWORD")
			if e.Message != "Invalid email or password" {
				t.Fatalf("message = %q", e.Message)
			}
			if strings.Contains(string(resp.body), "pw-a-") || strings.Contains(string(resp.body), "AbCd12") {
				t.Fatalf("answer echoes a secret: %s", resp.body)
			}
		})
	}

	malformed := []struct{ name, body string }{
		{"not JSON", `{"apiKey":`},
		{"array", `[]`},
		{"null", `null`},
		{"empty", ``},
		{"trailing data", good(a, 0) + `{}`},
		{"timestamp as number", `{"apiKey":"x","username":"Admin@A.example","password":"pw-a-123456","timestamp":1389681124480}`},
		{"password missing", `{"apiKey":"x","username":"Admin@A.example","timestamp":"1389681124480"}`},
		{"username null", `{"apiKey":"x","username":null,"password":"p","timestamp":"1389681124480"}`},
		{"apiKey object", `{"apiKey":{},"username":"u","password":"p","timestamp":"1389681124480"}`},
		{"timestamp not digits", `{"apiKey":"x","username":"u","password":"p","timestamp":"yesterday"}`},
		{"timestamp signed", `{"apiKey":"x","username":"u","password":"p","timestamp":"+1389681124480"}`},
	}
	for _, c := range malformed {
		t.Run(c.name, func(t *testing.T) {
			resp := login(c.body)
			wantError(t, resp, 400, "INVALID_INPUT_ARGUMENT")
			if strings.Contains(string(resp.body), "pw-a-") {
				t.Fatalf("answer echoes a secret: %s", resp.body)
			}
		})
	}

	t.Run("OneAPI-only organization", func(t *testing.T) {
		wantError(t, login(good(h.sim.Organization("oneapi"), 0)), 403, "ONLY_ONEAPI_SUPPORTED")
	})
	t.Run("disabled key", func(t *testing.T) {
		d := h.sim.Organization("disabled")
		wantError(t, login(good(d, 0)), 403, "API_KEY_DISABLED")
		// A wrong key on a disabled key's organization learns nothing about the key.
		cfg := d.Config()
		wantError(t, login(h.loginBody(cfg.Username, cfg.Password, "zzzzzzzzzzzz", 0)), 400, "INVALID_USERNAME_OR_PASSWORD")
		if err := d.SetKeyEnabled(true); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, login(good(d, 0)), 200)
	})
	t.Run("stale cookies are ignored", func(t *testing.T) {
		resp := h.do(req{method: "POST", path: "/api/v1/auth", body: good(a, 0),
			headers: []string{"Content-Type", "application/json", "Cookie", "JSESSIONID=STALE; JSESSIONID=OLDER", "JSessionID", "STALE"}})
		wantStatus(t, resp, 200)
		if id := sessionFrom(t, resp); id == "STALE" || id == "OLDER" {
			t.Fatalf("login reused a stale session ID")
		}
	})
	t.Run("extra fields are ignored", func(t *testing.T) {
		var m map[string]any
		_ = json.Unmarshal([]byte(good(a, 0)), &m)
		m["clientVersion"] = 3
		b, _ := json.Marshal(m)
		wantStatus(t, login(string(b)), 200)
	})
}

func TestSessions(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()

	t.Run("status and idle timeout", func(t *testing.T) {
		id := h.login(org)
		resp := h.legacy("GET", "/auth", "", id)
		wantStatus(t, resp, 200)
		if string(resp.body) != string(authBody) {
			t.Fatalf("session status body = %s", resp.body)
		}
		h.sim.Advance(29 * time.Minute)
		wantStatus(t, h.legacy("GET", "/auth", "", id), 200) // also renews the session
		h.sim.Advance(29 * time.Minute)
		wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 200)
		h.sim.Advance(30 * time.Minute) // exactly the idle timeout since the last request
		wantError(t, h.legacy("GET", "/auth", "", id), 401, "SESSION_NOT_VALID")
		wantError(t, h.legacy("GET", "/apiKeys", "", id), 401, "SESSION_NOT_VALID")
	})
	t.Run("several JSESSIONID values, stale first", func(t *testing.T) {
		id := h.login(org)
		resp := h.do(req{method: "GET", path: "/api/v1/apiKeys", headers: []string{
			"Cookie", "JSESSIONID=0123456789ABCDEF0123456789ABCDEF; other=1; JSESSIONID=" + id}})
		wantStatus(t, resp, 200)
		resp = h.do(req{method: "GET", path: "/api/v1/auth", headers: []string{
			"Cookie", "JSESSIONID=DEAD", "Cookie", "JSESSIONID=" + id}})
		wantStatus(t, resp, 200)
	})
	t.Run("JSessionID header", func(t *testing.T) {
		id := h.login(org)
		wantStatus(t, h.do(req{method: "GET", path: "/api/v1/auth", headers: []string{"JSessionID", id}}), 200)
		wantStatus(t, h.do(req{method: "GET", path: "/api/v1/auth", headers: []string{"Cookie", "JSESSIONID=STALE", "JSessionID", id}}), 200)
	})
	t.Run("missing or unknown", func(t *testing.T) {
		wantError(t, h.do(req{method: "GET", path: "/api/v1/auth"}), 401, "SESSION_NOT_VALID")
		wantError(t, h.do(req{method: "GET", path: "/api/v1/apiKeys", headers: []string{"Cookie", "JSESSIONID=NOPE"}}), 401, "SESSION_NOT_VALID")
		wantError(t, h.do(req{method: "DELETE", path: "/api/v1/auth"}), 401, "SESSION_NOT_VALID")
	})
	t.Run("logout", func(t *testing.T) {
		id, other := h.login(org), h.login(org)
		resp := h.legacy("DELETE", "/auth", "", id)
		wantStatus(t, resp, 204)
		if len(resp.body) != 0 {
			t.Fatalf("logout body = %q", resp.body)
		}
		wantError(t, h.legacy("GET", "/auth", "", id), 401, "SESSION_NOT_VALID")
		wantStatus(t, h.legacy("GET", "/auth", "", other), 200)
	})
	t.Run("ExpireSessions", func(t *testing.T) {
		id := h.login(org)
		h.sim.ExpireSessions()
		wantError(t, h.legacy("GET", "/auth", "", id), 401, "SESSION_NOT_VALID")
		wantStatus(t, h.legacy("GET", "/auth", "", h.login(org)), 200)
	})
	t.Run("sessions survive a key change", func(t *testing.T) {
		id := h.login(org)
		if _, err := org.RegenerateKey(); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, h.legacy("GET", "/auth", "", id), 200)
		if err := org.DeleteKey(); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 200)
		if _, err := org.AddKey(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a session does not open the OneAPI base", func(t *testing.T) {
		id := h.login(org)
		resp := h.do(req{method: "GET", path: "/ztw/api/v1/apiKeys", headers: []string{"Cookie", "JSESSIONID=" + id, "JSessionID", id}})
		wantError(t, resp, 401, "INVALID_TOKEN")
	})
}

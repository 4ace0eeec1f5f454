package simulator

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCounts(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "a"}, {Name: "b"}}})
	a, b := h.sim.Organization("a"), h.sim.Organization("b")
	id := h.login(a)
	wantStatus(t, h.legacy("GET", "/auth", "", "NOPE"), 401) // no organization known
	for range 3 {
		h.legacy("GET", "/apiKeys", "", id)
	}
	h.token(b)
	h.do(req{method: "GET", path: "/nothing"})

	c := h.sim.Counts()
	want := fmt.Sprint(map[Op]int{OpLogin: 1, OpSessionStatus: 1, OpList: 3, OpToken: 1})
	if fmt.Sprint(c.Calls) != want || c.OK[OpList] != 2 || c.OK[OpLogin] != 1 || c.OK[OpToken] != 1 ||
		c.Status[200] != 4 || c.Status[401] != 1 || c.Status[429] != 1 || c.Status[404] != 1 || c.RateLimited != 1 {
		t.Fatalf("simulator counts = %+v", c)
	}
	ca := a.Counts()
	if fmt.Sprint(ca.Calls) != fmt.Sprint(map[Op]int{OpLogin: 1, OpList: 3}) || ca.Status[401] != 0 || ca.RateLimited != 1 {
		t.Fatalf("counts of a = %+v", ca)
	}
	if cb := b.Counts(); cb.Calls[OpToken] != 1 || cb.OK[OpToken] != 1 || len(cb.Calls) != 1 {
		t.Fatalf("counts of b = %+v", cb)
	}
	// Snapshots are copies.
	c.Calls[OpList] = 99
	if h.sim.Counts().Calls[OpList] != 3 {
		t.Fatal("Counts returned shared maps")
	}

	h.sim.ResetCounts()
	if c := h.sim.Counts(); len(c.Calls) != 0 || len(c.Status) != 0 || c.RateLimited != 0 {
		t.Fatalf("after reset: %+v", c)
	}
	if ca := a.Counts(); len(ca.Calls) != 0 {
		t.Fatalf("organization after reset: %+v", ca)
	}
}

// countsBody is the answer of GET /_simulator/counts.
type countsBody struct {
	Counts
	Organizations map[string]Counts `json:"organizations"`
}

// control calls /_simulator/path and decodes its JSON answer into out (when not nil).
func (h *harness) control(method, path, body string, status int, out any) response {
	h.t.Helper()
	var hdr []string
	if body != "" {
		hdr = []string{"Content-Type", "application/json"}
	}
	resp := h.do(req{method: method, path: "/_simulator/" + path, body: body, headers: hdr})
	if resp.status != status {
		h.t.Fatalf("%s %s: %v, want %d", method, path, resp, status)
	}
	if out != nil {
		resp.decode(h.t, out)
	}
	return resp
}

func TestControls(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	id := h.login(org)

	t.Run("counts", func(t *testing.T) {
		var c countsBody
		h.control("GET", "counts", "", 200, &c)
		if c.Calls[OpLogin] != 1 || c.Organizations["default"].Calls[OpLogin] != 1 || c.Status[200] != 1 {
			t.Fatalf("counts = %+v", c)
		}
		h.control("GET", "counts", "", 200, nil)
		var reset countsBody
		h.control("POST", "counts/reset", "", 200, &reset)
		if len(reset.Calls) != 0 || len(h.sim.Counts().Calls) != 0 {
			t.Fatalf("after reset: %+v", reset)
		}
		h.control("POST", "counts", "", 405, nil)
		if n := len(h.sim.Counts().Status); n != 0 {
			t.Fatalf("control calls were counted: %+v", h.sim.Counts())
		}
	})
	t.Run("faults", func(t *testing.T) {
		var got struct{ Faults []Fault }
		h.control("POST", "faults", `{"op":"session","status":503,"retryAfter":"2s","latency":"1ms","times":2}`, 200, &got)
		if len(got.Faults) != 1 || got.Faults[0].RetryAfter != 2*time.Second || got.Faults[0].Latency != time.Millisecond || got.Faults[0].Times != 2 {
			t.Fatalf("faults = %+v", got)
		}
		resp := h.legacy("GET", "/auth", "", id)
		if resp.status != 503 || resp.header.Get("Retry-After") != "2" {
			t.Fatalf("injected over HTTP: %v", resp)
		}
		h.control("GET", "faults", "", 200, &got)
		if len(got.Faults) != 1 || got.Faults[0].Times != 1 {
			t.Fatalf("after one use: %+v", got)
		}
		h.control("DELETE", "faults", "", 200, &got)
		if len(got.Faults) != 0 {
			t.Fatalf("after DELETE: %+v", got)
		}
		wantStatus(t, h.legacy("GET", "/auth", "", id), 200)
		for _, body := range []string{
			`{"op":"nope"}`, `{"latency":"soon"}`, `{"retryAfter":"-1s"}`, `{"status":99}`, `{"status":600}`,
			`{"times":-2}`, `{"skip":-1}`, `{"unknownField":1}`, `{"op":"list"} {}`, `[`,
		} {
			h.control("POST", "faults", body, 400, nil)
		}
		h.control("PUT", "faults", "", 405, nil)
	})
	t.Run("latency", func(t *testing.T) {
		var got map[string]string
		h.control("POST", "latency", `{"latency":"1ms"}`, 200, &got)
		if got["latency"] != "1ms" || h.sim.Latency() != time.Millisecond {
			t.Fatalf("latency = %v", got)
		}
		h.control("GET", "latency", "", 200, &got)
		h.control("POST", "latency", `{"latency":"fast"}`, 400, nil)
		h.control("POST", "latency", `{}`, 200, &got)
		if h.sim.Latency() != 0 {
			t.Fatal("an empty latency did not reset it")
		}
	})
	t.Run("sessions and tokens", func(t *testing.T) {
		tok := h.token(org)
		var got map[string]int
		h.control("POST", "sessions/expire", "", 200, &got)
		if got["expired"] < 1 {
			t.Fatalf("sessions/expire = %v", got)
		}
		wantError(t, h.legacy("GET", "/auth", "", id), 401, "SESSION_NOT_VALID")
		h.control("POST", "tokens/expire", "", 200, &got)
		if got["expired"] != 1 {
			t.Fatalf("tokens/expire = %v", got)
		}
		wantError(t, h.oneapi("GET", "/apiKeys", "", tok), 401, "INVALID_TOKEN")
		h.control("GET", "tokens/expire", "", 405, nil)
		id = h.login(org)
	})
	t.Run("clock", func(t *testing.T) {
		before := h.sim.Now()
		var got map[string]string
		h.control("POST", "clock/advance", `{"by":"31m"}`, 200, &got)
		if d := h.sim.Now().Sub(before); d != 31*time.Minute || got["now"] != h.sim.Now().UTC().Format(time.RFC3339Nano) {
			t.Fatalf("advanced by %v, answered %v", d, got)
		}
		wantError(t, h.legacy("GET", "/auth", "", id), 401, "SESSION_NOT_VALID")
		h.control("GET", "clock", "", 200, &got)
		h.control("POST", "clock/advance", `{}`, 400, nil)
		h.control("POST", "clock/advance", `{"by":"-1m"}`, 400, nil)
		id = h.login(org)
	})
	t.Run("organizations", func(t *testing.T) {
		var orgs []OrganizationInfo
		h.control("GET", "organizations", "", 200, &orgs)
		k, _ := org.Key()
		cfg := org.Config()
		if len(orgs) != 1 || orgs[0].Name != "default" || orgs[0].APIKey != k.Value || orgs[0].Key.ID != k.ID ||
			orgs[0].Username != cfg.Username || orgs[0].Password != cfg.Password || orgs[0].ClientSecret != cfg.ClientSecret ||
			orgs[0].LegacyBaseURL != h.sim.LegacyBaseURL() || orgs[0].TokenURL != h.sim.TokenURL() || !orgs[0].InferredCalls {
			t.Fatalf("organizations = %+v", orgs)
		}

		var info OrganizationInfo
		h.control("POST", "organizations", `{"name":"new","apiKey":"AbCd12EfGh34","partnerKeys":["p"],"withoutInferredCalls":true}`, 201, &info)
		if info.APIKey != "AbCd12EfGh34" || len(info.PartnerKeys) != 1 || info.InferredCalls || info.Username != "admin@new.example" {
			t.Fatalf("new organization = %+v", info)
		}
		nw := h.sim.Organization("new")
		wantStatus(t, h.loginResp(nw), 200)
		h.control("POST", "organizations", `{"name":"new"}`, 400, nil)
		h.control("POST", "organizations", `{"name":"bad name"}`, 400, nil)
		h.control("POST", "organizations", `{"apiKey":"short"}`, 400, nil)
		h.control("POST", "organizations", `{"clientPublicKey":"x"}`, 400, nil)
		h.control("GET", "organizations/new", "", 200, &info)
		h.control("GET", "organizations/nope", "", 404, nil)
	})
	t.Run("key changes", func(t *testing.T) {
		var k keyJSON
		h.control("POST", "organizations/new/key/edit", `{"keyValue":"Zz9Yy8Xx7Ww6"}`, 200, &k)
		if cur, _ := h.sim.Organization("new").Key(); k.KeyValue != "Zz9Yy8Xx7Ww6" || cur.Value != k.KeyValue {
			t.Fatalf("edit answered %+v", k)
		}
		h.control("POST", "organizations/new/key/edit", `{"keyValue":"Zz9Yy8Xx7Ww6"}`, 400, nil)
		h.control("POST", "organizations/new/key/edit", `{"keyValue":"bad"}`, 400, nil)
		h.control("POST", "organizations/new/key/regenerate", "", 200, &k)
		if k.KeyValue == "Zz9Yy8Xx7Ww6" {
			t.Fatal("regenerate kept the value")
		}
		h.control("POST", "organizations/new/key/add", "", 400, nil)
		h.control("POST", "organizations/new/key/delete", "", 200, nil)
		if _, ok := h.sim.Organization("new").Key(); ok {
			t.Fatal("delete kept the key")
		}
		h.control("POST", "organizations/new/key/delete", "", 404, nil)
		h.control("POST", "organizations/new/key/regenerate", "", 404, nil)
		h.control("POST", "organizations/new/key/add", "", 200, &k)
		if k.ID == 0 || !ValidKeyValue(k.KeyValue) {
			t.Fatalf("add answered %+v", k)
		}
		h.control("POST", "organizations/new/key/rotate", "", 404, nil)
		h.control("GET", "organizations/new/key/add", "", 405, nil)
		h.control("POST", "organizations/nope/key/add", "", 404, nil)
	})
	t.Run("settings", func(t *testing.T) {
		var info OrganizationInfo
		h.control("POST", "organizations/default/settings", `{"inferredCalls":false,"oneApiOnly":true,"keyManagement":false,"keyEnabled":false}`, 200, &info)
		if info.InferredCalls || !info.OneAPIOnly || info.KeyManagement || info.Key.Enabled {
			t.Fatalf("settings = %+v", info)
		}
		wantError(t, h.loginResp(org), 403, "ONLY_ONEAPI_SUPPORTED")
		h.control("POST", "organizations/default/settings", `{"oneApiOnly":false}`, 200, &info)
		if info.OneAPIOnly || info.InferredCalls || info.Key.Enabled {
			t.Fatalf("a partial update touched other settings: %+v", info)
		}
		wantError(t, h.loginResp(org), 403, "API_KEY_DISABLED")
		h.control("POST", "organizations/default/settings", `{"inferredCalls":true,"keyManagement":true,"keyEnabled":true}`, 200, &info)
		wantStatus(t, h.loginResp(org), 200)
		h.control("POST", "organizations/default/settings", `{"keyEnabled":"yes"}`, 400, nil)
		h.control("POST", "organizations/new/key/delete", "", 200, nil)
		h.control("POST", "organizations/new/settings", `{"keyEnabled":true}`, 404, nil)
	})
	t.Run("unknown", func(t *testing.T) {
		wantError(t, h.do(req{method: "GET", path: "/_simulator/nothing"}), 404, "RESOURCE_NOT_FOUND")
		wantError(t, h.do(req{method: "GET", path: "/_simulator/"}), 404, "RESOURCE_NOT_FOUND")
	})
	t.Run("no latency, no rate limit, not counted", func(t *testing.T) {
		h.sim.ResetCounts()
		h.sim.SetLatency(time.Hour)
		defer h.sim.SetLatency(0)
		for range 5 { // under the latency, an API call would wait an hour
			resp := h.do(req{method: "POST", path: "/_simulator/organizations/default/key/regenerate"})
			wantStatus(t, resp, 200)
		}
		if c := h.sim.Counts(); len(c.Calls) != 0 || len(c.Status) != 0 {
			t.Fatalf("controls were counted: %+v", c)
		}
	})
}

func TestFaultJSONRoundTrip(t *testing.T) {
	f := Fault{Op: OpEdit, Org: "a", Skip: 1, Times: -1, Status: 429, Code: "C", Message: "M", RetryAfter: 1500 * time.Millisecond,
		Drop: true, Latency: time.Minute, AfterApply: true, ExpireSession: true, Body: "b", BodyRepeat: 2, ContentType: "text/plain"}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"retryAfter":"1.5s"`) || !strings.Contains(string(b), `"latency":"1m0s"`) {
		t.Fatalf("durations are not Go duration strings: %s", b)
	}
	var back Fault
	if err := json.Unmarshal(b, &back); err != nil || back != f {
		t.Fatalf("round trip: %+v, %v (json %s)", back, err, b)
	}
}

package simulator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestFaultMatchSkipTimes(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "a"}, {Name: "b"}}})
	a, b := h.sim.Organization("a"), h.sim.Organization("b")
	ida, idb := h.login(a), h.login(b)
	status := func(id string) int { return h.legacy("GET", "/auth", "", id).status }

	h.sim.InjectFault(Fault{Op: OpSessionStatus, Org: "b", Skip: 1, Times: 2, Status: 503})
	for range 3 {
		if s := status(ida); s != 200 {
			t.Fatalf("organization a got %d from b's fault", s)
		}
	}
	if got := []int{status(idb), status(idb), status(idb), status(idb)}; fmt.Sprint(got) != "[200 503 503 200]" {
		t.Fatalf("b with Skip 1, Times 2: %v", got)
	}
	if n := len(h.sim.PendingFaults()); n != 0 {
		t.Fatalf("%d faults pending after use", n)
	}

	// Op must match too.
	h.sim.InjectFault(Fault{Op: OpList, Status: 500})
	wantStatus(t, h.legacy("GET", "/auth", "", ida), 200)
	wantError(t, h.legacy("GET", "/apiKeys", "", ida), 500, "INTERNAL_ERROR")

	// Times 0 is once; Times -1 is until cleared.
	h.sim.InjectFault(Fault{Status: 502})
	wantError(t, h.legacy("GET", "/auth", "", ida), 502, "BAD_GATEWAY")
	wantStatus(t, h.legacy("GET", "/auth", "", ida), 200)
	h.sim.InjectFault(Fault{Op: OpSessionStatus, Times: -1, Status: 503})
	for range 5 {
		wantError(t, h.legacy("GET", "/auth", "", idb), 503, "SERVICE_UNAVAILABLE")
	}
	if p := h.sim.PendingFaults(); len(p) != 1 || p[0].Times != -1 {
		t.Fatalf("pending = %v", p)
	}
	h.sim.ClearFaults()
	wantStatus(t, h.legacy("GET", "/auth", "", idb), 200)

	// One fault per request: the earliest injected.
	h.sim.InjectFault(Fault{Op: OpSessionStatus, Status: 502})
	h.sim.InjectFault(Fault{Op: OpSessionStatus, Status: 504})
	wantStatus(t, h.legacy("GET", "/auth", "", ida), 502)
	wantStatus(t, h.legacy("GET", "/auth", "", ida), 504)
	wantStatus(t, h.legacy("GET", "/auth", "", ida), 200)

	if c := h.sim.Counts(); c.Faults != 11 {
		t.Fatalf("Faults counted = %d, want 11", c.Faults)
	}
	if c := b.Counts(); c.Faults != 7 {
		t.Fatalf("faults counted for b = %d, want 7", c.Faults)
	}
}

func TestFaultStatusShapes(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	id, tok := h.login(org), h.token(org)

	h.sim.InjectFault(Fault{Op: OpSessionStatus, Status: 409})
	wantError(t, h.legacy("GET", "/auth", "", id), 409, "EDIT_LOCK_NOT_AVAILABLE")

	h.sim.InjectFault(Fault{Status: 401})
	wantError(t, h.oneapi("GET", "/apiKeys", "", tok), 401, "INVALID_TOKEN")
	h.sim.InjectFault(Fault{Status: 401})
	wantError(t, h.legacy("GET", "/auth", "", id), 401, "SESSION_NOT_VALID")

	h.sim.InjectFault(Fault{Status: 403, Code: "LIMIT_EXCEEDED", Message: "Too many keys"})
	e := wantError(t, h.legacy("GET", "/auth", "", id), 403, "LIMIT_EXCEEDED")
	if e.Message != "Too many keys" {
		t.Fatalf("message = %q", e.Message)
	}

	h.sim.InjectFault(Fault{Status: 503, RetryAfter: 3 * time.Second, ContentType: "application/problem+json"})
	resp := h.legacy("GET", "/auth", "", id)
	if resp.status != 503 || resp.header.Get("Retry-After") != "3" || resp.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("503 with RetryAfter and ContentType: %v %v", resp, resp.header)
	}

	h.sim.InjectFault(Fault{Status: 429, RetryAfter: 7*time.Second + 900*time.Millisecond})
	resp = h.legacy("GET", "/auth", "", id)
	wantStatus(t, resp, 429)
	if string(resp.body) != `{"message":"Rate Limit (1/SECOND) exceeded","Retry-After":"7 seconds"}` || resp.header.Get("Retry-After") != "7" {
		t.Fatalf("injected 429: %s (header %q)", resp.body, resp.header.Get("Retry-After"))
	}
	h.sim.InjectFault(Fault{Status: 429, Message: "Rate Limit (400/HOUR) exceeded"})
	resp = h.legacy("GET", "/auth", "", id)
	if string(resp.body) != `{"message":"Rate Limit (400/HOUR) exceeded","Retry-After":"0 seconds"}` || resp.header.Get("Retry-After") != "" {
		t.Fatalf("injected 429 without RetryAfter: %s (header %q)", resp.body, resp.header.Get("Retry-After"))
	}
	if c := h.sim.Counts(); c.RateLimited != 0 || c.Faults != 7 {
		t.Fatalf("injected 429s counted as RateLimited=%d, Faults=%d", c.RateLimited, c.Faults)
	}
}

func TestFaultOnLoginAndToken(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "a"}, {Name: "b"}}})
	a, b := h.sim.Organization("a"), h.sim.Organization("b")

	h.sim.InjectFault(Fault{Op: OpLogin, Org: "b", Status: 503})
	wantStatus(t, h.loginResp(a), 200)
	wantError(t, h.loginResp(b), 503, "SERVICE_UNAVAILABLE")
	wantStatus(t, h.loginResp(b), 200)

	h.sim.InjectFault(Fault{Op: OpToken, Org: "a", Status: 401})
	wantStatus(t, h.tokenResp(secretForm(b)), 200)
	wantOAuthError(t, h.tokenResp(secretForm(a)), 401, "invalid_client")
	h.sim.InjectFault(Fault{Op: OpToken, Status: 503})
	wantOAuthError(t, h.tokenResp(secretForm(a)), 503, "temporarily_unavailable")
	h.sim.InjectFault(Fault{Op: OpToken, Status: 500, Code: "server_error", Message: "boom"})
	wantOAuthError(t, h.tokenResp(secretForm(a)), 500, "server_error")
	wantStatus(t, h.tokenResp(secretForm(a)), 200)

	// A login that names no known organization matches only faults without Org.
	h.sim.InjectFault(Fault{Op: OpLogin, Org: "a", Status: 503})
	resp := h.do(req{method: "POST", path: "/api/v1/auth", body: "{", headers: []string{"Content-Type", "application/json"}})
	wantError(t, resp, 400, "INVALID_INPUT_ARGUMENT")
	if n := len(h.sim.PendingFaults()); n != 1 {
		t.Fatalf("the fault for a was used by a login naming nobody")
	}
	h.sim.ClearFaults()

	// A token request names its organization by client_id.
	h.sim.InjectFault(Fault{Op: OpToken, Org: "b", Status: 503})
	f := secretForm(a)
	f.Set("client_id", b.Config().ClientID)
	wantOAuthError(t, h.tokenResp(f), 503, "temporarily_unavailable")
}

func TestFaultDropLatencyAbandon(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	id := h.login(org)
	k, _ := org.Key()

	// Drop is tested on a POST: Go's transport quietly retries an idempotent request
	// whose reused connection closes without an answer.
	h.sim.InjectFault(Fault{Op: OpLogin, Drop: true})
	cfg := org.Config()
	if resp, err := h.send(req{method: "POST", path: "/api/v1/auth", body: h.loginBody(cfg.Username, cfg.Password, k.Value, 0),
		headers: []string{"Content-Type", "application/json"}}); err == nil {
		t.Fatalf("dropped request was answered: %v", resp)
	}

	// A fault latency longer than the client waits: the client gives up, and the write
	// never happens because the simulator abandons it.
	h.sim.InjectFault(Fault{Op: OpRegenerate, Latency: time.Hour})
	err := h.abandon(req{method: "POST", path: fmt.Sprintf("/api/v1/apiKeys/%d/regenerate", k.ID), body: "{}",
		headers: []string{"Cookie", "JSESSIONID=" + id, "Content-Type", "application/json"}})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("slow regenerate: %v, want the client's cancel", err)
	}
	waitFor(func() bool { return !h.editLocked(org) })
	if cur, _ := org.Key(); cur.Value != k.Value {
		t.Fatal("the abandoned regenerate changed the key")
	}

	// A short fault latency just delays.
	h.sim.InjectFault(Fault{Op: OpSessionStatus, Latency: time.Millisecond})
	wantStatus(t, h.legacy("GET", "/auth", "", id), 200)

	c := h.sim.Counts()
	if c.Calls[OpLogin] != 2 || c.Calls[OpSessionStatus] != 1 || c.Status[200] != 2 || c.Calls[OpRegenerate] != 1 || c.OK[OpRegenerate] != 0 || c.Faults != 3 {
		t.Fatalf("counts = %+v", c)
	}
	for st, n := range c.Status {
		if st != 200 {
			t.Fatalf("unanswered requests counted a status: %d x%d", st, n)
		}
	}
}

func TestFaultAfterApply(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	id := h.login(org)
	regen := func() (response, error) {
		k, _ := org.Key()
		h.sim.Advance(time.Second)
		return h.send(req{method: "POST", path: fmt.Sprintf("/api/v1/apiKeys/%d/regenerate", k.ID), body: "{}",
			headers: []string{"Cookie", "JSESSIONID=" + id, "Content-Type", "application/json"}})
	}

	before, _ := org.Key()
	h.sim.InjectFault(Fault{Op: OpRegenerate, AfterApply: true, Status: 503})
	resp, err := regen()
	if err != nil || resp.status != 503 {
		t.Fatalf("AfterApply 503: %v %v", resp, err)
	}
	after, _ := org.Key()
	if after.Value == before.Value {
		t.Fatal("AfterApply: the write did not happen")
	}

	h.sim.InjectFault(Fault{Op: OpRegenerate, AfterApply: true, Drop: true})
	if _, err := regen(); err == nil {
		t.Fatal("AfterApply Drop: answered")
	}
	if again, _ := org.Key(); again.Value == after.Value {
		t.Fatal("AfterApply Drop: the write did not happen")
	}

	h.sim.InjectFault(Fault{Op: OpRegenerate, AfterApply: true, Body: `{"id":`})
	resp, err = regen()
	if err != nil || resp.status != 200 || string(resp.body) != `{"id":` {
		t.Fatalf("AfterApply Body: %v %v", resp, err)
	}
	if c := h.sim.Counts(); c.OK[OpRegenerate] != 1 || c.Status[503] != 1 || c.Calls[OpRegenerate] != 3 {
		t.Fatalf("counts = %+v", c)
	}
}

func TestFaultExpireSession(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()

	id := h.login(org)
	h.sim.InjectFault(Fault{Op: OpList, ExpireSession: true})
	wantError(t, h.legacy("GET", "/apiKeys", "", id), 401, "SESSION_NOT_VALID")
	wantError(t, h.legacy("GET", "/auth", "", id), 401, "SESSION_NOT_VALID")

	// Another live session on the same request still authenticates it.
	stale, live := h.login(org), h.login(org)
	h.sim.InjectFault(Fault{Op: OpSessionStatus, ExpireSession: true})
	resp := h.do(req{method: "GET", path: "/api/v1/auth", headers: []string{"Cookie", "JSESSIONID=" + stale + "; JSESSIONID=" + live}})
	wantStatus(t, resp, 200)
	wantError(t, h.legacy("GET", "/auth", "", stale), 401, "SESSION_NOT_VALID")
	wantStatus(t, h.legacy("GET", "/auth", "", live), 200)

	tok := h.token(org)
	h.sim.InjectFault(Fault{Op: OpList, ExpireSession: true})
	wantError(t, h.oneapi("GET", "/apiKeys", "", tok), 401, "INVALID_TOKEN")
	wantError(t, h.oneapi("GET", "/apiKeys", "", tok), 401, "INVALID_TOKEN")

	// AfterApply: the write happens, the answer is real, and the session ends after it.
	id = h.login(org)
	k, _ := org.Key()
	h.sim.InjectFault(Fault{Op: OpRegenerate, ExpireSession: true, AfterApply: true})
	wantStatus(t, h.legacy("POST", fmt.Sprintf("/apiKeys/%d/regenerate", k.ID), "{}", id), 200)
	if cur, _ := org.Key(); cur.Value == k.Value {
		t.Fatal("the write did not happen")
	}
	wantError(t, h.legacy("GET", "/auth", "", id), 401, "SESSION_NOT_VALID")

	// With a Status as well, the session ends and the status answers.
	id = h.login(org)
	h.sim.InjectFault(Fault{Op: OpSessionStatus, ExpireSession: true, Status: 503})
	wantError(t, h.legacy("GET", "/auth", "", id), 503, "SERVICE_UNAVAILABLE")
	wantError(t, h.legacy("GET", "/auth", "", id), 401, "SESSION_NOT_VALID")
}

func TestFaultBody(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	id := h.login(org)

	h.sim.InjectFault(Fault{Op: OpList, Status: 502, Body: "<html>busy</html>", BodyRepeat: 3, ContentType: "text/html"})
	resp := h.legacy("GET", "/apiKeys", "", id)
	if resp.status != 502 || string(resp.body) != strings.Repeat("<html>busy</html>", 3) || resp.header.Get("Content-Type") != "text/html" {
		t.Fatalf("hostile body: %v %v", resp, resp.header)
	}
	h.sim.InjectFault(Fault{Op: OpList, Body: `[{"id":1,"keyValue":`})
	resp = h.legacy("GET", "/apiKeys", "", id)
	if resp.status != 200 || string(resp.body) != `[{"id":1,"keyValue":` || resp.header.Get("Content-Type") != "application/json" {
		t.Fatalf("truncated body: %v %v", resp, resp.header)
	}
	h.sim.InjectFault(Fault{Op: OpList, Body: strings.Repeat("x", 1024), BodyRepeat: 1024})
	h.sim.Advance(time.Second)
	resp = h.legacy("GET", "/apiKeys", "", id)
	if resp.status != 200 || len(resp.body) != 1<<20 {
		t.Fatalf("large body: %d, %d bytes", resp.status, len(resp.body))
	}
}

func TestFaultString(t *testing.T) {
	s := Fault{Op: OpList, Org: "a", Status: 503, Drop: true, Latency: time.Second, Body: "secret-looking body"}.String()
	if strings.Contains(s, "secret-looking") || !strings.Contains(s, "Op:list") || !strings.Contains(s, "Status:503") {
		t.Fatalf("Fault.String() = %s", s)
	}
}

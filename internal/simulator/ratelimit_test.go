package simulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestRateLimitListPerSecond(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "a"}, {Name: "b"}}})
	a, b := h.sim.Organization("a"), h.sim.Organization("b")
	id := h.login(a)
	wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 200)
	wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 200)

	resp := h.legacy("GET", "/apiKeys", "", id)
	wantStatus(t, resp, 429)
	if string(resp.body) != `{"message":"Rate Limit (2/SECOND) exceeded","Retry-After":"1 seconds"}` {
		t.Fatalf("429 body = %s", resp.body)
	}
	if ct := resp.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("429 Content-Type = %q", ct)
	}
	if v := resp.header.Get("Retry-After"); v != "" {
		t.Fatalf("first 429 carries Retry-After %q; the header comes on every second one", v)
	}
	resp = h.legacy("GET", "/apiKeys", "", id)
	wantStatus(t, resp, 429)
	if v := resp.header.Get("Retry-After"); v != "1" {
		t.Fatalf("second 429 Retry-After header = %q, want 1", v)
	}

	// Another organization has its own windows.
	wantStatus(t, h.legacy("GET", "/apiKeys", "", h.login(b)), 200)

	h.sim.Advance(500 * time.Millisecond)
	resp = h.legacy("GET", "/apiKeys", "", id)
	wantStatus(t, resp, 429)
	if string(resp.body) != `{"message":"Rate Limit (2/SECOND) exceeded","Retry-After":"0 seconds"}` {
		t.Fatalf("429 body half a second later = %s", resp.body)
	}
	h.sim.Advance(500 * time.Millisecond)
	// The 429s took no slot: two calls pass again.
	wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 200)
	wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 200)
	wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 429)

	if c := a.Counts(); c.RateLimited != 4 || c.Status[429] != 4 || c.OK[OpList] != 4 {
		t.Fatalf("counts of a = %+v", c)
	}
	if c := h.sim.Counts(); c.RateLimited != 4 {
		t.Fatalf("simulator RateLimited = %d", c.RateLimited)
	}
}

func TestRateLimitWritesPerOp(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	id := h.login(org)
	k, _ := org.Key()
	regen := fmt.Sprintf("/apiKeys/%d/regenerate", k.ID)
	wantStatus(t, h.legacy("POST", regen, "{}", id), 200)
	resp := h.legacy("POST", regen, "{}", id)
	wantStatus(t, resp, 429)
	if string(resp.body) != `{"message":"Rate Limit (1/SECOND) exceeded","Retry-After":"1 seconds"}` {
		t.Fatalf("429 body = %s", resp.body)
	}
	// Edit has a window of its own.
	wantStatus(t, h.legacy("PUT", fmt.Sprintf("/apiKeys/%d", k.ID), `{"keyValue":"Zz9Yy8Xx7Ww6"}`, id), 200)
	wantStatus(t, h.legacy("PUT", fmt.Sprintf("/apiKeys/%d", k.ID), `{"keyValue":"Zz9Yy8Xx7Ww7"}`, id), 429)
	// Login, token and session calls are not limited.
	for range 5 {
		wantStatus(t, h.loginResp(org), 200)
		h.token(org)
		wantStatus(t, h.legacy("GET", "/auth", "", id), 200)
	}
	h.sim.Advance(time.Second)
	wantStatus(t, h.legacy("POST", regen, "{}", id), 200)
}

func TestRateLimitDelete(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	del := func() response {
		k, ok := org.Key()
		if !ok {
			k, _ = org.AddKey()
		}
		// A fresh session each time: the clock jumps past the idle timeout below.
		return h.legacy("DELETE", fmt.Sprintf("/apiKeys/%d", k.ID), "", h.login(org))
	}
	wantStatus(t, del(), 204)
	resp := del()
	wantStatus(t, resp, 429)
	if string(resp.body) != `{"message":"Rate Limit (1/MINUTE) exceeded","Retry-After":"60 seconds"}` {
		t.Fatalf("429 body = %s", resp.body)
	}
	h.sim.Advance(45 * time.Second)
	resp = del()
	if string(resp.body) != `{"message":"Rate Limit (1/MINUTE) exceeded","Retry-After":"15 seconds"}` || resp.header.Get("Retry-After") != "15" {
		t.Fatalf("429 45 s later = %s (header %q)", resp.body, resp.header.Get("Retry-After"))
	}
	for range 3 {
		h.sim.Advance(time.Minute)
		wantStatus(t, del(), 204)
	}
	// Four deletes within the hour: the fifth waits for the first to leave the hour.
	h.sim.Advance(time.Minute)
	resp = del()
	wantStatus(t, resp, 429)
	elapsed := 45*time.Second + 4*time.Minute
	want := fmt.Sprintf(`{"message":"Rate Limit (4/HOUR) exceeded","Retry-After":"%d seconds"}`, int((time.Hour-elapsed)/time.Second))
	if string(resp.body) != want {
		t.Fatalf("429 body = %s, want %s", resp.body, want)
	}
	h.sim.Advance(time.Hour - elapsed)
	wantStatus(t, del(), 204)
}

func TestRateLimitListPerHour(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	id := h.login(org)
	// Served in-process to keep a thousand calls cheap; one call a second.
	list := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/api/v1/apiKeys", nil)
		r.Header.Set("Cookie", "JSESSIONID="+id)
		w := httptest.NewRecorder()
		h.sim.ServeHTTP(w, r)
		return w
	}
	for i := range 1000 {
		h.sim.Advance(time.Second)
		if w := list(); w.Code != http.StatusOK {
			t.Fatalf("call %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	h.sim.Advance(time.Second)
	w := list()
	// The first call was 1000 s ago: its slot frees in 2600 s.
	if w.Code != 429 || w.Body.String() != `{"message":"Rate Limit (1000/HOUR) exceeded","Retry-After":"2600 seconds"}` {
		t.Fatalf("call 1001: %d %s", w.Code, w.Body)
	}
	h.sim.Advance(2600 * time.Second)
	id = h.login(org) // the session ended during the jump
	if w := list(); w.Code != http.StatusOK {
		t.Fatalf("after the hour: %d %s", w.Code, w.Body)
	}
}

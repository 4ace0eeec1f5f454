package simulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds; go test -timeout is the only clock.
func waitFor(cond func() bool) {
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}

func (h *harness) editLocked(o *Organization) bool {
	h.sim.mu.Lock()
	defer h.sim.mu.Unlock()
	return o.editLocked
}

// holdEditLock starts a regenerate of o that holds o's edit lock until release is
// called; the regenerate is then abandoned without changing anything.
func (h *harness) holdEditLock(o *Organization, session string) (release func()) {
	h.t.Helper()
	k, _ := o.Key()
	h.sim.InjectFault(Fault{Op: OpRegenerate, Org: o.Name(), Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	r, _ := http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("%s/api/v1/apiKeys/%d/regenerate", h.url, k.ID), strings.NewReader("{}"))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Cookie", "JSESSIONID="+session)
	done := make(chan error, 1)
	go func() {
		resp, err := h.hc.Do(r)
		if err == nil {
			_ = resp.Body.Close()
			err = fmt.Errorf("the held regenerate was answered %d", resp.StatusCode)
		}
		done <- err
	}()
	waitFor(func() bool { return h.editLocked(o) })
	return func() {
		cancel()
		if err := <-done; err == nil || !strings.Contains(err.Error(), "context canceled") {
			h.t.Errorf("held regenerate: %v, want a canceled request", err)
		}
		waitFor(func() bool { return !h.editLocked(o) })
	}
}

func TestEditLock(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "a"}, {Name: "b"}}})
	a, b := h.sim.Organization("a"), h.sim.Organization("b")
	id := h.login(a)
	before, _ := a.Key()

	release := h.holdEditLock(a, id)
	path := fmt.Sprintf("/apiKeys/%d", before.ID)
	wantError(t, h.legacy("PUT", path, `{"keyValue":"Zz9Yy8Xx7Ww6"}`, id), 409, "EDIT_LOCK_NOT_AVAILABLE")
	wantError(t, h.legacy("POST", "/apiKeys", "{}", id), 409, "EDIT_LOCK_NOT_AVAILABLE")
	wantError(t, h.legacy("DELETE", path, "", id), 409, "EDIT_LOCK_NOT_AVAILABLE")
	h.sim.Advance(time.Second) // a new second for the edit window
	wantError(t, h.oneapi("PUT", path, `{"keyValue":"Zz9Yy8Xx7Ww6"}`, h.token(a)), 409, "EDIT_LOCK_NOT_AVAILABLE")
	// Reads take no lock, and another organization has its own.
	wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 200)
	bk, _ := b.Key()
	wantStatus(t, h.legacy("POST", fmt.Sprintf("/apiKeys/%d/regenerate", bk.ID), "{}", h.login(b)), 200)
	release()

	if after, _ := a.Key(); after.Value != before.Value {
		t.Fatal("the abandoned regenerate changed the key")
	}
	// The OneAPI edit above took this second's edit slot (it was admitted, then refused by the lock).
	wantStatus(t, h.legacy("PUT", path, `{"keyValue":"Zz9Yy8Xx7Ww6"}`, id), 429)
	h.sim.Advance(time.Second)
	wantStatus(t, h.legacy("PUT", path, `{"keyValue":"Zz9Yy8Xx7Ww6"}`, id), 200)
	wantStatus(t, h.legacy("POST", path+"/regenerate", "{}", id), 200)
}

func TestEditLockConcurrentSameOp(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	id := h.login(org)
	k, _ := org.Key()
	release := h.holdEditLock(org, id)
	defer release()

	// With the lock held and the clock still, the one edit the limiter admits meets
	// the lock; every other one meets the limiter.
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/apiKeys/%d", h.url, k.ID), strings.NewReader(`{"keyValue":"Zz9Yy8Xx7Ww6"}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Cookie", "JSESSIONID="+id)
			resp, err := h.hc.Do(r)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[409] != 1 || statuses[429] != 19 {
		t.Fatalf("statuses = %v, want one 409 and nineteen 429", statuses)
	}
}

// TestConcurrentTraffic drives several organizations from many goroutines while the
// clock moves, and checks that every answer is one the API gives and that the counts add up.
func TestConcurrentTraffic(t *testing.T) {
	var cfgs []OrgConfig
	for i := range 5 {
		cfgs = append(cfgs, OrgConfig{Name: fmt.Sprintf("org%d", i)})
	}
	h := newHarness(t, Options{Organizations: cfgs})
	h.sim.SetLatency(time.Millisecond)
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent := 0
	bad := []string{}
	for _, o := range h.sim.Organizations() {
		tok := h.token(o)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 15 {
					k, ok := o.Key()
					var method, path, body string
					switch (w + i) % 5 {
					case 0:
						method, path = "GET", "/apiKeys"
					case 1:
						method, path, body = "POST", fmt.Sprintf("/apiKeys/%d/regenerate", k.ID), "{}"
					case 2:
						method, path, body = "PUT", fmt.Sprintf("/apiKeys/%d", k.ID), fmt.Sprintf(`{"keyValue":"Zz9Yy8Xx7W%02d"}`, w*15+i)
					case 3:
						method, path = "DELETE", fmt.Sprintf("/apiKeys/%d", k.ID)
					case 4:
						method, path, body = "POST", "/apiKeys", "{}"
					}
					h.sim.Advance(100 * time.Millisecond)
					r, _ := http.NewRequest(method, h.url+"/ztw/api/v1"+path, strings.NewReader(body))
					r.Header.Set("Authorization", "Bearer "+tok)
					if body != "" {
						r.Header.Set("Content-Type", "application/json")
					}
					resp, err := h.hc.Do(r)
					if err != nil {
						t.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					mu.Lock()
					sent++
					switch resp.StatusCode {
					case 200, 204, 409, 429:
					case 400, 404: // a key deleted, added or edited under our feet
					default:
						bad = append(bad, fmt.Sprintf("%s %s (had key %t): %d", method, path, ok, resp.StatusCode))
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	h.sim.SetLatency(0)
	if len(bad) > 0 {
		t.Fatalf("unexpected answers: %v", bad)
	}
	c := h.sim.Counts()
	calls, statuses := 0, 0
	for op, n := range c.Calls {
		if op != OpToken {
			calls += n
		}
	}
	for _, n := range c.Status {
		statuses += n
	}
	if calls != sent || statuses != sent+len(h.sim.Organizations()) {
		t.Fatalf("counted %d calls and %d answers, sent %d (+%d tokens)", calls, statuses, sent, len(h.sim.Organizations()))
	}
	for _, o := range h.sim.Organizations() {
		if h.editLocked(o) {
			t.Fatalf("%s left locked", o.Name())
		}
	}
}

package client

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// waitRecorder replaces the client's pause: it records each wait and
// returns at once, so that tests of long waits never sleep; with sleep set
// it waits too, for a server that keeps time.
type waitRecorder struct {
	sleep bool
	mu    sync.Mutex
	waits []time.Duration
}

func (r *waitRecorder) pause(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	if r.sleep {
		return timerPause(ctx, d)
	}
	return nil
}

// recordWaits makes c record its waits.
func recordWaits(c *Client, sleep bool) *waitRecorder {
	r := &waitRecorder{sleep: sleep}
	c.pause = r.pause
	return r
}

func (r *waitRecorder) all() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// TestEditLockBacksOffGrowing: with the default timing, each wait after a
// 409 lies between half and all of 0.5 s doubled per retry, capped at 8 s.
func TestEditLockBacksOffGrowing(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		writeJSON(w, 409, `{"code":"EDIT_LOCK_NOT_AVAILABLE","message":"locked"}`)
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 6 })
	c.timing = defaultTiming
	rec := &waitRecorder{}
	c.pause = rec.pause
	_, err := c.EditAPIKey(t.Context(), 3, "NewValue1234")
	if !errors.Is(err, ErrEditLocked) {
		t.Fatalf("err = %v, want ErrEditLocked", err)
	}
	waits := rec.all()
	caps := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	if len(waits) != len(caps) {
		t.Fatalf("waits %v, want %d", waits, len(caps))
	}
	for i, d := range waits {
		if d < caps[i]/2 || d > caps[i] {
			t.Errorf("wait %d is %s, want between %s and %s", i+1, d, caps[i]/2, caps[i])
		}
	}
	if n := f.count("PUT", "/api/v1/apiKeys/3"); n != 7 {
		t.Fatalf("%d edits, want 7", n)
	}
}

// TestDefaultTransportHasNoTimeoutOfItsOwn: only the request timeout bounds
// a request; a transport timeout would cut a longer request_timeout short.
func TestDefaultTransportHasNoTimeoutOfItsOwn(t *testing.T) {
	t.Parallel()
	c, err := New(Config{BaseURL: "https://connector.zscaler.net/api/v1", Username: fakeUser, Password: fakePassword, APIKey: fakeKey,
		RequestTimeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.http.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport %T", c.http.Transport)
	}
	if tr.ResponseHeaderTimeout != 0 || tr.TLSHandshakeTimeout != 0 || c.http.Timeout != 0 {
		t.Fatalf("fixed timeouts: header %s, TLS %s, client %s", tr.ResponseHeaderTimeout, tr.TLSHandshakeTimeout, c.http.Timeout)
	}
}

// TestShortPaceWaitsAreSleptWhateverTheTimeout: a per-second limit's wait
// (about a second) is slept through even with a shorter request timeout.
func TestShortPaceWaitsAreSleptWhateverTheTimeout(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) { writeJSON(w, 200, "[]") })
	c := f.legacyClient(func(cfg *Config) { cfg.DisablePacing, cfg.RequestTimeout = false, 500*time.Millisecond })
	clock := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	var waits []time.Duration
	c.pause = func(_ context.Context, d time.Duration) error { // the fake clock moves by the wait
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(d)
		waits = append(waits, d)
		return nil
	}
	ctx := t.Context()
	for range 3 {
		if _, _, err := c.OrganizationKey(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(waits) != 1 || waits[0] != time.Second+paceMargin {
		t.Fatalf("waits %v: want one pace wait of a second and the margin", waits)
	}
}

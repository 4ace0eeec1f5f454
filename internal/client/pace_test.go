package client

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNextSlot(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	list := rateLimits[OpList]
	del := rateLimits[OpDelete]
	for _, tc := range []struct {
		name    string
		sent    []time.Time
		blocked time.Time
		windows []rateWindow
		now     time.Time
		want    time.Time
		limit   rateWindow
	}{
		{"empty history: now", nil, time.Time{}, list, at(0), at(0), rateWindow{}},
		{"one list in the second: now", []time.Time{at(0)}, time.Time{}, list, at(100 * time.Millisecond), at(100 * time.Millisecond), rateWindow{}},
		{"two lists in the second: wait for the older", []time.Time{at(0), at(200 * time.Millisecond)}, time.Time{}, list, at(300 * time.Millisecond), at(time.Second + paceMargin), list[0]},
		{"two lists long ago: now", []time.Time{at(0), at(time.Millisecond)}, time.Time{}, list, at(5 * time.Second), at(5 * time.Second), rateWindow{}},
		{"a 429 pushed the slot", nil, at(3 * time.Second), list, at(0), at(3 * time.Second), rateWindow{}},
		{"delete: one a minute", []time.Time{at(0)}, time.Time{}, del, at(time.Second), at(time.Minute + paceMargin), del[0]},
		{"delete: four an hour", []time.Time{at(0), at(2 * time.Minute), at(4 * time.Minute), at(6 * time.Minute)}, time.Time{}, del, at(8 * time.Minute), at(time.Hour + paceMargin), del[1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, limit := nextSlot(tc.sent, tc.blocked, tc.windows, tc.now)
			if !got.Equal(tc.want) || limit != tc.limit {
				t.Fatalf("nextSlot = +%s by %v, want +%s by %v", got.Sub(t0), limit, tc.want.Sub(t0), tc.limit)
			}
		})
	}
}

func TestNextSlotHourlyListLimit(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	sent := make([]time.Time, 1000)
	for i := range sent {
		sent[i] = t0.Add(time.Duration(i) * 3 * time.Second) // 1000 lists over 50 minutes
	}
	now := sent[999].Add(3 * time.Second)
	want := t0.Add(time.Hour + paceMargin) // the first of the thousand must leave the hour
	if got, _ := nextSlot(sent, time.Time{}, rateLimits[OpList], now); !got.Equal(want) {
		t.Fatalf("nextSlot = +%s, want +%s", got.Sub(t0), want.Sub(t0))
	}
}

func TestPacerRecordsForgetsAndBlocks(t *testing.T) {
	var slept []time.Duration
	p := newPacer(time.Now, func(ctx context.Context, op string, d time.Duration, reason string) error {
		slept = append(slept, d)
		return context.Canceled // stop at the first wait, so the test never sleeps
	}, time.Minute)
	ctx := t.Context()
	// regenerate allows one a second: the first is free, the second must wait
	s, err := p.acquire(ctx, OpRegenerate)
	if err != nil {
		t.Fatal(err)
	}
	first := time.Now()
	s.sent(first)
	if _, err := p.acquire(ctx, OpRegenerate); err == nil || len(slept) != 1 {
		t.Fatalf("second regenerate did not wait (err %v, waits %v)", err, slept)
	}
	// a 401'd send is forgotten: the next one is free again
	p.forget(OpRegenerate, first)
	s, err = p.acquire(ctx, OpRegenerate)
	if err != nil {
		t.Fatalf("after forget the lane should be free: %v", err)
	}
	s.abandon()
	// a 429 pushes the slot; an hour is beyond the longest wait: no sleep, an error
	p.block(OpRegenerate, time.Now().Add(time.Hour))
	slept = nil
	if _, err := p.acquire(ctx, OpRegenerate); !errors.Is(err, ErrPaceLimit) || len(slept) != 0 ||
		!strings.Contains(err.Error(), "the API answered 429 (rate limit) and asked to wait") {
		t.Fatalf("blocked lane: err %v, waits %v; want ErrPaceLimit at once", err, slept)
	}
	// ops without limits and a nil pacer never wait
	if _, err := p.acquire(ctx, OpLogin); err != nil {
		t.Fatal(err)
	}
	var none *pacer
	s, err = none.acquire(ctx, OpList)
	if err != nil {
		t.Fatal(err)
	}
	s.sent(time.Now())
}

// TestPaceWaitBeyondTheBoundFailsAtOnce: four deletes in the last hour hold
// the fifth back for most of an hour. The client does not sleep through that:
// it fails before sending anything, with the limit and the time the delete is
// allowed again.
func TestPaceWaitBeyondTheBoundFailsAtOnce(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		ago     []time.Duration // deletes before now
		says    string
		allowed time.Time
	}{
		{"four an hour", []time.Duration{50 * time.Minute, 30 * time.Minute, 20 * time.Minute, 10 * time.Minute},
			"delete: not sent: the API allows 4 deletes an hour; the next is allowed at 2025-06-01T12:10:01Z (in 11 minutes)",
			now.Add(10*time.Minute + time.Second)},
		{"one a minute", []time.Duration{10 * time.Second},
			"delete: not sent: the API allows 1 delete a minute; the next is allowed at 2025-06-01T12:00:51Z (in 51 seconds)",
			now.Add(51 * time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t)
			c := f.legacyClient(func(cfg *Config) { cfg.DisablePacing, cfg.MaxRetries, cfg.RequestTimeout = false, 3, 30*time.Second })
			c.now = func() time.Time { return now }
			rec := &waitRecorder{}
			c.pause = rec.pause
			lane := c.pace.lane(OpDelete)
			for _, ago := range tc.ago {
				lane.sent = append(lane.sent, now.Add(-ago))
			}
			err := c.DeleteAPIKey(t.Context(), 7)
			var pe *paceLimitError
			if !errors.Is(err, ErrPaceLimit) || !errors.As(err, &pe) || err.Error() != tc.says+": run the command again then" {
				t.Fatalf("err = %v, want ErrPaceLimit saying %q", err, tc.says)
			}
			if !pe.Until.Equal(tc.allowed) {
				t.Fatalf("allowed at %s, want %s", pe.Until, tc.allowed)
			}
			if waits := rec.all(); len(waits) != 0 || len(f.allCalls()) != 0 {
				t.Fatalf("waits %v, %d requests: want no wait and nothing sent", waits, len(f.allCalls()))
			}
		})
	}
}

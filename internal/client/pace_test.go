package client

import (
	"context"
	"os"
	"path/filepath"
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
	}{
		{"empty history: now", nil, time.Time{}, list, at(0), at(0)},
		{"one list in the second: now", []time.Time{at(0)}, time.Time{}, list, at(100 * time.Millisecond), at(100 * time.Millisecond)},
		{"two lists in the second: wait for the older", []time.Time{at(0), at(200 * time.Millisecond)}, time.Time{}, list, at(300 * time.Millisecond), at(time.Second + paceMargin)},
		{"two lists long ago: now", []time.Time{at(0), at(time.Millisecond)}, time.Time{}, list, at(5 * time.Second), at(5 * time.Second)},
		{"a 429 pushed the slot", nil, at(3 * time.Second), list, at(0), at(3 * time.Second)},
		{"delete: one a minute", []time.Time{at(0)}, time.Time{}, del, at(time.Second), at(time.Minute + paceMargin)},
		{"delete: four an hour", []time.Time{at(0), at(2 * time.Minute), at(4 * time.Minute), at(6 * time.Minute)}, time.Time{}, del, at(8 * time.Minute), at(time.Hour + paceMargin)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextSlot(tc.sent, tc.blocked, tc.windows, tc.now); !got.Equal(tc.want) {
				t.Fatalf("nextSlot = +%s, want +%s", got.Sub(t0), tc.want.Sub(t0))
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
	if got := nextSlot(sent, time.Time{}, rateLimits[OpList], now); !got.Equal(want) {
		t.Fatalf("nextSlot = +%s, want +%s", got.Sub(t0), want.Sub(t0))
	}
}

func TestPacerRecordsForgetsAndBlocks(t *testing.T) {
	var slept []time.Duration
	p := newPacer(func(ctx context.Context, op string, d time.Duration, reason string) error {
		slept = append(slept, d)
		return context.Canceled // stop at the first wait, so the test never sleeps
	})
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
	// a 429 pushes the slot
	p.block(OpRegenerate, time.Now().Add(time.Hour))
	slept = nil
	if _, err := p.acquire(ctx, OpRegenerate); err == nil || len(slept) != 1 || slept[0] < 59*time.Minute {
		t.Fatalf("blocked lane did not wait about an hour (waits %v)", slept)
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

func TestPaceLedger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "pace.json")
	l := &paceLedger{path: path}
	now := time.Now()
	if got := l.read(OpEdit, now, time.Hour); len(got) != 0 {
		t.Fatalf("no file: %v", got)
	}
	l.record(OpEdit, now.Add(-2*time.Hour), ledgerSpans) // older than any window
	l.record(OpEdit, now, ledgerSpans)
	l.record(OpList, now, ledgerSpans)
	if got := l.read(OpEdit, now, time.Hour); len(got) != 1 || !got[0].Equal(now) {
		t.Fatalf("edit moments %v, want only the recent one", got)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := l.read(OpEdit, now, time.Hour); len(got) != 0 {
		t.Fatalf("a damaged file must read as empty, got %v", got)
	}
	l.record(OpEdit, now, ledgerSpans) // and is replaced whole
	if got := l.read(OpEdit, now, time.Hour); len(got) != 1 {
		t.Fatalf("after a damaged file: %v", got)
	}
}

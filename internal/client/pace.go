package client

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// rateWindow is one documented limit: at most n requests in any span d
// (per, in words).
type rateWindow struct {
	n   int
	d   time.Duration
	per string
}

var (
	perSecond = rateWindow{d: time.Second, per: "a second"}
	perMinute = rateWindow{d: time.Minute, per: "a minute"}
	perHour   = rateWindow{d: time.Hour, per: "an hour"}
)

// times is n requests in the span of w.
func times(n int, w rateWindow) rateWindow { w.n = n; return w }

// rateLimits are the contract's per-op limits.
var rateLimits = map[string][]rateWindow{
	OpList:       {times(2, perSecond), times(1000, perHour)},
	OpRegenerate: {times(1, perSecond), times(400, perHour)},
	OpAdd:        {times(1, perSecond), times(400, perHour)},
	OpEdit:       {times(1, perSecond), times(400, perHour)},
	OpDelete:     {times(1, perMinute), times(4, perHour)},
}

// paceMargin is added to every window. Requests are stamped when their
// answer arrives (see send), which already keeps them a window apart at the
// server; the margin only absorbs timer and clock granularity.
const paceMargin = 25 * time.Millisecond

// pacer spaces the requests of each op so that they stay within the
// documented limits. One lane per op: its holder waits for the next slot,
// sends, and records the moment its answer arrived.
type pacer struct {
	mu    sync.Mutex
	lanes map[string]*lane // made at an op's first use: a plan lists, and needs no other
	now   func() time.Time
	sleep func(ctx context.Context, op string, d time.Duration, reason string) error
	// maxWait is the longest wait that is slept through; a slot further off
	// fails at once with ErrPaceLimit, which says when to come back.
	maxWait time.Duration
}

type lane struct {
	windows []rateWindow
	sem     chan struct{} // held from the wait for a slot until the send

	mu           sync.Mutex
	sent         []time.Time // send times, oldest first; as many as the largest window needs
	blockedUntil time.Time   // pushed by a 429
}

func newPacer(now func() time.Time, sleep func(ctx context.Context, op string, d time.Duration, reason string) error, maxWait time.Duration) *pacer {
	return &pacer{lanes: map[string]*lane{}, now: now, sleep: sleep, maxWait: maxWait}
}

// lane returns op's lane, made on first use; nil for an op without limits.
func (p *pacer) lane(op string) *lane {
	windows, limited := rateLimits[op]
	if p == nil || !limited {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.lanes[op]
	if l == nil {
		l = &lane{windows: windows, sem: make(chan struct{}, 1)}
		p.lanes[op] = l
	}
	return l
}

// paceSlot is a permission to send one request of an op.
type paceSlot struct{ l *lane }

// acquire waits, honouring ctx, until a request of op may be sent. The
// caller must call sent or abandon on the slot exactly once. A nil pacer or
// an op without limits gives a slot that does nothing. A slot further off
// than maxWait, or than ctx's deadline, is an error at once.
func (p *pacer) acquire(ctx context.Context, op string) (paceSlot, error) {
	l := p.lane(op)
	if l == nil {
		return paceSlot{}, nil
	}
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return paceSlot{}, ctx.Err()
	}
	for {
		now := p.now()
		l.mu.Lock()
		next, limit := nextSlot(l.sent, l.blockedUntil, l.windows, now)
		l.mu.Unlock()
		wait := next.Sub(now)
		if wait <= 0 {
			return paceSlot{l: l}, nil
		}
		deadline, hasDeadline := ctx.Deadline()
		if wait > p.maxWait || (hasDeadline && time.Until(deadline) < wait) {
			<-l.sem
			return paceSlot{}, newPaceLimitError(op, limit, next, now)
		}
		// the loop re-reads the lane: a 429 may have pushed it meanwhile
		if err := p.sleep(ctx, op, wait, "pace"); err != nil {
			<-l.sem
			return paceSlot{}, err
		}
	}
}

// sent records the request's moment (when its answer arrived) and frees the lane.
func (s paceSlot) sent(t time.Time) {
	if s.l == nil {
		return
	}
	s.l.mu.Lock()
	s.l.sent = append(s.l.sent, t)
	if keep := slices.MaxFunc(s.l.windows, func(a, b rateWindow) int { return a.n - b.n }).n; len(s.l.sent) > keep {
		s.l.sent = append(s.l.sent[:0], s.l.sent[len(s.l.sent)-keep:]...)
	}
	s.l.mu.Unlock()
	<-s.l.sem
}

// abandon frees the lane without recording a request.
func (s paceSlot) abandon() {
	if s.l != nil {
		<-s.l.sem
	}
}

// forget removes a send recorded at t: the server turned the request away
// before its rate limiter (a 401), so it does not use up a slot.
func (p *pacer) forget(op string, t time.Time) {
	l := p.lane(op)
	if l == nil {
		return
	}
	l.mu.Lock()
	if i := slices.IndexFunc(l.sent, t.Equal); i >= 0 {
		l.sent = slices.Delete(l.sent, i, i+1)
	}
	l.mu.Unlock()
}

// block pushes op's next slot to at least until (after a 429).
func (p *pacer) block(op string, until time.Time) {
	l := p.lane(op)
	if l == nil {
		return
	}
	l.mu.Lock()
	if until.After(l.blockedUntil) {
		l.blockedUntil = until
	}
	l.mu.Unlock()
}

// nextSlot is the earliest time, not before now, at which one more request
// keeps every window within its limit given the earlier send times, and the
// window that sets it (the zero window when it is now, or a 429's block).
func nextSlot(sent []time.Time, blockedUntil time.Time, windows []rateWindow, now time.Time) (time.Time, rateWindow) {
	next, limit := now, rateWindow{}
	if blockedUntil.After(next) {
		next = blockedUntil
	}
	for _, w := range windows {
		if len(sent) >= w.n {
			// the n-th most recent request must have left the window
			if t := sent[len(sent)-w.n].Add(w.d + paceMargin); t.After(next) {
				next, limit = t, w
			}
		}
	}
	return next, limit
}

// paceLimitError is a request not sent because the documented limit lets
// the next one through only later than the client would wait.
type paceLimitError struct {
	msg   string
	Until time.Time
}

func (e *paceLimitError) Error() string        { return e.msg }
func (e *paceLimitError) Is(target error) bool { return target == ErrPaceLimit }

// newPaceLimitError names the limit (or the server's 429) and when the
// request is allowed again, as a UTC time and as a span from now.
func newPaceLimitError(op string, limit rateWindow, until, now time.Time) error {
	// whole seconds, rounded up, so that the time said is never too early
	at := until.UTC().Truncate(time.Second)
	if at.Before(until) {
		at = at.Add(time.Second)
	}
	why := "the API answered 429 (rate limit) and asked to wait"
	if limit.n == 1 {
		why = fmt.Sprintf("the API allows 1 %s %s", op, limit.per)
	} else if limit.n > 1 {
		why = fmt.Sprintf("the API allows %d %ss %s", limit.n, op, limit.per)
	}
	return &paceLimitError{
		msg: fmt.Sprintf("%s: not sent: %s; the next is allowed at %s (in %s): run the command again then",
			op, why, at.Format(time.RFC3339), inWords(at.Sub(now))),
		Until: at,
	}
}

// inWords is a span rounded up: seconds below two minutes, minutes above.
func inWords(d time.Duration) string {
	if d < 2*time.Minute {
		return plural(int((d+time.Second-1)/time.Second), "second")
	}
	return plural(int((d+time.Minute-1)/time.Minute), "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

package client

import (
	"bytes"
	"context"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

// paceLedger shares the pace between processes. Terraform starts a provider
// process for every walk (plan, apply, refresh), each with a client of its
// own, so a client alone cannot know that the previous process edited the
// key a moment ago. The ledger is a small text file of recent request
// moments, one line per request: "<op> <Unix nanoseconds>".
//
// The file is opened once per client, without following a link and without
// blocking (see openLedgerFile), and read then. After each request the
// client sends, it is read again and rewritten in place under an exclusive
// flock: no temp file that a crash could leave behind, and no moment lost to
// a concurrent writer. Any trouble with the file leaves the client pacing
// its own requests only; the API's 429 and the retry cover the rest.
type paceLedger struct {
	path string
	log  func(ctx context.Context, msg string, fields map[string]any)

	mu      sync.Mutex
	opened  bool     // the open was tried (once per client)
	f       *os.File // nil: the file is not used
	moments map[string][]time.Time
}

// maxLedgerBytes bounds what is read of the file: an hour of lists at the
// documented limit takes about 25 KB.
const maxLedgerBytes = 256 << 10

// ledgerLockTries and ledgerLockWait bound the wait for another process's
// flock: holders keep it for one read and one write, so a lock held longer
// belongs to a stopped process, and this client then paces alone.
const (
	ledgerLockTries = 20
	ledgerLockWait  = 5 * time.Millisecond
)

// read returns the moments recorded for op within span before now, as the
// file held them when last read.
func (l *paceLedger) read(ctx context.Context, op string, now time.Time, span time.Duration) []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open(ctx)
	var out []time.Time
	for _, t := range l.moments[op] {
		// a moment far in the future is a clock gone wrong, not a reason to wait
		if t.After(now.Add(-span)) && !t.After(now.Add(time.Minute)) {
			out = append(out, t)
		}
	}
	return out
}

// record adds moment t for op, keeping for every op only the moments within
// its largest window of t.
func (l *paceLedger) record(ctx context.Context, op string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open(ctx)
	if l.f == nil {
		return
	}
	unlock, err := lockFile(l.f, true)
	if err != nil {
		l.log(ctx, "cloudconnector pace file not updated", map[string]any{"path": l.path, "error": err.Error()})
		return
	}
	defer unlock()
	m := parseLedger(readLedger(l.f))
	m[op] = append(m[op], t)
	pruneLedger(m, t)
	out := encodeLedger(m)
	// in place: a crash between the two calls leaves a file that reads as
	// fewer moments, never a stray file
	if _, err := l.f.WriteAt(out, 0); err == nil {
		err = l.f.Truncate(int64(len(out)))
	}
	if err != nil {
		l.log(ctx, "cloudconnector pace file not updated", map[string]any{"path": l.path, "error": err.Error()})
	}
	l.moments = m
}

// open opens the file and reads it, once.
func (l *paceLedger) open(ctx context.Context) {
	if l.opened {
		return
	}
	l.opened = true
	f, err := openLedgerFile(l.path)
	if err != nil {
		l.log(ctx, "cloudconnector pace file not used; pacing this process's requests only",
			map[string]any{"path": l.path, "reason": err.Error()})
		return
	}
	l.f = f
	unlock, err := lockFile(f, false)
	if err != nil {
		l.log(ctx, "cloudconnector pace file not read", map[string]any{"path": l.path, "error": err.Error()})
		return
	}
	l.moments = parseLedger(readLedger(f))
	unlock()
}

// close releases the file; a later request opens it again.
func (l *paceLedger) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		_ = l.f.Close()
	}
	l.f, l.opened, l.moments = nil, false, nil
}

// readLedger reads the whole file from its start; a file larger than the
// cap reads as empty, and the next record replaces it.
func readLedger(f *os.File) []byte {
	data, err := io.ReadAll(io.NewSectionReader(f, 0, maxLedgerBytes+1))
	if err != nil || len(data) > maxLedgerBytes {
		return nil
	}
	return data
}

// parseLedger reads the file's lines. Lines it does not understand (an op it
// does not pace, a damaged number) are skipped: the ledger only helps.
func parseLedger(data []byte) map[string][]time.Time {
	m := map[string][]time.Time{}
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		opName, num, ok := bytes.Cut(line, []byte{' '})
		if !ok {
			continue
		}
		op, known := ledgerOp(opName)
		if !known {
			continue
		}
		ns, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil || ns <= 0 {
			continue
		}
		m[op] = append(m[op], time.Unix(0, ns))
	}
	for op, times := range m {
		m[op] = sortMoments(times)
	}
	return m
}

// ledgerOp returns the paced op named by b, without allocating.
func ledgerOp(b []byte) (string, bool) {
	for op := range rateLimits {
		if string(b) == op {
			return op, true
		}
	}
	return "", false
}

// pruneLedger keeps, for every op, only the moments within its largest
// window of t, oldest first and without repeats.
func pruneLedger(m map[string][]time.Time, t time.Time) {
	for op, times := range m {
		span, ok := ledgerSpans[op]
		if !ok {
			delete(m, op)
			continue
		}
		kept := times[:0]
		for _, x := range times {
			if x.After(t.Add(-span)) {
				kept = append(kept, x)
			}
		}
		m[op] = sortMoments(kept)
	}
}

// encodeLedger writes the moments, ops in name order.
func encodeLedger(m map[string][]time.Time) []byte {
	ops := make([]string, 0, len(m))
	for op := range m {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	var out []byte
	for _, op := range ops {
		for _, t := range m[op] {
			out = append(out, op...)
			out = append(out, ' ')
			out = strconv.AppendInt(out, t.UnixNano(), 10)
			out = append(out, '\n')
		}
	}
	return out
}

func sortMoments(times []time.Time) []time.Time {
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(times, func(a, b time.Time) bool { return a.Equal(b) })
}

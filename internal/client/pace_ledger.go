package client

import (
	"bytes"
	"context"
	"errors"
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
// The file is opened and read once per client, without following a link and
// without blocking (see openLedgerFile). Each request the client sends
// appends one line, under a shared flock; a file that has grown past
// compactLedgerBytes is rewritten in place with only the recent moments,
// under an exclusive one. So there is no temp file that a crash could leave
// behind, and no moment is lost to a concurrent writer. Any trouble with the
// file leaves the client pacing its own requests only; the API's 429 and
// the retry cover the rest.
type paceLedger struct {
	path string
	log  func(ctx context.Context, msg string, fields map[string]any)

	mu      sync.Mutex
	opened  bool     // the open was tried (once per client)
	f       *os.File // nil: the file is not used
	compact bool     // the file was larger than compactLedgerBytes when opened
	torn    bool     // the file did not end with a newline when read (a write cut short)
	moments map[string][]time.Time
}

// maxLedgerBytes bounds what is read of the file; compactLedgerBytes is the
// size from which the next client rewrites it. An hour of every op at its
// documented limit takes about 60 KB.
const (
	maxLedgerBytes     = 256 << 10
	compactLedgerBytes = 64 << 10
)

// ledgerLockTries and ledgerLockWait bound the wait for another process's
// flock: holders keep it for one read or write, so a lock held longer
// belongs to a stopped process, and this client then paces alone.
const (
	ledgerLockTries = 20
	ledgerLockWait  = 5 * time.Millisecond
)

// read returns the moments recorded for op within span before now: those in
// the file when this client opened it, and this client's own.
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

// record adds moment t for op: one line appended to the file, or the whole
// file rewritten when it has grown large.
func (l *paceLedger) record(ctx context.Context, op string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open(ctx)
	l.moments[op] = append(l.moments[op], t)
	pruneLedger(l.moments, t) // a long-lived client keeps only what a window needs
	if l.f == nil {
		return
	}
	var err error
	if l.compact {
		err = l.rewrite(op, t)
		l.compact = err != nil
	} else {
		err = l.appendLine(op, t)
	}
	if err != nil {
		l.log(ctx, "cloudconnector pace file not updated", map[string]any{"path": l.path, "error": err.Error()})
	}
}

func (l *paceLedger) appendLine(op string, t time.Time) error {
	unlock, err := lockFile(l.f, false) // appends do not disturb each other: O_APPEND
	if err != nil {
		return err
	}
	defer unlock()
	line := encodeLedger(map[string][]time.Time{op: {t}})
	if l.torn { // end the cut line first, or it would spoil this one
		line = append([]byte{'\n'}, line...)
	}
	_, err = l.f.Write(line)
	l.torn = l.torn && err != nil
	return err
}

// rewrite replaces the file by its moments within each op's largest window
// of t, and t. Under the exclusive lock no one appends meanwhile.
func (l *paceLedger) rewrite(op string, t time.Time) error {
	unlock, err := lockFile(l.f, true)
	if err != nil {
		return err
	}
	defer unlock()
	info, err := l.f.Stat()
	if err != nil {
		return err
	}
	m := parseLedger(readLedger(l.f, info.Size()))
	m[op] = append(m[op], t)
	pruneLedger(m, t)
	// a crash between the two calls leaves an empty file: fewer moments, never a stray file
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err = l.f.Write(encodeLedger(m))
	return err
}

// open opens the file and reads it, once.
func (l *paceLedger) open(ctx context.Context) {
	if l.opened {
		return
	}
	l.opened = true
	l.moments = map[string][]time.Time{}
	f, size, err := openLedgerFile(l.path)
	if err != nil {
		l.log(ctx, "cloudconnector pace file not used; pacing this process's requests only",
			map[string]any{"path": l.path, "reason": err.Error()})
		return
	}
	l.f = f
	l.compact = size > compactLedgerBytes
	unlock, err := lockFile(f, false)
	if err != nil {
		l.log(ctx, "cloudconnector pace file not read", map[string]any{"path": l.path, "error": err.Error()})
		return
	}
	data := readLedger(f, size)
	unlock()
	l.moments = parseLedger(data)
	l.torn = len(data) > 0 && data[len(data)-1] != '\n'
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

// readLedger reads the file's first size bytes, its size when opened or
// when locked (one read); a file larger than the cap reads as empty.
func readLedger(f *os.File, size int64) []byte {
	if size <= 0 || size > maxLedgerBytes {
		return nil
	}
	buf := make([]byte, size)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) { // EOF: it shrank meanwhile, what was read stands
		return nil
	}
	return buf[:n]
}

// parseLedger reads the file's lines. Lines it does not understand (an op it
// does not pace, a damaged number) are skipped, and so is a last line without
// its newline, which another process may be writing: the ledger only helps.
func parseLedger(data []byte) map[string][]time.Time {
	m := map[string][]time.Time{}
	for len(data) > 0 {
		line, rest, complete := bytes.Cut(data, []byte{'\n'})
		if !complete {
			break
		}
		data = rest
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

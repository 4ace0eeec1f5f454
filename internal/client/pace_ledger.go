package client

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// paceLedger shares the pace between processes. Terraform starts a provider
// process for every walk (plan, apply, refresh), each with a client of its
// own, so a client alone cannot know that the previous process edited the
// key a moment ago. The ledger is a small JSON file of recent request moments
// per op; it is read before each paced request and rewritten after it.
//
// It needs no lock: the file is replaced atomically, and a race between two
// processes at most loses a moment, which the API's 429 and the retry cover.
type paceLedger struct {
	path string
}

// maxLedgerBytes bounds what is read of the file: an hour of lists at the
// documented limit takes about 40 KB.
const maxLedgerBytes = 256 << 10

type ledgerFile struct {
	Ops map[string][]time.Time `json:"ops"`
}

// read returns the moments recorded for op within span before now. Any
// trouble (no file, bad JSON) reads as no moments: the ledger only helps.
func (l *paceLedger) read(op string, now time.Time, span time.Duration) []time.Time {
	f := l.load()
	var out []time.Time
	for _, t := range f.Ops[op] {
		if t.After(now.Add(-span)) && !t.After(now.Add(time.Minute)) {
			out = append(out, t)
		}
	}
	return out
}

func (l *paceLedger) load() ledgerFile {
	var f ledgerFile
	info, err := os.Stat(l.path)
	if err != nil || !info.Mode().IsRegular() || info.Size() > maxLedgerBytes {
		return f
	}
	b, err := os.ReadFile(l.path)
	if err != nil || json.Unmarshal(b, &f) != nil {
		return ledgerFile{}
	}
	return f
}

// record adds moment t for op and keeps, for every op, only the moments
// within span of t (the largest window).
func (l *paceLedger) record(op string, t time.Time, spans map[string]time.Duration) {
	f := l.load()
	if f.Ops == nil {
		f.Ops = map[string][]time.Time{}
	}
	f.Ops[op] = append(f.Ops[op], t)
	for name, times := range f.Ops {
		span, ok := spans[name]
		if !ok {
			delete(f.Ops, name)
			continue
		}
		kept := times[:0]
		for _, m := range times {
			if m.After(t.Add(-span)) {
				kept = append(kept, m)
			}
		}
		slices.SortFunc(kept, func(a, b time.Time) int { return a.Compare(b) })
		f.Ops[name] = slices.CompactFunc(kept, func(a, b time.Time) bool { return a.Equal(b) })
	}
	b, err := json.Marshal(f)
	if err != nil {
		return
	}
	dir := filepath.Dir(l.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".pace-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), l.path) != nil {
		_ = os.Remove(tmp.Name())
	}
}

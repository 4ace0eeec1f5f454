package simulator

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Op says which API call a request is.
type Op string

// The API calls the simulator serves.
const (
	OpLogin         Op = "login"      // POST   /api/v1/auth
	OpSessionStatus Op = "session"    // GET    /api/v1/auth
	OpLogout        Op = "logout"     // DELETE /api/v1/auth
	OpToken         Op = "token"      // POST   /oauth2/v1/token
	OpList          Op = "list"       // GET    {base}/apiKeys
	OpRegenerate    Op = "regenerate" // POST   {base}/apiKeys/{id}/regenerate
	OpAdd           Op = "add"        // POST   {base}/apiKeys            [inferred]
	OpEdit          Op = "edit"       // PUT    {base}/apiKeys/{id}       [inferred]
	OpDelete        Op = "delete"     // DELETE {base}/apiKeys/{id}       [inferred]
)

// isWrite reports whether op changes a key and so holds the organization's edit lock.
func (op Op) isWrite() bool { return op == OpRegenerate || op.inferred() }

// inferred reports whether op is one of the calls the public reference does not show.
func (op Op) inferred() bool { return op == OpAdd || op == OpEdit || op == OpDelete }

// Options configures a Simulator. The zero value is usable.
type Options struct {
	Now           func() time.Time // nil: time.Now. The simulator clock is Now() plus Advance offsets.
	TokenLifetime time.Duration    // 0: 1 hour (expires_in)
	Organizations []OrgConfig      // none: one organization named "default" with generated credentials
}

// Durations the API documents.
const (
	sessionIdleTimeout   = 30 * time.Minute
	defaultTokenLifetime = time.Hour
)

// Simulator is the API in memory. It is an http.Handler; Start serves it on its own
// listener. All methods are safe for concurrent use.
type Simulator struct {
	nowFn     func() time.Time
	tokenLife time.Duration

	offset  atomic.Int64 // clock offset from Advance, nanoseconds
	latency atomic.Int64 // SetLatency, nanoseconds
	waiting atomic.Int64 // requests sleeping in a latency wait now

	mu       sync.Mutex // guards everything below and all Organization state
	orgs     []*Organization
	byName   map[string]*Organization
	byUser   map[string]*Organization // lower-cased username
	byClient map[string]*Organization
	sessions map[string]*session
	tokens   map[string]*token
	faults   []*activeFault
	counts   Counts
	nextID   int64
	root     string
	srv      *http.Server

	closing   chan struct{}
	closeOnce sync.Once
}

type session struct {
	org      *Organization
	lastUsed time.Time
}

type token struct {
	org     *Organization
	expires time.Time
}

// New builds a simulator with the organizations of opts (or one named "default").
func New(opts Options) (*Simulator, error) {
	s := &Simulator{
		nowFn: opts.Now, tokenLife: opts.TokenLifetime,
		byName: map[string]*Organization{}, byUser: map[string]*Organization{}, byClient: map[string]*Organization{},
		sessions: map[string]*session{}, tokens: map[string]*token{},
		counts: newCounts(), nextID: 1000, closing: make(chan struct{}),
	}
	if s.nowFn == nil {
		s.nowFn = time.Now
	}
	if s.tokenLife <= 0 {
		s.tokenLife = defaultTokenLifetime
	}
	cfgs := opts.Organizations
	if len(cfgs) == 0 {
		cfgs = []OrgConfig{{}}
	}
	for _, cfg := range cfgs {
		if _, err := s.AddOrganization(cfg); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Now is the simulator clock: Options.Now plus every Advance so far.
func (s *Simulator) Now() time.Time {
	return s.nowFn().Add(time.Duration(s.offset.Load()))
}

// Advance moves the simulator clock by d. Sessions, tokens, rate-limit windows and
// key timestamps all follow it; latency does not (that is wall time).
func (s *Simulator) Advance(d time.Duration) { s.offset.Add(int64(d)) }

// SetLatency makes every API answer (not control endpoints) wait d of wall time.
func (s *Simulator) SetLatency(d time.Duration) { s.latency.Store(int64(max(d, 0))) }

// Latency is the value last given to SetLatency.
func (s *Simulator) Latency() time.Duration { return time.Duration(s.latency.Load()) }

// ExpireSessions ends every legacy session now and says how many there were.
func (s *Simulator) ExpireSessions() int { return clearLocked(s, s.sessions) }

// ExpireTokens ends every OneAPI token now and says how many there were.
func (s *Simulator) ExpireTokens() int { return clearLocked(s, s.tokens) }

func clearLocked[V any](s *Simulator, m map[string]V) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(m)
	clear(m)
	return n
}

// Start listens on addr ("" means a free loopback port) and serves in the background.
func (s *Simulator) Start(addr string) error {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closing:
		return errors.New("simulator: closed")
	default:
	}
	if s.srv != nil {
		return errors.New("simulator: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.srv, s.root = srv, "http://"+ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// Close ends pending latency waits (those requests get no answer) and, after Start,
// stops the server and its connections.
func (s *Simulator) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// URL is the root the simulator is served at, e.g. http://127.0.0.1:41234.
func (s *Simulator) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.root
}

// LegacyBaseURL is the base of the legacy API: URL()+"/api/v1".
func (s *Simulator) LegacyBaseURL() string { return s.URL() + legacyPrefix }

// OneAPIBaseURL is the base of the OneAPI API: URL()+"/ztw/api/v1".
func (s *Simulator) OneAPIBaseURL() string { return s.URL() + oneAPIPrefix }

// TokenURL is the OneAPI token endpoint: URL()+"/oauth2/v1/token".
func (s *Simulator) TokenURL() string { return s.URL() + oauthEndpoint }

// wait sleeps d of wall time; false means the caller went away or the simulator closed.
func (s *Simulator) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// newID hands out IDs for keys, partners and principals; they are never reused.
// Callers hold s.mu.
func (s *Simulator) newID() int64 {
	s.nextID++
	return s.nextID
}

// Counts are the calls a simulator (or one organization) served.
type Counts struct {
	Calls       map[Op]int  `json:"calls"`       // every request routed to an op, whatever its answer
	OK          map[Op]int  `json:"ok"`          // those answered 2xx
	Status      map[int]int `json:"status"`      // answers by status
	RateLimited int         `json:"rateLimited"` // 429s produced by the rate limiter (not injected)
	Faults      int         `json:"faults"`      // injected faults applied
}

func newCounts() Counts {
	return Counts{Calls: map[Op]int{}, OK: map[Op]int{}, Status: map[int]int{}}
}

func (c Counts) clone() Counts {
	c.Calls, c.OK, c.Status = maps.Clone(c.Calls), maps.Clone(c.OK), maps.Clone(c.Status)
	return c
}

// Counts is a snapshot of the calls served by the whole simulator. Status also
// counts answers to requests that matched no route (404, 405).
func (s *Simulator) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts.clone()
}

// ResetCounts zeroes the counts of the simulator and of every organization.
func (s *Simulator) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = newCounts()
	for _, o := range s.orgs {
		o.counts = newCounts()
	}
}

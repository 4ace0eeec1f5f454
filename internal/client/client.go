// Package client is this provider's client of the Zscaler Cloud & Branch
// Connector API, for the organization's API key: it logs in (legacy session
// or OneAPI token), reads, regenerates, adds, edits and deletes the key,
// retries what is safe to retry, keeps within the documented rate limits,
// and turns the API's answers into typed errors. It imports nothing of
// Terraform, and holds the rules for the values the API takes (rules.go).
package client

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/singleflight"
)

// Client is safe for concurrent use. Make it with New.
type Client struct {
	cfg      Config
	mode     AuthMode
	baseURL  string // without a trailing slash
	tokenURL *url.URL
	http     *http.Client
	ua       string
	timeout  time.Duration // per request
	opTime   time.Duration // per operation, every attempt together
	log      Logger
	pace     *pacer // nil when pacing is off
	timing   timing
	now      func() time.Time // wall clock for login timestamps, token lifetimes and the pace
	// pause waits d or until ctx ends; tests replace it so that they never sleep
	pause func(ctx context.Context, d time.Duration) error

	mu        sync.Mutex
	cred      string    // session ID (legacy) or access token (OneAPI); "" = none
	credGen   uint64    // counts logins, so that one 401 forces one new login
	credUntil time.Time // OneAPI: renew from this moment on
	logins    singleflight.Group
	loginKey  string           // legacy: the key string the next login uses
	proof     string           // the last obfuscated key or JWT sent: redacted like a secret
	seen      map[int64]string // key values seen in answers, only to tell whether a regenerate happened
}

// timing holds the retry waits; tests shorten them.
type timing struct {
	backoffBase time.Duration // first wait after a 5xx or a transport failure
	backoffMax  time.Duration
	lockBase    time.Duration // first wait after a 409 (edit lock)
	lockMax     time.Duration
	jitterMax   time.Duration // added to a server-told wait
}

// The edit lock is held by another admin's change, which takes seconds: its
// waits grow from half a second to 8 s (0.5 + 1 + 2 + 4 + 8 s over five retries).
var defaultTiming = timing{
	backoffBase: 500 * time.Millisecond,
	backoffMax:  10 * time.Second,
	lockBase:    500 * time.Millisecond,
	lockMax:     8 * time.Second,
	jitterMax:   250 * time.Millisecond,
}

// minPaceWaitBound: pace waits up to this long are always slept through,
// whatever the request timeout, so that a per-second limit (a wait of at most
// a second) never fails a request.
const minPaceWaitBound = 2 * time.Second

// New checks the configuration and makes a client. It does no network I/O.
func New(cfg Config) (*Client, error) {
	mode, base, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("client configuration: %w", err)
	}
	timeout := cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout)
	c := &Client{
		cfg:      cfg,
		mode:     mode,
		baseURL:  base,
		http:     httpClient(),
		ua:       cmp.Or(cfg.UserAgent, DefaultUserAgent),
		timeout:  timeout,
		opTime:   cmp.Or(cfg.OperationTimeout, max(DefaultOperationTimeout, timeout)),
		log:      cfg.Logger,
		timing:   defaultTiming,
		now:      time.Now,
		pause:    timerPause,
		loginKey: cfg.APIKey,
		seen:     map[int64]string{},
	}
	if mode == AuthOneAPI {
		token, _ := CheckEndpointURL(cfg.TokenURL) // validated above
		c.tokenURL, _ = url.Parse(token)
	}
	if !cfg.DisablePacing {
		// c.now is read at each use: tests move the client's clock
		c.pace = newPacer(func() time.Time { return c.now() }, c.sleep, max(c.timeout, minPaceWaitBound))
	}
	return c, nil
}

// httpClient returns the client's HTTP client. It has no dial, TLS or header
// timeout of its own: each request's context carries the request timeout,
// which bounds every phase, so that the setting alone decides (a fixed one
// would cut a longer setting short). It never follows redirects: a redirect
// would carry the session header to wherever it points, and turn a POST into a GET.
func httpClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
			IdleConnTimeout:     90 * time.Second, // closes idle pooled connections; bounds no request
			MaxIdleConnsPerHost: 4,
			ForceAttemptHTTP2:   true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// String describes the client without any secret.
func (c *Client) String() string {
	return fmt.Sprintf("client.Client{BaseURL: %q, AuthMode: %s}", c.baseURL, c.mode)
}

// GoString is String, so that %#v cannot print a secret.
func (c *Client) GoString() string { return c.String() }

// call is one API operation as the engine runs it.
type call struct {
	op         string
	method     string
	path       string // relative to the base URL
	query      string
	body       []byte // JSON; nil = no body
	write      bool
	secrets    []string // strings this call sends that an error must not repeat
	maxRetries int
	// verify tells, after a write failed in a way that leaves its outcome
	// open, whether it happened; budget bounds the retries of its own list.
	verify func(ctx context.Context, budget int) (key APIKey, done bool, err error)
}

// response is an HTTP answer, its body read within the caps.
type response struct {
	status      int
	header      http.Header
	contentType string
	body        []byte
	truncated   bool      // the body was longer than the cap
	pacedAt     time.Time // the moment the pace recorded for this request
}

func (r *response) ok() bool { return r.status >= 200 && r.status <= 299 }

// result is what exec gives back: the 2xx answer, or a key that a check
// found after the answer was lost.
type result struct {
	resp     *response
	verified *APIKey
}

// The causes of the two deadlines the client sets, told apart from the
// caller's own; both are context.DeadlineExceeded to errors.Is.
var (
	errRequestTimeout = fmt.Errorf("per-request timeout: %w", context.DeadlineExceeded)
	errOperationTime  = fmt.Errorf("operation time spent: %w", context.DeadlineExceeded)
)

// exec runs a call: login as needed, the pace, retries within the bounds
// (MaxRetries, and the operation time over every attempt and wait).
func (c *Client) exec(ctx context.Context, cl *call) (result, error) {
	start := time.Now()
	callerDeadline, callerHasDeadline := ctx.Deadline()
	ctx, cancel := context.WithTimeoutCause(ctx, c.opTime, errOperationTime)
	defer cancel()
	// whether the operation time, not the caller, ends the call first (a
	// call inside another one, a write's check, runs within its parent's)
	ownBudget := !callerHasDeadline || callerDeadline.After(start.Add(c.opTime))
	retries := 0
	for {
		at := c.attempt(ctx, cl, retries+1)
		if at.err == nil && at.resp.ok() {
			return result{resp: at.resp}, nil
		}
		f := c.classify(ctx, cl, at, retries)
		if f.ambiguous && cl.verify != nil && ctx.Err() != nil {
			// the caller gave up before the client could check what the write did
			return result{}, newOutcomeError(cl.op, f.err, ctx.Err())
		}
		if f.ambiguous && cl.verify != nil {
			key, done, err := cl.verify(ctx, max(cl.maxRetries-retries, 0))
			if err != nil {
				return result{}, newOutcomeError(cl.op, f.err, err)
			}
			if done {
				c.logDebug(ctx, "cloudconnector write confirmed by a list", map[string]any{"op": cl.op, "attempt": retries + 1})
				return result{verified: &key}, nil
			}
		}
		if !f.retry || retries >= cl.maxRetries {
			return result{}, f.err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < f.wait {
			if ownBudget {
				return result{}, fmt.Errorf("%w; gave up after %s: the next would start after the %s an operation may take in all",
					f.err, plural(retries+1, "attempt"), c.opTime)
			}
			return result{}, f.err // the caller's context would end before the retry
		}
		if err := c.sleep(ctx, cl.op, f.wait, f.reason); err != nil {
			return result{}, fmt.Errorf("%s: %w while waiting to try again; last error: %w", cl.op, err, f.err)
		}
		retries++
	}
}

// attemptResult is one try of a call, with its one repeat after a re-login.
type attemptResult struct {
	resp *response
	err  error
	sent bool // the call's own request may have reached the server
}

func (c *Client) attempt(ctx context.Context, cl *call, n int) attemptResult {
	var gen uint64
	for try := 0; ; try++ {
		slot, err := c.pace.acquire(ctx, cl.op)
		if errors.Is(err, ErrPaceLimit) {
			return attemptResult{err: err} // it names the op and the limit
		}
		if err != nil {
			return attemptResult{err: fmt.Errorf("%s: waiting for the pace: %w", cl.op, err)}
		}
		cred, g, err := c.credential(ctx, gen)
		if err != nil {
			slot.abandon()
			return attemptResult{err: err}
		}
		gen = g
		target := c.baseURL + cl.path
		if cl.query != "" {
			target += "?" + cl.query
		}
		ct := ""
		if cl.body != nil {
			ct = "application/json"
		}
		resp, err := c.send(ctx, cl, target, cl.body, ct, c.authHeaders(cred), n, slot)
		if err != nil {
			return attemptResult{err: err, sent: !isDialError(err) && !errors.Is(err, ErrTLS)}
		}
		if resp.status == http.StatusUnauthorized && try == 0 {
			// the session or token ended: log in again and repeat once
			c.pace.forget(cl.op, resp.pacedAt)
			continue
		}
		return attemptResult{resp: resp, sent: true}
	}
}

// failure is how exec treats an unsuccessful attempt.
type failure struct {
	err       error
	retry     bool
	wait      time.Duration
	reason    string
	ambiguous bool // a write may have taken effect
}

func (c *Client) classify(ctx context.Context, cl *call, at attemptResult, retries int) failure {
	if at.err != nil {
		var ae *APIError
		if errors.As(at.err, &ae) { // the login failed; the call itself was not sent
			return c.statusFailure(ae, retries)
		}
		if ctx.Err() != nil && cl.write && at.sent {
			// the caller gave up while the write was on its way
			return failure{err: newOutcomeError(cl.op, at.err, nil)}
		}
		if ctx.Err() != nil {
			return failure{err: at.err}
		}
		// a write that left may have happened, whatever broke afterwards
		return failure{err: at.err, retry: isTransient(at.err), wait: c.backoff(retries), reason: "transport failure",
			ambiguous: cl.write && at.sent}
	}
	ae := c.apiError(cl, at.resp)
	f := c.statusFailure(ae, retries)
	f.ambiguous = cl.write && f.retry && ae.StatusCode >= 500
	return f
}

// statusFailure decides on an API error: 409, 429 and 5xx (not 501) are
// worth another try; retries is how many the call has had.
func (c *Client) statusFailure(ae *APIError, retries int) failure {
	s := ae.StatusCode
	switch {
	case s == http.StatusConflict:
		return failure{err: ae, retry: true, wait: c.growing(c.timing.lockBase, c.timing.lockMax, retries), reason: "edit lock"}
	case s == http.StatusTooManyRequests:
		c.pace.block(ae.Op, c.now().Add(ae.RetryAfter))
		return failure{err: ae, retry: true, wait: c.jitter(ae.RetryAfter, c.timing.jitterMax), reason: "rate limit"}
	case s >= 500 && s != http.StatusNotImplemented:
		return failure{err: ae, retry: true, wait: c.backoff(retries), reason: "server error"}
	}
	return failure{err: ae}
}

// backoff is the wait after a 5xx or a transport failure.
func (c *Client) backoff(retries int) time.Duration {
	return c.growing(c.timing.backoffBase, c.timing.backoffMax, retries)
}

// growing doubles from base with each retry up to limit; half of it is
// random, so that clients that failed together spread out.
func (c *Client) growing(base, limit time.Duration, retries int) time.Duration {
	d := min(base<<min(retries, 20), limit)
	return c.jitter(d/2, d/2)
}

// jitter returns base plus a random part below spread.
func (c *Client) jitter(base, spread time.Duration) time.Duration {
	if spread <= 0 {
		return base
	}
	return base + time.Duration(rand.Int64N(int64(spread))) //nolint:gosec // jitter spreads retries; it guards nothing
}

// isTransient reports transport failures worth another try: resets, EOF, timeouts.
func isTransient(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe") ||
		strings.Contains(msg, "server closed idle connection")
}

// isDialError reports a failure to connect (to the API or to the proxy on
// the way): the request never left.
func isDialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && (oe.Op == "dial" || oe.Op == "proxyconnect")
}

// authHeaders returns the headers that carry a credential.
func (c *Client) authHeaders(cred string) http.Header {
	h := http.Header{}
	if c.mode == AuthOneAPI {
		h.Set("Authorization", "Bearer "+cred)
	} else {
		h.Set("Cookie", "JSESSIONID="+cred)
		h["JSessionID"] = []string{cred} // the header name as the API spells it
	}
	return h
}

// send makes one HTTP request and reads its answer within the caps.
func (c *Client) send(ctx context.Context, cl *call, target string, body []byte, contentType string, extra http.Header, n int, slot paceSlot) (*response, error) {
	actx, cancel := context.WithTimeoutCause(ctx, c.timeout, errRequestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, cl.method, target, rd)
	if err != nil {
		slot.abandon()
		return nil, fmt.Errorf("%s (%s %s): cannot build the request", cl.op, cl.method, cl.path)
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	// The pace counts from the answer, not the send: the server admitted the
	// request before it answered, so the next one, a window after this
	// moment, cannot meet it in the server's window however the network
	// delays either. The lane stays held until then.
	answered := c.now()
	slot.sent(answered)
	fields := map[string]any{"op": cl.op, "method": cl.method, "path": cl.path, "attempt": n}
	if err != nil {
		fields["duration"] = time.Since(start).String()
		fields["error"] = "transport"
		c.logDebug(ctx, "cloudconnector request failed", fields)
		return nil, c.transportError(ctx, actx, cl, target, err)
	}
	defer func() { _ = resp.Body.Close() }()

	limit := int64(maxErrorBody)
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		limit = maxSuccessBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	fields["status"] = resp.StatusCode
	fields["duration"] = time.Since(start).String()
	if err != nil {
		fields["error"] = "reading the body"
		c.logDebug(ctx, "cloudconnector request failed", fields)
		return nil, c.transportError(ctx, actx, cl, target, err)
	}
	c.logDebug(ctx, "cloudconnector request", fields)
	r := &response{status: resp.StatusCode, header: resp.Header, contentType: resp.Header.Get("Content-Type"), body: data, pacedAt: answered}
	if int64(len(data)) > limit {
		r.body, r.truncated = data[:limit], true
	}
	return r, nil
}

// transportError describes a request that got no answer: an unreachable
// endpoint or a silent one (naming the URL), or the caller's cancellation.
func (c *Client) transportError(ctx, actx context.Context, cl *call, target string, err error) error {
	where, _, _ := strings.Cut(target, "?") // the URL holds no secret: New refuses credentials in it
	var desc string
	var kind error
	var ue *url.Error
	switch {
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), errOperationTime):
		kind = ErrTimeout
		desc = fmt.Sprintf("no answer from %s; gave up after %s, the time an operation may take in all", where, c.opTime)
		if isDialError(err) {
			kind = ErrUnreachable
			desc = fmt.Sprintf("cannot reach %s: no connection within %s, the time an operation may take in all", where, c.opTime)
		}
	case ctx.Err() != nil:
		desc = ctx.Err().Error() // the caller's own deadline or cancellation
	case tlsVerifyFailure(err) != nil:
		kind = ErrTLS
		// the reason can quote names from the certificate: not the answer the cut below is for
		reason := strings.ReplaceAll(tlsVerifyFailure(err).Error(), `"`, "'")
		desc = fmt.Sprintf("the TLS certificate of %s is not trusted: %s", where, reason)
	case isDialError(err):
		kind = ErrUnreachable
		desc = fmt.Sprintf("cannot reach %s: %s", where, dialFailure(err, actx, c.timeout))
		if oe := (*net.OpError)(nil); errors.As(err, &oe) && oe.Op == "proxyconnect" {
			desc = fmt.Sprintf("cannot reach %s through the proxy: %s", where, dialFailure(err, actx, c.timeout))
		}
	case errors.Is(context.Cause(actx), errRequestTimeout):
		kind = ErrTimeout
		desc = fmt.Sprintf("no answer from %s within %s (the per-request timeout)", where, c.timeout)
	case errors.As(err, &ue):
		desc = ue.Err.Error() // the URL is long; the path is in the prefix
	default:
		desc = err.Error()
	}
	// net/http quotes what it could not parse (a status line, a body's start):
	// keep its words, not the server's bytes
	if i := strings.IndexByte(desc, '"'); i >= 0 {
		desc = strings.TrimRight(desc[:i], " :") + " (answer not shown)"
	}
	msg := fmt.Sprintf("%s (%s %s): %s", cl.op, cl.method, cl.path, sanitizeText(c.redact(desc, cl.secrets), 400))
	return &TransportError{Op: cl.op, URL: where, msg: msg, kind: kind, cause: err}
}

// tlsVerifyFailure returns the certificate check that failed the TLS
// handshake, or nil.
func tlsVerifyFailure(err error) error {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var hn x509.HostnameError
	switch {
	case errors.As(err, &cv):
		return cv.Err
	case errors.As(err, &ua):
		return ua
	case errors.As(err, &ci):
		return ci
	case errors.As(err, &hn):
		return hn
	}
	return nil
}

// dialFailure says in a few words why no connection was made.
func dialFailure(err error, actx context.Context, timeout time.Duration) string {
	var dns *net.DNSError
	var errno syscall.Errno
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		return "the host name does not resolve (no such host)"
	case errors.As(err, &dns):
		return "the host name could not be looked up (DNS failure)"
	case errors.Is(context.Cause(actx), errRequestTimeout):
		return fmt.Sprintf("no connection within %s (the per-request timeout)", timeout)
	case errors.As(err, &errno):
		return errno.Error() // "connection refused", "no route to host", …
	}
	return "the connection failed"
}

// apiError turns a non-2xx answer into an *APIError.
func (c *Client) apiError(cl *call, r *response) *APIError {
	eb := decodeErrorBody(r.contentType, r.body, r.truncated)
	ae := &APIError{
		Op:         cl.op,
		Method:     cl.method,
		Path:       cl.path,
		StatusCode: r.status,
		Code:       c.redact(eb.Code, cl.secrets),
		Message:    c.redact(eb.Message, cl.secrets),
		bodyNote:   eb.Note,
	}
	if r.status == http.StatusTooManyRequests {
		ae.RetryAfter = parseRetryAfter(r.header.Get("Retry-After"), eb.RetryAfter, time.Now())
	}
	return ae
}

// redact replaces every secret the client knows in s by ***.
func (c *Client) redact(s string, extra []string) string {
	if s == "" {
		return s
	}
	c.mu.Lock()
	secrets := []string{c.cfg.Password, c.cfg.APIKey, c.cfg.ClientSecret, c.loginKey, c.cred, c.proof}
	for _, v := range c.seen {
		secrets = append(secrets, v)
	}
	c.mu.Unlock()
	secrets = append(secrets, extra...)
	// longer first, so that a secret containing another goes whole
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// sleep waits d or until ctx ends, and logs the wait.
func (c *Client) sleep(ctx context.Context, op string, d time.Duration, reason string) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.logDebug(ctx, "cloudconnector wait", map[string]any{"op": op, "wait": d.String(), "reason": reason})
	return c.pause(ctx, d)
}

func timerPause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) logDebug(ctx context.Context, msg string, fields map[string]any) {
	if c.log != nil {
		c.log.Debug(ctx, msg, fields)
	}
}

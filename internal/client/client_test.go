package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestErrorMapping runs every row of the contract's error table through the
// client: the sentinels the error matches, whether it retried, and what it says.
func TestErrorMapping(t *testing.T) {
	t.Parallel()
	all := []error{ErrNotFound, ErrNotSupported, ErrForbidden, ErrKeyDisabled, ErrOneAPIOnly, ErrRateLimited,
		ErrInvalidInput, ErrUnauthorized, ErrLoginRefused, ErrEditLocked, ErrServer, ErrOutcomeUnknown}
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		header   map[string]string
		is       []error
		requests int // list requests the client makes with MaxRetries 2
		says     string
	}{
		{"400 bad request", 400, `{"code":"INVALID_INPUT_ARGUMENT","message":"bad page"}`, nil, []error{ErrInvalidInput}, 1, "HTTP 400 INVALID_INPUT_ARGUMENT: bad page"},
		{"401 twice", 401, `{"code":"SESSION_NOT_VALID","message":"Session is not valid"}`, nil, []error{ErrUnauthorized}, 2, "HTTP 401 SESSION_NOT_VALID"},
		{"403 key disabled", 403, `{"code":"API_KEY_DISABLED","message":"disabled"}`, nil, []error{ErrForbidden, ErrKeyDisabled}, 1, "API_KEY_DISABLED"},
		{"403 no permission", 403, `{"code":"NOT_AUTHORIZED","message":"needs API Key Management"}`, nil, []error{ErrForbidden}, 1, "API Key Management"},
		{"403 OneAPI only", 403, `{"code":"ONLY_ONEAPI_SUPPORTED","message":"use OneAPI"}`, nil, []error{ErrForbidden, ErrOneAPIOnly}, 1, "ONLY_ONEAPI_SUPPORTED"},
		{"403 limit exceeded", 403, `{"code":"LIMIT_EXCEEDED","message":"too many"}`, nil, []error{ErrForbidden}, 1, "LIMIT_EXCEEDED"},
		{"403 maintenance", 403, `{"code":"MAINTENANCE_MODE","message":"down for maintenance"}`, nil, []error{ErrForbidden}, 1, "maintenance"},
		{"404", 404, `{"code":"RESOURCE_NOT_FOUND","message":"no key"}`, nil, []error{ErrNotFound}, 1, "RESOURCE_NOT_FOUND"},
		{"405", 405, `{"code":"METHOD_NOT_ALLOWED","message":"no"}`, nil, []error{ErrNotSupported}, 1, "HTTP 405"},
		{"409 every time", 409, `{"code":"EDIT_LOCK_NOT_AVAILABLE","message":"locked"}`, nil, []error{ErrEditLocked}, 3, "EDIT_LOCK_NOT_AVAILABLE"},
		{"415", 415, `{"code":"UNSUPPORTED_MEDIA_TYPE","message":"json"}`, nil, nil, 1, "HTTP 415"},
		{"500", 500, `{"code":"INTERNAL","message":"boom"}`, nil, []error{ErrServer}, 3, "HTTP 500"},
		{"501", 501, `{"code":"NOT_IMPLEMENTED","message":"no"}`, nil, []error{ErrNotSupported}, 1, "HTTP 501"},
		{"502 HTML page", 502, `<html><body>Bad gateway ` + fakePassword + `</body></html>`, map[string]string{"Content-Type": "text/html"}, []error{ErrServer}, 3, "HTTP 502 Bad Gateway with a text/html body"},
		{"503", 503, `{"code":"SERVICE_UNAVAILABLE","message":"later"}`, nil, []error{ErrServer}, 3, "SERVICE_UNAVAILABLE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t)
			f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
				ct := "application/json"
				for k, v := range tc.header {
					w.Header().Set(k, v)
					if k == "Content-Type" {
						ct = v
					}
				}
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 2 })
			_, _, err := c.OrganizationKey(t.Context())
			if err == nil {
				t.Fatal("no error")
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != tc.status || ae.Op != OpList || ae.Method != "GET" || ae.Path != "/apiKeys" {
				t.Fatalf("error %v is not the APIError of the answer (%#v)", err, ae)
			}
			for _, target := range all {
				want := false
				for _, w := range tc.is {
					want = want || w == target //nolint:errorlint // comparing sentinels, not matching errors
				}
				if errors.Is(err, target) != want {
					t.Errorf("errors.Is(%v, %v) = %t, want %t", err, target, !want, want)
				}
			}
			if n := f.count("GET", "/api/v1/apiKeys"); n != tc.requests {
				t.Errorf("%d list requests, want %d", n, tc.requests)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
			if strings.Contains(err.Error(), "<html") || strings.Contains(err.Error(), fakePassword) {
				t.Errorf("error quotes the body: %v", err)
			}
		})
	}
}

func TestRateLimitedIsRetriedAfterTheToldWait(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	var n atomic.Int32
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if n.Add(1) == 1 {
			writeJSON(w, 429, `{"message":"Rate Limit (2/SECOND) exceeded","Retry-After":"0 seconds"}`)
			return
		}
		writeJSON(w, 200, `[`+keyJSON(1, fakeKey, "")+`]`)
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 1 })
	rec := recordWaits(c, false)
	key, found, err := c.OrganizationKey(t.Context())
	if err != nil || !found || key.ID != 1 {
		t.Fatalf("key %v found %t, err %v", key, found, err)
	}
	if waits, n := rec.all(), f.count("GET", "/api/v1/apiKeys"); len(waits) != 1 || waits[0] < time.Second || n != 2 {
		t.Fatalf("waits %v, %d lists: want one wait of at least 1 s, and the list repeated once", waits, n)
	}
}

func TestRateLimitedGivesUpWithRetryAfter(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Retry-After", "3")
		writeJSON(w, 429, `{"message":"Rate Limit (1/SECOND) exceeded","Retry-After":"2 seconds"}`)
	})
	c := f.legacyClient(nil) // no retries
	_, err := c.RegenerateAPIKey(t.Context(), 5)
	var ae *APIError
	if !errors.As(err, &ae) || !errors.Is(err, ErrRateLimited) || ae.RetryAfter != 3*time.Second {
		t.Fatalf("err %v (%#v): want ErrRateLimited with RetryAfter 3s", err, ae)
	}
	if !strings.Contains(err.Error(), "Rate Limit (1/SECOND) exceeded") {
		t.Fatalf("error lacks the server's message: %v", err)
	}
	// a 429 is "not applied": no check list was made
	if n := f.count("GET", "/api/v1/apiKeys"); n != 0 {
		t.Fatalf("%d lists after a 429", n)
	}
}

func TestRetriesStopAtTheirBound(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 1, 4} {
		t.Run(fmt.Sprint(retries), func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t)
			f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
				writeJSON(w, 503, `{"code":"SERVICE_UNAVAILABLE","message":"later"}`)
			})
			c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = retries })
			err := c.DeleteAPIKey(t.Context(), 9)
			if !errors.Is(err, ErrServer) {
				t.Fatalf("err = %v, want ErrServer", err)
			}
			if n := f.count("DELETE", "/api/v1/apiKeys/9"); n != retries+1 {
				t.Fatalf("%d deletes, want %d", n, retries+1)
			}
		})
	}
}

func TestContextBoundsRetries(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		writeJSON(w, 429, `{"message":"Rate Limit (1/SECOND) exceeded","Retry-After":"3600 seconds"}`)
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 10 })
	// the caller's deadline is what this part tests, not a guard: it is never
	// reached, and it ends before the operation's 90 s would
	ctx, cancelDeadline := context.WithDeadline(t.Context(), time.Now().Add(80*time.Second))
	defer cancelDeadline()
	_, _, err := c.OrganizationKey(ctx)
	// the hour's wait would outlast the context: the client gives up at once
	if !errors.Is(err, ErrRateLimited) || strings.Contains(err.Error(), "gave up after") || ctx.Err() != nil {
		t.Fatalf("err %v, ctx %v: want ErrRateLimited before the context ends", err, ctx.Err())
	}
	if n := f.count("GET", "/api/v1/apiKeys"); n != 1 {
		t.Fatalf("%d lists, want 1", n)
	}

	// a cancelled context during a retry wait ends the call with its cause
	g := newFakeAPI(t)
	g.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		writeJSON(w, 429, `{"message":"Rate Limit (1/SECOND) exceeded","Retry-After":"30 seconds"}`)
	})
	cctx, cancel := context.WithCancel(t.Context())
	// cancelled once the 429 is in: the client is then in its wait, however busy the machine
	c2 := g.legacyClient(func(cfg *Config) {
		cfg.MaxRetries = 10
		cfg.Logger = loggerFunc(func(_ string, fields map[string]any) {
			if fields["status"] == 429 {
				cancel()
			}
		})
	})
	_, _, err = c2.OrganizationKey(cctx)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err %v: want context.Canceled and ErrRateLimited", err)
	}
}

func TestSessionEndsBetweenCalls(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		writeJSON(w, 200, `[`+keyJSON(1, fakeKey, "")+`]`)
	})
	c := f.legacyClient(nil)
	ctx := t.Context()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	f.endSessions()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatalf("second list after the session ended: %v", err)
	}
	if f.loginCount() != 2 {
		t.Fatalf("%d logins, want 2", f.loginCount())
	}
	// list, then the 401'd list and its one repeat
	if n := f.count("GET", "/api/v1/apiKeys"); n != 3 {
		t.Fatalf("%d lists, want 3", n)
	}
}

func TestTokenEndsBetweenCalls(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	c := f.oneAPIClient(nil)
	ctx := t.Context()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	if f.loginCount() != 1 {
		t.Fatalf("token not reused: %d token requests", f.loginCount())
	}
	f.endSessions()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatalf("list after the token ended: %v", err)
	}
	if f.loginCount() != 2 {
		t.Fatalf("%d token requests, want 2", f.loginCount())
	}
}

func TestTokenRenewedBeforeItExpires(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.expiresIn = 60
	c := f.oneAPIClient(nil)
	clock := time.Now()
	var mu sync.Mutex
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	ctx := t.Context()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	clock = clock.Add(50 * time.Second) // 10 s left: more than the renewal margin (a tenth: 6 s)
	mu.Unlock()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	if f.loginCount() != 1 {
		t.Fatalf("renewed too early: %d token requests", f.loginCount())
	}
	mu.Lock()
	clock = clock.Add(5 * time.Second) // 5 s left of 60: inside the margin (6 s)
	mu.Unlock()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	if f.loginCount() != 2 {
		t.Fatalf("not renewed before expiry: %d token requests", f.loginCount())
	}
	// no 401 was needed for the renewal
	if n := f.count("GET", "/ztw/api/v1/apiKeys"); n != 3 {
		t.Fatalf("%d lists, want 3", n)
	}
}

func TestSecondUnauthorizedAfterReloginIsFinal(t *testing.T) {
	t.Parallel()
	for _, mode := range []AuthMode{AuthLegacy, AuthOneAPI} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t)
			f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
				writeJSON(w, 401, `{"code":"SESSION_NOT_VALID","message":"Session is not valid"}`)
			})
			c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 3 })
			if mode == AuthOneAPI {
				c = f.oneAPIClient(func(cfg *Config) { cfg.MaxRetries = 3 })
			}
			_, err := c.EditAPIKey(t.Context(), 5, "NewValue1234")
			if !errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrLoginRefused) {
				t.Fatalf("err = %v, want ErrUnauthorized only", err)
			}
			if f.loginCount() != 2 {
				t.Fatalf("%d logins, want 2 (the first and one re-login)", f.loginCount())
			}
			if n := f.count("PUT", ""); n != 2 {
				t.Fatalf("%d PUTs, want 2 (the call and its one repeat)", n)
			}
			if n := f.count("GET", ""); n != 0 {
				t.Fatalf("%d lists: a 401 means not applied, no check is needed", n)
			}
		})
	}
}

func TestLoginRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mode   AuthMode
		status int
		body   string
		is     []error
	}{
		{"legacy wrong password", AuthLegacy, 400, `{"code":"INVALID_USERNAME_OR_PASSWORD","message":"Invalid email or password"}`, []error{ErrLoginRefused, ErrInvalidInput}},
		{"legacy OneAPI only", AuthLegacy, 403, `{"code":"ONLY_ONEAPI_SUPPORTED","message":"Only OneAPI is supported"}`, []error{ErrForbidden, ErrOneAPIOnly}},
		{"legacy key disabled", AuthLegacy, 403, `{"code":"API_KEY_DISABLED","message":"disabled"}`, []error{ErrForbidden, ErrKeyDisabled}},
		{"token invalid client", AuthOneAPI, 401, `{"error":"invalid_client","error_description":"Client authentication failed"}`, []error{ErrLoginRefused, ErrUnauthorized}},
		{"token invalid request", AuthOneAPI, 400, `{"error":"invalid_request","error_description":"bad"}`, []error{ErrLoginRefused, ErrInvalidInput}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t)
			f.loginStatus, f.loginBody = tc.status, tc.body
			c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 3 })
			op := OpLogin
			if tc.mode == AuthOneAPI {
				c = f.oneAPIClient(func(cfg *Config) { cfg.MaxRetries = 3 })
				op = OpToken
			}
			_, _, err := c.OrganizationKey(t.Context())
			var ae *APIError
			if !errors.As(err, &ae) || ae.Op != op || ae.StatusCode != tc.status {
				t.Fatalf("err %v: want the %s APIError", err, op)
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("not %v: %v", target, err)
				}
			}
			if f.loginCount() != 1 {
				t.Fatalf("%d logins: a refused login is not retried", f.loginCount())
			}
			if n := f.count("GET", ""); n != 0 {
				t.Fatalf("%d lists sent without a login", n)
			}
		})
	}
}

func TestServerErrorOnLoginIsRetried(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.loginStatus, f.loginBody = 503, `{"code":"SERVICE_UNAVAILABLE","message":"later"}`
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.AddAPIKey(t.Context())
	if !errors.Is(err, ErrServer) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v: want ErrServer, and the add was never sent so its outcome is known", err)
	}
	if f.loginCount() != 3 || f.count("POST", "/api/v1/apiKeys") != 0 || f.count("GET", "") != 0 {
		t.Fatalf("logins %d, adds %d, lists %d", f.loginCount(), f.count("POST", "/api/v1/apiKeys"), f.count("GET", ""))
	}
}

func TestConcurrentFirstCallsShareOneLogin(t *testing.T) {
	t.Parallel()
	for _, mode := range []AuthMode{AuthLegacy, AuthOneAPI} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t)
			c := f.legacyClient(nil)
			if mode == AuthOneAPI {
				c = f.oneAPIClient(nil)
			}
			ctx := t.Context()
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for range 16 {
				wg.Go(func() {
					_, _, err := c.OrganizationKey(ctx)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if f.loginCount() != 1 {
				t.Fatalf("%d logins for 16 concurrent first calls, want 1", f.loginCount())
			}
		})
	}
}

func TestConcurrentCallsShareAFailedLogin(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.loginStatus, f.loginBody = 400, `{"code":"INVALID_USERNAME_OR_PASSWORD","message":"Invalid email or password"}`
	// a slow login makes the callers overlap
	inner := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/auth" {
			time.Sleep(100 * time.Millisecond)
		}
		inner.ServeHTTP(w, r)
	})
	c := f.legacyClient(nil)
	ctx := t.Context()
	var wg sync.WaitGroup
	var refused atomic.Int32
	for range 8 {
		wg.Go(func() {
			if _, _, err := c.OrganizationKey(ctx); errors.Is(err, ErrLoginRefused) {
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	if refused.Load() != 8 {
		t.Fatalf("%d of 8 calls saw the refused login", refused.Load())
	}
	// repeated failed logins can lock an account: the waiting callers share the failure
	if f.loginCount() > 2 {
		t.Fatalf("%d logins for 8 concurrent calls", f.loginCount())
	}
}

// TestLoginSurvivesItsLeadingCallerGivingUp: two calls share a login; the
// one that runs it gives up. The login fails for that caller alone: the
// other logs in again and goes on.
func TestLoginSurvivesItsLeadingCallerGivingUp(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	// the first login is held until its caller gives up; later ones go through
	var held atomic.Bool
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == "/api/v1/auth" && held.CompareAndSwap(false, true) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := f.legacyClient(nil)
	c.http.Transport = hc.Transport
	leading, cancel := context.WithCancel(t.Context())
	first := make(chan error, 1)
	go func() {
		_, _, err := c.OrganizationKey(leading)
		first <- err
	}()
	for !held.Load() { // the first caller's login is in flight
		runtime.Gosched()
	}
	second := make(chan error, 1)
	go func() {
		_, _, err := c.OrganizationKey(t.Context())
		second <- err
	}()
	waitingInCredential(c, 2) // both wait for the one login
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("the caller that gave up: %v, want context.Canceled", err)
	}
	if err := <-second; err != nil {
		t.Fatalf("the other caller: %v, want its own login to go through", err)
	}
	if f.loginCount() != 1 {
		t.Fatalf("%d logins reached the server, want 1", f.loginCount())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// waitingInCredential returns once n goroutines wait in c.credential: the
// go test timeout is the only bound.
func waitingInCredential(c *Client, n int) {
	frame := fmt.Sprintf("client.(*Client).credential(%p,", c)
	buf := make([]byte, 1<<20)
	for {
		stacks := string(buf[:runtime.Stack(buf, true)])
		if strings.Count(stacks, frame) >= n {
			return
		}
		runtime.Gosched()
	}
}

func TestOrganizationKey(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	store := &keyStore{}
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.URL.Query().Get("includePartnerKey") != "" {
			t.Errorf("OrganizationKey asked for partner keys")
		}
		writeJSON(w, 200, store.listJSON())
	})
	c := f.legacyClient(nil)
	ctx := t.Context()
	if _, found, err := c.OrganizationKey(ctx); err != nil || found {
		t.Fatalf("empty organization: found %t, err %v", found, err)
	}
	store.set(44, "OrgKeyValue1")
	k, found, err := c.OrganizationKey(ctx)
	if err != nil || !found || k.ID != 44 || k.Value != "OrgKeyValue1" {
		t.Fatalf("got %v found %t err %v", k, found, err)
	}
	if n := f.count("GET", ""); n != 2 {
		t.Fatalf("%d lists for two calls", n)
	}
}

func TestRequestShape(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, 200, `[`+keyJSON(3, fakeKey, "")+`]`)
		case http.MethodDelete:
			w.WriteHeader(204)
		default:
			writeJSON(w, 200, keyJSON(3, "Other1234567", ""))
		}
	})
	c := f.legacyClient(func(cfg *Config) { cfg.UserAgent = "test-agent/1" })
	ctx := t.Context()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegenerateAPIKey(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddAPIKey(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EditAPIKey(ctx, 3, "NewValue1234"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAPIKey(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	want := []struct{ method, path, query, body string }{
		{"POST", "/api/v1/auth", "", ""},
		{"GET", "/api/v1/apiKeys", "page=1&pageSize=1000", ""},
		{"POST", "/api/v1/apiKeys/3/regenerate", "", "{}"},
		{"POST", "/api/v1/apiKeys", "", "{}"},
		{"PUT", "/api/v1/apiKeys/3", "", `{"keyValue":"NewValue1234"}`},
		{"DELETE", "/api/v1/apiKeys/3", "", ""},
		{"DELETE", "/api/v1/auth", "", ""},
	}
	calls := f.allCalls()
	if len(calls) != len(want) {
		t.Fatalf("%d requests, want %d: %v", len(calls), len(want), calls)
	}
	for i, w := range want {
		cl := calls[i]
		if cl.Method != w.method || cl.Path != w.path || cl.Query != w.query || (w.body != "" && cl.Body != w.body) {
			t.Errorf("request %d: %s %s?%s %s, want %s %s?%s %s", i, cl.Method, cl.Path, cl.Query, cl.Body, w.method, w.path, w.query, w.body)
		}
		if ua := cl.Header.Get("User-Agent"); ua != "test-agent/1" {
			t.Errorf("request %d: User-Agent %q", i, ua)
		}
		if cl.Body != "" && cl.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %d: Content-Type %q", i, cl.Header.Get("Content-Type"))
		}
		if i > 0 {
			if cl.Header.Get("Cookie") != "JSESSIONID=sess1" || cl.Header.Get("JSessionID") != "sess1" {
				t.Errorf("request %d: session headers %q %q", i, cl.Header.Get("Cookie"), cl.Header.Get("JSessionID"))
			}
		}
	}
	// the login body: four string fields, the key obfuscated with the timestamp sent
	login := calls[0].Body
	for _, field := range []string{`"apiKey":"`, `"username":"` + fakeUser + `"`, `"password":"`, `"timestamp":"`} {
		if !strings.Contains(login, field) {
			t.Errorf("login body lacks %s", field)
		}
	}
	if strings.Contains(login, fakeKey) {
		t.Error("login body carries the key in clear")
	}
	if calls[0].Header.Get("Cookie") != "" {
		t.Error("login carries a cookie")
	}
}

func TestDefaultUserAgentAndBearer(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	c := f.oneAPIClient(nil)
	ctx := t.Context()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	calls := f.allCalls()
	if len(calls) != 2 {
		t.Fatalf("%d requests (Close must not call anything in OneAPI mode): %v", len(calls), calls)
	}
	tok := calls[0]
	form, _ := parseForm([]byte(tok.Body))
	if tok.Path != "/oauth2/v1/token" || tok.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
		form.Get("grant_type") != "client_credentials" || form.Get("client_id") != fakeClientID ||
		form.Get("client_secret") != fakeSecret || form.Get("audience") != OneAPIAudience {
		t.Fatalf("token request %+v", tok)
	}
	if got := calls[1].Header.Get("Authorization"); got != "Bearer tok1" {
		t.Fatalf("Authorization %q", got)
	}
	for _, cl := range calls {
		if cl.Header.Get("User-Agent") != DefaultUserAgent {
			t.Fatalf("User-Agent %q", cl.Header.Get("User-Agent"))
		}
	}
}

func TestPrivateKeyLogin(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	key := testRSAKey(t)
	f.publicKey = &key.PublicKey
	c := f.oneAPIClient(func(cfg *Config) { cfg.ClientSecret, cfg.PrivateKey = "", key })
	if _, _, err := c.OrganizationKey(t.Context()); err != nil {
		t.Fatalf("list with a private-key JWT login: %v", err)
	}
	form, _ := parseForm([]byte(f.allCalls()[0].Body))
	if form.Get("client_secret") != "" || form.Get("client_assertion_type") != clientAssertionType {
		t.Fatalf("token form %v", form)
	}
}

func TestUnexpectedTokenAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, ct, body string }{
		{"HTML 200", "text/html", "<html>" + fakeSecret + "</html>"},
		{"JSON without token", "application/json", `{"token_type":"Bearer"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t)
			inner := f.srv.Config.Handler
			f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/oauth2/v1/token" {
					w.Header().Set("Content-Type", tc.ct)
					fmt.Fprint(w, tc.body)
					return
				}
				inner.ServeHTTP(w, r)
			})
			c := f.oneAPIClient(nil)
			_, _, err := c.OrganizationKey(t.Context())
			if err == nil || strings.Contains(err.Error(), fakeSecret) || strings.Contains(err.Error(), "<html") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestSuccessAnswersMustBeJSONWithinTheCap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, ct string
		body     func() string
		says     string
	}{
		{"HTML page with 200", "text/html", func() string { return "<html>" + fakePassword + "</html>" }, "text/html body, not JSON"},
		{"larger than 4 MiB", "application/json", func() string { return "[" + strings.Repeat(" ", maxSuccessBody) + "]" }, "larger than"},
		{"not a key list", "application/json", func() string { return `{"id":1}` }, "not a JSON array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t)
			f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
				w.Header().Set("Content-Type", tc.ct)
				fmt.Fprint(w, tc.body())
			})
			c := f.legacyClient(nil)
			_, _, err := c.OrganizationKey(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want it to say %q", err, tc.says)
			}
			if strings.Contains(err.Error(), fakePassword) {
				t.Fatalf("error quotes the body: %v", err)
			}
		})
	}
}

func TestLargeErrorBodyIsCapped(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprint(w, `{"code":"X","message":"`+strings.Repeat("y", 1<<20)+`"}`)
	})
	c := f.legacyClient(nil)
	_, _, err := c.OrganizationKey(t.Context())
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "larger than the client reads") || len(err.Error()) > 500 {
		t.Fatalf("err = %.300v", err)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	elsewhere := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		http.Redirect(w, r, elsewhere.srv.URL+"/steal", http.StatusFound)
	})
	c := f.legacyClient(nil)
	_, _, err := c.OrganizationKey(t.Context())
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusFound {
		t.Fatalf("err = %v, want the 302 as an APIError", err)
	}
	if n := len(elsewhere.allCalls()); n != 0 {
		t.Fatalf("the redirect was followed (%d requests elsewhere)", n)
	}
}

func TestTransportFailuresKeepTheirCause(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c := f.legacyClient(func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond; cfg.MaxRetries = 2 })
	_, _, err := c.OrganizationKey(t.Context())
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "per-request timeout") {
		t.Fatalf("err = %v, want the per-request timeout's DeadlineExceeded", err)
	}
	if n := f.count("GET", ""); n != 3 {
		t.Fatalf("%d lists: a timeout is retried within the bound", n)
	}

	// the caller's own cancellation is not retried and keeps its cause
	c2 := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 5 })
	ctx, cancel := context.WithCancel(t.Context())
	// cancelled once the list is in flight, however busy the machine
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		cancel()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	before := f.count("GET", "")
	_, _, err = c2.OrganizationKey(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := f.count("GET", "") - before; n != 1 {
		t.Fatalf("%d lists after a cancellation", n)
	}

	// nothing listening: the dial error is kept, and not retried
	dead := newFakeAPI(t)
	dead.srv.Close()
	c3 := dead.legacyClient(nil)
	_, _, err = c3.OrganizationKey(t.Context())
	var ae *APIError
	if err == nil || errors.As(err, &ae) || !strings.Contains(err.Error(), "login (POST /auth)") {
		t.Fatalf("err = %v", err)
	}
}

func TestUsesLoginKeyFollowsOrganizationKeyChanges(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	store := &keyStore{}
	store.set(10, fakeKey)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch {
		case r.Method == "GET":
			writeJSON(w, 200, store.listJSON())
		case r.URL.Path == "/api/v1/apiKeys/10":
			var in struct{ KeyValue string }
			_ = json.Unmarshal(body, &in)
			store.set(10, in.KeyValue)
			f.mu.Lock()
			f.apiKey = in.KeyValue // logins now need the new string
			f.mu.Unlock()
			writeJSON(w, 200, keyJSON(10, in.KeyValue, ""))
		}
	})
	c := f.legacyClient(nil)
	ctx := t.Context()
	if !c.UsesLoginKey(fakeKey) || c.UsesLoginKey("") || c.UsesLoginKey("NewValue1234") {
		t.Fatal("UsesLoginKey wrong before any change")
	}
	if _, err := c.EditAPIKey(ctx, 10, "NewValue1234"); err != nil {
		t.Fatal(err)
	}
	if !c.UsesLoginKey("NewValue1234") || c.UsesLoginKey(fakeKey) {
		t.Fatal("after editing the organization key the client must log in with the new string")
	}
	f.endSessions()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatalf("re-login with the edited key: %v", err)
	}
	if f.loginCount() != 2 {
		t.Fatalf("%d logins", f.loginCount())
	}
	o := f.oneAPIClient(nil)
	if o.UsesLoginKey(fakeKey) {
		t.Fatal("a OneAPI client logs in with no key")
	}
}

func TestCloseLogsOutOnce(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	c := f.legacyClient(nil)
	ctx := t.Context()
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(f.allCalls()) != 0 {
		t.Fatal("Close without a session made a request")
	}
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if f.logouts != 1 || f.count("DELETE", "/api/v1/auth") != 1 {
		t.Fatalf("%d logouts, want 1", f.logouts)
	}
	// the client still works: it logs in again
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	if f.loginCount() != 2 {
		t.Fatalf("%d logins", f.loginCount())
	}
}

// captureLogger records debug lines.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	store := &keyStore{}
	store.set(10, "SeenValue123")
	var echo atomic.Value
	echo.Store("")
	f.setHandler(func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Method == "GET" {
			writeJSON(w, 200, store.listJSON())
			return
		}
		// a careless server that repeats everything it knows in its message
		msg := fmt.Sprintf("rejected %s for %s / %s / %s / session %s / %s", body, fakePassword, fakeKey, "SeenValue123",
			r.Header.Get("JSessionID"), echo.Load())
		writeJSON(w, 400, fmt.Sprintf(`{"code":"INVALID_INPUT_ARGUMENT","message":%q}`, msg))
	})
	log := &captureLogger{}
	c := f.legacyClient(func(cfg *Config) { cfg.Logger = log })
	ctx := t.Context()
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatal(err)
	}
	var errs []error
	_, err := c.EditAPIKey(ctx, 10, "WantedValue1")
	errs = append(errs, err)
	_, err = c.RegenerateAPIKey(ctx, 10)
	errs = append(errs, err)
	_, err = c.EditAPIKey(ctx, 10, "bad value with spaces "+fakeSecret)
	errs = append(errs, err)

	secrets := []string{fakePassword, fakeKey, "SeenValue123", "WantedValue1", "sess1", fakeSecret}
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d succeeded", i)
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %d shows a secret: %v", i, err)
			}
		}
	}
	if !errors.Is(errs[2], ErrInvalidInput) {
		t.Errorf("an invalid key string is not ErrInvalidInput: %v", errs[2])
	}
	if !strings.Contains(errs[0].Error(), "***") {
		t.Errorf("the redaction is not marked: %v", errs[0])
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.lines) == 0 {
		t.Fatal("nothing logged")
	}
	for _, line := range log.lines {
		for _, s := range append(secrets, "keyValue", "rejected") {
			if strings.Contains(line, s) {
				t.Errorf("log line shows a secret or a body: %s", line)
			}
		}
	}
	found := false
	for _, line := range log.lines {
		found = found || (strings.Contains(line, "method:PUT") && strings.Contains(line, "path:/apiKeys/10") &&
			strings.Contains(line, "status:400") && strings.Contains(line, "op:edit") && strings.Contains(line, "attempt:1") &&
			strings.Contains(line, "duration:"))
	}
	if !found {
		t.Errorf("no log line with method, path, status, op, attempt and duration: %v", log.lines)
	}
}

func TestTransportErrorsAreRedacted(t *testing.T) {
	t.Parallel()
	// a server that answers with a broken status line quoting a secret
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		hj, _ := w.(http.Hijacker)
		conn, buf, err := hj.Hijack()
		if err != nil {
			return
		}
		buf.WriteString("HTTP/1.1 2OO " + fakePassword + "\r\n\r\n")
		buf.Flush()
		conn.Close()
	})
	c := f.legacyClient(nil)
	_, _, err := c.OrganizationKey(t.Context())
	if err == nil || strings.Contains(err.Error(), fakePassword) || strings.Contains(err.Error(), "2OO") ||
		!strings.Contains(err.Error(), "answer not shown") {
		t.Fatalf("err = %v", err)
	}
}

func TestPacingSpacesRequests(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	var mu sync.Mutex
	var times []time.Time
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		writeJSON(w, 200, "[]")
	})
	c := f.legacyClient(func(cfg *Config) { cfg.DisablePacing = false })
	rec := recordWaits(c, true)
	ctx := t.Context()
	for range 3 {
		if _, _, err := c.OrganizationKey(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// list allows 2 a second: the third waits for the first to leave the window
	if waits := rec.all(); len(waits) != 1 || waits[0] < 900*time.Millisecond {
		t.Fatalf("waits %v: want one pace wait of about a second", waits)
	}
	mu.Lock()
	defer mu.Unlock()
	if gap := times[2].Sub(times[0]); gap < time.Second {
		t.Fatalf("three lists within %s", gap)
	}
}

func TestInvalidArgumentsFailWithoutARequest(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	c := f.legacyClient(nil)
	ctx := t.Context()
	_, e1 := c.EditAPIKey(ctx, 1, "short")
	_, e2 := c.EditAPIKey(ctx, 0, "NewValue1234")
	_, e3 := c.RegenerateAPIKey(ctx, -1)
	e4 := c.DeleteAPIKey(ctx, 0)
	for i, err := range []error{e1, e2, e3, e4} {
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%d: err = %v, want ErrInvalidInput", i, err)
		}
	}
	if n := len(f.allCalls()); n != 0 {
		t.Fatalf("%d requests", n)
	}
}

package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// silentListener is a legacy base URL where connections are accepted and
// never answered.
func silentListener(t *testing.T) (baseURL string, accepted *atomic.Int32) {
	t.Helper()
	host, accepted := testsupport.SilentListener(t)
	return host + "/api/v1", accepted
}

func endpointClient(t *testing.T, base string, mutate func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: base, Username: fakeUser, Password: fakePassword, APIKey: fakeKey, DisablePacing: true}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.timing = fastTiming
	return c
}

func TestSilentEndpointTimesOutNamingTheURL(t *testing.T) {
	t.Parallel()
	base, accepted := silentListener(t)
	c := endpointClient(t, base, func(cfg *Config) { cfg.RequestTimeout, cfg.MaxRetries = 100*time.Millisecond, 2 })
	_, _, err := c.OrganizationKey(t.Context())
	want := "login (POST /auth): no answer from " + base + "/auth within 100ms (the per-request timeout)"
	if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) || err.Error() != want {
		t.Fatalf("err = %v, want ErrTimeout saying %q", err, want)
	}
	var te *TransportError
	if !errors.As(err, &te) || te.Op != OpLogin || te.URL != base+"/auth" {
		t.Fatalf("err = %#v, want a TransportError of the login to %s/auth", te, base)
	}
	if n := accepted.Load(); n != 3 {
		t.Fatalf("%d connections, want 3: a silent endpoint is retried within max retries", n)
	}
}

// TestOperationTimeBoundsEveryAttempt: retries stop when the operation's
// time is spent, long before MaxRetries.
func TestOperationTimeBoundsEveryAttempt(t *testing.T) {
	t.Parallel()
	base, accepted := silentListener(t)
	c := endpointClient(t, base, func(cfg *Config) {
		cfg.RequestTimeout, cfg.OperationTimeout, cfg.MaxRetries = 100*time.Millisecond, 250*time.Millisecond, 20
	})
	_, _, err := c.OrganizationKey(t.Context())
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "no answer from "+base+"/auth") ||
		!strings.Contains(err.Error(), "250ms") {
		t.Fatalf("err = %v, want ErrTimeout naming the URL and the operation's 250ms", err)
	}
	// each attempt takes its full 100 ms: at most three fit in 250 ms
	if n := accepted.Load(); n > 3 {
		t.Fatalf("%d connections within the operation's time", n)
	}
}

func TestOperationTimeDefaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		request, operation, want time.Duration
	}{
		{0, 0, 90 * time.Second},
		{60 * time.Second, 0, 90 * time.Second},
		{5 * time.Minute, 0, 5 * time.Minute}, // one attempt of a slow API still fits
		{10 * time.Second, 20 * time.Second, 20 * time.Second},
	} {
		c := endpointClient(t, "https://connector.zscaler.net/api/v1", func(cfg *Config) {
			cfg.RequestTimeout, cfg.OperationTimeout = tc.request, tc.operation
		})
		if c.opTime != tc.want {
			t.Errorf("request %s, operation %s: operation time %s, want %s", tc.request, tc.operation, c.opTime, tc.want)
		}
	}
	if c := endpointClient(t, "https://connector.zscaler.net/api/v1", nil); c.timeout != 30*time.Second {
		t.Errorf("default request timeout %s, want 30s", c.timeout)
	}
}

func TestRefusedConnectionCannotReach(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/api/v1"
	_ = ln.Close() // nothing listens there now: the connection is refused
	c := endpointClient(t, base, func(cfg *Config) { cfg.MaxRetries = 3 })
	rec := recordWaits(c, false)
	err = c.DeleteAPIKey(t.Context(), 4)
	want := "login (POST /auth): cannot reach " + base + "/auth: connection refused"
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrTimeout) || err.Error() != want {
		t.Fatalf("err = %v, want ErrUnreachable saying %q", err, want)
	}
	if waits := rec.all(); len(waits) != 0 {
		t.Fatalf("waits %v: a refused connection is not retried", waits)
	}
}

func TestHostThatDoesNotResolveCannotReach(t *testing.T) {
	t.Parallel()
	// a resolver that fails at once, so that the test needs no network
	resolver := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS server here")
	}}
	hc := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Resolver: resolver}).DialContext}}
	c := endpointClient(t, "https://connector.example.invalid/api/v1", nil)
	c.http.Transport = hc.Transport
	_, _, err := c.OrganizationKey(t.Context())
	want := "login (POST /auth): cannot reach https://connector.example.invalid/api/v1/auth: the host name could not be looked up (DNS failure)"
	if !errors.Is(err, ErrUnreachable) || err.Error() != want {
		t.Fatalf("err = %v, want ErrUnreachable saying %q", err, want)
	}
}

// TestOperationTimeStopsARetryThatCannotFit: a 429 that asks for 30 s,
// with 2 s of the operation left, ends the call at once.
func TestOperationTimeStopsARetryThatCannotFit(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		writeJSON(w, 429, `{"message":"Rate Limit (2/SECOND) exceeded","Retry-After":"30 seconds"}`)
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries, cfg.OperationTimeout = 5, 2*time.Second })
	rec := recordWaits(c, false)
	_, _, err := c.OrganizationKey(t.Context())
	var ae *APIError
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &ae) ||
		!strings.HasSuffix(err.Error(), "; gave up after 1 attempt: the next would start after the 2s an operation may take in all") {
		t.Fatalf("err = %v", err)
	}
	if waits := rec.all(); len(waits) != 0 || f.count("GET", "/api/v1/apiKeys") != 1 {
		t.Fatalf("waits %v: want one list and no wait", waits)
	}
}

// untrustedServer is an HTTPS endpoint whose certificate no authority of
// this machine signed, as behind a TLS-intercepting proxy or a private CA.
func untrustedServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// TestUntrustedCertificateIsErrTLS: a certificate that fails verification
// is ErrTLS, names the URL and what failed, and is not retried: it fails
// the same way every time.
func TestUntrustedCertificateIsErrTLS(t *testing.T) {
	t.Parallel()
	srv := untrustedServer(t)
	host := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	for _, tc := range []struct {
		name, base string
		hc         *http.Client
		says       string
	}{
		{"unknown authority", srv.URL + "/api/v1", nil, "x509: certificate signed by unknown authority"},
		// the test server's certificate is trusted here, and names 127.0.0.1 and example.com
		{"another host's certificate", host + "/api/v1", srv.Client(), "x509: certificate is valid for"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := endpointClient(t, tc.base, func(cfg *Config) { cfg.MaxRetries = 3 })
			if tc.hc != nil {
				c.http.Transport = tc.hc.Transport
			}
			rec := recordWaits(c, false)
			_, _, err := c.OrganizationKey(t.Context())
			want := "login (POST /auth): the TLS certificate of " + tc.base + "/auth is not trusted: " + tc.says
			var te *TransportError
			if !errors.Is(err, ErrTLS) || errors.Is(err, ErrUnreachable) || !strings.HasPrefix(fmt.Sprint(err), want) ||
				!errors.As(err, &te) || te.URL != tc.base+"/auth" {
				t.Fatalf("err = %v, want ErrTLS starting %q", err, want)
			}
			if waits := rec.all(); len(waits) != 0 {
				t.Fatalf("waits %v: a certificate that fails is not retried", waits)
			}
		})
	}
}

// TestUntrustedCertificateOnAWriteIsNotAnUnknownOutcome: the handshake fails
// before the request leaves, so the write surely did not happen: no check.
func TestUntrustedCertificateOnAWriteIsNotAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t) // a token endpoint the client trusts: plain http on loopback
	srv := untrustedServer(t)
	c := f.oneAPIClient(func(cfg *Config) { cfg.BaseURL, cfg.MaxRetries = srv.URL+"/ztw/api/v1", 3 })
	_, err := c.EditAPIKey(t.Context(), 10, "NewValue1234")
	if !errors.Is(err, ErrTLS) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrTLS with a known outcome", err)
	}
	if f.loginCount() != 1 || len(f.allCalls()) != 1 {
		t.Fatalf("%d requests at the token endpoint, want the one token request", len(f.allCalls()))
	}
}

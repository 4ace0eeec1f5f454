package simulator

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testEpoch is the fixed base of the simulator clock in tests; Advance moves it.
var testEpoch = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

type harness struct {
	t   *testing.T
	sim *Simulator
	url string // the simulator's root
	hc  *http.Client
}

// newHarness serves a simulator with a fixed clock on a loopback port.
func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testEpoch }
	}
	sim, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := sim.Start(""); err != nil {
		t.Fatalf("Start: %v", err)
	}
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		_ = sim.Close()
		hc.CloseIdleConnections()
	})
	return &harness{t: t, sim: sim, url: sim.URL(), hc: hc}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// apiErr decodes the API's error shape.
func (r response) apiErr(t *testing.T) errorBody {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error answer Content-Type = %q, want application/json (answer %v)", ct, r)
	}
	var e errorBody
	dec := json.NewDecoder(strings.NewReader(string(r.body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error answer is not {code,message}: %v (answer %v)", err, r)
	}
	return e
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %v: %v", r, err)
	}
}

// req is one request; headers come in pairs.
type req struct {
	method, path, body string
	headers            []string
	ctx                context.Context
}

func (h *harness) send(q req) (response, error) {
	h.t.Helper()
	ctx := q.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	r, err := http.NewRequestWithContext(ctx, q.method, h.url+q.path, body)
	if err != nil {
		h.t.Fatalf("building request: %v", err)
	}
	for i := 0; i+1 < len(q.headers); i += 2 {
		r.Header.Add(q.headers[i], q.headers[i+1])
	}
	resp, err := h.hc.Do(r)
	if err != nil {
		return response{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// abandon sends q, cancels it once the simulator holds it in a latency wait, and
// returns the client's error.
func (h *harness) abandon(q req) error {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	q.ctx = ctx
	done := make(chan error, 1)
	go func() {
		_, err := h.send(q)
		done <- err
	}()
	waitFor(func() bool { return h.sim.waiting.Load() > 0 })
	cancel()
	return <-done
}

func (h *harness) do(q req) response {
	h.t.Helper()
	resp, err := h.send(q)
	if err != nil {
		h.t.Fatalf("%s %s: %v", q.method, q.path, err)
	}
	return resp
}

// loginBody is a legacy login body for key at the simulator clock plus skew.
func (h *harness) loginBody(username, password, key string, skew time.Duration) string {
	h.t.Helper()
	ts := strconv.FormatInt(h.sim.Now().Add(skew).UnixMilli(), 10)
	obf, err := Obfuscate(key, ts)
	if err != nil {
		h.t.Fatalf("Obfuscate: %v", err)
	}
	b, _ := json.Marshal(map[string]string{"apiKey": obf, "username": username, "password": password, "timestamp": ts})
	return string(b)
}

func (h *harness) loginResp(o *Organization) response {
	h.t.Helper()
	cfg := o.Config()
	k, _ := o.Key()
	return h.do(req{method: "POST", path: "/api/v1/auth", body: h.loginBody(cfg.Username, cfg.Password, k.Value, 0),
		headers: []string{"Content-Type", "application/json"}})
}

// login logs in to o and returns the session ID.
func (h *harness) login(o *Organization) string {
	h.t.Helper()
	resp := h.loginResp(o)
	if resp.status != http.StatusOK {
		h.t.Fatalf("login: %v", resp)
	}
	return sessionFrom(h.t, resp)
}

func sessionFrom(t *testing.T, resp response) string {
	t.Helper()
	sc := resp.header.Values("Set-Cookie")
	if len(sc) == 0 {
		t.Fatalf("no Set-Cookie in %v", resp)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(sc[0], "JSESSIONID="), ";")
	return id
}

// legacy sends an /api/v1 call with a session cookie; a body goes as JSON.
func (h *harness) legacy(method, path, body, session string) response {
	h.t.Helper()
	hdr := []string{"Cookie", "JSESSIONID=" + session}
	if body != "" {
		hdr = append(hdr, "Content-Type", "application/json")
	}
	return h.do(req{method: method, path: "/api/v1" + path, body: body, headers: hdr})
}

// oneapi sends a /ztw/api/v1 call with a Bearer token; a body goes as JSON.
func (h *harness) oneapi(method, path, body, tok string) response {
	h.t.Helper()
	hdr := []string{"Authorization", "Bearer " + tok}
	if body != "" {
		hdr = append(hdr, "Content-Type", "application/json")
	}
	return h.do(req{method: method, path: "/ztw/api/v1" + path, body: body, headers: hdr})
}

func (h *harness) tokenResp(form url.Values) response {
	h.t.Helper()
	return h.do(req{method: "POST", path: "/oauth2/v1/token", body: form.Encode(),
		headers: []string{"Content-Type", "application/x-www-form-urlencoded"}})
}

func secretForm(o *Organization) url.Values {
	cfg := o.Config()
	return url.Values{"grant_type": {"client_credentials"}, "audience": {OneAPIAudience},
		"client_id": {cfg.ClientID}, "client_secret": {cfg.ClientSecret}}
}

// token gets a OneAPI token for o with its client secret.
func (h *harness) token(o *Organization) string {
	h.t.Helper()
	resp := h.tokenResp(secretForm(o))
	if resp.status != http.StatusOK {
		h.t.Fatalf("token: %v", resp)
	}
	var tb tokenBody
	resp.decode(h.t, &tb)
	return tb.AccessToken
}

// listKeys lists o's keys over the legacy API and decodes them.
func (h *harness) listKeys(session, query string) []keyJSON {
	h.t.Helper()
	resp := h.legacy("GET", "/apiKeys"+query, "", session)
	if resp.status != http.StatusOK {
		h.t.Fatalf("list: %v", resp)
	}
	var keys []keyJSON
	resp.decode(h.t, &keys)
	return keys
}

func wantStatus(t *testing.T, resp response, status int) {
	t.Helper()
	if resp.status != status {
		t.Fatalf("status = %d, want %d (answer %s)", resp.status, status, resp.body)
	}
}

// wantError checks status, the {code,message} shape and the code.
func wantError(t *testing.T, resp response, status int, code string) errorBody {
	t.Helper()
	wantStatus(t, resp, status)
	e := resp.apiErr(t)
	if e.Code != code {
		t.Fatalf("code = %q, want %q (answer %s)", e.Code, code, resp.body)
	}
	if e.Message == "" {
		t.Fatalf("empty message in %s", resp.body)
	}
	return e
}

var (
	rsaOnce sync.Once
	rsaKeys [2]*rsa.PrivateKey
)

// testRSAKeys are generated once per test binary: one client key and one stranger.
func testRSAKeys(t testing.TB) (client, stranger *rsa.PrivateKey) {
	t.Helper()
	rsaOnce.Do(func() {
		for i := range rsaKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys[i] = k
		}
	})
	return rsaKeys[0], rsaKeys[1]
}

// signJWT builds a compact JWS with the given header and claims, signed RS256 by key.
func signJWT(t testing.TB, key *rsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

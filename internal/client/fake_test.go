package client

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is a small stand-in for the API: strict legacy login and token
// endpoints, session and token checks, and a per-test handler for /apiKeys.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu           sync.Mutex
	username     string
	password     string
	apiKey       string // the key the legacy login must obfuscate
	clientID     string
	clientSecret string
	publicKey    *rsa.PublicKey
	expiresIn    int
	sessions     map[string]bool
	tokens       map[string]bool
	next         int
	logins       int
	logouts      int
	loginStatus  int // when set, logins answer this status with loginBody
	loginBody    string
	calls        []fakeCall
	handle       func(w http.ResponseWriter, r *http.Request, body []byte)
}

type fakeCall struct {
	Method, Path, Query string
	Header              http.Header
	Body                string
}

const (
	fakeUser     = "admin@acme.example"
	fakePassword = "Pa55word-zebra"
	fakeKey      = "AbCd12EfGh34"
	fakeClientID = "client-abc"
	fakeSecret   = "client-secret-xyz"
)

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{
		t: t, username: fakeUser, password: fakePassword, apiKey: fakeKey,
		clientID: fakeClientID, clientSecret: fakeSecret, expiresIn: 3600,
		sessions: map[string]bool{}, tokens: map[string]bool{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) legacyBase() string { return f.srv.URL + "/api/v1" }
func (f *fakeAPI) oneAPIBase() string { return f.srv.URL + "/ztw/api/v1" }
func (f *fakeAPI) tokenURL() string   { return f.srv.URL + "/oauth2/v1/token" }

// fastTiming keeps retry waits short in tests; the 1 s floor of a
// server-told wait stays, as the contract asks.
var fastTiming = timing{backoffBase: time.Millisecond, backoffMax: 4 * time.Millisecond, lockBase: time.Millisecond, lockMax: 4 * time.Millisecond, jitterMax: time.Millisecond}

// legacyClient makes a legacy-mode client of f with test timing.
func (f *fakeAPI) legacyClient(mutate func(*Config)) *Client {
	f.t.Helper()
	cfg := Config{BaseURL: f.legacyBase(), Username: fakeUser, Password: fakePassword, APIKey: fakeKey, DisablePacing: true}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	c.timing = fastTiming
	return c
}

// oneAPIClient makes a OneAPI-mode client of f with test timing.
func (f *fakeAPI) oneAPIClient(mutate func(*Config)) *Client {
	f.t.Helper()
	cfg := Config{BaseURL: f.oneAPIBase(), ClientID: fakeClientID, ClientSecret: fakeSecret, TokenURL: f.tokenURL(), DisablePacing: true}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	c.timing = fastTiming
	return c
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
	f.mu.Unlock()

	switch {
	case r.URL.Path == "/api/v1/auth" && r.Method == http.MethodPost:
		f.login(w, r, body)
	case r.URL.Path == "/api/v1/auth" && r.Method == http.MethodDelete:
		f.mu.Lock()
		delete(f.sessions, r.Header.Get("JSessionID"))
		f.logouts++
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/oauth2/v1/token":
		f.token(w, r, body)
	case strings.HasPrefix(r.URL.Path, "/api/v1/"):
		if !f.sessionOK(r) {
			writeJSON(w, http.StatusUnauthorized, `{"code":"SESSION_NOT_VALID","message":"Session is not valid"}`)
			return
		}
		f.route(w, r, body)
	case strings.HasPrefix(r.URL.Path, "/ztw/api/v1/"):
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		ok := f.tokens[tok]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusUnauthorized, `{"code":"INVALID_TOKEN","message":"token not valid"}`)
			return
		}
		f.route(w, r, body)
	default:
		writeJSON(w, http.StatusNotFound, `{"code":"NOT_FOUND","message":"no route"}`)
	}
}

func (f *fakeAPI) route(w http.ResponseWriter, r *http.Request, body []byte) {
	f.mu.Lock()
	h := f.handle
	f.mu.Unlock()
	if h == nil {
		writeJSON(w, http.StatusOK, `[]`)
		return
	}
	h(w, r, body)
}

func (f *fakeAPI) sessionOK(r *http.Request) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	ck, err := r.Cookie("JSESSIONID")
	return err == nil && f.sessions[ck.Value] && r.Header.Get("JSessionID") == ck.Value
}

func (f *fakeAPI) login(w http.ResponseWriter, r *http.Request, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logins++
	if f.loginStatus != 0 {
		writeJSON(w, f.loginStatus, f.loginBody)
		return
	}
	if mediaType(r.Header.Get("Content-Type")) != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, `{"code":"UNSUPPORTED_MEDIA_TYPE","message":"json only"}`)
		return
	}
	var in map[string]string // all fields must be strings
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, `{"code":"INVALID_INPUT_ARGUMENT","message":"bad body"}`)
		return
	}
	want, err := Obfuscate(f.apiKey, in["timestamp"])
	if err != nil || in["apiKey"] != want || in["username"] != f.username || in["password"] != f.password {
		writeJSON(w, http.StatusBadRequest, `{"code":"INVALID_USERNAME_OR_PASSWORD","message":"Invalid email or password"}`)
		return
	}
	f.next++
	id := fmt.Sprintf("sess%d", f.next)
	f.sessions[id] = true
	w.Header().Add("Set-Cookie", "JSESSIONID="+id+"; Path=/; Secure; HttpOnly")
	writeJSON(w, http.StatusOK, `{"authType":"ADMIN_LOGIN","obfuscateApiKey":true,"passwordExpiryTime":-1,"passwordExpiryDays":-1}`)
}

func (f *fakeAPI) token(w http.ResponseWriter, r *http.Request, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logins++
	if f.loginStatus != 0 {
		writeJSON(w, f.loginStatus, f.loginBody)
		return
	}
	if mediaType(r.Header.Get("Content-Type")) != "application/x-www-form-urlencoded" {
		writeJSON(w, http.StatusUnsupportedMediaType, `{"error":"invalid_request"}`)
		return
	}
	form, err := parseForm(body)
	if err != nil || form.Get("grant_type") != "client_credentials" || form.Get("audience") != OneAPIAudience || form.Get("client_id") != f.clientID {
		writeJSON(w, http.StatusBadRequest, `{"error":"invalid_request","error_description":"bad form"}`)
		return
	}
	switch {
	case form.Get("client_secret") != "":
		if form.Get("client_secret") != f.clientSecret {
			writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"bad secret"}`)
			return
		}
	case form.Get("client_assertion_type") == clientAssertionType && f.publicKey != nil:
		if err := verifyTestJWT(f.publicKey, form.Get("client_assertion"), f.clientID); err != nil {
			writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"bad assertion"}`)
			return
		}
	default:
		writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client"}`)
		return
	}
	f.next++
	tok := fmt.Sprintf("tok%d", f.next)
	f.tokens[tok] = true
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","expires_in":%d}`, tok, f.expiresIn))
}

// endSessions ends every session and token, as an idle timeout would.
func (f *fakeAPI) endSessions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.sessions)
	clear(f.tokens)
}

func (f *fakeAPI) setHandler(h func(w http.ResponseWriter, r *http.Request, body []byte)) {
	f.mu.Lock()
	f.handle = h
	f.mu.Unlock()
}

// count returns how many requests matched method and path (path "" = any).
func (f *fakeAPI) count(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.Method == method && (path == "" || c.Path == path) {
			n++
		}
	}
	return n
}

func (f *fakeAPI) allCalls() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

func (f *fakeAPI) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// keyJSON renders a key object in the contract's shape.
func keyJSON(id int64, value string, partner string) string {
	p := ""
	if partner != "" {
		p = fmt.Sprintf(`,"partner":{"id":%d,"name":%q}`, id+1000, partner)
	}
	return fmt.Sprintf(`{"id":%d,"keyValue":%q,"permissions":["API_KEY_MANAGEMENT"],"enabled":true,"lastModifiedTime":1631541800,"lastModifiedBy":{"id":42,"name":"admin@acme.com"}%s}`, id, value, p)
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// keyStore is an in-memory organization key for handlers that need state.
type keyStore struct {
	mu    sync.Mutex
	id    int64
	value string
	has   bool
}

func (k *keyStore) get() (int64, string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.id, k.value, k.has
}

func (k *keyStore) set(id int64, value string) {
	k.mu.Lock()
	k.id, k.value, k.has = id, value, true
	k.mu.Unlock()
}

func (k *keyStore) listJSON() string {
	id, v, ok := k.get()
	if !ok {
		return "[]"
	}
	return "[" + keyJSON(id, v, "") + "]"
}

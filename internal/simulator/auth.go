package simulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	// OneAPIAudience is the audience of every OneAPI token request and JWT assertion.
	OneAPIAudience = "https://api.zscaler.com"
	// ClientAssertionType is the client_assertion_type of a private-key JWT.
	ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

	loginClockWindow = 2 * time.Hour
	// sweepAbove is the number of sessions or tokens above which ended ones are swept
	// at the next login, so that long benchmarks do not grow without bound.
	sweepAbove = 1024
)

// authBody is the body of a successful login and of a live session's status.
var authBody = []byte(`{"authType":"ADMIN_LOGIN","obfuscateApiKey":true,"passwordExpiryTime":-1,"passwordExpiryDays":-1}`)

func authReply() *reply { return jsonReply(http.StatusOK, json.RawMessage(authBody)) }

// caller is who an authenticated request came from.
type caller struct {
	org        *Organization
	api        apiKind
	credential string // session ID or bearer token
}

// principal is the caller as lastModifiedBy shows it. Callers hold s.mu.
func (c *caller) principal() (int64, string) {
	if c.api == apiOneAPI {
		return c.org.clientID, c.org.cfg.ClientID
	}
	return c.org.adminID, c.org.cfg.Username
}

func invalidCredentials() *reply {
	return apiError(http.StatusBadRequest, "INVALID_USERNAME_OR_PASSWORD", "Invalid email or password")
}

// login is POST /api/v1/auth. Stale cookies on the request play no part.
func (s *Simulator) login(q *request) *reply {
	if rep := needJSON(q.Request); rep != nil {
		return rep
	}
	req, err := decodeLoginBody(q.body)
	if err != nil {
		return invalidInput(err.Error())
	}
	if len(req.Timestamp) > 18 || !digits(req.Timestamp) {
		return invalidInput("the field \"timestamp\" must be epoch milliseconds written as digits")
	}
	millis, _ := strconv.ParseInt(req.Timestamp, 10, 64) // 18 digits always fit

	s.mu.Lock()
	defer s.mu.Unlock()
	org := s.byUser[strings.ToLower(req.Username)]
	if org == nil || subtle.ConstantTimeCompare([]byte(req.Password), []byte(org.cfg.Password)) != 1 {
		return invalidCredentials()
	}
	if org.cfg.OneAPIOnly {
		return apiError(http.StatusForbidden, "ONLY_ONEAPI_SUPPORTED", "This organization accepts OneAPI (OAuth2) login only")
	}
	if org.key == nil {
		return invalidCredentials()
	}
	// A stale timestamp fails like a wrong key: the key check is what it protects.
	now := s.Now()
	if skew := now.Sub(time.UnixMilli(millis)); skew > loginClockWindow || skew < -loginClockWindow {
		return invalidCredentials()
	}
	want, err := Obfuscate(org.key.Value, req.Timestamp)
	if err != nil || subtle.ConstantTimeCompare([]byte(req.APIKey), []byte(want)) != 1 {
		return invalidCredentials()
	}
	if !org.key.Enabled {
		return apiError(http.StatusForbidden, "API_KEY_DISABLED", "The API key is disabled")
	}

	if len(s.sessions) > sweepAbove {
		maps.DeleteFunc(s.sessions, func(_ string, sess *session) bool { return !sessionLive(sess, now) })
	}
	id := strings.ToUpper(hex.EncodeToString(randomBytes(16)))
	s.sessions[id] = &session{org: org, lastUsed: now}
	rep := authReply()
	rep.header.Add("Set-Cookie", "JSESSIONID="+id+"; Path=/; Secure; HttpOnly")
	return rep
}

// sessionLive: a session ends 30 minutes after its last request.
func sessionLive(sess *session, now time.Time) bool {
	return now.Before(sess.lastUsed.Add(sessionIdleTimeout))
}

// authenticate finds the caller of an /apiKeys or /auth request: a live legacy
// session on /api/v1, a live Bearer token on /ztw/api/v1.
func (s *Simulator) authenticate(r *http.Request, api apiKind) (*caller, *reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	if api == apiLegacy {
		for _, id := range sessionCandidates(r) {
			sess := s.sessions[id]
			if sess == nil {
				continue
			}
			if !sessionLive(sess, now) {
				delete(s.sessions, id)
				continue
			}
			if now.After(sess.lastUsed) {
				sess.lastUsed = now
			}
			return &caller{org: sess.org, api: api, credential: id}, nil
		}
		return nil, apiError(http.StatusUnauthorized, "SESSION_NOT_VALID", "The session is not valid or has ended; log in again")
	}
	tok := bearerToken(r)
	if t := s.tokens[tok]; tok != "" && t != nil {
		if now.Before(t.expires) {
			return &caller{org: t.org, api: api, credential: tok}, nil
		}
		delete(s.tokens, tok)
	}
	return nil, apiError(http.StatusUnauthorized, "INVALID_TOKEN", "The access token is missing, unknown or expired")
}

// sessionCandidates are the session IDs a request offers: every JSESSIONID cookie
// (stale ones may come first), then every JSessionID header.
func sessionCandidates(r *http.Request) []string {
	var ids []string
	for _, c := range r.CookiesNamed("JSESSIONID") {
		ids = append(ids, c.Value)
	}
	for _, v := range r.Header.Values("JSessionID") {
		if v = strings.TrimSpace(v); v != "" {
			ids = append(ids, v)
		}
	}
	return ids
}

func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// endCaller ends the session or token the caller used.
func (s *Simulator) endCaller(c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.api == apiOneAPI {
		delete(s.tokens, c.credential)
	} else {
		delete(s.sessions, c.credential)
	}
}

type tokenBody struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// issueToken is POST /oauth2/v1/token: client credentials with a secret or a private-key JWT.
func (s *Simulator) issueToken(q *request) *reply {
	bad := func(msg string) *reply { return oauthError(http.StatusBadRequest, "invalid_request", msg) }
	if mediaType(q.Request) != "application/x-www-form-urlencoded" {
		return oauthError(http.StatusUnsupportedMediaType, "invalid_request", "The request body must be application/x-www-form-urlencoded")
	}
	form, err := url.ParseQuery(string(q.body))
	if err != nil {
		return bad("The request body is not a valid form")
	}
	for _, name := range slices.Sorted(maps.Keys(form)) {
		if len(form[name]) > 1 {
			return bad("The parameter " + name + " is repeated")
		}
	}
	switch form.Get("grant_type") {
	case "":
		return bad("The parameter grant_type is missing")
	case "client_credentials":
	default:
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "Only the client_credentials grant is supported")
	}
	if form.Get("audience") != OneAPIAudience {
		return bad("The parameter audience must be " + OneAPIAudience)
	}
	clientID := form.Get("client_id")
	if clientID == "" {
		return bad("The parameter client_id is missing")
	}
	secret, assertion, assertionType := form.Get("client_secret"), form.Get("client_assertion"), form.Get("client_assertion_type")
	if secret != "" && (assertion != "" || assertionType != "") {
		return bad("Use either client_secret or client_assertion, not both")
	}

	org := s.orgBy(s.byClient, clientID)
	var cfg OrgConfig
	if org != nil {
		cfg = org.Config()
	}

	failed := oauthError(http.StatusUnauthorized, "invalid_client", "Client authentication failed")
	switch {
	case secret != "":
		if org == nil || subtle.ConstantTimeCompare([]byte(secret), []byte(cfg.ClientSecret)) != 1 {
			return failed
		}
	case assertion != "" || assertionType != "":
		if assertionType != ClientAssertionType {
			return bad("The parameter client_assertion_type must be " + ClientAssertionType)
		}
		if assertion == "" {
			return bad("The parameter client_assertion is missing")
		}
		a, err := parseAssertion(assertion)
		if err != nil || a.verify(cfg.ClientPublicKey, clientID, s.Now()) != nil {
			return failed
		}
	default:
		return failed
	}

	s.mu.Lock()
	now := s.Now()
	if len(s.tokens) > sweepAbove {
		maps.DeleteFunc(s.tokens, func(_ string, t *token) bool { return !now.Before(t.expires) })
	}
	access := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	s.tokens[access] = &token{org: org, expires: now.Add(s.tokenLife)}
	s.mu.Unlock()

	rep := jsonReply(http.StatusOK, tokenBody{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(s.tokenLife / time.Second)})
	rep.header.Set("Cache-Control", "no-store")
	return rep
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return b
}

package simulator

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	legacyPrefix  = "/api/v1"
	oneAPIPrefix  = "/ztw/api/v1"
	oauthEndpoint = "/oauth2/v1/token"
	controlPrefix = "/_simulator/"

	// maxBodyBytes bounds what the simulator reads of a request body; the API's own
	// bodies are a few hundred bytes.
	maxBodyBytes = 64 << 10
)

// apiKind says which base a request came in on, and so which credential it must carry.
type apiKind int

const (
	apiNone   apiKind = iota // login and token endpoints
	apiLegacy                // /api/v1: legacy sessions only
	apiOneAPI                // /ztw/api/v1: Bearer tokens only
)

type route struct {
	op    Op
	api   apiKind
	keyID string // the {id} path segment, unparsed
}

// routeRequest maps a request to its op, or answers 404/405 in the API's error shape.
func routeRequest(r *http.Request) (route, *reply) {
	p, m := r.URL.Path, r.Method
	switch p {
	case oauthEndpoint:
		if m == http.MethodPost {
			return route{op: OpToken}, nil
		}
		return route{}, methodNotAllowed(http.MethodPost)
	case legacyPrefix + "/auth":
		switch m {
		case http.MethodPost:
			return route{op: OpLogin}, nil
		case http.MethodGet:
			return route{op: OpSessionStatus, api: apiLegacy}, nil
		case http.MethodDelete:
			return route{op: OpLogout, api: apiLegacy}, nil
		}
		return route{}, methodNotAllowed(http.MethodGet, http.MethodPost, http.MethodDelete)
	}
	var api apiKind
	var rest string
	switch {
	case strings.HasPrefix(p, legacyPrefix+"/"):
		api, rest = apiLegacy, p[len(legacyPrefix)+1:]
	case strings.HasPrefix(p, oneAPIPrefix+"/"):
		api, rest = apiOneAPI, p[len(oneAPIPrefix)+1:]
	default:
		return route{}, notFoundRoute()
	}
	segs := strings.Split(rest, "/")
	if segs[0] != "apiKeys" {
		return route{}, notFoundRoute()
	}
	switch {
	case len(segs) == 1:
		switch m {
		case http.MethodGet:
			return route{op: OpList, api: api}, nil
		case http.MethodPost:
			return route{op: OpAdd, api: api}, nil
		}
		return route{}, methodNotAllowed(http.MethodGet, http.MethodPost)
	case len(segs) == 2 && segs[1] != "":
		switch m {
		case http.MethodPut:
			return route{op: OpEdit, api: api, keyID: segs[1]}, nil
		case http.MethodDelete:
			return route{op: OpDelete, api: api, keyID: segs[1]}, nil
		}
		return route{}, methodNotAllowed(http.MethodPut, http.MethodDelete)
	case len(segs) == 3 && segs[1] != "" && segs[2] == "regenerate":
		if m == http.MethodPost {
			return route{op: OpRegenerate, api: api, keyID: segs[1]}, nil
		}
		return route{}, methodNotAllowed(http.MethodPost)
	}
	return route{}, notFoundRoute()
}

func notFoundRoute() *reply {
	return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "No such API endpoint")
}

func methodNotAllowed(allowed ...string) *reply {
	rep := apiError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "This method is not supported on this endpoint")
	rep.header.Set("Allow", strings.Join(allowed, ", "))
	return rep
}

// reply is an answer not yet written, so that faults can replace it after the fact.
type reply struct {
	status int
	header http.Header
	body   []byte
	repeat int  // write body this many times (hostile answers); 0 means once
	drop   bool // close the connection without an answer
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type oauthErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// rateLimitBody keeps the field order of the API's 429 body.
type rateLimitBody struct {
	Message    string `json:"message"`
	RetryAfter string `json:"Retry-After"`
}

func jsonReply(status int, v any) *reply {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the simulator's own types get here; failing to encode one is a bug.
		panic("simulator: encoding an answer: " + err.Error())
	}
	return rawJSONReply(status, b)
}

func rawJSONReply(status int, body []byte) *reply {
	rep := &reply{status: status, header: http.Header{}, body: body}
	rep.header.Set("Content-Type", "application/json")
	return rep
}

func apiError(status int, code, message string) *reply {
	return jsonReply(status, errorBody{Code: code, Message: message})
}

func oauthError(status int, code, description string) *reply {
	rep := jsonReply(status, oauthErrorBody{Error: code, Description: description})
	rep.header.Set("Cache-Control", "no-store")
	return rep
}

func noContent() *reply { return &reply{status: http.StatusNoContent, header: http.Header{}} }

func (s *Simulator) send(w http.ResponseWriter, rep *reply) {
	if rep.drop {
		dropConnection(w)
		return
	}
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	w.WriteHeader(rep.status)
	n := max(rep.repeat, 1)
	for i := 0; i < n && len(rep.body) > 0; i++ {
		if _, err := w.Write(rep.body); err != nil {
			return
		}
	}
}

// dropConnection closes the connection with no answer at all.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2, a recorder): net/http aborts the response for this value.
	panic(http.ErrAbortHandler)
}

// ServeHTTP serves the API and, under /_simulator/, the controls.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.serveControl(w, r)
		return
	}
	rt, rep := routeRequest(r)
	if rep != nil {
		if !s.wait(r.Context(), s.Latency()) {
			dropConnection(w)
			return
		}
		s.recordUnrouted(rep.status)
		s.send(w, rep)
		return
	}
	org, rep := s.serveCall(r, rt)
	status := 0
	if rep != nil && !rep.drop {
		status = rep.status
	}
	// Counted before answering, so that a client that has its answer sees it counted.
	s.record(org, rt.op, status)
	if rep == nil {
		// Abandoned: returning would make net/http send an empty 200.
		dropConnection(w)
		return
	}
	s.send(w, rep)
}

// serveCall runs the order of handling: authenticate, faults before handling, rate
// limiter, edit lock and latency, handling, faults after handling. It returns the
// organization the request belonged to (nil if unknown) and the answer to send (nil
// for none: the request was abandoned because its client went away or the simulator
// closed).
func (s *Simulator) serveCall(r *http.Request, rt route) (*Organization, *reply) {
	ctx := r.Context()
	latency := s.Latency()
	var extra time.Duration // a fault's own latency
	early := func(rep *reply) *reply {
		if !s.wait(ctx, latency+extra) {
			return nil
		}
		return rep
	}

	body, tooLarge, err := readBody(r)
	if err != nil {
		return nil, nil // the client went away in the middle of its body
	}

	var org *Organization
	var who *caller
	switch rt.op {
	case OpLogin:
		org = s.orgByUsername(peekLoginUsername(body))
	case OpToken:
		org = s.orgByClientID(peekClientID(body))
	default:
		var rep *reply
		if who, rep = s.authenticate(r, rt.api); rep != nil {
			return nil, early(rep)
		}
		org = who.org
		if rep := s.permitted(org, rt.op); rep != nil {
			return org, early(rep)
		}
	}

	f := s.takeFault(rt.op, org)
	if f != nil {
		extra = f.Latency
		if f.ExpireSession && !f.AfterApply && who != nil {
			s.endCaller(who)
			// Authenticate again: the caller may hold another live session.
			var rep *reply
			if who, rep = s.authenticate(r, rt.api); rep != nil && !f.answers() {
				return org, early(rep)
			}
		}
		if !f.AfterApply && f.answers() {
			return org, early(f.reply(rt))
		}
	}

	if rep := s.rateLimit(org, rt.op); rep != nil {
		return org, early(rep)
	}

	if rt.op.isWrite() {
		if !s.lockEdit(org) {
			return org, early(apiError(http.StatusConflict, "EDIT_LOCK_NOT_AVAILABLE",
				"Another change to this organization is in progress; try again shortly"))
		}
	}
	if !s.wait(ctx, latency+extra) {
		if rt.op.isWrite() {
			s.unlockEdit(org)
		}
		return org, nil // abandoned before handling: nothing changed
	}
	var rep *reply
	if tooLarge {
		rep = bodyTooLarge(rt.op)
	} else {
		rep = s.handle(rt, who, org, r, body)
	}
	if rt.op.isWrite() {
		s.unlockEdit(org)
	}

	if f != nil && f.AfterApply {
		if f.ExpireSession && who != nil {
			s.endCaller(who)
		}
		if f.answers() {
			rep = f.reply(rt)
		}
	}
	return org, rep
}

func (s *Simulator) handle(rt route, who *caller, org *Organization, r *http.Request, body []byte) *reply {
	switch rt.op {
	case OpLogin:
		return s.login(r, body)
	case OpToken:
		return s.issueToken(r, body)
	case OpSessionStatus:
		return authReply()
	case OpLogout:
		s.endCaller(who)
		return noContent()
	case OpList:
		return s.listKeys(org, r)
	case OpRegenerate:
		return s.regenerateKey(who, r, body, rt.keyID)
	case OpAdd:
		return s.addKey(who, r, body)
	case OpEdit:
		return s.editKey(who, r, body, rt.keyID)
	case OpDelete:
		return s.deleteKey(who, rt.keyID)
	}
	return notFoundRoute()
}

// permitted answers the tenant-level refusals of /apiKeys calls: a call the tenant does
// not offer (405), or a role without API Key Management (403).
func (s *Simulator) permitted(org *Organization, op Op) *reply {
	switch op {
	case OpList, OpRegenerate, OpAdd, OpEdit, OpDelete:
	default:
		return nil
	}
	s.mu.Lock()
	without, noMgmt := org.cfg.WithoutInferredCalls, org.cfg.WithoutKeyManagement
	s.mu.Unlock()
	if op.inferred() && without {
		return methodNotAllowed(allowedFor(op)...)
	}
	if noMgmt {
		return apiError(http.StatusForbidden, "NOT_AUTHORIZED",
			"The admin role lacks the API Key Management permission")
	}
	return nil
}

// allowedFor lists the methods left on op's path when the inferred calls are off.
func allowedFor(op Op) []string {
	if op == OpAdd {
		return []string{http.MethodGet}
	}
	return nil
}

func (s *Simulator) lockEdit(org *Organization) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if org.editLocked {
		return false
	}
	org.editLocked = true
	return true
}

func (s *Simulator) unlockEdit(org *Organization) {
	s.mu.Lock()
	defer s.mu.Unlock()
	org.editLocked = false
}

func (s *Simulator) record(org *Organization, op Op, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	countInto(&s.counts, op, status)
	if org != nil {
		countInto(&org.counts, op, status)
	}
}

func countInto(c *Counts, op Op, status int) {
	c.Calls[op]++
	if status != 0 {
		c.Status[status]++
		if status >= 200 && status < 300 {
			c.OK[op]++
		}
	}
}

func (s *Simulator) recordUnrouted(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.Status[status]++
}

func (s *Simulator) orgByUsername(username string) *Organization {
	if username == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byUser[strings.ToLower(username)]
}

func (s *Simulator) orgByClientID(id string) *Organization {
	if id == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byClient[id]
}

// readBody reads at most maxBodyBytes; tooLarge says there was more.
func readBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.Body == nil {
		return nil, false, nil
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, false, err
	}
	if len(body) > maxBodyBytes {
		return nil, true, nil
	}
	return body, false, nil
}

func bodyTooLarge(op Op) *reply {
	if op == OpToken {
		return oauthError(http.StatusBadRequest, "invalid_request", "The request body is too large")
	}
	return apiError(http.StatusBadRequest, "INVALID_INPUT_ARGUMENT", "The request body is too large")
}

// mediaType is the Content-Type without parameters, lower-cased; "" when unparsable.
func mediaType(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return mt
}

func isJSONRequest(r *http.Request) bool { return mediaType(r) == "application/json" }

func unsupportedMediaType() *reply {
	return apiError(http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "The request body must be application/json")
}

func invalidInput(message string) *reply {
	return apiError(http.StatusBadRequest, "INVALID_INPUT_ARGUMENT", message)
}

// parseKeyID reads the {id} path segment: a positive decimal integer.
func parseKeyID(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not a number")
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("not a key ID")
	}
	return id, nil
}

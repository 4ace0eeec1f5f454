package simulator

import (
	"encoding/json"
	"io"
	"maps"
	"mime"
	"net/http"
	"strconv"
	"strings"
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

// apiRoute is one API call: its method, path pattern, the credential it takes and
// its handler.
type apiRoute struct {
	method, path string
	op           Op
	api          apiKind
	handle       func(*Simulator, *request) *reply
}

// request is an API call on its way to its handler.
type request struct {
	*http.Request
	body  []byte
	who   *caller // nil for login and token requests
	keyID string  // the {id} path segment, unparsed
}

// apiRoutes are the API calls; every /apiKeys call is served on both bases.
var apiRoutes = func() []apiRoute {
	routes := []apiRoute{
		{http.MethodPost, oauthEndpoint, OpToken, apiNone, (*Simulator).issueToken},
		{http.MethodPost, legacyPrefix + "/auth", OpLogin, apiNone, (*Simulator).login},
		{http.MethodGet, legacyPrefix + "/auth", OpSessionStatus, apiLegacy, func(*Simulator, *request) *reply { return authReply() }},
		{http.MethodDelete, legacyPrefix + "/auth", OpLogout, apiLegacy, func(s *Simulator, q *request) *reply {
			s.endCaller(q.who)
			return noContent()
		}},
	}
	for _, b := range []struct {
		prefix string
		api    apiKind
	}{{legacyPrefix, apiLegacy}, {oneAPIPrefix, apiOneAPI}} {
		routes = append(routes,
			apiRoute{http.MethodGet, b.prefix + "/apiKeys", OpList, b.api, (*Simulator).listKeys},
			apiRoute{http.MethodPost, b.prefix + "/apiKeys", OpAdd, b.api, (*Simulator).addKey},
			apiRoute{http.MethodPut, b.prefix + "/apiKeys/{id}", OpEdit, b.api, (*Simulator).editKey},
			apiRoute{http.MethodDelete, b.prefix + "/apiKeys/{id}", OpDelete, b.api, (*Simulator).deleteKey},
			apiRoute{http.MethodPost, b.prefix + "/apiKeys/{id}/regenerate", OpRegenerate, b.api, (*Simulator).regenerateKey})
	}
	return routes
}()

// lookup finds the entry of table for the request's method and path, and the
// path's {…} segments. Without one it answers 405 when only the method differs,
// else 404.
func lookup[T any](table []T, key func(T) (method, path string), r *http.Request) (hit T, args []string, rep *reply) {
	var allow []string
	for _, e := range table {
		method, pattern := key(e)
		if args, ok := matchPath(pattern, r.URL.Path); ok {
			if method == r.Method {
				return e, args, nil
			}
			allow = append(allow, method)
		}
	}
	if len(allow) > 0 {
		return hit, nil, methodNotAllowed(allow...)
	}
	return hit, nil, apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "No such endpoint")
}

// matchPath matches path against pattern, where a segment in braces stands for any
// non-empty segment; args are those segments.
func matchPath(pattern, path string) (args []string, ok bool) {
	ps, segs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(segs) {
		return nil, false
	}
	for i, p := range ps {
		switch {
		case strings.HasPrefix(p, "{") && segs[i] != "":
			args = append(args, segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return args, true
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
		panic("simulator: encoding an answer: " + err.Error()) // only its own types get here
	}
	rep := &reply{status: status, header: http.Header{}, body: b}
	rep.header.Set("Content-Type", "application/json")
	return rep
}

func apiError(status int, code, message string) *reply {
	return jsonReply(status, errorBody{Code: code, Message: message})
}

func invalidInput(message string) *reply {
	return apiError(http.StatusBadRequest, "INVALID_INPUT_ARGUMENT", message)
}

func oauthError(status int, code, description string) *reply {
	rep := jsonReply(status, oauthErrorBody{Error: code, Description: description})
	rep.header.Set("Cache-Control", "no-store")
	return rep
}

func (s *Simulator) send(w http.ResponseWriter, rep *reply) {
	if rep.drop {
		dropConnection(w)
		return
	}
	maps.Copy(w.Header(), rep.header)
	w.WriteHeader(rep.status)
	for i := 0; i < max(rep.repeat, 1) && len(rep.body) > 0; i++ {
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
	panic(http.ErrAbortHandler) // not hijackable (HTTP/2, a recorder): net/http aborts the response
}

// ServeHTTP serves the API and, under /_simulator/, the controls.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.send(w, s.control(r))
		return
	}
	rt, args, rep := lookup(apiRoutes, func(a apiRoute) (string, string) { return a.method, a.path }, r)
	if rep != nil {
		if !s.wait(r.Context(), s.Latency()) {
			dropConnection(w)
			return
		}
		s.record(nil, "", rep.status)
		s.send(w, rep)
		return
	}
	q := &request{Request: r}
	if len(args) > 0 {
		q.keyID = args[0]
	}
	org, rep := s.serveCall(q, rt)
	status := 0
	if rep != nil && !rep.drop {
		status = rep.status
	}
	s.record(org, rt.op, status) // before answering: a client that has its answer sees it counted
	if rep == nil {
		dropConnection(w) // abandoned: returning would make net/http send an empty 200
		return
	}
	s.send(w, rep)
}

// serveCall runs the order of handling: authenticate, faults before handling, rate
// limiter, edit lock and latency, handling, faults after handling. It returns the
// organization the request belonged to (nil if unknown) and the answer (nil for
// none: the client went away or the simulator closed).
func (s *Simulator) serveCall(q *request, rt apiRoute) (*Organization, *reply) {
	ctx := q.Context()
	latency := s.Latency()
	early := func(rep *reply) *reply {
		if !s.wait(ctx, latency) {
			return nil
		}
		return rep
	}

	var tooLarge bool
	var err error
	if q.body, tooLarge, err = readBody(q.Request); err != nil {
		return nil, nil // the client went away in the middle of its body
	}

	var org *Organization
	switch rt.op {
	case OpLogin:
		org = s.orgBy(s.byUser, strings.ToLower(peekLoginUsername(q.body)))
	case OpToken:
		org = s.orgBy(s.byClient, peekClientID(q.body))
	default:
		var rep *reply
		if q.who, rep = s.authenticate(q.Request, rt.api); rep != nil {
			return nil, early(rep)
		}
		org = q.who.org
		if rep := s.permitted(org, rt.op); rep != nil {
			return org, early(rep)
		}
	}

	f := s.takeFault(rt.op, org)
	if f != nil {
		latency += f.Latency
		if f.ExpireSession && !f.AfterApply && q.who != nil {
			s.endCaller(q.who)
			// Authenticate again: the caller may hold another live session.
			var rep *reply
			if q.who, rep = s.authenticate(q.Request, rt.api); rep != nil && !f.answers() {
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
		if !s.lockEdit(org, true) {
			return org, early(apiError(http.StatusConflict, "EDIT_LOCK_NOT_AVAILABLE",
				"Another change to this organization is in progress; try again shortly"))
		}
		defer s.lockEdit(org, false)
	}
	if !s.wait(ctx, latency) {
		return org, nil // abandoned before handling: nothing changed
	}
	rep := bodyTooLarge(rt.op)
	if !tooLarge {
		rep = rt.handle(s, q)
	}

	if f != nil && f.AfterApply {
		if f.ExpireSession && q.who != nil {
			s.endCaller(q.who)
		}
		if f.answers() {
			rep = f.reply(rt)
		}
	}
	return org, rep
}

// permitted answers the tenant-level refusals of /apiKeys calls: a call the tenant does
// not offer (405), or a role without API Key Management (403).
func (s *Simulator) permitted(org *Organization, op Op) *reply {
	if op == OpSessionStatus || op == OpLogout {
		return nil
	}
	s.mu.Lock()
	without, noMgmt := org.cfg.WithoutInferredCalls, org.cfg.WithoutKeyManagement
	s.mu.Unlock()
	if op.inferred() && without {
		if op == OpAdd {
			return methodNotAllowed(http.MethodGet) // list stays on the path
		}
		return methodNotAllowed()
	}
	if noMgmt {
		return apiError(http.StatusForbidden, "NOT_AUTHORIZED", "The admin role lacks the API Key Management permission")
	}
	return nil
}

// lockEdit takes (lock true) or releases the organization's edit lock; false when it is taken already.
func (s *Simulator) lockEdit(org *Organization, lock bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if lock && org.editLocked {
		return false
	}
	org.editLocked = lock
	return true
}

func (s *Simulator) record(org *Organization, op Op, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.add(op, status)
	if org != nil {
		org.counts.add(op, status)
	}
}

// add counts one request and its answer's status (0: none); op "" is a request that
// matched no route, counted by status only.
func (c *Counts) add(op Op, status int) {
	if op != "" {
		c.Calls[op]++
	}
	if status != 0 {
		c.Status[status]++
		if status >= 200 && status < 300 {
			c.OK[op]++
		}
	}
}

func (s *Simulator) orgBy(index map[string]*Organization, key string) *Organization {
	s.mu.Lock()
	defer s.mu.Unlock()
	return index[key]
}

// readBody reads at most maxBodyBytes; tooLarge says there was more.
func readBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.Body == nil {
		return nil, false, nil
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil || len(body) > maxBodyBytes {
		return nil, err == nil, err
	}
	return body, false, nil
}

func bodyTooLarge(op Op) *reply {
	if op == OpToken {
		return oauthError(http.StatusBadRequest, "invalid_request", "The request body is too large")
	}
	return invalidInput("The request body is too large")
}

// mediaType is the Content-Type without parameters, lower-cased; "" when unparsable.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// needJSON answers 415 unless the request says its body is JSON.
func needJSON(r *http.Request) *reply {
	if mediaType(r) != "application/json" {
		return apiError(http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "The request body must be application/json")
	}
	return nil
}

// digits reports whether s is one or more ASCII digits (no sign, unlike strconv).
func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// parseKeyID reads the {id} path segment: a positive decimal integer.
func parseKeyID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, digits(s) && err == nil && id > 0
}

func noContent() *reply { return &reply{status: http.StatusNoContent, header: http.Header{}} }

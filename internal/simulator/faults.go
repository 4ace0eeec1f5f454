package simulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a misbehaviour injected into the requests it matches. One request gets at
// most one fault: the earliest injected one that matches and has no Skip left.
type Fault struct {
	Op  Op     // match; empty = any
	Org string // match; empty = any. Login/token requests match the org their credentials name.

	Skip  int // let this many matching requests pass untouched first
	Times int // how many matching requests it affects after Skip (0 = 1; -1 = every one until cleared)

	Status     int           // answer this status with the API's error shape instead of handling
	Code       string        // for Status; default per status (409 EDIT_LOCK_NOT_AVAILABLE, 503 SERVICE_UNAVAILABLE, ...)
	Message    string        // for Status; default per status
	RetryAfter time.Duration // for 429: body field "Retry-After":"N seconds", plus the header (any status: the header)

	Drop          bool          // close the connection without any answer
	Latency       time.Duration // extra delay before answering (e.g. longer than a client's timeout)
	AfterApply    bool          // handle the request for real first (the write happens), then apply Status/Drop/Body
	ExpireSession bool          // end the caller's legacy session / OneAPI token just before handling (gives a real 401)

	Body        string // answer this raw body instead: hostile answers (status: Status, or 200)
	BodyRepeat  int    // write Body this many times (0 = once)
	ContentType string // for Body; default application/json
}

// String describes the fault without its body, which may be large.
func (f Fault) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fault{Op:%q Org:%q Skip:%d Times:%d", f.Op, f.Org, f.Skip, f.Times)
	if f.Status != 0 {
		fmt.Fprintf(&b, " Status:%d", f.Status)
	}
	if f.Drop {
		b.WriteString(" Drop")
	}
	if f.Latency > 0 {
		fmt.Fprintf(&b, " Latency:%s", f.Latency)
	}
	if f.AfterApply {
		b.WriteString(" AfterApply")
	}
	if f.ExpireSession {
		b.WriteString(" ExpireSession")
	}
	if f.Body != "" {
		fmt.Fprintf(&b, " Body:%d bytes x%d", len(f.Body), max(f.BodyRepeat, 1))
	}
	b.WriteString("}")
	return b.String()
}

// answers reports whether the fault replaces the answer (as opposed to only delaying
// it or ending the session).
func (f *Fault) answers() bool {
	return f.Drop || f.Status != 0 || f.Body != "" || f.BodyRepeat > 0
}

type activeFault struct {
	f    Fault
	skip int
	left int // -1: until cleared
}

// InjectFault adds a fault; faults apply in the order they were injected.
func (s *Simulator) InjectFault(f Fault) {
	af := &activeFault{f: f, skip: max(f.Skip, 0), left: f.Times}
	switch {
	case af.left == 0:
		af.left = 1
	case af.left < 0:
		af.left = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, af)
}

// ClearFaults removes every pending fault.
func (s *Simulator) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// PendingFaults lists the faults not yet used up, with Skip and Times as they stand now.
func (s *Simulator) PendingFaults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, 0, len(s.faults))
	for _, af := range s.faults {
		f := af.f
		f.Skip, f.Times = af.skip, af.left
		out = append(out, f)
	}
	return out
}

// takeFault picks the fault for a request and uses it up by one.
func (s *Simulator) takeFault(op Op, org *Organization) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return nil
	}
	var chosen *Fault
	kept := s.faults[:0]
	for _, af := range s.faults {
		if af.matches(op, org) {
			switch {
			case af.skip > 0:
				af.skip--
			case chosen == nil:
				f := af.f
				chosen = &f
				if af.left > 0 {
					af.left--
				}
			}
		}
		if af.left != 0 {
			kept = append(kept, af)
		}
	}
	clear(s.faults[len(kept):])
	s.faults = kept
	if chosen != nil {
		s.counts.Faults++
		if org != nil {
			org.counts.Faults++
		}
	}
	return chosen
}

// matches: callers hold s.mu.
func (af *activeFault) matches(op Op, org *Organization) bool {
	if af.f.Op != "" && af.f.Op != op {
		return false
	}
	if af.f.Org != "" && (org == nil || org.cfg.Name != af.f.Org) {
		return false
	}
	return true
}

// reply is the answer the fault gives in place of the real one.
func (f *Fault) reply(rt route) *reply {
	if f.Drop {
		return &reply{drop: true}
	}
	retryAfter := strconv.FormatInt(int64(f.RetryAfter/time.Second), 10)
	if f.Body != "" || f.BodyRepeat > 0 {
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		rep := &reply{status: status, header: http.Header{}, body: []byte(f.Body), repeat: f.BodyRepeat}
		ct := f.ContentType
		if ct == "" {
			ct = "application/json"
		}
		rep.header.Set("Content-Type", ct)
		if f.RetryAfter > 0 {
			rep.header.Set("Retry-After", retryAfter)
		}
		return rep
	}

	var rep *reply
	switch {
	case f.Status == http.StatusTooManyRequests:
		// The API's 429 has its own shape; Code plays no part in it.
		msg := f.Message
		if msg == "" {
			msg = "Rate Limit (1/SECOND) exceeded"
		}
		rep = jsonReply(f.Status, rateLimitBody{Message: msg, RetryAfter: retryAfter + " seconds"})
	case rt.op == OpToken:
		code, msg := oauthDefaults(f.Status)
		if f.Code != "" {
			code = f.Code
		}
		if f.Message != "" {
			msg = f.Message
		}
		rep = oauthError(f.Status, code, msg)
	default:
		code, msg := errorDefaults(f.Status, rt.api)
		if f.Code != "" {
			code = f.Code
		}
		if f.Message != "" {
			msg = f.Message
		}
		rep = apiError(f.Status, code, msg)
	}
	if f.RetryAfter > 0 {
		rep.header.Set("Retry-After", retryAfter)
	}
	if f.ContentType != "" {
		rep.header.Set("Content-Type", f.ContentType)
	}
	return rep
}

// errorDefaults are the code and message an injected status carries unless told otherwise.
func errorDefaults(status int, api apiKind) (string, string) {
	switch status {
	case http.StatusBadRequest:
		return "INVALID_INPUT_ARGUMENT", "Invalid input argument"
	case http.StatusUnauthorized:
		if api == apiOneAPI {
			return "INVALID_TOKEN", "The access token is missing, unknown or expired"
		}
		return "SESSION_NOT_VALID", "The session is not valid or has ended; log in again"
	case http.StatusForbidden:
		return "NOT_AUTHORIZED", "Not authorized to perform this operation"
	case http.StatusNotFound:
		return "RESOURCE_NOT_FOUND", "Resource not found"
	case http.StatusMethodNotAllowed:
		return "METHOD_NOT_ALLOWED", "This method is not supported on this endpoint"
	case http.StatusConflict:
		return "EDIT_LOCK_NOT_AVAILABLE", "Another change to this organization is in progress; try again shortly"
	case http.StatusUnsupportedMediaType:
		return "UNSUPPORTED_MEDIA_TYPE", "The request body must be application/json"
	case http.StatusInternalServerError:
		return "INTERNAL_ERROR", "An unexpected error occurred"
	case http.StatusBadGateway:
		return "BAD_GATEWAY", "Bad gateway"
	case http.StatusServiceUnavailable:
		return "SERVICE_UNAVAILABLE", "The service is temporarily unavailable"
	case http.StatusGatewayTimeout:
		return "GATEWAY_TIMEOUT", "Gateway timeout"
	}
	text := http.StatusText(status)
	if text == "" {
		return "ERROR", "Error"
	}
	return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(text)), text
}

func oauthDefaults(status int) (string, string) {
	switch {
	case status == http.StatusBadRequest:
		return "invalid_request", "Invalid request"
	case status == http.StatusUnauthorized:
		return "invalid_client", "Client authentication failed"
	case status == http.StatusServiceUnavailable:
		return "temporarily_unavailable", "The service is temporarily unavailable"
	case status >= 500:
		return "server_error", "The server encountered an error"
	}
	return "invalid_request", http.StatusText(status)
}

package simulator

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault is a misbehaviour injected into the requests it matches. One request gets at
// most one fault: the earliest injected one that matches and has no Skip left. The
// JSON names are those of POST /_simulator/faults, with durations as Go duration strings.
type Fault struct {
	Op  Op     `json:"op,omitempty"`  // match; empty = any
	Org string `json:"org,omitempty"` // match; empty = any. Login/token requests match the org their credentials name.

	Skip  int `json:"skip,omitempty"`  // let this many matching requests pass untouched first
	Times int `json:"times,omitempty"` // how many matching requests it affects after Skip (0 = 1; -1 = every one until cleared)

	Status     int           `json:"status,omitempty"`  // answer this status with the API's error shape instead of handling
	Code       string        `json:"code,omitempty"`    // for Status; default per status (409 EDIT_LOCK_NOT_AVAILABLE, 503 SERVICE_UNAVAILABLE, ...)
	Message    string        `json:"message,omitempty"` // for Status; default per status
	RetryAfter time.Duration `json:"-"`                 // for 429: body field "Retry-After":"N seconds", plus the header (any status: the header)

	Drop          bool          `json:"drop,omitempty"`          // close the connection without any answer
	Latency       time.Duration `json:"-"`                       // extra delay before answering (e.g. longer than a client's timeout)
	AfterApply    bool          `json:"afterApply,omitempty"`    // handle the request for real first (the write happens), then apply Status/Drop/Body
	ExpireSession bool          `json:"expireSession,omitempty"` // end the caller's legacy session / OneAPI token just before handling (gives a real 401)

	Body        string `json:"body,omitempty"`        // answer this raw body instead: hostile answers (status: Status, or 200)
	BodyRepeat  int    `json:"bodyRepeat,omitempty"`  // write Body this many times (0 = once)
	ContentType string `json:"contentType,omitempty"` // for Body; default application/json
}

// faultWire is a Fault as JSON has it: the durations as strings.
type faultWire struct {
	fault
	RetryAfter string `json:"retryAfter,omitempty"`
	Latency    string `json:"latency,omitempty"`
}

type fault Fault // Fault without its methods, so that faultWire does not recurse

// MarshalJSON writes the durations as Go duration strings.
func (f Fault) MarshalJSON() ([]byte, error) {
	w := faultWire{fault: fault(f)}
	if f.RetryAfter != 0 {
		w.RetryAfter = f.RetryAfter.String()
	}
	if f.Latency != 0 {
		w.Latency = f.Latency.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a fault strictly (known fields only) and checks it.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var w faultWire
	if err := decodeControl(b, &w); err != nil {
		return err
	}
	*f = Fault(w.fault)
	var err error
	switch {
	case f.Op != "" && !slices.ContainsFunc(apiRoutes, func(r apiRoute) bool { return r.op == f.Op }):
		return fmt.Errorf("unknown op %q", f.Op)
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return fmt.Errorf("status %d is not an answer status (200-599)", f.Status)
	case f.Skip < 0 || f.Times < -1 || f.BodyRepeat < 0:
		return errors.New("skip and bodyRepeat must be at least 0, times at least -1")
	}
	if f.RetryAfter, err = parseDuration("retryAfter", w.RetryAfter); err != nil {
		return err
	}
	f.Latency, err = parseDuration("latency", w.Latency)
	return err
}

func parseDuration(field, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s must be a non-negative Go duration such as 1500ms", field)
	}
	return d, nil
}

// String describes the fault without its body, which may be large.
func (f Fault) String() string {
	if f.Body != "" {
		f.Body = fmt.Sprintf("<%d bytes>", len(f.Body))
	}
	return fmt.Sprintf("Fault%+v", fault(f))
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
	af := &activeFault{f: f, skip: max(f.Skip, 0), left: max(f.Times, -1)}
	if af.left == 0 {
		af.left = 1
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
	var chosen *Fault
	kept := s.faults[:0]
	for _, af := range s.faults {
		matches := (af.f.Op == "" || af.f.Op == op) && (af.f.Org == "" || org != nil && org.cfg.Name == af.f.Org)
		switch {
		case !matches:
		case af.skip > 0:
			af.skip--
		case chosen == nil:
			f := af.f
			chosen = &f
			if af.left > 0 {
				af.left--
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

// reply is the answer the fault gives in place of the real one.
func (f *Fault) reply(rt apiRoute) *reply {
	if f.Drop {
		return &reply{drop: true}
	}
	retryAfter := strconv.FormatInt(int64(f.RetryAfter/time.Second), 10)
	var rep *reply
	switch {
	case f.Body != "" || f.BodyRepeat > 0:
		rep = &reply{status: max(f.Status, http.StatusOK), header: http.Header{}, body: []byte(f.Body), repeat: f.BodyRepeat}
		rep.header.Set("Content-Type", "application/json")
	case f.Status == http.StatusTooManyRequests:
		// The API's 429 has its own shape; Code plays no part in it.
		msg := cmp.Or(f.Message, "Rate Limit (1/SECOND) exceeded")
		rep = jsonReply(f.Status, rateLimitBody{Message: msg, RetryAfter: retryAfter + " seconds"})
	case rt.op == OpToken:
		code, msg := "invalid_request", http.StatusText(f.Status)
		switch {
		case f.Status == http.StatusUnauthorized:
			code, msg = "invalid_client", "Client authentication failed"
		case f.Status == http.StatusServiceUnavailable:
			code = "temporarily_unavailable"
		case f.Status >= 500:
			code = "server_error"
		}
		rep = oauthError(f.Status, cmp.Or(f.Code, code), cmp.Or(f.Message, msg, "Error"))
	default:
		code := faultCodes[f.Status]
		if f.Status == http.StatusUnauthorized && rt.api == apiOneAPI {
			code = "INVALID_TOKEN"
		}
		if code == "" {
			code = strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(cmp.Or(http.StatusText(f.Status), "Error")))
		}
		rep = apiError(f.Status, cmp.Or(f.Code, code), cmp.Or(f.Message, http.StatusText(f.Status), "Error"))
	}
	if f.RetryAfter > 0 {
		rep.header.Set("Retry-After", retryAfter)
	}
	if f.ContentType != "" {
		rep.header.Set("Content-Type", f.ContentType)
	}
	return rep
}

// faultCodes are the codes injected statuses carry where the API's differ from the status text.
var faultCodes = map[int]string{
	http.StatusBadRequest:          "INVALID_INPUT_ARGUMENT",
	http.StatusUnauthorized:        "SESSION_NOT_VALID", // INVALID_TOKEN on the OneAPI base
	http.StatusForbidden:           "NOT_AUTHORIZED",
	http.StatusNotFound:            "RESOURCE_NOT_FOUND",
	http.StatusConflict:            "EDIT_LOCK_NOT_AVAILABLE",
	http.StatusInternalServerError: "INTERNAL_ERROR",
}

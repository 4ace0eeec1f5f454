package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Errors returned by the client match them with errors.Is;
// their own text is never shown, the matching error says what happened.
var (
	ErrNotFound       = errors.New("cloudconnector: not found")
	ErrNotSupported   = errors.New("cloudconnector: call not offered by this tenant")
	ErrForbidden      = errors.New("cloudconnector: forbidden")
	ErrKeyDisabled    = errors.New("cloudconnector: API key disabled")
	ErrOneAPIOnly     = errors.New("cloudconnector: tenant accepts only OneAPI login")
	ErrRateLimited    = errors.New("cloudconnector: rate limited")
	ErrInvalidInput   = errors.New("cloudconnector: invalid input")
	ErrUnauthorized   = errors.New("cloudconnector: not authorized")
	ErrLoginRefused   = errors.New("cloudconnector: login refused")
	ErrEditLocked     = errors.New("cloudconnector: edit lock not available")
	ErrServer         = errors.New("cloudconnector: server error")
	ErrOutcomeUnknown = errors.New("cloudconnector: outcome of a write unknown")
	// ErrPaceLimit: the request was not sent, because the API's documented
	// rate limit, or a 429's Retry-After, allows the next one only later than
	// the client waits. Its message says when.
	ErrPaceLimit = errors.New("cloudconnector: request held back by the API's rate limit")
	// ErrUnreachable: no connection to the endpoint (refused, no route, a
	// name that does not resolve, a proxy that refuses). The message names the URL.
	ErrUnreachable = errors.New("cloudconnector: endpoint unreachable")
	// ErrTimeout: the endpoint took the connection but gave no answer within
	// the per-request timeout, or the operation's time ran out. The message names the URL.
	ErrTimeout = errors.New("cloudconnector: no answer in time")
	// ErrTLS: the endpoint's TLS certificate failed verification (an unknown
	// authority, a wrong host name, expired): nothing was sent, and trying
	// again cannot help. The message names the URL.
	ErrTLS = errors.New("cloudconnector: TLS certificate not trusted")
)

// Error codes of the API that select a more specific sentinel.
const (
	codeOneAPIOnly  = "ONLY_ONEAPI_SUPPORTED"
	codeKeyDisabled = "API_KEY_DISABLED"
)

// APIError is a non-2xx answer that the client gave up on.
type APIError struct {
	Op         string        // the client operation: list, edit, login, token, ...
	Method     string        // HTTP method
	Path       string        // path relative to the base URL (the token URL's path for token requests)
	StatusCode int           // HTTP status
	Code       string        // the API's error code, when its body had one
	Message    string        // the API's message, sanitized and with known secrets replaced by ***
	RetryAfter time.Duration // for 429: how long the server asked to wait (at least 1 s)

	// description of a body that carried no API error ("a text/html body"); empty otherwise
	bodyNote string
}

// Error describes the answer from its status, code and message only.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s %s): HTTP %d", e.Op, e.Method, e.Path, e.StatusCode)
	if txt := http.StatusText(e.StatusCode); txt != "" && e.Code == "" && e.Message == "" {
		fmt.Fprintf(&b, " %s", txt)
	}
	if e.bodyNote != "" {
		fmt.Fprintf(&b, " with %s", e.bodyNote)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (server asked to wait %s)", e.RetryAfter)
	}
	return b.String()
}

// Is maps the status and code to the package's sentinel errors.
func (e *APIError) Is(target error) bool {
	s := e.StatusCode
	switch target {
	case ErrInvalidInput:
		return s == http.StatusBadRequest
	case ErrLoginRefused:
		return (e.Op == OpLogin || e.Op == OpToken) && (s == http.StatusBadRequest || s == http.StatusUnauthorized)
	case ErrUnauthorized:
		return s == http.StatusUnauthorized
	case ErrForbidden:
		return s == http.StatusForbidden
	case ErrOneAPIOnly:
		return s == http.StatusForbidden && e.Code == codeOneAPIOnly
	case ErrKeyDisabled:
		return s == http.StatusForbidden && e.Code == codeKeyDisabled
	case ErrNotFound:
		return s == http.StatusNotFound
	case ErrNotSupported:
		return s == http.StatusMethodNotAllowed || s == http.StatusNotImplemented
	case ErrEditLocked:
		return s == http.StatusConflict
	case ErrRateLimited:
		return s == http.StatusTooManyRequests
	case ErrServer:
		return s >= 500 && s != http.StatusNotImplemented
	}
	return false
}

// TransportError is a request that got no HTTP answer. Its message is
// redacted; the cause stays reachable for errors.Is and errors.As.
type TransportError struct {
	Op  string // the client operation: list, edit, login, token, ...
	URL string // where the request went, without its query

	msg   string
	kind  error // ErrUnreachable, ErrTimeout, or nil
	cause error
}

func (e *TransportError) Error() string        { return e.msg }
func (e *TransportError) Unwrap() error        { return e.cause }
func (e *TransportError) Is(target error) bool { return e.kind != nil && target == e.kind }

// outcomeError says that a write may or may not have happened.
type outcomeError struct {
	msg   string
	first error // what the write met
	check error // why checking failed; nil when the write's answer was unreadable
}

func (e *outcomeError) Error() string { return e.msg }
func (e *outcomeError) Unwrap() []error {
	errs := []error{ErrOutcomeUnknown, e.first}
	if e.check != nil {
		errs = append(errs, e.check)
	}
	return errs
}

func newOutcomeError(op string, first, check error) error {
	msg := fmt.Sprintf("%s: the request failed (%v)", op, first)
	if check != nil {
		msg += fmt.Sprintf(" and checking whether it took effect failed too (%v)", check)
	} else {
		msg += " and whether it took effect could not be confirmed"
	}
	msg += "; the outcome is unknown: refresh (list the keys) before trying again"
	return &outcomeError{msg: msg, first: first, check: check}
}

// validationError is a request refused before it reached the network.
type validationError struct{ msg string }

func (e *validationError) Error() string        { return e.msg }
func (e *validationError) Is(target error) bool { return target == ErrInvalidInput }

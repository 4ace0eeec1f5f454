package client

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// Operation names, as used in APIError.Op, Stats and debug logs.
const (
	OpLogin      = "login"
	OpToken      = "token"
	OpLogout     = "logout"
	OpList       = "list"
	OpRegenerate = "regenerate"
	OpAdd        = "add"
	OpEdit       = "edit"
	OpDelete     = "delete"
)

// APIKey is a key as the API reports it. Value is the secret key string;
// String and GoString never show it.
type APIKey struct {
	ID               int64
	Value            string
	Enabled          bool
	Permissions      []string
	LastModifiedTime time.Time
	LastModifiedByID int64
	LastModifiedBy   string
	Partner          *Partner // nil for the organization key
	// Reported says which optional fields the answer carried: a write's
	// answer may leave some out, and absent is neither false nor empty.
	Reported ReportedFields
}

// ReportedFields names the optional fields of a key object that an answer held.
type ReportedFields struct {
	Enabled, Permissions, LastModified bool
}

// Complete reports whether the answer held every optional field.
func (r ReportedFields) Complete() bool { return r.Enabled && r.Permissions && r.LastModified }

// Partner names the partner a partner key belongs to.
type Partner struct {
	ID   int64
	Name string
}

// IsOrganizationKey reports whether the key is the organization's own (not a partner's).
func (k APIKey) IsOrganizationKey() bool { return k.Partner == nil }

// String describes the key without its value.
func (k APIKey) String() string {
	owner := "organization"
	if k.Partner != nil {
		owner = fmt.Sprintf("partner %d %q", k.Partner.ID, k.Partner.Name)
	}
	return fmt.Sprintf("APIKey{ID: %d, Value: ***, Enabled: %t, Owner: %s, LastModified: %s by %q}",
		k.ID, k.Enabled, owner, k.LastModifiedTime.Format(time.RFC3339), k.LastModifiedBy)
}

// GoString is the Go-syntax form with the value replaced.
func (k APIKey) GoString() string {
	partner := "nil"
	if k.Partner != nil {
		partner = fmt.Sprintf("&client.Partner{ID:%d, Name:%q}", k.Partner.ID, k.Partner.Name)
	}
	return fmt.Sprintf("client.APIKey{ID:%d, Value:\"***\", Enabled:%t, Permissions:%#v, LastModifiedTime:%q, LastModifiedByID:%d, LastModifiedBy:%q, Partner:%s}",
		k.ID, k.Enabled, k.Permissions, k.LastModifiedTime.Format(time.RFC3339), k.LastModifiedByID, k.LastModifiedBy, partner)
}

// Stats counts what the client did since it was made.
type Stats struct {
	Logins      int            // login and token requests sent
	Requests    map[string]int // HTTP requests sent, by op (login, token and logout included)
	Retries     int            // attempts repeated after a failure (the one repeat after a re-login is not counted)
	RateLimited int            // 429 answers met
	Sleeps      int            // waits, for the pace and before retries
	Slept       time.Duration  // their total length
}

// String lists the counts in a stable order.
func (s Stats) String() string {
	var ops []string
	for _, op := range []string{OpLogin, OpToken, OpLogout, OpList, OpRegenerate, OpAdd, OpEdit, OpDelete} {
		if n := s.Requests[op]; n > 0 {
			ops = append(ops, fmt.Sprintf("%s=%d", op, n))
		}
	}
	return fmt.Sprintf("logins=%d requests{%s} retries=%d rate-limited=%d sleeps=%d slept=%s",
		s.Logins, strings.Join(ops, " "), s.Retries, s.RateLimited, s.Sleeps, s.Slept)
}

func (s Stats) clone() Stats {
	s.Requests = maps.Clone(s.Requests)
	if s.Requests == nil {
		s.Requests = map[string]int{}
	}
	return s
}

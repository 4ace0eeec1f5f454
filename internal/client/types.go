package client

import (
	"fmt"
	"time"
)

// Operation names, as used in APIError.Op and debug logs.
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
	LastModifiedBy   string
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

// String describes the key without its value.
func (k APIKey) String() string {
	return fmt.Sprintf("APIKey{ID: %d, Value: ***, Enabled: %t, Permissions: %v, LastModified: %s by %q}",
		k.ID, k.Enabled, k.Permissions, k.LastModifiedTime.Format(time.RFC3339), k.LastModifiedBy)
}

// GoString is String, so that %#v cannot print the value either.
func (k APIKey) GoString() string { return k.String() }

package provider

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// The resource's private state: JSON under these keys, never a key string
// or anything derived from one.
const (
	// privateImport marks state written by ImportState, so that Read checks
	// the imported ID strictly and records the import as an adoption.
	privateImport = "import"
	// privateLastTakeover is what this object itself last did to the key
	// (a takeoverRecord). Only Create, Update and an import write it; a
	// refresh never does, so it still tells, after the key has changed,
	// whether that change was this object's own.
	privateLastTakeover = "last_takeover"
	// privateDestroyPlan is written by a destroy plan that deletes the key
	// (a keyVersion: the key that plan saw), and read by Delete. A
	// replacement's Delete never carries it: Terraform gives that Delete the
	// private state of the replacement's create plan.
	privateDestroyPlan = "destroy_plan"
	// privateReplacing is written by an update plan for Terraform's second
	// plan call of a replacement (a replacingNote); nothing keeps it.
	privateReplacing = "replacing"
	// privateLegacyWOApplied is what earlier versions kept for key_wo: the
	// time and author of the last change they applied, or earlier still a
	// SHA-256 of the ID and the string. Read turns it into a takeoverRecord
	// or drops it.
	privateLegacyWOApplied = "key_wo_applied"
)

// keyVersion names one state of a key: its ID and its last change as the
// API reports it (time in RFC 3339, "" where the API did not say).
type keyVersion struct {
	ID   int64  `json:"id"`
	Time string `json:"last_modified_time"`
	By   string `json:"last_modified_by"`
}

// versionOf is the version of key as the API reported it.
func versionOf(key client.APIKey) keyVersion {
	v := keyVersion{ID: key.ID, By: key.LastModifiedBy}
	if !key.LastModifiedTime.IsZero() {
		v.Time = key.LastModifiedTime.UTC().Format(time.RFC3339)
	}
	return v
}

// How an object came to hold the key it records.
const (
	takeoverWrite   = "write"   // it added, edited or regenerated the key
	takeoverAdopt   = "adopt"   // it adopted the key as it was (create, import, update)
	takeoverUnknown = "unknown" // its regenerate's outcome is unknown; Version is the key before it
	takeoverSeen    = "seen"    // a refresh filled in a record that state from earlier versions lacked
)

// takeoverRecord is an object's record of its last write or adoption.
type takeoverRecord struct {
	How     string     `json:"how"`
	Version keyVersion `json:"version"`
}

// owns reports whether the record proves that this object holds the key as
// it is now: it wrote or adopted the key, and the key has not changed since.
// Without such proof nothing may delete the key.
func (r takeoverRecord) owns(now keyVersion) bool {
	return (r.How == takeoverWrite || r.How == takeoverAdopt) && r.Version.Time != "" && r.Version == now
}

// replacingNote tells Terraform's second plan call of a replacement (the
// create half, which has no prior state) what the first call saw.
type replacingNote struct {
	// KeyChangeAnnounced: the first plan warned that the key changes
	// (a trigger change, an edit), so the create half may change it.
	KeyChangeAnnounced bool `json:"key_change_announced"`
	// OldObjectDeletes: the object being replaced would delete the key if
	// destroyed later (delete_on_destroy, and it still owns the key).
	OldObjectDeletes bool `json:"old_object_deletes"`
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// getPrivate decodes the JSON under key into v. found is false where there is
// nothing, or nothing this version can read: private state from elsewhere is
// never a reason to fail a plan.
func getPrivate(ctx context.Context, private privateGetter, key string, v any) (found bool) {
	if private == nil {
		return false
	}
	raw, diags := private.GetKey(ctx, key)
	if diags.HasError() || len(raw) == 0 {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

// setPrivate stores v as JSON under key; nil removes the key.
func setPrivate(ctx context.Context, diags *diag.Diagnostics, private privateSetter, key string, v any) {
	var raw []byte
	if v != nil {
		raw, _ = json.Marshal(v) // structs of strings, numbers and booleans: it cannot fail
	}
	diags.Append(private.SetKey(ctx, key, raw)...)
}

// lastTakeover reads the object's record; found is false where it has none
// this version can use.
func lastTakeover(ctx context.Context, private privateGetter) (takeoverRecord, bool) {
	var r takeoverRecord
	if !getPrivate(ctx, private, privateLastTakeover, &r) || r.How == "" || r.Version.ID <= 0 {
		return takeoverRecord{}, false
	}
	return r, true
}

// dropPlanNotes removes what a plan wrote for the apply that follows it, so
// that it never outlives that apply in state.
func dropPlanNotes(ctx context.Context, diags *diag.Diagnostics, private privateSetter) {
	setPrivate(ctx, diags, private, privateDestroyPlan, nil)
	setPrivate(ctx, diags, private, privateReplacing, nil)
}

package provider

import (
	"context"
	"strconv"
)

// keyChange is what an update plan does to the key string, decided once from
// the configuration, the prior state and the object's takeover record, so
// that the plan and the Update that applies it agree.
type keyChange struct {
	changes bool
	// fromKey is the string from key, when the plan edits the key to it.
	fromKey string
	// fromKeyWO: the plan applies key_wo (a new key_wo_version, or drift).
	fromKeyWO bool
	// driftedTo is set when key_wo is applied again because the key changed
	// outside Terraform: the key as the refresh found it.
	driftedTo *keyVersion
}

// planKeyChange compares the configuration with the prior state.
func planKeyChange(ctx context.Context, config, state apiKeyResourceModel, private privateGetter) keyChange {
	switch {
	case config.Key.IsUnknown():
		return keyChange{changes: true}
	case !config.Key.IsNull():
		if config.Key.Equal(state.Key) {
			return keyChange{}
		}
		return keyChange{changes: true, fromKey: config.Key.ValueString()}
	case config.KeyWOVersion.IsNull():
		return keyChange{}
	case config.KeyWOVersion.IsUnknown() || !config.KeyWOVersion.Equal(state.KeyWOVersion):
		return keyChange{changes: true, fromKeyWO: true}
	}
	// The same key_wo_version: apply key_wo again only where the key changed
	// since this object last set it. Without a record of when that was (state
	// from an earlier version, say) there is nothing to compare with.
	record, found := lastTakeover(ctx, private)
	now := stateVersion(state)
	if found && record.Version.Time != "" && record.How != takeoverUnknown && record.Version != now {
		return keyChange{changes: true, fromKeyWO: true, driftedTo: &now}
	}
	return keyChange{}
}

// stateVersion is the version of the key as the state records it.
func stateVersion(m apiKeyResourceModel) keyVersion {
	id, _ := strconv.ParseInt(m.ID.ValueString(), 10, 64)
	return keyVersion{ID: id, Time: m.LastModifiedTime.ValueString(), By: m.LastModifiedBy.ValueString()}
}

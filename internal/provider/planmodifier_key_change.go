package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// privateKeyWOApplied is the private-state key under which the resource keeps
// what the API reported about the change that last applied key_wo: its time
// and author. A later change by anyone shows as a different time or author,
// which is how drift shows without the string or any digest of it.
const privateKeyWOApplied = "key_wo_applied"

type woApplied struct {
	LastModifiedTime string `json:"last_modified_time"`
	LastModifiedBy   string `json:"last_modified_by"`
}

// privateGetter is the read side of the framework's private state, which
// plan modifier and CRUD requests both carry.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// keyChange says whether an update plan changes the key string, and from where.
type keyChange struct {
	changes bool
	// fromKey is the string from key, when the plan changes the key to it.
	fromKey string
	// fromKeyWO is set when the plan applies key_wo (a new version, or drift).
	fromKeyWO bool
}

// planKeyChange compares the configuration with the prior state. It is used
// both by the plan modifiers and by Update, so that they agree.
func planKeyChange(ctx context.Context, config, state apiKeyResourceModel, private privateGetter) (keyChange, diag.Diagnostics) {
	var diags diag.Diagnostics
	key, stateKey, lastTime, lastBy := config.Key, state.Key, state.LastModifiedTime, state.LastModifiedBy
	configVersion, stateVersion := config.KeyWOVersion, state.KeyWOVersion
	switch {
	case key.IsUnknown():
		return keyChange{changes: true}, diags
	case !key.IsNull():
		if key.Equal(stateKey) {
			return keyChange{}, diags
		}
		return keyChange{changes: true, fromKey: key.ValueString()}, diags
	case configVersion.IsNull():
		return keyChange{}, diags
	case configVersion.IsUnknown() || !configVersion.Equal(stateVersion):
		return keyChange{changes: true, fromKeyWO: true}, diags
	}
	applied, found, d := readWOApplied(ctx, private)
	diags.Append(d...)
	if found && (applied.LastModifiedTime != lastTime.ValueString() || applied.LastModifiedBy != lastBy.ValueString()) {
		// Changed outside Terraform since key_wo was applied: apply it again.
		return keyChange{changes: true, fromKeyWO: true}, diags
	}
	return keyChange{}, diags
}

// setWOApplied records the last change as the model shows it after a write.
func setWOApplied(ctx context.Context, private privateSetter, m apiKeyResourceModel) diag.Diagnostics {
	raw, err := json.Marshal(woApplied{LastModifiedTime: m.LastModifiedTime.ValueString(), LastModifiedBy: m.LastModifiedBy.ValueString()})
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the applied key_wo", err.Error())
		return diags
	}
	return private.SetKey(ctx, privateKeyWOApplied, raw)
}

// readWOApplied returns what setWOApplied recorded; found is false where
// nothing (or nothing readable) was, as after an import.
func readWOApplied(ctx context.Context, private privateGetter) (woApplied, bool, diag.Diagnostics) {
	var v woApplied
	if private == nil {
		return v, false, nil
	}
	raw, diags := private.GetKey(ctx, privateKeyWOApplied)
	if diags.HasError() || len(raw) == 0 {
		return v, false, diags
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.LastModifiedTime == "" {
		// Unreadable, or written after an answer without the time: no basis for
		// a drift check, and a wrong one would re-apply key_wo at every plan.
		return woApplied{}, false, diags
	}
	return v, true, diags
}

// lastModifiedPlanModifier keeps last_modified_* from state unless the plan
// changes the key, in which case the API sets them anew.
type lastModifiedPlanModifier struct{}

func (lastModifiedPlanModifier) Description(context.Context) string {
	return "unknown when the plan changes the key; otherwise unchanged"
}

func (m lastModifiedPlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (lastModifiedPlanModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var config, state apiKeyResourceModel
	resp.Diagnostics.Append(getAPIKey(ctx, req.Config.Raw, &config)...)
	resp.Diagnostics.Append(getAPIKey(ctx, req.State.Raw, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	change, diags := planKeyChange(ctx, config, state, req.Private)
	resp.Diagnostics.Append(diags...)
	if change.changes {
		resp.PlanValue = types.StringUnknown()
	} else {
		resp.PlanValue = req.StateValue
	}
}

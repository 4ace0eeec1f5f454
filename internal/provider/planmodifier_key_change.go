package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// privateKeyWOApplied is the private-state key under which the resource keeps
// the fingerprint of the string it last applied from key_wo: the only way to
// notice, without storing the string, that someone changed it since.
const privateKeyWOApplied = "key_wo_applied"

type woApplied struct {
	Fingerprint string `json:"fingerprint"`
}

// privateGetter is the read side of the framework's private state, which
// plan modifier and CRUD requests both carry.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// keyChange says whether an update plan changes the key string, and the
// fingerprint it will have afterwards where that is known at plan time.
type keyChange struct {
	changes     bool
	fingerprint types.String
	// desired is the string from key, when the plan changes the key to it.
	fromKey string
	// fromKeyWO is set when the plan applies key_wo (a new version, or drift).
	fromKeyWO bool
}

// planKeyChange compares the configuration with the prior state. It is used
// both by the plan modifiers and by Update, so that they agree.
func planKeyChange(ctx context.Context, config tfsdk.Config, state tfsdk.State, private privateGetter) (keyChange, diag.Diagnostics) {
	var diags diag.Diagnostics
	var id, stateFP types.String
	var key types.String
	var configVersion, stateVersion types.Int64
	diags.Append(state.GetAttribute(ctx, path.Root("id"), &id)...)
	diags.Append(state.GetAttribute(ctx, path.Root("key_fingerprint"), &stateFP)...)
	diags.Append(state.GetAttribute(ctx, path.Root("key_wo_version"), &stateVersion)...)
	diags.Append(config.GetAttribute(ctx, path.Root("key"), &key)...)
	diags.Append(config.GetAttribute(ctx, path.Root("key_wo_version"), &configVersion)...)
	if diags.HasError() {
		return keyChange{}, diags
	}
	unchanged := keyChange{fingerprint: stateFP}
	switch {
	case key.IsUnknown():
		return keyChange{changes: true, fingerprint: types.StringUnknown()}, diags
	case !key.IsNull():
		fp := keyFingerprint(id.ValueString(), key.ValueString())
		if fp == stateFP.ValueString() {
			return unchanged, diags
		}
		return keyChange{changes: true, fingerprint: types.StringValue(fp), fromKey: key.ValueString()}, diags
	case configVersion.IsNull():
		return unchanged, diags
	case configVersion.IsUnknown() || !configVersion.Equal(stateVersion):
		// key_wo can come from an ephemeral value that differs between plan
		// and apply, so its fingerprint is known only after apply.
		return keyChange{changes: true, fingerprint: types.StringUnknown(), fromKeyWO: true}, diags
	}
	applied, d := readWOApplied(ctx, private)
	diags.Append(d...)
	if applied != "" && applied != stateFP.ValueString() {
		// Changed outside Terraform since key_wo was applied: apply it again.
		return keyChange{changes: true, fingerprint: types.StringUnknown(), fromKeyWO: true}, diags
	}
	return unchanged, diags
}

func readWOApplied(ctx context.Context, private privateGetter) (string, diag.Diagnostics) {
	if private == nil {
		return "", nil
	}
	raw, diags := private.GetKey(ctx, privateKeyWOApplied)
	if diags.HasError() || len(raw) == 0 {
		return "", diags
	}
	var v woApplied
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", diags
	}
	return v.Fingerprint, diags
}

// keyFingerprintPlanModifier shows a key change in the plan without the
// string: the new fingerprint where it is known, unknown where it is not.
type keyFingerprintPlanModifier struct{}

func (keyFingerprintPlanModifier) Description(context.Context) string {
	return "the new fingerprint when the plan changes the key; otherwise unchanged"
}

func (m keyFingerprintPlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keyFingerprintPlanModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	change, diags := planKeyChange(ctx, req.Config, req.State, req.Private)
	resp.Diagnostics.Append(diags...)
	resp.PlanValue = change.fingerprint
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
	change, diags := planKeyChange(ctx, req.Config, req.State, req.Private)
	resp.Diagnostics.Append(diags...)
	if change.changes {
		resp.PlanValue = types.StringUnknown()
	} else {
		resp.PlanValue = req.StateValue
	}
}

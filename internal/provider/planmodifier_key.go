package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// keyPlanModifier plans the key attribute when the configuration leaves it
// out: null while key_wo is in use (the string stays out of state), otherwise
// the string in state, which only a replacement changes.
type keyPlanModifier struct{}

func (keyPlanModifier) Description(context.Context) string {
	return "null while key_wo is used; otherwise unchanged unless set or the resource is replaced"
}

func (m keyPlanModifier) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (keyPlanModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var keyWO types.String
	var version types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("key_wo"), &keyWO)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("key_wo_version"), &version)...)
	if !keyWO.IsNull() || !version.IsNull() {
		resp.PlanValue = types.StringNull()
		return
	}
	if !req.State.Raw.IsNull() {
		resp.PlanValue = req.StateValue
	}
}

package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// keyArgumentsValidator checks how key, key_wo, key_wo_version and
// regenerate_triggers combine. The framework's ConflictsWith would say the same
// generic thing once per attribute; each conflict here speaks once, with the fix.
type keyArgumentsValidator struct{}

var _ resource.ConfigValidator = keyArgumentsValidator{}

func (keyArgumentsValidator) Description(context.Context) string {
	return "key, key_wo and regenerate_triggers exclude one another; key_wo and key_wo_version go together"
}

func (v keyArgumentsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (keyArgumentsValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var key, keyWO types.String
	var version types.Int64
	var triggers types.Map
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("key"), &key)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("key_wo"), &keyWO)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("key_wo_version"), &version)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("regenerate_triggers"), &triggers)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case isSet(key) && isSet(keyWO):
		resp.Diagnostics.AddAttributeError(path.Root("key_wo"), "Both key and key_wo are set",
			"Both set the key string. Keep key_wo (with key_wo_version) to keep the string out of state and plan, or key.")
	case isSet(triggers) && (isSet(key) || isSet(keyWO)):
		resp.Diagnostics.AddAttributeError(path.Root("regenerate_triggers"), "regenerate_triggers conflicts with key and key_wo",
			"regenerate_triggers gives the key a new random string; key and key_wo set your own. Keep one of them.")
	}
	switch {
	case isSet(keyWO) && version.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("key_wo"), "key_wo needs key_wo_version",
			"Terraform cannot see key_wo change, so key_wo_version says when to apply it. Add key_wo_version = 1, and "+
				"raise it whenever key_wo changes.")
	case isSet(version) && keyWO.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("key_wo_version"), "key_wo_version without key_wo",
			"key_wo_version says when to apply key_wo, which is not set. Set key_wo, or remove key_wo_version.")
	}
}

// isSet: known and not null. An unknown value may still turn out null, so it
// conflicts with nothing yet; Terraform validates again once it is known.
func isSet(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

var (
	_ action.Action              = (*apiKeyRegenerateAction)(nil)
	_ action.ActionWithConfigure = (*apiKeyRegenerateAction)(nil)
)

// apiKeyRegenerateAction regenerates the organization's key when invoked:
// the incident path, with no change to the configuration. It has no
// ModifyPlan, so planning an invocation makes no API call at all.
type apiKeyRegenerateAction struct {
	data *providerData
}

func newAPIKeyRegenerateAction() action.Action { return &apiKeyRegenerateAction{} }

func (a *apiKeyRegenerateAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key_regenerate"
}

func (a *apiKeyRegenerateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Regenerates the organization's API key once, when invoked (`terraform apply " +
			"-invoke=action.cloudconnector_api_key_regenerate.<name>`): a new random string under the same ID, " +
			"and the old string stops working at once. Never run by a plan. Takes no arguments.",
	}
}

func (a *apiKeyRegenerateAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (a *apiKeyRegenerateAction) Invoke(ctx context.Context, _ action.InvokeRequest, resp *action.InvokeResponse) {
	defer a.data.keyOpDone()
	progress := func(format string, args ...any) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf(format, args...)})
		}
	}

	progress("Listing the organization's API key")
	current, ok := a.data.listOrgKey(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	if !current.found {
		resp.Diagnostics.AddError("The organization has no API key to regenerate",
			"There is no key to regenerate. Add one with the cloudconnector_api_key resource (or in the admin portal, "+
				"Administration > API Key Management), then invoke the action again if you still need a new string.")
		return
	}

	progress("Regenerating key %d", current.key.ID)
	key, err := current.client.RegenerateAPIKey(current.ctx, current.key.ID)
	if err != nil {
		resp.Diagnostics.Append(a.data.apiError(opRegenerate, err, path.Empty()))
		return
	}
	_ = a.data.withMasks(ctx, key.Value) // remembered: masked in every later log line of this process
	progress("Key %d regenerated: its old string no longer works", key.ID)

	if a.data.legacyLogin() {
		resp.Diagnostics.AddWarning("The provider's login key changed",
			fmt.Sprintf("Key %d now has a new string.%s", key.ID,
				a.data.loginKeyNote("the new string, which the admin portal shows (Administration > API Key Management)")))
	}
}

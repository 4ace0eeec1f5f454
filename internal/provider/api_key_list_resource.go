package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ list.ListResource              = (*apiKeyListResource)(nil)
	_ list.ListResourceWithConfigure = (*apiKeyListResource)(nil)
)

// apiKeyListResource finds the organization's key for `terraform query`, so
// that -generate-config-out writes an import and a resource block that adopts
// the key unchanged. It only reads.
type apiKeyListResource struct {
	data *providerData
}

func newAPIKeyListResource() list.ListResource { return &apiKeyListResource{} }

func (l *apiKeyListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (l *apiKeyListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest,
	resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the organization's API key (there is at most one) with its identity. Takes no " +
			"arguments: the provider configuration says which organization.",
	}
}

func (l *apiKeyListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *apiKeyListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	current, ok := l.data.listOrgKey(ctx, &diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if !current.found {
		stream.Results = list.NoListResults
		return
	}
	ctx, key := current.ctx, current.key

	result := req.NewListResult(ctx)
	id := strconv.FormatInt(key.ID, 10)
	result.DisplayName = fmt.Sprintf("API key %s", id)
	result.Diagnostics.Append(result.Identity.Set(ctx, apiKeyIdentityModel{ID: types.StringValue(id)})...)
	if req.IncludeResource {
		// What a bare resource adopts: the key as it is, with no string in the
		// object, so that generated configuration never holds one.
		var m apiKeyResourceModel
		setKeyState(ctx, &result.Diagnostics, &m, key, true) // as key_wo: the string stays out
		m.Key = types.StringNull()
		m.KeyWO, m.KeyWOVersion = types.StringNull(), types.Int64Null()
		m.RegenerateTriggers = types.MapNull(types.StringType)
		m.DeleteOnDestroy = types.BoolValue(false)
		result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	}
	stream.Results = func(push func(list.ListResult) bool) { push(result) }
}

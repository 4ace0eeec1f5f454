package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ ephemeral.EphemeralResource              = (*apiKeyEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*apiKeyEphemeralResource)(nil)
)

// apiKeyEphemeralResource reads the organization's key for one run. Terraform
// opens ephemeral resources at plan time too, so it must never write.
type apiKeyEphemeralResource struct {
	data *providerData
}

func newAPIKeyEphemeralResource() ephemeral.EphemeralResource { return &apiKeyEphemeralResource{} }

type apiKeyEphemeralModel struct {
	ID      types.String `tfsdk:"id"`
	Key     types.String `tfsdk:"key"`
	Enabled types.Bool   `tfsdk:"enabled"`
}

func (e *apiKeyEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (e *apiKeyEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the organization's current API key for one Terraform run, without writing it to " +
			"state or plan: hand `key` to a write-only argument elsewhere (a secrets manager, say). It only reads; " +
			"opening it never regenerates or edits anything.",
		Attributes: map[string]schema.Attribute{
			"id":      schema.StringAttribute{Computed: true, MarkdownDescription: "The key's ID."},
			"key":     schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: "The key string."},
			"enabled": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the key is enabled."},
		},
	}
}

func (e *apiKeyEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *apiKeyEphemeralResource) Open(ctx context.Context, _ ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	current, ok := e.data.listOrgKey(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	if !current.found {
		resp.Diagnostics.AddError("The organization has no API key",
			"There is no key to read. Add one with the cloudconnector_api_key resource (or in the admin portal, "+
				"Administration > API Key Management), then run again.")
		return
	}
	key := current.key
	resp.Diagnostics.Append(resp.Result.Set(ctx, &apiKeyEphemeralModel{
		ID:      types.StringValue(strconv.FormatInt(key.ID, 10)),
		Key:     types.StringValue(key.Value),
		Enabled: types.BoolValue(key.Enabled),
	})...)
}

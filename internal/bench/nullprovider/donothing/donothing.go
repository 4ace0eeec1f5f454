// Package donothing is the benchmark's do-nothing provider: it accepts the
// same configuration as cloudconnector (provider arguments and a
// cloudconnector_api_key resource) and calls nothing. internal/bench/nullprovider
// serves it; the provider's in-process benchmark replays the same RPCs on it.
package donothing

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Source is the source address the benchmark configures for this provider.
// Its type name matches cloudconnector's, so that one configuration serves both.
const Source = "registry.terraform.io/benchnull/cloudconnector"

// New returns the do-nothing provider.
func New() provider.Provider { return nullProvider{} }

type nullProvider struct{}

func (nullProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cloudconnector"
}

// Schema takes every argument cloudconnector takes, so that the benchmark's
// provider blocks are valid here too; none of them is used.
func (nullProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := map[string]pschema.Attribute{
		"max_retries":     pschema.Int64Attribute{Optional: true},
		"request_timeout": pschema.Int64Attribute{Optional: true},
	}
	for _, name := range []string{"cloud", "base_url", "username", "client_id", "vanity_domain", "token_url"} {
		attrs[name] = pschema.StringAttribute{Optional: true}
	}
	for _, name := range []string{"password", "api_key", "client_secret", "private_key"} {
		attrs[name] = pschema.StringAttribute{Optional: true, Sensitive: true}
	}
	resp.Schema = pschema.Schema{Attributes: attrs}
}

func (nullProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (nullProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return nullKey{} }}
}

func (nullProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// nullKey stands in for cloudconnector_api_key: it keeps what the
// configuration says and never calls anything.
type nullKey struct{}

type nullKeyModel struct {
	ID  types.String `tfsdk:"id"`
	Key types.String `tfsdk:"key"`
}

func (nullKey) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (nullKey) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{Attributes: map[string]rschema.Attribute{
		"id": rschema.StringAttribute{
			Computed:      true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"key": rschema.StringAttribute{Optional: true, Sensitive: true},
	}}
}

func (nullKey) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m nullKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue("null")
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read leaves the state as it is: there is nothing to compare it with.
func (nullKey) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (nullKey) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m nullKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (nullKey) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

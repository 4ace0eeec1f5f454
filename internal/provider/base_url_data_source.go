package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

var (
	_ datasource.DataSource              = (*baseURLDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*baseURLDataSource)(nil)
)

// baseURLDataSource reports the API base URL without calling the API: the
// API does not return it, it follows from the cloud and the login mode.
type baseURLDataSource struct {
	data *providerData
}

func newBaseURLDataSource() datasource.DataSource { return &baseURLDataSource{} }

type baseURLDataSourceModel struct {
	Cloud    types.String `tfsdk:"cloud"`
	URL      types.String `tfsdk:"url"`
	AuthMode types.String `tfsdk:"auth_mode"`
}

func (d *baseURLDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_base_url"
}

func (d *baseURLDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Cloud & Branch Connector API base URL that this provider uses, as the portal shows " +
			"it beside the API key. It makes no API call. With `cloud` set to another cloud, it gives that cloud's URL " +
			"for the provider's login mode.",
		Attributes: map[string]schema.Attribute{
			"cloud": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The cloud to give the URL of: one of `" + strings.Join(client.Clouds(), "`, `") +
					"`. Default: the provider's cloud.",
				Validators: []validator.String{cloudValidator},
			},
			"url": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The API base URL. For the provider's own cloud this is exactly what its client " +
					"calls, `base_url` included when set.",
			},
			"auth_mode": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "How the provider logs in: `legacy` (session) or `oneapi` (OAuth2).",
			},
		},
	}
}

func (d *baseURLDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *baseURLDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model baseURLDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() || d.data == nil {
		return
	}
	s := d.data.settings
	cloud := s.cloud
	if !model.Cloud.IsNull() {
		cloud = cloudName(model.Cloud.ValueString()) // cloudValidator has checked it
	}
	url := s.client.BaseURL
	if cloud != s.cloud {
		u, err := client.BaseURL(cloud, s.authMode)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("cloud"), "No base URL for this cloud",
				fmt.Sprintf("cloud %q: %s.", cloud, err))
			return
		}
		url = u
	}
	model.Cloud = types.StringValue(cloud)
	model.URL = types.StringValue(url)
	model.AuthMode = types.StringValue(string(s.authMode))
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// Package provider is Terraform's side of the cloudconnector provider:
// schemas, validation, plan modifiers, CRUD and the diagnostics a user reads.
package provider

import (
	"context"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// TypeName is the provider's type name: the prefix of every resource and data source.
const TypeName = "cloudconnector"

// LookupEnv reads an environment variable; tests inject their own.
type LookupEnv func(key string) (string, bool)

var (
	_ provider.Provider                       = (*cloudConnectorProvider)(nil)
	_ provider.ProviderWithFunctions          = (*cloudConnectorProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*cloudConnectorProvider)(nil)
	_ provider.ProviderWithConfigValidators   = (*cloudConnectorProvider)(nil)
	_ provider.ProviderWithActions            = (*cloudConnectorProvider)(nil)
	_ provider.ProviderWithListResources      = (*cloudConnectorProvider)(nil)
)

type cloudConnectorProvider struct {
	version   string
	lookupEnv LookupEnv
}

// New returns the provider factory that main.go serves.
func New(version string) func() provider.Provider {
	return NewWithEnv(version, os.LookupEnv)
}

// NewWithEnv is New with the environment read through lookupEnv, so that
// tests can prove the env fallbacks without touching the process environment.
func NewWithEnv(version string, lookupEnv LookupEnv) func() provider.Provider {
	return func() provider.Provider {
		return &cloudConnectorProvider{version: version, lookupEnv: lookupEnv}
	}
}

// providerModel maps the provider block.
type providerModel struct {
	Cloud          types.String `tfsdk:"cloud"`
	BaseURL        types.String `tfsdk:"base_url"`
	Username       types.String `tfsdk:"username"`
	Password       types.String `tfsdk:"password"`
	APIKey         types.String `tfsdk:"api_key"`
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	PrivateKey     types.String `tfsdk:"private_key"`
	VanityDomain   types.String `tfsdk:"vanity_domain"`
	TokenURL       types.String `tfsdk:"token_url"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.Int64  `tfsdk:"request_timeout"`
}

func (p *cloudConnectorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

func (p *cloudConnectorProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a Zscaler Cloud & Branch Connector organization's API key. " +
			"Log in either with a legacy session (`username`, `password`, `api_key`) or with OneAPI " +
			"(`client_id` with `client_secret` or `private_key`, and `vanity_domain`). Every argument " +
			"can come from the environment variable named beside it, as in Zscaler's own provider. " +
			"The provider logs in only when an operation needs the API.",
		Attributes: map[string]schema.Attribute{
			"cloud": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Zscaler cloud that hosts the organization: one of `" +
					strings.Join(client.Clouds(), "`, `") + "`. Default `" + client.DefaultCloud +
					"`. Env: `" + envCloud + "`, then `" + envCloudVendor + "`.",
				Validators: []validator.String{cloudValidator},
			},
			"base_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Overrides the API base URL that `cloud` gives, for private endpoints " +
					"or a local simulator. `https` only; `http` is allowed for loopback hosts. Env: `" + envBaseURL + "`.",
				Validators: []validator.String{endpointURLValidator()},
			},
			"username": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Admin username for legacy login. Env: `" + envUsername + "`.",
				Validators:          notBlankValidators(),
			},
			"password": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Admin password for legacy login. Env: `" + envPassword + "`.",
				Validators:          notBlankValidators(),
			},
			"api_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The organization's API key for legacy login (the key this provider may " +
					"manage: see the guide on legacy login). Env: `" + envAPIKey + "`.",
				Validators: []validator.String{loginKeyValidator()},
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "OneAPI client ID; setting it selects OneAPI login. Env: `" + envClientID + "`.",
				Validators:          []validator.String{clientIDValidator()},
			},
			"client_secret": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "OneAPI client secret. Conflicts with `private_key`. Env: `" + envClientSecret + "`.",
				Validators:          notBlankValidators(),
			},
			"private_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "OneAPI client's RSA private key, PEM text or the path of a PEM file, " +
					"for a signed JWT assertion instead of a secret. Conflicts with `client_secret`. Env: `" +
					envPrivateKey + "`.",
				Validators: []validator.String{privateKeyValidator()},
			},
			"vanity_domain": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The organization's ZIdentity vanity domain (OneAPI). Env: `" + envVanityDomain + "`.",
				Validators:          []validator.String{vanityDomainValidator()},
			},
			"token_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Overrides the OneAPI token URL that `vanity_domain` and `cloud` give. Same " +
					"scheme rules as `base_url`. Env: `" + envTokenURL + "`.",
				Validators: []validator.String{endpointURLValidator()},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a request is retried after an edit lock (409), a rate " +
					"limit (429), a server error (5xx) or a dropped connection. Default `" +
					strconv.Itoa(defaultMaxRetries) + "`, at most `" + strconv.Itoa(maxMaxRetries) + "`.",
				Validators: []validator.Int64{int64validator.Between(0, maxMaxRetries)},
			},
			"request_timeout": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Seconds one request may take before it is abandoned (and retried where " +
					"safe). Default `" + strconv.Itoa(defaultRequestTimeoutSeconds) + "`, from 1 to `" +
					strconv.Itoa(maxRequestTimeoutSeconds) + "`. One operation, retries included, stops after 90 seconds " +
					"or one request_timeout, whichever is longer.",
				Validators: []validator.Int64{int64validator.Between(1, maxRequestTimeoutSeconds)},
			},
		},
	}
}

func (p *cloudConnectorProvider) ConfigValidators(context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{loginModeValidator{}}
}

func (p *cloudConnectorProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, diags := resolveSettings(model, p.lookupEnv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	data, diags := newProviderData(settings, p.version, req.TerraformVersion)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

func (p *cloudConnectorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newAPIKeyResource}
}

func (p *cloudConnectorProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newBaseURLDataSource}
}

func (p *cloudConnectorProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newAPIKeyEphemeralResource}
}

// Actions need Terraform 1.14; older versions do not ask for them.
func (p *cloudConnectorProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{newAPIKeyRegenerateAction}
}

// List resources need Terraform 1.14 (terraform query).
func (p *cloudConnectorProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{newAPIKeyListResource}
}

func (p *cloudConnectorProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{newBaseURLFunction}
}

// Address is the provider's registry address.
const Address = "registry.terraform.io/seed62df8d36/" + TypeName

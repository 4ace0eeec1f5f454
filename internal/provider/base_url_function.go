package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

var _ function.Function = (*baseURLFunction)(nil)

// baseURLFunction gives a cloud's API base URL with no provider configured,
// by the same rule as the data source.
type baseURLFunction struct{}

func newBaseURLFunction() function.Function { return &baseURLFunction{} }

func (f *baseURLFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "base_url"
}

func (f *baseURLFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The Cloud & Branch Connector API base URL of a cloud",
		MarkdownDescription: "Returns the API base URL of a Zscaler cloud, with no provider configuration and no API call: " +
			"`https://connector.<cloud>.net/api/v1` for legacy login, or the OneAPI URL when the optional second " +
			"argument is `\"oneapi\"`.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "cloud",
				MarkdownDescription: "One of `" + strings.Join(client.Clouds(), "`, `") + "`.",
				Validators:          []function.StringParameterValidator{cloudValidator},
			},
		},
		VariadicParameter: function.StringParameter{
			Name:                "auth_mode",
			MarkdownDescription: "Optional: `legacy` (the default) or `oneapi`. At most one.",
			Validators: []function.StringParameterValidator{
				stringvalidator.OneOfCaseInsensitive(string(client.AuthLegacy), string(client.AuthOneAPI)),
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *baseURLFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var cloud string
	var modes []string
	resp.Error = req.Arguments.Get(ctx, &cloud, &modes)
	if resp.Error != nil {
		return
	}
	// The parameters' validators have checked both names; how many modes is left to count.
	mode := client.AuthLegacy
	switch {
	case len(modes) > 1:
		resp.Error = argumentError(2, fmt.Sprintf("base_url takes at most one auth_mode, got %d: "+
			"give \"legacy\" or \"oneapi\"", len(modes)))
		return
	case len(modes) == 1:
		mode = client.AuthMode(strings.ToLower(modes[0]))
	}
	url, err := client.BaseURL(cloudName(cloud), mode)
	if err != nil {
		resp.Error = argumentError(1, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, url)
}

// argumentError reports a problem with argument i. Terraform ends the
// sentence with a period of its own, so msg must not.
func argumentError(i int64, msg string) *function.FuncError {
	return function.NewArgumentFuncError(i, strings.TrimRight(msg, "."))
}

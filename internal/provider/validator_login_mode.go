package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// loginModeValidator refuses, at validate time, a provider block that sets
// arguments of both logins. Env fallbacks are judged later, in Configure.
type loginModeValidator struct{}

func (loginModeValidator) Description(context.Context) string {
	return "legacy login (username, password, api_key) and OneAPI login (client_id, client_secret, private_key, vanity_domain) cannot be mixed"
}

func (v loginModeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (loginModeValidator) ValidateProvider(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if anyConfigured(m.Username, m.Password, m.APIKey) && anyConfigured(m.ClientID, m.ClientSecret, m.PrivateKey, m.VanityDomain) {
		noEnv := func(string) (string, bool) { return "", false }
		resp.Diagnostics.Append(mixedLoginError(loginSettings(m, noEnv)))
	}
}

// anyConfigured counts unknown values too: they will be set.
func anyConfigured(vs ...types.String) bool {
	for _, v := range vs {
		if !v.IsNull() {
			return true
		}
	}
	return false
}

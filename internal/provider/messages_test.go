package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// TestAccEndpointAndLoginMessages: the mistakes people make with the
// endpoint and the login, through Terraform, with the text they read: the
// URL and where it came from, the path that fits the login mode, advice for
// their mode only.
func TestAccEndpointAndLoginMessages(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	host := strings.TrimSuffix(sim.LegacyBaseURL(), "/api/v1")
	cases := []struct {
		name string
		env  *testsupport.Env
		want string // "" = the plan succeeds
	}{
		{"a bare host gets the legacy path", testsupport.LegacyEnv(sim, org).Set("ZTC_BASE_URL", host), ""},
		{"a bare host gets the OneAPI path", oneAPIEnv(sim, org).Set("ZTC_BASE_URL", host), ""},
		{"a path where no API answers", testsupport.LegacyEnv(sim, org).Set("ZTC_BASE_URL", host+"/zscaler"),
			"no Cloud & Branch Connector API answers at " + host + "/zscaler (from environment variable ZTC_BASE_URL)"},
		{"the legacy path with OneAPI login", oneAPIEnv(sim, org).Set("ZTC_BASE_URL", host+"/api/v1"),
			"environment variable ZTC_BASE_URL: " + host + "/api/v1 ends in /api/v1, the API path of legacy login, but " +
				"this provider logs in with OneAPI, whose API path is /ztw/api/v1; use " + host + "/ztw/api/v1."},
		{"the OneAPI path with legacy login", testsupport.LegacyEnv(sim, org).Set("ZTC_BASE_URL", host+"/ztw/api/v1"),
			"whose API path is /api/v1; use " + host + "/api/v1."},
		{"a wrong OneAPI secret", oneAPIEnv(sim, org).Set("ZSCALER_CLIENT_SECRET", "not-the-secret"),
			"The OneAPI token request was refused"},
		{"a wrong legacy password", testsupport.LegacyEnv(sim, org).Set("ZTC_PASSWORD", "not-the-password"),
			"The legacy login was refused"},
		{"no login at all", testsupport.NewEnv().Set("ZTC_BASE_URL", sim.LegacyBaseURL()),
			"This operation calls the Cloud & Branch Connector API, and the provider has no login. Set username, " +
				"password and api_key (ZTC_USERNAME, ZTC_PASSWORD, ZTC_API_KEY) for legacy login"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A plan to create makes no call (login is lazy); the apply meets the API.
			step := resource.TestStep{Config: apiKeyConfig(""), PlanOnly: true, ExpectNonEmptyPlan: true}
			if tc.want != "" {
				step = resource.TestStep{Config: apiKeyConfig(""), ExpectError: expectErrorText(tc.want)}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: envFactories(tc.env),
				Steps:                    []resource.TestStep{step},
			})
		})
	}
	t.Cleanup(func() {
		if n := writes(sim.Counts()); n[simulator.OpEdit]+n[simulator.OpRegenerate]+n[simulator.OpAdd]+n[simulator.OpDelete] != 0 {
			t.Errorf("plans wrote to the API: %v", n)
		}
	})
}

// TestAPIErrorAdviceFitsTheLoginMode: a refused login or call gets the
// advice of the mode the provider logs in with, and none of the other's.
func TestAPIErrorAdviceFitsTheLoginMode(t *testing.T) {
	refused := &client.APIError{Op: client.OpLogin, Method: "POST", Path: "/auth", StatusCode: 400}
	forbidden := &client.APIError{Op: client.OpList, Method: "GET", Path: "/apiKeys", StatusCode: 403}
	for _, tc := range []struct {
		mode          client.AuthMode
		err           error
		want, mustNot string
	}{
		{client.AuthLegacy, refused, "Check username, password and api_key", "client_id"},
		{client.AuthOneAPI, &client.APIError{Op: client.OpToken, Method: "POST", Path: "/oauth2/v1/token", StatusCode: 401},
			"Check client_id and its client_secret or private_key", "api_key"},
		{client.AuthLegacy, forbidden, "Administration > Role Management", "ZIdentity"},
		{client.AuthOneAPI, forbidden, "ZIdentity", "Role Management"},
	} {
		d := &providerData{settings: settings{authMode: tc.mode}}
		detail := d.apiError(opRead, tc.err, path.Empty()).Detail()
		if !strings.Contains(detail, tc.want) || strings.Contains(detail, tc.mustNot) {
			t.Errorf("%v, %v: %q; want %q and no %q", tc.mode, tc.err, detail, tc.want, tc.mustNot)
		}
	}
}

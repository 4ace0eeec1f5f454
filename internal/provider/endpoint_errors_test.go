package provider

import (
	"net"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// silentEndpoint accepts connections and never answers on them.
func silentEndpoint(t *testing.T) string {
	host, _ := testsupport.SilentListener(t)
	return host
}

// refusingEndpoint is a loopback address where nothing listens.
func refusingEndpoint(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

// TestAccEndpointErrorsNameTheURL: an endpoint that never answers, or that
// refuses the connection, fails the apply with the URL and what to check,
// in either login mode; request_timeout is short so that the test is too.
func TestAccEndpointErrorsNameTheURL(t *testing.T) {
	silent, refusing := silentEndpoint(t), refusingEndpoint(t)
	legacy := func(host string) *testsupport.Env {
		return testsupport.NewEnv().Set(envBaseURL, host+"/api/v1").
			Set(envUsername, "admin@acme.example").Set(envPassword, "Pa55word-zebra").Set(envAPIKey, "AbCd12EfGh34")
	}
	oneAPI := func(host string) *testsupport.Env {
		return testsupport.NewEnv().Set(envBaseURL, host+"/ztw/api/v1").Set(envTokenURL, host+"/oauth2/v1/token").
			Set(envClientID, "client-abc").Set(envClientSecret, "client-secret-xyz")
	}
	for _, tc := range []struct {
		name string
		env  *testsupport.Env
		want string
	}{
		{"legacy login to a silent endpoint", legacy(silent),
			"login (POST /auth): no answer from " + silent + "/api/v1/auth within 1s (the per-request timeout). " +
				"The endpoint took the connection but sent no answer. Check that the URL (from environment variable " +
				"ZTC_BASE_URL) points at the API, and any proxy (HTTPS_PROXY); raise request_timeout only if the API " +
				"is known to be slow."},
		{"OneAPI token from a silent endpoint", oneAPI(silent),
			"token (POST /oauth2/v1/token): no answer from " + silent + "/oauth2/v1/token within 1s (the per-request timeout). " +
				"The endpoint took the connection but sent no answer. Check that the URL (from token_url or " +
				"ZSCALER_TOKEN_URL, else vanity_domain) points at the API"},
		{"legacy login to a refusing endpoint", legacy(refusing),
			"login (POST /auth): cannot reach " + refusing + "/api/v1/auth: connection refused. Check the URL (from " +
				"environment variable ZTC_BASE_URL), that this machine can reach it, and any proxy (HTTPS_PROXY, NO_PROXY)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: envFactories(tc.env),
				Steps: []resource.TestStep{{
					Config: tunedConfig(1, 1, ""),
					// the summary, then (after the resource's address) the detail
					ExpectError: regexp.MustCompile(expectErrorText("Cannot read the organization's API key").String() +
						`[\s\S]*` + expectErrorText(tc.want).String()),
				}},
			})
		})
	}
}

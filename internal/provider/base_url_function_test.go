package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

const everyCloudFunction = `
variable "clouds" { type = list(string) }
variable "mode" { type = string }

output "urls" {
  value = { for cloud in var.clouds : cloud => provider::cloudconnector::base_url(cloud, var.mode) }
}
`

// TestAccBaseURLFunctionEveryCloud: the function gives the same URLs as the
// data source, with no provider block at all.
func TestAccBaseURLFunctionEveryCloud(t *testing.T) {
	for mode, urls := range map[string]map[string]string{"legacy": legacyURLs, "oneapi": oneAPIURLs} {
		t.Run(mode, func(t *testing.T) {
			vars := cloudsVariable(urls)
			vars["mode"] = config.StringVariable(mode)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories(nil),
				Steps: []resource.TestStep{{
					Config:          withTerraformBlock(everyCloudFunction),
					ConfigVariables: vars,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownOutputValue("urls", expectURLs(urls)),
					},
				}},
			})
		})
	}
}

func TestAccBaseURLFunctionDefaultsToLegacy(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories(nil),
		Steps: []resource.TestStep{{
			Config: withTerraformBlock(`output "url" { value = provider::cloudconnector::base_url("zscalertwo") }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("url", knownvalue.StringExact("https://connector.zscalertwo.net/api/v1")),
			},
		}},
	})
}

func TestAccBaseURLFunctionErrors(t *testing.T) {
	cases := map[string]struct{ call, want string }{
		"unknown cloud":      {`base_url("zscalerx")`, `Invalid Parameter Value Match: value must be one of: ["zscaler" "zscalerone" "zscalertwo" "zscalerthree" "zscloud" "zscalerbeta" "zscalergov" "zscalerten" "zspreview"], got: "zscalerx".` + "\n"},
		"no OneAPI there":    {`base_url("zscalerten", "oneapi")`, `OneAPI is not offered on cloud "zscalerten"`},
		"unknown login mode": {`base_url("zscaler", "saml")`, `Invalid Parameter Value Match: value must be one of: ["legacy" "oneapi"], got: "saml".` + "\n"},
		"two login modes":    {`base_url("zscaler", "legacy", "oneapi")`, `base_url takes at most one auth_mode, got 2`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories(nil),
				Steps: []resource.TestStep{{
					Config:      withTerraformBlock(`output "url" { value = provider::cloudconnector::` + tc.call + ` }`),
					ExpectError: expectErrorText(tc.want),
				}},
			})
		})
	}
}

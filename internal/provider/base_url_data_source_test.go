package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Written out by hand from the API contract's host table, so that the tests
// check the code rather than repeat it.
var legacyURLs = map[string]string{
	"zscaler":      "https://connector.zscaler.net/api/v1",
	"zscalerone":   "https://connector.zscalerone.net/api/v1",
	"zscalertwo":   "https://connector.zscalertwo.net/api/v1",
	"zscalerthree": "https://connector.zscalerthree.net/api/v1",
	"zscloud":      "https://connector.zscloud.net/api/v1",
	"zscalerbeta":  "https://connector.zscalerbeta.net/api/v1",
	"zscalergov":   "https://connector.zscalergov.net/api/v1",
	"zscalerten":   "https://connector.zscalerten.net/api/v1",
	"zspreview":    "https://connector.zspreview.net/api/v1",
}

var oneAPIURLs = map[string]string{
	"zscaler":      "https://api.zsapi.net/ztw/api/v1",
	"zscalerone":   "https://api.zscalerone.zsapi.net/ztw/api/v1",
	"zscalertwo":   "https://api.zscalertwo.zsapi.net/ztw/api/v1",
	"zscalerthree": "https://api.zscalerthree.zsapi.net/ztw/api/v1",
	"zscloud":      "https://api.zscloud.zsapi.net/ztw/api/v1",
	"zscalerbeta":  "https://api.zscalerbeta.zsapi.net/ztw/api/v1",
	"zspreview":    "https://api.zspreview.zsapi.net/ztw/api/v1",
}

func expectURLs(urls map[string]string) knownvalue.Check {
	checks := map[string]knownvalue.Check{}
	for cloud, url := range urls {
		checks[cloud] = knownvalue.StringExact(url)
	}
	return knownvalue.MapExact(checks)
}

// count rather than for_each: terraform-plugin-testing's state shim does not
// take string-keyed instances.
const everyCloudData = `
variable "clouds" { type = list(string) }

data "cloudconnector_base_url" "each" {
  count = length(var.clouds)
  cloud = var.clouds[count.index]
}

output "urls" {
  value = { for d in data.cloudconnector_base_url.each : d.cloud => d.url }
}

output "modes" {
  value = distinct([for d in data.cloudconnector_base_url.each : d.auth_mode])
}
`

func cloudsVariable(urls map[string]string) config.Variables {
	var clouds []config.Variable
	for cloud := range urls {
		clouds = append(clouds, config.StringVariable(cloud))
	}
	return config.Variables{"clouds": config.ListVariable(clouds...)}
}

// TestAccBaseURLDataSourceEveryCloud: the URL of every cloud in both login
// modes, read through a provider configured for another cloud.
func TestAccBaseURLDataSourceEveryCloud(t *testing.T) {
	oneAPI := map[string]string{"ZSCALER_CLIENT_ID": "abc", "ZSCALER_CLIENT_SECRET": "s3cret", "ZSCALER_VANITY_DOMAIN": "acme", "ZSCALER_CLOUD": "zscalerbeta"}
	for _, tc := range []struct {
		mode string
		env  map[string]string
		urls map[string]string
	}{
		{"legacy", map[string]string{"ZTC_CLOUD": "zscalertwo"}, legacyURLs},
		{"oneapi", oneAPI, oneAPIURLs},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories(tc.env),
				Steps: []resource.TestStep{{
					Config:          withTerraformBlock(everyCloudData),
					ConfigVariables: cloudsVariable(tc.urls),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownOutputValue("urls", expectURLs(tc.urls)),
						statecheck.ExpectKnownOutputValue("modes", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(tc.mode)})),
					},
				}},
			})
		})
	}
}

// TestAccBaseURLDataSourceOverride: with base_url set, the data source gives
// exactly what the client calls for the provider's cloud, and the cloud's own
// URL for any other cloud.
func TestAccBaseURLDataSourceOverride(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories(map[string]string{"ZTC_CLOUD": "zscalerthree"}),
		Steps: []resource.TestStep{{
			Config: withTerraformBlock(`
provider "cloudconnector" {
  base_url = "https://ztc.private.example.com/api/v1/"
}

data "cloudconnector_base_url" "own" {}

data "cloudconnector_base_url" "same_cloud" {
  cloud = "ZscalerThree"
}

data "cloudconnector_base_url" "other" {
  cloud = "zscloud"
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudconnector_base_url.own", tfjsonpath.New("url"), knownvalue.StringExact("https://ztc.private.example.com/api/v1")),
				statecheck.ExpectKnownValue("data.cloudconnector_base_url.own", tfjsonpath.New("cloud"), knownvalue.StringExact("zscalerthree")),
				statecheck.ExpectKnownValue("data.cloudconnector_base_url.same_cloud", tfjsonpath.New("url"), knownvalue.StringExact("https://ztc.private.example.com/api/v1")),
				statecheck.ExpectKnownValue("data.cloudconnector_base_url.same_cloud", tfjsonpath.New("cloud"), knownvalue.StringExact("zscalerthree")),
				statecheck.ExpectKnownValue("data.cloudconnector_base_url.other", tfjsonpath.New("url"), knownvalue.StringExact("https://connector.zscloud.net/api/v1")),
			},
		}},
	})
}

// TestAccBaseURLDataSourceErrors: an unknown cloud, and a cloud without
// OneAPI asked for by a OneAPI provider.
func TestAccBaseURLDataSourceErrors(t *testing.T) {
	oneAPI := map[string]string{"ZSCALER_CLIENT_ID": "abc", "ZSCALER_CLIENT_SECRET": "s3cret", "ZSCALER_VANITY_DOMAIN": "acme"}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories(oneAPI),
		Steps: []resource.TestStep{
			{
				Config:      withTerraformBlock(`data "cloudconnector_base_url" "x" { cloud = "zscalerx" }`),
				ExpectError: expectErrorText(`Attribute cloud value must be one of: ["zscaler" "zscalerone" "zscalertwo" "zscalerthree" "zscloud" "zscalerbeta" "zscalergov" "zscalerten" "zspreview"], got: "zscalerx"`),
			},
			{
				Config:      withTerraformBlock(`data "cloudconnector_base_url" "x" { cloud = "zscalergov" }`),
				ExpectError: expectErrorText(`OneAPI is not offered on cloud "zscalergov": use legacy login`),
			},
		},
	})
}

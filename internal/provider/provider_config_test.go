package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const baseURLData = `
data "cloudconnector_base_url" "this" {}
`

// TestAccProviderConfigErrors: every configuration error, through Terraform,
// with the words the user reads.
func TestAccProviderConfigErrors(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(notPEM, []byte("this is not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		provider string
		env      map[string]string
		want     string
	}{
		{
			name:     "unknown cloud lists the valid ones",
			provider: `cloud = "zscalerfour"`,
			want:     `Attribute cloud value must be one of: ["zscaler" "zscalerone" "zscalertwo" "zscalerthree" "zscloud" "zscalerbeta" "zscalergov" "zscalerten" "zspreview"], got: "zscalerfour"`,
		},
		{
			name: "unknown cloud from the environment names the variable",
			env:  map[string]string{"ZTC_CLOUD": "zscalerfour"},
			want: `environment variable ZTC_CLOUD is "zscalerfour", which is not a Zscaler cloud.`,
		},
		{
			name:     "half a legacy login names the missing argument and its variable",
			provider: `username = "admin@acme.com"`,
			want:     `password is not set. Set password in the provider block or the ZTC_PASSWORD environment variable`,
		},
		{
			name: "half a legacy login from the environment",
			env:  map[string]string{"ZTC_USERNAME": "admin@acme.com", "ZTC_PASSWORD": "pw"},
			want: `api_key is not set. Set api_key in the provider block or the ZTC_API_KEY environment variable`,
		},
		{
			name:     "legacy and OneAPI mixed in the provider block",
			provider: `username = "admin@acme.com"` + "\n" + `client_id = "abc"`,
			want:     `Both legacy and OneAPI login are configured`,
		},
		{
			name: "legacy and OneAPI mixed in the environment",
			env: map[string]string{
				"ZTC_USERNAME": "admin@acme.com", "ZTC_PASSWORD": "pw", "ZTC_API_KEY": "AbCd12EfGh34",
				"ZSCALER_CLIENT_ID": "abc", "ZSCALER_CLIENT_SECRET": "s3cret", "ZSCALER_VANITY_DOMAIN": "acme",
			},
			want: `Legacy login: ZTC_USERNAME, ZTC_PASSWORD, ZTC_API_KEY in the environment. OneAPI login: ZSCALER_CLIENT_ID`,
		},
		{
			name:     "http to a host that is not loopback",
			provider: `base_url = "http://connector.example.com/api/v1"`,
			want:     `http://connector.example.com uses plain http to a host that is not loopback; use https`,
		},
		{
			name: "http to a host that is not loopback, from the environment",
			env:  map[string]string{"ZTC_BASE_URL": "http://10.1.2.3/api/v1"},
			want: `environment variable ZTC_BASE_URL: http://10.1.2.3 uses plain http`,
		},
		{
			name:     "base_url that is not a URL",
			provider: `base_url = "connector.zscaler.net"`,
			want:     `not an absolute URL; give one like https://connector.zscaler.net/api/v1`,
		},
		{
			name:     "base_url with a password in it",
			provider: `base_url = "https://admin:hunter2@connector.zscaler.net/api/v1"`,
			want:     `the URL carries a user name or password; remove it`,
		},
		{
			name:     "OneAPI without a secret or key",
			provider: `client_id = "abc"` + "\n" + `vanity_domain = "acme"`,
			want:     `OneAPI login needs client_secret or private_key, and neither is set.`,
		},
		{
			name:     "OneAPI with both a secret and a key",
			provider: `client_id = "abc"` + "\n" + `vanity_domain = "acme"` + "\n" + `client_secret = "s3cret"`,
			env:      map[string]string{"ZSCALER_PRIVATE_KEY": testPrivateKeyPEM(t)},
			want:     `Both argument client_secret and environment variable ZSCALER_PRIVATE_KEY are set.`,
		},
		{
			name:     "OneAPI without a vanity domain or token URL",
			provider: `client_id = "abc"` + "\n" + `client_secret = "s3cret"`,
			want:     `OneAPI login needs vanity_domain`,
		},
		{
			name:     "OneAPI on a cloud that does not offer it",
			provider: `cloud = "zscalergov"` + "\n" + `client_id = "abc"` + "\n" + `client_secret = "s3cret"` + "\n" + `vanity_domain = "acme"`,
			want:     `Cloud zscalergov offers only legacy login.`,
		},
		{
			name:     "private key that is neither PEM nor a file",
			provider: "client_id = \"abc\"\nvanity_domain = \"acme\"\nprivate_key = \"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\"",
			want:     `neither PEM text nor the path of a readable file`,
		},
		{
			name:     "private key file that is not PEM",
			provider: fmt.Sprintf("client_id = \"abc\"\nvanity_domain = \"acme\"\nprivate_key = %q", notPEM),
			want:     `give an RSA private key in PEM form (PKCS #1 or PKCS #8), or the path of a file holding one`,
		},
		{
			name:     "private key PEM that is not a key",
			provider: "client_id = \"abc\"\nvanity_domain = \"acme\"\nprivate_key = \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"",
			want:     `give an RSA private key in PEM form (PKCS #1 or PKCS #8)`,
		},
		{
			name:     "login key too short",
			provider: `username = "admin@acme.com"` + "\n" + `password = "pw"` + "\n" + `api_key = "abc123"`,
			want:     `the key has 6 characters, and an organization API key has at least 12`,
		},
		{
			name:     "login key with other characters",
			provider: `username = "admin@acme.com"` + "\n" + `password = "pw"` + "\n" + `api_key = "AbCd12EfGh34 "`,
			want:     `holds characters other than letters and digits`,
		},
		{
			name:     "vanity domain given as a host name",
			provider: `client_id = "abc"` + "\n" + `client_secret = "s3cret"` + "\n" + `vanity_domain = "acme.zslogin.net"`,
			want:     `Attribute vanity_domain must be the bare name in https://<vanity_domain>.zslogin.net (up to 63 letters, digits and inner hyphens), such as acme, got: acme.zslogin.net`,
		},
		{
			name:     "empty username",
			provider: `username = ""`,
			want:     `Attribute username string length must be at least 1, got: 0`,
		},
		{
			name:     "max_retries out of range",
			provider: `max_retries = 99`,
			want:     `Attribute max_retries value must be between 0 and 20, got: 99`,
		},
		{
			name:     "request_timeout out of range",
			provider: `request_timeout = 0`,
			want:     `Attribute request_timeout value must be between 1 and 300, got: 0`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories(tc.env),
				Steps: []resource.TestStep{{
					Config:      withTerraformBlock(fmt.Sprintf("provider \"cloudconnector\" {\n%s\n}\n", tc.provider) + baseURLData),
					ExpectError: expectErrorText(tc.want),
				}},
			})
		})
	}
}

// TestAccProviderEnvFallbacks: each env variable stands in for its argument,
// and the provider block wins over the environment.
func TestAccProviderEnvFallbacks(t *testing.T) {
	legacyEnv := map[string]string{"ZTC_USERNAME": "admin@acme.com", "ZTC_PASSWORD": "pw", "ZTC_API_KEY": "AbCd12EfGh34"}
	oneAPIEnv := map[string]string{"ZSCALER_CLIENT_ID": "abc", "ZSCALER_CLIENT_SECRET": "s3cret", "ZSCALER_VANITY_DOMAIN": "acme"}
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	cases := []struct {
		name                 string
		provider             string
		env                  map[string]string
		cloud, url, authMode string
	}{
		{"defaults without any login", "", nil, "zscaler", "https://connector.zscaler.net/api/v1", "legacy"},
		{"ZTC_CLOUD", "", map[string]string{"ZTC_CLOUD": "zscalertwo"}, "zscalertwo", "https://connector.zscalertwo.net/api/v1", "legacy"},
		{"ZSCALER_CLOUD", "", map[string]string{"ZSCALER_CLOUD": "zscloud"}, "zscloud", "https://connector.zscloud.net/api/v1", "legacy"},
		{"ZTC_CLOUD before ZSCALER_CLOUD", "", map[string]string{"ZTC_CLOUD": "zscalerone", "ZSCALER_CLOUD": "zscloud"}, "zscalerone", "https://connector.zscalerone.net/api/v1", "legacy"},
		{"cloud in any case", `cloud = "ZscalerTwo"`, nil, "zscalertwo", "https://connector.zscalertwo.net/api/v1", "legacy"},
		{"ZTC_CLOUD in any case, with a newline", "", map[string]string{"ZTC_CLOUD": "ZSCLOUD\n"}, "zscloud", "https://connector.zscloud.net/api/v1", "legacy"},
		{"cloud argument before ZTC_CLOUD", `cloud = "zscalerthree"`, map[string]string{"ZTC_CLOUD": "zscalerone"}, "zscalerthree", "https://connector.zscalerthree.net/api/v1", "legacy"},
		{"ZTC_BASE_URL", "", merge(legacyEnv, map[string]string{"ZTC_BASE_URL": "https://zscaler.example.internal/api/v1/"}), "zscaler", "https://zscaler.example.internal/api/v1", "legacy"},
		{"base_url to loopback over http", `base_url = "http://127.0.0.1:8080/api/v1"`, legacyEnv, "zscaler", "http://127.0.0.1:8080/api/v1", "legacy"},
		{"legacy login from the environment", "", merge(legacyEnv, map[string]string{"ZTC_CLOUD": "zscalerbeta"}), "zscalerbeta", "https://connector.zscalerbeta.net/api/v1", "legacy"},
		{"OneAPI login from the environment", "", merge(oneAPIEnv, map[string]string{"ZSCALER_CLOUD": "zscalertwo"}), "zscalertwo", "https://api.zscalertwo.zsapi.net/ztw/api/v1", "oneapi"},
		{"OneAPI with a private key from the environment", "", map[string]string{"ZSCALER_CLIENT_ID": "abc", "ZSCALER_PRIVATE_KEY": testPrivateKeyPEM(t), "ZSCALER_VANITY_DOMAIN": "acme"}, "zscaler", "https://api.zsapi.net/ztw/api/v1", "oneapi"},
		{"OneAPI with ZSCALER_TOKEN_URL instead of a vanity domain", "", map[string]string{"ZSCALER_CLIENT_ID": "abc", "ZSCALER_CLIENT_SECRET": "s", "ZSCALER_TOKEN_URL": "https://login.example.internal/oauth2/v1/token"}, "zscaler", "https://api.zsapi.net/ztw/api/v1", "oneapi"},
		{"legacy login in the block ignores OneAPI variables meant for another provider", `
username = "admin@acme.com"
password = "pw"
api_key  = "AbCd12EfGh34"`, oneAPIEnv, "zscaler", "https://connector.zscaler.net/api/v1", "legacy"},
		{"OneAPI login in the block ignores legacy variables", `
client_id     = "abc"
client_secret = "s3cret"
vanity_domain = "acme"`, legacyEnv, "zscaler", "https://api.zsapi.net/ztw/api/v1", "oneapi"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories(tc.env),
				Steps: []resource.TestStep{{
					Config: withTerraformBlock(fmt.Sprintf("provider \"cloudconnector\" {\n%s\n}\n", tc.provider) + baseURLData),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.cloudconnector_base_url.this", tfjsonpath.New("cloud"), knownvalue.StringExact(tc.cloud)),
						statecheck.ExpectKnownValue("data.cloudconnector_base_url.this", tfjsonpath.New("url"), knownvalue.StringExact(tc.url)),
						statecheck.ExpectKnownValue("data.cloudconnector_base_url.this", tfjsonpath.New("auth_mode"), knownvalue.StringExact(tc.authMode)),
					},
				}},
			})
		})
	}
}

// TestAccProviderRealEnvironment: the provider built by New reads the process
// environment (the other tests inject theirs).
func TestAccProviderRealEnvironment(t *testing.T) {
	t.Setenv("ZTC_CLOUD", "zspreview")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories(nil),
		Steps: []resource.TestStep{{
			Config: withTerraformBlock(baseURLData),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudconnector_base_url.this", tfjsonpath.New("cloud"), knownvalue.StringExact("zscaler")),
			},
		}},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: realEnvFactories(),
		Steps: []resource.TestStep{{
			Config: withTerraformBlock(baseURLData),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudconnector_base_url.this", tfjsonpath.New("cloud"), knownvalue.StringExact("zspreview")),
				statecheck.ExpectKnownValue("data.cloudconnector_base_url.this", tfjsonpath.New("url"), knownvalue.StringExact("https://connector.zspreview.net/api/v1")),
			},
		}},
	})
}

package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// badInput is one invalid argument: in the provider block, in the
// environment, or in the resource.
type badInput struct {
	name     string
	provider string            // lines inside the provider block
	env      map[string]string // overrides the login env; "" unsets a variable
	body     string            // the resource body; "" = the valid one
	want     string            // what the error says: the attribute and the fix
}

const badInputValidBody = `key = "BadInputKey1"`

// switchableEnv is the login env of a simulator organization with per-step
// overrides, so that one test case can try many environments.
type switchableEnv struct {
	base      *testsupport.Env
	mu        sync.Mutex
	overrides map[string]string
}

func (e *switchableEnv) set(overrides map[string]string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.overrides = overrides
}

func (e *switchableEnv) lookup(key string) (string, bool) {
	e.mu.Lock()
	v, ok := e.overrides[key]
	e.mu.Unlock()
	if ok {
		return v, v != ""
	}
	return e.base.Lookup(key)
}

func (e *switchableEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		TypeName: providerserver.NewProtocol6WithError(NewWithEnv("test", e.lookup)()),
	}
}

// legacyUnset removes the legacy login from the env, for OneAPI cases.
var legacyUnset = map[string]string{"ZTC_USERNAME": "", "ZTC_PASSWORD": "", "ZTC_API_KEY": ""}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// testKeysPEM makes PEM texts that are not acceptable OneAPI keys.
func testKeysPEM(t *testing.T) (ecKey, smallRSA, publicKey string) {
	t.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	ecKey = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	small, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // a key too small on purpose
	if err != nil {
		t.Fatal(err)
	}
	smallRSA = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)}))
	pub, err := x509.MarshalPKIXPublicKey(&small.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	publicKey = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	return ecKey, smallRSA, publicKey
}

// providerBadInputs extends TestAccProviderConfigErrors: every provider
// argument with empty, too long, wrongly formed or conflicting values.
func providerBadInputs(t *testing.T) []badInput {
	ecKey, smallRSA, publicKey := testKeysPEM(t)
	encrypted := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"
	oneAPI := func(extra string) string {
		return "client_id = \"abc\"\nvanity_domain = \"acme\"\n" + extra
	}
	return []badInput{
		{name: "empty cloud", provider: `cloud = ""`, want: `Attribute cloud value must be one of: ["zscaler" "zscalerone" "zscalertwo" "zscalerthree" "zscloud" "zscalerbeta" "zscalergov" "zscalerten" "zspreview"], got: ""`},
		{name: "cloud given as a host name", provider: `cloud = "zscaler.net"`, want: `Attribute cloud value must be one of: ["zscaler" "zscalerone" "zscalertwo" "zscalerthree" "zscloud" "zscalerbeta" "zscalergov" "zscalerten" "zspreview"], got: "zscaler.net"`},
		{name: "cloud too long", provider: fmt.Sprintf("cloud = %q", strings.Repeat("zscaler", 40)), want: `Attribute cloud value must be one of: ["zscaler" "zscalerone" "zscalertwo" "zscalerthree" "zscloud" "zscalerbeta" "zscalergov" "zscalerten" "zspreview"], got: "zscalerzscaler`},
		{name: "empty base_url", provider: `base_url = ""`, want: `base_url: not an absolute URL; give one like https://connector.zscaler.net/api/v1`},
		{name: "base_url without a host", provider: `base_url = "https:///api/v1"`, want: `base_url: not an absolute URL`},
		{name: "malformed base_url", provider: `base_url = "https://connector.zscaler.net:port/api"`, want: `base_url: not an absolute URL`},
		{name: "base_url with another scheme", provider: `base_url = "ftp://connector.zscaler.net/api/v1"`, want: `base_url: scheme "ftp" is not supported; use https`},
		{name: "base_url with a query", provider: `base_url = "https://connector.zscaler.net/api/v1?debug=1"`, want: `has a query or fragment; give the base URL alone`},
		{name: "base_url with an empty query", provider: `base_url = "https://connector.zscaler.net/api/v1?"`, want: `has a query or fragment; give the base URL alone`},
		{name: "client_id with a space", provider: "client_id = \"abc def\"\nvanity_domain = \"acme\"\nclient_secret = \"s3cret\"", env: legacyUnset, want: `Attribute client_id must be printable ASCII without spaces, as OneAPI client IDs are; copy it again from ZIdentity (Integration > API Clients), without quotes or line breaks, got: abc def`},
		{name: "base_url over http to a look-alike of localhost", provider: `base_url = "http://localhost.example.com/api/v1"`, want: `http://localhost.example.com uses plain http to a host that is not loopback; use https`},
		{name: "token_url over http to a host that is not loopback", provider: oneAPI("client_secret = \"s3cret\"\ntoken_url = \"http://login.example.com/oauth2/v1/token\""), env: legacyUnset, want: `token_url: http://login.example.com uses plain http to a host that is not loopback; use https`},
		{name: "token_url that is not a URL", provider: oneAPI("client_secret = \"s3cret\"\ntoken_url = \"zslogin.net/oauth2\""), env: legacyUnset, want: `token_url: not an absolute URL`},
		{name: "blank username", provider: `username = "   "`, want: `Attribute username must not be only white space: give it a value, or remove it to use its environment variable, got:`},
		{name: "empty password", provider: `password = ""`, want: `Attribute password string length must be at least 1, got: 0`},
		{name: "blank password", provider: "password = \"\\t \"", want: `Attribute password must not be only white space: give it a value, or remove it to use its environment variable, got:`},
		{name: "empty api_key", provider: `api_key = ""`, want: `api_key: the key has 0 characters, and an organization API key has at least 12; copy it whole from the portal`},
		{name: "api_key with letters outside ASCII", provider: `api_key = "ÄbCd12EfGh34"`, want: `api_key: the key holds characters other than letters and digits; copy it again from the portal`},
		{name: "empty client_id", provider: `client_id = ""`, want: `Attribute client_id must be printable ASCII without spaces, as OneAPI client IDs are; copy it again from ZIdentity (Integration > API Clients), without quotes or line breaks, got: `},
		{name: "empty client_secret", provider: oneAPI(`client_secret = ""`), want: `Attribute client_secret string length must be at least 1, got: 0`},
		{name: "empty private_key", provider: oneAPI(`private_key = ""`), want: `private_key: it is neither PEM text nor the path of a readable file.`},
		{name: "private_key that is an EC key", provider: oneAPI(fmt.Sprintf("private_key = %q", ecKey)), want: `private_key: the private key is not an RSA key (RS256 needs RSA); give an RSA private key in PEM form`},
		{name: "private_key that is a public key", provider: oneAPI(fmt.Sprintf("private_key = %q", publicKey)), want: `the PEM block is not a private key (expected PRIVATE KEY or RSA PRIVATE KEY)`},
		{name: "private_key that is encrypted", provider: oneAPI(fmt.Sprintf("private_key = %q", encrypted)), want: `the private key is encrypted; provide it unencrypted`},
		{name: "private_key too small", provider: oneAPI(fmt.Sprintf("private_key = %q", smallRSA)), env: legacyUnset, want: `private_key: the RSA key has 1024 bits`},
		{name: "private_key that is a directory", provider: oneAPI(fmt.Sprintf("private_key = %q", t.TempDir())), want: `private_key: it is neither PEM text nor the path of a readable file`},
		{name: "private_key that is a device", provider: oneAPI(`private_key = "/dev/zero"`), want: `private_key: it is neither PEM text nor the path of a readable file`},
		{name: "client_secret and private_key both in the block", provider: oneAPI(fmt.Sprintf("client_secret = \"s3cret\"\nprivate_key = %q", testPrivateKeyPEM(t))), env: legacyUnset, want: `Both argument client_secret and argument private_key are set. A OneAPI client logs in with a secret or with a private key, not both: remove one.`},
		{name: "empty vanity_domain", provider: `vanity_domain = ""`, want: `Attribute vanity_domain must be the bare name in https://<vanity_domain>.zslogin.net (up to 63 letters, digits and inner hyphens), such as acme, got: `},
		{name: "vanity_domain too long", provider: fmt.Sprintf("vanity_domain = %q", strings.Repeat("a", 64)), want: `Attribute vanity_domain must be the bare name in https://<vanity_domain>.zslogin.net (up to 63 letters, digits and inner hyphens), such as acme, got: aaaaaaaa`},
		{name: "vanity_domain given as a URL", provider: `vanity_domain = "https://acme.zslogin.net"`, want: `Attribute vanity_domain must be the bare name in https://<vanity_domain>.zslogin.net (up to 63 letters, digits and inner hyphens), such as acme, got: https://acme.zslogin.net`},
		{name: "negative max_retries", provider: `max_retries = -1`, want: `Attribute max_retries value must be between 0 and 20, got: -1`},
		{name: "max_retries above the bound", provider: `max_retries = 21`, want: `Attribute max_retries value must be between 0 and 20, got: 21`},
		{name: "request_timeout above the bound", provider: `request_timeout = 301`, want: `Attribute request_timeout value must be between 1 and 300, got: 301`},
		{name: "negative request_timeout", provider: `request_timeout = -5`, want: `Attribute request_timeout value must be between 1 and 300, got: -5`},
		{name: "max_retries of the wrong type", provider: `max_retries = "many"`, want: `Inappropriate value for attribute "max_retries": a number is required.`},
		{name: "an argument the provider does not have", provider: `region = "eu"`, want: `An argument named "region" is not expected here.`},
	}
}

// envBadInputs: the same mistakes made in the environment, which only
// Configure sees; it still stops before any API call and names the variable.
func envBadInputs() []badInput {
	oneAPIEnv := with(legacyUnset, "ZSCALER_CLIENT_ID", "abc", "ZSCALER_CLIENT_SECRET", "s3cret", "ZSCALER_VANITY_DOMAIN", "acme")
	return []badInput{
		{name: "ZTC_CLOUD unknown", env: map[string]string{"ZTC_CLOUD": "zscalerfive"}, want: `environment variable ZTC_CLOUD is "zscalerfive", which is not a Zscaler cloud. Valid clouds:`},
		{name: "ZSCALER_CLOUD unknown", env: map[string]string{"ZSCALER_CLOUD": "prod"}, want: `environment variable ZSCALER_CLOUD is "prod", which is not a Zscaler cloud.`},
		{name: "ZTC_BASE_URL malformed", env: map[string]string{"ZTC_BASE_URL": "connector.zscaler.net/api/v1"}, want: `environment variable ZTC_BASE_URL: not an absolute URL; give one like https://connector.zscaler.net/api/v1`},
		{name: "ZTC_BASE_URL with credentials", env: map[string]string{"ZTC_BASE_URL": "https://admin:pw@connector.zscaler.net/api/v1"}, want: `environment variable ZTC_BASE_URL: the URL carries a user name or password; remove it and use the login arguments instead`},
		{name: "ZTC_API_KEY too short", env: map[string]string{"ZTC_API_KEY": "AbCd12"}, want: `environment variable ZTC_API_KEY: the key has 6 characters, and an organization API key has at least 12`},
		{name: "ZTC_API_KEY with a newline", env: map[string]string{"ZTC_API_KEY": "AbCd12EfGh34\n"}, want: `environment variable ZTC_API_KEY: the key holds characters other than letters and digits`},
		{name: "ZTC_PASSWORD missing", env: map[string]string{"ZTC_PASSWORD": ""}, want: `password is not set. Set password in the provider block or the ZTC_PASSWORD environment variable`},
		{name: "ZSCALER_VANITY_DOMAIN with a dot", env: with(oneAPIEnv, "ZSCALER_VANITY_DOMAIN", "acme.zslogin.net"), want: `environment variable ZSCALER_VANITY_DOMAIN: "acme.zslogin.net" is not a bare name`},
		{name: "ZSCALER_TOKEN_URL over http", env: with(oneAPIEnv, "ZSCALER_TOKEN_URL", "http://10.0.0.5/oauth2/v1/token"), want: `environment variable ZSCALER_TOKEN_URL: http://10.0.0.5 uses plain http`},
		{name: "ZSCALER_PRIVATE_KEY not PEM", env: with(oneAPIEnv, "ZSCALER_CLIENT_SECRET", "", "ZSCALER_PRIVATE_KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), want: `environment variable ZSCALER_PRIVATE_KEY: it is neither PEM text nor the path of a readable file`},
		{name: "ZSCALER_CLIENT_ID with a line break", env: with(oneAPIEnv, "ZSCALER_CLIENT_ID", "abc\n"), want: `environment variable ZSCALER_CLIENT_ID holds spaces or characters outside printable ASCII`},
		{name: "ZSCALER_CLIENT_SECRET without ZSCALER_CLIENT_ID", env: with(oneAPIEnv, "ZSCALER_CLIENT_ID", ""), want: `OneAPI login is configured (environment variable ZSCALER_CLIENT_SECRET is set) but client_id is not. Set client_id in the provider block or the ZSCALER_CLIENT_ID environment variable.`},
	}
}

// resourceBadInputs extends TestAccAPIKeyInvalidConfig.
func resourceBadInputs() []badInput {
	return []badInput{
		{name: "empty key", body: `key = ""`, want: `key has 0 characters; an API key string is exactly 12 letters or digits (A-Z, a-z, 0-9). Generate one`},
		{name: "key with a trailing space", body: `key = "AbCd12EfGh3 "`, want: `key holds characters other than letters and digits; an API key string is exactly 12 of A-Z, a-z and 0-9, without spaces or symbols.`},
		{name: "key of 11 letters, one of them two bytes", body: `key = "ÄbCd12EfGh3"`, want: `key holds characters other than letters and digits`},
		{name: "key with a newline", body: `key = "AbCd12\nEfGh3"`, want: `key holds characters other than letters and digits`},
		{name: "key far too long", body: fmt.Sprintf("key = %q", strings.Repeat("A", 10000)), want: `key has 10000 characters; an API key string is exactly 12 letters or digits`},
		{name: "empty key_wo", body: "key_wo = \"\"\nkey_wo_version = 1", want: `key_wo has 0 characters; an API key string is exactly 12 letters or digits`},
		{name: "key_wo with symbols", body: "key_wo = \"AbCd12EfGh3$\"\nkey_wo_version = 1", want: `key_wo holds characters other than letters and digits`},
		{name: "key, key_wo and triggers together", body: "key = \"AbCdEfGh1234\"\nkey_wo = \"AbCdEfGh1234\"\nkey_wo_version = 1\nregenerate_triggers = { a = \"1\" }", want: `Both set the key string.`},
		{name: "regenerate_triggers as a list", body: `regenerate_triggers = ["2026-11"]`, want: `Inappropriate value for attribute "regenerate_triggers": map of string required.`},
		{name: "delete_on_destroy not a bool", body: `delete_on_destroy = "maybe"`, want: `Inappropriate value for attribute "delete_on_destroy": a bool is required.`},
		{name: "key_wo_version not a number", body: "key_wo = \"AbCdEfGh1234\"\nkey_wo_version = \"v2\"", want: `Inappropriate value for attribute "key_wo_version": a number is required.`},
		{name: "id set by hand", body: `id = "1003"`, want: `Invalid Configuration for Read-Only Attribute`},
		{name: "last_modified_by set by hand", body: `last_modified_by = "abc"`, want: `Invalid Configuration for Read-Only Attribute`},
		{name: "enabled set by hand", body: `enabled = false`, want: `Invalid Configuration for Read-Only Attribute`},
		{name: "an argument the resource does not have", body: `value = "AbCdEfGh1234"`, want: `An argument named "value" is not expected here.`},
	}
}

// TestAccBadInput: each invalid argument fails at validate or plan, with a
// message that names the argument and the fix, and the simulator sees no
// call at all: the state exists, so a plan that got past validation would
// refresh it with a list.
func TestAccBadInput(t *testing.T) {
	suites := map[string][]badInput{
		"provider arguments": providerBadInputs(t),
		"environment":        envBadInputs(),
		"resource arguments": resourceBadInputs(),
	}
	total := 0
	for _, cases := range suites {
		total += len(cases)
	}
	t.Cleanup(func() { t.Logf("bad input: %d invalid arguments tried, each refused before any API call", total) })
	for name, cases := range suites {
		t.Run(name, func(t *testing.T) { runBadInputs(t, cases) })
	}
}

func runBadInputs(t *testing.T, cases []badInput) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	env := &switchableEnv{base: testsupport.LegacyEnv(sim, org)}
	config := func(tc badInput) string {
		body := tc.body
		if body == "" {
			body = badInputValidBody
		}
		return withTerraformBlock(fmt.Sprintf("provider \"cloudconnector\" {\n%s\n}\n", tc.provider) +
			"resource \"cloudconnector_api_key\" \"this\" {\n" + body + "\n}\n")
	}
	// noCalls checks the step before (none for the first bad input, which
	// follows the valid apply), then counts afresh.
	noCalls := func(prev string) func() {
		return func() {
			if c := sim.Counts(); prev != "" && len(c.Calls) != 0 {
				t.Errorf("with %s the simulator saw calls %v; invalid input must stop before the API", prev, c.Calls)
			}
			sim.ResetCounts()
		}
	}
	steps := []resource.TestStep{{Config: config(badInput{})}}
	prev := ""
	for _, tc := range cases {
		check := noCalls(prev)
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				check()
				env.set(tc.env)
			},
			Config:      config(tc),
			PlanOnly:    true,
			ExpectError: expectErrorText(tc.want),
		})
		prev = fmt.Sprintf("%q", tc.name)
	}
	// Back to the valid configuration: the state is as it was.
	last := noCalls(prev)
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			last()
			env.set(nil)
		},
		Config:           config(badInput{}),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), expectPlanFromSimKey(org)}},
		ConfigStateChecks: append(expectKeyInState(org),
			expectWrites(t, sim, map[simulator.Op]int{}), expectSimKeyValue(org, "BadInputKey1")),
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
}

// hostileAnswer is an answer the API should never give.
type hostileAnswer struct {
	name  string
	fault simulator.Fault
	// want is the error; "" when the provider gets through (a write whose
	// unreadable answer a list confirms).
	want string
	// edit: the step changes the key (Update: refresh list, then the edit);
	// otherwise it only plans (the refresh list meets the answer).
	edit bool
}

func hostileAnswers() []hostileAnswer {
	const list, edit, login = simulator.OpList, simulator.OpEdit, simulator.OpLogin
	mib := "[" + strings.Repeat(" ", 1<<20)
	return []hostileAnswer{
		{name: "malformed JSON", fault: simulator.Fault{Op: list, Body: `[{"id":1003,"keyValue":"AbC`},
			want: "the key list is not a JSON array of key objects: not valid JSON"},
		{name: "an object instead of the list", fault: simulator.Fault{Op: list, Body: `{"id":1003}`},
			want: "the key list is not a JSON array of key objects: value is a JSON object, expected an array"},
		{name: "null instead of the list", fault: simulator.Fault{Op: list, Body: `null`},
			want: "the key list is JSON null, not an array"},
		{name: "id as a string, keyValue as a number", fault: simulator.Fault{Op: list, Body: `[{"id":"1003","keyValue":12}]`},
			want: "the key list's element 0: field id is a JSON string, expected a number"},
		{name: "a key without keyValue", fault: simulator.Fault{Op: list, Body: `[{"id":1003,"enabled":true}]`},
			want: "the key list's element 0: field keyValue is missing"},
		{name: "a negative id", fault: simulator.Fault{Op: list, Body: `[{"id":-4,"keyValue":"AbCd12EfGh34"}]`},
			want: "field id is not a positive number"},
		{name: "a time beyond any calendar", fault: simulator.Fault{Op: list, Body: `[{"id":1003,"keyValue":"AbCd12EfGh34","lastModifiedTime":1e300}]`},
			want: "field lastModifiedTime: out of range for epoch seconds"},
		{name: "an 80 MiB list", fault: simulator.Fault{Op: list, Body: mib, BodyRepeat: 80},
			want: "the answer is larger than 4194304 bytes"},
		{name: "an HTML page with 200", fault: simulator.Fault{Op: list, ContentType: "text/html", Body: "<html><body>Welcome</body></html>"},
			want: "the answer is a text/html body, not JSON"},
		{name: "an HTML error page from a proxy", fault: simulator.Fault{Op: list, Status: http.StatusBadGateway, ContentType: "text/html", Body: "<html><body>Bad gateway</body></html>", Times: -1},
			want: "HTTP 502 Bad Gateway with a text/html body"},
		{name: "a 20 MiB HTML error page", fault: simulator.Fault{Op: list, Status: http.StatusServiceUnavailable, ContentType: "text/html", Body: mib, BodyRepeat: 20, Times: -1},
			want: "HTTP 503 Service Unavailable with a text/html body larger than the client reads"},
		{name: "an error message full of control characters", fault: simulator.Fault{Op: list, Status: http.StatusBadRequest, Body: "{\"code\":\"BAD\\u0000\\u001b[31m\",\"message\":\"line1\\nline2\\r\\u202eevil\"}"},
			want: "HTTP 400 BAD [31m: line1 line2 evil"},
		{name: "a login answer without a session", fault: simulator.Fault{Op: login, Body: `{"authType":"ADMIN_LOGIN"}`},
			want: "login (POST /auth): HTTP 200 without a JSESSIONID cookie"},
		{name: "an edit answered with HTML", edit: true, fault: simulator.Fault{Op: edit, AfterApply: true, ContentType: "text/html", Body: "<html>Saved</html>"}},
		{name: "an edit answered with the wrong types", edit: true, fault: simulator.Fault{Op: edit, AfterApply: true, Body: `{"id":"x","keyValue":false}`}},
	}
}

// TestAccHostileAnswers: answers the API should never give end in a clear
// error (or, for a write, in a list that confirms it), never in a crash, and
// the next plan starts from the simulator's key.
func TestAccHostileAnswers(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	keys := []string{"HostileKey00", "HostileKey01", "HostileKey02"}
	cases := hostileAnswers()
	t.Cleanup(func() { t.Logf("hostile answers: %d tried", len(cases)) })

	config := func(key string) string { return tunedConfig(1, 10, fmt.Sprintf("key = %q", key)) }
	steps := []resource.TestStep{{Config: config(keys[0])}}
	current := 0
	for _, tc := range cases {
		inject := func() {
			sim.ClearFaults()
			sim.Advance(2 * time.Second) // a fresh rate-limit window
			sim.InjectFault(tc.fault)
		}
		if !tc.edit {
			steps = append(steps, resource.TestStep{
				PreConfig: inject, Config: config(keys[current]), PlanOnly: true, ExpectError: expectErrorText(tc.want),
			})
			continue
		}
		current = (current + 1) % len(keys)
		steps = append(steps, resource.TestStep{
			PreConfig: inject,
			Config:    config(keys[current]),
			ConfigStateChecks: append(expectKeyInState(org), expectSimKeyValue(org, keys[current]),
				simulatorCheck(func() error {
					if n := sim.Counts().Faults; n == 0 {
						return fmt.Errorf("the hostile answer was never sent")
					}
					return nil
				})),
		})
	}
	steps = append(steps, resource.TestStep{
		PreConfig:        func() { sim.ClearFaults(); sim.Advance(2 * time.Second) },
		Config:           config(keys[current]),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), expectPlanFromSimKey(org)}},
		ConfigStateChecks: []statecheck.StateCheck{
			expectSimKeyValue(org, keys[current]),
			simulatorCheck(func() error {
				if c := sim.Counts(); c.Faults < len(cases) {
					return fmt.Errorf("%d hostile answers sent, %d cases", c.Faults, len(cases))
				}
				return nil
			}),
		},
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps:                    steps,
	})
}

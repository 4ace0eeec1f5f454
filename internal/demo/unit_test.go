package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// A plan as `terraform show` prints it, with every kind of boilerplate the
// demo leaves out.
const showText = `
Terraform used the selected providers to generate the following execution
plan. Resource actions are indicated with the following symbols:
  ~ update in-place

Terraform will perform the following actions:

  # cloudconnector_api_key.org will be updated in-place
  ~ resource "cloudconnector_api_key" "org" {
        id                 = "1003"
      ~ key                = (sensitive value)
    }

Plan: 0 to add, 1 to change, 0 to destroy.


Changes to Outputs:
  ~ key_id = "1003" -> (known after apply)

You can apply this plan to save these new output values to the Terraform
state, without changing any real infrastructure.

─────────────────────────────────────────────────────────────────────────────
`

func TestTrimPlan(t *testing.T) {
	got := trimPlan(showText, 30)
	want := []string{
		`  # cloudconnector_api_key.org will be updated in-place`,
		`  ~ resource "cloudconnector_api_key" "org" {`,
		`        id                 = "1003"`,
		`      ~ key                = (sensitive value)`,
		`    }`,
		``,
		`Plan: 0 to add, 1 to change, 0 to destroy.`,
		``,
		`Changes to Outputs:`,
		`  ~ key_id = "1003" -> (known after apply)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("trimPlan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	capped := trimPlan(showText, 4)
	if len(capped) != 4 || !strings.HasPrefix(capped[3], "... 7 more lines") {
		t.Errorf("capped at 4: %q", capped)
	}
	if got := trimPlan("\n\nNo changes. Your infrastructure matches the configuration.\n\nTerraform has compared your real infrastructure against your configuration\nand found no differences.\n", 30); !slices.Equal(got, []string{"No changes. Your infrastructure matches the configuration."}) {
		t.Errorf("no-changes plan: %q", got)
	}
}

func TestShortSummary(t *testing.T) {
	for in, want := range map[string]string{
		"Plan: 1 to add, 0 to change, 1 to destroy.":                  "1 to add, 1 to destroy",
		"Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.":     "1 to import",
		"Plan: 0 to add, 0 to change, 0 to destroy.":                  "no changes",
		"Apply complete! Resources: 0 added, 1 changed, 0 destroyed.": "1 changed",
		"": "no changes",
	} {
		if got := shortSummary(in); got != want {
			t.Errorf("shortSummary(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlanActions(t *testing.T) {
	const js = `{"resource_changes":[
	 {"address":"cloudconnector_api_key.a","mode":"managed","change":{"actions":["no-op"],"importing":{"id":"current"}}},
	 {"address":"cloudconnector_api_key.b","mode":"managed","change":{"actions":["delete","create"]}},
	 {"address":"cloudconnector_api_key.c","mode":"managed","change":{"actions":["update"]}},
	 {"address":"cloudconnector_api_key.d","mode":"managed","change":{"actions":["no-op"]}},
	 {"address":"echo.e","mode":"managed","change":{"actions":["create"]}},
	 {"address":"echo.f","mode":"managed","change":{"actions":["delete"]}},
	 {"address":"data.cloudconnector_base_url.this","mode":"data","change":{"actions":["read"]}}],
	 "resource_drift":[{"address":"cloudconnector_api_key.c"}]}`
	var p planJSON
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"cloudconnector_api_key.a": "import", "cloudconnector_api_key.b": "replace",
		"cloudconnector_api_key.c": "update", "echo.e": "create", "echo.f": "delete",
	}
	got := p.actions()
	if len(got) != len(want) {
		t.Errorf("actions %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if !p.drifted("cloudconnector_api_key.c") || p.drifted("cloudconnector_api_key.a") {
		t.Error("drifted() does not follow resource_drift")
	}
	if err := compareActions(got, want); err != nil {
		t.Errorf("compareActions of equal maps: %v", err)
	}
	err := compareActions(got, map[string]string{"cloudconnector_api_key.a": "import", "echo.g": "create"})
	if err == nil || !strings.Contains(err.Error(), "echo.g: no change") || !strings.Contains(err.Error(), "echo.e: create") {
		t.Errorf("compareActions of different maps: %v", err)
	}
}

func TestParseStream(t *testing.T) {
	out := strings.Join([]string{
		`{"@message":"Terraform 1.11.4","type":"version"}`,
		`{"@message":"Warning: Provider development overrides are in effect","type":"diagnostic","diagnostic":{"severity":"warning","summary":"Provider development overrides are in effect","detail":"x"}}`,
		`not json at all`,
		`{"@message":"Warning: API key left in place","type":"diagnostic","diagnostic":{"severity":"warning","summary":"API key left in place","detail":"delete_on_destroy is false. More."}}`,
		`{"@message":"Error: Nothing to import","type":"diagnostic","diagnostic":{"severity":"error","summary":"Nothing to import","detail":"The organization has no API key."}}`,
		`{"@message":"Apply complete! Resources: 0 added, 0 changed, 1 destroyed.","type":"change_summary"}`,
	}, "\n")
	s := parseStream(out)
	if s.Summary != "Apply complete! Resources: 0 added, 0 changed, 1 destroyed." {
		t.Errorf("summary %q", s.Summary)
	}
	if len(s.Diags) != 2 || s.Diags[0].Summary != "API key left in place" || len(s.errors()) != 1 {
		t.Errorf("diagnostics %+v", s.Diags)
	}
	err := commandError([]string{"apply"}, s, errors.New("exit status 1"))
	if !strings.Contains(err.Error(), "Error: Nothing to import") || !strings.Contains(err.Error(), "has no API key") {
		t.Errorf("command error %q", err)
	}
	if err := commandError([]string{"plan"}, stream{}, errors.New("exit status 1")); !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("command error without diagnostics %q", err)
	}
}

func TestStateJSON(t *testing.T) {
	const js = `{"values":{"outputs":{"key_id":{"value":"1003"}},"root_module":{"resources":[
	 {"address":"cloudconnector_api_key.org","mode":"managed","values":{"id":"1003","key":"abcdefghijkl","enabled":true}},
	 {"address":"echo.secret_store","mode":"managed","values":{"data":"abcdefghijkl"}}]}}}`
	var s stateJSON
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		t.Fatal(err)
	}
	if s.attr(addrKey, "key") != "abcdefghijkl" || s.attr(addrKey, "enabled") != "true" || s.attr(addrKey, "nope") != "" {
		t.Error("attr")
	}
	if s.output("key_id") != "1003" || s.output("nope") != "" {
		t.Error("output")
	}
	if got := s.addresses(); !slices.Equal(got, []string{addrKey, addrEcho}) {
		t.Errorf("addresses %v", got)
	}
	var empty stateJSON // `terraform show -json` of an empty state has no values
	if err := json.Unmarshal([]byte(`{"format_version":"1.0"}`), &empty); err != nil {
		t.Fatal(err)
	}
	if empty.addresses() != nil || empty.attr(addrKey, "id") != "" || empty.output("key_id") != "" {
		t.Error("an empty state is not empty")
	}
}

func TestFingerprint(t *testing.T) {
	// sha256("1003:abcdefghijkl"), computed independently.
	if got := fingerprint(1003, "abcdefghijkl"); got != "85f631c19c97c2d6a1d3b4b641b7ba5ca8dc0a79d83c57f951147363d092d430" {
		t.Errorf("fingerprint %s", got)
	}
}

func TestPrinterMasksKeyStrings(t *testing.T) {
	var out bytes.Buffer
	p := &printer{w: &out, total: 1}
	p.hide("abcdEFGH1234")
	p.hide("abcdEFGH1234")
	p.hide("")
	p.terraform("terraform plan", []string{`- data = "abcdEFGH1234" -> null`}, []diagnostic{
		{Severity: "error", Summary: "Boom", Detail: "The key abcdEFGH1234 was refused.\nSecond line."},
	})
	p.check("a check", errors.New("saw abcdEFGH1234"))
	if strings.Contains(out.String(), "abcdEFGH1234") {
		t.Errorf("a key string got through:\n%s", out.String())
	}
	if strings.Count(out.String(), maskedKey) != 3 || len(p.secrets) != 1 {
		t.Errorf("masked %d times, %d secrets:\n%s", strings.Count(out.String(), maskedKey), len(p.secrets), out.String())
	}
	if !strings.Contains(out.String(), "Second line.") {
		t.Error("an error's detail is cut")
	}
}

func TestOrgKeyHidesItsString(t *testing.T) {
	k := orgKey{ID: 1003, Value: "abcdEFGH1234"}
	for _, out := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		if strings.Contains(out, k.Value) || !strings.Contains(out, "1003") {
			t.Errorf("formatted key: %q", out)
		}
	}
}

func TestPrinterSummary(t *testing.T) {
	var out bytes.Buffer
	p := &printer{w: &out}
	p.summary("simulator", []*stepResult{
		{N: 1, Title: "Read the base URL", Status: "ok", Plan: "no changes", Writes: "none"},
		{N: 2, Title: "Share", Status: "FAILED", Plan: "1 to change"},
		{N: 3, Title: "Destroy", Status: "skipped", Plan: "ignored", Writes: "ignored"},
	}, 0)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("summary:\n%s", out.String())
	}
	for i, want := range [][]string{
		{"#", "step", "plan", "API writes", "time", "result"},
		{"1", "Read", "no changes", "none", "ok"},
		{"2", "Share", "1 to change", "FAILED"},
		{"3", "Destroy", "skipped"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("row %d %q lacks %q", i, lines[i+1], w)
			}
		}
	}
	if strings.Contains(out.String(), "ignored") {
		t.Error("a skipped step shows a plan")
	}
}

func TestWrapAndFirstSentence(t *testing.T) {
	got := wrap("one two three four five\nsix", 9)
	if want := []string{"one two", "three", "four five", "six"}; !slices.Equal(got, want) {
		t.Errorf("wrap: %q, want %q", got, want)
	}
	if got := firstSentence("Key 1003 is the api_key.\nThe provider keeps working. More."); got != "Key 1003 is the api_key." {
		t.Errorf("firstSentence: %q", got)
	}
	if got := firstSentence("No full stop"); got != "No full stop" {
		t.Errorf("firstSentence: %q", got)
	}
}

func TestRandomKeyString(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		s, err := randomKeyString("")
		if err != nil {
			t.Fatal(err)
		}
		if !client.ValidKeyValue(s) {
			t.Fatalf("%q is not a valid key string", s)
		}
		seen[s] = true
	}
	if len(seen) != 200 {
		t.Errorf("%d distinct strings in 200", len(seen))
	}
}

func TestTenantCredentials(t *testing.T) {
	if got := tenantCredentials(mapEnv(map[string]string{"ZTC_BASE_URL": "x", "ZTC_CLOUD": "zscalertwo", "ZTC_USERNAME": ""})); got != nil {
		t.Errorf("no credentials set, got %v", got)
	}
	got := tenantCredentials(mapEnv(map[string]string{"ZSCALER_CLIENT_SECRET": "s", "ZTC_API_KEY": "k"}))
	if !slices.Equal(got, []string{"ZTC_API_KEY", "ZSCALER_CLIENT_SECRET"}) {
		t.Errorf("got %v", got)
	}
}

func TestClientConfigFromEnv(t *testing.T) {
	pemFile := filepath.Join(t.TempDir(), "missing.pem")
	for _, tc := range []struct {
		name             string
		env              map[string]string
		baseURL, token   string
		mode             client.AuthMode
		errText, noLeaks string
	}{
		{name: "legacy default cloud", env: map[string]string{"ZTC_USERNAME": "u", "ZTC_PASSWORD": "p", "ZTC_API_KEY": "abcdefghijkl"},
			baseURL: "https://connector.zscaler.net/api/v1", mode: client.AuthLegacy},
		{name: "legacy vendor cloud variable", env: map[string]string{"ZSCALER_CLOUD": "ZscalerTwo", "ZTC_USERNAME": "u", "ZTC_PASSWORD": "p", "ZTC_API_KEY": "abcdefghijkl"},
			baseURL: "https://connector.zscalertwo.net/api/v1", mode: client.AuthLegacy},
		{name: "oneapi vanity domain", env: map[string]string{"ZTC_CLOUD": "zscalertwo", "ZSCALER_CLIENT_ID": "cid", "ZSCALER_CLIENT_SECRET": "topsecret", "ZSCALER_VANITY_DOMAIN": "acme"},
			baseURL: "https://api.zscalertwo.zsapi.net/ztw/api/v1", token: "https://acme.zsloginzscalertwo.net/oauth2/v1/token", mode: client.AuthOneAPI},
		{name: "base and token URL overrides", env: map[string]string{"ZTC_BASE_URL": "http://127.0.0.1:1/ztw/api/v1", "ZSCALER_CLIENT_ID": "cid", "ZSCALER_CLIENT_SECRET": "topsecret", "ZSCALER_TOKEN_URL": "http://127.0.0.1:1/oauth2/v1/token"},
			baseURL: "http://127.0.0.1:1/ztw/api/v1", token: "http://127.0.0.1:1/oauth2/v1/token", mode: client.AuthOneAPI},
		{name: "oneapi without vanity domain", env: map[string]string{"ZSCALER_CLIENT_ID": "cid", "ZSCALER_CLIENT_SECRET": "topsecret"},
			errText: "ZSCALER_VANITY_DOMAIN", noLeaks: "topsecret"},
		{name: "unknown cloud", env: map[string]string{"ZTC_CLOUD": "mars", "ZTC_USERNAME": "u", "ZTC_PASSWORD": "hunter2hunter2"},
			errText: `unknown cloud "mars"`, noLeaks: "hunter2hunter2"},
		{name: "private key file missing", env: map[string]string{"ZSCALER_CLIENT_ID": "cid", "ZSCALER_PRIVATE_KEY": pemFile, "ZSCALER_VANITY_DOMAIN": "acme"},
			errText: "ZSCALER_PRIVATE_KEY: neither PEM text nor a readable file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, err := clientConfigFromEnv(mapEnv(tc.env))
			if tc.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("error %v, want one naming %q", err, tc.errText)
				}
				if tc.noLeaks != "" && strings.Contains(err.Error(), tc.noLeaks) {
					t.Errorf("the error shows a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.BaseURL != tc.baseURL || cfg.TokenURL != tc.token {
				t.Errorf("base %q token %q, want %q %q", cfg.BaseURL, cfg.TokenURL, tc.baseURL, tc.token)
			}
			if tgt := (&apiTarget{cfg: cfg, env: mapEnv(tc.env)}); tgt.AuthMode() != tc.mode {
				t.Errorf("auth mode %s, want %s", tgt.AuthMode(), tc.mode)
			}
		})
	}
}

// TestAPITargetProviderEnv: the provider gets exactly the user's variables,
// with the login key the demo knows to be current under legacy login.
func TestAPITargetProviderEnv(t *testing.T) {
	env := mapEnv(map[string]string{"ZTC_USERNAME": "u", "ZTC_PASSWORD": "p", "ZTC_API_KEY": "abcdefghijkl", "ZTC_CLOUD": "zscalertwo"})
	tgt, err := newAPITarget(env)
	if err != nil {
		t.Fatal(err)
	}
	if !tgt.SetLoginKey("ABCDEFGHIJKL") {
		t.Error("legacy login must follow the key")
	}
	got := tgt.ProviderEnv()
	for _, want := range []string{"ZTC_API_KEY=ABCDEFGHIJKL", "ZTC_USERNAME=u", "ZTC_CLOUD=zscalertwo", "ZSCALER_CLIENT_ID="} {
		if !slices.Contains(got, want) {
			t.Errorf("provider env lacks %q", want)
		}
	}
	if len(got) != len(providerEnvNames) {
		t.Errorf("%d variables, want %d", len(got), len(providerEnvNames))
	}
	oneapi, err := newAPITarget(mapEnv(map[string]string{"ZSCALER_CLIENT_ID": "cid", "ZSCALER_CLIENT_SECRET": "s", "ZSCALER_VANITY_DOMAIN": "acme"}))
	if err != nil {
		t.Fatal(err)
	}
	if oneapi.SetLoginKey("ABCDEFGHIJKL") || slices.Contains(oneapi.ProviderEnv(), "ZTC_API_KEY=ABCDEFGHIJKL") {
		t.Error("OneAPI login does not depend on the key")
	}
}

func TestCopyTree(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "copy")
	if err := os.MkdirAll(filepath.Join(src, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "a", "b", "main.tf"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "a", "b", "main.tf")); err != nil || string(b) != "x" {
		t.Errorf("copied file: %q, %v", b, err)
	}
}

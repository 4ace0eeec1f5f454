package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
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
	if got := trimPlan(showText, 30); !slices.Equal(got, want) {
		t.Errorf("trimPlan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if capped := trimPlan(showText, 4); len(capped) != 4 || !strings.HasPrefix(capped[3], "... 7 more lines") {
		t.Errorf("capped at 4: %q", capped)
	}
	noChanges := "\n\nNo changes. Your infrastructure matches the configuration.\n\nTerraform has compared your real " +
		"infrastructure against your configuration\nand found no differences.\n"
	if got := trimPlan(noChanges, 30); !slices.Equal(got, []string{"No changes. Your infrastructure matches the configuration."}) {
		t.Errorf("no-changes plan: %q", got)
	}
}

func TestPlanActions(t *testing.T) {
	const js = `{"format_version":"1.2","resource_changes":[
	 {"address":"cloudconnector_api_key.a","mode":"managed","change":{"actions":["no-op"],"importing":{"id":"current"}}},
	 {"address":"cloudconnector_api_key.b","mode":"managed","change":{"actions":["delete","create"]}},
	 {"address":"cloudconnector_api_key.c","mode":"managed","change":{"actions":["update"]}},
	 {"address":"cloudconnector_api_key.d","mode":"managed","change":{"actions":["no-op"]}},
	 {"address":"cloudconnector_api_key.e","mode":"managed","change":{"actions":["update"],"importing":{"id":"1"}}},
	 {"address":"echo.e","mode":"managed","change":{"actions":["create"]}},
	 {"address":"echo.f","mode":"managed","change":{"actions":["delete"]}},
	 {"address":"data.cloudconnector_base_url.this","mode":"data","change":{"actions":["read"]}}]}`
	var p tfjson.Plan
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"cloudconnector_api_key.a": "import", "cloudconnector_api_key.b": "replace", "cloudconnector_api_key.c": "update",
		"cloudconnector_api_key.e": "import+update", "echo.e": "create", "echo.f": "delete",
	}
	got := actions(&p)
	if _, err := compareActions(got, want); err != nil || len(got) != len(want) {
		t.Errorf("actions %v, want %v (%v)", got, want, err)
	}
	what, err := compareActions(got, map[string]string{"cloudconnector_api_key.a": "import", "echo.g": "create"})
	if err == nil || !strings.Contains(err.Error(), "echo.g: no change") || !strings.Contains(err.Error(), "echo.e: create") ||
		what != "the plan imports cloudconnector_api_key.a and creates echo.g" {
		t.Errorf("compareActions of different maps: %q, %v", what, err)
	}
}

func TestParseStream(t *testing.T) {
	out := strings.Join([]string{
		`{"@message":"Terraform 1.11.4","type":"version"}`,
		`{"type":"diagnostic","diagnostic":{"severity":"warning","summary":"Provider development overrides are in effect","detail":"x"}}`,
		`not json at all`,
		`{"type":"diagnostic","diagnostic":{"severity":"warning","summary":"API key left in place","detail":"delete_on_destroy is false. More."}}`,
		`{"type":"diagnostic","diagnostic":{"severity":"error","summary":"Nothing to import","detail":"The organization has no API key."}}`,
		`{"@message":"Apply complete! Resources: 0 added, 0 changed, 1 destroyed.","type":"change_summary"}`,
	}, "\n")
	s := tfrun.ParseStream([]byte(out))
	if s.Summary != "Apply complete! Resources: 0 added, 0 changed, 1 destroyed." || len(s.Diags) != 2 {
		t.Errorf("summary %q, diagnostics %+v", s.Summary, s.Diags)
	}
	err := s.Err(errors.New("exit status 1"))
	if err == nil || !strings.Contains(err.Error(), "Error: Nothing to import") || !strings.Contains(err.Error(), "has no API key") {
		t.Errorf("command error %q", err)
	}
	if err := (tfrun.Stream{}).Err(errors.New("exit status 1")); err == nil || err.Error() != "exit status 1" {
		t.Errorf("command error without diagnostics %q", err)
	}
	if s.Err(nil) != nil {
		t.Error("a command that succeeded has an error")
	}
}

func TestPrinter(t *testing.T) {
	var out bytes.Buffer
	p := &printer{w: &out, total: 1}
	p.hide("abcdEFGH1234", "abcdEFGH1234", "")
	p.terraform("terraform plan", []string{`- data = "abcdEFGH1234" -> null`}, []tfjson.Diagnostic{
		{Severity: tfjson.DiagnosticSeverityError, Summary: "Boom", Detail: "The key abcdEFGH1234 was refused.\nSecond line."},
		{Severity: tfjson.DiagnosticSeverityWarning, Summary: "Careful", Detail: "First. Second."},
	})
	p.check("a check", errors.New("saw abcdEFGH1234"))
	text := out.String()
	if strings.Contains(text, "abcdEFGH1234") || strings.Count(text, maskedKey) != 3 || len(p.secrets) != 1 {
		t.Errorf("masking (%d secrets):\n%s", len(p.secrets), text)
	}
	if !strings.Contains(text, "Second line.") || strings.Contains(text, "Second.") {
		t.Errorf("an error's detail is cut, or a warning's is not:\n%s", text)
	}

	out.Reset()
	p.summary("simulator", []*stepResult{
		{N: 1, Title: "Read the base URL", Status: "ok", Plan: "no changes", Writes: "none"},
		{N: 2, Title: "Share", Status: "FAILED", Plan: "1 to change"},
		{N: 3, Title: "Destroy", Status: "skipped", Plan: "ignored", Writes: "ignored"},
	}, 0)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 || strings.Contains(out.String(), "ignored") {
		t.Fatalf("summary:\n%s", out.String())
	}
	for i, want := range [][]string{{"#", "step", "plan", "API writes", "time", "result"},
		{"1", "Read", "no changes", "none", "ok"}, {"2", "Share", "1 to change", "FAILED"}, {"3", "Destroy", "skipped"}} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("row %d %q lacks %q", i, lines[i+1], w)
			}
		}
	}
}

func TestRandomKeyString(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		s := randomKeyString("")
		if !client.ValidKeyValue(s) {
			t.Fatalf("%q is not a valid key string", s)
		}
		seen[s] = true
	}
	if len(seen) != 200 {
		t.Errorf("%d distinct strings in 200", len(seen))
	}
}

func TestLoginConfig(t *testing.T) {
	pemFile := filepath.Join(t.TempDir(), "missing.pem")
	for _, tc := range []struct {
		name             string
		env              map[string]string
		baseURL, token   string
		errText, noLeaks string
	}{
		{name: "legacy default cloud", env: map[string]string{"ZTC_USERNAME": "u", "ZTC_PASSWORD": "p", "ZTC_API_KEY": "abcdefghijkl"},
			baseURL: "https://connector.zscaler.net/api/v1"},
		{name: "legacy vendor cloud variable", env: map[string]string{"ZSCALER_CLOUD": "ZscalerTwo", "ZTC_USERNAME": "u", "ZTC_PASSWORD": "p", "ZTC_API_KEY": "abcdefghijkl"},
			baseURL: "https://connector.zscalertwo.net/api/v1"},
		{name: "oneapi vanity domain", env: map[string]string{"ZTC_CLOUD": "zscalertwo", "ZSCALER_CLIENT_ID": "cid", "ZSCALER_CLIENT_SECRET": "topsecret", "ZSCALER_VANITY_DOMAIN": "acme"},
			baseURL: "https://api.zscalertwo.zsapi.net/ztw/api/v1", token: "https://acme.zsloginzscalertwo.net/oauth2/v1/token"},
		{name: "base and token URL overrides", env: map[string]string{"ZTC_BASE_URL": "http://127.0.0.1:1/ztw/api/v1", "ZSCALER_CLIENT_ID": "cid", "ZSCALER_CLIENT_SECRET": "topsecret", "ZSCALER_TOKEN_URL": "http://127.0.0.1:1/oauth2/v1/token"},
			baseURL: "http://127.0.0.1:1/ztw/api/v1", token: "http://127.0.0.1:1/oauth2/v1/token"},
		{name: "a mix is refused", env: map[string]string{"ZTC_USERNAME": "u", "ZTC_PASSWORD": "hunter2hunter2", "ZTC_API_KEY": "abcdefghijkl", "ZSCALER_VANITY_DOMAIN": "acme"},
			errText: "both legacy login (ZTC_USERNAME, ZTC_PASSWORD, ZTC_API_KEY) and OneAPI login (ZSCALER_VANITY_DOMAIN)", noLeaks: "hunter2hunter2"},
		{name: "oneapi without vanity domain", env: map[string]string{"ZSCALER_CLIENT_ID": "cid", "ZSCALER_CLIENT_SECRET": "topsecret"},
			errText: "ZSCALER_VANITY_DOMAIN", noLeaks: "topsecret"},
		{name: "unknown cloud", env: map[string]string{"ZTC_CLOUD": "mars", "ZTC_USERNAME": "u", "ZTC_PASSWORD": "hunter2hunter2"},
			errText: `unknown cloud "mars"`, noLeaks: "hunter2hunter2"},
		{name: "private key file missing", env: map[string]string{"ZSCALER_CLIENT_ID": "cid", "ZSCALER_PRIVATE_KEY": pemFile, "ZSCALER_VANITY_DOMAIN": "acme"},
			errText: "ZSCALER_PRIVATE_KEY: neither PEM text nor a readable file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := loginConfig(tc.env)
			switch {
			case tc.errText != "" && (err == nil || !strings.Contains(err.Error(), tc.errText)):
				t.Fatalf("error %v, want one naming %q", err, tc.errText)
			case tc.noLeaks != "" && err != nil && strings.Contains(err.Error(), tc.noLeaks):
				t.Errorf("the error shows a secret: %v", err)
			case tc.errText == "" && err != nil:
				t.Fatal(err)
			case tc.errText == "" && (cfg.BaseURL != tc.baseURL || cfg.TokenURL != tc.token):
				t.Errorf("base %q token %q, want %q %q", cfg.BaseURL, cfg.TokenURL, tc.baseURL, tc.token)
			}
		})
	}
}

// TestTenantFollowsTheKey: the provider gets exactly the user's variables,
// with the login key the demo knows to be current under legacy login.
func TestTenantFollowsTheKey(t *testing.T) {
	env := map[string]string{"ZTC_USERNAME": "u", "ZTC_PASSWORD": "p", "ZTC_API_KEY": "abcdefghijkl", "ZTC_CLOUD": "zscalertwo"}
	cfg, err := loginConfig(env)
	if err != nil {
		t.Fatal(err)
	}
	tn := &tenant{env: env, cfg: cfg}
	if !tn.followKey("ABCDEFGHIJKL") || tn.followKey("ABCDEFGHIJKL") {
		t.Error("legacy login must follow a new key, once")
	}
	got := tn.providerEnv()
	if got["ZTC_API_KEY"] != "ABCDEFGHIJKL" || got["ZTC_CLOUD"] != "zscalertwo" || len(got) != len(providerEnvNames) {
		t.Errorf("provider env %v", got)
	}
	if strings.Contains(fmt.Sprintf("%v %+v", tn, tn), "ABCDEFGHIJKL") {
		t.Error("a tenant prints its login key")
	}
	env = map[string]string{"ZSCALER_CLIENT_ID": "cid", "ZSCALER_CLIENT_SECRET": "s", "ZSCALER_VANITY_DOMAIN": "acme"}
	cfg, err = loginConfig(env)
	if err != nil {
		t.Fatal(err)
	}
	oneapi := &tenant{env: env, cfg: cfg}
	if oneapi.followKey("ABCDEFGHIJKL") || oneapi.providerEnv()["ZTC_API_KEY"] != "" {
		t.Error("OneAPI login does not depend on the key")
	}
}

// TestWalkConfigurationsExist: every folder a step names is in examples/demo.
func TestWalkConfigurationsExist(t *testing.T) {
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps(true) {
		if files, _ := filepath.Glob(filepath.Join(root, "examples", "demo", s.Folder, "*.tf")); s.Folder != "" && len(files) == 0 {
			t.Errorf("step %q: examples/demo/%s has no .tf file", s.Title, s.Folder)
		}
	}
	if first := steps(false)[0]; first.Folder == "" {
		t.Error("the first step must name a configuration")
	}
	if n, m := len(steps(false)), len(steps(true)); m != n+1 || steps(true)[m-1].Run == nil {
		t.Errorf("a real tenant gets %d steps, the simulator %d: want one more, the restore", m, n)
	}
}

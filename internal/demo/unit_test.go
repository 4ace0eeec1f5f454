package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
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
	 {"address":"cloudconnector_api_key.b","mode":"managed","change":{"actions":["delete","create"]}},
	 {"address":"cloudconnector_api_key.c","mode":"managed","change":{"actions":["update"]}},
	 {"address":"cloudconnector_api_key.d","mode":"managed","change":{"actions":["no-op"]}},
	 {"address":"echo.e","mode":"managed","change":{"actions":["create"]}},
	 {"address":"echo.f","mode":"managed","change":{"actions":["delete"]}},
	 {"address":"data.cloudconnector_base_url.this","mode":"data","change":{"actions":["read"]}}]}`
	var p tfjson.Plan
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"cloudconnector_api_key.b": "replace", "cloudconnector_api_key.c": "update", "echo.e": "create", "echo.f": "delete",
	}
	if got := actions(&p); !maps.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
	if got, want := sayActions(want), "replaces cloudconnector_api_key.b and updates cloudconnector_api_key.c in place "+
		"and creates echo.e and destroys echo.f"; got != want {
		t.Errorf("sayActions = %q, want %q", got, want)
	}
	if got := sayActions(nil); got != "changes no resource" {
		t.Errorf("sayActions(nil) = %q", got)
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
	p.note("saw abcdEFGH1234")
	text := out.String()
	if strings.Contains(text, "abcdEFGH1234") || strings.Count(text, maskedKey) != 3 || len(p.secrets) != 1 {
		t.Errorf("masking (%d secrets):\n%s", len(p.secrets), text)
	}
	if !strings.Contains(text, "Second line.") || !strings.Contains(text, "First. Second.") {
		t.Errorf("a diagnostic's detail is cut:\n%s", text)
	}

	out.Reset()
	p.summary([]*stepResult{
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

// TestWalkConfigurationsExist: every folder a step names is in examples/demo,
// with its configuration in one main.tf.
func TestWalkConfigurationsExist(t *testing.T) {
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps() {
		if s.Folder == "" {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(root, "examples", "demo", s.Folder, "*.tf"))
		if len(files) != 1 || filepath.Base(files[0]) != "main.tf" {
			t.Errorf("step %q: examples/demo/%s holds %v, want main.tf alone", s.Title, s.Folder, files)
		}
	}
	if first := steps()[0]; first.Folder == "" {
		t.Error("the first step must name a configuration")
	}
}

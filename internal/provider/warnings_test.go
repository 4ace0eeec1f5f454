package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// TestAccWarningsUsersSee runs the built provider through terraform with
// -json, as a user does, and reads every warning each plan and apply shows
// (terraform-plugin-testing does not expose warnings), in both login modes.
// Routine work is quiet: an adopting create says nothing, a scheduled
// rotation at most one thing (under legacy login, which credential to
// update); the unusual says what the apply will do.
func TestAccWarningsUsersSee(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
	const handOver = "Update api_key: the provider's login key changed"
	const regenerating = "Regenerating the organization's API key"
	for _, mode := range []string{"legacy", "oneapi"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			bin, cli := testsupport.UserTerraform(t)
			work := t.TempDir()
			sim := testsupport.StartSimulator(t)
			org := sim.DefaultOrganization()
			cfg := org.Config()
			tf := tfrun.Terraform{Bin: bin, Dir: work}

			// step writes the resource block, runs one command with -json and
			// returns the summaries of the warnings it showed.
			step := func(body string, args ...string) []string {
				t.Helper()
				config := testsupport.TerraformBlock(TypeName) + "resource \"cloudconnector_api_key\" \"this\" {\n" + body + "\n}\n"
				if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
					t.Fatal(err)
				}
				sim.Advance(2 * time.Second) // each command in a fresh rate-limit window
				tf.Env = []string{"TF_CLI_CONFIG_FILE=" + cli, "ZTC_BASE_URL=" + sim.OneAPIBaseURL(),
					"ZSCALER_CLIENT_ID=" + cfg.ClientID, "ZSCALER_CLIENT_SECRET=" + cfg.ClientSecret,
					"ZSCALER_TOKEN_URL=" + sim.TokenURL()}
				if mode == "legacy" {
					key := testsupport.CurrentKey(t, org)
					tf.Env = []string{"TF_CLI_CONFIG_FILE=" + cli, "ZTC_BASE_URL=" + sim.LegacyBaseURL(),
						"ZTC_USERNAME=" + cfg.Username, "ZTC_PASSWORD=" + cfg.Password, "ZTC_API_KEY=" + key.Value}
				}
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				res, err := tf.Run(ctx, append(args, "-json", "-input=false")...)
				if err != nil {
					t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, res.Stdout)
				}
				return warningSummaries(t, res.Stdout)
			}
			// expect: exactly these warnings, in any order.
			expect := func(what string, got []string, want ...string) {
				t.Helper()
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s: want the warnings %q, got %q", what, want, got)
				}
			}
			// legacyOnly is want under legacy login, nothing under OneAPI.
			legacyOnly := func(want string) []string {
				if mode == "legacy" {
					return []string{want}
				}
				return nil
			}

			expect("plan of an adopting create", step("", "plan"))
			expect("apply of an adopting create", step("", "apply", "-auto-approve"))
			expect("plan of an edit", step(`key = "WarnedEdit01"`, "plan"))
			expect("apply of an edit", step(`key = "WarnedEdit01"`, "apply", "-auto-approve"), legacyOnly(handOver)...)
			triggers := func(r string) string { return fmt.Sprintf("regenerate_triggers = { rotation = %q }", r) }
			expect("plan of adding triggers", step(triggers("1"), "plan"))
			expect("apply of adding triggers", step(triggers("1"), "apply", "-auto-approve"))
			// A scheduled rotation: at most one warning in plan and apply together.
			expect("plan of a rotation", step(triggers("2"), "plan"))
			expect("apply of a rotation", step(triggers("2"), "apply", "-auto-approve"), regenerating)
			// From triggers to key_wo: an edit, never called a regenerate.
			wo := "key_wo = \"WarnedEdit02\"\nkey_wo_version = 1"
			expect("plan of triggers to key_wo", step(wo, "plan"))
			expect("apply of triggers to key_wo", step(wo, "apply", "-auto-approve"), legacyOnly(handOver)...)
			expect("apply of delete_on_destroy = true", step("delete_on_destroy = true", "apply", "-auto-approve"))
			expect("plan of a destroy that deletes", step("delete_on_destroy = true", "plan", "-destroy"),
				"This destroy deletes the organization's API key")
			if n := sim.Counts().OK[simulator.OpDelete]; n != 0 {
				t.Fatalf("%d deletes before the destroy", n)
			}
			expect("apply of delete_on_destroy = false", step("", "apply", "-auto-approve"))
			expect("plan of a destroy that forgets", step("", "plan", "-destroy"))
			// forgotten; a new resource with triggers regenerates: said at plan time
			expect("apply of the destroy", step("", "destroy", "-auto-approve"))
			expect("plan of a create with triggers", step(triggers("3"), "plan"),
				regenerating)
		})
	}
}

// warningSummaries reads terraform's -json output lines for diagnostics.
func warningSummaries(t *testing.T, stdout string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(stdout, "\n") {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity string `json:"severity"`
				Summary  string `json:"summary"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "diagnostic" {
			continue
		}
		// Terraform's own warning about dev_overrides, which users do not see.
		if msg.Diagnostic.Severity == "warning" && msg.Diagnostic.Summary != "Provider development overrides are in effect" {
			out = append(out, msg.Diagnostic.Summary)
		}
	}
	return out
}

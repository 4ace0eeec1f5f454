package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// TestAccWarningsUsersSee runs the built provider through terraform with
// -json, as a user does, and reads the warnings each plan and apply shows:
// terraform-plugin-testing does not expose warnings. Legacy login, so that the
// provider changes the very key it logs in with.
func TestAccWarningsUsersSee(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
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
		key := testsupport.CurrentKey(t, org)
		tf.Env = []string{"TF_CLI_CONFIG_FILE=" + cli, "ZTC_BASE_URL=" + sim.LegacyBaseURL(),
			"ZTC_USERNAME=" + cfg.Username, "ZTC_PASSWORD=" + cfg.Password, "ZTC_API_KEY=" + key.Value}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res, err := tf.Run(ctx, append(args, "-json", "-input=false")...)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, res.Stdout)
		}
		return warningSummaries(t, res.Stdout)
	}
	expect := func(what string, got []string, want ...string) {
		t.Helper()
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("%s: want the warning %q, got %q", what, w, got)
			}
		}
	}

	expect("plan of the first create", step("", "plan"),
		"Creating this resource takes over the organization's API key",
		"This apply changes the key the provider logs in with")
	expect("apply of the first create", step("", "apply", "-auto-approve"),
		"Update api_key: the provider's login key changed")
	expect("plan of an edit", step(`key = "WarnedEdit01"`, "plan"),
		"This apply changes the key the provider logs in with")
	expect("apply of an edit", step(`key = "WarnedEdit01"`, "apply", "-auto-approve"),
		"Update api_key: the provider's login key changed")
	expect("plan of a rotation", step(`regenerate_triggers = { rotation = "1" }`, "plan"),
		"Rotating the organization's API key",
		"This apply changes the key the provider logs in with")
	step(`regenerate_triggers = { rotation = "1" }`, "apply", "-auto-approve")
	expect("apply of delete_on_destroy = false", step(`delete_on_destroy = true`, "apply", "-auto-approve"))
	expect("plan of a destroy that deletes", step(`delete_on_destroy = true`, "plan", "-destroy"),
		"Deleting the key this provider logs in with")
	if n := sim.Counts().OK[simulator.OpDelete]; n != 0 {
		t.Fatalf("%d deletes before the destroy", n)
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
		if msg.Diagnostic.Severity == "warning" {
			out = append(out, msg.Diagnostic.Summary)
		}
	}
	return out
}

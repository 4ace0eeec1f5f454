package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// cliRun runs the terraform CLI as a user does, in one working directory,
// with the provider built once per test binary in its own process, against
// one simulator organization. It reaches what terraform-plugin-testing does
// not: -replace, warnings, saved plans, state surgery.
type cliRun struct {
	t      *testing.T
	tf     tfrun.Terraform
	sim    *simulator.Simulator
	org    *simulator.Organization
	cli    string
	oneAPI bool
	// env is added to the login's environment, overriding it (a wrong
	// password, another base URL).
	env []string
}

func newCLIRun(t *testing.T, oneAPI bool, orgs ...simulator.OrgConfig) *cliRun {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
	bin, cli := userTerraform(t)
	sim := testsupport.StartSimulator(t, orgs...)
	return &cliRun{t: t, tf: tfrun.Terraform{Bin: bin, Dir: t.TempDir()}, sim: sim, org: sim.DefaultOrganization(),
		cli: cli, oneAPI: oneAPI}
}

// write makes config, with the terraform block, the configuration.
func (r *cliRun) write(config string) {
	r.t.Helper()
	config = terraformBlock(TypeName) + config
	if err := os.WriteFile(filepath.Join(r.tf.Dir, "main.tf"), []byte(config), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// run runs one command. Legacy login takes the organization's current key,
// as for a user who updates ZTC_API_KEY after each rotation.
func (r *cliRun) run(args ...string) (tfrun.Result, error) {
	r.t.Helper()
	r.sim.Advance(2 * time.Second) // each command in a fresh rate-limit window
	cfg := r.org.Config()
	if r.oneAPI {
		r.tf.Env = []string{"TF_CLI_CONFIG_FILE=" + r.cli, "ZTC_BASE_URL=" + r.sim.OneAPIBaseURL(),
			"ZSCALER_CLIENT_ID=" + cfg.ClientID, "ZSCALER_CLIENT_SECRET=" + cfg.ClientSecret,
			"ZSCALER_TOKEN_URL=" + r.sim.TokenURL()}
	} else {
		k, _ := r.org.Key()
		r.tf.Env = []string{"TF_CLI_CONFIG_FILE=" + r.cli, "ZTC_BASE_URL=" + r.sim.LegacyBaseURL(),
			"ZTC_USERNAME=" + cfg.Username, "ZTC_PASSWORD=" + cfg.Password, "ZTC_API_KEY=" + k.Value}
	}
	r.tf.Env = append(r.tf.Env, r.env...)
	flags := []string{"-no-color"} // before any positional argument
	switch args[0] {
	case "plan", "apply", "destroy":
		flags = append(flags, "-input=false")
	case "state":
		return r.tf.Run(context.Background(), args...)
	}
	return r.tf.Run(context.Background(), append(append([]string{args[0]}, flags...), args[1:]...)...)
}

func (r *cliRun) mustRun(args ...string) tfrun.Result {
	r.t.Helper()
	res, err := r.run(args...)
	if err != nil {
		r.t.Fatalf("%v\n%s", err, res.Stdout)
	}
	return res
}

// diags runs a command with -json and returns the summaries of its warnings
// and errors; failed reports whether the command failed.
func (r *cliRun) diags(args ...string) (warnings, errs []string, failed bool) {
	r.t.Helper()
	res, err := r.run(append([]string{args[0], "-json"}, args[1:]...)...)
	for _, d := range tfrun.ParseStream([]byte(res.Stdout)).Diags {
		if d.Severity == tfjson.DiagnosticSeverityError {
			errs = append(errs, d.Summary)
		} else {
			warnings = append(warnings, d.Summary)
		}
	}
	if err != nil && len(errs) == 0 {
		r.t.Fatalf("%v\n%s", err, res.Stdout)
	}
	return warnings, errs, err != nil
}

// plannedActions returns each resource's planned actions in a saved plan.
func (r *cliRun) plannedActions(planFile string) map[string][]string {
	r.t.Helper()
	res := r.mustRun("show", "-json", planFile)
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &plan); err != nil {
		r.t.Fatalf("show -json: %v", err)
	}
	out := map[string][]string{}
	for _, rc := range plan.ResourceChanges {
		out[rc.Address] = rc.Change.Actions
	}
	return out
}

// actions is what plannedActions gives one address, as one string ("update",
// "create,delete", "delete,create").
func (r *cliRun) actions(planFile, addr string) string {
	r.t.Helper()
	return strings.Join(r.plannedActions(planFile)[addr], ",")
}

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

const regenerateAction = "action.cloudconnector_api_key_regenerate.now"

// simulatorPlanCheck runs f against the simulator once the plan is made,
// before anything is applied.
type simulatorPlanCheck func() error

func (f simulatorPlanCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

// expectRegenerated: the organization's key kept its ID and has a new string,
// with exactly the given number of regenerate calls served.
func expectRegenerated(sim *simulator.Simulator, org *simulator.Organization, before simulator.APIKey, calls int) error {
	c := sim.Counts()
	if c.Calls[simulator.OpRegenerate] != calls || c.OK[simulator.OpRegenerate] != calls {
		return fmt.Errorf("%d regenerate calls (%d answered 2xx), want %d", c.Calls[simulator.OpRegenerate],
			c.OK[simulator.OpRegenerate], calls)
	}
	after, ok := org.Key()
	switch {
	case !ok:
		return fmt.Errorf("organization %s has no key", org.Name())
	case after.ID != before.ID:
		return fmt.Errorf("key ID %d, want %d: a regenerate keeps the ID", after.ID, before.ID)
	case calls > 0 && after.Value == before.Value:
		return fmt.Errorf("key %d still holds its old string", after.ID)
	case calls == 0 && after.Value != before.Value:
		return fmt.Errorf("key %d has a new string, but nothing should have regenerated it", after.ID)
	}
	return nil
}

// TestAccAPIKeyRegenerateActionTrigger: an action_trigger runs the action
// during apply, exactly once; the plan before it calls nothing.
func TestAccAPIKeyRegenerateActionTrigger(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	before := testsupport.CurrentKey(t, org)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			testsupport.SkipOnOpenTofu("actions are Terraform 1.14+ only"), // first: its reason is the one to show
			tfversion.SkipBelow(tfversion.Version1_14_0),
		},
		ProtoV6ProviderFactories: envFactories(testsupport.OneAPIEnv(sim, org)),
		Steps: []resource.TestStep{{
			PreConfig: sim.ResetCounts,
			Config: withTerraformBlock(`
action "cloudconnector_api_key_regenerate" "now" {}

resource "terraform_data" "incident" {
  input = "INC-1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.cloudconnector_api_key_regenerate.now]
    }
  }
}
`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				simulatorPlanCheck(func() error {
					if n := sim.Counts().Calls; n[simulator.OpList]+n[simulator.OpRegenerate] != 0 {
						return fmt.Errorf("the plan called the API: %v", n)
					}
					return nil
				}),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				simulatorCheck(func() error { return expectRegenerated(sim, org, before, 1) }),
				expectWrites(t, sim, map[simulator.Op]int{simulator.OpRegenerate: 1}),
			},
		}},
	})
}

// actionRun drives the built provider through the terraform CLI, as a user
// runs it, in one working directory against one simulator organization.
type actionRun struct {
	t   *testing.T
	tf  tfrun.Terraform
	sim *simulator.Simulator
	org *simulator.Organization
	cli string
}

func newActionRun(t *testing.T, orgs ...simulator.OrgConfig) *actionRun {
	t.Helper()
	bin, cli := testsupport.UserTerraform(t)
	sim := testsupport.StartSimulator(t, orgs...)
	return &actionRun{t: t, tf: tfrun.Terraform{Bin: bin, Dir: t.TempDir()}, sim: sim, org: sim.DefaultOrganization(), cli: cli}
}

func (r *actionRun) write(config string) {
	r.t.Helper()
	config = testsupport.TerraformBlock(TypeName) + config
	if err := os.WriteFile(filepath.Join(r.tf.Dir, "main.tf"), []byte(config), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// run runs one command with legacy login; the login key is the organization's
// current one, as for a user who updates ZTC_API_KEY after each rotation.
func (r *actionRun) run(args ...string) (tfrun.Result, error) {
	r.t.Helper()
	r.sim.Advance(2 * time.Second) // each command in a fresh rate-limit window
	cfg := r.org.Config()
	k, _ := r.org.Key()
	r.tf.Env = []string{"TF_CLI_CONFIG_FILE=" + r.cli, "ZTC_BASE_URL=" + r.sim.LegacyBaseURL(),
		"ZTC_USERNAME=" + cfg.Username, "ZTC_PASSWORD=" + cfg.Password, "ZTC_API_KEY=" + k.Value}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	flags := []string{"-no-color"} // before any positional argument
	if args[0] == "plan" || args[0] == "apply" {
		flags = append(flags, "-input=false")
	}
	return r.tf.Run(ctx, append(append([]string{args[0]}, flags...), args[1:]...)...)
}

func (r *actionRun) mustRun(args ...string) tfrun.Result {
	r.t.Helper()
	res, err := r.run(args...)
	if err != nil {
		r.t.Fatalf("%v\n%s", err, res.Stdout)
	}
	return res
}

// plannedActions returns each resource's planned actions in a saved plan.
func (r *actionRun) plannedActions(planFile string) map[string][]string {
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

// TestAccAPIKeyRegenerateActionInvoked: `terraform apply -invoke` regenerates
// the key exactly once, with progress shown; planning the invocation calls
// nothing; a resource in key mode in the same configuration shows the drift
// at its next plan.
func TestAccAPIKeyRegenerateActionInvoked(t *testing.T) {
	testsupport.SkipBelow(t, tfversion.Version1_14_0, "actions (terraform apply -invoke)")
	t.Parallel()
	r := newActionRun(t)
	r.write(`
resource "cloudconnector_api_key" "this" {
  key = "IncidentKey1"
}

action "cloudconnector_api_key_regenerate" "now" {}
`)
	r.mustRun("apply", "-auto-approve")
	before := testsupport.CurrentKey(t, r.org)

	r.sim.ResetCounts()
	plan := r.mustRun("plan", "-invoke="+regenerateAction)
	if !strings.Contains(plan.Stdout, regenerateAction) {
		t.Errorf("the plan does not show the invocation:\n%s", plan.Stdout)
	}
	if err := expectRegenerated(r.sim, r.org, before, 0); err != nil {
		t.Fatalf("plan -invoke: %v", err)
	}

	r.sim.ResetCounts()
	apply := r.mustRun("apply", "-auto-approve", "-invoke="+regenerateAction)
	if err := expectRegenerated(r.sim, r.org, before, 1); err != nil {
		t.Fatalf("apply -invoke: %v\n%s", err, apply.Stdout)
	}
	if w := writes(r.sim.Counts()); w[simulator.OpEdit]+w[simulator.OpAdd]+w[simulator.OpDelete] != 0 {
		t.Errorf("apply -invoke made other writes than the regenerate: %v", w)
	}
	for _, want := range []string{
		"Listing the organization's API key",
		fmt.Sprintf("Regenerating key %d", before.ID),
		fmt.Sprintf("Key %d regenerated: its old string no longer works", before.ID),
		"Update api_key: the provider's login key changed",
	} {
		if !strings.Contains(apply.Stdout+apply.Stderr, want) {
			t.Errorf("apply -invoke does not show %q:\n%s", want, apply.Stdout)
		}
	}
	if strings.Contains(apply.Stdout+apply.Stderr, before.Value) {
		t.Error("apply -invoke shows the old key string")
	}
	if now := testsupport.CurrentKey(t, r.org); strings.Contains(apply.Stdout+apply.Stderr, now.Value) {
		t.Error("apply -invoke shows the new key string")
	}

	// key mode: the next plan sees the new string and edits it back.
	r.sim.ResetCounts()
	r.mustRun("plan", "-out=drift.tfplan")
	if got := r.plannedActions("drift.tfplan")["cloudconnector_api_key.this"]; len(got) != 1 || got[0] != "update" {
		t.Errorf("after the action the plan for cloudconnector_api_key.this is %v, want [update]", got)
	}
	if n := r.sim.Counts().Calls[simulator.OpRegenerate]; n != 0 {
		t.Errorf("the plan after the action made %d regenerate calls", n)
	}
}

// TestAccAPIKeyRegenerateActionRefused: on a tenant that refuses the
// regenerate, the invocation fails with what to do, and the key is unchanged.
func TestAccAPIKeyRegenerateActionRefused(t *testing.T) {
	testsupport.SkipBelow(t, tfversion.Version1_14_0, "actions (terraform apply -invoke)")
	t.Parallel()
	r := newActionRun(t)
	r.write(`action "cloudconnector_api_key_regenerate" "now" {}` + "\n")
	before := testsupport.CurrentKey(t, r.org)
	r.sim.InjectFault(simulator.Fault{Op: simulator.OpRegenerate, Status: http.StatusForbidden, Times: -1})

	res, err := r.run("apply", "-auto-approve", "-invoke="+regenerateAction)
	if err == nil {
		t.Fatalf("apply -invoke succeeded on a tenant that refuses the regenerate:\n%s", res.Stdout)
	}
	msg := res.Stdout + res.Stderr
	for _, want := range []string{
		"Cannot regenerate the API key",
		"The admin role needs the API Key Management permission: grant it in the admin portal (Administration > " +
			"Role Management), then run the command again.",
	} {
		if !expectErrorText(want).MatchString(msg) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	if c := r.sim.Counts(); c.Calls[simulator.OpRegenerate] != 1 {
		t.Errorf("%d regenerate calls, want 1: a refusal is not retried", c.Calls[simulator.OpRegenerate])
	}
	if now := testsupport.CurrentKey(t, r.org); now.ID != before.ID || now.Value != before.Value {
		t.Errorf("key %d changed although the regenerate was refused", now.ID)
	}
}

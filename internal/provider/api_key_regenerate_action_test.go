package provider

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
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
			skipOnOpenTofu("actions are Terraform 1.14+ only"), // first: its reason is the one to show
			tfversion.SkipBelow(tfversion.Version1_14_0),
		},
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
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

// TestAccAPIKeyRegenerateActionInvoked: `terraform apply -invoke` regenerates
// the key exactly once, with progress shown; planning the invocation calls
// nothing; a resource in key mode in the same configuration shows the drift
// at its next plan.
func TestAccAPIKeyRegenerateActionInvoked(t *testing.T) {
	skipBelow(t, tfversion.Version1_14_0, "actions (terraform apply -invoke)")
	t.Parallel()
	r := newCLIRun(t, false)
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
		"The provider's login key changed",
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
	skipBelow(t, tfversion.Version1_14_0, "actions (terraform apply -invoke)")
	t.Parallel()
	r := newCLIRun(t, false)
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

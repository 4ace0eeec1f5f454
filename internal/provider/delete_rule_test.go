package provider

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// The tests of this file prove the rule that decides when a destroy deletes
// the key: only a plain destroy whose plan said so, only the key that plan
// saw, only while the object still owns it; never a replacement, now or later.

const cbdLifecycle = "lifecycle {\n  create_before_destroy = true\n}"

// deletedOnce: the destroy deleted the organization's key, with one call.
func deletedOnce(sim *simulator.Simulator, org *simulator.Organization) error {
	if _, ok := org.Key(); ok || sim.Counts().OK[simulator.OpDelete] != 1 {
		return fmt.Errorf("destroy with delete_on_destroy true should delete the key once (%d deletes)",
			sim.Counts().OK[simulator.OpDelete])
	}
	return nil
}

// TestAccNoReplacementDeletes: with delete_on_destroy = true, no replacement
// deletes the key: a change of regenerate_triggers and a taint, each with and
// without create_before_destroy, whether the new object regenerates, edits or
// adopts the key. The new object holds the same key ID, the next plan is
// empty, and a plain destroy afterwards deletes the key, once.
func TestAccNoReplacementDeletes(t *testing.T) {
	type shape struct {
		body   string // %s: the step's trigger value
		taint  bool
		writes map[simulator.Op]int // what the replacement writes
	}
	shapes := map[string]shape{
		"trigger change":  {body: `regenerate_triggers = { r = "%s" }`, writes: map[simulator.Op]int{simulator.OpRegenerate: 1}},
		"taint, triggers": {body: `regenerate_triggers = { r = "1" }`, taint: true, writes: map[simulator.Op]int{simulator.OpRegenerate: 1}},
		"taint, adopted":  {body: "", taint: true},
		"taint, key":      {body: `key = "ReplaceKey01"`, taint: true},
		"taint, key_wo":   {body: "key_wo = \"ReplaceKey02\"\nkey_wo_version = 1", taint: true},
	}
	for name, sh := range shapes {
		for _, cbd := range []bool{false, true} {
			want := plancheck.ResourceActionDestroyBeforeCreate
			if cbd {
				name += ", create_before_destroy"
				want = plancheck.ResourceActionCreateBeforeDestroy
			}
			t.Run(name, func(t *testing.T) {
				sim := testsupport.StartSimulator(t)
				org := sim.DefaultOrganization()
				config := func(step string) string {
					body := sh.body
					if strings.Contains(body, "%s") {
						body = fmt.Sprintf(body, step)
					}
					if cbd {
						body += "\n" + cbdLifecycle
					}
					return apiKeyConfig(body + "\ndelete_on_destroy = true")
				}
				sameID := statecheck.CompareValue(compare.ValuesSame())
				var taint []string
				if sh.taint {
					taint = []string{keyAddr}
				}
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
					Steps: []resource.TestStep{
						{Config: config("1"), ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(keyAddr, tfjsonpath.New("id"))}},
						{
							PreConfig: func() { sim.ResetCounts(); sim.Advance(2 * time.Second) },
							Config:    config("2"),
							Taint:     taint,
							ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(keyAddr, want),
							}},
							ConfigStateChecks: []statecheck.StateCheck{
								expectIDInState(org),
								sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
								expectWrites(t, sim, sh.writes),
								statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("delete_on_destroy"), knownvalue.Bool(true)),
							},
						},
						{
							Config: config("2"),
							ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
								plancheck.ExpectEmptyPlan(),
							}},
						},
						{
							PreConfig: func() { sim.ResetCounts(); sim.Advance(2 * time.Second) },
							Config:    config("2"),
							Destroy:   true,
						},
					},
					CheckDestroy: func(*terraform.State) error { return deletedOnce(sim, org) },
				})
			})
		}
	}
}

// TestAccForcedReplacement: replacements that Terraform forces
// (-replace, replace_triggered_by) never delete, and a replacement whose
// effect the plan could not announce is refused at plan: under legacy login
// one that would regenerate the provider's own login key, and with
// delete_on_destroy one that would only adopt the key again.
func TestAccForcedReplacement(t *testing.T) {
	t.Parallel()
	type forced struct {
		oneAPI  bool
		body    string
		cbd     bool
		trigger bool   // replace_triggered_by a terraform_data, rather than -replace
		refused string // the plan's error, if refused
		writes  map[simulator.Op]int
	}
	cases := map[string]forced{
		"-replace, triggers":                           {oneAPI: true, body: `regenerate_triggers = { r = "1" }` + "\ndelete_on_destroy = true", writes: map[simulator.Op]int{simulator.OpRegenerate: 1}},
		"-replace, triggers, create_before_destroy":    {oneAPI: true, body: `regenerate_triggers = { r = "1" }` + "\ndelete_on_destroy = true", cbd: true, writes: map[simulator.Op]int{simulator.OpRegenerate: 1}},
		"replace_triggered_by, triggers, cbd":          {oneAPI: true, body: `regenerate_triggers = { r = "1" }` + "\ndelete_on_destroy = true", cbd: true, trigger: true, writes: map[simulator.Op]int{simulator.OpRegenerate: 1}},
		"-replace, adopted":                            {oneAPI: true, body: ""},
		"-replace, adopted, delete_on_destroy":         {oneAPI: true, body: "delete_on_destroy = true", refused: "Cannot replace this resource while delete_on_destroy is true"},
		"replace_triggered_by, key, delete_on_destroy": {oneAPI: true, body: "key = \"ForcedKey001\"\ndelete_on_destroy = true", trigger: true, refused: "Cannot replace this resource while delete_on_destroy is true"},
		"-replace, triggers, legacy login":             {body: `regenerate_triggers = { r = "1" }`, refused: "Cannot replace this resource under legacy login"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newCLIRun(t, tc.oneAPI)
			config := func(trigger string) {
				body, extra := tc.body, ""
				var lifecycle []string
				if tc.cbd {
					lifecycle = append(lifecycle, "create_before_destroy = true")
				}
				if tc.trigger {
					lifecycle = append(lifecycle, "replace_triggered_by = [terraform_data.rotation]")
					extra = fmt.Sprintf("resource \"terraform_data\" \"rotation\" {\n  input = %q\n}\n", trigger)
				}
				if len(lifecycle) > 0 {
					body += "\nlifecycle {\n  " + strings.Join(lifecycle, "\n  ") + "\n}"
				}
				r.write(extra + "resource \"cloudconnector_api_key\" \"this\" {\n" + body + "\n}\n")
			}
			config("1")
			r.mustRun("apply", "-auto-approve")
			before := testsupport.CurrentKey(t, r.org)
			r.sim.ResetCounts()

			args := []string{"plan", "-out=replace.tfplan"}
			if tc.trigger {
				config("2")
			} else {
				args = append(args, "-replace="+keyAddr)
			}
			_, errs, failed := r.diags(args...)
			if tc.refused != "" {
				if !failed || !slices.Contains(errs, tc.refused) {
					t.Fatalf("the plan should fail with %q, got %q", tc.refused, errs)
				}
				if w := writes(r.sim.Counts()); w[simulator.OpRegenerate]+w[simulator.OpEdit]+w[simulator.OpDelete] != 0 {
					t.Errorf("a refused plan wrote %v", w)
				}
				return
			}
			if failed {
				t.Fatalf("plan failed: %q", errs)
			}
			wantAction := "delete,create"
			if tc.cbd {
				wantAction = "create,delete"
			}
			if got := r.actions("replace.tfplan", keyAddr); got != wantAction {
				t.Fatalf("planned %q, want %q", got, wantAction)
			}
			r.mustRun("apply", "replace.tfplan")
			if got := writes(r.sim.Counts()); !sameWrites(got, tc.writes) {
				t.Errorf("the replacement wrote %v, want %v", got, tc.writes)
			}
			if now, ok := r.org.Key(); !ok || now.ID != before.ID {
				t.Fatalf("after the replacement the organization's key is %v (before: %d)", now.ID, before.ID)
			}
			if res := r.mustRun("plan", "-detailed-exitcode"); !strings.Contains(res.Stdout, "No changes") {
				t.Errorf("the plan after the replacement is not empty:\n%s", res.Stdout)
			}
		})
	}
}

// sameWrites reports whether two write counts agree, a missing entry being zero.
func sameWrites(got, want map[simulator.Op]int) bool {
	for _, op := range []simulator.Op{simulator.OpRegenerate, simulator.OpAdd, simulator.OpEdit, simulator.OpDelete} {
		if got[op] != want[op] {
			return false
		}
	}
	return true
}

// stateObjects lists the resource's objects in `terraform show -json`:
// "current" and, for each deposed object, its deposed key.
func (r *cliRun) stateObjects(addr string) []string {
	r.t.Helper()
	res := r.mustRun("show", "-json")
	var show struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address    string `json:"address"`
					DeposedKey string `json:"deposed_key"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &show); err != nil {
		r.t.Fatalf("show -json: %v", err)
	}
	var out []string
	for _, rs := range show.Values.RootModule.Resources {
		if rs.Address == addr {
			if rs.DeposedKey != "" {
				out = append(out, "deposed")
			} else {
				out = append(out, "current")
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestAccInterruptedReplacementNeverDeletes: a create_before_destroy rotation
// stops after its create half (a dependent fails), leaving the old object
// deposed. Neither the next apply that destroys that object, nor the advice
// of earlier versions (refresh, then apply again) deletes the key that the
// new object holds: the plan says the key stays, and it does.
func TestAccInterruptedReplacementNeverDeletes(t *testing.T) {
	t.Parallel()
	r := newCLIRun(t, true)
	config := func(rotation string, dependentFails bool) {
		postcondition := ""
		if dependentFails {
			// unknown at plan time, false at apply: the apply stops after the key's create half
			postcondition = "\n    postcondition {\n      condition     = self.output == \"never\"\n" +
				"      error_message = \"The dependent failed.\"\n    }"
		}
		r.write(fmt.Sprintf(`resource "cloudconnector_api_key" "this" {
  regenerate_triggers = { rotation = %q }
  delete_on_destroy   = true
  lifecycle {
    create_before_destroy = true
  }
}

resource "terraform_data" "dependent" {
  input = cloudconnector_api_key.this.last_modified_time
  lifecycle {
    create_before_destroy = true%s
  }
}
`, rotation, postcondition))
	}
	config("1", false)
	r.mustRun("apply", "-auto-approve")
	r.sim.ResetCounts()

	config("2", true)
	if _, err := r.run("apply", "-auto-approve"); err == nil {
		t.Fatal("the apply with the failing dependent succeeded")
	}
	if got := r.stateObjects(keyAddr); !slices.Equal(got, []string{"current", "deposed"}) {
		t.Fatalf("after the interrupted rotation the state holds %v, want a current and a deposed object", got)
	}
	held := testsupport.CurrentKey(t, r.org)
	if n := r.sim.Counts().OK[simulator.OpRegenerate]; n != 1 {
		t.Fatalf("%d regenerates before the interruption, want 1", n)
	}

	// The advice earlier versions gave: refresh, then apply again.
	config("2", false)
	r.mustRun("apply", "-refresh-only", "-auto-approve")
	warnings, errs, failed := r.diags("plan", "-out=cleanup.tfplan")
	if failed || !slices.Contains(warnings, "This destroy keeps the organization's API key") {
		t.Fatalf("the plan that destroys the deposed object should say the key stays; warnings %q, errors %q", warnings, errs)
	}
	r.mustRun("apply", "cleanup.tfplan")
	if now, ok := r.org.Key(); !ok || now.ID != held.ID || now.Value != held.Value {
		t.Fatal("destroying the deposed object changed or deleted the key the new object holds")
	}
	if n := r.sim.Counts().Calls[simulator.OpDelete]; n != 0 {
		t.Fatalf("%d delete calls", n)
	}
	if got := r.stateObjects(keyAddr); !slices.Equal(got, []string{"current"}) {
		t.Fatalf("after the cleanup the state holds %v", got)
	}
	if res := r.mustRun("plan"); !strings.Contains(res.Stdout, "No changes") {
		t.Errorf("the plan after the cleanup is not empty:\n%s", res.Stdout)
	}

	// The new object still owns the key: a plain destroy deletes it, once.
	r.sim.ResetCounts()
	r.mustRun("destroy", "-auto-approve")
	if err := deletedOnce(r.sim, r.org); err != nil {
		t.Fatal(err)
	}
}

// TestAccDestroyKeepsAChangedKey: a key changed since this object last
// wrote or adopted it (here in the portal) may belong to something else by
// now: the destroy keeps it and says so at plan, refreshed or not.
func TestAccDestroyKeepsAChangedKey(t *testing.T) {
	t.Parallel()
	r := newCLIRun(t, true)
	r.write("resource \"cloudconnector_api_key\" \"this\" {\n  delete_on_destroy = true\n}\n")
	r.mustRun("apply", "-auto-approve")
	regenerated, err := r.org.RegenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	r.mustRun("apply", "-refresh-only", "-auto-approve") // the state follows the key; the record does not
	r.sim.ResetCounts()
	warnings, errs, failed := r.diags("destroy", "-auto-approve")
	if failed || !slices.Equal(warnings, []string{"This destroy keeps the organization's API key"}) {
		t.Fatalf("the destroy should keep the key and say so once; warnings %q, errors %q", warnings, errs)
	}
	if now, ok := r.org.Key(); !ok || now.Value != regenerated.Value {
		t.Fatal("the destroy changed or deleted the key")
	}
	if n := r.sim.Counts().Calls[simulator.OpDelete]; n != 0 {
		t.Fatalf("%d delete calls", n)
	}
}

// TestAccRenameWithDeleteOnDestroy: a rename without a moved block (of the
// resource, or of a for_each key) destroys one object and creates another
// for the same key. With
// delete_on_destroy the plan refuses it (even with the delete answered
// slowly, which once let the create take over the key a delete then
// removed); with a moved block, or without delete_on_destroy, the key
// stays as it is.
func TestAccRenameWithDeleteOnDestroy(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	config := func(name, moved string, deleteOnDestroy bool) string {
		return withTerraformBlock(fmt.Sprintf(`resource "cloudconnector_api_key" %q {
  delete_on_destroy = %t
}
%s`, name, deleteOnDestroy, moved))
	}
	before := testsupport.CurrentKey(t, org)
	noWritesNorDeletes := []statecheck.StateCheck{expectKeyUnchanged(org, before), expectWrites(t, sim, nil)}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{Config: config("a", "", true), ConfigStateChecks: noWritesNorDeletes},
			{
				PreConfig: func() {
					sim.Advance(2 * time.Second)
					sim.InjectFault(simulator.Fault{Op: simulator.OpDelete, Latency: 3 * time.Second, Times: -1})
				},
				Config:      config("b", "", true),
				ExpectError: expectErrorText("A destroy would delete a key that another resource keeps"),
			},
			{
				PreConfig:         func() { sim.Advance(2 * time.Second) },
				Config:            config("b", "moved {\n  from = cloudconnector_api_key.a\n  to   = cloudconnector_api_key.b\n}\n", true),
				ConfigStateChecks: noWritesNorDeletes,
			},
			{Config: config("b", "", false), ConfigStateChecks: noWritesNorDeletes},
			{
				PreConfig:         func() { sim.Advance(2 * time.Second) },
				Config:            config("c", "", false),
				ConfigStateChecks: noWritesNorDeletes,
			},
		},
	})
}

// TestAccTwoResourcesForOneOrganization: two resources for one organization
// would undo each other at every apply; the plan refuses the second.
func TestAccTwoResourcesForOneOrganization(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	before := testsupport.CurrentKey(t, org)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{Config: apiKeyConfig(`key = "FirstOwner01"`)},
			{
				Config: apiKeyConfig(`key = "FirstOwner01"`) + "resource \"cloudconnector_api_key\" \"second\" {\n" +
					"  key = \"SecondOwner1\"\n}\n",
				ExpectError: expectErrorText("Two cloudconnector_api_key resources manage one key"),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if k, ok := org.Key(); !ok || k.ID != before.ID || k.Value != "FirstOwner01" {
				return fmt.Errorf("the refused plan changed the key")
			}
			return nil
		},
	})
}

package provider

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// expectNoDelete: the simulator has served no delete call so far, and the
// organization still has a key.
func expectNoDelete(sim *simulator.Simulator, org *simulator.Organization) statecheck.StateCheck {
	return simulatorCheck(func() error {
		if n := sim.Counts().Calls[simulator.OpDelete]; n != 0 {
			return fmt.Errorf("%d delete calls with delete_on_destroy false", n)
		}
		if _, ok := org.Key(); !ok {
			return fmt.Errorf("the organization has no key")
		}
		return nil
	})
}

// TestAccKeyNeverDeletedWithoutDeleteOnDestroy walks every path that plans a
// destroy or could call delete (create, update, replace both ways, refresh,
// drift, import, removal from the configuration, destroy) with
// delete_on_destroy false, and counts the simulator's delete calls: none.
func TestAccKeyNeverDeletedWithoutDeleteOnDestroy(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	noDelete := func(extra ...statecheck.StateCheck) []statecheck.StateCheck {
		return append(append(expectKeyInState(org), expectNoDelete(sim, org)), extra...)
	}
	triggers := func(rotation string, extra string) string {
		return apiKeyConfig(fmt.Sprintf("regenerate_triggers = { rotation = %q }\n%s", rotation, extra))
	}
	const cbd = "lifecycle {\n  create_before_destroy = true\n}"
	steps := []resource.TestStep{
		{Config: triggers("1", ""), ConfigStateChecks: noDelete()}, // create: a regenerate
		{
			// triggers dropped, key set: an edit in place
			Config: apiKeyConfig(`key = "SafetyKey001"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: noDelete(expectSimKeyValue(org, "SafetyKey001")),
		},
		{
			Config:            apiKeyConfig("key = \"SafetyKey002\"\ndelete_on_destroy = false"), // update
			ConfigStateChecks: noDelete(expectSimKeyValue(org, "SafetyKey002")),
		},
		{RefreshState: true, Check: func(*terraform.State) error { return expectNoDeleteNow(sim, org) }},
		{
			// drift: regenerated in the portal, the plan restores the string in place
			PreConfig: func() {
				if _, err := org.RegenerateKey(); err != nil {
					t.Fatal(err)
				}
			},
			Config: apiKeyConfig(`key = "SafetyKey002"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: noDelete(expectSimKeyValue(org, "SafetyKey002")),
		},
		{
			Config: triggers("2", ""), // key dropped, triggers added: in place, no call
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: noDelete(),
		},
		{
			Config: triggers("2b", ""), // replacement: one regenerate
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			ConfigStateChecks: noDelete(),
		},
		{
			Config: triggers("3", cbd), // replacement that creates before it destroys
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreateBeforeDestroy),
			}},
			ConfigStateChecks: noDelete(),
		},
		{Config: triggers("3", cbd), ResourceName: keyAddr, ImportState: true, ImportStateId: "current", ImportStateVerify: true,
			ImportStateVerifyIgnore: []string{"regenerate_triggers"}},
		{
			// a plan to destroy calls no delete
			Config:             triggers("3", cbd),
			Destroy:            true,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionDestroy),
			}},
		},
		{
			// removed from the configuration: destroyed in Terraform only
			Config: withTerraformBlock(""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionDestroy),
			}},
			ConfigStateChecks: []statecheck.StateCheck{expectNoDelete(sim, org)},
		},
		{
			// adopted again by import, then destroyed at the end of the test
			Config:             apiKeyConfig(""),
			ResourceName:       keyAddr,
			ImportState:        true,
			ImportStateId:      "current",
			ImportStatePersist: true,
		},
	}
	for i := range steps {
		// each step in a fresh rate-limit window: no waits for 429s
		pre := steps[i].PreConfig
		steps[i].PreConfig = func() {
			sim.Advance(2 * time.Second)
			if pre != nil {
				pre()
			}
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps:                    steps,
		CheckDestroy:             func(*terraform.State) error { return expectNoDeleteNow(sim, org) },
	})
}

func expectNoDeleteNow(sim *simulator.Simulator, org *simulator.Organization) error {
	if n := sim.Counts().Calls[simulator.OpDelete]; n != 0 {
		return fmt.Errorf("%d delete calls with delete_on_destroy false", n)
	}
	if _, ok := org.Key(); !ok {
		return fmt.Errorf("destroy left the organization without a key")
	}
	return nil
}

// TestAccFailedWritesLeaveTheKey: a create, update or replacement that fails
// leaves the organization's key as it was (the same ID and string, or the key
// a failed create added), and the next apply takes it from there.
func TestAccFailedWritesLeaveTheKey(t *testing.T) {
	cases := []struct {
		name   string
		oneAPI bool
		noKey  bool
		setup  string // applied before the failure; "" = none
		body   string
		fault  simulator.Fault
		want   string
		added  bool // the failed create added a key that must stay
	}{
		{name: "create that edits", body: `key = "Failing00001"`,
			fault: simulator.Fault{Op: simulator.OpEdit, Status: http.StatusServiceUnavailable, Times: -1}, want: "Cannot set the adopted key's string"},
		{name: "create that regenerates", body: `regenerate_triggers = { r = "1" }`,
			fault: simulator.Fault{Op: simulator.OpRegenerate, Status: http.StatusConflict, Times: -1}, want: "Cannot regenerate the API key"},
		{name: "update", setup: `key = "Working00001"`, body: `key = "Failing00001"`,
			fault: simulator.Fault{Op: simulator.OpEdit, Status: http.StatusForbidden, Times: -1}, want: "Cannot edit the API key string"},
		{name: "replacement", setup: `regenerate_triggers = { r = "1" }`, body: `regenerate_triggers = { r = "2" }`,
			fault: simulator.Fault{Op: simulator.OpRegenerate, Status: http.StatusInternalServerError, Times: -1}, want: "Cannot regenerate the API key"},
		{name: "create that adds and then edits", oneAPI: true, noKey: true, body: `key = "Failing00001"`, added: true,
			fault: simulator.Fault{Op: simulator.OpEdit, Status: http.StatusBadGateway, Times: -1}, want: "Cannot edit the API key string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var sim *simulator.Simulator
			if tc.noKey {
				sim = testsupport.StartSimulator(t, simulator.OrgConfig{Name: "empty", NoKey: true})
			} else {
				sim = testsupport.StartSimulator(t)
			}
			org := sim.DefaultOrganization()
			env := testsupport.LegacyEnv(sim, org)
			if tc.oneAPI {
				env = oneAPIEnv(sim, org)
			}
			var steps []resource.TestStep
			if tc.setup != "" {
				steps = append(steps, resource.TestStep{Config: tunedConfig(1, 10, tc.setup)})
			}
			var before simulator.APIKey
			var hadKey bool
			steps = append(steps,
				resource.TestStep{
					PreConfig: func() {
						sim.Advance(2 * time.Second) // a fresh rate-limit window for the faults to meet
						before, hadKey = org.Key()
						sim.ResetCounts()
						sim.InjectFault(tc.fault)
					},
					Config:      tunedConfig(1, 10, tc.body),
					ExpectError: expectErrorText(tc.want),
				},
				resource.TestStep{
					PreConfig: func() {
						sim.ClearFaults()
						sim.Advance(2 * time.Second)
						after, ok := org.Key()
						switch {
						case !ok:
							t.Fatal("the failed apply left the organization without a key")
						case hadKey && (after.ID != before.ID || after.Value != before.Value):
							t.Errorf("the failed apply changed key %d", before.ID)
						case tc.added && sim.Counts().OK[simulator.OpAdd] != 1:
							t.Errorf("the failed create should have added exactly one key")
						}
						if n := sim.Counts().Calls[simulator.OpDelete]; n != 0 {
							t.Errorf("%d delete calls", n)
						}
					},
					Config: tunedConfig(1, 10, tc.body),
					ConfigStateChecks: append(expectKeyInState(org), simulatorCheck(func() error {
						c := sim.Counts()
						if c.Calls[simulator.OpDelete] != 0 || c.OK[simulator.OpAdd] > 1 {
							return fmt.Errorf("calls %v: the retry must take the existing key over", c.Calls)
						}
						return nil
					})),
				})
			resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: envFactories(env), Steps: steps})
		})
	}
}

// TestAccKeyGoneStaysGone: a key deleted in the portal, and another added
// since, is not the key this state manages. The refresh drops the resource,
// the plan shows a create, and a destroy with delete_on_destroy true leaves
// the new key alone.
func TestAccKeyGoneStaysGone(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	var added simulator.APIKey
	config := apiKeyConfig("delete_on_destroy = true")
	resource.ParallelTest(t, resource.TestCase{
		// OneAPI: legacy login fails between the portal's delete and add.
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if err := org.DeleteKey(); err != nil {
						t.Fatal(err)
					}
					var err error
					if added, err = org.AddKey(); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreate),
				}},
			},
			{
				PreConfig: sim.ResetCounts,
				Config:    config,
				Destroy:   true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			k, ok := org.Key()
			if !ok || k.ID != added.ID || k.Value != added.Value {
				return fmt.Errorf("the key added in the portal (ID %d) must survive the destroy", added.ID)
			}
			if n := sim.Counts().Calls[simulator.OpDelete]; n != 0 {
				return fmt.Errorf("%d delete calls", n)
			}
			return nil
		},
	})
}

// TestAccPartialAnswers: an edit whose answer lacks enabled, permissions and
// the last change still ends in a consistent state (the provider reads what
// is missing), on create and on update, and the next plan is empty.
func TestAccPartialAnswers(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	k := testsupport.CurrentKey(t, org)
	partialEdit := func(value string) func() {
		return func() {
			sim.Advance(2 * time.Second)
			sim.InjectFault(simulator.Fault{Op: simulator.OpEdit, AfterApply: true,
				Body: fmt.Sprintf(`{"id":%d,"keyValue":%q}`, k.ID, value)})
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				PreConfig: partialEdit("PartialKey01"),
				Config:    apiKeyConfig(`key = "PartialKey01"`),
				ConfigStateChecks: append(expectKeyInState(org),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("last_modified_time"), knownvalue.NotNull())),
			},
			{
				PreConfig: partialEdit("PartialKey02"),
				Config:    apiKeyConfig("key_wo = \"PartialKey02\"\nkey_wo_version = 1"),
				ConfigStateChecks: []statecheck.StateCheck{expectSimKeyValue(org, "PartialKey02"),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true))},
			},
			{
				Config: apiKeyConfig("key_wo = \"PartialKey02\"\nkey_wo_version = 1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

package provider

import (
	"fmt"
	"net/http"
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

// TestAccDeleteOnlyWhenAsked: the counterpart. With delete_on_destroy true a
// replacement deletes, then adds (the design's documented trade-off), and
// destroy deletes once.
func TestAccDeleteOnlyWhenAsked(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	config := func(rotation string) string {
		return apiKeyConfig(fmt.Sprintf("regenerate_triggers = { rotation = %q }\ndelete_on_destroy = true", rotation))
	}
	resource.ParallelTest(t, resource.TestCase{
		// OneAPI: no legacy login works between the delete and the add. The
		// test moves the simulator's clock past the 1-a-minute delete limit;
		// the shared pace file knows only real time, so it stays off here.
		ProtoV6ProviderFactories: envFactories(testsupport.OneAPIEnv(sim, org).Set(envPaceFile, "off")),
		Steps: []resource.TestStep{
			{Config: config("1"), ConfigStateChecks: append(expectKeyInState(org), expectNoDelete(sim, org))},
			{
				PreConfig: sim.ResetCounts,
				Config:    config("2"),
				ConfigStateChecks: append(expectKeyInState(org),
					expectWrites(t, sim, map[simulator.Op]int{simulator.OpDelete: 1, simulator.OpAdd: 1})),
			},
			{
				// past the delete rate limit (1 a minute) that the replacement used
				PreConfig: func() { sim.ResetCounts(); sim.Advance(time.Minute + time.Second) },
				Config:    config("2"),
				Destroy:   true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := sim.Counts().OK[simulator.OpDelete]; n != 1 {
				return fmt.Errorf("%d deletes; destroy with delete_on_destroy true deletes once", n)
			}
			if _, ok := org.Key(); ok {
				return fmt.Errorf("the key is still there")
			}
			return nil
		},
	})
}

// TestAccCreateBeforeDestroyKeepsTheKey: with create_before_destroy the new
// resource takes the key over (a regenerate) before the old one is
// destroyed; even with delete_on_destroy true, the destroy must not delete
// the key the new resource now holds.
func TestAccCreateBeforeDestroyKeepsTheKey(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	config := func(rotation string) string {
		return apiKeyConfig(fmt.Sprintf("regenerate_triggers = { rotation = %q }\ndelete_on_destroy = true\n"+
			"lifecycle {\n  create_before_destroy = true\n}", rotation))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.OneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{Config: config("1")},
			{
				PreConfig: sim.ResetCounts,
				Config:    config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreateBeforeDestroy),
				}},
				ConfigStateChecks: append(expectKeyInState(org), expectNoDelete(sim, org),
					expectWrites(t, sim, map[simulator.Op]int{simulator.OpRegenerate: 1})),
			},
			{
				// destroy still deletes, once: the state and the key agree again
				PreConfig: func() { sim.ResetCounts(); sim.Advance(2 * time.Second) },
				Config:    config("2"),
				Destroy:   true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if _, ok := org.Key(); ok || sim.Counts().OK[simulator.OpDelete] != 1 {
				return fmt.Errorf("destroy with delete_on_destroy true should delete the key once")
			}
			return nil
		},
	})
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
				env = testsupport.OneAPIEnv(sim, org)
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
		ProtoV6ProviderFactories: envFactories(testsupport.OneAPIEnv(sim, org)),
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

// TestAccReplaceKeepsTheKey: `terraform apply -replace` (a taint here) under
// create_before_destroy with delete_on_destroy true. The new object adopts,
// edits or regenerates the key first; the destroy of the old one must leave
// the key that the new one now holds: the key survives, the state still says
// delete_on_destroy, and the next plan is empty.
func TestAccReplaceKeepsTheKey(t *testing.T) {
	cases := map[string]struct {
		body   string
		writes map[simulator.Op]int
	}{
		"adopted":  {"", map[simulator.Op]int{}},
		"key":      {`key = "ReplaceKey01"`, map[simulator.Op]int{}},
		"key_wo":   {"key_wo = \"ReplaceKey02\"\nkey_wo_version = 1", map[simulator.Op]int{}},
		"triggers": {`regenerate_triggers = { r = "1" }`, map[simulator.Op]int{simulator.OpRegenerate: 1}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sim := testsupport.StartSimulator(t)
			org := sim.DefaultOrganization()
			config := apiKeyConfig(tc.body + "\ndelete_on_destroy = true\nlifecycle {\n  create_before_destroy = true\n}")
			sameID := statecheck.CompareValue(compare.ValuesSame())
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: envFactories(testsupport.OneAPIEnv(sim, org)),
				Steps: []resource.TestStep{
					{Config: config, ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(keyAddr, tfjsonpath.New("id"))}},
					{
						PreConfig: func() { sim.ResetCounts(); sim.Advance(2 * time.Second) },
						Config:    config,
						Taint:     []string{keyAddr},
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreateBeforeDestroy),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							expectIDInState(org),
							sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
							expectWrites(t, sim, tc.writes),
							statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("delete_on_destroy"), knownvalue.Bool(true)),
						},
					},
					{
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
						}},
					},
					{
						// Whereas a destroy of the resource deletes the key, once.
						PreConfig: func() { sim.ResetCounts(); sim.Advance(2 * time.Second) },
						Config:    config,
						Destroy:   true,
					},
				},
				CheckDestroy: func(*terraform.State) error {
					if _, ok := org.Key(); ok || sim.Counts().OK[simulator.OpDelete] != 1 {
						return fmt.Errorf("destroy with delete_on_destroy true should delete the key once")
					}
					return nil
				},
			})
		})
	}
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
		ProtoV6ProviderFactories: envFactories(testsupport.OneAPIEnv(sim, org)),
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

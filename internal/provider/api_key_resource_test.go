package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

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

const keyAddr = "cloudconnector_api_key.this"

func apiKeyConfig(body string) string {
	return withTerraformBlock("resource \"cloudconnector_api_key\" \"this\" {\n" + body + "\n}\n")
}

// writes counts the calls that change a key, for "exactly one regenerate" checks.
func writes(c simulator.Counts) map[simulator.Op]int {
	return map[simulator.Op]int{
		simulator.OpRegenerate: c.OK[simulator.OpRegenerate], simulator.OpAdd: c.OK[simulator.OpAdd],
		simulator.OpEdit: c.OK[simulator.OpEdit], simulator.OpDelete: c.OK[simulator.OpDelete],
	}
}

func expectWrites(t *testing.T, sim *simulator.Simulator, want map[simulator.Op]int) statecheck.StateCheck {
	return simulatorCheck(func() error {
		got := writes(sim.Counts())
		for _, op := range []simulator.Op{simulator.OpRegenerate, simulator.OpAdd, simulator.OpEdit, simulator.OpDelete} {
			if got[op] != want[op] {
				return fmt.Errorf("simulator served %v writes, want %v", got, want)
			}
		}
		return nil
	})
}

// expectKeyInState checks that the state's key and ID are the simulator's
// current key.
func expectKeyInState(org *simulator.Organization) []statecheck.StateCheck {
	current := func() simulator.APIKey { k, _ := org.Key(); return k }
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key"), knownvalue.StringFunc(func(v string) error {
			if k := current(); v != k.Value {
				return fmt.Errorf("state holds another key string than the simulator's (key %d)", k.ID)
			}
			return nil
		})),
		expectIDInState(org),
	}
}

func expectIDInState(org *simulator.Organization) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringFunc(func(v string) error {
		k, _ := org.Key()
		if want := strconv.FormatInt(k.ID, 10); v != want {
			return fmt.Errorf("id %s, simulator key %s", v, want)
		}
		return nil
	}))
}

// expectKeyUnchanged: the organization still has exactly the key it had.
func expectKeyUnchanged(org *simulator.Organization, before simulator.APIKey) statecheck.StateCheck {
	return simulatorCheck(func() error {
		k, ok := org.Key()
		if !ok || k.ID != before.ID || k.Value != before.Value {
			return fmt.Errorf("key %d changed; it should be exactly as it was", before.ID)
		}
		return nil
	})
}

// TestAccAPIKeyCreateAdoptsExistingKey: the usual first apply. Zscaler
// provisioned a key; a bare resource adopts it as it is: no write, the same ID
// and string in state, and an empty plan after.
func TestAccAPIKeyCreateAdoptsExistingKey(t *testing.T) {
	for mode, env := range map[string]func(*simulator.Simulator, *simulator.Organization) *testsupport.Env{
		"legacy": testsupport.LegacyEnv, "oneapi": oneAPIEnv,
	} {
		t.Run(mode, func(t *testing.T) {
			sim := testsupport.StartSimulator(t)
			org := sim.DefaultOrganization()
			original := testsupport.CurrentKey(t, org)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: envFactories(env(sim, org)),
				Steps: []resource.TestStep{
					{
						PreConfig: sim.ResetCounts,
						Config:    apiKeyConfig(""),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreate),
						}},
						ConfigStateChecks: append(expectKeyInState(org),
							expectWrites(t, sim, map[simulator.Op]int{}),
							expectKeyUnchanged(org, original),
							statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("delete_on_destroy"), knownvalue.Bool(false)),
							statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
							statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("last_modified_time"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
							statecheck.ExpectSensitiveValue(keyAddr, tfjsonpath.New("key")),
						),
					},
					{
						Config: apiKeyConfig(""),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
						}},
						ConfigStateChecks: []statecheck.StateCheck{expectWrites(t, sim, map[simulator.Op]int{})},
					},
				},
			})
		})
	}
}

// TestAccAPIKeyCreateWithTriggersRegenerates: a new resource with
// regenerate_triggers regenerates the existing key exactly once: same ID, a
// new string.
func TestAccAPIKeyCreateWithTriggersRegenerates(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	original := testsupport.CurrentKey(t, org)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{{
			PreConfig: sim.ResetCounts,
			Config:    apiKeyConfig(`regenerate_triggers = { rotation = "2026-12" }`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreate),
				plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("key")),
			}},
			ConfigStateChecks: append(expectKeyInState(org),
				expectWrites(t, sim, map[simulator.Op]int{simulator.OpRegenerate: 1}),
				simulatorCheck(func() error {
					k, _ := org.Key()
					if k.ID != original.ID || k.Value == original.Value {
						return fmt.Errorf("key %d should have kept its ID %d and changed its string", k.ID, original.ID)
					}
					return nil
				}),
				statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("last_modified_by"), knownvalue.NotNull()),
			),
		}},
	})
}

// TestAccAPIKeyCreateEditsExistingKey: with key set, create edits the
// provisioned key to that string; no regenerate, no add. A key that already
// holds the string is adopted without a write.
func TestAccAPIKeyCreateEditsExistingKey(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				PreConfig: sim.ResetCounts,
				Config:    apiKeyConfig(`key = "SharedString"`),
				ConfigStateChecks: append(expectKeyInState(org),
					expectWrites(t, sim, map[simulator.Op]int{simulator.OpEdit: 1}),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key"), knownvalue.StringExact("SharedString")),
				),
			},
			{
				// Forgotten, then created again over a key that holds the string.
				Config: withTerraformBlock(""),
			},
			{
				PreConfig: sim.ResetCounts,
				Config:    apiKeyConfig(`key = "SharedString"`),
				ConfigStateChecks: append(expectKeyInState(org),
					expectWrites(t, sim, map[simulator.Op]int{}),
					expectSimKeyValue(org, "SharedString"),
				),
			},
		},
	})
}

// TestAccAPIKeyCreateWithoutExistingKey: an organization without a key gets
// one added (then edited to the configured string, where one is set); with
// triggers the added key is new already, so no regenerate follows. Legacy
// login needs a key, so this organization logs in with OneAPI.
func TestAccAPIKeyCreateWithoutExistingKey(t *testing.T) {
	cases := map[string]struct {
		body  string
		edits int
	}{
		"bare":          {"", 0},
		"with key":      {`key = "AddedString1"`, 1},
		"with triggers": {`regenerate_triggers = { r = "1" }`, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sim := testsupport.StartSimulator(t, simulator.OrgConfig{Name: "empty", NoKey: true})
			org := sim.DefaultOrganization()
			want := map[simulator.Op]int{simulator.OpAdd: 1, simulator.OpEdit: tc.edits}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
				Steps: []resource.TestStep{{
					PreConfig:         sim.ResetCounts,
					Config:            apiKeyConfig(tc.body),
					ConfigStateChecks: append(expectKeyInState(org), expectWrites(t, sim, want)),
				}},
			})
		})
	}
}

// TestAccAPIKeyEditInPlace: a new key string is an update, not a replace, and
// the simulator holds the new string under the same ID.
func TestAccAPIKeyEditInPlace(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				Config: apiKeyConfig(`key = "FirstString1"`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
				},
			},
			{
				PreConfig: sim.ResetCounts,
				Config:    apiKeyConfig(`key = "SecondString"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectSensitiveValue(keyAddr, tfjsonpath.New("key")),
					plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("last_modified_time")),
				}},
				ConfigStateChecks: append(expectKeyInState(org),
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
					expectWrites(t, sim, map[simulator.Op]int{simulator.OpEdit: 1}),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key"), knownvalue.StringExact("SecondString")),
				),
			},
			{
				// Removing key from the configuration leaves the key as it is.
				PreConfig: sim.ResetCounts,
				Config:    apiKeyConfig(``),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expectWrites(t, sim, map[simulator.Op]int{})},
			},
		},
	})
}

// TestAccAPIKeyWriteOnly: key_wo edits the key in place when key_wo_version
// changes, and the string never reaches the state.
func TestAccAPIKeyWriteOnly(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	config := func(value string, version int) string {
		return apiKeyConfig(fmt.Sprintf("key_wo = %q\nkey_wo_version = %d", value, version))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				Config: config("WriteOnly001", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key_wo"), knownvalue.Null()),
					expectSimKeyValue(org, "WriteOnly001"),
					expectNotInState("WriteOnly001"),
				},
			},
			{
				// A new string without a new version changes nothing: Terraform cannot see it.
				Config: config("WriteOnly002", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expectSimKeyValue(org, "WriteOnly001")},
			},
			{
				PreConfig: sim.ResetCounts,
				Config:    config("WriteOnly002", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("last_modified_time")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectWrites(t, sim, map[simulator.Op]int{simulator.OpEdit: 1}),
					expectSimKeyValue(org, "WriteOnly002"),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key"), knownvalue.Null()),
					expectNotInState("WriteOnly001", "WriteOnly002"),
				},
			},
		},
	})
}

// TestAccAPIKeyRotateWithTriggers: a change from one trigger map to another
// plans a replacement that comes out as exactly one regenerate: no delete, no
// add, the same ID.
func TestAccAPIKeyRotateWithTriggers(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	keyChanges := statecheck.CompareValue(compare.ValuesDiffer())
	sameID := statecheck.CompareValue(compare.ValuesSame())
	config := func(rotation string) string {
		return apiKeyConfig(fmt.Sprintf("regenerate_triggers = { rotation = %q }", rotation))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				Config: config("2026-11"),
				ConfigStateChecks: []statecheck.StateCheck{
					keyChanges.AddStateValue(keyAddr, tfjsonpath.New("key")),
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
				},
			},
			{
				PreConfig: sim.ResetCounts,
				Config:    config("2026-12"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: append(expectKeyInState(org),
					expectWrites(t, sim, map[simulator.Op]int{simulator.OpRegenerate: 1}),
					keyChanges.AddStateValue(keyAddr, tfjsonpath.New("key")),
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
				),
			},
		},
	})
}

// TestAccAPIKeyTriggersAddedOrRemoved: adopting a key and then adding
// triggers (the README's "import, then rotate every 90 days"), or removing
// them, is an in-place update with no API call. Only the next change of the
// map rotates.
func TestAccAPIKeyTriggersAddedOrRemoved(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	original := testsupport.CurrentKey(t, org)
	withTriggers := func(rotation string) string {
		return apiKeyConfig(fmt.Sprintf("regenerate_triggers = { rotation = %q }", rotation))
	}
	noCalls := func() []statecheck.StateCheck {
		return append(expectKeyInState(org), expectWrites(t, sim, map[simulator.Op]int{}))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				// Import with triggers in the configuration...
				PreConfig:          sim.ResetCounts,
				Config:             withTriggers("2026-11"),
				ResourceName:       keyAddr,
				ImportState:        true,
				ImportStateId:      "current",
				ImportStatePersist: true,
			},
			{
				// ...then the apply records the triggers and writes nothing.
				Config: withTriggers("2026-11"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: append(noCalls(), expectKeyUnchanged(org, original)),
			},
			{
				PreConfig: sim.ResetCounts,
				Config:    apiKeyConfig(""),
			},
			{
				// null -> map: in place, no call
				PreConfig: sim.ResetCounts,
				Config:    withTriggers("2026-11"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: append(noCalls(), expectKeyUnchanged(org, original)),
			},
			{
				// map -> another map: the rotation
				PreConfig: sim.ResetCounts,
				Config:    withTriggers("2026-12"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: append(expectKeyInState(org),
					expectWrites(t, sim, map[simulator.Op]int{simulator.OpRegenerate: 1})),
			},
			{
				// map -> null: in place, no call
				PreConfig: sim.ResetCounts,
				Config:    apiKeyConfig(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: noCalls(),
			},
		},
	})
}

// TestAccAPIKeyDrift: changes made in the portal show in the next plan, and
// apply restores the configured string.
func TestAccAPIKeyDrift(t *testing.T) {
	cases := []struct {
		name   string
		change func(*simulator.Organization) error
		action plancheck.ResourceActionType
		writes map[simulator.Op]int
	}{
		{"out-of-band edit", func(o *simulator.Organization) error { _, err := o.EditKey("PortalEdit01"); return err },
			plancheck.ResourceActionUpdate, map[simulator.Op]int{simulator.OpEdit: 1}},
		{"out-of-band regenerate", func(o *simulator.Organization) error { _, err := o.RegenerateKey(); return err },
			plancheck.ResourceActionUpdate, map[simulator.Op]int{simulator.OpEdit: 1}},
		{"out-of-band delete", func(o *simulator.Organization) error { return o.DeleteKey() },
			plancheck.ResourceActionCreate, map[simulator.Op]int{simulator.OpAdd: 1, simulator.OpEdit: 1}},
		// A new ID is another key: a create that adopts it, not an update of the old one.
		{"out-of-band delete and add", func(o *simulator.Organization) error {
			if err := o.DeleteKey(); err != nil {
				return err
			}
			_, err := o.AddKey()
			return err
		}, plancheck.ResourceActionCreate, map[simulator.Op]int{simulator.OpEdit: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim := testsupport.StartSimulator(t)
			org := sim.DefaultOrganization()
			config := apiKeyConfig(`key = "Configured01"`)
			resource.ParallelTest(t, resource.TestCase{
				// OneAPI: after a delete, no legacy login works until a key is added.
				ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
				Steps: []resource.TestStep{
					{Config: config},
					{
						PreConfig: func() {
							if err := tc.change(org); err != nil {
								t.Fatal(err)
							}
						},
						Config:             config,
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
					},
					{
						PreConfig: sim.ResetCounts,
						Config:    config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(keyAddr, tc.action),
						}},
						ConfigStateChecks: append(expectKeyInState(org),
							expectWrites(t, sim, tc.writes),
							expectSimKeyValue(org, "Configured01")),
					},
				},
			})
		})
	}
}

// TestAccAPIKeyWriteOnlyDrift: with key_wo the string is not in state, yet an
// out-of-band change still shows in the plan and apply restores it.
func TestAccAPIKeyWriteOnlyDrift(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	config := apiKeyConfig("key_wo = \"WriteOnly777\"\nkey_wo_version = 1")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{expectSimKeyValue(org, "WriteOnly777")}},
			{
				PreConfig: func() {
					if _, err := org.RegenerateKey(); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectSimKeyValue(org, "WriteOnly777"),
					expectNotInState("WriteOnly777"),
				},
			},
		},
	})
}

// TestAccAPIKeyImport: by ID and by current, with the command and with an
// import block; each leaves an empty plan.
func TestAccAPIKeyImport(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	original := testsupport.CurrentKey(t, org)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				// An import block with the ID current: the plan imports and changes nothing.
				Config:           apiKeyConfig(""),
				ResourceName:     keyAddr,
				ImportState:      true,
				ImportStateKind:  resource.ImportBlockWithID,
				ImportStateId:    "current",
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionNoop)}},
			},
			{
				PreConfig:          sim.ResetCounts,
				Config:             apiKeyConfig(""),
				ResourceName:       keyAddr,
				ImportState:        true,
				ImportStateId:      "current",
				ImportStatePersist: true,
			},
			{
				// Adopted unchanged: no write at all, and an empty plan.
				Config: apiKeyConfig(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: append(expectKeyInState(org),
					expectWrites(t, sim, map[simulator.Op]int{}),
					expectSimKeyValue(org, original.Value)),
			},
			{
				Config:            apiKeyConfig(""),
				ResourceName:      keyAddr,
				ImportState:       true,
				ImportStateId:     strconv.FormatInt(original.ID, 10),
				ImportStateVerify: true,
			},
			{
				Config:            apiKeyConfig(""),
				ResourceName:      keyAddr,
				ImportState:       true,
				ImportStateId:     "current",
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccAPIKeyImportErrors(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	k := testsupport.CurrentKey(t, org)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				Config:        apiKeyConfig(""),
				ResourceName:  keyAddr,
				ImportState:   true,
				ImportStateId: "my-key",
				ExpectError:   expectErrorText(`"my-key" is not an API key ID. Import with the key's numeric ID`),
			},
			{
				Config:        apiKeyConfig(""),
				ResourceName:  keyAddr,
				ImportState:   true,
				ImportStateId: strconv.FormatInt(k.ID+1000, 10),
				ExpectError:   expectErrorText(fmt.Sprintf("The organization's API key has ID %d, not %d.", k.ID, k.ID+1000)),
			},
		},
	})
}

// TestAccAPIKeyDestroy: destroy deletes the key only with delete_on_destroy.
func TestAccAPIKeyDestroy(t *testing.T) {
	t.Run("keeps the key by default", func(t *testing.T) {
		sim := testsupport.StartSimulator(t)
		org := sim.DefaultOrganization()
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
			Steps:                    []resource.TestStep{{Config: apiKeyConfig(`key = "KeepThis1234"`)}},
			CheckDestroy: func(*terraform.State) error {
				k, ok := org.Key()
				if !ok || k.Value != "KeepThis1234" {
					return fmt.Errorf("destroy without delete_on_destroy must leave the key as it is")
				}
				if n := sim.Counts().Calls[simulator.OpDelete]; n != 0 {
					return fmt.Errorf("%d delete calls", n)
				}
				return nil
			},
		})
	})
	t.Run("deletes with delete_on_destroy", func(t *testing.T) {
		sim := testsupport.StartSimulator(t)
		org := sim.DefaultOrganization()
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
			Steps:                    []resource.TestStep{{Config: apiKeyConfig("delete_on_destroy = true")}},
			CheckDestroy: func(*terraform.State) error {
				if _, ok := org.Key(); ok {
					return fmt.Errorf("destroy with delete_on_destroy must delete the key")
				}
				return nil
			},
		})
	})
}

// TestAccAPIKeyTenantWithoutInferredCalls: where the tenant offers only list
// and regenerate, edit and delete fail with what to do in the portal, and
// regenerate still works.
func TestAccAPIKeyTenantWithoutInferredCalls(t *testing.T) {
	sim := testsupport.StartSimulator(t, simulator.OrgConfig{Name: "basic", WithoutInferredCalls: true})
	org := sim.DefaultOrganization()
	original := testsupport.CurrentKey(t, org)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				Config:      apiKeyConfig(`key = "WantedString"`),
				ExpectError: expectErrorText("Set the string in the admin portal (Administration > API Key Management) and apply again"),
			},
			{
				// Nothing was lost: the key is as it was, and adopting it needs no write.
				PreConfig: func() {
					if k, _ := org.Key(); k.Value != original.Value {
						t.Fatal("a failed create changed the key")
					}
					sim.ResetCounts()
				},
				Config:            apiKeyConfig(""),
				ConfigStateChecks: append(expectKeyInState(org), expectWrites(t, sim, map[simulator.Op]int{})),
			},
			{
				// Regenerate works on such a tenant.
				Config:            apiKeyConfig(`regenerate_triggers = { r = "1" }`),
				ConfigStateChecks: expectKeyInState(org),
			},
			{
				PreConfig:         sim.ResetCounts,
				Config:            apiKeyConfig(`regenerate_triggers = { r = "2" }`),
				ConfigStateChecks: append(expectKeyInState(org), expectWrites(t, sim, map[simulator.Op]int{simulator.OpRegenerate: 1})),
			},
			{
				Config:      apiKeyConfig(`key = "WantedString"`),
				ExpectError: expectErrorText("This tenant does not offer this call through its API"),
			},
			{
				Config:            apiKeyConfig("delete_on_destroy = true"),
				ConfigStateChecks: expectKeyInState(org),
			},
			{
				Config:      apiKeyConfig("delete_on_destroy = true"),
				Destroy:     true,
				ExpectError: expectErrorText("Delete the key in the admin portal (Administration > API Key Management)"),
			},
			{
				// The advice works: leave the key in place, then destroy.
				Config:            apiKeyConfig("delete_on_destroy = false"),
				ConfigStateChecks: expectKeyInState(org),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if _, ok := org.Key(); !ok {
				return fmt.Errorf("the key is gone")
			}
			return nil
		},
	})
}

// TestAccAPIKeyAPIRefusals: a role without API Key Management, a disabled
// key, a tenant moved to OneAPI: each error says what to do.
func TestAccAPIKeyAPIRefusals(t *testing.T) {
	cases := []struct {
		name  string
		org   simulator.OrgConfig
		setup func(*simulator.Organization) error
		want  string
	}{
		{"role without API Key Management", simulator.OrgConfig{Name: "norole", WithoutKeyManagement: true}, nil,
			"needs the API Key Management permission: grant it in the admin portal (Administration > Role Management"},
		{"disabled key", simulator.OrgConfig{Name: "disabled"}, func(o *simulator.Organization) error { return o.SetKeyEnabled(false) },
			"The organization's API key is disabled, so legacy login with it is refused. Enable it in the admin portal"},
		{"tenant moved to OneAPI", simulator.OrgConfig{Name: "moved", OneAPIOnly: true}, nil,
			"This tenant has moved to OneAPI and refuses legacy login. Log in with OneAPI instead"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim := testsupport.StartSimulator(t, tc.org)
			org := sim.DefaultOrganization()
			if tc.setup != nil {
				if err := tc.setup(org); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := org.Key()
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
				Steps: []resource.TestStep{{
					Config:      apiKeyConfig(""),
					ExpectError: expectErrorText(tc.want),
				}},
				CheckDestroy: func(*terraform.State) error {
					if after, _ := org.Key(); after.Value != before.Value {
						return fmt.Errorf("a refused apply changed the key")
					}
					return nil
				},
			})
		})
	}
}

// TestAccAPIKeyInvalidConfig: bad arguments fail at plan, before any call.
func TestAccAPIKeyInvalidConfig(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	// Cleanup runs after the parallel subtests have finished.
	t.Cleanup(func() {
		if c := sim.Counts(); c.Calls[simulator.OpLogin]+c.Calls[simulator.OpList] != 0 {
			t.Errorf("invalid configurations reached the API: %v", c.Calls)
		}
	})
	cases := map[string]struct{ body, want string }{
		"key too short":            {`key = "abc"`, "key has 3 characters; an API key string is exactly 12 letters or digits"},
		"key too long":             {`key = "AbCdEfGh1234X"`, "key has 13 characters"},
		"key with symbols":         {`key = "AbCd-EfGh_12"`, "key holds characters other than letters and digits"},
		"key_wo invalid":           {"key_wo = \"short\"\nkey_wo_version = 1", "key_wo has 5 characters"},
		"key and key_wo":           {"key = \"AbCdEfGh1234\"\nkey_wo = \"AbCdEfGh1234\"\nkey_wo_version = 1", `Both set the key string. Keep key_wo (with key_wo_version) to keep the string out of state and plan, or key.`},
		"key and triggers":         {"key = \"AbCdEfGh1234\"\nregenerate_triggers = { a = \"1\" }", `regenerate_triggers gives the key a new random string; key and key_wo set your own. Keep one of them.`},
		"key_wo and triggers":      {"key_wo = \"AbCdEfGh1234\"\nkey_wo_version = 1\nregenerate_triggers = { a = \"1\" }", `regenerate_triggers conflicts with key and key_wo`},
		"key_wo without a version": {`key_wo = "AbCdEfGh1234"`, `Add key_wo_version = 1, and raise it whenever key_wo changes.`},
		"version without key_wo":   {`key_wo_version = 3`, `key_wo_version says when to apply key_wo, which is not set. Set key_wo, or remove key_wo_version.`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
				Steps: []resource.TestStep{{
					Config:      apiKeyConfig(tc.body),
					PlanOnly:    true,
					ExpectError: expectErrorText(tc.want),
				}},
			})
		})
	}
}

package provider

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// identityVersionChecks gate resource identity: Terraform 1.12 and newer.
func identityVersionChecks() []tfversion.TerraformVersionCheck {
	return []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}
}

// expectIdentityID: the resource's identity is exactly {id = the key's ID},
// and matches the id attribute in state.
func expectIdentityID(id int64) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectIdentity(keyAddr, map[string]knownvalue.Check{
			"id": knownvalue.StringExact(strconv.FormatInt(id, 10)),
		}),
		statecheck.ExpectIdentityValueMatchesState(keyAddr, tfjsonpath.New("id")),
	}
}

// TestAccAPIKeyIdentity: the identity is the key's ID after create, and stays
// it through a trigger added, a regenerate and an edit; an import block with
// that identity adopts the key with no write and an empty plan.
func TestAccAPIKeyIdentity(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	id := testsupport.CurrentKey(t, org).ID
	none := map[simulator.Op]int{}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersionChecks(),
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				PreConfig:         sim.ResetCounts,
				Config:            apiKeyConfig(""),
				ConfigStateChecks: append(expectIdentityID(id), expectWrites(t, sim, none)),
			},
			{
				PreConfig:         sim.ResetCounts,
				Config:            apiKeyConfig(`regenerate_triggers = { rotation = "1" }`),
				ConfigStateChecks: append(expectIdentityID(id), expectWrites(t, sim, none)),
			},
			{
				PreConfig: sim.ResetCounts,
				Config:    apiKeyConfig(`regenerate_triggers = { rotation = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: append(expectIdentityID(id),
					expectWrites(t, sim, map[simulator.Op]int{simulator.OpRegenerate: 1})),
			},
			{
				PreConfig: sim.ResetCounts,
				Config:    apiKeyConfig(`key = "IdentityKey1"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: append(expectIdentityID(id),
					expectWrites(t, sim, map[simulator.Op]int{simulator.OpEdit: 1})),
			},
			{
				// terraform-plugin-testing writes the import block from the
				// identity in state, plans it in a fresh state, and requires a
				// no-op import with the same identity.
				PreConfig:       sim.ResetCounts,
				ResourceName:    keyAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionNoop),
					simulatorPlanCheck(func() error { return noWrites(sim) }),
				}},
			},
		},
	})
}

func noWrites(sim *simulator.Simulator) error {
	for op, n := range writes(sim.Counts()) {
		if n != 0 {
			return fmt.Errorf("%d %s calls", n, op)
		}
	}
	return nil
}

// TestAccAPIKeyImportByIdentity: an import block with identity = { id = … },
// applied: the key is adopted as it is (no write), the identity and the state
// hold its ID, and the next plan is empty.
func TestAccAPIKeyImportByIdentity(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	key := testsupport.CurrentKey(t, org)
	importBlock := func(id string) string {
		return apiKeyConfig("") + fmt.Sprintf(`
import {
  to = cloudconnector_api_key.this
  identity = {
    id = %q
  }
}
`, id)
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersionChecks(),
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{
				Config:      importBlock("my-key"),
				ExpectError: expectErrorText(`"my-key" is not an API key ID. Import with the key's numeric ID`),
			},
			{
				Config:      importBlock(strconv.FormatInt(key.ID+1000, 10)),
				ExpectError: expectErrorText(fmt.Sprintf("The organization's API key has ID %d, not %d.", key.ID, key.ID+1000)),
			},
			{
				PreConfig: sim.ResetCounts,
				Config:    importBlock(strconv.FormatInt(key.ID, 10)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionNoop),
						simulatorPlanCheck(func() error { return noWrites(sim) }),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: append(expectIdentityID(key.ID),
					expectWrites(t, sim, map[simulator.Op]int{}),
					expectSimKeyValue(org, key.Value),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringExact(strconv.FormatInt(key.ID, 10))),
				),
			},
		},
	})
}

// TestAccAPIKeyIdentityOfImportByCurrent: importing with the word current,
// as an ID or as the identity, gives the identity the key's real ID.
func TestAccAPIKeyIdentityOfImportByCurrent(t *testing.T) {
	for name, target := range map[string]string{
		"id":       `id = "current"`,
		"identity": `identity = { id = "current" }`,
	} {
		t.Run(name, func(t *testing.T) {
			sim := testsupport.StartSimulator(t)
			org := sim.DefaultOrganization()
			id := testsupport.CurrentKey(t, org).ID
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   identityVersionChecks(),
				ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
				Steps: []resource.TestStep{{
					PreConfig: sim.ResetCounts,
					Config:    apiKeyConfig("") + "import {\n  to = cloudconnector_api_key.this\n  " + target + "\n}\n",
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionNoop),
					}},
					ConfigStateChecks: append(expectIdentityID(id), expectWrites(t, sim, map[simulator.Op]int{})),
				}},
			})
		})
	}
}

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

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// The echo provider stands in for any provider with a write-only or
// ephemeral argument: it stores what it was handed, so the test can read it.
const ephemeralToEcho = `
ephemeral "cloudconnector_api_key" "this" {}

provider "echo" {
  data = ephemeral.cloudconnector_api_key.this
}

resource "echo" "handed" {}
`

// TestAccAPIKeyEphemeralHandsKeyOn: the ephemeral resource gives the current
// key to another provider and never writes: opening it at plan and at apply
// leaves the simulator without a single write call.
func TestAccAPIKeyEphemeralHandsKeyOn(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	key := testsupport.CurrentKey(t, org)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(testsupport.LegacyEnv(sim, org)),
		Steps: []resource.TestStep{{
			PreConfig: sim.ResetCounts,
			Config:    withTerraformBlock(ephemeralToEcho, TypeName, "echo"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.handed", tfjsonpath.New("data"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":      knownvalue.StringExact(strconv.FormatInt(key.ID, 10)),
					"key":     knownvalue.StringExact(key.Value),
					"enabled": knownvalue.Bool(true),
				})),
				expectWrites(t, sim, map[simulator.Op]int{}),
				simulatorCheck(func() error {
					if c := sim.Counts(); c.Calls[simulator.OpList] == 0 {
						return fmt.Errorf("the ephemeral resource made no list call")
					}
					return nil
				}),
			},
		}},
	})
}

// TestAccAPIKeyRegeneratesItsOwnLoginKey: the provider logs in with the key it
// regenerates. Within the apply it keeps working with the new string (the
// session ends right after the regenerate, forcing a fresh login); the next run with
// the old string is refused with advice; with the new string the plan is empty.
func TestAccAPIKeyRegeneratesItsOwnLoginKey(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	original := testsupport.CurrentKey(t, org)
	env := testsupport.LegacyEnv(sim, org).Set("ZTC_API_KEY", original.Value) // as a user's CI secret would be
	config := withTerraformBlock(`
resource "cloudconnector_api_key" "this" {
  regenerate_triggers = { first = "apply" }
}

ephemeral "cloudconnector_api_key" "after" {
  depends_on = [cloudconnector_api_key.this]
}

provider "echo" {
  data = ephemeral.cloudconnector_api_key.after.key
}

resource "echo" "after" {}
`, TypeName, "echo")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(env),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					// The session ends right after the regenerate: the next call must log in again, with the new string.
					sim.InjectFault(simulator.Fault{Op: simulator.OpRegenerate, AfterApply: true, ExpireSession: true})
				},
				Config: config,
				// The apply completes; the refresh after it, with the old string, is refused.
				ExpectError: expectErrorText("set api_key (ZTC_API_KEY) to the current key"),
			},
			{
				PreConfig: func() {
					sim.ClearFaults()
					k := testsupport.CurrentKey(t, org)
					if k.Value == original.Value {
						t.Fatal("the first apply did not regenerate the key")
					}
					env.Set("ZTC_API_KEY", k.Value)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: append(expectKeyInState(org),
					// Read after the regenerate, through a fresh login with the new string.
					statecheck.ExpectKnownValue("echo.after", tfjsonpath.New("data"), knownvalue.StringFunc(func(v string) error {
						if k, _ := org.Key(); v != k.Value {
							return fmt.Errorf("the ephemeral read after the regenerate did not see the new key")
						}
						return nil
					}))),
			},
		},
	})
}

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// simulatorQueryCheck runs f against the simulator once the query is done.
type simulatorQueryCheck func() error

func (f simulatorQueryCheck) CheckQuery(_ context.Context, _ querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	resp.Error = f()
}

// TestAccAPIKeyListResource: `terraform query` finds the organization's one
// key with its identity, and only reads.
func TestAccAPIKeyListResource(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	id := strconv.FormatInt(testsupport.CurrentKey(t, org).ID, 10)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			skipOnOpenTofu("list resources and terraform query are Terraform 1.14+ only"),
			tfversion.SkipBelow(tfversion.Version1_14_0),
		},
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{Config: withTerraformBlock("")}, // the query runs beside a configuration
			{
				PreConfig: sim.ResetCounts,
				Query:     true,
				Config: `
provider "cloudconnector" {}

list "cloudconnector_api_key" "all" {
  provider = cloudconnector
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("cloudconnector_api_key.all", 1),
					querycheck.ExpectIdentity("cloudconnector_api_key.all", map[string]knownvalue.Check{
						"id": knownvalue.StringExact(id),
					}),
					simulatorQueryCheck(func() error {
						c := sim.Counts()
						if c.OK[simulator.OpList] == 0 {
							return fmt.Errorf("the query listed nothing at the API: %v", c.Calls)
						}
						return noWrites(sim)
					}),
				},
			},
		},
	})
}

// TestAccAPIKeyQueryGeneratesConfig: through the terraform CLI, `terraform
// query -generate-config-out` writes an import block with the key's identity
// and a resource block without any key string; planned, it is an import with
// no change; applied, no write; and the next plan is empty.
func TestAccAPIKeyQueryGeneratesConfig(t *testing.T) {
	skipBelow(t, tfversion.Version1_14_0, "terraform query with list resources")
	t.Parallel()
	bin, cli := userTerraform(t)
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	key := testsupport.CurrentKey(t, org)
	cfg := org.Config()
	work := t.TempDir()
	tf := tfrun.Terraform{Bin: bin, Dir: work, Env: []string{"TF_CLI_CONFIG_FILE=" + cli,
		"ZTC_BASE_URL=" + sim.OneAPIBaseURL(), "ZSCALER_CLIENT_ID=" + cfg.ClientID,
		"ZSCALER_CLIENT_SECRET=" + cfg.ClientSecret, "ZSCALER_TOKEN_URL=" + sim.TokenURL()}}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(work, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) tfrun.Result {
		t.Helper()
		res, err := tf.Run(context.Background(), args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, res.Stdout)
		}
		return res
	}
	write("main.tf", terraformBlock(TypeName)+"provider \"cloudconnector\" {}\n")
	write("search.tfquery.hcl", `list "cloudconnector_api_key" "all" {
  provider         = cloudconnector
  include_resource = true
}
`)

	// -json: one result, with the key's identity
	out := run("query", "-json", "-no-color")
	var results []map[string]any
	for _, line := range strings.Split(out.Stdout, "\n") {
		var msg struct {
			Type   string         `json:"type"`
			Result map[string]any `json:"list_resource_found"`
		}
		if json.Unmarshal([]byte(line), &msg) == nil && msg.Type == "list_resource_found" {
			results = append(results, msg.Result)
		}
	}
	if len(results) != 1 {
		t.Fatalf("terraform query found %d results, want 1:\n%s", len(results), out.Stdout)
	}
	if strings.Contains(out.Stdout+out.Stderr, key.Value) {
		t.Error("terraform query -json shows the key string in the listed resource object")
	}
	identity, _ := results[0]["identity"].(map[string]any)
	if identity["id"] != strconv.FormatInt(key.ID, 10) {
		t.Errorf("the result's identity is %v, want id %d", results[0]["identity"], key.ID)
	}

	run("query", "-no-color", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(work, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated.tf:\n%s", generated)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^import \{`),
		regexp.MustCompile(`(?m)^\s*id\s*=\s*"` + strconv.FormatInt(key.ID, 10) + `"`),
		regexp.MustCompile(`(?m)^resource "cloudconnector_api_key" "\w+" \{`),
	} {
		if !want.Match(generated) {
			t.Errorf("generated.tf has no match for %s", want)
		}
	}
	if strings.Contains(string(generated), key.Value) {
		t.Error("generated.tf holds the key string")
	}
	if regexp.MustCompile(`(?m)^\s*key\s*=\s*"`).Match(generated) {
		t.Error("generated.tf sets key to a string")
	}

	// The generated configuration plans as an import with no change.
	if err := os.Remove(filepath.Join(work, "search.tfquery.hcl")); err != nil {
		t.Fatal(err)
	}
	sim.ResetCounts()
	run("plan", "-input=false", "-no-color", "-out=import.tfplan")
	show := run("show", "-json", "import.tfplan")
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(show.Stdout), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.ResourceChanges) != 1 {
		t.Fatalf("the plan has %d resource changes, want the one import", len(plan.ResourceChanges))
	}
	rc := plan.ResourceChanges[0]
	if strings.Join(rc.Change.Actions, ",") != "no-op" || len(rc.Change.Importing) == 0 {
		t.Errorf("%s plans %v (importing: %s), want an import with no change", rc.Address, rc.Change.Actions, rc.Change.Importing)
	}
	run("apply", "-input=false", "-no-color", "import.tfplan")
	if err := noWrites(sim); err != nil {
		t.Errorf("applying the generated configuration: %v", err)
	}
	// then nothing to do: -detailed-exitcode exits 2 on any change
	run("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if k := testsupport.CurrentKey(t, org); k.Value != key.Value || k.ID != key.ID {
		t.Errorf("the key changed: %d", k.ID)
	}
}

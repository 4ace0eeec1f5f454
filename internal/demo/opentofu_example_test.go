package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// findOpenTofu returns the OpenTofu binary to run: TF_ACC_TOFU_PATH, or
// TF_ACC_TERRAFORM_PATH when that is OpenTofu (a `make test-matrix` run).
func findOpenTofu(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TOFU_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("TF_ACC_TOFU_PATH is %s, which does not exist", p)
		}
		return p
	}
	if b := testsupport.TestBinary(t); b.OpenTofu {
		return b.Path
	}
	t.Skip("no OpenTofu binary: set TF_ACC_TOFU_PATH, or run make test-matrix with one " +
		"(provider for_each is OpenTofu only, so Terraform cannot run this example)")
	return ""
}

// TestOpenTofuForEachExample validates and applies examples/opentofu-for-each
// with OpenTofu against three simulator organizations, then adds a fourth to
// the map: one provider configuration per organization from one map, one
// shared string, one root module.
func TestOpenTofuForEachExample(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs OpenTofu")
	}
	tofu := findOpenTofu(t)
	cli := builtProviders(t) // serves the provider under OpenTofu's registry address too
	t.Parallel()
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	files, err := filepath.Glob(filepath.Join(root, "examples", "opentofu-for-each", "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("examples/opentofu-for-each: %v %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	names := []string{"emea", "amer", "apac", "lab"}
	var orgs []simulator.OrgConfig
	for _, n := range names {
		orgs = append(orgs, simulator.OrgConfig{Name: n})
	}
	sim := testsupport.StartSimulator(t, orgs...)
	run := &tfrun.Terraform{Bin: tofu, Dir: work, Env: []string{"TF_CLI_CONFIG_FILE=" + cli}}

	// apply writes the variables for the first n organizations and applies them.
	apply := func(n int, shared string) {
		t.Helper()
		vars := map[string]any{"shared_key": shared}
		orgVars, secrets := map[string]any{}, map[string]string{}
		for _, name := range names[:n] {
			cfg := sim.Organization(name).Config()
			orgVars[name] = map[string]string{"client_id": cfg.ClientID, "base_url": sim.OneAPIBaseURL(), "token_url": sim.TokenURL()}
			secrets[name] = cfg.ClientSecret
		}
		vars["organizations"], vars["client_secrets"] = orgVars, secrets
		b, err := json.Marshal(vars)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, "terraform.tfvars.json"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		sim.Advance(2 * time.Second) // a fresh rate-limit window
		ctx := context.Background()
		if n == 3 {
			if res, err := run.Run(ctx, "validate", "-no-color"); err != nil {
				t.Fatalf("%v\n%s", err, res.Stdout)
			}
		}
		if res, err := run.Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
			t.Fatalf("%v\n%s", err, res.Stdout)
		}
		// Then nothing left to do: -detailed-exitcode exits 2 on any change.
		if res, err := run.Run(ctx, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
			t.Fatalf("the plan after the apply is not empty: %v\n%s", err, res.Stdout)
		}
	}
	// expect checks that the first n organizations hold the shared string,
	// and that exactly those in edited served one write each: an edit.
	expect := func(step string, n int, shared string, edited ...string) {
		t.Helper()
		for i, name := range names {
			org := sim.Organization(name)
			c := org.Counts()
			want := 0
			if slices.Contains(edited, name) {
				want = 1
			}
			if c.OK[simulator.OpEdit] != want || writesOf(c) != want {
				t.Errorf("%s: organization %s served %d edits and %d writes in all, want %d of each",
					step, name, c.OK[simulator.OpEdit], writesOf(c), want)
			}
			if k := testsupport.CurrentKey(t, org); i < n && k.Value != shared {
				t.Errorf("%s: organization %s's key %d does not hold the shared string", step, name, k.ID)
			}
		}
		sim.ResetCounts()
	}

	apply(3, "SharedTofu01")
	expect("first apply", 3, "SharedTofu01", "emea", "amer", "apac")
	apply(4, "SharedTofu01")
	expect("one more organization in the map", 4, "SharedTofu01", "lab")
	apply(4, "SharedTofu02")
	expect("a new shared string", 4, "SharedTofu02", "emea", "amer", "apac", "lab")
}

// writesOf counts the calls that changed a key.
func writesOf(c simulator.Counts) int {
	return c.OK[simulator.OpRegenerate] + c.OK[simulator.OpAdd] + c.OK[simulator.OpEdit] + c.OK[simulator.OpDelete]
}

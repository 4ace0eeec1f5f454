package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// TestMain removes the provider the tests share once they are all done.
// (No plugin-testing here, so testsupport.Main's settings are not needed;
// tfrun finds terraform from TF_ACC_TERRAFORM_PATH or PATH.)
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

var built struct {
	once sync.Once
	dir  string
	err  error
}

// builtProvider builds the provider once for the tests that do not test the
// build itself (TestDemo does), and returns the directory that holds it.
func builtProvider(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		// Shared by several tests, so not t.TempDir; TestMain removes it.
		built.dir, built.err = os.MkdirTemp("", "cloudconnector-demo-test-") //nolint:usetesting // see above
		if built.err == nil {
			_, built.err = tfrun.BuildProvider(context.Background(), ".", built.dir)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.dir
}

// requireTerraform skips tests that run the terraform binary unless TF_ACC
// is set, like every Terraform-driven test here.
func requireTerraform(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
}

// mapEnv is an environment for run, so that tests need not touch the process's.
func mapEnv(m map[string]string) lookupFunc {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// treeStatus is `git status` of the paths the demo could write into by
// mistake; "" when git is not at hand.
func treeStatus(t *testing.T) string {
	t.Helper()
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=all", "--ignored",
		"--", "examples", "internal/demo").Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// checkLeftNothing asserts that a run stopped what it started and removed
// what it wrote.
func checkLeftNothing(t *testing.T, rep *report, statusBefore string) {
	t.Helper()
	if rep.TempDir == "" {
		t.Fatal("the report names no temp dir")
	}
	if _, err := os.Stat(rep.TempDir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s still exists (stat: %v)", rep.TempDir, err)
	}
	if rep.EchoAddress == "" {
		t.Fatal("the report names no echo server address")
	}
	if c, err := net.DialTimeout(rep.EchoNetwork, rep.EchoAddress, time.Second); err == nil {
		_ = c.Close()
		t.Errorf("the echo provider still accepts connections at %s", rep.EchoAddress)
	}
	if rep.SimulatorURL != "" {
		hc := &http.Client{Timeout: time.Second}
		if resp, err := hc.Get(rep.SimulatorURL + "/_simulator/counts"); err == nil {
			_ = resp.Body.Close()
			t.Errorf("the simulator still answers at %s", rep.SimulatorURL)
		}
	}
	if after := treeStatus(t); after != statusBefore {
		t.Errorf("the run changed the working tree:\nbefore:\n%s\nafter:\n%s", statusBefore, after)
	}
}

// checkSteps asserts that every step passed and that the output shows each.
func checkSteps(t *testing.T, rep *report, out string, titles []string) {
	t.Helper()
	if rep.ExitCode != 0 {
		t.Errorf("exit code %d", rep.ExitCode)
	}
	if len(rep.Steps) != len(titles) {
		t.Fatalf("%d steps, want %d", len(rep.Steps), len(titles))
	}
	for i, s := range rep.Steps {
		if s.Title != titles[i] || s.Status != "ok" {
			t.Errorf("step %d: %q %s, want %q ok", i+1, s.Title, s.Status, titles[i])
		}
		if !regexp.MustCompile(`== Step \d+/\d+: ` + regexp.QuoteMeta(s.Title)).MatchString(out) {
			t.Errorf("output has no heading for %q", s.Title)
		}
	}
	for _, want := range []string{"$ terraform plan", "$ terraform apply", "$ terraform plan -refresh-only",
		"$ terraform plan -destroy", "== Summary", "did what they said"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "[FAIL]") {
		t.Error("output reports a failed check")
	}
	if strings.Contains(out, devOverridesWarning) {
		t.Error("output repeats the dev_overrides warning")
	}
}

// checkNoSecrets asserts that no key string or credential reached the output.
func checkNoSecrets(t *testing.T, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("output shows a secret (%d characters)", len(s))
		}
	}
}

func stepTitles(realTenant bool) []string {
	var titles []string
	for _, s := range steps(realTenant) {
		titles = append(titles, s.Title)
	}
	return titles
}

// TestDemo runs `make demo` as a fresh clone would: the embedded simulator,
// no credentials in the environment.
func TestDemo(t *testing.T) {
	requireTerraform(t)
	t.Parallel()
	before := treeStatus(t)
	var out bytes.Buffer
	rep := run(context.Background(), options{Out: &out, LookupEnv: mapEnv(nil)})
	t.Logf("demo output:\n%s", out.String())

	checkSteps(t, rep, out.String(), stepTitles(false))
	if rep.Target != "simulator" || rep.SimulatorURL == "" {
		t.Errorf("target %q at %q, want the simulator", rep.Target, rep.SimulatorURL)
	}
	wantWrites := []string{"none", "none", "edit 1", "edit 1", "regenerate 1", "none", "none"}
	for i, s := range rep.Steps {
		if s.Writes != wantWrites[i] {
			t.Errorf("step %d writes %q, want %q", i+1, s.Writes, wantWrites[i])
		}
	}
	// echo keeps the key string in its state, and the destroy plan shows
	// it: the demo must have masked it.
	if !strings.Contains(out.String(), `data = "`+maskedKey+`"`) {
		t.Error("the destroy plan does not show echo's masked data")
	}
	checkNoSecrets(t, out.String(), rep.secrets...)
	if len(rep.secrets) < 4 {
		t.Errorf("the demo masked %d strings; it saw at least the original, shared, drifted and rotated ones", len(rep.secrets))
	}
	checkLeftNothing(t, rep, before)
}

// TestDemoRealTenantPath proves the "real tenant" path end to end by pointing
// it, through the usual environment variables, at a simulator this test
// owns: no simulator of the demo's own, the out-of-band regenerate over
// HTTP through internal/client, and the original string restored.
func TestDemoRealTenantPath(t *testing.T) {
	requireTerraform(t)
	t.Parallel()
	for _, mode := range []string{"legacy", "oneapi"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			sim := testsupport.StartSimulator(t)
			org := sim.DefaultOrganization()
			original := testsupport.CurrentKey(t, org)
			cfg := org.Config()
			env := map[string]string{confirmEnv: "yes"}
			if mode == "legacy" {
				env["ZTC_BASE_URL"] = sim.LegacyBaseURL()
				env["ZTC_USERNAME"], env["ZTC_PASSWORD"], env["ZTC_API_KEY"] = cfg.Username, cfg.Password, original.Value
			} else {
				env["ZTC_BASE_URL"] = sim.OneAPIBaseURL()
				env["ZSCALER_CLIENT_ID"], env["ZSCALER_CLIENT_SECRET"] = cfg.ClientID, cfg.ClientSecret
				env["ZSCALER_TOKEN_URL"] = sim.TokenURL()
			}
			before := treeStatus(t)
			var out bytes.Buffer
			rep := run(context.Background(), options{Out: &out, LookupEnv: mapEnv(env), ProviderDir: builtProvider(t)})
			t.Logf("demo output:\n%s", out.String())

			checkSteps(t, rep, out.String(), stepTitles(true))
			if rep.Target != "real tenant" || rep.SimulatorURL != "" {
				t.Errorf("target %q, simulator %q: want a real tenant and no simulator", rep.Target, rep.SimulatorURL)
			}
			for _, want := range []string{"REAL TENANT", "through the API client", "not counted"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q", want)
				}
			}
			c := org.Counts()
			// Regenerates: the out-of-band one (over HTTP this time) and the
			// rotation. Edits: share, drift repair, restore.
			want := map[simulator.Op]int{simulator.OpRegenerate: 2, simulator.OpEdit: 3, simulator.OpAdd: 0, simulator.OpDelete: 0}
			for op, n := range want {
				if c.OK[op] != n {
					t.Errorf("%s: %d answered 2xx, want %d", op, c.OK[op], n)
				}
			}
			loginOp, otherOp := simulator.OpLogin, simulator.OpToken
			if mode == "oneapi" {
				loginOp, otherOp = otherOp, loginOp
			}
			if c.OK[loginOp] == 0 || c.Calls[otherOp] != 0 {
				t.Errorf("logins: %d %s, %d %s; want only %s", c.OK[loginOp], loginOp, c.Calls[otherOp], otherOp, loginOp)
			}
			if c.Status[401]+c.Status[400] != 0 {
				t.Errorf("the simulator refused %d requests (401/400): a run used a stale login key", c.Status[401]+c.Status[400])
			}
			if got := testsupport.CurrentKey(t, org); got.ID != original.ID || got.Value != original.Value {
				t.Errorf("after the demo the key is %d (same string: %t), want the original %d back",
					got.ID, got.Value == original.Value, original.ID)
			}
			checkNoSecrets(t, out.String(), append(rep.secrets, cfg.Password, cfg.ClientSecret)...)
			checkLeftNothing(t, rep, before)
		})
	}
}

// TestRealTenantNeedsConfirmation: credentials in the environment are not
// enough to change a tenant's key; the demo stops before any call.
func TestRealTenantNeedsConfirmation(t *testing.T) {
	t.Parallel()
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	cfg := org.Config()
	key := testsupport.CurrentKey(t, org)
	for _, confirm := range []string{"", "no", "YES please"} {
		env := map[string]string{
			"ZTC_BASE_URL": sim.LegacyBaseURL(), "ZTC_USERNAME": cfg.Username,
			"ZTC_PASSWORD": cfg.Password, "ZTC_API_KEY": key.Value,
		}
		if confirm != "" {
			env[confirmEnv] = confirm
		}
		var out bytes.Buffer
		rep := run(context.Background(), options{Out: &out, LookupEnv: mapEnv(env)})
		if rep.ExitCode != 2 {
			t.Errorf("confirm %q: exit code %d, want 2", confirm, rep.ExitCode)
		}
		for _, want := range []string{"not started", "ZTC_USERNAME, ZTC_PASSWORD, ZTC_API_KEY are set",
			confirmEnv + "=yes make demo", "unset ZTC_USERNAME ZTC_PASSWORD ZTC_API_KEY"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("confirm %q: output lacks %q:\n%s", confirm, want, out.String())
			}
		}
		checkNoSecrets(t, out.String(), cfg.Password, key.Value)
		if rep.TempDir != "" || len(rep.Steps) != 0 {
			t.Errorf("confirm %q: the demo went ahead (temp dir %q, %d steps)", confirm, rep.TempDir, len(rep.Steps))
		}
	}
	total := 0
	for _, n := range sim.Counts().Calls {
		total += n
	}
	if total != 0 {
		t.Errorf("the refused runs made %d API calls", total)
	}
}

// TestWalkConfigurationsExist: every folder a step names is in examples/demo.
func TestWalkConfigurationsExist(t *testing.T) {
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps(true) {
		if s.Folder == "" {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(root, "examples", "demo", s.Folder, "*.tf"))
		if len(files) == 0 {
			t.Errorf("step %q: examples/demo/%s has no .tf file", s.Title, s.Folder)
		}
	}
	if first := steps(false)[0]; first.Folder == "" {
		t.Error("the first step must name a configuration")
	}
	if n, m := len(steps(false)), len(steps(true)); m != n+1 || steps(true)[m-1].Run == nil {
		t.Errorf("a real tenant gets %d steps, the simulator %d: want one more, the restore", m, n)
	}
}

// TestDemoFailsLoudly: a step that does not do what it says fails the run
// (exit 1, [FAIL] in the output, FAILED in the summary) and the steps after
// it are skipped; a plan other than the announced one is never applied.
func TestDemoFailsLoudly(t *testing.T) {
	requireTerraform(t)
	t.Parallel()
	for name, tc := range map[string]struct {
		change  func(*step)
		output  string
		applied bool
	}{
		"unexpected plan": {
			change:  func(s *step) { s.Expect = map[string]string{addrKey: "update"} },
			output:  "did not apply it",
			applied: false,
		},
		"unexpected writes": {
			change:  func(s *step) { s.Writes = map[string]int{"edit": 1} },
			output:  "[FAIL] API writes: edit 1 (the simulator's count): counted none",
			applied: true,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			walk := func(realTenant bool) []step {
				all := steps(realTenant)
				tc.change(&all[1]) // the adopt step
				return all[:3]
			}
			var out bytes.Buffer
			rep := run(context.Background(), options{Out: &out, LookupEnv: mapEnv(nil), Steps: walk, ProviderDir: builtProvider(t)})
			if rep.ExitCode != 1 {
				t.Errorf("exit code %d, want 1", rep.ExitCode)
			}
			var statuses []string
			for _, s := range rep.Steps {
				statuses = append(statuses, s.Status)
			}
			if strings.Join(statuses, " ") != "ok FAILED skipped" {
				t.Errorf("statuses %v, want ok FAILED skipped", statuses)
			}
			for _, want := range []string{tc.output, "1 step(s) did not do what they said", "FAILED", "skipped"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if got := strings.Contains(out.String(), "Apply complete! Resources: 1 imported"); got != tc.applied {
				t.Errorf("applied: %t, want %t", got, tc.applied)
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// TestMain removes the providers the tests share once they are all done.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

var built struct {
	once     sync.Once
	dir, cli string
	err      error
}

// builtProviders builds the providers once for the tests that do not test
// the build itself (TestDemo does), and returns the CLI configuration that
// serves them. It skips the test unless TF_ACC is set, like every
// Terraform-driven test here.
func builtProviders(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
	built.once.Do(func() {
		// Shared by several tests, so not t.TempDir; TestMain removes it.
		built.dir, built.err = os.MkdirTemp("", "cloudconnector-demo-test-") //nolint:usetesting // see above
		if built.err == nil {
			built.cli, built.err = tfrun.BuildProviders(context.Background(), built.dir)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.cli
}

// mapEnv is an environment for run, so that tests need not touch the process's.
func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// treeStatus is `git status` of the paths the demo could write into by mistake.
func treeStatus(t *testing.T) string {
	t.Helper()
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=all", "--ignored",
		"--", "examples", "internal/demo").Output()
	return string(out)
}

// checkRun asserts that the run did each step (statuses as given), showed
// each, kept every secret out of its output, and left nothing behind.
func checkRun(t *testing.T, rep *report, out, statusBefore string, titles []string, secrets ...string) {
	checkRunShows(t, rep, out, statusBefore, titles, []string{"$ terraform plan -refresh-only", "$ terraform plan -destroy"}, secrets...)
}

func checkRunShows(t *testing.T, rep *report, out, statusBefore string, titles, shows []string, secrets ...string) {
	t.Helper()
	if rep.ExitCode != 0 || strings.Contains(out, "[FAIL]") {
		t.Errorf("exit code %d; output:\n%s", rep.ExitCode, out)
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
	for _, want := range append(shows, "$ terraform plan", "$ terraform apply", "== Summary", "did what they said") {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, tfrun.DevOverridesWarning) {
		t.Error("output repeats the dev_overrides warning")
	}
	for _, s := range append(rep.secrets, secrets...) {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("output shows a secret (%d characters)", len(s))
		}
	}
	if _, err := os.Stat(rep.TempDir); rep.TempDir == "" || !os.IsNotExist(err) {
		t.Errorf("temp dir %q still exists (stat: %v)", rep.TempDir, err)
	}
	if rep.SimulatorURL != "" {
		if resp, err := (&http.Client{Timeout: time.Second}).Get(rep.SimulatorURL + "/_simulator/counts"); err == nil {
			_ = resp.Body.Close()
			t.Errorf("the simulator still answers at %s", rep.SimulatorURL)
		}
	}
	if after := treeStatus(t); after != statusBefore {
		t.Errorf("the run changed the working tree:\nbefore:\n%s\nafter:\n%s", statusBefore, after)
	}
}

func stepTitles(realTenant, readOnly bool) []string {
	var titles []string
	for _, s := range steps(realTenant) {
		if s.Reads || !readOnly {
			titles = append(titles, s.Title)
		}
	}
	return titles
}

// TestDemo runs `make demo` as a fresh clone would: the embedded simulator,
// no credentials in the environment, the providers built from the checkout.
func TestDemo(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
	t.Parallel()
	before := treeStatus(t)
	var out bytes.Buffer
	rep := run(context.Background(), options{Out: &out, LookupEnv: mapEnv(nil)})
	t.Logf("demo output:\n%s", out.String())

	checkRun(t, rep, out.String(), before, stepTitles(false, false))
	if rep.Target != "simulator" || rep.SimulatorURL == "" {
		t.Errorf("target %q at %q, want the simulator", rep.Target, rep.SimulatorURL)
	}
	wantWrites := []string{"none", "none", "none", "edit 1", "edit 1", "none", "regenerate 1", "none"}
	wantPlans := []string{"no changes", "1 to add", "1 to add", "1 to change, 1 to destroy", "1 to change",
		"1 to change", "1 to add, 1 to destroy", "1 to destroy"}
	for i, s := range rep.Steps {
		if s.Writes != wantWrites[i] || s.Plan != wantPlans[i] {
			t.Errorf("step %d: plan %q, writes %q; want %q, %q", i+1, s.Plan, s.Writes, wantPlans[i], wantWrites[i])
		}
	}
	// echo keeps the key string in its state, and the destroy plan shows
	// it: the demo must have masked it.
	if !strings.Contains(out.String(), `data = "`+maskedKey+`"`) {
		t.Error("the destroy plan does not show echo's masked data")
	}
	if len(rep.secrets) < 5 {
		t.Errorf("the demo masked %d strings; it saw at least the password and the original, shared, "+
			"drifted and rotated keys", len(rep.secrets))
	}
}

// TestDemoRealTenantPath proves the "real tenant" path with writes opted in
// end to end by pointing it, through the usual environment variables, at a
// simulator this test owns: no simulator of the demo's own, the edit back
// checked first, and the original string restored.
func TestDemoRealTenantPath(t *testing.T) {
	cli := builtProviders(t)
	t.Parallel()
	for _, mode := range []string{"legacy", "oneapi"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			sim := testsupport.StartSimulator(t)
			org := sim.DefaultOrganization()
			original := testsupport.CurrentKey(t, org)
			cfg := org.Config()
			env := map[string]string{confirmEnv: "yes", writesEnv: "yes"}
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
			rep := run(context.Background(), options{Out: &out, LookupEnv: mapEnv(env), CLIConfig: cli})
			t.Logf("demo output:\n%s", out.String())

			checkRun(t, rep, out.String(), before, stepTitles(true, false), cfg.Password, cfg.ClientSecret)
			if rep.Target != "real tenant" || rep.SimulatorURL != "" {
				t.Errorf("target %q, simulator %q: want a real tenant and no simulator", rep.Target, rep.SimulatorURL)
			}
			for _, want := range []string{"REAL TENANT", "through the API client", "not counted",
				"[ok]   the tenant took an edit to a temporary string and the edit back to the original"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q", want)
				}
			}
			c := org.Counts()
			// Regenerates: the out-of-band one and the rotation. Edits: the
			// check's two, share, drift repair, restore.
			want := map[simulator.Op]int{simulator.OpRegenerate: 2, simulator.OpEdit: 5, simulator.OpAdd: 0, simulator.OpDelete: 0}
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
		})
	}
}

// TestDemoRealTenantReadOnly: on a real tenant the demo changes nothing
// unless writes are opted in, and not even then where the tenant refuses the
// edit that would put the key back (here: one without the inferred calls,
// which answers an edit with 405). It runs the steps that read, and says so.
func TestDemoRealTenantReadOnly(t *testing.T) {
	cli := builtProviders(t)
	t.Parallel()
	for name, tc := range map[string]struct {
		writes, inferred bool
		says             string
		editsTried       int
	}{
		"writes not opted in":      {false, true, "Read-only: " + writesEnv + " is not yes", 0},
		"tenant without the edits": {true, false, "Read-only: the tenant refused an edit of the key", 1},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim := testsupport.StartSimulator(t, simulator.OrgConfig{Name: "default", WithoutInferredCalls: !tc.inferred})
			org := sim.DefaultOrganization()
			original := testsupport.CurrentKey(t, org)
			cfg := org.Config()
			env := map[string]string{confirmEnv: "yes", "ZTC_BASE_URL": sim.LegacyBaseURL(), "ZTC_USERNAME": cfg.Username,
				"ZTC_PASSWORD": cfg.Password, "ZTC_API_KEY": original.Value}
			if tc.writes {
				env[writesEnv] = "yes"
			}
			before := treeStatus(t)
			var out bytes.Buffer
			rep := run(context.Background(), options{Out: &out, LookupEnv: mapEnv(env), CLIConfig: cli})
			t.Logf("demo output:\n%s", out.String())

			checkRunShows(t, rep, out.String(), before, stepTitles(true, true), []string{tc.says, "$ terraform plan -destroy",
				"the steps that change the key were left out"}, cfg.Password)
			c := org.Counts()
			for _, op := range writeOps {
				if c.OK[op] != 0 {
					t.Errorf("%s: %d answered 2xx, want none", op, c.OK[op])
				}
			}
			if c.Calls[simulator.OpEdit] != tc.editsTried {
				t.Errorf("%d edits tried, want %d", c.Calls[simulator.OpEdit], tc.editsTried)
			}
			if got := testsupport.CurrentKey(t, org); got.ID != original.ID || got.Value != original.Value {
				t.Errorf("after the demo the key is %d (same string: %t), want it unchanged", got.ID, got.Value == original.Value)
			}
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
		env := map[string]string{"ZTC_BASE_URL": sim.LegacyBaseURL(), "ZTC_USERNAME": cfg.Username,
			"ZTC_PASSWORD": cfg.Password, "ZTC_API_KEY": key.Value, confirmEnv: confirm, writesEnv: "yes"}
		var out bytes.Buffer
		rep := run(context.Background(), options{Out: &out, LookupEnv: mapEnv(env)})
		if rep.ExitCode != 2 || rep.TempDir != "" || len(rep.Steps) != 0 {
			t.Errorf("confirm %q: exit code %d, temp dir %q, %d steps: want 2 and nothing done",
				confirm, rep.ExitCode, rep.TempDir, len(rep.Steps))
		}
		for _, want := range []string{"not started", "ZTC_USERNAME, ZTC_PASSWORD, ZTC_API_KEY are set",
			confirmEnv + "=yes make demo", confirmEnv + "=yes " + writesEnv + "=yes make demo",
			"unset ZTC_USERNAME ZTC_PASSWORD ZTC_API_KEY"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("confirm %q: output lacks %q:\n%s", confirm, want, out.String())
			}
		}
		if strings.Contains(out.String(), cfg.Password) || strings.Contains(out.String(), key.Value) {
			t.Errorf("confirm %q: the output shows a credential", confirm)
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

// TestDemoFailsLoudly: a step that does not do what it says fails the run
// (exit 1, [FAIL] in the output, FAILED in the summary) and the steps after
// it are skipped; a plan other than the announced one is never applied.
func TestDemoFailsLoudly(t *testing.T) {
	cli := builtProviders(t)
	t.Parallel()
	for name, tc := range map[string]struct {
		change  func(*step)
		output  string
		applied bool
	}{
		"unexpected plan":   {func(s *step) { s.Expect = map[string]string{addrKey: "update"} }, "did not apply it", false},
		"unexpected writes": {func(s *step) { s.Writes = map[simulator.Op]int{simulator.OpEdit: 1} }, "[FAIL] API writes: edit 1 (the simulator's count): counted none", true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			walk := func(realTenant bool) []step {
				all := steps(realTenant)
				tc.change(&all[1]) // the adopt step
				return all[:3]
			}
			var out bytes.Buffer
			rep := run(context.Background(), options{Out: &out, LookupEnv: mapEnv(nil), Steps: walk, CLIConfig: cli})
			var statuses []string
			for _, s := range rep.Steps {
				statuses = append(statuses, s.Status)
			}
			if rep.ExitCode != 1 || strings.Join(statuses, " ") != "ok FAILED skipped" {
				t.Errorf("exit code %d, statuses %v: want 1, ok FAILED skipped", rep.ExitCode, statuses)
			}
			for _, want := range []string{tc.output, "1 step(s) did not do what they said", "FAILED", "skipped"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if got := strings.Contains(out.String(), "Apply complete! Resources: 1 added"); got != tc.applied {
				t.Errorf("applied: %t, want %t", got, tc.applied)
			}
		})
	}
}

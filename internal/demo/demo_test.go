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

// checkRun asserts that the run did each step, showed each, kept every
// secret out of its output, and left nothing behind.
func checkRun(t *testing.T, rep *report, out, statusBefore string, titles []string) {
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
	for _, want := range []string{"$ terraform plan -refresh-only", "$ terraform plan -destroy", "$ terraform plan",
		"$ terraform apply", "== Summary", "did what they said"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, tfrun.DevOverridesWarning) {
		t.Error("output repeats the dev_overrides warning")
	}
	for _, s := range rep.secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("output shows a secret (%d characters)", len(s))
		}
	}
	if _, err := os.Stat(rep.TempDir); rep.TempDir == "" || !os.IsNotExist(err) {
		t.Errorf("temp dir %q still exists (stat: %v)", rep.TempDir, err)
	}
	if resp, err := http.Get(rep.SimulatorURL + "/_simulator/counts"); err == nil {
		_ = resp.Body.Close()
		t.Errorf("the simulator still answers at %s", rep.SimulatorURL)
	}
	if after := treeStatus(t); after != statusBefore {
		t.Errorf("the run changed the working tree:\nbefore:\n%s\nafter:\n%s", statusBefore, after)
	}
}

func stepTitles() []string {
	var titles []string
	for _, s := range steps() {
		titles = append(titles, s.Title)
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
	rep := run(context.Background(), options{Out: &out})
	t.Logf("demo output:\n%s", out.String())

	checkRun(t, rep, out.String(), before, stepTitles())
	wantWrites := []string{"none", "none", "none", "edit 1", "edit 1", "none", "regenerate 1", "none", "edit 1", "delete 1"}
	wantPlans := []string{"no changes", "1 to add", "1 to add", "1 to change, 1 to destroy", "1 to change",
		"1 to change", "1 to add, 1 to destroy", "1 to destroy", "1 to add", "1 to destroy"}
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
		"unexpected writes": {func(s *step) { s.Writes = "edit 1" }, "[FAIL] API writes: edit 1 (the simulator's count): counted none", true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			walk := steps()[:3]
			tc.change(&walk[1]) // the adopt step
			var out bytes.Buffer
			rep := run(context.Background(), options{Out: &out, Steps: walk, CLIConfig: cli})
			var statuses []string
			for _, s := range rep.Steps {
				statuses = append(statuses, s.Status)
			}
			if rep.ExitCode != 1 || strings.Join(statuses, " ") != "ok FAILED skipped" {
				t.Errorf("exit code %d, statuses %v: want 1, ok FAILED skipped", rep.ExitCode, statuses)
			}
			for _, want := range []string{tc.output, "Not every step did what it said", "FAILED", "skipped"} {
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

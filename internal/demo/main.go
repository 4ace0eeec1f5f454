// Command demo is `make demo`: it walks the cloudconnector provider through
// the life of an organization's API key with the real terraform binary,
// against the simulator started in this process. Each step prints what it
// does and the plan Terraform shows, then checks that it happened; a summary
// ends the run, which exits 1 when a step failed. It writes only to a temp dir.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	rep := run(ctx, options{Out: os.Stdout})
	stop()
	os.Exit(rep.ExitCode)
}

// options are run's inputs; tests pass their own.
type options struct {
	Out       io.Writer
	Steps     []step // nil: the demo's walk
	CLIConfig string // providers built already (tests share them); "" builds them
}

// report is what a run did: main's exit code, and what tests check.
type report struct {
	ExitCode     int
	Steps        []*stepResult
	TempDir      string
	SimulatorURL string
	secrets      []string // the strings the output masks
}

func run(ctx context.Context, opts options) *report {
	start := time.Now()
	rep := &report{ExitCode: 1}
	p := &printer{w: opts.Out}
	defer func() { rep.secrets = p.secrets }()
	fail := func(err error) *report {
		p.line("")
		p.line("demo: " + err.Error())
		return rep
	}
	walkSteps := opts.Steps
	if walkSteps == nil {
		walkSteps = steps()
	}
	p.total = len(walkSteps)

	p.line("cloudconnector provider demo: one organization's API key, from adoption to destroy")
	p.line("")
	tfBin, err := tfrun.FindTerraform()
	if err != nil {
		return fail(err)
	}
	root, err := tfrun.ModuleRoot()
	if err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp("", "cloudconnector-demo-")
	if err != nil {
		return fail(err)
	}
	rep.TempDir = tmp
	defer func() { _ = os.RemoveAll(tmp) }()

	sim, err := simulator.New(simulator.Options{})
	if err == nil {
		err = sim.Start("127.0.0.1:0")
	}
	if err != nil {
		return fail(fmt.Errorf("starting the simulator: %w", err))
	}
	defer func() { _ = sim.Close() }()
	rep.SimulatorURL = sim.URL()
	org := sim.DefaultOrganization()
	original, _ := org.Key() // the simulator provisions it, as Zscaler does
	login := org.Config()
	p.hide(login.Password, original.Value)

	cliConfig := opts.CLIConfig
	if cliConfig == "" {
		if cliConfig, err = tfrun.BuildProviders(ctx, filepath.Join(tmp, "providers")); err != nil {
			return fail(err)
		}
	}
	work := filepath.Join(tmp, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		return fail(err)
	}
	// The provider's settings, from the environment as users set them. Its
	// login key is the key the demo changes: walk.followKey updates it.
	env := map[string]string{
		"TF_CLI_CONFIG_FILE": cliConfig,
		"ZTC_BASE_URL":       sim.LegacyBaseURL(),
		"ZTC_USERNAME":       login.Username,
		"ZTC_PASSWORD":       login.Password,
		"ZTC_API_KEY":        original.Value,
	}
	tf, err := tfrun.New(ctx, tfBin, work, env)
	if err != nil {
		return fail(err)
	}
	ver, _, _ := tf.Version(ctx, false)
	p.line(fmt.Sprintf(`  target     the simulator, started in this process at %s
             legacy login as %s; no tenant, no credentials, nothing leaves this machine
  terraform  %s (%s)
  providers  cloudconnector built from this checkout, and terraform-plugin-testing's echo provider
             as a stand-in for a secrets manager; Terraform finds both through a throw-away CLI
             configuration with dev_overrides (its warning on every run is left out below)
  work dir   %s
             the configurations of examples/demo are applied here step by step; removed at the end
  output     each plan as terraform show prints the saved plan, trimmed; warnings in full; key
             strings masked`, sim.URL(), login.Username, tfBin, ver, work))

	shared := randomKeyString(original.Value)
	p.hide(shared)
	w := &walk{p: p, tf: tf, org: org, env: env, examples: filepath.Join(root, "examples", "demo"), work: work,
		vars: map[string]string{
			"shared_key": shared,
			// What time_rotating.id would give: the time of the rotation.
			"rotation": time.Now().UTC().Format(time.RFC3339),
		}}

	failed := 0
	for i, s := range walkSteps {
		res := &stepResult{N: i + 1, Title: s.Title, Status: "skipped", Plan: "-", Writes: "-"}
		rep.Steps = append(rep.Steps, res)
		if failed > 0 || ctx.Err() != nil {
			continue
		}
		t0 := time.Now()
		w.r = res
		if err := w.do(ctx, s); err != nil {
			w.check("the step", false, "%v", err)
		}
		res.Elapsed, res.Status = time.Since(t0), "ok"
		if res.Failed > 0 {
			res.Status = "FAILED"
			failed++
		}
	}

	p.summary(rep.Steps, time.Since(start))
	if failed > 0 || ctx.Err() != nil {
		p.line("  Not every step did what it said: see [FAIL] above, and the steps skipped.")
		return rep
	}
	p.line(fmt.Sprintf("  All %d steps did what they said. With a tenant of your own: docs/guides/.", len(rep.Steps)))
	rep.ExitCode = 0
	return rep
}

// randomKeyString is a new key string: 12 letters or digits, different from not.
func randomKeyString(not string) string {
	for {
		if s := rand.Text()[:12]; s != not {
			return s // rand.Text is base32: A-Z and 2-7
		}
	}
}

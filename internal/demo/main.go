// Command demo is `make demo`: it walks the cloudconnector provider through
// the life of an organization's API key with the real terraform binary,
// against the simulator started in this process (or a real tenant when the
// usual credentials are set and the user confirms), prints what each step
// does and the plan Terraform shows, checks that it happened, and ends with
// a summary. It exits 1 when a step fails, 2 when it refuses to start.
//
// Everything it writes goes to a temp dir: the provider binaries, a
// throw-away CLI configuration with dev_overrides, the configurations, the state.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	rep := run(ctx, options{Out: os.Stdout, LookupEnv: os.LookupEnv})
	stop()
	os.Exit(rep.ExitCode)
}

// On a real tenant, confirmEnv=yes runs the steps that only read; writesEnv=yes
// as well lets the demo change the key (and put it back).
const (
	confirmEnv = "DEMO_REAL_TENANT"
	writesEnv  = "DEMO_WRITES"
)

// options are run's inputs; tests pass their own.
type options struct {
	Out       io.Writer
	LookupEnv func(string) (string, bool)
	Steps     func(realTenant bool) []step // nil: the demo's walk
	CLIConfig string                       // providers built already (tests share them); "" builds them
}

// report is what a run did: main's exit code, and what tests check.
type report struct {
	ExitCode     int
	Target       string
	Steps        []*stepResult
	TempDir      string
	SimulatorURL string // empty against a real tenant
	secrets      []string
}

func run(ctx context.Context, opts options) *report {
	start := time.Now()
	rep := &report{ExitCode: 1}
	p := &printer{w: opts.Out}
	defer func() { rep.secrets = p.secrets }()
	env := map[string]string{}
	for _, n := range append(providerEnvNames, confirmEnv, writesEnv) {
		env[n], _ = opts.LookupEnv(n)
	}
	creds := setIn(env, append(legacyEnv, oneAPIEnv...))
	realTenant := len(creds) > 0
	if realTenant && env[confirmEnv] != "yes" {
		p.line("cloudconnector provider demo: not started.")
		p.line("")
		p.para(fmt.Sprintf("%s %s set, so this demo would run against that tenant instead of the simulator. "+
			"Confirmed, it runs the steps that only read: the key is not changed. With writes opted in as well, it "+
			"also edits the organization's API key and regenerates it twice, after checking that the tenant takes the "+
			"edit that puts the original string back, which it does at the end: whatever uses the key stops working "+
			"meanwhile, and for good if the restore fails.", strings.Join(creds, ", "), plural(len(creds), "is", "are")))
		p.line("")
		p.line("  To read only:             " + confirmEnv + "=yes make demo")
		p.line("  To change the key too:    " + confirmEnv + "=yes " + writesEnv + "=yes make demo")
		p.line("  To use the simulator:     unset " + strings.Join(creds, " ") + "; make demo")
		rep.ExitCode = 2
		return rep
	}
	stepsFor := opts.Steps
	if stepsFor == nil {
		stepsFor = steps
	}
	writes := !realTenant || env[writesEnv] == "yes"
	fail := func(err error) *report {
		p.line("")
		p.line("demo: " + err.Error())
		return rep
	}

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

	var t *tenant
	if realTenant {
		var cfg, cerr = loginConfig(env)
		t, err = &tenant{env: env, cfg: cfg}, cerr
	} else if t, err = simulatorTenant(); err == nil {
		rep.SimulatorURL = t.sim.URL()
	}
	if err != nil {
		return fail(fmt.Errorf("starting: %w", err))
	}
	defer t.close()
	p.hide(t.cfg.Password, t.cfg.ClientSecret, t.cfg.APIKey)
	rep.Target = "simulator"
	if realTenant {
		rep.Target = "real tenant"
		who := "OneAPI client " + t.cfg.ClientID
		if t.authMode() == "legacy" {
			who = "legacy login as " + t.cfg.Username
		}
		p.line(field("target", fmt.Sprintf("a REAL TENANT at %s, %s", t.cfg.BaseURL, who)))
		p.line(field("", fmt.Sprintf("because %s %s set and %s=yes; no simulator, and no step counts API calls",
			strings.Join(creds, ", "), plural(len(creds), "is", "are"), confirmEnv)))
		if writes {
			p.line(field("writes", writesEnv+"=yes: checked first that the tenant takes the edit that puts the key back;"))
			p.line(field("", "step 5 regenerates the key through the API client, as a portal admin would; the last"))
			p.line(field("", "step puts the original string back"))
		} else {
			p.line(field("read-only", writesEnv+" is not yes: only the steps that read run, and the key is not changed"))
		}
	} else {
		p.line(field("target", "the simulator, started in this process at "+t.sim.URL()))
		p.line(field("", fmt.Sprintf("legacy login as %s; no tenant, no credentials, nothing leaves this machine", t.cfg.Username)))
	}

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
	baseEnv := map[string]string{
		"TF_CLI_CONFIG_FILE": cliConfig,
		// The provider's pace file (shared by its processes) goes with this
		// run's temp dir: the simulator's organizations last only this run.
		"XDG_CACHE_HOME": filepath.Join(tmp, "cache"),
	}
	tf, err := tfrun.New(ctx, tfBin, work, baseEnv)
	if err != nil {
		return fail(err)
	}
	ver, _, _ := tf.Version(ctx, false)
	p.line(field("terraform", fmt.Sprintf("%s (%s)", tfBin, ver)))
	p.line(field("providers", "cloudconnector built from this checkout, and terraform-plugin-testing's echo provider"))
	p.line(field("", "as a stand-in for a secrets manager; Terraform finds both through a throw-away CLI"))
	p.line(field("", "configuration with dev_overrides (its warning on every run is left out below)"))
	p.line(field("work dir", work))
	p.line(field("", "the configurations of examples/demo are applied here step by step; removed at the end"))
	p.line(field("output", "each plan as `terraform show` prints the saved plan, trimmed; each warning as its"))
	p.line(field("", "title and first sentence; key strings masked"))

	original, err := t.key(ctx)
	if err != nil {
		return fail(fmt.Errorf("reading the organization's key: %w (this demo starts by adopting the key: "+
			"add one in the admin portal, Administration > API Key Management, if there is none)", err))
	}
	shared := randomKeyString(original.Value)
	p.hide(original.Value, shared)
	w := &walk{p: p, tf: tf, tenant: t, baseEnv: baseEnv, examples: filepath.Join(root, "examples", "demo"), work: work,
		original: original, vars: map[string]string{
			"shared_key": shared,
			// What time_rotating.id would give: the time of the rotation.
			"rotation": time.Now().UTC().Format(time.RFC3339),
		}}

	why := ""
	switch {
	case !writes:
		why = writesEnv + " is not yes"
	case realTenant:
		if why, err = w.editBack(ctx); err != nil {
			return fail(err)
		}
	}
	walkSteps := stepsFor(realTenant)
	if why != "" {
		walkSteps = slices.DeleteFunc(walkSteps, func(s step) bool { return !s.Reads })
		p.line("")
		p.para(fmt.Sprintf("Read-only: %s, so only the %d steps that read run; the key is not changed.", why, len(walkSteps)))
	}
	p.total = len(walkSteps)

	failed := 0
	for i, s := range walkSteps {
		res := &stepResult{N: i + 1, Title: s.Title, Status: "skipped"}
		rep.Steps = append(rep.Steps, res)
		stepCtx := ctx
		if s.Run != nil {
			// The restore runs even after a failure or an interrupt: it is
			// what leaves a real tenant's key as the demo found it.
			var cancel context.CancelFunc
			stepCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			defer cancel()
		} else if failed > 0 || ctx.Err() != nil {
			continue
		}
		t0 := time.Now()
		w.do(stepCtx, s, res)
		res.Elapsed = time.Since(t0)
		res.Status = "ok"
		if res.failed() {
			res.Status = "FAILED"
			failed++
		}
	}

	p.summary(rep.Target, rep.Steps, time.Since(start))
	if failed > 0 {
		p.line(fmt.Sprintf("  %d step(s) did not do what they said: see [FAIL] above.", failed))
		if realTenant && why == "" && rep.Steps[len(rep.Steps)-1].Status != "ok" {
			p.line("  The key's string may not be the one you started with: regenerate it in the admin portal")
			p.line("  (Administration > API Key Management) and update whatever uses it.")
		}
		return rep
	}
	p.line(fmt.Sprintf("  All %d steps did what they said. Guides: docs/guides/. Against your own tenant:", len(rep.Steps)))
	p.line("  set ZTC_USERNAME, ZTC_PASSWORD, ZTC_API_KEY (or ZSCALER_CLIENT_ID, ...), then " + confirmEnv + "=yes make demo")
	if why != "" {
		p.line("  (read-only: " + why + "; the steps that change the key were left out)")
	}
	rep.ExitCode = 0
	return rep
}

func field(name, text string) string { return fmt.Sprintf("  %-10s %s", name, text) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// randomKeyString is a new key string: 12 letters or digits, different from not.
func randomKeyString(not string) string {
	for {
		if s := rand.Text()[:12]; s != not {
			return s // rand.Text is base32: A-Z and 2-7
		}
	}
}

// editBack checks, before any write on a real tenant, that it takes the
// very edit the last step makes: the key to its original string, from
// another one. Nothing short of that edit proves it (the edit call is
// inferred, not documented, and a tenant may refuse a string it held
// before), so it edits the key to a temporary string and straight back. A
// refused first edit changes nothing: it returns why, and the walk runs
// read-only. A refused edit back is an error that says what to do.
func (w *walk) editBack(ctx context.Context) (readOnlyWhy string, err error) {
	w.p.line("")
	w.p.line("== Before the walk: can the key be put back? " + strings.Repeat("=", width-46))
	w.p.para("Edits the key to a temporary string and straight back to its own, through the API client: the edit " +
		"that the last step needs. Whatever uses the key fails for a second or two.")
	if !client.ValidKeyValue(w.original.Value) {
		return "the key's string is not 12 letters or digits, so no edit could put it back", nil
	}
	temp := randomKeyString(w.original.Value)
	w.p.hide(temp)
	if _, err := w.tenant.edit(ctx, temp); err != nil {
		if k, kerr := w.keyNow(ctx); kerr != nil || !sameKey(k, w.original) {
			return "", fmt.Errorf("an edit of the key failed (%v), and the key may have changed: regenerate it in "+
				"the admin portal (Administration > API Key Management) and update whatever uses it", err)
		}
		return fmt.Sprintf("the tenant refused an edit of the key (%v), so nothing was changed", err), nil
	}
	w.tenant.followKey(temp)
	k, err := w.tenant.edit(ctx, w.original.Value)
	if err == nil && !sameKey(k, w.original) {
		err = errors.New("the key differs from the original")
	}
	if err != nil {
		return "", fmt.Errorf("the tenant took an edit to a temporary string but not the edit back (%v): the key "+
			"holds a string that only this run knew. Regenerate it in the admin portal (Administration > API Key "+
			"Management) and update whatever uses it", err)
	}
	w.tenant.followKey(k.Value)
	w.p.check(fmt.Sprintf("the tenant took an edit to a temporary string and the edit back to the original (ID %d)", k.ID), nil)
	return "", nil
}

// Command demo is `make demo`: it walks the cloudconnector provider through
// the life of an organization's API key with the real terraform binary,
// against the simulator started in this process (or a real tenant when the
// usual credentials are set and the user confirms), prints what each step
// does and the plan Terraform shows, checks that it happened, and ends with
// a summary. It exits 1 when a step fails, 2 when it refuses to start.
//
// Everything it writes goes to a temp dir: the provider binary, a throw-away
// CLI configuration with dev_overrides, a copy of examples/demo, the state.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	rep := run(ctx, options{Out: os.Stdout, LookupEnv: os.LookupEnv})
	stop()
	os.Exit(rep.ExitCode)
}

// options are run's inputs; tests pass their own environment.
type options struct {
	Out       io.Writer
	LookupEnv lookupFunc
	// Steps replaces the walk (tests of the failure paths); nil is the demo.
	Steps func(realTenant bool) []step
	// ProviderDir holds a provider binary built already (tests share one);
	// "" builds it from the checkout.
	ProviderDir string
}

// report is what a run did: main's exit code, and what tests check.
type report struct {
	ExitCode     int
	Target       string
	Steps        []*stepResult
	TempDir      string
	SimulatorURL string // empty against a real tenant
	EchoNetwork  string // where the echo provider was served
	EchoAddress  string
	Elapsed      time.Duration
	secrets      []string // the strings the output masked
}

func run(ctx context.Context, opts options) *report {
	start := time.Now()
	rep := &report{ExitCode: 1}
	p := &printer{w: opts.Out}
	defer func() { rep.secrets = p.secrets }()
	env := opts.LookupEnv

	creds := tenantCredentials(env)
	realTenant := len(creds) > 0
	if realTenant && env.get(confirmEnv) != "yes" {
		refuseTenant(p, creds)
		rep.ExitCode = 2
		return rep
	}
	stepsFor := opts.Steps
	if stepsFor == nil {
		stepsFor = steps
	}
	walkSteps := stepsFor(realTenant)
	p.total = len(walkSteps)
	fail := func(err error) *report {
		p.line("")
		p.line("demo: " + err.Error())
		rep.Elapsed = time.Since(start)
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

	var tgt target
	if realTenant {
		tgt, err = newAPITarget(env)
	} else {
		var st *simTarget
		st, err = newSimTarget()
		if err == nil {
			tgt, rep.SimulatorURL = st, st.sim.URL()
		}
	}
	if err != nil {
		return fail(fmt.Errorf("starting: %w", err))
	}
	defer func() { _ = tgt.Close() }()
	rep.Target = tgt.Label()
	for _, secret := range tgt.Secrets() {
		p.hide(secret)
	}
	for i, l := range tgt.Describe() {
		p.line(field(i == 0, "target", l))
	}
	p.line(field(true, "terraform", tfBin+terraformVersion(ctx, tfBin)))

	bin := opts.ProviderDir
	if bin == "" {
		if bin, err = tfrun.BuildProvider(ctx, ".", filepath.Join(tmp, "provider")); err != nil {
			return fail(err)
		}
	}
	cliConfig := filepath.Join(tmp, "terraformrc")
	if err := tfrun.WriteCLIConfig(cliConfig, bin, nil); err != nil {
		return fail(err)
	}
	p.line(field(true, "provider", "built from this checkout into a temp dir; Terraform finds it through a throw-away"))
	p.line(field(false, "", "CLI configuration with dev_overrides (its warning on every run is left out below)"))

	logEnv := quietInProcessLogs()
	echo, err := startEcho(ctx)
	if err != nil {
		return fail(err)
	}
	defer echo.Stop()
	rep.EchoNetwork, rep.EchoAddress = echo.network, echo.address
	p.line(field(true, "echo", "terraform-plugin-testing's echo provider, served in this process (TF_REATTACH_PROVIDERS)"))

	examples := filepath.Join(tmp, "examples")
	if err := copyTree(filepath.Join(root, "examples", "demo"), examples); err != nil {
		return fail(err)
	}
	work := filepath.Join(tmp, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		return fail(err)
	}
	p.line(field(true, "work dir", work))
	p.line(field(false, "", "examples/demo is copied here and applied step by step; removed at the end"))
	p.line(field(true, "output", "each plan as `terraform show` prints the saved plan, trimmed; each warning as its"))
	p.line(field(false, "", "title and first sentence; key strings masked"))

	original, found, err := tgt.Key(ctx)
	if err != nil {
		return fail(fmt.Errorf("reading the organization's key: %w", err))
	}
	if !found {
		return fail(errors.New("the organization has no API key, and this demo starts by adopting one: add a key in " +
			"the admin portal (Administration > API Key Management) first"))
	}
	shared, err := randomKeyString(original.Value)
	if err != nil {
		return fail(err)
	}
	p.hide(original.Value)
	p.hide(shared)

	baseEnv := append([]string{
		"TF_CLI_CONFIG_FILE=" + cliConfig,
		// The provider's pace file (shared by its processes) goes with this
		// run's temp dir; the simulator's organizations last only this run.
		"XDG_CACHE_HOME=" + filepath.Join(tmp, "cache"),
		echo.Env(),
		// The user's own Terraform settings must not move the state or change
		// the commands' output: "" is Terraform's default for each.
		"TF_DATA_DIR=", "TF_WORKSPACE=", "TF_CLI_ARGS=", "TF_CLI_ARGS_plan=", "TF_CLI_ARGS_apply=",
		"TF_CLI_ARGS_show=",
		"TF_VAR_shared_key=" + shared,
		// What time_rotating.id would give: the time of the rotation.
		"TF_VAR_rotation=" + time.Now().UTC().Format(time.RFC3339),
	}, logEnv...)
	w := &walk{
		p:        p,
		tf:       &runner{tf: &tfrun.Terraform{Bin: tfBin, Dir: work}, baseEnv: baseEnv, target: tgt},
		target:   tgt,
		examples: examples,
		work:     work,
		shared:   shared,
		original: original,
		loginKey: original.Value,
	}

	failed := 0
	for i, s := range walkSteps {
		res := &stepResult{N: i + 1, Title: s.Title}
		rep.Steps = append(rep.Steps, res)
		stepCtx := ctx
		if s.Run != nil {
			// The restore runs even after a failure or an interrupt: it is
			// what leaves a real tenant's key as the demo found it.
			var cancel context.CancelFunc
			stepCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			defer cancel()
		} else if failed > 0 || ctx.Err() != nil {
			res.Status = "skipped"
			continue
		}
		t0 := time.Now()
		w.do(stepCtx, s, res)
		res.Elapsed = time.Since(t0)
		if res.Err != nil {
			p.check("step", res.Err)
		}
		res.Status = "ok"
		if res.failed() {
			res.Status = "FAILED"
			failed++
		}
	}

	rep.Elapsed = time.Since(start)
	p.summary(tgt.Label(), rep.Steps, rep.Elapsed)
	if failed > 0 {
		p.line(fmt.Sprintf("  %d step(s) did not do what they said: see [FAIL] above.", failed))
		if realTenant && rep.Steps[len(rep.Steps)-1].Status != "ok" {
			p.line("  The key's string may not be the one you started with: regenerate it in the admin portal")
			p.line("  (Administration > API Key Management) and update whatever uses it.")
		}
		return rep
	}
	p.line(fmt.Sprintf("  All %d steps did what they said. Guides: docs/guides/. Against your own tenant:", len(rep.Steps)))
	p.line("  set ZTC_USERNAME, ZTC_PASSWORD, ZTC_API_KEY (or ZSCALER_CLIENT_ID, ...), then DEMO_REAL_TENANT=yes make demo")
	rep.ExitCode = 0
	return rep
}

// refuseTenant explains why the demo does not touch a real tenant unasked.
func refuseTenant(p *printer, creds []string) {
	p.line("cloudconnector provider demo: not started.")
	p.line("")
	p.para(fmt.Sprintf("%s %s set, so this demo would run against that tenant instead of the simulator. "+
		"It would edit the organization's API key, regenerate it twice and put the original string back at the "+
		"end: whatever uses the key stops working for about a minute, and for good if the restore fails.",
		strings.Join(creds, ", "), plural(len(creds), "is", "are")))
	p.line("")
	p.line("  To go ahead:              " + confirmEnv + "=yes make demo")
	p.line("  To use the simulator:     unset " + strings.Join(creds, " ") + "; make demo")
}

func field(first bool, name, text string) string {
	if !first {
		name = ""
	}
	return fmt.Sprintf("  %-10s %s", name, text)
}

// terraformVersion is " (1.11.4)", or "" when it cannot tell.
func terraformVersion(ctx context.Context, bin string) string {
	res, err := (&tfrun.Terraform{Bin: bin}).Run(ctx, "version", "-json")
	if err != nil {
		return ""
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if json.Unmarshal([]byte(res.Stdout), &v) != nil || v.Version == "" {
		return ""
	}
	return " (" + v.Version + ")"
}

// quietInProcessLogs turns off the SDK's trace logs of the echo provider
// served here: a provider process's logs go to Terraform, which filters them,
// but in this process they would land on the terminal. It returns the
// variables that give Terraform (and through it our provider) the values
// the user had.
func quietInProcessLogs() []string {
	var restore []string
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO"} {
		v, set := os.LookupEnv(name)
		if !set {
			_ = os.Setenv(name, "off")
		}
		restore = append(restore, name+"="+v)
	}
	return restore
}

// copyTree copies the regular files under src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path) //nolint:gosec // a file of this checkout's examples/demo
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600) //nolint:gosec // target is inside the demo's own temp dir
	})
}

// randomKeyString is a new key string from crypto/rand: 12 letters or
// digits, different from not.
func randomKeyString(not string) (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for {
		out := make([]byte, 0, 12)
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < 4*len(alphabet) && len(out) < cap(out) { // below a multiple of 62: no bias
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
		if len(out) == cap(out) && string(out) != not {
			return string(out), nil
		}
	}
}

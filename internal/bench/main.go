// Command bench is `make bench`: it measures what the cloudconnector provider
// costs its users against the floor that any terraform-plugin-framework
// provider sets (a do-nothing provider, internal/bench/nullprovider), with the
// real terraform and an in-process simulator of the API, and writes the
// figures to BENCHMARKS.md; report.go says what each table holds.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

func main() {
	opts := options{Orgs: []int{1, 10, 50}, Out: "BENCHMARKS.md", Profile: os.Getenv("BENCH_CPUPROFILE")}
	flag.BoolVar(&opts.Tiny, "tiny", false, "one organization, one repetition: checks the machinery, not the figures")
	flag.IntVar(&opts.Reps, "reps", 0, "repetitions of each wall-time row (default: 15 at 1 organization, 7 up to 10, 5 above)")
	orgs := flag.Int("orgs", 0, "the one organization count (1 to 99) of the wall-time rows, to compare two builds quickly")
	flag.Parse()
	if *orgs > 0 && *orgs < 100 {
		opts.Orgs = []int{*orgs}
	}
	if opts.Tiny {
		opts.Orgs, opts.Reps = []int{1}, 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, opts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options size a run.
type options struct {
	Orgs    []int  // organization counts (provider aliases) of the wall-time rows
	Reps    int    // repetitions of each wall-time row; 0: by organization count (wallReps)
	Tiny    bool   // a machinery check: fewer runs everywhere, and the report says so
	Out     string // the file to write, relative to the module root
	Profile string // directory for CPU profiles (BENCH_CPUPROFILE); "" = none
}

// wallReps is how many repetitions a wall-time row of n organizations gets.
// A command on one organization takes a fraction of a second, where a stray
// scheduling delay weighs more, and its goal (1.03×) is tighter: it needs
// more pairs than 50 organizations (1.05×, seconds a command). Odd counts:
// the median is one repetition's.
func (o options) wallReps(n int) int {
	switch {
	case o.Reps > 0:
		return o.Reps
	case n <= 1:
		return 15
	case n <= 10:
		return 7
	}
	return 5
}

// The providers compared, by the key of their binary. Both have the type
// name cloudconnector, so one configuration text serves either.
const (
	ours = "ours"
	null = "null"
)

// The commands the phases run.
var (
	applyArgs   = []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	destroyArgs = []string{"destroy", "-auto-approve", "-input=false", "-no-color"}
	planArgs    = []string{"plan", "-input=false", "-no-color"}
)

var sources = map[string]string{ours: "seed62df8d36/cloudconnector", null: "benchnull/cloudconnector"} // donothing.Source

// bench holds what every phase shares.
type bench struct {
	opts            options
	tfBin, dir, cli string            // terraform; the scratch directory; the CLI configuration that serves both providers
	bins            map[string]string // ours, null
	progress        io.Writer
}

// run builds both providers, runs every phase and writes the report to
// opts.Out.
func run(ctx context.Context, opts options, progress io.Writer) (*report, error) {
	tfBin, err := tfrun.FindTerraform()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cloudconnector-bench-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	b := &bench{opts: opts, tfBin: tfBin, dir: dir, progress: progress, bins: map[string]string{}}
	// As .goreleaser.yml builds (the -X version string changes a few bytes
	// only); a tiny run takes the local defaults, which the build cache holds.
	flags := []string{"-trimpath", "-ldflags=-s -w"}
	if opts.Tiny {
		flags = flags[1:]
	} else if err := os.Setenv("CGO_ENABLED", "0"); err != nil {
		return nil, err
	}
	if opts.Profile != "" { // the profiler is linked only on demand (main_cpuprofile.go)
		flags = append(flags, "-tags=cpuprofile")
	}
	overrides := map[string]string{}
	for name, pkg := range map[string]string{ours: ".", null: "./internal/bench/nullprovider"} {
		b.bins[name] = filepath.Join(dir, name, "terraform-provider-cloudconnector")
		if err := tfrun.Build(ctx, b.bins[name], flags, pkg); err != nil {
			return nil, err
		}
		overrides["registry.terraform.io/"+sources[name]] = filepath.Dir(b.bins[name])
	}
	b.cli = filepath.Join(dir, "cli.tfrc")
	if err := tfrun.WriteCLIConfig(b.cli, overrides); err != nil {
		return nil, err
	}
	ver, _, _, err := b.terraform(ctx, dir, nil, "version")
	if err != nil {
		return nil, err
	}
	ver = strings.Replace(regexp.MustCompile(`(Terraform|OpenTofu) v\S+`).FindString(ver), " v", " ", 1) // a warning may come first
	rep := &report{Tiny: opts.Tiny, Profiled: opts.Profile != "",
		Env: fmt.Sprintf("%s, %s, %s/%s, %d CPUs", ver, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())}
	if model := cpuModel(); model != "" {
		rep.Env += " (" + model + ")"
	}
	busy, began := machineBusy(), time.Now()
	for _, p := range []struct {
		name string
		run  func() error
	}{
		{"calls", func() (err error) { rep.Calls, err = b.callsPhase(ctx); return err }},
		{"wall", func() (err error) { rep.Wall, err = b.wallPhase(ctx); return err }},
		{"rate", func() (err error) { rep.Rate, err = b.ratePhase(ctx); return err }},
		{"startup", func() (err error) { rep.Startup, err = b.startupPhase(ctx); return err }},
	} {
		b.logf("== %s", p.name)
		if err := p.run(); err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
	}
	rep.OtherCPUs = max(float64(machineBusy()-busy)/float64(time.Since(began)), 0)
	path := opts.Out
	if !filepath.IsAbs(path) {
		root, err := tfrun.ModuleRoot()
		if err != nil {
			return nil, err
		}
		path = filepath.Join(root, path)
	}
	text, err := rep.Markdown()
	if err != nil {
		return nil, err
	}
	b.logf("bench: writing %s (in %s)", path, time.Since(began).Round(time.Second))
	return rep, os.WriteFile(path, []byte(text), 0o644) //nolint:gosec // a document of the repository
}

// terraform runs terraform with args in dir, with the benchmark's CLI
// configuration, a clean environment (tfrun.Env) and env. It returns the
// output, the wall time, and the CPU time of terraform and of the provider
// processes it reaped (the kernel adds theirs to terraform's at its exit).
func (b *bench) terraform(ctx context.Context, dir string, env map[string]string, args ...string) (out string, wall, cpu time.Duration, err error) {
	cmd := exec.CommandContext(ctx, b.tfBin, args...)
	cmd.Dir = dir
	for k, v := range tfrun.Env(env) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "TF_CLI_CONFIG_FILE="+b.cli)
	if env["XDG_CACHE_HOME"] == "" {
		cmd.Env = append(cmd.Env, "XDG_CACHE_HOME="+filepath.Join(b.dir, "cache"))
	}
	start := time.Now()
	bytes, err := cmd.CombinedOutput()
	wall = time.Since(start)
	if err != nil {
		return "", 0, 0, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, bytes)
	}
	return string(bytes), wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

// workdir makes the working directory name and writes config into it.
func (b *bench) workdir(name, config string) (string, error) {
	d := filepath.Join(b.dir, "work", name)
	if err := os.MkdirAll(d, 0o750); err != nil {
		return "", err
	}
	return d, os.WriteFile(filepath.Join(d, "main.tf"), []byte(config), 0o600)
}

func (b *bench) logf(format string, args ...any) {
	_, _ = fmt.Fprintf(b.progress, format+"\n", args...)
}

// startSimulator starts a simulator with the named organizations.
func startSimulator(names ...string) (*simulator.Simulator, error) {
	orgs := make([]simulator.OrgConfig, len(names))
	for i, n := range names {
		orgs[i].Name = n
	}
	sim, err := simulator.New(simulator.Options{Organizations: orgs})
	if err == nil {
		err = sim.Start("127.0.0.1:0")
	}
	return sim, err
}

// terraformBlock requires the cloudconnector provider from provider's source.
func terraformBlock(provider string) string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    cloudconnector = { source = %q }\n  }\n}\n", sources[provider])
}

// providerBlock logs in to org, at root (the simulator's URL, or that of a
// listener of the organization's own), with an alias when alias is not "".
// In legacy mode the login key is the organization's current key, read anew
// for every configuration, as a user who updates ZTC_API_KEY after each
// rotation would.
func providerBlock(sim *simulator.Simulator, org *simulator.Organization, root, alias string, oneAPI bool) string {
	at := func(u string) string { return root + strings.TrimPrefix(u, sim.URL()) }
	cfg, lines := org.Config(), []string{"provider \"cloudconnector\" {"}
	if alias != "" {
		lines = append(lines, fmt.Sprintf("  alias         = %q", alias))
	}
	if oneAPI {
		lines = append(lines, fmt.Sprintf("  base_url      = %q\n  client_id     = %q\n  client_secret = %q\n  token_url     = %q",
			at(sim.OneAPIBaseURL()), cfg.ClientID, cfg.ClientSecret, at(sim.TokenURL())))
	} else {
		k, _ := org.Key()
		lines = append(lines, fmt.Sprintf("  base_url      = %q\n  username      = %q\n  password      = %q\n  api_key       = %q",
			at(sim.LegacyBaseURL()), cfg.Username, cfg.Password, k.Value))
	}
	return strings.Join(append(lines, "}\n"), "\n")
}

// cpuModel names the machine's processor: the first "model name" of
// /proc/cpuinfo, or "" where there is none.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// machineBusy is the CPU time that processes other than this one and its
// children have used since boot (Linux: /proc/stat's user, nice, system, irq,
// softirq and steal ticks of 10 ms, less this program's own CPU); the bench
// reports it so that a reader can tell whether other work competed.
func machineBusy() time.Duration {
	stat, _ := os.ReadFile("/proc/stat")
	var ticks int64
	if f := strings.Fields(strings.SplitN(string(stat), "\n", 2)[0]); len(f) > 8 {
		for _, i := range []int{1, 2, 3, 6, 7, 8} {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += v
		}
	}
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	return time.Duration(ticks)*10*time.Millisecond - time.Duration(self.Utime.Nano()+self.Stime.Nano()+children.Utime.Nano()+children.Stime.Nano())
}

// median is the middle of ds (the mean of the two middles of an even count).
func median[T time.Duration | float64](ds []T) T {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

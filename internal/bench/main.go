// Command bench is `make bench`: it measures what the cloudconnector provider
// costs its users against the floor that Terraform allows, and writes the
// figures into the README's "## Benchmarks" section.
//
// It builds the provider as a release is built, and a do-nothing framework
// provider (internal/bench/nullprovider) as the reference, runs the real
// terraform binary against both through dev_overrides (terraform-exec), and
// counts API calls with an in-process simulator, so that every figure is per
// provider process, as users get it. Phases: API calls per operation; wall
// time and CPU of plan and apply for 1, 10 and 50 organizations, each behind
// a listener of its own, in both login modes; a rate-limited run; provider
// start-up and binary size.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

func main() {
	opts := defaultOptions()
	tiny := flag.Bool("tiny", false, "one organization, one repetition: checks the machinery, not the figures")
	flag.IntVar(&opts.Reps, "reps", opts.Reps, "repetitions of each wall-time measurement (default: 15 for 1 organization, 6 up to 10, 4 above)")
	flag.StringVar(&opts.README, "readme", opts.README, "README to update (\"\" = none), relative to the module root")
	flag.StringVar(&opts.Phases, "phases", "", "comma-separated subset of calls,wall,rate,startup (the README is left alone); profile (BENCH_CPUPROFILE alone) "+
		"and perorg (the largest count, a listener each, ours and the do-nothing provider) run only when named")
	flag.BoolVar(&opts.Keep, "keep", false, "keep the scratch directory (terraform logs and states)")
	orgs := flag.String("orgs", "", "comma-separated organization counts for wall time (default 1,10,50)")
	flag.Parse()
	if *tiny {
		opts = tinyOptions(opts)
	}
	if *orgs != "" {
		opts.Orgs = nil
		for _, f := range strings.Split(*orgs, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 99 {
				fmt.Fprintln(os.Stderr, "bench: -orgs: each count must be a number from 1 to 99")
				os.Exit(2)
			}
			opts.Orgs = append(opts.Orgs, n)
		}
		slices.Sort(opts.Orgs)
		opts.Orgs = slices.Compact(opts.Orgs)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	rep, err := run(ctx, opts, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Println(rep.Markdown())
	fmt.Printf("bench: done in %s\n", time.Since(start).Round(time.Second))
}

// options size a run.
type options struct {
	Orgs        []int         // organization counts (provider aliases) for wall time
	Reps        int           // repetitions of each wall-time measurement; 0: by organization count (wallReps)
	Latency     time.Duration // the simulator's latency in the wall-time rows with latency (0: none)
	README      string        // README to update, relative to the module root; "" = none
	Tiny        bool          // a machinery check, not figures: the report says so
	Unstripped  bool          // also build without -s -w, to measure what stripping saves
	RateEdits   int           // edits in a row through the client
	RateLists   int           // lists in a row through the client
	RateApplies int           // terraform applies of an edit in a row in one organization
	StartupRuns int           // starts of each binary
	Keep        bool          // keep the scratch directory
	Phases      string        // comma-separated subset of calls,wall,rate,startup; "" = all
}

func defaultOptions() options {
	return options{Orgs: []int{1, 10, 50}, Latency: 50 * time.Millisecond, README: "README.md",
		Unstripped: true, RateEdits: 8, RateLists: 9, RateApplies: 4, StartupRuns: 15}
}

// tinyOptions is the smallest run that still goes through every phase and
// every kind of wall-time row.
func tinyOptions(o options) options {
	return options{Orgs: []int{1}, Reps: 1, Latency: 50 * time.Millisecond, README: o.README, Tiny: true, RateEdits: 2,
		RateLists: 3, RateApplies: 2, StartupRuns: 2, Keep: o.Keep, Phases: o.Phases}
}

// wallReps is how many repetitions each wall-time row of n organizations
// gets. A command on one organization takes a fraction of a second, where a
// stray scheduling delay weighs more, and its goal (1.03×) is tighter: it
// needs more pairs than 50 organizations (1.05×, several seconds a command).
func (o options) wallReps(n int) int {
	switch {
	case o.Reps > 0:
		return o.Reps
	case n <= 1:
		return 15
	case n <= 10:
		return 7
	}
	return 5 // odd counts: the median is one repetition's, and two disturbed ones cannot move it
}

// phase reports whether the run includes the named phase.
func (o options) phase(name string) bool {
	return o.Phases == "" || slices.Contains(strings.Split(o.Phases, ","), name)
}

// Sources under which the configurations name the two providers. Both have
// the type name cloudconnector, so one configuration text serves either.
const (
	ourSource  = "seed62df8d36/cloudconnector"
	nullSource = "benchnull/cloudconnector" // internal/bench/nullprovider/donothing.Source
)

// bench holds what every phase shares: terraform, the built providers and
// the CLI configuration that serves them.
type bench struct {
	opts     options
	tfBin    string
	dir      string            // scratch directory
	cli      string            // CLI configuration with dev_overrides for both providers
	bins     map[string]string // "ours", "null", and "-full" for the unstripped builds
	progress io.Writer
	paces    int // pace directories handed out (freshPace)
}

// run performs every phase and returns the report; with opts.README set it
// also rewrites that file's Benchmarks section.
func run(ctx context.Context, opts options, progress io.Writer) (*report, error) {
	tfBin, err := tfrun.FindTerraform()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cloudconnector-bench-")
	if err != nil {
		return nil, err
	}
	b := &bench{opts: opts, tfBin: tfBin, dir: dir, progress: progress, bins: map[string]string{}}
	if opts.Keep {
		b.logf("bench: scratch directory %s is kept", dir)
	} else {
		defer func() { _ = os.RemoveAll(dir) }()
	}
	// As .goreleaser.yml builds: no cgo, no local paths (the -X version
	// string changes a few bytes only, so it is left out). A tiny run takes
	// the local defaults, which the build cache already holds.
	release := []string{"-trimpath"}
	if opts.Tiny {
		release = nil
	} else if err := os.Setenv("CGO_ENABLED", "0"); err != nil {
		return nil, err
	}
	if os.Getenv("BENCH_CPUPROFILE") != "" { // the profiler is linked only on demand (main_cpuprofile.go)
		release = append(release, "-tags=cpuprofile")
	}
	for name, pkg := range map[string]string{"ours": ".", "null": "./internal/bench/nullprovider"} {
		for _, full := range []bool{false, true} {
			flags, key := append(slices.Clone(release), "-ldflags=-s -w"), name
			if full {
				if !opts.Unstripped {
					continue
				}
				flags, key = release, name+"-full"
			}
			b.bins[key] = filepath.Join(dir, key, "terraform-provider-cloudconnector")
			if err := tfrun.Build(ctx, b.bins[key], flags, pkg); err != nil {
				return nil, err
			}
		}
	}
	b.cli = filepath.Join(dir, "cli.tfrc")
	if err := tfrun.WriteCLIConfig(b.cli, map[string]string{tfrun.ProviderSource: filepath.Dir(b.bins["ours"]),
		"registry.terraform.io/" + nullSource: filepath.Dir(b.bins["null"])}); err != nil {
		return nil, err
	}
	tf, err := b.terraform(ctx, dir)
	if err != nil {
		return nil, err
	}
	ver, _, _ := tf.Version(ctx, false)
	env := fmt.Sprintf("Terraform %s, %s, %s/%s, %d CPUs", ver, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if model := cpuModel(); model != "" {
		env += " (" + model + ")"
	}
	rep := &report{Tiny: opts.Tiny, Env: env}
	load := startOtherLoad()
	for _, p := range []struct {
		name string
		run  func() error
	}{
		{"calls", func() (err error) { rep.Calls, err = b.callsPhase(ctx); return err }},
		{"wall", func() (err error) { rep.Wall, err = b.wallPhase(ctx); return err }},
		{"rate", func() (err error) { rep.Rate, err = b.ratePhase(ctx); return err }},
		{"startup", func() (err error) { rep.Startup, err = b.startupPhase(ctx); return err }},
		{"profile", func() error { return b.profilePhase(ctx) }},
		{"perorg", func() (err error) { rep.Wall, err = b.perOrgPhase(ctx); return err }},
	} {
		// profile and perorg run only when named
		if opts.phase(p.name) && ((p.name != "profile" && p.name != "perorg") || opts.Phases != "") {
			b.logf("== %s", p.name)
			if err := p.run(); err != nil {
				return nil, fmt.Errorf("%s: %w", p.name, err)
			}
		}
	}
	rep.OtherCPUs = load.cpus()
	if opts.README == "" || opts.Phases != "" { // a partial run would drop the other tables
		return rep, nil
	}
	path := opts.README
	if !filepath.IsAbs(path) {
		root, err := tfrun.ModuleRoot()
		if err != nil {
			return nil, err
		}
		path = filepath.Join(root, path)
	}
	old, err := os.ReadFile(path) //nolint:gosec // the README the caller names
	if err != nil {
		return nil, err
	}
	b.logf("bench: writing the Benchmarks section of %s", path)
	return rep, os.WriteFile(path, []byte(spliceSection(string(old), rep.Markdown())), 0o644) //nolint:gosec // a README
}

// terraform is terraform-exec in dir with the benchmark's CLI configuration
// and env. The provider's pace file goes with the benchmark's temp dir.
func (b *bench) terraform(ctx context.Context, dir string, env ...string) (*tfexec.Terraform, error) {
	m := map[string]string{"TF_CLI_CONFIG_FILE": b.cli, "XDG_CACHE_HOME": filepath.Join(b.dir, "cache")}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return tfrun.New(ctx, b.tfBin, dir, m)
}

// freshPace gives the provider an empty pace history: where a phase moves the
// simulator's clock past every rate window between commands, the provider's
// shared pace file must forget the earlier commands too, or it would wait
// for windows that the simulator has already closed.
func (b *bench) freshPace() string {
	b.paces++
	return "XDG_CACHE_HOME=" + filepath.Join(b.dir, "cache", strconv.Itoa(b.paces))
}

// workdir makes a fresh working directory holding config.
func (b *bench) workdir(name, config string) (string, error) {
	d := filepath.Join(b.dir, "work", name)
	if err := os.MkdirAll(d, 0o750); err != nil {
		return "", err
	}
	return d, writeConfig(d, config)
}

func writeConfig(dir, text string) error {
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(text), 0o600)
}

func (b *bench) logf(format string, args ...any) {
	if b.progress != nil {
		_, _ = fmt.Fprintf(b.progress, format+"\n", args...)
	}
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

// endpoint is where one organization's API answers: its own listener or the
// simulator's.
type endpoint struct{ legacy, oneAPI, token string }

func simEndpoint(sim *simulator.Simulator) endpoint {
	return endpoint{sim.LegacyBaseURL(), sim.OneAPIBaseURL(), sim.TokenURL()}
}

// providerBlock is a cloudconnector provider block that logs in to org at
// e, with an alias when alias is not empty. In legacy mode the current key
// is the login key, so it is read anew for every configuration, as a user
// who updates ZTC_API_KEY after each rotation would.
func providerBlock(alias string, org *simulator.Organization, e endpoint, oneAPI bool) string {
	cfg := org.Config()
	lines := []string{"provider \"cloudconnector\" {"}
	if alias != "" {
		lines = append(lines, fmt.Sprintf("  alias         = %q", alias))
	}
	if oneAPI {
		lines = append(lines, fmt.Sprintf("  base_url      = %q\n  client_id     = %q\n  client_secret = %q\n  token_url     = %q",
			e.oneAPI, cfg.ClientID, cfg.ClientSecret, e.token))
	} else {
		k, _ := org.Key()
		lines = append(lines, fmt.Sprintf("  base_url      = %q\n  username      = %q\n  password      = %q\n  api_key       = %q",
			e.legacy, cfg.Username, cfg.Password, k.Value))
	}
	return strings.Join(append(lines, "}\n"), "\n")
}

// terraformBlock requires the cloudconnector provider from source.
func terraformBlock(source string) string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    cloudconnector = { source = %q }\n  }\n}\n", source)
}

func totalCalls(c simulator.Counts) int {
	n := 0
	for v := range maps.Values(c.Calls) {
		n += v
	}
	return n
}

// cpuModel names the machine's processor: the first "model name" of
// /proc/cpuinfo, or "" where there is none (not Linux, or not x86).
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

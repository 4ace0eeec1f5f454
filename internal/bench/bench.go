package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// Sources under which the configurations name the two providers. Both have
// the type name cloudconnector, so one configuration text serves either.
const (
	ourSource  = "seed62df8d36/cloudconnector"
	nullSource = "benchnull/cloudconnector" // internal/bench/nullprovider's NullSource
)

// options size a run.
type options struct {
	Orgs        []int         // organization counts (provider aliases) for wall time
	Reps        int           // repetitions of each wall-time measurement
	RepsLarge   int           // repetitions for the largest organization count
	Latency     time.Duration // the simulator's latency in the second wall-time run (0: no second run)
	WallLogin   string        // modeLegacy or modeOneAPI: how the wall-time configurations log in
	README      string        // README to update, relative to the module root; "" = none
	Tiny        bool          // a machinery check, not figures: the report says so
	Release     bool          // build as a release is built (-trimpath, CGO_ENABLED=0)
	Unstripped  bool          // also build without -s -w, to measure what stripping saves
	RateEdits   int           // edits in a row through the client
	RateLists   int           // lists in a row through the client
	RateApplies int           // terraform applies of an edit in a row in one organization
	StartupRuns int           // starts of each binary
	Verbose     bool          // log every timed command
	TFEnv       []string      // extra environment for every terraform run (experiments)
	Keep        bool          // keep the scratch directory (logs, states) for a look afterwards
	Phases      string        // comma-separated subset of calls,wall,rate,startup; "" = all
}

// phase reports whether the run includes the named phase.
func (o options) phase(name string) bool {
	if o.Phases == "" {
		return true
	}
	for _, p := range strings.Split(o.Phases, ",") {
		if strings.TrimSpace(p) == name {
			return true
		}
	}
	return false
}

func defaultOptions() options {
	return options{
		Orgs:        []int{1, 10, 50},
		Reps:        5,
		RepsLarge:   4,
		Latency:     50 * time.Millisecond,
		WallLogin:   modeLegacy,
		README:      "README.md",
		Release:     true,
		Unstripped:  true,
		RateEdits:   8,
		RateLists:   9,
		RateApplies: 4,
		StartupRuns: 15,
	}
}

// tinyOptions is the smallest run that still goes through every phase.
func tinyOptions(readme string) options {
	return options{
		Orgs:        []int{1},
		Reps:        1,
		RepsLarge:   1,
		Latency:     0,
		WallLogin:   modeLegacy,
		README:      readme,
		Tiny:        true,
		RateEdits:   2,
		RateLists:   3,
		RateApplies: 2,
		StartupRuns: 2,
	}
}

// bench holds what every phase shares: terraform, the built providers and
// the CLI configuration that serves them.
type bench struct {
	opts     options
	tf       string // the terraform binary
	tfVer    string
	dir      string // scratch directory
	cli      string // CLI configuration with dev_overrides for both providers
	ourBin   string // the provider, built as released (-s -w)
	ourFull  string // the provider with its symbol table and DWARF
	nullBin  string
	nullFull string
	progress io.Writer
	paces    int // pace directories handed out (freshPace)
}

// run performs every phase and returns the report; with opts.README set it
// also rewrites that file's Benchmarks section.
func run(ctx context.Context, opts options, progress io.Writer) (*report, error) {
	clearUserEnv()
	tf, err := tfrun.FindTerraform()
	if err != nil {
		return nil, err
	}
	root, err := tfrun.ModuleRoot()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cloudconnector-bench-")
	if err != nil {
		return nil, err
	}
	b := &bench{opts: opts, tf: tf, dir: dir, progress: progress}
	if opts.Keep {
		b.logf("bench: scratch directory %s is kept", dir)
	} else {
		defer func() { _ = os.RemoveAll(dir) }()
	}
	if err := b.build(ctx); err != nil {
		return nil, err
	}
	b.cli = filepath.Join(dir, "cli.tfrc")
	if err := tfrun.WriteCLIConfig(b.cli, filepath.Dir(b.ourBin),
		map[string]string{"registry.terraform.io/" + nullSource: filepath.Dir(b.nullBin)}); err != nil {
		return nil, err
	}
	if b.tfVer, err = b.terraformVersion(ctx); err != nil {
		return nil, err
	}

	rep := &report{Tiny: opts.Tiny, Release: opts.Release, WallLogin: opts.WallLogin, Env: b.environment(), CPUs: runtime.NumCPU()}
	load := startOtherLoad()
	phases := []struct {
		name, title string
		run         func() error
	}{
		{"calls", "API calls per operation", func() (err error) { rep.Calls, err = b.callsPhase(ctx); return err }},
		{"wall", "wall time", func() (err error) { rep.Wall, err = b.wallPhase(ctx); return err }},
		{"rate", "rate limits", func() (err error) { rep.Rate, err = b.ratePhase(ctx); return err }},
		{"startup", "start-up and size", func() (err error) { rep.Startup, err = b.startupPhase(ctx); return err }},
	}
	for _, p := range phases {
		if !opts.phase(p.name) {
			continue
		}
		b.logf("== %s", p.title)
		if err := p.run(); err != nil {
			return nil, fmt.Errorf("%s: %w", p.title, err)
		}
	}

	rep.OtherCPUs = load.cpus()
	if opts.README != "" && opts.Phases == "" { // a partial run would drop the other tables
		path := opts.README
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if err := updateREADME(path, rep.Markdown()); err != nil {
			return nil, err
		}
		b.logf("bench: wrote the Benchmarks section of %s", path)
	}
	return rep, nil
}

// clearUserEnv removes the variables that would reach the provider or
// terraform from the caller's shell and change what is measured: credentials
// of a real tenant, extra CLI arguments, logging.
func clearUserEnv() {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ZTC_") || strings.HasPrefix(name, "ZSCALER_") ||
			strings.HasPrefix(name, "TF_CLI_ARGS") || strings.HasPrefix(name, "TF_LOG") ||
			name == "TF_CLI_CONFIG_FILE" || name == "TF_PLUGIN_CACHE_DIR" || name == "TF_REATTACH_PROVIDERS" ||
			name == "TF_WORKSPACE" || name == "TF_DATA_DIR" {
			_ = os.Unsetenv(name)
		}
	}
}

// build builds the provider and the do-nothing provider, each stripped (as
// released) and unstripped (to measure what stripping saves).
func (b *bench) build(ctx context.Context) error {
	var flags []string
	if b.opts.Release {
		// As .goreleaser.yml builds: no cgo, no local paths. The -X version
		// string only changes a few bytes, so it is left out.
		if err := os.Setenv("CGO_ENABLED", "0"); err != nil {
			return err
		}
		flags = append(flags, "-trimpath")
	}
	type target struct {
		pkg, dir string
		dst      *string
		stripped bool
	}
	targets := []target{
		{".", "ours", &b.ourBin, true},
		{"./internal/bench/nullprovider", "null", &b.nullBin, true},
		{".", "ours-full", &b.ourFull, false},
		{"./internal/bench/nullprovider", "null-full", &b.nullFull, false},
	}
	for _, t := range targets {
		if !t.stripped && !b.opts.Unstripped {
			continue
		}
		start := time.Now()
		f := flags
		if t.stripped {
			f = append(append([]string{}, flags...), "-ldflags=-s -w")
		}
		out, err := tfrun.BuildProvider(ctx, t.pkg, filepath.Join(b.dir, t.dir), f...)
		if err != nil {
			return err
		}
		*t.dst = filepath.Join(out, "terraform-provider-cloudconnector")
		b.logf("built %s (%s) in %s", t.pkg, t.dir, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func (b *bench) terraformVersion(ctx context.Context) (string, error) {
	res, err := b.terraform(b.dir).Run(ctx, "version")
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(res.Stdout, "\n")
	return strings.TrimPrefix(strings.TrimSpace(line), "Terraform "), nil
}

func (b *bench) environment() string {
	return fmt.Sprintf("Terraform %s, %s, %s/%s, %d CPUs", b.tfVer, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
}

// otherLoad measures how busy other work keeps the machine: wall times mean
// little while it competes for the CPUs.
type otherLoad struct {
	start     time.Time
	busy, own time.Duration
	ok        bool
}

func startOtherLoad() otherLoad {
	busy, ok := machineBusy()
	return otherLoad{start: time.Now(), busy: busy, own: ownCPU(), ok: ok}
}

// cpus is the average number of CPUs that processes other than this program
// and its children kept busy since start, or -1 where it is not known.
func (l otherLoad) cpus() float64 {
	busy, ok := machineBusy()
	elapsed := time.Since(l.start)
	if !ok || !l.ok || elapsed <= 0 {
		return -1
	}
	others := (busy - l.busy) - (ownCPU() - l.own)
	return max(float64(others)/float64(elapsed), 0)
}

// terraform runs in dir with the benchmark's CLI configuration.
func (b *bench) terraform(dir string, env ...string) *tfrun.Terraform {
	// The provider's pace file goes with the benchmark's temp dir, not the user's cache.
	e := append([]string{"TF_CLI_CONFIG_FILE=" + b.cli, "XDG_CACHE_HOME=" + filepath.Join(b.dir, "cache")}, b.opts.TFEnv...)
	return &tfrun.Terraform{Bin: b.tf, Dir: dir, Env: append(e, env...)}
}

// freshPace gives the provider an empty pace history: where a phase moves the
// simulator's clock past every rate window between commands, the provider's
// shared pace file (in its cache directory) must forget the earlier commands
// too, or it would wait for windows that the simulator has already closed.
func (b *bench) freshPace() string {
	b.paces++
	return "XDG_CACHE_HOME=" + filepath.Join(b.dir, "cache", strconv.Itoa(b.paces))
}

// workdir makes a fresh working directory for one configuration.
func (b *bench) workdir(name string) (string, error) {
	d := filepath.Join(b.dir, "work", name)
	return d, os.MkdirAll(d, 0o750)
}

func (b *bench) logf(format string, args ...any) {
	if b.progress != nil {
		_, _ = fmt.Fprintf(b.progress, format+"\n", args...)
	}
}

// writeConfig writes the configuration of dir.
func writeConfig(dir, text string) error {
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(text), 0o600)
}

// login is what a provider block needs to reach one organization.
type login struct {
	mode                             string // modeLegacy or modeOneAPI
	baseURL                          string
	username, password, apiKey       string
	clientID, clientSecret, tokenURL string
}

const (
	modeLegacy = "legacy"
	modeOneAPI = "OneAPI"
)

// orgLogin reads org's credentials now: in legacy mode the current key is the
// login key, so it is read before every run, as a user who updates
// ZTC_API_KEY after each rotation would.
func orgLogin(sim *simulator.Simulator, org *simulator.Organization, mode string) login {
	cfg := org.Config()
	if mode == modeOneAPI {
		return login{mode: mode, baseURL: sim.OneAPIBaseURL(), clientID: cfg.ClientID, clientSecret: cfg.ClientSecret, tokenURL: sim.TokenURL()}
	}
	k, _ := org.Key()
	return login{mode: mode, baseURL: sim.LegacyBaseURL(), username: cfg.Username, password: cfg.Password, apiKey: k.Value}
}

// providerBlock is a cloudconnector provider block for l, with an alias when
// alias is not empty.
func providerBlock(alias string, l login) string {
	var b strings.Builder
	b.WriteString("provider \"cloudconnector\" {\n")
	if alias != "" {
		fmt.Fprintf(&b, "  alias         = %q\n", alias)
	}
	fmt.Fprintf(&b, "  base_url      = %q\n", l.baseURL)
	if l.mode == modeOneAPI {
		fmt.Fprintf(&b, "  client_id     = %q\n  client_secret = %q\n  token_url     = %q\n", l.clientID, l.clientSecret, l.tokenURL)
	} else {
		fmt.Fprintf(&b, "  username      = %q\n  password      = %q\n  api_key       = %q\n", l.username, l.password, l.apiKey)
	}
	b.WriteString("}\n")
	return b.String()
}

// terraformBlock requires the cloudconnector provider from source.
func terraformBlock(source string) string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    cloudconnector = { source = %q }\n  }\n}\n", source)
}

// walkStarts counts, from a TF_LOG=debug log, the provider processes that
// terraform started for bin, by the graph walk they were started in
// ("schema" before the first walk), and the lines the provider logged.
func walkStarts(logPath, bin string) (total int, byWalk []walkCount, providerLines int, err error) {
	f, err := os.Open(logPath) //nolint:gosec // terraform's log in the benchmark's own scratch directory
	if err != nil {
		return 0, nil, 0, err
	}
	defer func() { _ = f.Close() }()
	walk := "schema"
	index := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if _, w, ok := strings.Cut(line, "Starting graph walk: "); ok {
			walk = strings.TrimPrefix(strings.TrimSpace(w), "walk")
			continue
		}
		if strings.Contains(line, " provider.terraform-provider-cloudconnector: ") {
			providerLines++
			continue
		}
		if strings.Contains(line, "starting plugin: path="+bin+" ") {
			total++
			i, ok := index[walk]
			if !ok {
				i = len(byWalk)
				index[walk] = i
				byWalk = append(byWalk, walkCount{Walk: walk})
			}
			byWalk[i].N++
		}
	}
	return total, byWalk, providerLines, sc.Err()
}

// walkCount is how many provider processes one walk started.
type walkCount struct {
	Walk string
	N    int
}

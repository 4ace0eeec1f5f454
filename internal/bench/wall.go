package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// The configurations whose wall time is compared.
const (
	varOurs   = "cloudconnector"
	varNull   = "do-nothing provider"
	varTFData = "terraform_data"
	// The do-nothing provider with the SDK's log output off, as main.go
	// starts cloudconnector when no TF_LOG* variable is set: how far a
	// provider can lower the floor. Measured at the largest size only.
	varNullQuiet = "do-nothing provider, SDK logs off"
)

var variants = []string{varOurs, varNull, varTFData}

// quietLogEnv is what main.go's quietUnlessLogging sets, for the do-nothing
// provider's processes (terraform itself reads none of these).
var quietLogEnv = []string{"TF_LOG_SDK=off", "TF_LOG_SDK_PROTO=off", "TF_LOG_SDK_FRAMEWORK=off", "TF_LOG_PROVIDER_CLOUDCONNECTOR=off"}

// workdirOf is the working directory a variant runs in: the quiet do-nothing
// variant shares the do-nothing provider's configuration and state.
func workdirOf(variant string) string {
	if variant == varNullQuiet {
		return varNull
	}
	return variant
}

// Commands timed.
const (
	cmdPlan  = "plan"  // nothing to do: a refresh of every organization's key
	cmdApply = "apply" // an edit of every organization's key
)

// wallRoundTrips is how many API round trips one resource needs, one after
// the other, in each walk of the command: a login and a list in the plan
// walk, and for apply a login and an edit in the apply walk too.
var wallRoundTrips = map[string][]int{cmdPlan: {2}, cmdApply: {2, 2}}

// terraformParallelism is terraform's default -parallelism.
const terraformParallelism = 10

// wallRow is one command at one size and latency, every variant measured
// in the same repetitions.
type wallRow struct {
	Orgs    int
	Latency time.Duration
	Cmd     string
	Times   map[string][]time.Duration // per variant, one per repetition
	CPU     map[string][]time.Duration // the same for CPU time, terraform and its provider processes
}

// floorWait is the least time the API's round trips add to the command on
// top of the do-nothing provider: in each walk, the resources run ten at a
// time, each one's round trips one after the other.
func (r wallRow) floorWait() time.Duration {
	var d time.Duration
	batches := (r.Orgs + terraformParallelism - 1) / terraformParallelism
	for _, rtts := range wallRoundTrips[r.Cmd] {
		d += time.Duration(batches*rtts) * r.Latency
	}
	return d
}

// goal is the largest ratio to the do-nothing provider (plus floorWait) that
// the issue accepts.
func (r wallRow) goal() float64 {
	switch {
	case r.Latency > 0:
		return 1.2
	case r.Orgs == 1:
		return 1.05
	default:
		return 1.10
	}
}

// cpuRatio compares the CPU time of ours with the do-nothing provider's:
// the median of the paired per-repetition ratios.
func (r wallRow) cpuRatio() float64 {
	m, _, _ := r.paired(r.CPU[varOurs], r.CPU[varNull], false)
	return m
}

// ratio compares ours with variant ref: the median of the paired
// per-repetition ratios, and their smallest and largest. Against the
// do-nothing provider the reference includes floorWait.
func (r wallRow) ratio(ref string) (median, lo, hi float64) {
	return r.paired(r.Times[varOurs], r.Times[ref], ref == varNull)
}

// paired is the median, smallest and largest of num[i] / den[i], with
// floorWait added to each den[i] when plusWait is set.
func (r wallRow) paired(num, den []time.Duration, plusWait bool) (median, lo, hi float64) {
	var rs []float64
	for i := range min(len(num), len(den)) {
		base := den[i]
		if plusWait {
			base += r.floorWait()
		}
		if base > 0 {
			rs = append(rs, float64(num[i])/float64(base))
		}
	}
	if len(rs) == 0 {
		return 0, 0, 0
	}
	slices.Sort(rs)
	return medianFloat(rs), rs[0], rs[len(rs)-1]
}

func medianFloat(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// wallPhase times plan and apply for each organization count, first with
// the simulator answering at once and then with the set latency.
func (b *bench) wallPhase(ctx context.Context) ([]wallRow, error) {
	largest := slices.Max(b.opts.Orgs)
	orgs := make([]simulator.OrgConfig, largest)
	for i := range orgs {
		orgs[i].Name = fmt.Sprintf("org%02d", i)
	}
	sim, err := simulator.New(simulator.Options{Organizations: orgs})
	if err != nil {
		return nil, err
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	defer func() { _ = sim.Close() }()

	w := &wallRun{b: b, sim: sim, dirs: map[string]string{}, gen: map[string]int{}}
	for _, v := range variants {
		if w.dirs[v], err = b.workdir("wall-" + strings.ReplaceAll(v, " ", "-")); err != nil {
			return nil, err
		}
	}
	latencies := []time.Duration{0}
	if b.opts.Latency > 0 {
		latencies = append(latencies, b.opts.Latency)
	}
	var rows []wallRow
	for _, n := range b.opts.Orgs {
		// grow every configuration to n organizations (not timed)
		sim.SetLatency(0)
		for _, v := range variants {
			if _, _, err := w.run(ctx, v, n, cmdApply, ""); err != nil {
				return nil, err
			}
		}
		reps := b.opts.Reps
		if n == largest && len(b.opts.Orgs) > 1 {
			reps = b.opts.RepsLarge
		}
		for _, lat := range latencies {
			sim.SetLatency(lat)
			plan := wallRow{Orgs: n, Latency: lat, Cmd: cmdPlan, Times: map[string][]time.Duration{}, CPU: map[string][]time.Duration{}}
			apply := wallRow{Orgs: n, Latency: lat, Cmd: cmdApply, Times: map[string][]time.Duration{}, CPU: map[string][]time.Duration{}}
			measured := variants
			if n == largest && lat == 0 {
				measured = append(slices.Clone(variants), varNullQuiet)
			}
			for rep := range reps {
				// rotate the order, so that no variant always runs first
				order := append(slices.Clone(measured[rep%len(measured):]), measured[:rep%len(measured)]...)
				for _, v := range order {
					d, cpu, err := w.run(ctx, v, n, cmdPlan, "No changes.")
					if err != nil {
						return nil, err
					}
					plan.Times[v] = append(plan.Times[v], d)
					plan.CPU[v] = append(plan.CPU[v], cpu)
				}
				for _, v := range order {
					d, cpu, err := w.run(ctx, v, n, cmdApply, fmt.Sprintf("%d changed", n))
					if err != nil {
						return nil, err
					}
					apply.Times[v] = append(apply.Times[v], d)
					apply.CPU[v] = append(apply.CPU[v], cpu)
				}
			}
			for _, r := range []wallRow{plan, apply} {
				m, _, _ := r.ratio(varNull)
				b.logf("%-5s %2d orgs, latency %-5s: %s %s (CPU %s), %s %s (CPU %s), %s %s; ratio to do-nothing %.2f",
					r.Cmd, n, lat, varOurs, medianDuration(r.Times[varOurs]).Round(time.Millisecond),
					medianDuration(r.CPU[varOurs]).Round(time.Millisecond),
					varNull, medianDuration(r.Times[varNull]).Round(time.Millisecond),
					medianDuration(r.CPU[varNull]).Round(time.Millisecond),
					varTFData, medianDuration(r.Times[varTFData]).Round(time.Millisecond), m)
			}
			rows = append(rows, plan, apply)
		}
	}
	sim.SetLatency(0)
	if c := sim.Counts(); c.Status[429] > 0 {
		return nil, fmt.Errorf("the wall-time runs met %d 429s: the clock advance between runs is too short", c.Status[429])
	}
	return rows, nil
}

// wallRun holds the three working directories and the key strings in play.
type wallRun struct {
	b    *bench
	sim  *simulator.Simulator
	dirs map[string]string
	gen  map[string]int // per variant: the generation of key strings configured
}

// run writes variant's configuration for n organizations and runs cmd in
// it, checking that the output contains want. apply configures a new key
// string for every organization first.
func (w *wallRun) run(ctx context.Context, variant string, n int, cmd, want string) (wall, cpu time.Duration, err error) {
	args := []string{"plan"}
	if cmd == cmdApply {
		w.gen[workdirOf(variant)]++
		args = []string{"apply", "-auto-approve"}
	}
	if variant == varOurs {
		// keeps every rate window clear, so that no run waits for another's
		w.sim.Advance(2 * time.Second)
	}
	dir := w.dirs[workdirOf(variant)]
	if err := writeConfig(dir, w.config(variant, n)); err != nil {
		return 0, 0, err
	}
	var env []string
	if variant == varNullQuiet {
		env = quietLogEnv
	}
	if variant == varOurs {
		// the provider's own pace history goes with the simulator clock above
		env = append(env, w.b.freshPace())
	}
	cpuBefore := childrenCPU()
	start := time.Now()
	res, err := w.b.terraform(dir, env...).Run(ctx, append(args, "-input=false", "-no-color")...)
	wall = time.Since(start)
	cpu = childrenCPU() - cpuBefore
	if err != nil {
		return 0, 0, err
	}
	if w.b.opts.Verbose {
		w.b.logf("  %-20s %-5s %2d orgs, latency %s: %s (CPU %s)", variant, cmd, n, w.sim.Latency(),
			wall.Round(time.Millisecond), cpu.Round(time.Millisecond))
	}
	if want != "" && !strings.Contains(res.Stdout, want) {
		return 0, 0, fmt.Errorf("%s, terraform %s: the output lacks %q:\n%s", variant, cmd, want, res.Stdout)
	}
	return wall, cpu, nil
}

// config is variant's configuration for n organizations, one provider alias
// and one key each. The do-nothing provider gets the very same text as ours
// under its own source; terraform_data gets one resource per organization.
func (w *wallRun) config(variant string, n int) string {
	var b strings.Builder
	gen := w.gen[workdirOf(variant)]
	switch workdirOf(variant) {
	case varTFData:
		for i := range n {
			fmt.Fprintf(&b, "resource \"terraform_data\" \"o%02d\" {\n  input = %q\n}\n", i, keyString(i, gen))
		}
	default:
		source := ourSource
		if workdirOf(variant) == varNull {
			source = nullSource
		}
		b.WriteString(terraformBlock(source))
		for i := range n {
			org := w.sim.Organization(fmt.Sprintf("org%02d", i))
			alias := fmt.Sprintf("o%02d", i)
			b.WriteString(providerBlock(alias, orgLogin(w.sim, org, w.b.opts.WallLogin)))
			fmt.Fprintf(&b, "resource \"cloudconnector_api_key\" %q {\n  provider = cloudconnector.%s\n  key      = %q\n}\n",
				alias, alias, keyString(i, gen))
		}
	}
	return b.String()
}

// keyString is a valid key string (12 letters or digits) for organization i
// in generation gen.
func keyString(i, gen int) string { return fmt.Sprintf("Bench%02d%05d", i%100, gen%100000) }

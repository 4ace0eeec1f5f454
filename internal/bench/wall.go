package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// latency is how late the API answers in the latency rows.
const latency = 50 * time.Millisecond

// wallRoundTrips is how many API round trips one resource needs, one after
// the other, in each walk of the command: a login and a list in the plan
// walk, and for apply a login and an edit in the apply walk too.
var wallRoundTrips = map[string][]int{"plan": {2}, "apply": {2, 2}}

// wallRow is one command in one setup, both providers measured in the same
// repetitions.
type wallRow struct {
	Cmd       string // "plan" (nothing to do) or "apply" (an edit of every key)
	Orgs      int
	Login     string // "legacy" (username, password, the organization's API key) or "OneAPI" (client credentials)
	Latency   time.Duration
	Wall, CPU map[string][]time.Duration // by provider (ours, null), one per repetition
}

// describe names the row: "plan, 1 org, legacy, latency 50 ms".
func (r wallRow) describe() string {
	d := fmt.Sprintf("%s, %d orgs, %s", r.Cmd, r.Orgs, r.Login)
	if r.Orgs == 1 {
		d = strings.Replace(d, "orgs", "org", 1)
	}
	if r.Latency > 0 {
		d += ", latency " + fmtDuration(r.Latency)
	}
	return d
}

// floorWait is the least time the API's round trips add to the command on
// top of the do-nothing provider: in each walk, the resources run ten at a
// time (terraform's default parallelism), each one's round trips in turn.
func (r wallRow) floorWait() time.Duration {
	var d time.Duration
	for _, trips := range wallRoundTrips[r.Cmd] {
		d += time.Duration((r.Orgs+9)/10*trips) * r.Latency
	}
	return d
}

// goal is the project's largest accepted ratio to the do-nothing provider:
// 1.03× at one organization, 1.05× at more, in wall time and CPU; with
// latency 1.20× of it plus floorWait, in wall time.
func (r wallRow) goal() float64 {
	switch {
	case r.Latency > 0:
		return 1.2
	case r.Orgs == 1:
		return 1.03
	}
	return 1.05
}

// ratio is the median, smallest and largest of ours ÷ the do-nothing
// provider over the repetitions, of m (Wall or CPU), with floorWait added to
// the do-nothing provider's figure where plusWait is set.
func (r wallRow) ratio(m map[string][]time.Duration, plusWait bool) (med, lo, hi float64) {
	var rs []float64
	for i := range min(len(m[ours]), len(m[null])) {
		floor := m[null][i]
		if plusWait {
			floor += r.floorWait()
		}
		rs = append(rs, float64(m[ours][i])/float64(max(floor, 1)))
	}
	if len(rs) == 0 {
		return 0, 0, 0
	}
	return median(rs), slices.Min(rs), slices.Max(rs)
}

// misses says which of the row's ratios exceed its goal, as the report
// prints them (two decimals): wall time, and without latency CPU too.
func (r wallRow) misses() []string {
	over := func(ratio float64) bool { return math.Round(ratio*100) > math.Round(r.goal()*100) }
	var out []string
	if m, _, _ := r.ratio(r.Wall, true); over(m) {
		out = append(out, fmt.Sprintf("wall %.2f×", m))
	}
	if c, _, _ := r.ratio(r.CPU, false); r.Latency == 0 && over(c) {
		out = append(out, fmt.Sprintf("CPU %.2f×", c))
	}
	return out
}

// wallRun is a simulator of organizations o00, o01, …, each also behind a
// listener of its own (as real organizations each have their own base URL),
// and the generation of key strings each provider's configuration holds.
type wallRun struct {
	b     *bench
	sim   *simulator.Simulator
	roots []string // each organization's listener
	gen   map[string]int
}

// wallPhase times plan and apply at each organization count in both login
// modes, then at the largest count with latency. With BENCH_CPUPROFILE, the
// provider processes of the largest count's rows write CPU profiles.
func (b *bench) wallPhase(ctx context.Context) ([]wallRow, error) {
	largest := slices.Max(b.opts.Orgs)
	names := make([]string, largest)
	for i := range names {
		names[i] = fmt.Sprintf("o%02d", i)
	}
	sim, err := startSimulator(names...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = sim.Close() }()
	w := &wallRun{b: b, sim: sim, gen: map[string]int{}}
	for range largest {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: sim, ReadHeaderTimeout: time.Minute}
		go func() { _ = srv.Serve(ln) }()
		defer func() { _ = srv.Close() }()
		w.roots = append(w.roots, "http://"+ln.Addr().String())
	}
	var rows []wallRow
	rateLimited := 0 // 429s in the timed runs
	for _, n := range b.opts.Orgs {
		for _, p := range []string{ours, null} { // state and keys for n organizations, untimed
			if _, _, err := w.run(ctx, p, wallRow{Cmd: "grow", Orgs: n}, ""); err != nil {
				return nil, err
			}
		}
		// A create lists three times within a second (the plan's preview, and
		// the apply's plan and Create), so growing can meet a 429 and its retry.
		sim.ResetCounts()
		for _, login := range []string{"legacy", "OneAPI"} {
			if rows, err = w.measure(ctx, rows, n, login, 0); err != nil {
				return nil, err
			}
		}
		rateLimited += sim.Counts().Status[429]
	}
	sim.SetLatency(latency)
	sim.ResetCounts()
	if rows, err = w.measure(ctx, rows, largest, "legacy", latency); err != nil {
		return nil, err
	}
	if rateLimited += sim.Counts().Status[429]; rateLimited > 0 {
		return nil, fmt.Errorf("the timed runs met %d 429s: the clock advance between runs is too short", rateLimited)
	}
	return rows, nil
}

// measure times plan, then apply, b.opts.wallReps(n) times each in each
// provider, and appends the two rows to rows.
func (w *wallRun) measure(ctx context.Context, rows []wallRow, n int, login string, lat time.Duration) ([]wallRow, error) {
	for _, cmd := range []string{"plan", "apply"} {
		row := wallRow{Cmd: cmd, Orgs: n, Login: login, Latency: lat, Wall: map[string][]time.Duration{}, CPU: map[string][]time.Duration{}}
		for rep := range w.b.opts.wallReps(n) {
			for i := range 2 { // the order alternates, so that neither always runs first
				p := []string{ours, null}[(i+rep)%2]
				profile := ""
				if w.b.opts.Profile != "" && n == slices.Max(w.b.opts.Orgs) && lat == 0 {
					profile = filepath.Join(w.b.opts.Profile, p, login, cmd)
					if err := os.MkdirAll(profile, 0o750); err != nil {
						return nil, err
					}
				}
				wall, cpu, err := w.run(ctx, p, row, profile)
				if err != nil {
					return nil, err
				}
				row.Wall[p], row.CPU[p] = append(row.Wall[p], wall), append(row.CPU[p], cpu)
			}
		}
		m, _, _ := row.ratio(row.Wall, true)
		c, _, _ := row.ratio(row.CPU, false)
		w.b.logf("%-36s ours %s, do-nothing %s: ÷ %.2f, CPU ÷ %.2f", row.describe(),
			fmtDuration(median(row.Wall[ours])), fmtDuration(median(row.Wall[null])), m, c)
		rows = append(rows, row)
	}
	return rows, nil
}

// run writes provider p's configuration for row (one alias and one key per
// organization) and runs row.Cmd in it: plan must find nothing to do, apply
// edits every key to a new string, grow applies whatever it takes. With
// profile set, every provider process writes a CPU profile into it. It
// returns terraform's wall time and CPU time (b.terraform).
func (w *wallRun) run(ctx context.Context, p string, row wallRow, profile string) (wall, cpu time.Duration, err error) {
	if row.Cmd != "plan" {
		w.gen[p]++
	}
	var cfg strings.Builder
	cfg.WriteString(terraformBlock(p))
	for i := range row.Orgs {
		alias := fmt.Sprintf("o%02d", i)
		cfg.WriteString(providerBlock(w.sim, w.sim.Organization(alias), w.roots[i], alias, row.Login == "OneAPI"))
		fmt.Fprintf(&cfg, "resource \"cloudconnector_api_key\" %q {\n  provider = cloudconnector.%s\n  key      = \"Bench%02d%05d\"\n}\n",
			alias, alias, i, w.gen[p]%100000)
	}
	dir, err := w.b.workdir("wall-"+p, cfg.String())
	if err != nil {
		return 0, 0, err
	}
	env := map[string]string{}
	if profile != "" {
		env["CLOUDCONNECTOR_CPUPROFILE"] = filepath.Join(profile, "cpu-%p.pprof")
	}
	if p == ours {
		// keeps every rate window clear, so that no run waits for another's
		w.sim.Advance(2 * time.Second)
	}
	args := applyArgs
	if row.Cmd == "plan" {
		args = planArgs
	}
	out, wall, cpu, err := w.b.terraform(ctx, dir, env, args...)
	switch {
	case err != nil:
		return 0, 0, fmt.Errorf("%s: %w", p, err)
	case row.Cmd == "plan" && !strings.Contains(out, "No changes."):
		return 0, 0, fmt.Errorf("%s: terraform plan of %d organizations found changes:\n%s", p, row.Orgs, out)
	case row.Cmd == "apply" && !strings.Contains(out, fmt.Sprintf("%d changed", row.Orgs)):
		return 0, 0, fmt.Errorf("%s: terraform apply of %d organizations did not edit every key:\n%s", p, row.Orgs, out)
	}
	return wall, cpu, nil
}

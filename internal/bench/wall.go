package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// The configurations whose wall time is compared.
const (
	varOurs   = "cloudconnector"
	varNull   = "do-nothing provider"
	varTFData = "terraform_data"
)

var variants = []string{varOurs, varNull, varTFData}

// wallRoundTrips is how many API round trips one resource needs, one after
// the other, in each walk of the command: a login and a list in the plan
// walk, and for apply a login and an edit in the apply walk too.
var wallRoundTrips = map[string][]int{"plan": {2}, "apply": {2, 2}}

// wallSetup is what one wall-time row holds fixed.
type wallSetup struct {
	Orgs    int
	OneAPI  bool          // OneAPI login (client credentials); else legacy (username, password, the organization's API key)
	PerOrg  bool          // each organization behind a listener of its own, as real ones are; else all behind one
	Latency time.Duration // how late the simulator answers
}

func (s wallSetup) login() string {
	if s.OneAPI {
		return "OneAPI"
	}
	return "legacy"
}

func (s wallSetup) listeners() string {
	if s.PerOrg {
		return "a listener each"
	}
	return "one listener"
}

// describe names the setup in a sentence: "1 org, legacy, a listener each".
func (s wallSetup) describe() string {
	d := fmt.Sprintf("%d orgs, %s, %s", s.Orgs, s.login(), s.listeners())
	if s.Orgs == 1 {
		d = strings.Replace(d, "orgs", "org", 1)
	}
	if s.Latency > 0 {
		d += ", latency " + fmtDuration(s.Latency)
	}
	return d
}

// wallRow is one command in one setup, every variant measured in the same
// repetitions.
type wallRow struct {
	wallSetup
	Cmd     string                     // "plan" (nothing to do) or "apply" (an edit of every key)
	Times   map[string][]time.Duration // per variant, one per repetition
	CPU     map[string][]time.Duration // the same for the CPU of terraform and its provider processes
	ProvCPU map[string][]time.Duration // the provider processes' part of it
}

// floorWait is the least time the API's round trips add to the command on
// top of the do-nothing provider: in each walk, the resources run ten at a
// time (terraform's default parallelism), each one's round trips in turn.
func (r wallRow) floorWait() time.Duration {
	var d time.Duration
	for _, rtts := range wallRoundTrips[r.Cmd] {
		d += time.Duration((r.Orgs+9)/10*rtts) * r.Latency
	}
	return d
}

// goal is the largest ratio to the do-nothing provider (plus floorWait)
// that issue 14 accepts, or 0 where it sets none. Its goals are for the
// users' case, each organization behind a listener of its own; the
// one-listener rows are there to compare with.
func (r wallRow) goal() float64 {
	switch {
	case !r.PerOrg:
		return 0
	case r.Latency > 0:
		return 1.2
	case r.Orgs == 1:
		return 1.03
	default:
		// the issue sets 1.05× for 50 organizations and is silent on the
		// counts in between: they take 50's
		return 1.05
	}
}

// misses says which of the row's ratios exceed its goal: wall time, and at
// latency 0 CPU too (with latency the goal is on wall time alone). Ratios
// are compared as the report prints them, to two decimals.
func (r wallRow) misses() []string {
	goal := r.goal()
	if goal == 0 {
		return nil
	}
	over := func(ratio float64) bool { return math.Round(ratio*100) > math.Round(goal*100) }
	var out []string
	if m, _, _ := r.paired(r.Times[varOurs], r.Times[varNull], true); over(m) {
		out = append(out, fmt.Sprintf("wall %.2f×", m))
	}
	if c, _, _ := r.paired(r.CPU[varOurs], r.CPU[varNull], false); r.Latency == 0 && over(c) {
		out = append(out, fmt.Sprintf("CPU %.2f×", c))
	}
	return out
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
	return (rs[(len(rs)-1)/2] + rs[len(rs)/2]) / 2, rs[0], rs[len(rs)-1]
}

func medianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

// wallPhase times plan and apply for each organization count in the
// users' case, each organization behind a listener of its own, in both login
// modes; then, to compare with, the largest count behind one listener, and
// the smallest and largest counts with the set latency.
func (b *bench) wallPhase(ctx context.Context) ([]wallRow, error) {
	largest := slices.Max(b.opts.Orgs)
	w, err := b.startWallRun(largest)
	if err != nil {
		return nil, err
	}
	defer w.close()
	var users, oneListener, late []wallRow
	for _, n := range b.opts.Orgs {
		if err := w.grow(ctx, n, variants); err != nil {
			return nil, err
		}
		reps := b.opts.wallReps(n)
		for _, oneAPI := range []bool{false, true} {
			measured := []string{varOurs, varNull}
			if !oneAPI { // Terraform alone logs in nowhere: once is enough
				measured = append(measured, varTFData)
			}
			rows, err := w.measure(ctx, wallSetup{Orgs: n, OneAPI: oneAPI, PerOrg: true}, reps, measured)
			if err != nil {
				return nil, err
			}
			users = append(users, rows...)
		}
		if n == largest {
			rows, err := w.measure(ctx, wallSetup{Orgs: n}, reps, []string{varOurs, varNull, varTFData})
			if err != nil {
				return nil, err
			}
			oneListener = append(oneListener, rows...)
		}
		if b.opts.Latency > 0 && (n == b.opts.Orgs[0] || n == largest) {
			w.sim.SetLatency(b.opts.Latency)
			rows, err := w.measure(ctx, wallSetup{Orgs: n, PerOrg: true, Latency: b.opts.Latency}, reps, []string{varOurs, varNull})
			w.sim.SetLatency(0)
			if err != nil {
				return nil, err
			}
			late = append(late, rows...)
		}
	}
	if dir := os.Getenv("BENCH_CPUPROFILE"); dir != "" {
		if err := w.profile(ctx, largest, dir); err != nil {
			return nil, err
		}
	}
	if c := w.sim.Counts(); c.Status[429] > 0 {
		return nil, fmt.Errorf("the wall-time runs met %d 429s: the clock advance between runs is too short", c.Status[429])
	}
	return slices.Concat(users, oneListener, late), nil
}

// profilePhase writes the CPU profiles of BENCH_CPUPROFILE alone: the
// largest organization count, a listener each.
func (b *bench) profilePhase(ctx context.Context) error {
	dir := os.Getenv("BENCH_CPUPROFILE")
	if dir == "" {
		return errors.New("the profile phase needs BENCH_CPUPROFILE=<dir>")
	}
	n := slices.Max(b.opts.Orgs)
	w, err := b.startWallRun(n)
	if err != nil {
		return err
	}
	defer w.close()
	if err := w.grow(ctx, n, []string{varOurs, varNull}); err != nil {
		return err
	}
	return w.profile(ctx, n, dir)
}

// perOrgPhase is the wall phase's headline alone, for quick comparisons:
// the largest organization count, a listener each, in both login modes,
// ours against the do-nothing provider. BENCH_OURS_ENV adds environment
// variables (k=v,k=v) to our provider's runs only, to try a setting.
func (b *bench) perOrgPhase(ctx context.Context) ([]wallRow, error) {
	n := slices.Max(b.opts.Orgs)
	w, err := b.startWallRun(n)
	if err != nil {
		return nil, err
	}
	defer w.close()
	if err := w.grow(ctx, n, []string{varOurs, varNull}); err != nil {
		return nil, err
	}
	var rows []wallRow
	for _, oneAPI := range []bool{false, true} {
		r, err := w.measure(ctx, wallSetup{Orgs: n, OneAPI: oneAPI, PerOrg: true}, b.opts.wallReps(n), []string{varOurs, varNull})
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// wallRun holds a simulator of n organizations, each also behind a listener
// of its own, and the key strings in play.
type wallRun struct {
	b         *bench
	sim       *simulator.Simulator
	gen       map[string]int // per working directory: the generation of key strings configured
	perOrg    []endpoint     // each organization's own listener
	listeners []*http.Server
}

// startWallRun starts a simulator with organizations org00 to org<n-1> and
// a listener of its own for each: real organizations each have their own
// base URL.
func (b *bench) startWallRun(n int) (*wallRun, error) {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("org%02d", i)
	}
	sim, err := startSimulator(names...)
	if err != nil {
		return nil, err
	}
	w := &wallRun{b: b, sim: sim, gen: map[string]int{}}
	shared := simEndpoint(sim)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			w.close()
			return nil, err
		}
		srv := &http.Server{Handler: sim, ReadHeaderTimeout: time.Minute}
		go func() { _ = srv.Serve(ln) }()
		w.listeners = append(w.listeners, srv)
		root := "http://" + ln.Addr().String()
		w.perOrg = append(w.perOrg, endpoint{strings.Replace(shared.legacy, sim.URL(), root, 1),
			strings.Replace(shared.oneAPI, sim.URL(), root, 1), strings.Replace(shared.token, sim.URL(), root, 1)})
	}
	return w, nil
}

func (w *wallRun) close() {
	for _, srv := range w.listeners {
		_ = srv.Close()
	}
	_ = w.sim.Close()
}

// grow brings each variant's configuration and state to n organizations,
// untimed.
func (w *wallRun) grow(ctx context.Context, n int, which []string) error {
	for _, v := range which {
		if _, _, _, err := w.run(ctx, v, wallSetup{Orgs: n, PerOrg: true}, "grow"); err != nil {
			return err
		}
	}
	return nil
}

// profile runs one plan and one apply (an edit of every key) of n
// organizations, a listener each, in each login mode, in each of ours and
// the do-nothing provider, with every provider process writing a CPU
// profile into dir/<provider>/<login>/<command> (CLOUDCONNECTOR_CPUPROFILE:
// main.go, and nullprovider's main.go).
func (w *wallRun) profile(ctx context.Context, n int, dir string) error {
	for _, v := range []string{varOurs, varNull} {
		for _, oneAPI := range []bool{false, true} {
			setup := wallSetup{Orgs: n, OneAPI: oneAPI, PerOrg: true}
			for _, cmd := range []string{"plan", "apply"} {
				sub := filepath.Join(dir, strings.Fields(v)[0], setup.login(), cmd)
				if err := os.MkdirAll(sub, 0o750); err != nil {
					return err
				}
				if cmd != "plan" {
					w.gen[dirOf(v)]++
				}
				path, err := w.b.workdir(dirOf(v), w.config(v, setup))
				if err != nil {
					return err
				}
				w.sim.Advance(2 * time.Second)
				env := map[string]string{"CLOUDCONNECTOR_CPUPROFILE": filepath.Join(sub, "cpu-%p.pprof")}
				if v == varOurs {
					_, env["XDG_CACHE_HOME"], _ = strings.Cut(w.b.freshPace(), "=")
				}
				args := []string{"plan"}
				if cmd != "plan" {
					args = []string{"apply", "-auto-approve"}
				}
				if _, _, _, _, err := w.b.timed(ctx, path, env, args...); err != nil {
					return err
				}
			}
		}
	}
	w.b.logf("CPU profiles of one %d-organization plan's and apply's provider processes, in each login mode, in %s, for "+
		"ours and the do-nothing provider (symbolized; merge them): go tool pprof -top -cum %s/cloudconnector/legacy/apply/*.pprof",
		n, dir, dir)
	return nil
}

// measure times plan, then apply, in setup: each reps times in each
// variant, the variants in turn (the order rotating, so that none always
// runs first).
func (w *wallRun) measure(ctx context.Context, setup wallSetup, reps int, measured []string) ([]wallRow, error) {
	var rows []wallRow
	for _, cmd := range []string{"plan", "apply"} {
		row := wallRow{wallSetup: setup, Cmd: cmd, Times: map[string][]time.Duration{},
			CPU: map[string][]time.Duration{}, ProvCPU: map[string][]time.Duration{}}
		for rep := range reps {
			for i := range measured {
				v := measured[(i+rep)%len(measured)]
				wall, cpu, prov, err := w.run(ctx, v, setup, cmd)
				if err != nil {
					return nil, err
				}
				row.Times[v], row.CPU[v], row.ProvCPU[v] = append(row.Times[v], wall), append(row.CPU[v], cpu), append(row.ProvCPU[v], prov)
			}
		}
		m, _, _ := row.paired(row.Times[varOurs], row.Times[varNull], true)
		c, _, _ := row.paired(row.CPU[varOurs], row.CPU[varNull], false)
		w.b.logf("%-5s %2d orgs, %-6s, %-15s, latency %-5s: %s %s, %s %s; ratio to do-nothing %.2f, CPU %.2f", cmd, setup.Orgs,
			setup.login(), setup.listeners(), setup.Latency, varOurs, medianDuration(row.Times[varOurs]).Round(time.Millisecond),
			varNull, medianDuration(row.Times[varNull]).Round(time.Millisecond), m, c)
		rows = append(rows, row)
	}
	return rows, nil
}

// dirOf is the working directory a variant runs in. Every setup of a
// variant shares it, so that the state always holds the keys the simulator
// holds.
func dirOf(variant string) string {
	return "wall-" + strings.ReplaceAll(variant, " ", "-")
}

// run writes variant's configuration for setup and runs cmd in it: plan
// must find nothing to do, apply edits every key to a new string (grow
// applies whatever it takes, untimed).
func (w *wallRun) run(ctx context.Context, variant string, setup wallSetup, cmd string) (wall, cpu, provCPU time.Duration, err error) {
	dir := dirOf(variant)
	if cmd != "plan" {
		w.gen[dir]++
	}
	path, err := w.b.workdir(dir, w.config(variant, setup))
	if err != nil {
		return 0, 0, 0, err
	}
	env := map[string]string{}
	if variant == varOurs {
		for _, kv := range strings.Split(os.Getenv("BENCH_OURS_ENV"), ",") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
		// keeps every rate window clear, so that no run waits for another's,
		// and the provider's pace history goes with the simulator clock
		w.sim.Advance(2 * time.Second)
		_, env["XDG_CACHE_HOME"], _ = strings.Cut(w.b.freshPace(), "=")
	}
	args := []string{"plan", "-detailed-exitcode"}
	if cmd != "plan" {
		args = []string{"apply", "-auto-approve"}
	}
	wall, cpu, provCPU, out, err := w.b.timed(ctx, path, env, args...)
	switch {
	case err != nil:
		return 0, 0, 0, err
	case cmd == "apply" && !strings.Contains(out, fmt.Sprintf("%d changed", setup.Orgs)):
		return 0, 0, 0, fmt.Errorf("%s, terraform apply of %d organizations did not edit every key:\n%s", variant, setup.Orgs, out)
	}
	return wall, cpu, provCPU, nil
}

// timed runs terraform with args in dir and returns its wall time, the CPU
// time of terraform and its provider processes together, and of the
// provider processes alone. terraform-exec reaps terraform as it exits, but
// the split can be read only from terraform's /proc entry between its exit
// and its reaping (waitid with WNOWAIT): so the timed commands run here.
// A plan that finds changes fails (-detailed-exitcode).
func (b *bench) timed(ctx context.Context, dir string, env map[string]string, args ...string) (wall, cpu, provCPU time.Duration, out string, err error) {
	env["TF_CLI_CONFIG_FILE"] = b.cli
	env["XDG_CACHE_HOME"] = cmp.Or(env["XDG_CACHE_HOME"], filepath.Join(b.dir, "cache"))
	cmd := exec.CommandContext(ctx, b.tfBin, append(args, "-input=false", "-no-color")...)
	cmd.Dir = dir
	for k, v := range tfrun.Env(env) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, "", err
	}
	var info unix.Siginfo
	werr := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
	wall = time.Since(start)
	provCPU = reapedChildrenCPU(cmd.Process.Pid)
	if err := errors.Join(werr, cmd.Wait()); err != nil {
		return 0, 0, 0, buf.String(), fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, buf.String())
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), provCPU, buf.String(), nil
}

// reapedChildrenCPU is the CPU time of the children that process pid has
// waited for (cutime and cstime of /proc/<pid>/stat, in clock ticks of 10 ms).
func reapedChildrenCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// the fields after "(comm)": state is field 3, cutime and cstime 16 and 17
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 15 {
		return 0
	}
	cu, _ := strconv.ParseInt(f[13], 10, 64)
	cs, _ := strconv.ParseInt(f[14], 10, 64)
	return time.Duration(cu+cs) * 10 * time.Millisecond
}

// config is variant's configuration for setup, one provider alias and one
// key per organization. The do-nothing provider gets the very same text as
// ours under its own source; terraform_data gets one resource per
// organization.
func (w *wallRun) config(variant string, setup wallSetup) string {
	var b strings.Builder
	gen := w.gen[dirOf(variant)]
	key := func(i int) string { return fmt.Sprintf("Bench%02d%05d", i%100, gen%100000) }
	if variant == varTFData {
		for i := range setup.Orgs {
			fmt.Fprintf(&b, "resource \"terraform_data\" \"o%02d\" {\n  input = %q\n}\n", i, key(i))
		}
		return b.String()
	}
	source := ourSource
	if dirOf(variant) == dirOf(varNull) {
		source = nullSource
	}
	b.WriteString(terraformBlock(source))
	for i := range setup.Orgs {
		alias := fmt.Sprintf("o%02d", i)
		e := simEndpoint(w.sim)
		if setup.PerOrg {
			e = w.perOrg[i]
		}
		b.WriteString(providerBlock(alias, w.sim.Organization(fmt.Sprintf("org%02d", i)), e, setup.OneAPI))
		fmt.Fprintf(&b, "resource \"cloudconnector_api_key\" %q {\n  provider = cloudconnector.%s\n  key      = %q\n}\n", alias, alias, key(i))
	}
	return b.String()
}

// childrenCPU is the user and system CPU time of every child process this
// program has waited for, their own waited-for children included: terraform
// and the provider processes it started.
func childrenCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
	return max(float64((busy-l.busy)-(ownCPU()-l.own))/float64(elapsed), 0)
}

// ownCPU is the CPU time of this program and of every child it waited for.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano()+ru.Stime.Nano()) + childrenCPU()
}

// machineBusy is the CPU time every process on the machine has used since
// boot, from /proc/stat (Linux); ok is false elsewhere.
func machineBusy() (busy time.Duration, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, false
	}
	// user nice system idle iowait irq softirq steal, in USER_HZ ticks (100 per second)
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond, true
}

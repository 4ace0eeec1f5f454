package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

func TestWallFloorWait(t *testing.T) {
	cases := []struct {
		orgs    int
		cmd     string
		latency time.Duration
		want    time.Duration
	}{
		{1, "plan", 50 * time.Millisecond, 100 * time.Millisecond},    // one batch: login, list
		{10, "plan", 50 * time.Millisecond, 100 * time.Millisecond},   // still one batch of ten
		{11, "plan", 50 * time.Millisecond, 200 * time.Millisecond},   // two batches
		{50, "apply", 50 * time.Millisecond, 1000 * time.Millisecond}, // five batches, two walks of two trips
		{50, "apply", 0, 0},
	}
	for _, c := range cases {
		r := wallRow{Orgs: c.orgs, Latency: c.latency, Cmd: c.cmd}
		if got := r.floorWait(); got != c.want {
			t.Errorf("%d orgs %s at %s: floorWait %s, want %s", c.orgs, c.cmd, c.latency, got, c.want)
		}
	}
}

func TestWallGoals(t *testing.T) {
	ms := func(ds ...int) []time.Duration {
		var out []time.Duration
		for _, d := range ds {
			out = append(out, time.Duration(d)*time.Millisecond)
		}
		return out
	}
	const lat = 50 * time.Millisecond
	cases := []struct {
		name    string
		orgs    int
		latency time.Duration
		ours    []time.Duration // wall time, against 100 ms of the do-nothing provider
		cpu     []time.Duration // against 200 ms
		goal    float64
		miss    string
	}{
		{"1 org within 1.03", 1, 0, ms(102, 103, 101), ms(204, 205, 203), 1.03, ""},
		{"1 org over 1.03 in wall time", 1, 0, ms(104, 105, 106), ms(200, 200, 200), 1.03, "wall 1.05×"},
		{"50 orgs over 1.05 in CPU only", 50, 0, ms(100, 100, 100), ms(220, 220, 220), 1.05, "CPU 1.10×"},
		{"1 org over 1.03 in both", 1, 0, ms(105), ms(220), 1.03, "wall 1.05×, CPU 1.10×"},
		{"1.034 prints as 1.03 and meets 1.03", 1, 0, []time.Duration{103400 * time.Microsecond}, ms(200), 1.03, ""},
		{"10 orgs take 1.05", 10, 0, ms(104, 104, 104), ms(208, 208, 208), 1.05, ""},
		// 230 ms over 100 + 2 round trips of 50: 1.15; CPU is not judged
		{"latency judges wall time alone", 1, lat, ms(230, 230, 230), ms(400, 400, 400), 1.2, ""},
		{"latency over 1.20", 1, lat, ms(250, 250, 250), ms(200, 200, 200), 1.2, "wall 1.25×"},
	}
	for _, c := range cases {
		r := wallRow{Cmd: "plan", Orgs: c.orgs, Latency: c.latency, Wall: map[string][]time.Duration{ours: c.ours, null: ms(100, 100, 100)},
			CPU: map[string][]time.Duration{ours: c.cpu, null: ms(200, 200, 200)}}
		if g := r.goal(); g != c.goal {
			t.Errorf("%s: goal %.2f, want %.2f", c.name, g, c.goal)
		}
		if got := strings.Join(r.misses(), ", "); got != c.miss {
			t.Errorf("%s: misses %q, want %q", c.name, got, c.miss)
		}
	}
}

func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0", 4321 * time.Microsecond: "4.3 ms", 9960 * time.Microsecond: "10 ms", 999400 * time.Microsecond: "999 ms",
		999600 * time.Microsecond: "1.00 s", 1234 * time.Millisecond: "1.23 s", 9996 * time.Millisecond: "10.0 s",
		12345 * time.Millisecond: "12.3 s",
	} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestCallRowExcess(t *testing.T) {
	r := callRow{Op: opApplyRotate, Calls: map[simulator.Op]int{
		simulator.OpToken: 2, simulator.OpList: 3, simulator.OpRegenerate: 1,
	}}
	if got := strings.Join(r.excess(), ", "); got != "+1 list" {
		t.Errorf("excess %q, want +1 list", got)
	}
	r = callRow{Op: opPlanNothing, Calls: map[simulator.Op]int{simulator.OpLogin: 1, simulator.OpList: 1}}
	if ex := r.excess(); len(ex) != 0 {
		t.Errorf("excess %v at the floor", ex)
	}
}

// TestTinyRun runs every phase of the benchmark once, at its smallest, and
// checks what it measured and what it wrote: it keeps `make bench` working.
func TestTinyRun(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test builds the provider and runs the terraform binary")
	}
	out := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	rep, err := run(t.Context(), options{Orgs: []int{1}, Reps: 1, Tiny: true, Out: out}, testLog{t})
	if err != nil {
		t.Fatal(err)
	}

	if len(rep.Calls) != 2*len(callOps) {
		t.Fatalf("%d call rows, want %d", len(rep.Calls), 2*len(callOps))
	}
	for _, c := range rep.Calls {
		if c.Processes < 3 {
			t.Errorf("%s, %s: %d provider processes counted; terraform starts at least 3", c.Op, c.Mode, c.Processes)
		}
		if c.RateLimited != 0 {
			t.Errorf("%s, %s: %d 429s", c.Op, c.Mode, c.RateLimited)
		}
		if c.Op == opPlanNothing && (c.count(callLogin) != 1 || c.Calls[simulator.OpList] != 1 || len(c.excess()) != 0) {
			t.Errorf("plan with nothing to do, %s: calls %v, want one login and one list", c.Mode, c.Calls)
		}
		if c.Op == opApplyEdit && c.Calls[simulator.OpEdit] != 1 {
			t.Errorf("apply of an edit, %s: calls %v, want one edit", c.Mode, c.Calls)
		}
	}

	// both login modes, then latency
	var got []string
	for _, w := range rep.Wall {
		got = append(got, w.describe())
		for _, p := range []string{ours, null} {
			if len(w.Wall[p]) != 1 || w.Wall[p][0] <= 0 || w.CPU[p][0] <= 0 {
				t.Errorf("%s, %s: wall %v, CPU %v: want one positive each", w.describe(), p, w.Wall[p], w.CPU[p])
			}
		}
	}
	want := "plan, 1 org, legacy; apply, 1 org, legacy; plan, 1 org, OneAPI; apply, 1 org, OneAPI; " +
		"plan, 1 org, legacy, latency 50 ms; apply, 1 org, legacy, latency 50 ms"
	if strings.Join(got, "; ") != want {
		t.Fatalf("wall-time rows:\n%s\nwant:\n%s", strings.Join(got, "; "), want)
	}

	// The simulator's limits hold whatever the provider does (its pace, or a
	// retry after a 429), so the applies cannot finish sooner than they
	// allow. Whether they met a 429 is a figure, not asserted: on a loaded
	// machine an answer can come late.
	if r := rep.Rate; r.Applies != 2 || r.Took < time.Second || r.Took < r.First || r.Calls < 4 {
		t.Errorf("rate: %+v: two applies of an edit, at least a second apart", r)
	}

	if len(rep.Startup) != 2 {
		t.Fatalf("start-up rows %+v: want ours and the do-nothing provider", rep.Startup)
	}
	for _, s := range rep.Startup {
		if s.Size < 1<<20 || len(s.Serving) != 2 || s.Serving[0] <= 0 {
			t.Errorf("%s: size %d, serving %v", s.Provider, s.Size, s.Serving)
		}
	}

	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Benchmarks\n", "**Tiny run**", "| plan, nothing to do | legacy |", "| plan, nothing to do | OneAPI |",
		"## Wall time and CPU", "| plan | 1 | OneAPI | 0 | 1 |", "| apply | 1 | legacy | 50 ms | 1 |", "## Rate limits",
		"## Start-up and size", "| cloudconnector |", "| do-nothing provider |"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("BENCHMARKS.md lacks %q", want)
		}
	}
	if strings.Contains(string(text), "issue") {
		t.Errorf("BENCHMARKS.md names a tracker's issue:\n%s", text)
	}
}

// testLog sends the benchmark's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

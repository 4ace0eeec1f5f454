package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

func TestSpliceSection(t *testing.T) {
	const section = "## Benchmarks\n\nnew figures\n"
	cases := []struct {
		name, doc, want string
	}{
		{"appended when missing", "# Title\n\nintro\n", "# Title\n\nintro\n\n" + section},
		{"appended without trailing newline", "# Title\n\nintro", "# Title\n\nintro\n\n" + section},
		{"replaced at the end", "# Title\n\n## Benchmarks\n\nold\n\n### Sub\n\nold too\n", "# Title\n\n" + section},
		{"replaced up to the next section", "# T\n\n## Benchmarks\n\nold\n\n## After\n\nkept\n",
			"# T\n\n" + section + "\n## After\n\nkept\n"},
		{"replaced at the very start", "## Benchmarks\nold\n", section},
		{"a longer heading is not ours", "# T\n\n## Benchmarks of others\n\nkept\n",
			"# T\n\n## Benchmarks of others\n\nkept\n\n" + section},
		{"empty document", "", section},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := spliceSection(c.doc, section); got != c.want {
				t.Errorf("spliceSection:\n got %q\nwant %q", got, c.want)
			}
		})
	}
	// running twice changes nothing more
	once := spliceSection("# T\n\nintro\n", section)
	if twice := spliceSection(once, section); twice != once {
		t.Errorf("second splice changed the document:\n%q\n%q", once, twice)
	}
}

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
		r := wallRow{wallSetup: wallSetup{Orgs: c.orgs, Latency: c.latency}, Cmd: c.cmd}
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
	cases := []struct {
		name  string
		setup wallSetup
		ours  []time.Duration // wall time, against 100 ms of the do-nothing provider
		cpu   []time.Duration // against 200 ms
		goal  float64
		miss  string
	}{
		{"1 org within 1.03", wallSetup{Orgs: 1, PerOrg: true}, ms(102, 103, 101), ms(204, 205, 203), 1.03, ""},
		{"1 org over 1.03 in wall time", wallSetup{Orgs: 1, PerOrg: true}, ms(104, 105, 106), ms(200, 200, 200), 1.03, "wall 1.05×"},
		{"50 orgs over 1.05 in CPU only", wallSetup{Orgs: 50, OneAPI: true, PerOrg: true}, ms(100, 100, 100), ms(220, 220, 220), 1.05, "CPU 1.10×"},
		{"1 org over 1.03 in both", wallSetup{Orgs: 1, OneAPI: true, PerOrg: true}, ms(105), ms(220), 1.03, "wall 1.05×, CPU 1.10×"},
		{"1.034 prints as 1.03 and meets 1.03", wallSetup{Orgs: 1, PerOrg: true},
			[]time.Duration{103400 * time.Microsecond}, ms(200), 1.03, ""},
		{"10 orgs take 50's goal", wallSetup{Orgs: 10, PerOrg: true}, ms(104, 104, 104), ms(208, 208, 208), 1.05, ""},
		{"one listener has no goal", wallSetup{Orgs: 50}, ms(150, 150, 150), ms(300, 300, 300), 0, ""},
		{"latency judges wall time alone", wallSetup{Orgs: 1, PerOrg: true, Latency: 50 * time.Millisecond},
			ms(230, 230, 230), ms(400, 400, 400), 1.2, ""}, // 230 ms over 100 + 2 round trips of 50: 1.15
		{"latency over 1.20", wallSetup{Orgs: 1, PerOrg: true, Latency: 50 * time.Millisecond},
			ms(250, 250, 250), ms(200, 200, 200), 1.2, "wall 1.25×"},
	}
	for _, c := range cases {
		r := wallRow{wallSetup: c.setup, Cmd: "plan", Times: map[string][]time.Duration{varOurs: c.ours, varNull: ms(100, 100, 100)},
			CPU: map[string][]time.Duration{varOurs: c.cpu, varNull: ms(200, 200, 200)}}
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
	readme := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(readme, []byte("# Title\n\nintro\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := run(ctx, tinyOptions(options{README: readme}), testLog{t})
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
		if c.Op == opPlanNothing && (c.count(callLogin) != 1 || c.Calls[simulator.OpList] != 1 || totalCalls(simulator.Counts{Calls: c.Calls}) != 2) {
			t.Errorf("plan with nothing to do, %s: calls %v, want one login and one list", c.Mode, c.Calls)
		}
		if c.Op == opApplyEdit && c.Calls[simulator.OpEdit] != 1 {
			t.Errorf("apply of an edit, %s: calls %v, want one edit", c.Mode, c.Calls)
		}
	}

	// the users' case in both login modes, then one listener, then latency
	wantRows := []string{"plan, 1 org, legacy, a listener each", "apply, 1 org, legacy, a listener each",
		"plan, 1 org, OneAPI, a listener each", "apply, 1 org, OneAPI, a listener each",
		"plan, 1 org, legacy, one listener", "apply, 1 org, legacy, one listener",
		"plan, 1 org, legacy, a listener each, latency 50 ms", "apply, 1 org, legacy, a listener each, latency 50 ms"}
	var gotRows []string
	for _, w := range rep.Wall {
		gotRows = append(gotRows, w.Cmd+", "+w.describe())
	}
	if !slices.Equal(gotRows, wantRows) {
		t.Fatalf("wall-time rows:\n%s\nwant:\n%s", strings.Join(gotRows, "\n"), strings.Join(wantRows, "\n"))
	}
	for _, w := range rep.Wall {
		for _, v := range []string{varOurs, varNull} {
			if len(w.Times[v]) != 1 || w.Times[v][0] <= 0 || w.ProvCPU[v][0] <= 0 || w.ProvCPU[v][0] >= w.CPU[v][0] {
				t.Errorf("%s, %s, %s: times %v, CPU %v, provider CPU %v: want one positive each, the provider's part smaller",
					w.Cmd, w.describe(), v, w.Times[v], w.CPU[v], w.ProvCPU[v])
			}
		}
	}

	if len(rep.Rate) != 3 {
		t.Fatalf("%d rate-limit rows, want 3", len(rep.Rate))
	}
	// The simulator's limits hold whatever the client does (its pace, or a
	// retry after a 429), so a client's calls in a row cannot finish sooner
	// than they allow. Whether it meets a 429 is a figure, not asserted: on a
	// loaded machine an answer can come late.
	for _, r := range rep.Rate[:2] {
		if r.Took < r.Least || r.Calls < 2 {
			t.Errorf("%s: took %s for at least %s, %d calls", r.Work, r.Took, r.Least, r.Calls)
		}
	}

	if len(rep.Startup) != 2 || len(rep.Startup[0].Init) != 2 || rep.Startup[0].Inits == 0 {
		t.Fatalf("start-up rows %+v: want ours and the do-nothing provider, package init measured", rep.Startup)
	}
	for _, s := range rep.Startup {
		if s.Size < 1<<20 || len(s.Serving) == 0 || s.Serving[0] <= 0 {
			t.Errorf("%s: size %d, serving %v", s.Binary, s.Size, s.Serving)
		}
	}

	got, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(got)
	if !strings.HasPrefix(text, "# Title\n\nintro\n\n## Benchmarks\n") {
		t.Errorf("README does not keep its start and end with the section:\n%s", text)
	}
	for _, want := range []string{"| plan, nothing to do | legacy |", "| plan, nothing to do | OneAPI |", "### Wall time and CPU",
		"| plan | 1 | OneAPI | a listener each | 0 | 1 |",
		"### Rate limits", "### Start-up and size", "**Tiny run**"} {
		if !strings.Contains(text, want) {
			t.Errorf("README lacks %q", want)
		}
	}
}

// testLog sends the benchmark's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

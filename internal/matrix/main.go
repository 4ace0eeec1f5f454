// Command matrix is `make test-matrix`: it runs the tests that drive the
// terraform binary once per Terraform or OpenTofu binary, and summarises
// each run: tests passed, skipped (with the reasons the tests give) and
// failed, and how each newer feature fared. It exits non-zero when any test
// failed.
//
// The binaries are those TF_MATRIX lists (paths separated by spaces) when it
// is set; else the releases in matrix, downloaded on first use into a cache
// directory (cacheDir) and reused from there.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// packages are those whose tests run the terraform binary (TF_ACC=1).
var packages = []string{".", "./internal/provider/", "./internal/demo/", "./internal/tfrun/", "./internal/bench/", "./internal/release/"}

// features are what the matrix reports on one by one, found by test name.
// Tests that match none count as the baseline.
var features = []struct {
	name string
	test *regexp.Regexp
}{
	{"identity (1.12+)", regexp.MustCompile(`Identity`)},
	{"action (1.14+)", regexp.MustCompile(`RegenerateAction`)},
	{"list/query (1.14+)", regexp.MustCompile(`ListResource|Query`)},
	{"provider for_each (OpenTofu)", regexp.MustCompile(`OpenTofuForEach`)},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	runs, err := binaries(ctx, os.Getenv("TF_MATRIX"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "matrix:", err)
		os.Exit(2)
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].bin.Less(runs[j].bin) })

	failed := false
	for _, r := range runs {
		fmt.Printf("== %s (%s)\n", r.bin, r.bin.Path)
		if err := r.execute(); err != nil {
			fmt.Fprintln(os.Stderr, "matrix:", err)
			os.Exit(2)
		}
		fmt.Print(r.summary())
		failed = failed || r.failed > 0
	}
	fmt.Println()
	fmt.Print(table(runs))
	if failed {
		os.Exit(1)
	}
}

// binaries are TF_MATRIX's binaries, or the matrix's releases from the
// cache, each identified by the version it reports.
func binaries(ctx context.Context, tfMatrix string) ([]*run, error) {
	var paths []string
	var want []string // the releases' names, to check against what the binaries report
	if tfMatrix != "" {
		var err error
		if paths, err = localBinaries(tfMatrix); err != nil {
			return nil, err
		}
	} else {
		cache, err := cacheDir()
		if err != nil {
			return nil, err
		}
		fmt.Printf("matrix: the released binaries are kept in %s\n", cache)
		for _, r := range matrix {
			p, err := ensure(ctx, cache, r, fetch)
			if err != nil {
				return nil, fmt.Errorf("%w (where releases cannot be downloaded, set TF_MATRIX=\"path path …\" to local binaries)", err)
			}
			paths, want = append(paths, p), append(want, r.String())
		}
	}
	var runs []*run
	for i, p := range paths {
		id, err := tfrun.Identify(ctx, p)
		if err != nil {
			return nil, err
		}
		if want != nil && id.String() != want[i] {
			return nil, fmt.Errorf("%s reports %s, not %s: delete it to fetch it again", p, id, want[i])
		}
		runs = append(runs, &run{bin: id})
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("TF_MATRIX names no binary")
	}
	return runs, nil
}

// run is one binary's go test run.
type run struct {
	bin     tfrun.Binary
	elapsed time.Duration
	log     string

	passed, skipped, failed int
	skips                   map[string][]string // reason: tests
	failures                []string
	byFeature               map[string]*tally
	pkgFailed               map[string]bool // a package with a failed test
}

type tally struct {
	passed, failed int
	skips          map[string]int
}

// execute runs go test -json with the binary as TF_ACC_TERRAFORM_PATH.
func (r *run) execute() error {
	args := append([]string{"test", "-json", "-count=1", "-parallel", "4", "-timeout", "40m"}, packages...)
	cmd := exec.Command("go", args...)
	cmd.Env = matrixEnv(r.bin.Path)
	logFile, err := os.CreateTemp("", "matrix-"+strings.ReplaceAll(r.bin.String(), " ", "-")+"-*.json")
	if err != nil {
		return err
	}
	defer func() { _ = logFile.Close() }()
	r.log = logFile.Name()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	r.read(io.TeeReader(out, logFile))
	werr := cmd.Wait()
	r.elapsed = time.Since(start).Round(time.Second)
	if werr != nil && r.failed == 0 {
		return fmt.Errorf("go test with %s: %w (log: %s)", r.bin, werr, r.log)
	}
	return nil
}

// matrixEnv is the process environment for one binary's run.
func matrixEnv(bin string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "TF_ACC", "TF_ACC_TERRAFORM_PATH", "TF_ACC_TERRAFORM_VERSION", "TF_ACC_TOFU_PATH", "TF_ACC_PROVIDER_HOST":
			// set below, or left unset: the binary under test decides
		default:
			env = append(env, kv)
		}
	}
	return append(env, "TF_ACC=1", "TF_ACC_TERRAFORM_PATH="+bin, "CHECKPOINT_DISABLE=1")
}

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

var fileLine = regexp.MustCompile(`^\s*[A-Za-z0-9_]+\.go:\d+: `)

// read tallies top-level tests from the go test -json stream; a skip's
// reason is the last line the test logged before it. A test whose subtests
// all skipped counts as skipped, with their reason: it tested nothing.
func (r *run) read(in io.Reader) {
	r.skips, r.byFeature, r.pkgFailed = map[string][]string{}, map[string]*tally{}, map[string]bool{}
	last := map[string]string{}
	subSkip, subRan := map[string]string{}, map[string]bool{} // by parent's key
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			line := strings.TrimSpace(e.Output)
			if line != "" && !strings.HasPrefix(line, "---") && !strings.HasPrefix(line, "===") {
				last[key] = strings.TrimSpace(fileLine.ReplaceAllString(e.Output, ""))
			}
		case "pass", "skip", "fail":
			if e.Test == "" {
				if e.Action == "fail" && !r.pkgFailed[e.Package] {
					r.failed++
					r.failures = append(r.failures, e.Package+" (the package did not build or run)")
				}
				continue
			}
			if parent, _, sub := strings.Cut(e.Test, "/"); sub {
				pkey := e.Package + " " + parent
				if e.Action == "skip" {
					subSkip[pkey] = last[key]
				} else {
					subRan[pkey] = true
				}
				continue // subtests count with their parent
			}
			reason := last[key]
			if e.Action == "pass" && subSkip[key] != "" && !subRan[key] {
				e.Action, reason = "skip", subSkip[key]
			}
			r.record(e, reason)
		}
	}
}

func (r *run) record(e event, reason string) {
	name := filepath.Base(e.Package) + "." + e.Test
	t := r.featureTally(e.Test)
	switch e.Action {
	case "pass":
		r.passed++
		t.passed++
	case "skip":
		r.skipped++
		r.skips[reason] = append(r.skips[reason], name)
		t.skips[reason]++
	case "fail":
		r.failed++
		t.failed++
		r.pkgFailed[e.Package] = true
		r.failures = append(r.failures, e.Package+"."+e.Test)
	}
}

func (r *run) featureTally(test string) *tally {
	name := "baseline"
	for _, f := range features {
		if f.test.MatchString(test) {
			name = f.name
			break
		}
	}
	if r.byFeature[name] == nil {
		r.byFeature[name] = &tally{skips: map[string]int{}}
	}
	return r.byFeature[name]
}

// summary is the run's counts, each skip reason with its tests, and each failure.
func (r *run) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d passed, %d skipped, %d failed in %s (go test -json log: %s)\n",
		r.bin, r.passed, r.skipped, r.failed, r.elapsed, r.log)
	reasons := make([]string, 0, len(r.skips))
	for reason := range r.skips {
		reasons = append(reasons, reason)
	}
	sort.Slice(reasons, func(i, j int) bool { return len(r.skips[reasons[i]]) > len(r.skips[reasons[j]]) })
	for _, reason := range reasons {
		tests := r.skips[reason]
		shown := tests
		if len(shown) > 3 {
			shown = append(slices.Clone(shown[:3]), "…")
		}
		fmt.Fprintf(&b, "  skip ×%d: %s [%s]\n", len(tests), reason, strings.Join(shown, ", "))
	}
	for _, f := range r.failures {
		b.WriteString("  FAIL: " + f + "\n")
	}
	return b.String()
}

// table is one Markdown row per binary: the counts, then each feature's outcome.
func table(runs []*run) string {
	var b strings.Builder
	header := []string{"binary", "passed", "skipped", "failed", "time", "baseline"}
	for _, f := range features {
		header = append(header, f.name)
	}
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|" + strings.Repeat("---|", len(header)) + "\n")
	for _, r := range runs {
		row := []string{r.bin.String(), strconv.Itoa(r.passed), strconv.Itoa(r.skipped), strconv.Itoa(r.failed),
			r.elapsed.String(), r.cell("baseline")}
		for _, f := range features {
			row = append(row, r.cell(f.name))
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}

// cell says how a feature's tests fared: "pass (3)", "FAIL (1 of 3)", or
// "skip: <the reason most of them gave>".
func (r *run) cell(feature string) string {
	t := r.byFeature[feature]
	if t == nil {
		return "—"
	}
	total := t.passed + t.failed
	for _, n := range t.skips {
		total += n
	}
	switch {
	case t.failed > 0:
		return fmt.Sprintf("FAIL (%d of %d)", t.failed, total)
	case t.passed > 0 && len(t.skips) == 0:
		return fmt.Sprintf("pass (%d)", t.passed)
	case t.passed > 0:
		return fmt.Sprintf("pass (%d), skip (%d)", t.passed, total-t.passed)
	}
	top, most := "", 0
	for reason, n := range t.skips {
		if n > most || (n == most && reason < top) {
			top, most = reason, n
		}
	}
	return "skip: " + strings.ReplaceAll(top, "|", `\|`)
}

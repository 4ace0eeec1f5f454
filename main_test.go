package main

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// TestRelaxGC: the provider raises the GC target only where the user did not
// set GOGC.
func TestRelaxGC(t *testing.T) {
	for _, userSet := range []bool{false, true} {
		var set []int
		lookup := func(key string) (string, bool) { return "100", userSet && key == "GOGC" }
		relaxGC(lookup, func(p int) int { set = append(set, p); return 100 })
		want := []int{gcPercent}
		if userSet {
			want = nil
		}
		if !reflect.DeepEqual(set, want) {
			t.Errorf("GOGC set by the user %t: set %v, want %v", userSet, set, want)
		}
	}
}

// TestProfilerOnlyWithTag: a release build does not link the CPU profiler;
// a build with -tags cpuprofile (make bench with BENCH_CPUPROFILE) does.
func TestProfilerOnlyWithTag(t *testing.T) {
	const profiler = "/internal/cpuprofile\n"
	for _, tags := range []string{"", "cpuprofile"} {
		out, err := exec.Command("go", "list", "-tags="+tags, "-deps", ".").CombinedOutput()
		if err != nil {
			t.Fatalf("go list -tags=%q: %v\n%s", tags, err, out)
		}
		if linked := strings.Contains(string(out), profiler); linked != (tags != "") {
			t.Errorf("tags %q: internal/cpuprofile linked: %t", tags, linked)
		}
	}
}

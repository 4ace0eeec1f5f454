package main

import (
	"reflect"
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

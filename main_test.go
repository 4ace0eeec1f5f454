package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// TestQuietUnlessLogging: the provider's own log output is turned off only
// when the user asked for no log at all.
func TestQuietUnlessLogging(t *testing.T) {
	cases := map[string]struct {
		environ []string
		quiet   bool
	}{
		"no log variables":             {[]string{"HOME=/root", "PATH=/bin"}, true},
		"empty log variables":          {[]string{"TF_LOG=", "TF_LOG_SDK="}, true},
		"TF_LOG":                       {[]string{"TF_LOG=debug"}, false},
		"TF_LOG_PROVIDER only":         {[]string{"TF_LOG_PROVIDER=trace"}, false},
		"the provider's own variable":  {[]string{"TF_LOG_PROVIDER_CLOUDCONNECTOR=info"}, false},
		"terraform-plugin-testing log": {[]string{"TF_ACC_LOG=debug"}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			set := map[string]string{}
			quietUnlessLogging(tc.environ, func(k, v string) error { set[k] = v; return nil })
			if !tc.quiet {
				if len(set) != 0 {
					t.Fatalf("changed %v although logging was asked for", set)
				}
				return
			}
			want := map[string]string{}
			for _, k := range quietLogLevels {
				want[k] = "off"
			}
			if !reflect.DeepEqual(set, want) {
				t.Fatalf("set %v, want %v", set, want)
			}
		})
	}
}

// TestCPUProfile: CLOUDCONNECTOR_CPUPROFILE writes a profile named by the
// process ID; unset, nothing is written.
func TestCPUProfile(t *testing.T) {
	dir := t.TempDir()
	cpuProfile("")()
	cpuProfile(filepath.Join(dir, "cpu-%p.pprof"))()
	got, _ := filepath.Glob(filepath.Join(dir, "*"))
	want := filepath.Join(dir, "cpu-"+strconv.Itoa(os.Getpid())+".pprof")
	if len(got) != 1 || got[0] != want {
		t.Fatalf("files %v, want %s", got, want)
	}
	if st, err := os.Stat(want); err != nil || st.Size() == 0 {
		t.Errorf("profile %v, %v: want a non-empty file", st, err)
	}
}

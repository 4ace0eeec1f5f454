package cpuprofile

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestStart: the variable set writes a profile named by the process ID;
// unset, nothing is written.
func TestStart(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvVar, "")
	Start()()
	if got, _ := filepath.Glob(filepath.Join(dir, "*")); len(got) != 0 {
		t.Fatalf("unset: files %v", got)
	}
	t.Setenv(EnvVar, filepath.Join(dir, "cpu-%p.pprof"))
	Start()()
	got, _ := filepath.Glob(filepath.Join(dir, "*"))
	want := filepath.Join(dir, "cpu-"+strconv.Itoa(os.Getpid())+".pprof")
	if len(got) != 1 || got[0] != want {
		t.Fatalf("files %v, want %s", got, want)
	}
	if st, err := os.Stat(want); err != nil || st.Size() == 0 {
		t.Errorf("profile %v, %v: want a non-empty file", st, err)
	}
}

package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMatrixReleases: one exact release of each Terraform minor version from
// the 1.11 baseline to 1.15, and one of OpenTofu, each named as tfrun names
// the binary it identifies.
func TestMatrixReleases(t *testing.T) {
	exact := regexp.MustCompile(`^1\.(\d+)\.\d+$`)
	var minors []string
	tofu := 0
	for _, r := range matrix {
		m := exact.FindStringSubmatch(r.Version)
		if m == nil {
			t.Errorf("%s: not an exact release version", r)
			continue
		}
		if r.OpenTofu {
			tofu++
			continue
		}
		minors = append(minors, m[1])
	}
	if got := strings.Join(minors, " "); got != "11 12 13 14 15" {
		t.Errorf("Terraform minor versions %q, want 11 12 13 14 15, in order", got)
	}
	if tofu != 1 {
		t.Errorf("%d OpenTofu releases, want 1", tofu)
	}
	if got := (release{OpenTofu: true, Version: "1.12.6"}).String(); got != "OpenTofu 1.12.6" {
		t.Errorf("String() = %q", got)
	}
}

// TestEnsureReusesCache: the first run fetches into the cache; later runs
// take the binary from there without fetching.
func TestEnsureReusesCache(t *testing.T) {
	cache := t.TempDir()
	fetches := 0
	fetch := func(_ context.Context, r release, dir string) error {
		fetches++
		return os.WriteFile(filepath.Join(dir, executable(r)), []byte("#!/bin/sh\n"), 0o755)
	}
	r := release{Version: "1.12.2"}
	for range 2 {
		path, err := ensure(t.Context(), cache, r, fetch)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(cache, "terraform_1.12.2", executable(r)); path != want {
			t.Errorf("path %s, want %s", path, want)
		}
	}
	if fetches != 1 {
		t.Errorf("%d fetches, want 1", fetches)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(cache, ".fetching-*")); len(leftovers) != 0 {
		t.Errorf("fetch directories left behind: %v", leftovers)
	}
}

// TestEnsureFailedFetch: a fetch that fails, or that writes no binary, leaves
// nothing in the cache that a later run would take for the binary.
func TestEnsureFailedFetch(t *testing.T) {
	cache := t.TempDir()
	r := release{OpenTofu: true, Version: "1.12.6"}
	partial := func(_ context.Context, r release, dir string) error {
		_ = os.WriteFile(filepath.Join(dir, executable(r)), []byte("half"), 0o755)
		return errors.New("connection reset")
	}
	nothing := func(context.Context, release, string) error { return nil }
	for name, fetch := range map[string]func(context.Context, release, string) error{"partial": partial, "nothing": nothing} {
		if _, err := ensure(t.Context(), cache, r, fetch); err == nil || !strings.Contains(err.Error(), "OpenTofu 1.12.6") {
			t.Errorf("%s: error %v, want one naming the release", name, err)
		}
		if entries, _ := os.ReadDir(cache); len(entries) != 0 {
			t.Errorf("%s: the cache holds %v after a failed fetch", name, entries)
		}
	}
}

// TestLocalBinaries: TF_MATRIX lists paths separated by any white space;
// each must exist.
func TestLocalBinaries(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	got, err := localBinaries(" " + a + "  \t" + b + "\n")
	if err != nil || strings.Join(got, ",") != a+","+b {
		t.Errorf("localBinaries: %v, %v; want %s and %s", got, err, a, b)
	}
	if _, err := localBinaries(a + " " + filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing binary: error %v, want one naming it", err)
	}
}

// TestBinariesFromTFMatrix: with TF_MATRIX set, the matrix runs those
// binaries, identified by the version they report, and downloads nothing.
func TestBinariesFromTFMatrix(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "terraform")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'Terraform v1.13.3'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", filepath.Join(t.TempDir(), "cache")) // where a download would go
	runs, err := binaries(t.Context(), bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].bin.String() != "Terraform 1.13.3" || runs[0].bin.Path != bin {
		t.Errorf("runs %+v, want Terraform 1.13.3 at %s", runs, bin)
	}
	if _, err := os.Stat(os.Getenv("XDG_CACHE_HOME")); err == nil {
		t.Error("the cache directory was made although TF_MATRIX was set")
	}
	if _, err := binaries(t.Context(), " "); err == nil {
		t.Error("TF_MATRIX of white space alone: no error")
	}
}

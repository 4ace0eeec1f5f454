// Package cpuprofile writes a CPU profile of a provider process when
// CLOUDCONNECTOR_CPUPROFILE names a file. Only builds with -tags cpuprofile
// link it (main_cpuprofile.go): make bench makes them when BENCH_CPUPROFILE
// is set, to profile the provider processes that Terraform starts (one per
// walk and alias), ours and the benchmark's do-nothing provider alike.
package cpuprofile

import (
	"log"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
)

// EnvVar names the file to write, with "%p" replaced by the process ID.
const EnvVar = "CLOUDCONNECTOR_CPUPROFILE"

// Start starts the profile that EnvVar asks for and returns the function
// that ends it and writes the file; with EnvVar unset both do nothing.
func Start() (stop func()) {
	path := os.Getenv(EnvVar)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(strings.ReplaceAll(path, "%p", strconv.Itoa(os.Getpid()))) //nolint:gosec // the developer's own path
	if err != nil {
		log.Printf("[WARN] %s: %v", EnvVar, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Printf("[WARN] %s: %v", EnvVar, err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// Command terraform-provider-cloudconnector serves the cloudconnector
// Terraform provider over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/provider"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/quietlogs"
)

// version is set at build time from the git tag: goreleaser (and make build)
// pass -ldflags "-X main.version=1.2.3" for the tag v1.2.3.
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "start the provider for a debugger (delve) and print its TF_REATTACH_PROVIDERS")
	flag.Parse()
	if !debugMode {
		quietlogs.UnlessLogging(os.Environ(), os.Setenv)
	}
	relaxGC(os.LookupEnv, debug.SetGCPercent)
	defer startCPUProfile()()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         provider.Address,
		Debug:           debugMode,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err) //nolint:gocritic // the profile of a failed start is of no use
	}
}

// startCPUProfile is a no-op in release builds. A build with -tags
// cpuprofile (main_cpuprofile.go, which make bench uses when BENCH_CPUPROFILE
// is set) replaces it with internal/cpuprofile's.
var startCPUProfile = func() (stop func()) { return func() {} }

// gcPercent is the garbage collector's target while GOGC is unset. Terraform
// starts a provider process for each walk and alias, and it exits when the
// walk ends: a few MiB in all, one key per organization. At Go's default
// (100, a 4 MiB heap) the walks that call the API collected once just
// before exiting, the do-nothing provider never (make bench: some 7 ms of
// CPU per process). At 400 the first collection waits for a 16 MiB heap; a
// long-lived process still collects, at five times its live heap.
const gcPercent = 400

// relaxGC sets gcPercent unless the user set GOGC.
func relaxGC(lookupEnv func(string) (string, bool), setGCPercent func(int) int) {
	if _, set := lookupEnv("GOGC"); !set {
		setGCPercent(gcPercent)
	}
}

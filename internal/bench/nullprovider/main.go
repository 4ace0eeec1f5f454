// Command nullprovider is the benchmark's do-nothing reference: a minimal
// terraform-plugin-framework provider (package donothing) that accepts the
// same configuration as cloudconnector and calls nothing. Its wall time is
// the floor that Terraform's plugin machinery sets for any provider of this
// framework; `make bench` builds it and serves it under donothing.Source
// through dev_overrides. Like cloudconnector, it turns the SDK's logs off
// when no TF_LOG* variable is set (quietlogs): any provider can, so the floor
// does too.
package main

import (
	"context"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/bench/nullprovider/donothing"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/quietlogs"
)

// startCPUProfile is a no-op unless built with -tags cpuprofile, as
// cloudconnector's is (main_cpuprofile.go).
var startCPUProfile = func() (stop func()) { return func() {} }

func main() {
	quietlogs.UnlessLogging(os.Environ(), os.Setenv)
	defer startCPUProfile()()
	err := providerserver.Serve(context.Background(), donothing.New,
		providerserver.ServeOpts{Address: donothing.Source, ProtocolVersion: 6})
	if err != nil {
		log.Fatal(err)
	}
}

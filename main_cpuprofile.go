//go:build cpuprofile

package main

import "github.com/seed62df8d36/terraform-provider-cloudconnector/internal/cpuprofile"

// With -tags cpuprofile, CLOUDCONNECTOR_CPUPROFILE names a profile to write.
func init() { startCPUProfile = cpuprofile.Start }

//go:build !unix

package main

import "time"

// childrenCPU is not measured here.
func childrenCPU() time.Duration { return 0 }

// ownCPU is not measured here.
func ownCPU() time.Duration { return 0 }

// machineBusy is not known here.
func machineBusy() (time.Duration, bool) { return 0, false }

//go:build linux || darwin || freebsd

package client

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) this process has used so
// far: on a shared machine it varies less than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

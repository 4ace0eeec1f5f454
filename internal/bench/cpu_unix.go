//go:build unix

package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// childrenCPU is the user and system CPU time of every child process this
// program has waited for, their own waited-for children included: terraform
// and the provider processes it started.
func childrenCPU() time.Duration {
	return rusage(syscall.RUSAGE_CHILDREN)
}

// ownCPU is the CPU time of this program and of every child it waited for.
func ownCPU() time.Duration {
	return rusage(syscall.RUSAGE_SELF) + rusage(syscall.RUSAGE_CHILDREN)
}

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineBusy is the CPU time every process on the machine has used since
// boot, from /proc/stat (Linux); ok is false elsewhere.
func machineBusy() (busy time.Duration, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, false
	}
	// user nice system idle iowait irq softirq steal, in USER_HZ ticks (100 per second)
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond, true
}

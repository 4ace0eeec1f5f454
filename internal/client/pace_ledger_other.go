//go:build !(linux || darwin || freebsd)

package client

import (
	"errors"
	"os"
)

// openLedgerFile: the checks that make a shared file safe (no link followed,
// no FIFO, owner and mode, flock) are written for Unix; elsewhere each
// process paces its own requests.
func openLedgerFile(string) (*os.File, int64, error) {
	return nil, 0, errors.New("the pace file is not supported on this system")
}

func lockFile(*os.File, bool) (func(), error) {
	return nil, errors.New("the pace file is not supported on this system")
}

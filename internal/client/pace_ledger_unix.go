//go:build linux || darwin || freebsd

package client

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// openLedgerFile opens (creating it) the pace file for reading and
// appending, and returns its size. Its directory must be the user's own and
// writable by no one else: another user could otherwise swap the file for a
// link to one of ours. The file is opened without following a link, and
// without blocking, so that a FIFO in its place cannot hang the run; then it
// must be a regular file of ours.
func openLedgerFile(path string) (*os.File, int64, error) {
	f, err := openLedgerFileChecked(path)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", path)
	}
	if err == nil {
		err = ownedByUs(info, path)
	}
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, info.Size(), nil
}

func openLedgerFileChecked(path string) (*os.File, error) {
	dir := filepath.Dir(path)
	info, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		info, err = os.Lstat(dir)
	}
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if err := ownedByUs(info, dir); err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o022 != 0 {
		return nil, fmt.Errorf("%s is writable by other users", dir)
	}

	// the path is the caller's setting; the checks around this open are what makes it safe
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600) //nolint:gosec
	// ELOOP: the path is a link (FreeBSD says EMLINK)
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) {
		return nil, fmt.Errorf("%s is a symbolic link", path)
	}
	return f, err
}

func ownedByUs(info os.FileInfo, name string) error {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("cannot tell who owns %s", name)
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s belongs to another user", name)
	}
	return nil
}

// lockFile takes a shared or exclusive flock on f, trying for a bounded time.
func lockFile(f *os.File, exclusive bool) (unlock func(), err error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	for try := 1; ; try++ {
		var lerr error
		if err := conn.Control(func(fd uintptr) { lerr = syscall.Flock(int(fd), how|syscall.LOCK_NB) }); err != nil {
			return nil, err
		}
		if lerr == nil {
			return func() {
				_ = conn.Control(func(fd uintptr) { _ = syscall.Flock(int(fd), syscall.LOCK_UN) })
			}, nil
		}
		if !errors.Is(lerr, syscall.EWOULDBLOCK) || try == ledgerLockTries {
			return nil, fmt.Errorf("locking the pace file: %w", lerr)
		}
		time.Sleep(ledgerLockWait)
	}
}

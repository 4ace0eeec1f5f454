//go:build linux || darwin || freebsd

package client

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// paceFileRefused runs one paced list with the pace file at path, and
// returns the debug lines; the list must succeed without the file.
func paceFileRefused(t *testing.T, path string) []string {
	t.Helper()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) { writeJSON(w, 200, "[]") })
	log := &captureLogger{}
	c := f.legacyClient(func(cfg *Config) { cfg.DisablePacing, cfg.PaceFile, cfg.Logger = false, path, log })
	done := make(chan error, 1)
	go func() {
		_, err := c.ListAPIKeys(ctxTimeout(t, 30*time.Second), false)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the list failed: %v", err)
		}
	case <-time.After(2 * time.Minute): // only a hang gets here
		t.Fatal("the client hung on the pace file")
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	return log.lines
}

func saysNotUsed(t *testing.T, lines []string, reason string) {
	t.Helper()
	for _, l := range lines {
		if strings.Contains(l, "cloudconnector pace file not used") && strings.Contains(l, reason) {
			return
		}
	}
	t.Fatalf("no debug line says the pace file is not used because %q: %q", reason, lines)
}

func TestPaceFileFIFODoesNotHang(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pace")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	saysNotUsed(t, paceFileRefused(t, path), "is not a regular file")
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", info, err)
	}
}

func TestPaceFileSymlinkIsNotFollowed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "precious")
	if err := os.WriteFile(target, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pace")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	saysNotUsed(t, paceFileRefused(t, path), "is a symbolic link")
	if data, _ := os.ReadFile(target); string(data) != "keep me\n" {
		t.Fatalf("the link's target was written: %q", data)
	}
}

func TestPaceFileInADirectoryOthersCanWriteIsNotUsed(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil { // Chmod: the umask does not apply
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pace")
	saysNotUsed(t, paceFileRefused(t, path), "is writable by other users")
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("a pace file was made in the shared directory: %v", err)
	}
}

// TestPaceFileDirectoryIsMadePrivate: a missing directory is made 0700, and
// the file in it 0600.
func TestPaceFileDirectoryIsMadePrivate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cache", "terraform-provider-cloudconnector", "pace")
	l := &paceLedger{path: path, log: func(context.Context, string, map[string]any) {}}
	l.record(t.Context(), OpList, time.Now())
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != want {
			t.Fatalf("%s: %v %v, want mode %o", p, info, err, want)
		}
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hc-install/product"
	"github.com/hashicorp/hc-install/releases"
	"github.com/opentofu/tofudl"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// release is a released Terraform or OpenTofu version (its Path unset).
type release = tfrun.Binary

// matrix is what make test-matrix runs without TF_MATRIX: one release of each
// Terraform minor version the provider supports (1.11, the baseline, to the
// newest), and OpenTofu for provider for_each.
var matrix = []release{{Version: "1.11.4"}, {Version: "1.12.2"}, {Version: "1.13.3"}, {Version: "1.14.3"}, {Version: "1.15.0"},
	{OpenTofu: true, Version: "1.12.6"}}

// executable is the file name of the release's binary.
func executable(r release) string {
	name := "terraform"
	if r.OpenTofu {
		name = "tofu"
	}
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return name
}

// cachedPath is where the release's binary lives in cache: terraform_1.15.0/terraform.
func cachedPath(cache string, r release) string {
	return filepath.Join(cache, strings.TrimSuffix(executable(r), ".exe")+"_"+r.Version, executable(r))
}

// cacheDir is where fetched releases are kept between runs: under the
// user's cache directory (XDG_CACHE_HOME or ~/.cache on Linux).
func cacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	return filepath.Join(dir, "terraform-provider-cloudconnector", "matrix"), err
}

// localBinaries are the paths that TF_MATRIX lists, separated by spaces;
// each must exist.
func localBinaries(tfMatrix string) ([]string, error) {
	paths := strings.Fields(tfMatrix)
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("TF_MATRIX: %w", err)
		}
	}
	return paths, nil
}

// ensure returns the path of r's binary in cache, fetching it first when an
// earlier run has not. fetch writes the binary into an empty directory,
// which then takes its place whole, so that a failed or interrupted fetch
// leaves nothing that a later run would take for the binary.
func ensure(ctx context.Context, cache string, r release, fetch func(context.Context, release, string) error) (string, error) {
	path := cachedPath(cache, r)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(cache, 0o750); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cache, ".fetching-")
	if err != nil {
		return "", err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	if err := fetch(ctx, r, tmp); err != nil {
		return "", fmt.Errorf("fetching %s: %w", r, err)
	}
	if _, err := os.Stat(filepath.Join(tmp, executable(r))); err != nil {
		return "", fmt.Errorf("fetching %s: %w", r, err)
	}
	if err := os.Rename(tmp, filepath.Dir(path)); err != nil {
		if _, statErr := os.Stat(path); statErr != nil { // not another run's fetch of the same release
			return "", errors.Join(err, statErr)
		}
	}
	return path, nil
}

// fetch downloads r into dir with the checks each product's own installer
// makes: hashicorp/hc-install verifies HashiCorp's signature on the
// SHA256SUMS and the zip's sum; opentofu/tofudl does the same with
// OpenTofu's key and release archive.
func fetch(ctx context.Context, r release, dir string) error {
	if r.OpenTofu {
		dl, err := tofudl.New()
		if err != nil {
			return err
		}
		bin, err := dl.Download(ctx, tofudl.DownloadOptVersion(tofudl.Version(r.Version)))
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, executable(r)), bin, 0o755) //nolint:gosec // an executable
	}
	v, err := version.NewVersion(r.Version)
	if err != nil {
		return err
	}
	_, err = (&releases.ExactVersion{Product: product.Terraform, Version: v, InstallDir: dir, Timeout: 10 * time.Minute}).Install(ctx)
	return err
}

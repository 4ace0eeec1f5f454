// Package tfrun runs the real terraform binary against a locally built
// provider, for programs (make demo, make bench) and tests that need the
// provider as Terraform users run it: its own process, found through a CLI
// configuration with dev_overrides, nothing downloaded.
package tfrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ProviderSource is the provider's source address as users write it.
const ProviderSource = "registry.terraform.io/seed62df8d36/cloudconnector"

// FindTerraform returns TF_ACC_TERRAFORM_PATH when set, else terraform on PATH.
func FindTerraform() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH is %s, which does not exist: %w", p, err)
		}
		return p, nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", errors.New("terraform not found: install Terraform 1.11 or newer and put it on PATH, or set TF_ACC_TERRAFORM_PATH")
	}
	return p, nil
}

// ModuleRoot returns the directory holding this module's go.mod, found by
// walking up from the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.Contains(b, []byte("module github.com/seed62df8d36/terraform-provider-cloudconnector")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the terraform-provider-cloudconnector module")
		}
		dir = parent
	}
}

// BuildProvider builds the package at pkg (relative to the module root, "."
// for the provider itself) into outDir under the provider's binary name, and
// returns outDir. Extra go build flags go in flags.
func BuildProvider(ctx context.Context, pkg, outDir string, flags ...string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	args := append([]string{"build", "-o", filepath.Join(outDir, "terraform-provider-cloudconnector")}, flags...)
	args = append(args, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return outDir, nil
}

// WriteCLIConfig writes a Terraform CLI configuration to path that serves
// source from the binary in providerDir (dev_overrides) and installs
// everything else only from directories that exist locally, never the network.
func WriteCLIConfig(path, providerDir string, overrides map[string]string) error {
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	fmt.Fprintf(&b, "    %q = %q\n", ProviderSource, providerDir)
	for source, dir := range overrides {
		fmt.Fprintf(&b, "    %q = %q\n", source, dir)
	}
	b.WriteString("  }\n  direct {\n    exclude = [\"registry.terraform.io/*/*\"]\n  }\n}\n")
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// Terraform runs one terraform binary in one working directory.
type Terraform struct {
	Bin string   // the terraform binary
	Dir string   // the working directory (the configuration)
	Env []string // added to the process environment (KEY=value)
	// Output, when set, receives stdout and stderr as they come, as well as
	// being returned by Run.
	Output io.Writer
}

// Result is one terraform command's outcome.
type Result struct {
	Args   []string
	Stdout string
	Stderr string
}

// Run runs terraform with args. The error includes stderr, which is where
// Terraform writes its diagnostics.
func (t *Terraform) Run(ctx context.Context, args ...string) (Result, error) {
	cmd := exec.CommandContext(ctx, t.Bin, args...)
	// Interrupt rather than kill, so that terraform stops its providers and
	// releases its state lock; kill only if it does not stop soon after.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Dir = t.Dir
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	cmd.Env = append(cmd.Env, t.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if t.Output != nil {
		cmd.Stdout = io.MultiWriter(&stdout, t.Output)
		cmd.Stderr = io.MultiWriter(&stderr, t.Output)
	}
	err := cmd.Run()
	res := Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil {
		return res, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, res.Stderr)
	}
	return res, nil
}

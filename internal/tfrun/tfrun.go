// Package tfrun runs the real terraform binary against providers built from
// this checkout, for programs (make demo, make bench) and tests that need the
// provider as Terraform users run it: its own process, found through a CLI
// configuration with dev_overrides, nothing downloaded. The commands
// themselves go through hashicorp/terraform-exec; this package adds what it
// lacks: building the providers, the CLI configuration, a clean environment,
// and the -json stream's diagnostics.
package tfrun

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// ProviderSource is the provider's source address as users write it.
const ProviderSource = "registry.terraform.io/seed62df8d36/cloudconnector"

// DevOverridesWarning is the warning Terraform prints on every run with
// dev_overrides; programs that explain it once leave it out.
const DevOverridesWarning = "Provider development overrides are in effect"

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

// Binary is a terraform or OpenTofu binary and the version it reports.
type Binary struct {
	Path     string
	OpenTofu bool
	Version  string // "1.15.0", without the v
}

// Identify asks a binary for its version. It reads the line "Terraform
// v1.15.0" or "OpenTofu v1.12.6" of `version`: the JSON form does not say
// which of the two it is, and a warning about the CLI configuration may come
// first.
func Identify(ctx context.Context, path string) (Binary, error) {
	cmd := exec.CommandContext(ctx, path, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return Binary{}, fmt.Errorf("%s version: %w", path, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		product, v, _ := strings.Cut(strings.TrimSpace(line), " v")
		if (product == "Terraform" || product == "OpenTofu") && v != "" {
			return Binary{Path: path, OpenTofu: product == "OpenTofu", Version: v}, nil
		}
	}
	return Binary{}, fmt.Errorf("%s version: no version line in %q", path, out)
}

// String is "Terraform 1.15.0" or "OpenTofu 1.12.6".
func (b Binary) String() string {
	if b.OpenTofu {
		return "OpenTofu " + b.Version
	}
	return "Terraform " + b.Version
}

// Less orders Terraform before OpenTofu, then by version.
func (b Binary) Less(o Binary) bool {
	if b.OpenTofu != o.OpenTofu {
		return !b.OpenTofu
	}
	v, err := version.NewVersion(o.Version)
	return err == nil && b.Older(v)
}

// Older reports whether the binary's release is older than v, a
// pre-release counting as its release.
func (b Binary) Older(v *version.Version) bool {
	own, err := version.NewVersion(b.Version)
	return err == nil && own.Core().LessThan(v.Core())
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

// Build runs go build from the module root with flags; out is a binary
// path for one package, or a directory ending in "/" for several (each binary
// is named after its package: "." is terraform-provider-cloudconnector).
func Build(ctx context.Context, out string, flags []string, pkgs ...string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	args := append(append([]string{"build", "-o", out}, flags...), pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(pkgs, " "), err, b)
	}
	return nil
}

// BuildProviders builds the provider and the demo's echo provider into dir
// and writes a CLI configuration there that serves both; it returns its path.
func BuildProviders(ctx context.Context, dir string) (string, error) {
	if err := Build(ctx, dir+string(filepath.Separator), nil, ".", "./internal/demo/terraform-provider-echo"); err != nil {
		return "", err
	}
	cli := filepath.Join(dir, "terraformrc")
	return cli, WriteCLIConfig(cli, map[string]string{ProviderSource: dir, "registry.terraform.io/hashicorp/echo": dir})
}

// openTofuRegistry is where OpenTofu looks for a source without a host, such
// as "seed62df8d36/cloudconnector": not registry.terraform.io.
const openTofuRegistry = "registry.opentofu.org/"

// WriteCLIConfig writes a Terraform CLI configuration to path that serves
// each source from the directory that holds its binary (dev_overrides) and
// installs nothing from the network. OpenTofu reads the same file, so each
// registry.terraform.io source is served under OpenTofu's registry too.
func WriteCLIConfig(path string, overrides map[string]string) error {
	all := maps.Clone(overrides)
	for source, dir := range overrides {
		if rest, ok := strings.CutPrefix(source, "registry.terraform.io/"); ok {
			all[openTofuRegistry+rest] = dir
		}
	}
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, source := range slices.Sorted(maps.Keys(all)) {
		fmt.Fprintf(&b, "    %q = %q\n", source, all[source])
	}
	b.WriteString("  }\n  direct {\n    exclude = [\"registry.terraform.io/*/*\", \"" + openTofuRegistry + "*/*\"]\n  }\n}\n")
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// New returns terraform-exec's runner for dir, with Env(env) as its
// environment. It reads Terraform's version once here, as terraform-exec
// does before most commands, so that no later command pays for it.
func New(ctx context.Context, bin, dir string, env map[string]string) (*tfexec.Terraform, error) {
	tf, err := tfexec.NewTerraform(dir, bin)
	if err != nil {
		return nil, err
	}
	if err := tf.SetEnv(Env(env)); err != nil {
		return nil, err
	}
	// Interrupted, terraform gets this long to stop its providers and release
	// its state lock before it is killed.
	if err := tf.SetWaitDelay(10 * time.Second); err != nil {
		return nil, err
	}
	if _, _, err := tf.Version(ctx, false); err != nil {
		return nil, err
	}
	return tf, nil
}

// Env is this process's environment without any TF_*, ZTC_* or ZSCALER_*
// variable (the user's CLI arguments, workspace, logs or tenant must not
// change what runs), plus env.
func Env(env map[string]string) map[string]string {
	clean := map[string]string{"CHECKPOINT_DISABLE": "1"}
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "TF_") && !strings.HasPrefix(name, "ZTC_") && !strings.HasPrefix(name, "ZSCALER_") {
			clean[name] = value
		}
	}
	maps.Copy(clean, env)
	return clean
}

// Stream is what a -json command said: its diagnostics, but the
// dev_overrides warning, and its last change summary.
type Stream struct {
	Diags   []tfjson.Diagnostic
	Summary string // "Plan: 1 to add, ...", "Apply complete! ..."
}

// ParseStream reads Terraform's machine-readable UI (one JSON object a line).
func ParseStream(out []byte) Stream {
	var s Stream
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var m struct {
			Type       string             `json:"type"`
			Message    string             `json:"@message"`
			Diagnostic *tfjson.Diagnostic `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		switch {
		case m.Type == "diagnostic" && m.Diagnostic != nil && m.Diagnostic.Summary != DevOverridesWarning:
			s.Diags = append(s.Diags, *m.Diagnostic)
		case m.Type == "change_summary":
			s.Summary = m.Message
		}
	}
	return s
}

// Err is err with the stream's error diagnostics, which a -json command
// writes to stdout rather than stderr.
func (s Stream) Err(err error) error {
	if err == nil {
		return nil
	}
	var b strings.Builder
	for _, d := range s.Diags {
		if d.Severity == tfjson.DiagnosticSeverityError {
			fmt.Fprintf(&b, "\n  Error: %s\n  %s", d.Summary, strings.ReplaceAll(d.Detail, "\n", "\n  "))
		}
	}
	if b.Len() == 0 {
		return err
	}
	return fmt.Errorf("terraform failed:%s", b.String())
}

// Terraform runs terraform with flags that terraform-exec does not take
// (trace logs and -json through the environment, say), for the tests that
// scan what a user's run writes.
type Terraform struct {
	Bin string   // the terraform binary
	Dir string   // the working directory (the configuration)
	Env []string // added to the process environment (KEY=value)
}

// Result is one terraform command's output.
type Result struct {
	Stdout, Stderr string
}

// Run runs terraform with args; the error includes stderr.
func (t *Terraform) Run(ctx context.Context, args ...string) (Result, error) {
	cmd := exec.CommandContext(ctx, t.Bin, args...)
	// Interrupt rather than kill, so that terraform stops its providers and
	// releases its state lock; kill only if it does not stop soon after.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Dir = t.Dir
	cmd.Env = append(append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"), t.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil {
		return res, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, res.Stderr)
	}
	return res, nil
}

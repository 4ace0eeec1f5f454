package release

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// TestAccMakeInstall runs `make install` into a fresh HOME, then plain
// `terraform init` and `apply` there, with no CLI configuration: Terraform
// finds the build in its implied local mirror, an unpinned required_providers
// selects it, and the lock file records that version and the build's hash.
func TestAccMakeInstall(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds the provider and runs terraform: set TF_ACC=1 (make test does)")
	}
	ctx := t.Context()
	root := repoRoot(t)
	home := t.TempDir()
	// The developer's Go caches and settings, not the fresh HOME's defaults:
	// the build reuses what is compiled and downloaded already.
	goEnv := strings.Fields(run(t, root, os.Environ(), "go", "env", "GOCACHE", "GOMODCACHE", "GOENV"))
	if len(goEnv) != 3 {
		t.Fatalf("go env GOCACHE GOMODCACHE GOENV printed %q", goEnv)
	}
	env := append(makeEnv(), "HOME="+home, "GOCACHE="+goEnv[0], "GOMODCACHE="+goEnv[1], "GOENV="+goEnv[2])
	run(t, root, env, "make", "-s", "install")

	// OpenTofu resolves "seed62df8d36/cloudconnector" on its own registry's host.
	host := "registry.terraform.io"
	if testsupport.TestBinary(t).OpenTofu {
		host = testsupport.OpenTofuRegistryHost
	}
	source := host + "/seed62df8d36/cloudconnector"
	platform := runtime.GOOS + "_" + runtime.GOARCH
	installed, _ := filepath.Glob(filepath.Join(home, ".terraform.d", "plugins", source, "*", platform, "*"))
	if len(installed) != 1 {
		t.Fatalf("make install left %v under ~/.terraform.d/plugins/%s/<version>/%s; want one binary", installed, source, platform)
	}
	packageDir := filepath.Dir(installed[0])
	version := filepath.Base(filepath.Dir(packageDir))
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(version) {
		t.Fatalf("make install's version is %q; an unpinned required_providers selects only a plain X.Y.Z", version)
	}
	if got, want := filepath.Base(installed[0]), name+"_v"+version; got != want {
		t.Fatalf("make install wrote %s; Terraform's implied mirror takes %s", got, want)
	}

	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), `terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}
`+adoptKey)
	tf := newTerraform(t, work, sim.LegacyBaseURL(), testsupport.LegacyEnv(sim, org), map[string]string{"HOME": home})
	if err := tf.Init(ctx); err != nil {
		t.Fatalf("terraform init, with the build in the implied mirror: %v", err)
	}
	lock, err := os.ReadFile(filepath.Join(work, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	h1, err := dirhash.HashDir(packageDir, "", dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{fmt.Sprintf("provider %q", source), fmt.Sprintf("%q", h1)} {
		if !strings.Contains(string(lock), want) {
			t.Errorf(".terraform.lock.hcl lacks %s:\n%s", want, lock)
		}
	}
	if !regexp.MustCompile(`(?m)^\s*version\s*=\s*"` + regexp.QuoteMeta(version) + `"$`).Match(lock) {
		t.Errorf(".terraform.lock.hcl does not lock version %s:\n%s", version, lock)
	}

	if err := tf.Apply(ctx); err != nil {
		t.Fatalf("terraform apply: %v", err)
	}
	if keyID, want := appliedKeyID(ctx, t, tf), fmt.Sprint(testsupport.CurrentKey(t, org).ID); keyID != want {
		t.Fatalf("applied key ID %q; the organization's key is %s", keyID, want)
	}
}

// TestInstallVersion: make install's version is the next patch after the
// nearest release tag, pre-release tags left out, or 0.0.1 with none.
func TestInstallVersion(t *testing.T) {
	root := repoRoot(t)
	for _, c := range []struct {
		tags []string // one commit each, oldest first
		want string
	}{
		{nil, "0.0.1"},
		{[]string{"v0.1.0"}, "0.1.1"},
		{[]string{"v1.9.9", "v1.10.0"}, "1.10.1"},
		{[]string{"v0.1.0", "v0.2.0-rc.1"}, "0.1.1"},
	} {
		repo := t.TempDir()
		git := func(args ...string) {
			run(t, repo, os.Environ(), "git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.invalid"}, args...)...)
		}
		git("init", "-q")
		git("commit", "-q", "--allow-empty", "-m", "first")
		for _, tag := range c.tags {
			git("commit", "-q", "--allow-empty", "-m", tag)
			git("tag", tag)
		}
		got := run(t, repo, makeEnv(), "make", "-s", "-f", filepath.Join(root, "GNUmakefile"),
			"--eval", "install-version: ; @echo $(INSTALL_VERSION)", "install-version")
		if got = strings.TrimSpace(got); got != c.want {
			t.Errorf("tags %v: make install's version is %q, want %q", c.tags, got, c.want)
		}
	}
}

// makeEnv is the environment for a make of its own: not the make running
// this test (its flags and job server), nor a version set by hand.
func makeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "INSTALL_VERSION":
		default:
			env = append(env, kv)
		}
	}
	return env
}

// run runs a command in dir and returns its standard output.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// repoRoot is the repository's top directory, which holds GNUmakefile.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

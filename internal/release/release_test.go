package release

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	"golang.org/x/mod/sumdb/dirhash"
	"gopkg.in/yaml.v3"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

const (
	name    = "terraform-provider-cloudconnector"
	address = "registry.terraform.io/seed62df8d36/cloudconnector"
)

// TestAccReleaseInstallsFromMirror builds goreleaser's snapshot for this
// machine's OS/arch with the project's own .goreleaser.yml, lays it out as a
// filesystem mirror, and has terraform install it from there as a user would:
// no dev_overrides, the lock file records the package's hash, and a plan and
// an apply against the simulator go through the installed binary.
func TestAccReleaseInstallsFromMirror(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds a release and runs terraform: set TF_ACC=1 (make test does)")
	}
	ctx := t.Context()
	root := repoRoot(t)
	goreleaser := makefileCommand(t, root, "GORELEASER")

	// Signed as a release is, with a throwaway key.
	gnupgHome, fingerprint := throwawayGPGKey(ctx, t)
	dist := buildSnapshot(ctx, t, root, goreleaser, gnupgHome, fingerprint)
	version := snapshotVersion(t, dist)
	sumsPath := filepath.Join(dist, fmt.Sprintf("%s_%s_SHA256SUMS", name, version))
	sums := readSums(t, sumsPath)
	// The Registry checks this signature: SHA256SUMS must be as signed.
	gpg(ctx, t, gnupgHome, "--verify", sumsPath+".sig", sumsPath)

	// One zip, this machine's, with its digest in SHA256SUMS; the manifest's too, and nothing else.
	zipName := fmt.Sprintf("%s_%s_%s_%s.zip", name, version, runtime.GOOS, runtime.GOARCH)
	zipPath := filepath.Join(dist, zipName)
	if zips, _ := filepath.Glob(filepath.Join(dist, "*.zip")); !slices.Equal(zips, []string{zipPath}) {
		t.Fatalf("dist holds zips %v, want just %s", zips, zipName)
	}
	if got, want := sha256File(t, zipPath), sums[zipName]; got != want {
		t.Errorf("%s has SHA-256 %s, SHA256SUMS says %q", zipName, got, want)
	}
	manifestName := fmt.Sprintf("%s_%s_manifest.json", name, version)
	if got, want := sha256File(t, filepath.Join(root, "terraform-registry-manifest.json")), sums[manifestName]; got != want {
		t.Errorf("terraform-registry-manifest.json has SHA-256 %s, SHA256SUMS says %q for %s", got, want, manifestName)
	}
	if len(sums) != 2 {
		t.Errorf("SHA256SUMS lists %v; want the zip and the manifest alone", sums)
	}
	binary := fmt.Sprintf("%s_v%s", name, version)
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	if files := zipFiles(t, zipPath); !slices.Contains(files, binary) {
		t.Fatalf("%s holds %v, not the binary %s that Terraform looks for", zipName, files, binary)
	}

	// The packed mirror layout: <mirror>/<hostname>/<namespace>/<type>/<zip>.
	mirror := filepath.Join(t.TempDir(), "mirror")
	if err := os.MkdirAll(filepath.Join(mirror, address), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, zipPath, filepath.Join(mirror, address, zipName))
	cliConfig := filepath.Join(t.TempDir(), "mirror.tfrc")
	writeFile(t, cliConfig, fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%q]
  }
  direct {
    exclude = [%q]
  }
}
`, mirror, address, address))

	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	api := newAgentRecorder(t, sim.LegacyBaseURL())

	work := t.TempDir()
	// A pre-release is chosen only when named exactly.
	writeFile(t, filepath.Join(work, "main.tf"), fmt.Sprintf(`terraform {
  required_providers {
    cloudconnector = {
      source  = %q
      version = %q
    }
  }
}
`, address, version)+adoptKey)

	original := testsupport.CurrentKey(t, org)
	tf := newTerraform(t, work, api.baseURL, testsupport.LegacyEnv(sim, org), map[string]string{"TF_CLI_CONFIG_FILE": cliConfig})
	if err := tf.Init(ctx); err != nil {
		t.Fatalf("terraform init from the mirror: %v", err)
	}
	lock, err := os.ReadFile(filepath.Join(work, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	h1, err := dirhash.HashZip(zipPath, dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{fmt.Sprintf("provider %q", address), fmt.Sprintf("version     = %q", version), fmt.Sprintf("%q", h1)} {
		if !strings.Contains(string(lock), want) {
			t.Errorf(".terraform.lock.hcl lacks %s:\n%s", want, lock)
		}
	}

	changes, err := tf.Plan(ctx)
	if err != nil || !changes {
		t.Fatalf("terraform plan: changes %v, err %v; want the import", changes, err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatalf("terraform apply: %v", err)
	}
	keyID := appliedKeyID(ctx, t, tf)
	if now := testsupport.CurrentKey(t, org); keyID != fmt.Sprint(original.ID) || now.Value != original.Value {
		t.Fatalf("applied key ID %q, and the organization's key changed from ID %d to %d or its string: an import adopts it as it is",
			keyID, original.ID, now.ID)
	}
	if changes, err := tf.Plan(ctx); err != nil || changes {
		t.Fatalf("second plan: changes %v, err %v; want none", changes, err)
	}
	// The binary that answered is the snapshot: its version came from goreleaser.
	if want := "terraform-provider-cloudconnector/" + version + " "; !api.saw(want) {
		t.Fatalf("no request's User-Agent starts with %q; saw %v", want, api.agents())
	}
}

// adoptKey is the configuration that both tests apply after their terraform
// block: it adopts the organization's key as it is, as the README shows.
const adoptKey = `
provider "cloudconnector" {}

import {
  to = cloudconnector_api_key.this
  id = "current"
}

resource "cloudconnector_api_key" "this" {}

output "key_id" {
  value = cloudconnector_api_key.this.id
}
`

// appliedKeyID is adoptKey's key_id output after an apply.
func appliedKeyID(ctx context.Context, t *testing.T, tf *tfexec.Terraform) string {
	t.Helper()
	outputs, err := tf.Output(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keyID string
	if err := json.Unmarshal(outputs["key_id"].Value, &keyID); err != nil {
		t.Fatalf("output key_id %s: %v", outputs["key_id"].Value, err)
	}
	return keyID
}

// buildSnapshot runs goreleaser's snapshot with .goreleaser.yml narrowed to
// this machine's OS/arch (the full matrix is make release-snapshot's), into
// a fresh dist directory, signed with the key in gnupgHome, and returns that
// directory.
func buildSnapshot(ctx context.Context, t *testing.T, root string, goreleaser []string, gnupgHome, fingerprint string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, ".goreleaser.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, b := range cfg["builds"].([]any) {
		build := b.(map[string]any)
		build["goos"] = []string{runtime.GOOS}
		build["goarch"] = []string{runtime.GOARCH}
		delete(build, "ignore")
	}
	dist := filepath.Join(t.TempDir(), "dist")
	cfg["dist"] = dist
	narrowed, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "goreleaser.yml")
	writeFile(t, cfgPath, string(narrowed))

	args := slices.Concat(goreleaser[1:], []string{"release", "--snapshot", "--clean", "--config", cfgPath})
	cmd := exec.CommandContext(ctx, goreleaser[0], args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GNUPGHOME="+gnupgHome, "GPG_FINGERPRINT="+fingerprint)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("goreleaser release --snapshot: %v\n%s", err, out)
	}
	return dist
}

// makefileCommand is the command that GNUmakefile's variable name holds
// (name := go tool …), as words, so that the test runs what make runs.
func makefileCommand(t *testing.T, root, name string) []string {
	t.Helper()
	makefile, err := os.ReadFile(filepath.Join(root, "GNUmakefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s*:=\s*(\S.*)$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatalf("GNUmakefile sets no %s := <command>", name)
	}
	return strings.Fields(string(m[1]))
}

// throwawayGPGKey makes an RSA signing key (the kind the Registry takes) in a
// GnuPG home of its own, and returns that home and the key's fingerprint.
func throwawayGPGKey(ctx context.Context, t *testing.T) (gnupgHome, fingerprint string) {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Fatal("gpg not found: a release signs SHA256SUMS with it; install GnuPG (Debian: apt-get install gnupg)")
	}
	gnupgHome = t.TempDir()
	if err := os.Chmod(gnupgHome, 0o700); err != nil { // gpg warns about a home others can read
		t.Fatal(err)
	}
	// gpg starts an agent for the home: stop it with the test.
	t.Cleanup(func() { _ = exec.Command("gpgconf", "--homedir", gnupgHome, "--kill", "all").Run() })
	gpg(ctx, t, gnupgHome, "--passphrase", "", "--quick-generate-key", "release test <release-test@example.invalid>", "rsa2048", "sign", "1d")
	for _, line := range strings.Split(gpg(ctx, t, gnupgHome, "--list-secret-keys", "--with-colons"), "\n") {
		if fields := strings.Split(line, ":"); fields[0] == "fpr" && len(fields) > 9 {
			return gnupgHome, fields[9]
		}
	}
	t.Fatal("gpg made a key but lists no fingerprint")
	return "", ""
}

// gpg runs gpg in batch mode on the given home and returns its output.
func gpg(ctx context.Context, t *testing.T, gnupgHome string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "gpg", append([]string{"--batch", "--homedir", gnupgHome}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// snapshotVersion reads the version goreleaser gave the snapshot, and checks
// that it is one Terraform installs from a mirror: plain semver with a
// lowercase pre-release.
func snapshotVersion(t *testing.T, dist string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+-dev$`).MatchString(meta.Version) {
		t.Fatalf("the snapshot's version is %q; want the next minor with -dev, such as 0.2.0-dev", meta.Version)
	}
	return meta.Version
}

// readSums parses SHA256SUMS: "<hex digest>  <file name>" per line.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		digest, file, ok := strings.Cut(lines.Text(), "  ")
		if !ok || len(digest) != sha256.Size*2 {
			t.Fatalf("%s: line %q is not `<sha256>  <file>`", filepath.Base(path), lines.Text())
		}
		sums[file] = digest
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	return sums
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func zipFiles(t *testing.T, path string) []string {
	t.Helper()
	r, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var names []string
	for _, f := range r.File {
		names = append(names, f.Name)
	}
	return names
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(b))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// newTerraform runs the installed terraform (TF_ACC_TERRAFORM_PATH) in dir
// with the login in env, pointed at baseURL, and settings (the CLI
// configuration file, HOME) on top. The developer's own provider settings and
// CLI configuration are left out.
func newTerraform(t *testing.T, dir, baseURL string, env *testsupport.Env, settings map[string]string) *tfexec.Terraform {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set: run make test")
	}
	tf, err := tfexec.NewTerraform(dir, bin)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "ZTC_") && !strings.HasPrefix(k, "ZSCALER_") && k != "TF_PLUGIN_CACHE_DIR" && k != "TF_CLI_CONFIG_FILE" {
			vars[k] = v
		}
	}
	vars = tfexec.CleanEnv(vars)
	maps.Copy(vars, settings)
	vars["CHECKPOINT_DISABLE"] = "1"
	for _, k := range []string{"ZTC_USERNAME", "ZTC_PASSWORD", "ZTC_API_KEY"} {
		vars[k], _ = env.Lookup(k)
	}
	vars["ZTC_BASE_URL"] = baseURL
	if err := tf.SetEnv(vars); err != nil {
		t.Fatal(err)
	}
	return tf
}

// agentRecorder passes requests on to the simulator and keeps their
// User-Agent headers, which name the provider's version.
type agentRecorder struct {
	baseURL string
	mu      sync.Mutex
	seen    []string
}

func newAgentRecorder(t *testing.T, apiBaseURL string) *agentRecorder {
	t.Helper()
	target, err := url.Parse(apiBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	rec := &agentRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, r.UserAgent())
		rec.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rec.baseURL = srv.URL + target.Path
	return rec
}

func (r *agentRecorder) saw(prefix string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.ContainsFunc(r.seen, func(ua string) bool { return strings.HasPrefix(ua, prefix) })
}

func (r *agentRecorder) agents() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

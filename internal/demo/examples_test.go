package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// servedProviders are the providers a validation can reach offline: this
// one, built from the checkout, and echo, served in this process.
var servedProviders = map[string]string{
	"cloudconnector": "seed62df8d36/cloudconnector",
	"echo":           "hashicorp/echo",
}

// blockType finds the type of every resource, data source, ephemeral
// resource and provider block.
var blockType = regexp.MustCompile(`(?m)^\s*(resource|data|ephemeral|provider)\s+"([A-Za-z0-9_-]+)"`)

// foreignProviders lists the providers, other than the served ones, whose
// blocks a configuration file uses (by the type's prefix, as Terraform
// infers providers).
func foreignProviders(hcl string) []string {
	var out []string
	for _, m := range blockType.FindAllStringSubmatch(hcl, -1) {
		name := m[2]
		if m[1] != "provider" {
			name, _, _ = strings.Cut(name, "_")
		}
		if _, ok := servedProviders[name]; !ok && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func TestForeignProviders(t *testing.T) {
	hcl := `
resource "time_rotating" "r" {}
resource "cloudconnector_api_key" "k" {}
ephemeral "cloudconnector_api_key" "e" {}
data "aws_caller_identity" "me" {}
provider "aws" {}
  resource "echo" "x" {}
provider "cloudconnector" { alias = "a" }
# resource "random_password" "commented" is not a block
`
	if got := foreignProviders(hcl); !slices.Equal(got, []string{"aws", "time"}) {
		t.Errorf("foreignProviders = %v, want [aws time]", got)
	}
	if got := foreignProviders(`resource "cloudconnector_api_key" "k" {}`); got != nil {
		t.Errorf("foreignProviders = %v, want none", got)
	}
}

// exampleFolders are the folders under examples/ that hold configuration.
func exampleFolders(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(filepath.Join(root, "examples"), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") { // .terraform and the like
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".tf") && !slices.Contains(dirs, filepath.Dir(path)) {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestExamplesValidate runs `terraform validate` in every folder under
// examples/ against the provider built from this checkout. Files that use
// providers which cannot be installed offline (hashicorp/time, hashicorp/aws)
// are left out, and the test says which and why; a folder with nothing left
// is skipped with that reason.
func TestExamplesValidate(t *testing.T) {
	requireTerraform(t)
	t.Parallel()
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tf, err := tfrun.FindTerraform()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tmp := t.TempDir()
	bin := builtProvider(t)
	cliConfig := filepath.Join(tmp, "terraformrc")
	if err := tfrun.WriteCLIConfig(cliConfig, bin, nil); err != nil {
		t.Fatal(err)
	}
	logEnv := quietInProcessLogs()
	echo, err := startEcho(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Subtests run in parallel: stop echo when the last one is done.
	t.Cleanup(echo.Stop)
	env := append([]string{"TF_CLI_CONFIG_FILE=" + cliConfig, echo.Env()}, logEnv...)

	folders := exampleFolders(t, root)
	var mu sync.Mutex
	covered := map[string]bool{} // top-level example folders validated or skipped with a reason
	for _, dir := range folders {
		rel, _ := filepath.Rel(filepath.Join(root, "examples"), dir)
		top, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		mu.Lock()
		covered[top] = true
		mu.Unlock()
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			validateFolder(t, tf, env, dir)
		})
	}
	for _, want := range []string{"data-sources", "demo", "ephemeral-resources", "functions", "multi-org", "provider", "resources"} {
		if !covered[want] {
			t.Errorf("examples/%s has no configuration to validate", want)
		}
	}
}

func validateFolder(t *testing.T, tf string, env []string, dir string) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	var kept, skipped []string
	var declared bool
	used := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if foreign := foreignProviders(string(b)); len(foreign) > 0 {
			skipped = append(skipped, filepath.Base(f))
			t.Logf("left out %s: it uses %s, which cannot be installed offline (no network, no plugin cache); "+
				"the rest of the folder is validated", filepath.Base(f), strings.Join(foreign, ", "))
			continue
		}
		for _, m := range blockType.FindAllStringSubmatch(string(b), -1) {
			name, _, _ := strings.Cut(m[2], "_")
			used[name] = true
		}
		declared = declared || strings.Contains(string(b), "required_providers")
		kept = append(kept, filepath.Base(f))
		if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if len(kept) == 0 {
		t.Skipf("every file (%s) uses a provider that cannot be installed offline", strings.Join(skipped, ", "))
	}
	if !declared {
		// Examples in the docs leave the terraform block out; without it
		// Terraform would look for hashicorp/cloudconnector.
		var b strings.Builder
		b.WriteString("terraform {\n  required_providers {\n")
		for _, name := range sortedKeys(servedProviders) {
			if used[name] || name == "cloudconnector" {
				b.WriteString("    " + name + " = { source = \"" + servedProviders[name] + "\" }\n")
			}
		}
		b.WriteString("  }\n}\n")
		if err := os.WriteFile(filepath.Join(work, "zz_validate_providers.tf"), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, problem := range validate(t, tf, env, work) {
		t.Errorf("%s (files: %s)", problem, strings.Join(kept, ", "))
	}
}

// validate runs `terraform validate` in dir and returns its problems: every
// diagnostic but the dev_overrides warning, and "not valid".
func validate(t *testing.T, tf string, env []string, dir string) []string {
	t.Helper()
	run := &tfrun.Terraform{Bin: tf, Dir: dir, Env: env}
	res, err := run.Run(context.Background(), "validate", "-json", "-no-color")
	var out struct {
		Valid       bool `json:"valid"`
		Diagnostics []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Detail   string `json:"detail"`
		} `json:"diagnostics"`
	}
	if jerr := json.Unmarshal([]byte(res.Stdout), &out); jerr != nil {
		t.Fatalf("terraform validate: %v (%v)\n%s", err, jerr, res.Stdout)
	}
	var problems []string
	for _, d := range out.Diagnostics {
		if d.Summary != devOverridesWarning {
			problems = append(problems, d.Severity+": "+d.Summary+": "+d.Detail)
		}
	}
	if !out.Valid {
		problems = append(problems, "terraform validate: not valid")
	}
	return problems
}

// TestValidateCatchesMistakes: the validation above fails a configuration
// that does not match the provider's schema, so a stale example cannot pass.
func TestValidateCatchesMistakes(t *testing.T) {
	requireTerraform(t)
	t.Parallel()
	tf, err := tfrun.FindTerraform()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := builtProvider(t)
	cliConfig := filepath.Join(tmp, "terraformrc")
	if err := tfrun.WriteCLIConfig(cliConfig, bin, nil); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ body, want string }{
		"unknown argument": {`resource "cloudconnector_api_key" "k" {
  rotate_every = "90d"
}`, "Unsupported argument"},
		"key string too short": {`resource "cloudconnector_api_key" "k" {
  key = "short"
}`, "Invalid API key string"},
		"key with triggers": {`resource "cloudconnector_api_key" "k" {
  key                 = "abcdefghijkl"
  regenerate_triggers = { r = "1" }
}`, "Invalid Attribute Combination"},
	} {
		dir := filepath.Join(tmp, strings.ReplaceAll(name, " ", "-"))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		config := "terraform {\n  required_providers {\n    cloudconnector = { source = \"seed62df8d36/cloudconnector\" }\n  }\n}\n" + tc.body + "\n"
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		problems := validate(t, tf, []string{"TF_CLI_CONFIG_FILE=" + cliConfig}, dir)
		if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
			t.Errorf("%s: problems %q, want one with %q", name, problems, tc.want)
		}
	}
}

// terraformFences returns the ```terraform blocks of a Markdown text, each
// with the indentation of its fence removed. Guides mark complete
// configurations so; fragments use ```hcl and are not validated.
func terraformFences(markdown string) []string {
	var blocks []string
	var cur []string
	indent, in := "", false
	for _, line := range strings.Split(markdown, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case !in && trimmed == "```terraform":
			in, indent, cur = true, line[:len(line)-len(trimmed)], nil
		case in && trimmed == "```":
			blocks = append(blocks, strings.Join(cur, "\n")+"\n")
			in = false
		case in:
			cur = append(cur, strings.TrimPrefix(line, indent))
		}
	}
	return blocks
}

func TestTerraformFences(t *testing.T) {
	md := "text\n```terraform\nresource \"a\" \"b\" {}\n```\n```hcl\nfragment\n```\n1. step\n\n   ```terraform\n   provider \"x\" {\n     y = 1\n   }\n   ```\n"
	got := terraformFences(md)
	want := []string{"resource \"a\" \"b\" {}\n", "provider \"x\" {\n  y = 1\n}\n"}
	if !slices.Equal(got, want) {
		t.Errorf("terraformFences = %q, want %q", got, want)
	}
}

// TestGuidesValidate: every complete configuration in the guides is
// formatted as `terraform fmt` would and passes `terraform validate` against
// the built provider, so the guides cannot drift from the schema. Blocks that
// use providers which cannot be installed offline are skipped, with the reason.
func TestGuidesValidate(t *testing.T) {
	requireTerraform(t)
	t.Parallel()
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tf, err := tfrun.FindTerraform()
	if err != nil {
		t.Fatal(err)
	}
	guides, err := filepath.Glob(filepath.Join(root, "templates", "guides", "*.md.tmpl"))
	if err != nil || len(guides) < 5 {
		t.Fatalf("%d guides (%v), want the five", len(guides), err)
	}
	tmp := t.TempDir()
	bin := builtProvider(t)
	cliConfig := filepath.Join(tmp, "terraformrc")
	if err := tfrun.WriteCLIConfig(cliConfig, bin, nil); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + cliConfig}
	for _, guide := range guides {
		b, err := os.ReadFile(guide)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(guide), ".md.tmpl")
		for i, block := range terraformFences(string(b)) {
			t.Run(name+"/"+strconv.Itoa(i+1), func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				file := filepath.Join(dir, "main.tf")
				if err := os.WriteFile(file, []byte(block), 0o600); err != nil {
					t.Fatal(err)
				}
				fmtRun := &tfrun.Terraform{Bin: tf, Dir: dir, Env: env}
				if res, err := fmtRun.Run(context.Background(), "fmt", "-check", "-diff", "-no-color", "main.tf"); err != nil {
					t.Errorf("not formatted as terraform fmt would:\n%s", res.Stdout)
				}
				if foreign := foreignProviders(block); len(foreign) > 0 {
					t.Skipf("uses %s, which cannot be installed offline: formatting checked, validation skipped",
						strings.Join(foreign, ", "))
				}
				if !strings.Contains(block, "required_providers") {
					t.Fatal("a ```terraform block in a guide is a complete configuration: give it a terraform block, " +
						"or mark a fragment ```hcl")
				}
				for _, problem := range validate(t, tf, env, dir) {
					t.Error(problem)
				}
			})
		}
	}
}

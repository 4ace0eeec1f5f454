package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// servedProviders are the providers a validation can reach offline: this
// one and echo, both built from the checkout.
var servedProviders = map[string]string{"cloudconnector": "seed62df8d36/cloudconnector", "echo": "hashicorp/echo"}

// blockType finds the type of every resource, data source, ephemeral
// resource and provider block.
var blockType = regexp.MustCompile(`(?m)^\s*(resource|data|ephemeral|provider)\s+"([A-Za-z0-9_-]+)"`)

// providersOf lists the providers whose blocks a configuration uses (by the
// type's prefix, as Terraform infers them), and those of them not served here.
func providersOf(hcl string) (used, foreign []string) {
	for _, m := range blockType.FindAllStringSubmatch(hcl, -1) {
		name := m[2]
		if m[1] != "provider" {
			name, _, _ = strings.Cut(name, "_")
		}
		if !slices.Contains(used, name) {
			used = append(used, name)
		}
		if _, ok := servedProviders[name]; !ok && !slices.Contains(foreign, name) {
			foreign = append(foreign, name)
		}
	}
	slices.Sort(foreign)
	return used, foreign
}

func TestProvidersOf(t *testing.T) {
	hcl := `
resource "time_rotating" "r" {}
resource "cloudconnector_api_key" "k" {}
ephemeral "cloudconnector_api_key" "e" {}
data "aws_caller_identity" "me" {}
provider "aws" {}
  resource "echo" "x" {}
# resource "random_password" "commented" is not a block
`
	if _, got := providersOf(hcl); !slices.Equal(got, []string{"aws", "time"}) {
		t.Errorf("foreign providers %v, want [aws time]", got)
	}
	if used, got := providersOf(`resource "cloudconnector_api_key" "k" {}`); got != nil || !slices.Equal(used, []string{"cloudconnector"}) {
		t.Errorf("used %v, foreign %v, want cloudconnector and none", used, got)
	}
}

// languageFeatures are what a configuration can use beyond Terraform 1.11,
// found by their syntax. A binary without the feature leaves such a file (or
// a guide's block) out of validation, and says so.
var languageFeatures = []struct {
	name      string
	syntax    *regexp.Regexp
	terraform *version.Version // the first Terraform with it; nil: none
	openTofu  bool             // whether OpenTofu has it
}{
	{"actions", regexp.MustCompile(`(?m)^\s*(action\s+"|action_trigger\s*\{)`), version.Must(version.NewVersion("1.14.0")), false},
	{"import by identity", regexp.MustCompile(`(?m)^\s*identity\s*=\s*\{`), version.Must(version.NewVersion("1.12.0")), true},
	{"provider for_each", regexp.MustCompile(`(?s)provider\s+"[A-Za-z0-9_-]+"\s*\{[^}]*\bfor_each\s*=`), nil, true},
}

// unsupportedFeature names the first feature in hcl that bin lacks, and why;
// "" when bin has them all.
func unsupportedFeature(hcl string, bin testsupport.Binary) string {
	for _, f := range languageFeatures {
		if !f.syntax.MatchString(hcl) {
			continue
		}
		switch {
		case bin.OpenTofu && !f.openTofu:
			return fmt.Sprintf("%s: OpenTofu does not have them", f.name)
		case !bin.OpenTofu && f.terraform == nil:
			return fmt.Sprintf("%s: OpenTofu only", f.name)
		case !bin.OpenTofu && bin.Older(f.terraform):
			return fmt.Sprintf("%s: Terraform %s or newer, and this is %s", f.name, f.terraform, bin)
		}
	}
	return ""
}

func TestUnsupportedFeature(t *testing.T) {
	tf111 := testsupport.Binary{Version: "1.11.4"}
	tf115 := testsupport.Binary{Version: "1.15.0"}
	tofu := testsupport.Binary{Version: "1.12.6", OpenTofu: true}
	action := "action \"cloudconnector_api_key_regenerate\" \"now\" {}\n"
	identity := "import {\n  to = cloudconnector_api_key.this\n  identity = {\n    id = \"1\"\n  }\n}\n"
	forEach := "provider \"cloudconnector\" {\n  alias    = \"by_org\"\n  for_each = var.orgs\n}\n"
	plain := "resource \"cloudconnector_api_key\" \"this\" {}\n"
	for _, tc := range []struct {
		hcl  string
		bin  testsupport.Binary
		want string
	}{
		{action, tf111, "actions: Terraform 1.14.0 or newer, and this is Terraform 1.11.4"},
		{action, tf115, ""},
		{action, tofu, "actions: OpenTofu does not have them"},
		{identity, tf111, "import by identity: Terraform 1.12.0 or newer, and this is Terraform 1.11.4"},
		{identity, tf115, ""},
		{forEach, tf115, "provider for_each: OpenTofu only"},
		{forEach, tofu, ""},
		{plain, tf111, ""},
	} {
		if got := unsupportedFeature(tc.hcl, tc.bin); got != tc.want {
			t.Errorf("unsupportedFeature(%q, %s) = %q, want %q", tc.hcl, tc.bin, got, tc.want)
		}
	}
}

// declareProviders adds a terraform block naming the served providers that
// files use, where none of them has one: examples and guide fragments leave
// it out, and without it Terraform would look for hashicorp/cloudconnector.
func declareProviders(files map[string]string) {
	used := []string{"cloudconnector"}
	for _, text := range files {
		if strings.Contains(text, "required_providers") {
			return
		}
		names, _ := providersOf(text)
		used = append(used, names...)
	}
	var b strings.Builder
	for _, name := range []string{"cloudconnector", "echo"} {
		if slices.Contains(used, name) {
			b.WriteString("    " + name + " = { source = \"" + servedProviders[name] + "\" }\n")
		}
	}
	files["zz_validate_providers.tf"] = "terraform {\n  required_providers {\n" + b.String() + "  }\n}\n"
}

// validate runs `terraform validate` on files (name to text) in a fresh
// directory and returns its problems: every diagnostic, and "not valid".
func validate(t *testing.T, cli string, files map[string]string) []string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tf := terraformIn(t, cli, dir, nil)
	out, err := tf.Validate(context.Background())
	if err != nil {
		t.Fatalf("terraform validate: %v", err)
	}
	var problems []string
	for _, d := range out.Diagnostics {
		if d.Summary != tfrun.DevOverridesWarning {
			problems = append(problems, string(d.Severity)+": "+d.Summary+": "+d.Detail)
		}
	}
	if !out.Valid {
		problems = append(problems, "terraform validate: not valid")
	}
	return problems
}

func terraformIn(t *testing.T, cli, dir string, env map[string]string) *tfexec.Terraform {
	t.Helper()
	bin, err := tfrun.FindTerraform()
	if err != nil {
		t.Fatal(err)
	}
	if env == nil {
		env = map[string]string{}
	}
	env["TF_CLI_CONFIG_FILE"] = cli
	tf, err := tfrun.New(context.Background(), bin, dir, env)
	if err != nil {
		t.Fatal(err)
	}
	return tf
}

// TestExamplesValidate runs `terraform validate` in every folder under
// examples/ against the providers built from this checkout. Files that use
// providers which cannot be installed offline (hashicorp/time, hashicorp/aws)
// are left out, and the test says which; a folder with nothing left is
// skipped with that reason.
func TestExamplesValidate(t *testing.T) {
	cli := builtProviders(t)
	t.Parallel()
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	folders := map[string][]string{}
	_ = filepath.WalkDir(filepath.Join(root, "examples"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tf") {
			folders[filepath.Dir(path)] = append(folders[filepath.Dir(path)], path)
		}
		return err
	})
	covered := map[string]bool{}
	for dir, files := range folders {
		rel, _ := filepath.Rel(filepath.Join(root, "examples"), dir)
		top, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		covered[top] = true
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			if top == "opentofu-for-each" {
				t.Skip("validated and applied with its variables by TestOpenTofuForEachExample: a provider for_each " +
					"cannot be validated without the map's value")
			}
			t.Parallel()
			kept := map[string]string{}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if why := unsupportedFeature(string(b), testsupport.TestBinary(t)); why != "" {
					t.Logf("left out %s: it uses %s", filepath.Base(f), why)
					continue
				}
				if _, foreign := providersOf(string(b)); len(foreign) > 0 {
					t.Logf("left out %s: it uses %s, which cannot be installed offline; the rest of the folder is validated",
						filepath.Base(f), strings.Join(foreign, ", "))
					continue
				}
				kept[filepath.Base(f)] = string(b)
			}
			if len(kept) == 0 {
				t.Skip("every file uses a provider that cannot be installed offline, or a language feature that " +
					"this binary lacks (see the log)")
			}
			declareProviders(kept)
			for _, problem := range validate(t, cli, kept) {
				t.Errorf("%s (files: %s)", problem, strings.Join(slices.Sorted(maps.Keys(kept)), ", "))
			}
		})
	}
	for _, want := range []string{"actions", "data-sources", "demo", "ephemeral-resources", "functions", "multi-org", "opentofu-for-each", "provider", "resources"} {
		if !covered[want] {
			t.Errorf("examples/%s has no configuration to validate", want)
		}
	}
}

// TestValidateCatchesMistakes: the validation above fails a configuration
// that does not match the provider's schema, so a stale example cannot pass.
func TestValidateCatchesMistakes(t *testing.T) {
	cli := builtProviders(t)
	t.Parallel()
	for name, tc := range map[string]struct{ body, want string }{
		"unknown argument":     {"rotate_every = \"90d\"", "Unsupported argument"},
		"key string too short": {"key = \"short\"", "Invalid API key string"},
		"key with triggers":    {"key = \"abcdefghijkl\"\n  regenerate_triggers = { r = \"1\" }", "conflicts with key"},
	} {
		config := "terraform {\n  required_providers {\n    cloudconnector = { source = \"seed62df8d36/cloudconnector\" }\n  }\n}\n" +
			"resource \"cloudconnector_api_key\" \"k\" {\n  " + tc.body + "\n}\n"
		if problems := validate(t, cli, map[string]string{"main.tf": config}); !strings.Contains(strings.Join(problems, "\n"), tc.want) {
			t.Errorf("%s: problems %q, want one with %q", name, problems, tc.want)
		}
	}
}

// terraformFences returns the ```terraform blocks of a Markdown text, each
// with the indentation of its fence removed. Guides mark complete
// configurations so; fragments use ```hcl and are not validated.
func terraformFences(markdown string) []string {
	var blocks, cur []string
	indent, in := "", false
	for _, line := range strings.Split(markdown, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case !in && trimmed == "```terraform":
			in, indent, cur = true, line[:len(line)-len(trimmed)], nil
		case in && trimmed == "```":
			blocks, in = append(blocks, strings.Join(cur, "\n")+"\n"), false
		case in:
			cur = append(cur, strings.TrimPrefix(line, indent))
		}
	}
	return blocks
}

func TestTerraformFences(t *testing.T) {
	md := "text\n```terraform\nresource \"a\" \"b\" {}\n```\n```hcl\nfragment\n```\n1. step\n\n   ```terraform\n   provider \"x\" {\n     y = 1\n   }\n   ```\n"
	if got, want := terraformFences(md), []string{"resource \"a\" \"b\" {}\n", "provider \"x\" {\n  y = 1\n}\n"}; !slices.Equal(got, want) {
		t.Errorf("terraformFences = %q, want %q", got, want)
	}
}

// TestGuidesValidate: every ```terraform block in the guides (a fragment gets
// the terraform block it leaves out) is formatted as `terraform fmt` would and
// passes `terraform validate` against the built provider, so the guides cannot
// drift from the schema. Blocks that use providers which cannot be installed
// offline are skipped, with the reason; ```hcl blocks are not validated.
func TestGuidesValidate(t *testing.T) {
	cli := builtProviders(t)
	t.Parallel()
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	guides, err := filepath.Glob(filepath.Join(root, "templates", "guides", "*.md.tmpl"))
	if err != nil || len(guides) < 7 {
		t.Fatalf("%d guides (%v), want the seven", len(guides), err)
	}
	for _, guide := range guides {
		b, err := os.ReadFile(guide)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(guide), ".md.tmpl")
		for i, block := range terraformFences(string(b)) {
			t.Run(name+"/"+strconv.Itoa(i+1), func(t *testing.T) {
				t.Parallel()
				formatted, err := terraformIn(t, cli, t.TempDir(), nil).FormatString(context.Background(), block)
				if err != nil || formatted != block {
					t.Errorf("not formatted as terraform fmt would (%v):\n%s", err, formatted)
				}
				if why := unsupportedFeature(block, testsupport.TestBinary(t)); why != "" {
					t.Skipf("uses %s: formatting checked, validation skipped", why)
				}
				if _, foreign := providersOf(block); len(foreign) > 0 {
					t.Skipf("uses %s, which cannot be installed offline: formatting checked, validation skipped",
						strings.Join(foreign, ", "))
				}
				files := map[string]string{"main.tf": block}
				declareProviders(files)
				for _, problem := range validate(t, cli, files) {
					t.Error(problem)
				}
			})
		}
	}
}

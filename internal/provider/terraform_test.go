package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// What these tests need to run the terraform binary: terraform-plugin-testing
// kept on the installed binary, and this provider built as users run it.

// providerNamespace is the registry namespace under which tests reattach the
// providers, so that test configurations name sources as users do.
const providerNamespace = "seed62df8d36"

func TestMain(m *testing.M) {
	// Providers are served in-process and reattached under this namespace;
	// never download Terraform: TF_ACC_TERRAFORM_PATH names the installed one.
	_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", providerNamespace)
	_ = os.Unsetenv("TF_ACC_TERRAFORM_VERSION")
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	if os.Getenv("TF_ACC") != "" && os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		fmt.Fprintln(os.Stderr, "TF_ACC is set but TF_ACC_TERRAFORM_PATH is not: run `make test`, or point it at the terraform binary")
		os.Exit(2)
	}
	if os.Getenv("TF_ACC") != "" {
		forOpenTofu()
	}
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// forOpenTofu adapts terraform-plugin-testing to an OpenTofu binary, which
// resolves "seed62df8d36/cloudconnector" on its own registry's host, and
// which prints a warning about a missing CLI configuration file on stdout,
// where terraform-exec reads the version.
func forOpenTofu() {
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f != "" {
		if _, err := os.Stat(f); err != nil {
			_ = os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
	if b, err := testsupport.FindBinary(); err == nil && b.OpenTofu && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_HOST", testsupport.OpenTofuRegistryHost)
	}
}

// terraformBlock declares the providers a test configuration uses, by the
// sources under which the tests serve them.
func terraformBlock(providers ...string) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n")
	for _, p := range providers {
		fmt.Fprintf(&b, "    %s = { source = %q }\n", p, providerNamespace+"/"+p)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// built is the provider binary built once per test binary, for tests that
// run terraform as a user does (its own provider process, trace logs, -json).
var built struct {
	once              sync.Once
	dir               string
	terraform, config string
	err               error
}

// userTerraform returns the terraform binary and a CLI configuration that
// serves this module's provider, built once per test binary, through
// dev_overrides: terraform as a user runs it, with nothing downloaded.
func userTerraform(t testing.TB) (terraformBin, cliConfig string) {
	t.Helper()
	built.once.Do(func() {
		if built.terraform, built.err = tfrun.FindTerraform(); built.err != nil {
			return
		}
		// Shared by every test of the binary, so not one test's TempDir: TestMain removes it.
		//nolint:usetesting // outlives each test
		if built.dir, built.err = os.MkdirTemp("", "cloudconnector-test-provider-"); built.err != nil {
			return
		}
		bin := filepath.Join(built.dir, "terraform-provider-cloudconnector")
		if built.err = tfrun.Build(context.Background(), bin, nil, "."); built.err != nil {
			return
		}
		built.config = filepath.Join(built.dir, "cli.tfrc")
		built.err = tfrun.WriteCLIConfig(built.config, map[string]string{tfrun.ProviderSource: built.dir})
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.terraform, built.config
}

// skipBelow skips a test that drives the binary itself (not through
// terraform-plugin-testing) when the binary is OpenTofu or a Terraform older
// than minimum, saying which feature needs it.
func skipBelow(t testing.TB, minimum *version.Version, feature string) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
	b := testsupport.TestBinary(t)
	if b.OpenTofu {
		t.Skipf("%s is Terraform only; OpenTofu %s does not have it", feature, b.Version)
	}
	if b.Older(minimum) {
		t.Skipf("%s needs Terraform %s or newer; this is %s", feature, minimum, b)
	}
}

// skipOnOpenTofu is a terraform-plugin-testing version check that skips a
// test case when the binary is OpenTofu, with the reason given.
type skipOnOpenTofu string

func (s skipOnOpenTofu) CheckTerraformVersion(_ context.Context, _ tfversion.CheckTerraformVersionRequest,
	resp *tfversion.CheckTerraformVersionResponse) {
	b, err := testsupport.FindBinary()
	if err != nil {
		resp.Error = err
		return
	}
	if b.OpenTofu {
		resp.Skip = fmt.Sprintf("skipped on OpenTofu %s: %s", b.Version, string(s))
	}
}

// oneAPIEnv points the provider at org through OneAPI with a client secret.
func oneAPIEnv(sim *simulator.Simulator, org *simulator.Organization) *testsupport.Env {
	cfg := org.Config()
	return testsupport.NewEnv().
		Set("ZTC_BASE_URL", sim.OneAPIBaseURL()).
		Set("ZSCALER_CLIENT_ID", cfg.ClientID).
		Set("ZSCALER_CLIENT_SECRET", cfg.ClientSecret).
		Set("ZSCALER_TOKEN_URL", sim.TokenURL())
}

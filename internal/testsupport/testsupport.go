// Package testsupport holds what several test packages need: the simulator
// started per test, provider blocks that reach it, and the Terraform settings
// that keep terraform-plugin-testing on the installed binary.
package testsupport

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// ProviderNamespace is the registry namespace under which tests reattach the
// providers, so that test configurations name sources as users do.
const ProviderNamespace = "seed62df8d36"

// Main prepares the environment for terraform-plugin-testing, then runs the
// package's tests. Call it from TestMain.
func Main(m *testing.M) {
	// Providers are served in-process and reattached under this namespace;
	// never download Terraform: TF_ACC_TERRAFORM_PATH names the installed one.
	_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", ProviderNamespace)
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
	removeBuilt()
	os.Exit(code)
}

// forOpenTofu adapts terraform-plugin-testing to an OpenTofu binary, which
// resolves "seed62df8d36/cloudconnector" on its own registry's host, and
// which prints a warning about a missing CLI configuration file on stdout,
// where terraform-exec reads the version.
func forOpenTofu() {
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f != "" {
		if _, err := os.Stat(f); err != nil { //nolint:gosec // the user's own CLI configuration setting
			_ = os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
	if b, err := testBinary(); err == nil && b.OpenTofu && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_HOST", OpenTofuRegistryHost)
	}
}

// OpenTofuRegistryHost is where OpenTofu looks for a provider source without a host.
const OpenTofuRegistryHost = "registry.opentofu.org"

// TerraformBlock declares the providers a test configuration uses, by the
// sources under which the tests serve them.
func TerraformBlock(providers ...string) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n")
	for _, p := range providers {
		fmt.Fprintf(&b, "    %s = { source = %q }\n", p, ProviderNamespace+"/"+p)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

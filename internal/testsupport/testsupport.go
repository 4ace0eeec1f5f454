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
	// The provider shares its request pace through a file in the user's
	// cache directory: the tests' simulators come and go, so keep theirs apart.
	cache, err := os.MkdirTemp("", "cloudconnector-test-cache-")
	if err == nil {
		_ = os.Setenv("XDG_CACHE_HOME", cache)
	}
	code := m.Run()
	removeBuilt()
	if cache != "" {
		_ = os.RemoveAll(cache)
	}
	os.Exit(code)
}

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

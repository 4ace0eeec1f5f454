package testsupport

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// built is the provider binary built once per test binary, for tests that
// run terraform as a user does (its own provider process, trace logs, -json).
var built struct {
	once              sync.Once
	dir               string
	terraform, config string
	err               error
}

// UserTerraform returns the terraform binary and a CLI configuration that
// serves this module's provider, built once per test binary, through
// dev_overrides: terraform as a user runs it, with nothing downloaded.
func UserTerraform(t testing.TB) (terraformBin, cliConfig string) {
	t.Helper()
	built.once.Do(func() {
		if built.terraform, built.err = tfrun.FindTerraform(); built.err != nil {
			return
		}
		// Shared by every test of the binary, so not one test's TempDir: Main removes it.
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

// removeBuilt deletes the build, once the package's tests are done.
func removeBuilt() {
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
}

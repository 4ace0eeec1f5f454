package testsupport

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// Binary is the terraform (or OpenTofu) binary the tests run: the one
// TF_ACC_TERRAFORM_PATH names, else terraform on PATH.
type Binary = tfrun.Binary

var binary struct {
	once sync.Once
	bin  Binary
	err  error
}

// TestBinary finds the binary and asks it for its version, once per test binary.
func TestBinary(t testing.TB) Binary {
	t.Helper()
	b, err := testBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testBinary() (Binary, error) {
	binary.once.Do(func() {
		path, err := tfrun.FindTerraform()
		if err == nil {
			binary.bin, err = tfrun.Identify(context.Background(), path)
		}
		binary.err = err
	})
	return binary.bin, binary.err
}

// SkipBelow skips a test that drives the binary itself (not through
// terraform-plugin-testing) when the binary is OpenTofu or a Terraform older
// than minimum, saying which feature needs it.
func SkipBelow(t testing.TB, minimum *version.Version, feature string) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
	b := TestBinary(t)
	if b.OpenTofu {
		t.Skipf("%s is Terraform only; OpenTofu %s does not have it", feature, b.Version)
	}
	if b.Older(minimum) {
		t.Skipf("%s needs Terraform %s or newer; this is %s", feature, minimum, b)
	}
}

// SkipOnOpenTofu is a terraform-plugin-testing version check that skips a
// test case when the binary is OpenTofu, with the reason given.
func SkipOnOpenTofu(reason string) tfversion.TerraformVersionCheck {
	return skipOnOpenTofu(reason)
}

type skipOnOpenTofu string

func (s skipOnOpenTofu) CheckTerraformVersion(_ context.Context, _ tfversion.CheckTerraformVersionRequest,
	resp *tfversion.CheckTerraformVersionResponse) {
	b, err := testBinary()
	if err != nil {
		resp.Error = err
		return
	}
	if b.OpenTofu {
		resp.Skip = fmt.Sprintf("skipped on OpenTofu %s: %s", b.Version, string(s))
	}
}

package testsupport

import (
	"context"
	"sync"
	"testing"

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
	b, err := FindBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FindBinary is TestBinary for code that runs outside a test.
func FindBinary() (Binary, error) {
	binary.once.Do(func() {
		path, err := tfrun.FindTerraform()
		if err == nil {
			binary.bin, err = tfrun.Identify(context.Background(), path)
		}
		binary.err = err
	})
	return binary.bin, binary.err
}

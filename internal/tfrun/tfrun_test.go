package tfrun

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestBuildAndApply builds the providers and applies a configuration that
// uses the data source through dev_overrides and terraform-exec: the path
// every program here takes.
func TestBuildAndApply(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
	bin, err := FindTerraform()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	cli, err := BuildProviders(ctx, filepath.Join(dir, "providers"))
	if err != nil {
		t.Fatal(err)
	}
	config := `terraform {
  required_providers {
    cloudconnector = { source = "seed62df8d36/cloudconnector" }
  }
}
provider "cloudconnector" { cloud = "zscalerthree" }
data "cloudconnector_base_url" "this" {}
output "url" { value = data.cloudconnector_base_url.this.url }
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	// The user's own settings must not reach terraform: Env drops them.
	t.Setenv("TF_CLI_ARGS_apply", "-no-such-flag")
	t.Setenv("ZTC_CLOUD", "mars")
	tf, err := New(ctx, bin, dir, map[string]string{"TF_CLI_CONFIG_FILE": cli})
	if err != nil {
		t.Fatal(err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := tf.Output(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out["url"].Value); got != `"https://connector.zscalerthree.net/api/v1"` {
		t.Fatalf("url output %s", got)
	}
}

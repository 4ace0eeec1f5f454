package tfrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildAndPlan builds the provider and plans a configuration that uses
// its data source through dev_overrides: the path every program here takes.
func TestBuildAndPlan(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
	tf, err := FindTerraform()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin, err := BuildProvider(ctx, ".", filepath.Join(dir, "bin"))
	if err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(dir, "cli.tfrc")
	if err := WriteCLIConfig(cli, bin, nil); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
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
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	run := &Terraform{Bin: tf, Dir: work, Env: []string{"TF_CLI_CONFIG_FILE=" + cli}}
	if _, err := run.Run(ctx, "apply", "-auto-approve", "-input=false"); err != nil {
		t.Fatal(err)
	}
	res, err := run.Run(ctx, "output", "-raw", "url")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(res.Stdout) != "https://connector.zscalerthree.net/api/v1" {
		t.Fatalf("url output %q", res.Stdout)
	}
}

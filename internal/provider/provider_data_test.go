package provider

import (
	"path/filepath"
	"testing"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

func TestPaceFileTurnedOffByTheEnvironment(t *testing.T) {
	cfg := client.Config{BaseURL: "https://connector.zscaler.net/api/v1", Username: "admin@acme.com"}
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv(envPaceFile, "")
	if got := paceFile(cfg); filepath.Dir(got) != filepath.Join(cache, "terraform-provider-cloudconnector") {
		t.Fatalf("pace file %q, want one in %s", got, cache)
	}
	t.Setenv(envPaceFile, "off")
	if got := paceFile(cfg); got != "" {
		t.Fatalf("%s=off: pace file %q, want none", envPaceFile, got)
	}
}

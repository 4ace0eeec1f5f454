package provider

import (
	"path/filepath"
	"testing"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

func TestPaceFileTurnedOffByTheEnvironment(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	env := map[string]string{envBaseURL: "https://connector.zscaler.net/api/v1", envUsername: "admin@acme.com",
		envPassword: "pw", envAPIKey: "AbCd12EfGh34"}
	for _, off := range []bool{false, true} {
		if off {
			env[envPaceFile] = "off"
		}
		s, diags := resolveSettings(nullModel(), envOf(env))
		if diags.HasError() {
			t.Fatal(diagsText(diags))
		}
		if s.paceFileOff != off {
			t.Fatalf("%s=%q: paceFileOff %t", envPaceFile, env[envPaceFile], s.paceFileOff)
		}
	}
	if got := paceFile(client.Config{BaseURL: "https://connector.zscaler.net/api/v1", Username: "admin@acme.com"}); filepath.Dir(got) != filepath.Join(cache, "terraform-provider-cloudconnector") {
		t.Fatalf("pace file %q, want one in %s", got, cache)
	}
}

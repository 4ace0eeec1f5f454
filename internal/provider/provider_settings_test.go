package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

func envOf(m map[string]string) LookupEnv {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func nullModel() providerModel {
	n := types.StringNull()
	return providerModel{
		Cloud: n, BaseURL: n, Username: n, Password: n, APIKey: n, ClientID: n, ClientSecret: n,
		PrivateKey: n, VanityDomain: n, TokenURL: n, MaxRetries: types.Int64Null(), RequestTimeout: types.Int64Null(),
	}
}

func TestResolveSettingsLegacyFromEnv(t *testing.T) {
	s, diags := resolveSettings(nullModel(), envOf(map[string]string{
		"ZTC_USERNAME": "admin@acme.com", "ZTC_PASSWORD": "pw", "ZTC_API_KEY": "AbCd12EfGh34", "ZTC_CLOUD": "ZscalerTwo",
	}))
	if diags.HasError() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	if s.authMode != client.AuthLegacy || !s.hasLogin {
		t.Fatalf("mode %q, hasLogin %v; want legacy with a login", s.authMode, s.hasLogin)
	}
	if s.cloud != "zscalertwo" || s.client.BaseURL != "https://connector.zscalertwo.net/api/v1" {
		t.Fatalf("cloud %q, base URL %q", s.cloud, s.client.BaseURL)
	}
	if s.client.Username != "admin@acme.com" || s.client.Password != "pw" || s.client.APIKey != "AbCd12EfGh34" {
		t.Fatal("legacy credentials not taken from the environment")
	}
	if s.client.MaxRetries != defaultMaxRetries || s.client.RequestTimeout != defaultRequestTimeoutSeconds*time.Second {
		t.Fatalf("defaults: retries %d, timeout %s", s.client.MaxRetries, s.client.RequestTimeout)
	}
}

func TestResolveSettingsOneAPITokenURL(t *testing.T) {
	m := nullModel()
	m.ClientID = types.StringValue("abc")
	m.ClientSecret = types.StringValue("s3cret")
	m.VanityDomain = types.StringValue("acme")
	m.Cloud = types.StringValue("zscalerbeta")
	m.MaxRetries = types.Int64Value(0)
	m.RequestTimeout = types.Int64Value(7)
	s, diags := resolveSettings(m, envOf(nil))
	if diags.HasError() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	if got, want := s.client.TokenURL, "https://acme.zsloginzscalerbeta.net/oauth2/v1/token"; got != want {
		t.Fatalf("token URL %q, want %q", got, want)
	}
	if got, want := s.client.BaseURL, "https://api.zscalerbeta.zsapi.net/ztw/api/v1"; got != want {
		t.Fatalf("base URL %q, want %q", got, want)
	}
	if s.client.MaxRetries != 0 || s.client.RequestTimeout != 7*time.Second {
		t.Fatalf("retries %d, timeout %s", s.client.MaxRetries, s.client.RequestTimeout)
	}
	m.Cloud = types.StringNull()
	s, _ = resolveSettings(m, envOf(nil))
	if got, want := s.client.TokenURL, "https://acme.zslogin.net/oauth2/v1/token"; got != want {
		t.Fatalf("production token URL %q, want %q", got, want)
	}
}

func TestResolveSettingsNoLoginIsLazy(t *testing.T) {
	s, diags := resolveSettings(nullModel(), envOf(nil))
	if diags.HasError() {
		t.Fatalf("no login must not be an error until the API is needed: %v", diags)
	}
	if s.hasLogin {
		t.Fatal("hasLogin without credentials")
	}
	data, diags := newProviderData(s, "test", "1.11.4")
	if diags.HasError() {
		t.Fatal(diags)
	}
	if _, diags := data.apiClient(); !diags.HasError() || !strings.Contains(diags[0].Detail(), "ZTC_USERNAME") {
		t.Fatalf("apiClient without login: want an error naming the variables, got %v", diags)
	}
}

// TestMixedLoginSaysWhatIsSetWhere: one sentence per login names its settings
// and where each comes from, then the fix.
func TestMixedLoginSaysWhatIsSetWhere(t *testing.T) {
	env := map[string]string{envPassword: "pw", envAPIKey: "AbCd12EfGh34", envClientID: "abc", envClientSecret: "s3cret"}
	for _, tc := range []struct {
		name     string
		username types.String
		want     string
	}{
		{"all in the environment", types.StringNull(),
			"Legacy login: ZTC_PASSWORD, ZTC_API_KEY in the environment. OneAPI login: ZSCALER_CLIENT_ID, " +
				"ZSCALER_CLIENT_SECRET in the environment. Keep one login and remove the other's settings."},
		{"a legacy argument in the provider block", types.StringValue("admin@acme.com"),
			"Legacy login: username in the provider block; ZTC_PASSWORD, ZTC_API_KEY in the environment. OneAPI login: " +
				"ZSCALER_CLIENT_ID, ZSCALER_CLIENT_SECRET in the environment. Keep one login and remove the other's settings."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := nullModel()
			m.Username = tc.username
			legacy := []setting{pick("username", m.Username, envOf(env), envUsername), pick("password", m.Password, envOf(env), envPassword),
				pick("api_key", m.APIKey, envOf(env), envAPIKey)}
			oneAPI := []setting{pick("client_id", m.ClientID, envOf(env), envClientID),
				pick("client_secret", m.ClientSecret, envOf(env), envClientSecret)}
			if got := mixedLoginError(legacy, oneAPI).Detail(); got != tc.want {
				t.Fatalf("detail:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
	// resolveSettings refuses the mix from the environment with this message
	if _, diags := resolveSettings(nullModel(), envOf(env)); !strings.Contains(diagsText(diags), "Legacy login: ZTC_PASSWORD") {
		t.Fatalf("resolveSettings: %s", diagsText(diags))
	}
}

func TestResolveSettingsSecretsStayOutOfDiagnostics(t *testing.T) {
	secrets := []string{"hunter2hunter2", "AbCd12EfGh3!", "s3cr3t-value"}
	m := nullModel()
	m.Password = types.StringValue(secrets[0])
	m.APIKey = types.StringValue(secrets[1])
	m.ClientSecret = types.StringValue(secrets[2])
	_, diags := resolveSettings(m, envOf(map[string]string{"ZTC_API_KEY": "short"}))
	if !diags.HasError() {
		t.Fatal("mixed logins must be refused")
	}
	for _, d := range diags {
		for _, s := range secrets {
			if strings.Contains(d.Summary()+d.Detail(), s) {
				t.Fatalf("diagnostic %q reveals a secret", d.Detail())
			}
		}
	}
}

func TestCheckLoginKey(t *testing.T) {
	if err := checkLoginKey("AbCd12EfGh34"); err != nil {
		t.Fatal(err)
	}
	if err := checkLoginKey("AbCd12EfGh34Xy"); err != nil {
		t.Fatalf("longer keys obfuscate fine: %v", err)
	}
	for _, bad := range []string{"", "short", "AbCd12EfGh3!", "AbCd12EfGh3 ", "ÄbCd12EfGh34"} {
		err := checkLoginKey(bad)
		if err == nil {
			t.Errorf("checkLoginKey(%q) accepted", bad)
			continue
		}
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error %q echoes the key", err)
		}
	}
}

func TestCheckVanityDomain(t *testing.T) {
	for _, good := range []string{"acme", "acme-corp", "a1"} {
		if err := checkVanityDomain(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	for _, bad := range []string{"", "-acme", "acme-", "acme.zslogin.net", "https://acme", strings.Repeat("a", 64)} {
		if err := checkVanityDomain(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzCheckLoginKey(f *testing.F) {
	for _, s := range []string{"AbCd12EfGh34", "short", "AbCd12EfGh3!", "ÄbCd12EfGh34"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := checkLoginKey(key)
		if err == nil && (len(key) < 12 || !isAlphanumeric(key)) {
			t.Fatalf("accepted %q", key)
		}
		if err != nil && len(key) >= 4 && strings.Contains(err.Error(), key) {
			t.Fatalf("error echoes the key: %v", err)
		}
	})
}

func FuzzCheckVanityDomain(f *testing.F) {
	for _, s := range []string{"acme", "acme.zslogin.net", "-a", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if checkVanityDomain(v) == nil && (strings.ContainsAny(v, "./:@ ") || v == "" || len(v) > 63) {
			t.Fatalf("accepted %q", v)
		}
	})
}

// TestWithAPIPath: a bare host gets the login mode's API path; the other
// mode's path is refused with the URL to use instead; other paths stay.
func TestWithAPIPath(t *testing.T) {
	cases := []struct {
		in   string
		mode client.AuthMode
		want string // "" = an error
	}{
		{"http://127.0.0.1:8080", client.AuthLegacy, "http://127.0.0.1:8080/api/v1"},
		{"http://127.0.0.1:8080", client.AuthOneAPI, "http://127.0.0.1:8080/ztw/api/v1"},
		{"https://connector.zscaler.net/api/v1", client.AuthLegacy, "https://connector.zscaler.net/api/v1"},
		{"https://api.zsapi.net/ztw/api/v1", client.AuthOneAPI, "https://api.zsapi.net/ztw/api/v1"},
		{"https://api.zsapi.net/ztw/api/v1", client.AuthLegacy, ""},
		{"https://connector.zscaler.net/api/v1", client.AuthOneAPI, ""},
		{"https://proxy.example.com/zscaler", client.AuthOneAPI, "https://proxy.example.com/zscaler"},
	}
	for _, tc := range cases {
		got, err := withAPIPath(tc.in, tc.mode)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), tc.in) {
				t.Errorf("withAPIPath(%s, %v) = %q, %v; want an error naming the URL", tc.in, tc.mode, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("withAPIPath(%s, %v) = %q, %v; want %q", tc.in, tc.mode, got, err, tc.want)
		}
	}
	_, err := withAPIPath("https://connector.zscaler.net/api/v1", client.AuthOneAPI)
	if want := "use https://connector.zscaler.net/ztw/api/v1"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v; want it to say %q", err, want)
	}
}

// isAlphanumeric is the tests' own statement of the key strings' characters,
// ASCII letters and digits, to check the code against.
func isAlphanumeric(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

package provider

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
)

// TestTLSVerificationFailureNamesTheFixes: an endpoint whose certificate
// this machine does not trust (self-signed, a TLS-intercepting proxy, a
// private CA) gets an error that says so, names where the URL came from,
// the proxy and CA bundle settings, and that running again will not help.
func TestTLSVerificationFailureNamesTheFixes(t *testing.T) {
	// its certificate is signed by no authority this machine trusts
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		origin string
	}{
		{"legacy login", map[string]string{envBaseURL: srv.URL + "/api/v1", envUsername: "admin@acme.example",
			envPassword: "Pa55word-zebra", envAPIKey: "AbCd12EfGh34"}, "(from environment variable ZTC_BASE_URL)"},
		{"OneAPI token", map[string]string{envBaseURL: srv.URL + "/ztw/api/v1", envTokenURL: srv.URL + "/oauth2/v1/token",
			envClientID: "client-abc", envClientSecret: "client-secret-xyz"}, "(from token_url or ZSCALER_TOKEN_URL, else vanity_domain)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, diags := resolveSettings(nullModel(), envOf(tc.env))
			if diags.HasError() {
				t.Fatal(diagsText(diags))
			}
			data, diags := newProviderData(s, "test", "")
			if diags.HasError() {
				t.Fatal(diagsText(diags))
			}
			_, _, err := data.client.OrganizationKey(t.Context())
			if err == nil {
				t.Fatal("the untrusted endpoint was accepted")
			}
			detail := data.apiError(opRead, err, path.Empty()).Detail()
			for _, want := range []string{srv.URL, "certificate", tc.origin, "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE",
				"SSL_CERT_DIR", "will not help"} {
				if !strings.Contains(detail, want) {
					t.Errorf("the message does not say %q:\n%s", want, detail)
				}
			}
			if strings.Contains(detail, "Run the command again") {
				t.Errorf("the message asks to run again:\n%s", detail)
			}
		})
	}
}

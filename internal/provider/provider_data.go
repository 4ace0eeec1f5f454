package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// providerData is what Configure hands to every resource, data source and
// ephemeral resource: the settings and one API client that logs in lazily.
type providerData struct {
	settings settings
	client   *client.Client // nil when no login is configured

	// keysSeen are the key strings this process has handled: masked in every
	// later log line too, since one may be the client's login key by then.
	mu       sync.Mutex
	keysSeen []string
	// claimedIDs are the keys a Create in this process adopted, edited or
	// regenerated. In a create_before_destroy replacement, Delete runs next,
	// in the same process, for the object with the same key ID: it must not
	// delete the key the new object now holds.
	claimedIDs map[int64]bool
}

// claim records that a Create in this process took key id over.
func (d *providerData) claim(id int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.claimedIDs == nil {
		d.claimedIDs = map[int64]bool{}
	}
	d.claimedIDs[id] = true
}

// claimed reports whether a Create in this process took key id over.
func (d *providerData) claimed(id int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.claimedIDs[id]
}

func newProviderData(s settings, version, terraformVersion string) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	data := &providerData{settings: s}
	if !s.hasLogin {
		return data, diags
	}
	cfg := s.client
	cfg.UserAgent = userAgent(version, terraformVersion)
	cfg.Logger = tflogLogger{}
	if !s.paceFileOff {
		cfg.PaceFile = paceFile(cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		diags.AddError("Cannot set up the API client", err.Error())
		return nil, diags
	}
	data.client = c
	return data, diags
}

// providerDataFrom is what every Configure does with the provider's data:
// nil before the provider is configured (Terraform validates first).
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", v))
	}
	return data
}

// apiClient returns the client, or an error that says how to configure a login
// when none was: only operations that call the API need one.
func (d *providerData) apiClient() (*client.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d == nil || d.client == nil {
		diags.AddError("No login configured for the cloudconnector provider",
			fmt.Sprintf("This operation calls the Cloud & Branch Connector API, and the provider has no login. "+
				"Set username, password and api_key (%s, %s, %s) for legacy login, or client_id with client_secret "+
				"or private_key and vanity_domain (%s, %s, %s, %s) for OneAPI.",
				envUsername, envPassword, envAPIKey, envClientID, envClientSecret, envPrivateKey, envVanityDomain))
		return nil, diags
	}
	return d.client, diags
}

// withMasks returns ctx with every configured secret, any extra strings (key
// values in play) and every key value handled before, masked in this
// provider's log output.
func (d *providerData) withMasks(ctx context.Context, extra ...string) context.Context {
	secrets := slices.Clone(extra)
	if d != nil {
		c := d.settings.client
		secrets = append(secrets, c.Password, c.APIKey, c.ClientSecret)
		secrets = append(secrets, pemMasks(d.settings.privateKeyPEM)...)
		d.mu.Lock()
		for _, v := range extra {
			if v != "" && !slices.Contains(d.keysSeen, v) {
				d.keysSeen = append(d.keysSeen, v)
			}
		}
		secrets = append(secrets, d.keysSeen...)
		d.mu.Unlock()
	}
	nonEmpty := secrets[:0]
	for _, s := range secrets {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	if len(nonEmpty) == 0 {
		return ctx
	}
	return tflog.MaskLogStrings(ctx, nonEmpty...)
}

// pemMasks are the PEM text and each line of its body, so that the key is
// masked also where a log would show it escaped or one line at a time.
func pemMasks(text string) []string {
	if text == "" {
		return nil
	}
	masks := []string{text, strings.TrimSpace(text)}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			masks = append(masks, line)
		}
	}
	return masks
}

// envPaceFile set to "off" turns the shared pace file off: each provider
// process then paces only its own requests.
const envPaceFile = "CLOUDCONNECTOR_PACE_FILE"

// paceFile is where the request pace of one organization's login is shared
// between the provider processes that Terraform starts (one per walk), so
// that back-to-back commands stay within the API's rate limits. It lives in
// the user's cache directory, named by a hash of the base URL and the login
// identity; without a cache directory, or with CLOUDCONNECTOR_PACE_FILE=off
// (settings.paceFileOff), each process paces alone.
func paceFile(c client.Config) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	id := c.Username
	if c.ClientID != "" {
		id = c.ClientID
	}
	sum := sha256.Sum256([]byte(c.BaseURL + "\n" + id))
	return filepath.Join(dir, "terraform-provider-cloudconnector", "pace-"+hex.EncodeToString(sum[:8]))
}

func userAgent(version, terraformVersion string) string {
	ua := "terraform-provider-cloudconnector/" + version + " (+https://registry.terraform.io/providers/seed62df8d36/cloudconnector)"
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	return ua
}

// tflogLogger sends the client's debug lines to Terraform's provider log.
type tflogLogger struct{}

func (tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}

package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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
	// claims are, per key ID, the objects this plan walk keeps holding a key
	// and those whose destroy deletes it (see claimKey).
	claims map[int64]keyClaims
	// tookOver are the keys a Create in this process adopted or wrote: a
	// Delete in the same apply leaves them alone.
	tookOver keySet
	// keyChange serializes the Creates and Deletes of this process, so that
	// a Delete's checks and its call see the same key.
	keyChange sync.Mutex
	// refreshed: Terraform has refreshed an object in this process. It does
	// so when it plans, never when it applies, and it plans every change
	// again at apply: warnings that a plan showed are not repeated there.
	refreshed atomic.Bool
	// replaced are the keys whose old object a replacement in this apply
	// has just destroyed: the create that follows is its new half, which the
	// plan has announced.
	replaced keySet
	// recent is the last list's answer in this process, and keyOps the
	// Creates, Updates, Deletes and action invocations done (see recentOrgKey).
	recent *recentList
	keyOps atomic.Uint64
}

// recentList is one list's answer and the count of key operations done when
// the list began.
type recentList struct {
	key    client.APIKey
	found  bool
	keyOps uint64
}

// keyClaims counts the objects of one plan that claim a key.
type keyClaims struct{ holders, deleters int }

// claimKey records that an object of this plan keeps key id (or, with
// deletes, that its destroy deletes it) and returns the claims made before
// it. Terraform plans every object of a configuration in one provider
// process, so two objects that fight over one key always meet here.
func (d *providerData) claimKey(id int64, deletes bool) (before keyClaims) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.claims == nil {
		d.claims = map[int64]keyClaims{}
	}
	before = d.claims[id]
	after := before
	if deletes {
		after.deleters++
	} else {
		after.holders++
	}
	d.claims[id] = after
	return before
}

// keySet is a set of key IDs that the calls of one provider process share.
type keySet struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (s *keySet) add(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[int64]bool{}
	}
	s.ids[id] = true
}

func (s *keySet) has(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
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

// orgKey is the organization's key as one list showed it, with the client
// that listed it and a context that masks every key string in play.
type orgKey struct {
	ctx    context.Context
	client *client.Client
	key    client.APIKey
	found  bool
}

// listOrgKey is how every operation that reads the key starts: the client (or
// the error that says how to log in), masks for the key strings in play, one
// list, and a failed list in the user's terms. ok is false when it added an
// error to diags.
func (d *providerData) listOrgKey(ctx context.Context, diags *diag.Diagnostics, inPlay ...string) (orgKey, bool) {
	c, clientDiags := d.apiClient()
	diags.Append(clientDiags...)
	if clientDiags.HasError() {
		return orgKey{}, false
	}
	ctx = d.withMasks(ctx, inPlay...)
	keyOps := d.keyOps.Load()
	key, found, err := c.OrganizationKey(ctx)
	if err != nil {
		diags.Append(d.apiError(opRead, err, path.Empty()))
		return orgKey{}, false
	}
	d.mu.Lock()
	d.recent = &recentList{key: key, found: found, keyOps: keyOps}
	d.mu.Unlock()
	return orgKey{ctx: d.withMasks(ctx, key.Value), client: c, key: key, found: found}, true
}

// recentOrgKey takes the answer of the last list of this process, once, when
// no key operation ran since that list began; otherwise it lists. The API
// allows two lists a second across all of Terraform's processes, and without
// it a rotation would list four times within one: the refresh and the plan of
// the new half in the plan walk, that plan again and the Create at apply.
func (d *providerData) recentOrgKey(ctx context.Context, diags *diag.Diagnostics, inPlay ...string) (orgKey, bool) {
	c, clientDiags := d.apiClient()
	if clientDiags.HasError() {
		diags.Append(clientDiags...)
		return orgKey{}, false
	}
	d.mu.Lock()
	recent := d.recent
	d.recent = nil
	d.mu.Unlock()
	if recent == nil || recent.keyOps != d.keyOps.Load() {
		return d.listOrgKey(ctx, diags, inPlay...)
	}
	ctx = d.withMasks(ctx, append(inPlay, recent.key.Value)...)
	return orgKey{ctx: ctx, client: c, key: recent.key, found: recent.found}, true
}

// keyOpDone marks the end of a Create, Update, Delete or action invocation:
// it may have changed the key, so a list that began before is not recent.
func (d *providerData) keyOpDone() {
	if d != nil {
		d.keyOps.Add(1)
	}
}

// legacyLogin reports whether the provider logs in with a legacy session,
// whose api_key is the organization's key: the key this provider manages.
func (d *providerData) legacyLogin() bool {
	return d != nil && d.settings.hasLogin && d.settings.authMode == client.AuthLegacy
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
	secrets = slices.DeleteFunc(secrets, func(s string) bool { return s == "" })
	if len(secrets) == 0 {
		return ctx
	}
	return tflog.MaskLogStrings(ctx, secrets...)
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

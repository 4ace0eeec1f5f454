package main

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// Environment variables the provider reads. The demo passes every one of them
// to Terraform explicitly, so that what it runs against is exactly what it
// announced, whatever else the shell holds.
var providerEnvNames = []string{
	"ZTC_CLOUD", "ZSCALER_CLOUD", "ZTC_BASE_URL",
	"ZTC_USERNAME", "ZTC_PASSWORD", "ZTC_API_KEY",
	"ZSCALER_CLIENT_ID", "ZSCALER_CLIENT_SECRET", "ZSCALER_PRIVATE_KEY",
	"ZSCALER_VANITY_DOMAIN", "ZSCALER_TOKEN_URL",
}

// credentialEnvNames are the variables that mean "a real tenant": any of them
// set and the demo leaves the simulator out.
var credentialEnvNames = []string{
	"ZTC_USERNAME", "ZTC_PASSWORD", "ZTC_API_KEY",
	"ZSCALER_CLIENT_ID", "ZSCALER_CLIENT_SECRET", "ZSCALER_PRIVATE_KEY",
}

// confirmEnv must be "yes" before the demo changes a real tenant's key.
const confirmEnv = "DEMO_REAL_TENANT"

// lookupFunc has the signature of os.LookupEnv.
type lookupFunc func(string) (string, bool)

func (l lookupFunc) get(name string) string {
	v, _ := l(name)
	return v
}

// tenantCredentials names the credential variables that are set.
func tenantCredentials(env lookupFunc) []string {
	var set []string
	for _, name := range credentialEnvNames {
		if env.get(name) != "" {
			set = append(set, name)
		}
	}
	return set
}

// orgKey is the organization's key as the API has it.
type orgKey struct {
	ID    int64
	Value string
}

// String never shows the key string.
func (k orgKey) String() string { return fmt.Sprintf("key %d", k.ID) }

// GoString is String, so that %#v cannot show the key string either.
func (k orgKey) GoString() string { return k.String() }

// apiCounts is what the simulator served during one step.
type apiCounts struct {
	Calls  int            // every API request, logins included
	Writes map[string]int // regenerate, edit, add, delete answered 2xx
}

// writeOps are the calls that change a key, in the order the summary lists them.
var writeOps = []simulator.Op{simulator.OpRegenerate, simulator.OpEdit, simulator.OpAdd, simulator.OpDelete}

// target is where the demo's organization lives: the embedded simulator or a
// real tenant. The steps are the same; what a target can prove differs.
type target interface {
	// Label names the target in the header and the summary.
	Label() string
	// Describe gives the header's lines about the target.
	Describe() []string
	// AuthMode is how the provider logs in ("legacy" or "oneapi").
	AuthMode() client.AuthMode
	// BaseURL is the URL the provider should report in step 1.
	BaseURL() string
	// ProviderEnv is the provider's environment for the next Terraform run.
	ProviderEnv() []string
	// SetLoginKey records the key string after a change. Under legacy login
	// the provider logs in with it, so the next run must use it; it reports
	// whether that was the case.
	SetLoginKey(value string) bool
	// Key reads the organization's key from the API (or the simulator's memory).
	Key(ctx context.Context) (orgKey, bool, error)
	// RegenerateOutOfBand regenerates the key outside Terraform, as an admin
	// in the portal would.
	RegenerateOutOfBand(ctx context.Context) (orgKey, error)
	// Counts is what the API served so far; ok is false where nothing counts
	// the calls (a real tenant).
	Counts() (c apiCounts, ok bool)
	// Secrets are the credentials the output must never show.
	Secrets() []string
	// Close stops whatever the target started.
	Close() error
}

// simTarget is the simulator, started in this process on a free loopback port.
type simTarget struct {
	sim      *simulator.Simulator
	org      *simulator.Organization
	loginKey string
}

func newSimTarget() (*simTarget, error) {
	sim, err := simulator.New(simulator.Options{}) // one organization, generated credentials and key
	if err != nil {
		return nil, err
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	org := sim.DefaultOrganization()
	key, ok := org.Key()
	if !ok {
		_ = sim.Close()
		return nil, errors.New("the simulator's organization has no key")
	}
	return &simTarget{sim: sim, org: org, loginKey: key.Value}, nil
}

func (t *simTarget) Label() string { return "simulator" }

// String and GoString keep the login key and password out of any print.
func (t *simTarget) String() string   { return "simulator at " + t.sim.URL() }
func (t *simTarget) GoString() string { return t.String() }

func (t *simTarget) Describe() []string {
	return []string{
		"the simulator, started in this process at " + t.sim.URL(),
		fmt.Sprintf("organization %q, legacy login as %s; no tenant, no credentials,", t.org.Name(), t.org.Config().Username),
		"nothing leaves this machine",
	}
}

func (t *simTarget) AuthMode() client.AuthMode { return client.AuthLegacy }

func (t *simTarget) BaseURL() string { return t.sim.LegacyBaseURL() }

func (t *simTarget) ProviderEnv() []string {
	cfg := t.org.Config()
	set := map[string]string{
		"ZTC_BASE_URL": t.sim.LegacyBaseURL(),
		"ZTC_USERNAME": cfg.Username,
		"ZTC_PASSWORD": cfg.Password,
		"ZTC_API_KEY":  t.loginKey,
	}
	env := make([]string, 0, len(providerEnvNames))
	for _, name := range providerEnvNames {
		env = append(env, name+"="+set[name]) // the others empty: the provider treats "" as unset
	}
	return env
}

func (t *simTarget) SetLoginKey(value string) bool {
	t.loginKey = value
	return true
}

func (t *simTarget) Key(context.Context) (orgKey, bool, error) {
	k, ok := t.org.Key()
	return orgKey{ID: k.ID, Value: k.Value}, ok, nil
}

// RegenerateOutOfBand goes through the simulator's Go API: the change a
// portal admin makes, which no Terraform run sees coming.
func (t *simTarget) RegenerateOutOfBand(context.Context) (orgKey, error) {
	k, err := t.org.RegenerateKey()
	if err != nil {
		return orgKey{}, err
	}
	return orgKey{ID: k.ID, Value: k.Value}, nil
}

func (t *simTarget) Counts() (apiCounts, bool) {
	c := t.sim.Counts()
	out := apiCounts{Writes: map[string]int{}}
	for _, n := range c.Calls {
		out.Calls += n
	}
	for _, op := range writeOps {
		out.Writes[string(op)] = c.OK[op]
	}
	return out, true
}

func (t *simTarget) Secrets() []string {
	cfg := t.org.Config()
	return []string{cfg.Password, cfg.ClientSecret}
}

func (t *simTarget) Close() error { return t.sim.Close() }

// apiTarget is a real tenant, reached with the credentials in the environment.
// The demo cannot count its calls, and it makes the out-of-band regenerate
// through internal/client, as any API user (or the portal) would.
type apiTarget struct {
	cloud  string
	cfg    client.Config
	env    lookupFunc
	setEnv []string // names of the credential variables that were set
}

func newAPITarget(env lookupFunc) (*apiTarget, error) {
	cfg, cloud, err := clientConfigFromEnv(env)
	if err != nil {
		return nil, err
	}
	return &apiTarget{cloud: cloud, cfg: cfg, env: env, setEnv: tenantCredentials(env)}, nil
}

// clientConfigFromEnv reads the provider's environment variables the way the
// provider does (cloud, base URL, one login or the other), for the demo's own
// calls to the same tenant.
func clientConfigFromEnv(env lookupFunc) (client.Config, string, error) {
	cloud := strings.ToLower(strings.TrimSpace(firstSet(env, "ZTC_CLOUD", "ZSCALER_CLOUD")))
	if cloud == "" {
		cloud = client.DefaultCloud
	}
	if !client.IsCloud(cloud) {
		return client.Config{}, "", fmt.Errorf("unknown cloud %q (ZTC_CLOUD or ZSCALER_CLOUD): valid clouds are %s",
			cloud, strings.Join(client.Clouds(), ", "))
	}
	cfg := client.Config{MaxRetries: 5, UserAgent: "cloudconnector-demo"}
	mode := client.AuthLegacy
	if env.get("ZSCALER_CLIENT_ID") != "" {
		mode = client.AuthOneAPI
		cfg.ClientID = env.get("ZSCALER_CLIENT_ID")
		cfg.ClientSecret = env.get("ZSCALER_CLIENT_SECRET")
		if pk := env.get("ZSCALER_PRIVATE_KEY"); pk != "" {
			key, err := loadPrivateKey(pk)
			if err != nil {
				return client.Config{}, "", fmt.Errorf("ZSCALER_PRIVATE_KEY: %w", err)
			}
			cfg.PrivateKey = key
		}
		cfg.TokenURL = env.get("ZSCALER_TOKEN_URL")
		if cfg.TokenURL == "" {
			u, err := client.TokenURL(cloud, env.get("ZSCALER_VANITY_DOMAIN"))
			if err != nil {
				return client.Config{}, "", fmt.Errorf("OneAPI token URL (ZSCALER_VANITY_DOMAIN or ZSCALER_TOKEN_URL): %w", err)
			}
			cfg.TokenURL = u
		}
	} else {
		cfg.Username, cfg.Password, cfg.APIKey = env.get("ZTC_USERNAME"), env.get("ZTC_PASSWORD"), env.get("ZTC_API_KEY")
	}
	cfg.BaseURL = env.get("ZTC_BASE_URL")
	if cfg.BaseURL == "" {
		u, err := client.BaseURL(cloud, mode)
		if err != nil {
			return client.Config{}, "", err
		}
		cfg.BaseURL = u
	}
	if _, err := client.New(cfg); err != nil { // validates without a call
		return client.Config{}, "", err
	}
	return cfg, cloud, nil
}

// loadPrivateKey takes PEM text or the path of a PEM file, as the provider does.
func loadPrivateKey(value string) (*rsa.PrivateKey, error) {
	text := value
	if !strings.Contains(value, "-----BEGIN") {
		b, err := os.ReadFile(value) //nolint:gosec // the path is the user's own ZSCALER_PRIVATE_KEY
		if err != nil {
			return nil, errors.New("neither PEM text nor a readable file")
		}
		text = string(b)
	}
	return client.ParsePrivateKey(text)
}

func firstSet(env lookupFunc, names ...string) string {
	for _, n := range names {
		if v := env.get(n); v != "" {
			return v
		}
	}
	return ""
}

func (t *apiTarget) Label() string { return "real tenant" }

// String and GoString keep the credentials out of any print.
func (t *apiTarget) String() string   { return "real tenant at " + t.cfg.BaseURL }
func (t *apiTarget) GoString() string { return t.String() }

func (t *apiTarget) Describe() []string {
	who := "OneAPI client " + t.cfg.ClientID
	if t.AuthMode() == client.AuthLegacy {
		who = "legacy login as " + t.cfg.Username
	}
	return []string{
		fmt.Sprintf("a REAL TENANT at %s (cloud %s), %s", t.cfg.BaseURL, t.cloud, who),
		fmt.Sprintf("because %s %s set and %s=yes; no simulator", strings.Join(t.setEnv, ", "),
			plural(len(t.setEnv), "is", "are"), confirmEnv),
		"what differs: no step counts API calls (nothing can count them here); step 4 regenerates the",
		"key through the API client, as a portal admin would; step 8 puts the original string back",
	}
}

func (t *apiTarget) AuthMode() client.AuthMode {
	if t.cfg.ClientID != "" {
		return client.AuthOneAPI
	}
	return client.AuthLegacy
}

func (t *apiTarget) BaseURL() string { return t.cfg.BaseURL }

func (t *apiTarget) ProviderEnv() []string {
	env := make([]string, 0, len(providerEnvNames))
	for _, name := range providerEnvNames {
		v := t.env.get(name)
		if name == "ZTC_API_KEY" && t.AuthMode() == client.AuthLegacy {
			v = t.cfg.APIKey // the current string, after the demo's changes
		}
		env = append(env, name+"="+v)
	}
	return env
}

func (t *apiTarget) SetLoginKey(value string) bool {
	if t.AuthMode() != client.AuthLegacy {
		return false
	}
	t.cfg.APIKey = value
	return true
}

// withClient runs f with a client that logs in with the current credentials
// and logs out afterwards.
func (t *apiTarget) withClient(ctx context.Context, f func(*client.Client) error) error {
	c, err := client.New(t.cfg)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(ctx) }()
	return f(c)
}

func (t *apiTarget) Key(ctx context.Context) (orgKey, bool, error) {
	var key orgKey
	var found bool
	err := t.withClient(ctx, func(c *client.Client) error {
		k, ok, err := c.OrganizationKey(ctx)
		key, found = orgKey{ID: k.ID, Value: k.Value}, ok
		return err
	})
	return key, found, err
}

// RegenerateOutOfBand is the regenerate an admin makes in the portal, made
// here through the API client because the demo cannot click in a portal.
func (t *apiTarget) RegenerateOutOfBand(ctx context.Context) (orgKey, error) {
	var key orgKey
	err := t.withClient(ctx, func(c *client.Client) error {
		cur, found, err := c.OrganizationKey(ctx)
		if err != nil {
			return err
		}
		if !found {
			return errors.New("the organization has no API key")
		}
		k, err := c.RegenerateAPIKey(ctx, cur.ID)
		key = orgKey{ID: k.ID, Value: k.Value}
		return err
	})
	return key, err
}

// Restore edits the key back to value: the demo's last step on a real tenant.
func (t *apiTarget) Restore(ctx context.Context, value string) (orgKey, error) {
	var key orgKey
	err := t.withClient(ctx, func(c *client.Client) error {
		cur, found, err := c.OrganizationKey(ctx)
		if err != nil {
			return err
		}
		if !found {
			return errors.New("the organization has no API key")
		}
		if cur.Value == value {
			key = orgKey{ID: cur.ID, Value: cur.Value}
			return nil
		}
		k, err := c.EditAPIKey(ctx, cur.ID, value)
		key = orgKey{ID: k.ID, Value: k.Value}
		return err
	})
	if err == nil {
		t.SetLoginKey(key.Value)
	}
	return key, err
}

func (t *apiTarget) Counts() (apiCounts, bool) { return apiCounts{}, false }

func (t *apiTarget) Secrets() []string {
	return []string{t.cfg.Password, t.cfg.APIKey, t.cfg.ClientSecret}
}

func (t *apiTarget) Close() error { return nil }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

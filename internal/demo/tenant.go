package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// providerEnvNames are the variables the provider reads. The demo hands each
// one to Terraform explicitly ("" is unset to the provider), so that what
// runs is what it announced, whatever else the shell holds.
var providerEnvNames = []string{
	"ZTC_CLOUD", "ZSCALER_CLOUD", "ZTC_BASE_URL",
	"ZTC_USERNAME", "ZTC_PASSWORD", "ZTC_API_KEY",
	"ZSCALER_CLIENT_ID", "ZSCALER_CLIENT_SECRET", "ZSCALER_PRIVATE_KEY",
	"ZSCALER_VANITY_DOMAIN", "ZSCALER_TOKEN_URL",
}

// The variables of each login, as internal/provider/provider_settings.go
// groups them: any OneAPI one selects OneAPI, any legacy one legacy login,
// and one of each is an error there, so here too.
var (
	legacyEnv = []string{"ZTC_USERNAME", "ZTC_PASSWORD", "ZTC_API_KEY"}
	oneAPIEnv = []string{"ZSCALER_CLIENT_ID", "ZSCALER_CLIENT_SECRET", "ZSCALER_PRIVATE_KEY", "ZSCALER_VANITY_DOMAIN"}
)

// setIn names the variables of names that env sets.
func setIn(env map[string]string, names []string) []string {
	var set []string
	for _, n := range names {
		if env[n] != "" {
			set = append(set, n)
		}
	}
	return set
}

// loginConfig is the client configuration that the provider would build
// from env alone (no provider block): the same cloud, base URL and login,
// and an error wherever the provider refuses the environment.
func loginConfig(env map[string]string) (client.Config, error) {
	legacy, oneAPI := setIn(env, legacyEnv), setIn(env, oneAPIEnv)
	if len(legacy) > 0 && len(oneAPI) > 0 {
		return client.Config{}, fmt.Errorf("both legacy login (%s) and OneAPI login (%s) are set, and the provider "+
			"refuses a mix: unset one of them", strings.Join(legacy, ", "), strings.Join(oneAPI, ", "))
	}
	cloud := strings.ToLower(strings.TrimSpace(env["ZTC_CLOUD"]))
	if cloud == "" {
		cloud = strings.ToLower(strings.TrimSpace(env["ZSCALER_CLOUD"]))
	}
	if cloud == "" {
		cloud = client.DefaultCloud
	}
	if !client.IsCloud(cloud) {
		return client.Config{}, fmt.Errorf("unknown cloud %q (ZTC_CLOUD or ZSCALER_CLOUD): valid clouds are %s",
			cloud, strings.Join(client.Clouds(), ", "))
	}
	cfg := client.Config{BaseURL: env["ZTC_BASE_URL"], MaxRetries: 5, UserAgent: "cloudconnector-demo"}
	mode := client.AuthLegacy
	if len(oneAPI) > 0 {
		mode = client.AuthOneAPI
		cfg.ClientID, cfg.ClientSecret, cfg.TokenURL = env["ZSCALER_CLIENT_ID"], env["ZSCALER_CLIENT_SECRET"], env["ZSCALER_TOKEN_URL"]
		if pk := env["ZSCALER_PRIVATE_KEY"]; pk != "" {
			text := pk
			if !strings.Contains(pk, "-----BEGIN") { // a path, as the provider takes it
				b, err := os.ReadFile(pk) //nolint:gosec // the user's own ZSCALER_PRIVATE_KEY
				if err != nil {
					return client.Config{}, errors.New("ZSCALER_PRIVATE_KEY: neither PEM text nor a readable file")
				}
				text = string(b)
			}
			key, err := client.ParsePrivateKey(text)
			if err != nil {
				return client.Config{}, fmt.Errorf("ZSCALER_PRIVATE_KEY: %w", err)
			}
			cfg.PrivateKey = key
		}
		if cfg.TokenURL == "" {
			u, err := client.TokenURL(cloud, env["ZSCALER_VANITY_DOMAIN"])
			if err != nil {
				return client.Config{}, fmt.Errorf("OneAPI token URL (ZSCALER_VANITY_DOMAIN or ZSCALER_TOKEN_URL): %w", err)
			}
			cfg.TokenURL = u
		}
	} else {
		cfg.Username, cfg.Password, cfg.APIKey = env["ZTC_USERNAME"], env["ZTC_PASSWORD"], env["ZTC_API_KEY"]
	}
	if cfg.BaseURL == "" {
		u, err := client.BaseURL(cloud, mode)
		if err != nil {
			return client.Config{}, err
		}
		cfg.BaseURL = u
	} else if u, err := url.Parse(cfg.BaseURL); err == nil {
		// A bare host gets the login mode's API path, and the other mode's
		// path is refused (the provider's withAPIPath).
		want, found, p := "/api/v1", "", strings.TrimRight(u.Path, "/")
		if mode == client.AuthOneAPI {
			want = "/ztw/api/v1"
		}
		switch {
		case p == "":
			cfg.BaseURL = u.Scheme + "://" + u.Host + want
		case strings.HasSuffix(p, "/ztw/api/v1"):
			found = "/ztw/api/v1"
		case strings.HasSuffix(p, "/api/v1"):
			found = "/api/v1"
		}
		if found != "" && found != want {
			return client.Config{}, fmt.Errorf("ZTC_BASE_URL ends in %s, the API path of the other login mode: use %s", found, want)
		}
	}
	_, err := client.New(cfg) // checks that the login is complete, without a call
	return cfg, err
}

// tenant is where the demo's organization lives: the simulator it started
// (sim set) or a real tenant. Both are reached the same way, through the
// provider's variables; only the simulator can count the calls.
type tenant struct {
	sim *simulator.Simulator
	env map[string]string // the provider's variables
	cfg client.Config     // the same login, for the demo's own calls
}

// simulatorTenant starts the simulator with one organization and points
// the provider's variables at it (legacy login).
func simulatorTenant() (*tenant, error) {
	sim, err := simulator.New(simulator.Options{})
	if err == nil {
		err = sim.Start("127.0.0.1:0")
	}
	if err != nil {
		return nil, err
	}
	org := sim.DefaultOrganization()
	key, _ := org.Key()
	env := map[string]string{"ZTC_BASE_URL": sim.LegacyBaseURL(), "ZTC_USERNAME": org.Config().Username,
		"ZTC_PASSWORD": org.Config().Password, "ZTC_API_KEY": key.Value}
	cfg, err := loginConfig(env)
	if err != nil {
		_ = sim.Close()
		return nil, err
	}
	return &tenant{sim: sim, env: env, cfg: cfg}, nil
}

// String keeps the credentials out of any print.
func (t *tenant) String() string { return "tenant at " + t.cfg.BaseURL }

func (t *tenant) authMode() client.AuthMode {
	if t.cfg.ClientID != "" {
		return client.AuthOneAPI
	}
	return client.AuthLegacy
}

// providerEnv is every provider variable for the next Terraform run, with
// the login key the demo last knew.
func (t *tenant) providerEnv() map[string]string {
	env := map[string]string{}
	for _, n := range providerEnvNames {
		env[n] = t.env[n]
	}
	if t.authMode() == client.AuthLegacy {
		env["ZTC_API_KEY"] = t.cfg.APIKey
	}
	return env
}

// followKey records a new key string. Under legacy login the provider logs
// in with it, so the next run must use it; it reports whether that is so.
func (t *tenant) followKey(value string) bool {
	if t.authMode() != client.AuthLegacy || value == "" || value == t.cfg.APIKey {
		return false
	}
	t.cfg.APIKey = value
	return true
}

// call runs f with a client that logs in with the current credentials.
func (t *tenant) call(ctx context.Context, f func(*client.Client, client.APIKey) (client.APIKey, error)) (client.APIKey, error) {
	c, err := client.New(t.cfg)
	if err != nil {
		return client.APIKey{}, err
	}
	defer func() { _ = c.Close(ctx) }()
	cur, found, err := c.OrganizationKey(ctx)
	if err == nil && !found {
		err = errors.New("the organization has no API key")
	}
	if err != nil {
		return client.APIKey{}, err
	}
	return f(c, cur)
}

// key reads the organization's key.
func (t *tenant) key(ctx context.Context) (client.APIKey, error) {
	return t.call(ctx, func(_ *client.Client, cur client.APIKey) (client.APIKey, error) { return cur, nil })
}

// regenerate is what an admin does in the portal, made through the API.
func (t *tenant) regenerate(ctx context.Context) (client.APIKey, error) {
	return t.call(ctx, func(c *client.Client, cur client.APIKey) (client.APIKey, error) {
		return c.RegenerateAPIKey(ctx, cur.ID)
	})
}

// edit sets the key's string, unless it holds it already.
func (t *tenant) edit(ctx context.Context, value string) (client.APIKey, error) {
	return t.call(ctx, func(c *client.Client, cur client.APIKey) (client.APIKey, error) {
		if cur.Value == value {
			return cur, nil
		}
		return c.EditAPIKey(ctx, cur.ID, value)
	})
}

// writes counts the key changes the simulator answered 2xx so far, by op;
// ok is false for a real tenant, where nothing counts them.
func (t *tenant) writes() (w map[simulator.Op]int, calls int, ok bool) {
	if t.sim == nil {
		return nil, 0, false
	}
	c := t.sim.Counts()
	w = map[simulator.Op]int{}
	for _, op := range writeOps {
		w[op] = c.OK[op]
	}
	for _, n := range c.Calls {
		calls += n
	}
	return w, calls, true
}

// writeOps are the calls that change a key, in the order the output names them.
var writeOps = []simulator.Op{simulator.OpRegenerate, simulator.OpEdit, simulator.OpAdd, simulator.OpDelete}

func (t *tenant) close() {
	if t.sim != nil {
		_ = t.sim.Close()
	}
}

func sameKey(a, b client.APIKey) bool { return a.ID == b.ID && a.Value == b.Value }

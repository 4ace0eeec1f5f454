package testsupport

import (
	"sync"
	"testing"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// StartSimulator starts a simulator on a free loopback port for one test and
// stops it when the test ends. With no organizations given it has one,
// "default", with generated credentials and a key.
func StartSimulator(t testing.TB, orgs ...simulator.OrgConfig) *simulator.Simulator {
	t.Helper()
	sim, err := simulator.New(simulator.Options{Organizations: orgs})
	if err != nil {
		t.Fatalf("simulator: %v", err)
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("simulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// CurrentKey returns the organization's key, failing the test when it has none.
func CurrentKey(t testing.TB, org *simulator.Organization) simulator.APIKey {
	t.Helper()
	k, ok := org.Key()
	if !ok {
		t.Fatalf("organization %s has no key", org.Name())
	}
	return k
}

// Env is an environment for the provider under test: fixed values and values
// computed when the provider reads them. Safe for concurrent use.
type Env struct {
	mu     sync.Mutex
	values map[string]func() string
}

// NewEnv returns an empty environment.
func NewEnv() *Env { return &Env{values: map[string]func() string{}} }

// Set fixes a variable's value.
func (e *Env) Set(key, value string) *Env { return e.SetFunc(key, func() string { return value }) }

// SetFunc makes a variable's value whatever f returns when the provider reads it.
func (e *Env) SetFunc(key string, f func() string) *Env {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.values[key] = f
	return e
}

// Lookup has the signature of os.LookupEnv.
func (e *Env) Lookup(key string) (string, bool) {
	e.mu.Lock()
	f, ok := e.values[key]
	e.mu.Unlock()
	if !ok {
		return "", false
	}
	return f(), true
}

// LegacyEnv points the provider at org through legacy login. The API key is
// read from the simulator whenever the provider starts, as a user who updates
// ZTC_API_KEY after each rotation would; tests of that hand-over use Set.
func LegacyEnv(sim *simulator.Simulator, org *simulator.Organization) *Env {
	cfg := org.Config()
	return NewEnv().
		Set("ZTC_BASE_URL", sim.LegacyBaseURL()).
		Set("ZTC_USERNAME", cfg.Username).
		Set("ZTC_PASSWORD", cfg.Password).
		SetFunc("ZTC_API_KEY", func() string {
			k, _ := org.Key()
			return k.Value
		})
}

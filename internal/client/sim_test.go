package client

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// startSim starts a simulator on a loopback port for one test.
func startSim(t testing.TB, opts simulator.Options) *simulator.Simulator {
	t.Helper()
	s, err := simulator.New(opts)
	if err != nil {
		t.Fatalf("simulator.New: %v", err)
	}
	if err := s.Start(""); err != nil {
		t.Fatalf("simulator Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// simConfig is a client configuration for the simulator's default organization.
func simConfig(t testing.TB, s *simulator.Simulator, mode AuthMode) Config {
	t.Helper()
	org := s.DefaultOrganization()
	oc := org.Config()
	if mode == AuthOneAPI {
		return Config{BaseURL: s.OneAPIBaseURL(), ClientID: oc.ClientID, ClientSecret: oc.ClientSecret, TokenURL: s.TokenURL()}
	}
	key, ok := org.Key()
	if !ok {
		t.Fatal("the organization has no key to log in with")
	}
	return Config{BaseURL: s.LegacyBaseURL(), Username: oc.Username, Password: oc.Password, APIKey: key.Value}
}

func simClient(t testing.TB, s *simulator.Simulator, mode AuthMode, mutate func(*Config)) *Client {
	t.Helper()
	cfg := simConfig(t, s, mode)
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.timing = fastTiming
	return c
}

func orgKey(t *testing.T, s *simulator.Simulator) (simulator.APIKey, bool) {
	t.Helper()
	return s.DefaultOrganization().Key()
}

// TestSimulatorLifecycle runs every key call in both login modes, with the
// client's pace on, as a real run would.
func TestSimulatorLifecycle(t *testing.T) {
	t.Parallel()
	for _, mode := range []AuthMode{AuthLegacy, AuthOneAPI} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			s := startSim(t, simulator.Options{Organizations: []simulator.OrgConfig{{Name: "acme", PartnerKeys: []string{"Partner One"}}}})
			c := simClient(t, s, mode, func(cfg *Config) { cfg.MaxRetries = 2 })
			ctx := t.Context()

			org, found, err := c.OrganizationKey(ctx)
			simKey, _ := orgKey(t, s)
			if err != nil || !found || org.ID != simKey.ID || org.Value != simKey.Value || !org.Enabled {
				t.Fatalf("organization key %v found %t err %v; simulator has %v", org, found, err, simKey)
			}

			regen, err := c.RegenerateAPIKey(ctx, org.ID)
			if err != nil {
				t.Fatal(err)
			}
			simKey, _ = orgKey(t, s)
			if regen.Value == org.Value || regen.Value != simKey.Value || regen.ID != org.ID {
				t.Fatalf("regenerate gave %v, simulator has %v", regen, simKey)
			}
			if regen.LastModifiedTime.IsZero() || regen.LastModifiedBy == "" {
				t.Fatalf("regenerate answer lacks last-modified data: %#v", regen)
			}

			edited, err := c.EditAPIKey(ctx, org.ID, "Lifecycle001")
			if err != nil {
				t.Fatal(err)
			}
			if simKey, _ = orgKey(t, s); edited.Value != "Lifecycle001" || simKey.Value != "Lifecycle001" {
				t.Fatalf("edit gave %v, simulator has %v", edited, simKey)
			}
			if mode == AuthLegacy && !c.UsesLoginKey("Lifecycle001") {
				t.Fatal("legacy client does not log in with the edited key")
			}

			if err := c.DeleteAPIKey(ctx, org.ID); err != nil {
				t.Fatal(err)
			}
			if _, found, err := c.OrganizationKey(ctx); err != nil || found {
				t.Fatalf("after delete: found %t err %v", found, err)
			}
			if _, ok := orgKey(t, s); ok {
				t.Fatal("the simulator still has the key")
			}

			added, err := c.AddAPIKey(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if simKey, _ = orgKey(t, s); added.ID == org.ID || added.ID != simKey.ID || added.Value != simKey.Value {
				t.Fatalf("add gave %v, simulator has %v", added, simKey)
			}
			if _, err := c.AddAPIKey(ctx); !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("second add: %v, want the one-key rule's 400", err)
			}

			if _, err := c.EditAPIKey(ctx, added.ID, "Lifecycle002"); err != nil {
				t.Fatal(err)
			}
			// a fresh session must log in with the key the client set last
			s.ExpireSessions()
			s.ExpireTokens()
			if k, found, err := c.OrganizationKey(ctx); err != nil || !found || k.Value != "Lifecycle002" {
				t.Fatalf("after re-login: %v %t %v", k, found, err)
			}
			if err := c.Close(ctx); err != nil {
				t.Fatal(err)
			}

			counts := s.Counts()
			login := simulator.OpLogin
			if mode == AuthOneAPI {
				login = simulator.OpToken
			}
			if counts.OK[login] != 2 || counts.RateLimited != 0 || counts.Status[429] != 0 {
				t.Fatalf("simulator counts %+v: want 2 logins and no 429", counts)
			}
			if mode == AuthLegacy && counts.OK[simulator.OpLogout] != 1 {
				t.Fatalf("no logout: %+v", counts.OK)
			}
		})
	}
}

func TestSimulatorDeleteOfAGoneKeyIsDone(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{})
	c := simClient(t, s, AuthOneAPI, nil)
	if err := c.DeleteAPIKey(t.Context(), 987654); err != nil {
		t.Fatalf("delete of an unknown key: %v", err)
	}
	if n := s.Counts().Status[404]; n != 1 {
		t.Fatalf("%d 404s", n)
	}
}

func TestSimulatorRegenerateLoginKeyThenRelogin(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{})
	c := simClient(t, s, AuthLegacy, nil)
	ctx := t.Context()
	key, found, err := c.OrganizationKey(ctx)
	if err != nil || !found {
		t.Fatal(found, err)
	}
	if !c.UsesLoginKey(key.Value) {
		t.Fatal("the client does not know it logs in with the organization key")
	}
	regen, err := c.RegenerateAPIKey(ctx, key.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.UsesLoginKey(regen.Value) || c.UsesLoginKey(key.Value) {
		t.Fatal("the login key did not follow the regenerate")
	}
	s.ExpireSessions() // the next call meets 401 and must log in with the new string
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatalf("list after the forced re-login: %v", err)
	}
	counts := s.Counts()
	if counts.OK[simulator.OpLogin] != 2 || counts.Calls[simulator.OpLogin] != 2 || counts.Status[401] != 1 {
		t.Fatalf("counts %+v: want two successful logins and one 401", counts)
	}
}

// TestSimulatorPaceMeetsNo429 runs at the documented limits with the pace on.
func TestSimulatorPaceMeetsNo429(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{})
	c := simClient(t, s, AuthOneAPI, nil)
	rec := recordWaits(c, true)
	ctx := t.Context()
	key, _, err := c.OrganizationKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 9)
	for range 5 {
		wg.Go(func() {
			_, _, err := c.OrganizationKey(ctx)
			errs <- err
		})
	}
	for range 3 {
		wg.Go(func() {
			_, err := c.RegenerateAPIKey(ctx, key.ID)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	counts := s.Counts()
	if counts.OK[simulator.OpList] != 6 || counts.OK[simulator.OpRegenerate] != 3 {
		t.Fatalf("counts %+v", counts.OK)
	}
	if counts.RateLimited != 0 || counts.Status[429] != 0 {
		t.Fatalf("the simulator rate-limited %d requests", counts.RateLimited)
	}
	if len(rec.all()) == 0 {
		t.Fatal("no pace wait: the test proves nothing")
	}
}

func TestSimulatorWithoutPaceMeetsTheLimitAndRecovers(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{})
	c := simClient(t, s, AuthLegacy, func(cfg *Config) { cfg.DisablePacing = true; cfg.MaxRetries = 3 })
	ctx := t.Context()
	for range 3 {
		if _, _, err := c.OrganizationKey(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if counts := s.Counts(); counts.RateLimited != 1 || counts.Calls[simulator.OpList] != 4 {
		t.Fatalf("simulator rate-limited %d of %d lists, want 1 (the third in a second) of 4 (with its repeat)",
			counts.RateLimited, counts.Calls[simulator.OpList])
	}
}

func TestSimulatorInjected429sStillComplete(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{})
	c := simClient(t, s, AuthLegacy, func(cfg *Config) { cfg.MaxRetries = 3 })
	rec := recordWaits(c, true)
	ctx := t.Context()
	key, _, err := c.OrganizationKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.InjectFault(simulator.Fault{Op: simulator.OpList, Status: 429, Times: 2})
	s.InjectFault(simulator.Fault{Op: simulator.OpRegenerate, Status: 429, RetryAfter: time.Second})
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatalf("list through two 429s: %v", err)
	}
	regen, err := c.RegenerateAPIKey(ctx, key.ID)
	if err != nil {
		t.Fatalf("regenerate through a 429: %v", err)
	}
	simKey, _ := orgKey(t, s)
	counts := s.Counts()
	if regen.Value != simKey.Value || counts.OK[simulator.OpRegenerate] != 1 || counts.Faults != 3 {
		t.Fatalf("counts %+v, faults %d", counts.OK, counts.Faults)
	}
	long := 0
	for _, d := range rec.all() {
		if d >= time.Second {
			long++
		}
	}
	if counts.Status[429] != 3 || long < 3 {
		t.Fatalf("%d 429s, %d waits of a second or more (%v): want three 429s each waited at least a second",
			counts.Status[429], long, rec.all())
	}
}

func TestSimulatorLostWriteAnswers(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{})
	c := simClient(t, s, AuthOneAPI, func(cfg *Config) { cfg.MaxRetries = 2 })
	ctx := t.Context()
	key, _, err := c.OrganizationKey(ctx)
	if err != nil {
		t.Fatal(err)
	}

	s.InjectFault(simulator.Fault{Op: simulator.OpEdit, AfterApply: true, Drop: true})
	edited, err := c.EditAPIKey(ctx, key.ID, "AfterApply01")
	if err != nil || edited.Value != "AfterApply01" {
		t.Fatalf("edit with a lost answer: %v %v", edited, err)
	}
	s.InjectFault(simulator.Fault{Op: simulator.OpRegenerate, AfterApply: true, Status: 502})
	regen, err := c.RegenerateAPIKey(ctx, key.ID)
	simKey, _ := orgKey(t, s)
	if err != nil || regen.Value != simKey.Value || regen.Value == "AfterApply01" {
		t.Fatalf("regenerate with a lost answer: %v %v (simulator %v)", regen, err, simKey)
	}
	// a 503 before handling: nothing happened, the check says so, the client repeats
	s.InjectFault(simulator.Fault{Op: simulator.OpEdit, Status: 503})
	if _, err := c.EditAPIKey(ctx, key.ID, "Repeated0001"); err != nil {
		t.Fatal(err)
	}
	counts := s.Counts()
	if counts.Calls[simulator.OpEdit] != 3 || counts.OK[simulator.OpEdit] != 1 || counts.Calls[simulator.OpRegenerate] != 1 {
		t.Fatalf("calls %+v: each applied write must be sent once", counts.Calls)
	}
	if simKey, _ = orgKey(t, s); simKey.Value != "Repeated0001" {
		t.Fatal("the repeated edit did not land")
	}
}

func TestSimulatorEditLockSessionEndAndTimeout(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{})
	c := simClient(t, s, AuthLegacy, func(cfg *Config) { cfg.MaxRetries = 2; cfg.RequestTimeout = 300 * time.Millisecond })
	ctx := t.Context()
	key, _, err := c.OrganizationKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.InjectFault(simulator.Fault{Op: simulator.OpEdit, Status: 409})
	if _, err := c.EditAPIKey(ctx, key.ID, "LockedOnce01"); err != nil {
		t.Fatalf("edit through a 409: %v", err)
	}
	s.InjectFault(simulator.Fault{Op: simulator.OpList, ExpireSession: true})
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatalf("list through an ended session: %v", err)
	}
	s.InjectFault(simulator.Fault{Op: simulator.OpList, Latency: 2 * time.Second})
	if _, _, err := c.OrganizationKey(ctx); err != nil {
		t.Fatalf("list through a slow answer: %v", err)
	}
	counts := s.Counts()
	if counts.OK[simulator.OpLogin] != 2 || counts.Status[409] != 1 || counts.Status[401] != 1 {
		t.Fatalf("counts %+v", counts)
	}
	if counts.Calls[simulator.OpEdit] != 2 || counts.Calls[simulator.OpList] != 5 {
		t.Fatalf("calls %+v: want the 409'd edit repeated, the 401'd list repeated after a login, and the slow one retried",
			counts.Calls)
	}
}

func TestSimulatorTenantsThatRefuse(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{Organizations: []simulator.OrgConfig{{Name: "acme"}}})
	ctx := t.Context()
	org := s.DefaultOrganization()

	org.SetInferredCalls(false)
	c := simClient(t, s, AuthOneAPI, nil)
	key, _, err := c.OrganizationKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EditAPIKey(ctx, key.ID, "NotOffered01"); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("edit without inferred calls: %v", err)
	}
	if _, err := c.AddAPIKey(ctx); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("add without inferred calls: %v", err)
	}
	if err := c.DeleteAPIKey(ctx, key.ID); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("delete without inferred calls: %v", err)
	}
	if _, err := c.RegenerateAPIKey(ctx, key.ID); err != nil {
		t.Fatalf("regenerate is documented and must work: %v", err)
	}
	org.SetInferredCalls(true)

	org.SetKeyManagement(false)
	if _, _, err := c.OrganizationKey(ctx); !errors.Is(err, ErrForbidden) {
		t.Fatalf("list without key management: %v", err)
	}
	org.SetKeyManagement(true)

	legacy := simClient(t, s, AuthLegacy, nil)
	org.SetOneAPIOnly(true)
	if _, _, err := legacy.OrganizationKey(ctx); !errors.Is(err, ErrOneAPIOnly) || !errors.Is(err, ErrForbidden) {
		t.Fatalf("legacy login on a OneAPI-only tenant: %v", err)
	}
	org.SetOneAPIOnly(false)

	if err := org.SetKeyEnabled(false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := legacy.OrganizationKey(ctx); !errors.Is(err, ErrKeyDisabled) {
		t.Fatalf("legacy login with a disabled key: %v", err)
	}
	if err := org.SetKeyEnabled(true); err != nil {
		t.Fatal(err)
	}

	wrong := simClient(t, s, AuthLegacy, func(cfg *Config) { cfg.Password = "not-the-password" })
	if _, _, err := wrong.OrganizationKey(ctx); !errors.Is(err, ErrLoginRefused) || strings.Contains(err.Error(), "not-the-password") {
		t.Fatalf("wrong password: %v", err)
	}
	badSecret := simClient(t, s, AuthOneAPI, func(cfg *Config) { cfg.ClientSecret = "not-the-secret" })
	if _, _, err := badSecret.OrganizationKey(ctx); !errors.Is(err, ErrLoginRefused) || strings.Contains(err.Error(), "not-the-secret") {
		t.Fatalf("wrong client secret: %v", err)
	}
}

func TestSimulatorPrivateKeyLogin(t *testing.T) {
	t.Parallel()
	key := testRSAKey(t)
	s := startSim(t, simulator.Options{Organizations: []simulator.OrgConfig{{Name: "jwt", ClientPublicKey: &key.PublicKey}}})
	c := simClient(t, s, AuthOneAPI, func(cfg *Config) { cfg.ClientSecret, cfg.PrivateKey = "", key })
	if _, _, err := c.OrganizationKey(t.Context()); err != nil {
		t.Fatalf("list after a private-key JWT login: %v", err)
	}
	if n := s.Counts().OK[simulator.OpToken]; n != 1 {
		t.Fatalf("%d token grants", n)
	}
}

func TestSimulatorConcurrentFirstCallsShareOneLogin(t *testing.T) {
	t.Parallel()
	for _, mode := range []AuthMode{AuthLegacy, AuthOneAPI} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			s := startSim(t, simulator.Options{})
			c := simClient(t, s, mode, func(cfg *Config) { cfg.MaxRetries = 5 })
			ctx := t.Context()
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Go(func() {
					_, _, err := c.OrganizationKey(ctx)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			counts := s.Counts()
			if counts.Calls[simulator.OpLogin]+counts.Calls[simulator.OpToken] != 1 {
				t.Fatalf("logins %+v", counts.Calls)
			}
		})
	}
}

func TestSimulatorHostileAnswers(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{})
	c := simClient(t, s, AuthLegacy, nil)
	ctx := t.Context()
	marker := "hostile-marker-text"
	s.InjectFault(simulator.Fault{Op: simulator.OpList, Status: 502, Body: "<html><body>" + marker + "</body></html>", ContentType: "text/html"})
	_, _, err := c.OrganizationKey(ctx)
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "text/html body") || strings.Contains(err.Error(), marker) {
		t.Fatalf("HTML 502: %v", err)
	}
	s.InjectFault(simulator.Fault{Op: simulator.OpList, Body: "[" + strings.Repeat(" ", 1<<20), BodyRepeat: 5})
	if _, _, err = c.OrganizationKey(ctx); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("5 MiB answer: %v", err)
	}
	s.InjectFault(simulator.Fault{Op: simulator.OpList, Body: fmt.Sprintf(`[{"id":"%s"}]`, marker)})
	if _, _, err = c.OrganizationKey(ctx); err == nil || strings.Contains(err.Error(), marker) {
		t.Fatalf("malformed key list: %v", err)
	}
}

// TestSimulatorLostRegenerateOfAnUnseenKey: a client that never listed
// cannot tell whether a regenerate with a lost answer happened.
func TestSimulatorLostRegenerateOfAnUnseenKey(t *testing.T) {
	t.Parallel()
	s := startSim(t, simulator.Options{})
	before, _ := orgKey(t, s)
	c := simClient(t, s, AuthOneAPI, func(cfg *Config) { cfg.MaxRetries = 2 })
	s.InjectFault(simulator.Fault{Op: simulator.OpRegenerate, AfterApply: true, Status: 502})
	if _, err := c.RegenerateAPIKey(t.Context(), before.ID); !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("without the earlier value: %v, want ErrOutcomeUnknown", err)
	}
	if n := s.Counts().Calls[simulator.OpRegenerate]; n != 1 {
		t.Fatalf("%d regenerate calls: an unknown outcome is not repeated", n)
	}
}

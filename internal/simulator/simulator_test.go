package simulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewDefaults(t *testing.T) {
	sim, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	orgs := sim.Organizations()
	if len(orgs) != 1 || orgs[0] != sim.DefaultOrganization() || sim.Organization("default") != orgs[0] || sim.Organization("x") != nil {
		t.Fatalf("organizations = %v", orgs)
	}
	cfg := orgs[0].Config()
	if cfg.Name != "default" || cfg.Username != "admin@default.example" || len(cfg.Password) < 16 ||
		cfg.ClientID == "" || len(cfg.ClientSecret) < 32 || cfg.APIKey != "" {
		t.Fatalf("generated config = %+v", cfg)
	}
	k, ok := orgs[0].Key()
	if !ok || !ValidKeyValue(k.Value) || !k.Enabled || k.PartnerID != 0 || k.LastModifiedBy != cfg.Username {
		t.Fatalf("generated key = %+v", k)
	}
	// The simulator clock follows time.Now when Now is nil.
	if d := time.Since(sim.Now()); d < -time.Minute || d > time.Minute {
		t.Fatalf("Now is %v off the wall clock", d)
	}
	other, _ := New(Options{})
	if ok2, _ := other.DefaultOrganization().Key(); ok2.Value == k.Value || other.DefaultOrganization().Config().Password == cfg.Password {
		t.Fatal("two simulators generated the same secrets")
	}
}

func TestNewValidation(t *testing.T) {
	for _, c := range []struct {
		name string
		orgs []OrgConfig
	}{
		{"duplicate name", []OrgConfig{{Name: "a"}, {Name: "a"}}},
		{"duplicate default", []OrgConfig{{}, {Name: "default"}}},
		{"bad name", []OrgConfig{{Name: "a b"}}},
		{"name starting with a dot", []OrgConfig{{Name: ".a"}}},
		{"long name", []OrgConfig{{Name: strings.Repeat("a", 65)}}},
		{"bad key", []OrgConfig{{APIKey: "secretkey-1!"}}},
		{"NoKey with APIKey", []OrgConfig{{APIKey: "AbCd12EfGh34", NoKey: true}}},
		{"duplicate username", []OrgConfig{{Name: "a", Username: "X@example.com"}, {Name: "b", Username: "x@example.com"}}},
		{"duplicate client", []OrgConfig{{Name: "a", ClientID: "c"}, {Name: "b", ClientID: "c"}}},
		{"empty partner name", []OrgConfig{{PartnerKeys: []string{" "}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(Options{Organizations: c.orgs})
			if err == nil {
				t.Fatal("New succeeded")
			}
			if strings.Contains(err.Error(), "secretkey") {
				t.Fatalf("error echoes the key: %v", err)
			}
		})
	}
}

func TestOrganizationOutOfBand(t *testing.T) {
	clock := testEpoch
	sim, err := New(Options{Now: func() time.Time { return clock }, Organizations: []OrgConfig{
		{Name: "a", Username: "admin@a.example", APIKey: "AbCd12EfGh34", PartnerKeys: []string{"p1", "p2"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	o := sim.Organization("a")
	if o.Name() != "a" {
		t.Fatal(o.Name())
	}
	k, _ := o.Key()

	if _, err := o.EditKey("short"); !errors.Is(err, ErrInvalidKeyValue) {
		t.Fatalf("EditKey(short) = %v", err)
	}
	if _, err := o.EditKey("AbCd12EfGh34"); !errors.Is(err, ErrSameKeyValue) {
		t.Fatalf("EditKey(same) = %v", err)
	}
	sim.Advance(90 * time.Second)
	e, err := o.EditKey("Zz9Yy8Xx7Ww6")
	if err != nil || e.Value != "Zz9Yy8Xx7Ww6" || e.ID != k.ID || !e.LastModifiedTime.Equal(testEpoch.Add(90*time.Second)) {
		t.Fatalf("EditKey = %+v, %v", e, err)
	}
	r, err := o.RegenerateKey()
	if err != nil || r.Value == e.Value || !ValidKeyValue(r.Value) {
		t.Fatalf("RegenerateKey = %+v, %v", r, err)
	}
	if err := o.SetKeyEnabled(false); err != nil {
		t.Fatal(err)
	}
	if cur, _ := o.Key(); cur.Enabled {
		t.Fatal("SetKeyEnabled(false) left it enabled")
	}
	if _, err := o.AddKey(); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("AddKey with a key = %v", err)
	}
	if err := o.DeleteKey(); err != nil {
		t.Fatal(err)
	}
	if _, ok := o.Key(); ok {
		t.Fatal("key after DeleteKey")
	}
	for name, err := range map[string]error{
		"DeleteKey":     o.DeleteKey(),
		"SetKeyEnabled": o.SetKeyEnabled(true),
		"EditKey":       func() error { _, err := o.EditKey("Zz9Yy8Xx7Ww7"); return err }(),
		"RegenerateKey": func() error { _, err := o.RegenerateKey(); return err }(),
	} {
		if !errors.Is(err, ErrNoKey) {
			t.Errorf("%s without a key = %v", name, err)
		}
	}
	added, err := o.AddKey()
	if err != nil || added.ID <= k.ID || !added.Enabled {
		t.Fatalf("AddKey = %+v, %v", added, err)
	}
	pks := o.PartnerKeys()
	if len(pks) != 2 || pks[0].PartnerName != "p1" || pks[1].PartnerName != "p2" || pks[0].PartnerID == 0 || pks[0].ID == pks[1].ID {
		t.Fatalf("partner keys = %+v", pks)
	}
	// Snapshots are copies.
	pks[0].Permissions[0] = "CHANGED"
	if o.PartnerKeys()[0].Permissions[0] == "CHANGED" {
		t.Fatal("PartnerKeys shares its slices")
	}

	o.SetOneAPIOnly(true)
	o.SetInferredCalls(false)
	o.SetKeyManagement(false)
	if c := o.Config(); !c.OneAPIOnly || !c.WithoutInferredCalls || !c.WithoutKeyManagement {
		t.Fatalf("Config does not show the switches: %+v", c)
	}
}

func TestNoSecretsInStrings(t *testing.T) {
	cfg := OrgConfig{Name: "a", Username: "u", Password: "hunter2-password", APIKey: "AbCd12EfGh34", ClientSecret: "client-secret-xyz"}
	k := APIKey{ID: 1, Value: "AbCd12EfGh34"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(k), fmt.Sprintf("%#v", k), fmt.Sprintf("%v", []APIKey{k})} {
		for _, secret := range []string{"hunter2", "AbCd12EfGh34", "client-secret"} {
			if strings.Contains(s, secret) {
				t.Fatalf("%q shows a secret", s)
			}
		}
	}
	if !strings.Contains(fmt.Sprint(k), "ID:1") || !strings.Contains(fmt.Sprint(cfg), `Name:"a"`) {
		t.Fatal("String() lost the non-secret fields")
	}
}

func TestStartClose(t *testing.T) {
	sim, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(""); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sim.URL(), "http://127.0.0.1:") || sim.LegacyBaseURL() != sim.URL()+"/api/v1" ||
		sim.OneAPIBaseURL() != sim.URL()+"/ztw/api/v1" || sim.TokenURL() != sim.URL()+"/oauth2/v1/token" {
		t.Fatalf("URLs: %s %s %s %s", sim.URL(), sim.LegacyBaseURL(), sim.OneAPIBaseURL(), sim.TokenURL())
	}
	if err := sim.Start(""); err == nil {
		t.Fatal("second Start succeeded")
	}
	resp, err := http.Get(sim.URL() + "/api/v1/auth")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("GET /auth = %d", resp.StatusCode)
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sim.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := http.Get(sim.URL() + "/api/v1/auth"); err == nil {
		t.Fatal("served after Close")
	}
	if err := sim.Start(""); err == nil {
		t.Fatal("Start after Close succeeded")
	}
}

func TestLatency(t *testing.T) {
	h := newHarness(t, Options{})
	org := h.sim.DefaultOrganization()
	id := h.login(org)
	k, _ := org.Key()
	h.sim.SetLatency(time.Hour)
	err := h.abandon(req{method: "POST", path: fmt.Sprintf("/api/v1/apiKeys/%d/regenerate", k.ID),
		headers: []string{"Cookie", "JSESSIONID=" + id}})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("request under an hour of latency: %v", err)
	}
	waitFor(func() bool { return !h.editLocked(org) })
	if cur, _ := org.Key(); cur.Value != k.Value {
		t.Fatal("the abandoned request changed the key")
	}
	// Close ends pending waits at once: the request is abandoned, with no answer at all.
	done := make(chan error, 1)
	go func() {
		r, _ := http.NewRequest("POST", h.url+"/api/v1/auth", strings.NewReader("{}"))
		resp, err := h.hc.Do(r)
		if err == nil {
			_ = resp.Body.Close()
			err = fmt.Errorf("answered %d", resp.StatusCode)
		}
		done <- err
	}()
	waitFor(func() bool { return h.sim.waiting.Load() == 1 })
	if err := h.sim.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || strings.Contains(err.Error(), "answered") {
		t.Fatalf("request pending at Close: %v, want no answer", err)
	}
	if c := h.sim.Counts(); c.Calls[OpLogin] != 1+1 || c.Status[200] != 1 {
		t.Fatalf("counts = %+v", c)
	}
}

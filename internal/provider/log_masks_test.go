package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// leakyLogger stands for a careless debug line added to the client one day:
// at every request it logs, with the context the provider handed the client,
// every secret of the configuration and the key strings the provider knew
// before the call. Terraform's masking must hide them all.
type leakyLogger struct {
	mu     sync.Mutex
	leak   []string
	logged int
}

func (l *leakyLogger) set(leak ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.leak = leak
}

func (l *leakyLogger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.logged
}

func (l *leakyLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	leak := append([]string(nil), l.leak...)
	l.logged++
	l.mu.Unlock()
	f := map[string]any{}
	for k, v := range fields {
		f[k] = v
	}
	for i, s := range leak {
		f[fmt.Sprintf("leak%d", i)] = s
	}
	tflog.Debug(ctx, msg+" leaking "+strings.Join(leak, " "), f)
}

// newOf makes a zero value of the type p points to: the framework's private
// state type lives in an internal package, and its zero value is ready to use.
func newOf[T any](*T) *T { return new(T) }

// objectOf is a value of a schema's object type: the given attributes, the
// others null.
func objectOf(typ tftypes.Type, set map[string]tftypes.Value) tftypes.Value {
	obj := typ.(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

// TestLogMasksCoverEveryPath calls Create, Read, Update, Delete and the
// ephemeral resource's Open directly, with a client whose logger leaks, in
// legacy and in OneAPI login with a private key: the provider's log shows
// "***" where each secret would be.
func TestLogMasksCoverEveryPath(t *testing.T) {
	for _, mode := range []string{"legacy", "oneapi"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			testLogMasks(t, mode)
		})
	}
}

func testLogMasks(t *testing.T, mode string) {
	ctx := context.Background()
	pemText := testPrivateKeyPEM(t)
	sim := testsupport.StartSimulator(t, simulator.OrgConfig{Name: "masked", ClientPublicKey: &testKey.key.PublicKey})
	org := sim.DefaultOrganization()
	cfg := org.Config()
	initial := testsupport.CurrentKey(t, org).Value
	env := map[string]string{envBaseURL: sim.LegacyBaseURL(), envUsername: cfg.Username, envPassword: cfg.Password, envAPIKey: initial}
	secrets := []string{cfg.Password, initial}
	if mode == "oneapi" {
		env = map[string]string{envBaseURL: sim.OneAPIBaseURL(), envClientID: cfg.ClientID, envPrivateKey: pemText, envTokenURL: sim.TokenURL()}
		secrets = pemMasks(pemText)[1:] // the trimmed text and each body line
	}
	s, diags := resolveSettings(nullModel(), envOf(env))
	if diags.HasError() {
		t.Fatal(diagsText(diags))
	}
	data, diags := newProviderData(s, "test", "")
	if diags.HasError() {
		t.Fatal(diagsText(diags))
	}
	leaky := &leakyLogger{}
	ccfg := s.client
	ccfg.Logger = leaky
	c, err := client.New(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	data.client = c
	r := &apiKeyResource{data: data}

	var sch resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sch)
	typ := sch.Schema.Type().TerraformType(ctx)
	attr := func(name string) tftypes.Type { return typ.(tftypes.Object).AttributeTypes[name] }
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	unknown := func(name string) tftypes.Value { return tftypes.NewValue(attr(name), tftypes.UnknownValue) }
	config := func(key string) tfsdk.Config {
		return tfsdk.Config{Schema: sch.Schema, Raw: objectOf(typ, map[string]tftypes.Value{
			"key": str(key), "delete_on_destroy": tftypes.NewValue(tftypes.Bool, true)})}
	}
	var buf bytes.Buffer
	run := func(what string, known []string, call func(ctx context.Context) []string) {
		t.Helper()
		buf.Reset()
		leaky.set(append(append([]string(nil), secrets...), known...)...)
		before := leaky.count()
		lctx := tflogtest.RootLogger(ctx, &buf)
		if errs := call(lctx); len(errs) > 0 {
			t.Fatalf("%s: %v", what, errs)
		}
		out := buf.String()
		if leaky.count() == before || !strings.Contains(out, "***") {
			t.Fatalf("%s: the client logged nothing, so the masks went untested", what)
		}
		for _, sec := range append(append([]string(nil), secrets...), known...) {
			if sec != "" && strings.Contains(out, sec) {
				t.Errorf("%s: a secret (%d characters) reached the provider log unmasked", what, len(sec))
			}
		}
	}
	// Create: edits the key to the configured string.
	var state tfsdk.State
	run("Create", []string{"MaskedKey001"}, func(ctx context.Context) []string {
		plan := objectOf(typ, map[string]tftypes.Value{
			"id": unknown("id"), "key": str("MaskedKey001"),
			"delete_on_destroy": tftypes.NewValue(tftypes.Bool, true), "enabled": unknown("enabled"),
			"permissions": unknown("permissions"), "last_modified_by": unknown("last_modified_by"),
			"last_modified_time": unknown("last_modified_time"),
		})
		resp := resource.CreateResponse{State: tfsdk.State{Schema: sch.Schema, Raw: tftypes.NewValue(typ, nil)}}
		resp.Private = newOf(resp.Private)
		r.Create(ctx, resource.CreateRequest{Plan: tfsdk.Plan{Schema: sch.Schema, Raw: plan}, Config: config("MaskedKey001")}, &resp)
		state = resp.State
		return diagErrors(resp.Diagnostics)
	})
	if mode == "legacy" {
		secrets = append(secrets, "MaskedKey001") // the login key from now on
	}
	// Read: knows the key in state before it lists.
	run("Read", []string{"MaskedKey001"}, func(ctx context.Context) []string {
		resp := resource.ReadResponse{State: tfsdk.State{Schema: sch.Schema, Raw: state.Raw.Copy()}}
		resp.Private = newOf(resp.Private)
		r.Read(ctx, resource.ReadRequest{State: state}, &resp)
		state = resp.State
		return diagErrors(resp.Diagnostics)
	})
	// Update: knows the old and the new string.
	private := resource.UpdateResponse{}.Private // what the update records, for the destroy's plan
	run("Update", []string{"MaskedKey001", "MaskedKey002"}, func(ctx context.Context) []string {
		var attrs map[string]tftypes.Value
		if err := state.Raw.As(&attrs); err != nil {
			return []string{err.Error()}
		}
		prior := map[string]tftypes.Value{} // As shares the state's own map
		for k, v := range attrs {
			prior[k] = v
		}
		prior["key"] = str("MaskedKey002")
		prior["last_modified_by"], prior["last_modified_time"] = unknown("last_modified_by"), unknown("last_modified_time")
		resp := resource.UpdateResponse{State: tfsdk.State{Schema: sch.Schema, Raw: state.Raw.Copy()}}
		resp.Private = newOf(resp.Private)
		r.Update(ctx, resource.UpdateRequest{
			Plan: tfsdk.Plan{Schema: sch.Schema, Raw: tftypes.NewValue(typ, prior)}, State: state, Config: config("MaskedKey002"),
		}, &resp)
		state, private = resp.State, resp.Private
		return diagErrors(resp.Diagnostics)
	})
	if mode == "legacy" {
		secrets = append(secrets, "MaskedKey002")
	}
	// The ephemeral resource: knows nothing before it lists.
	run("Open", nil, func(ctx context.Context) []string {
		e := &apiKeyEphemeralResource{data: data}
		var esch ephemeral.SchemaResponse
		e.Schema(ctx, ephemeral.SchemaRequest{}, &esch)
		resp := ephemeral.OpenResponse{Result: tfsdk.EphemeralResultData{Schema: esch.Schema,
			Raw: tftypes.NewValue(esch.Schema.Type().TerraformType(ctx), nil)}}
		e.Open(ctx, ephemeral.OpenRequest{}, &resp)
		return diagErrors(resp.Diagnostics)
	})
	// Delete: knows the key in state. It runs as in a later destroy, in a
	// provider process that has not created the key itself, with the private
	// state of a destroy plan that deletes.
	data.tookOver = keySet{}
	plan := resource.ModifyPlanResponse{Plan: tfsdk.Plan{Schema: sch.Schema, Raw: tftypes.NewValue(typ, nil)}, Private: private}
	r.ModifyPlan(ctx, resource.ModifyPlanRequest{State: state, Plan: plan.Plan, Private: private}, &plan)
	if errs := diagErrors(plan.Diagnostics); len(errs) > 0 {
		t.Fatal(errs)
	}
	run("Delete", []string{"MaskedKey002"}, func(ctx context.Context) []string {
		var resp resource.DeleteResponse
		r.Delete(ctx, resource.DeleteRequest{State: state, Private: plan.Private}, &resp)
		return diagErrors(resp.Diagnostics)
	})
	if _, ok := org.Key(); ok {
		t.Fatal("Delete with delete_on_destroy did not delete the key: the paths did not all run")
	}
}

func diagErrors(diags diag.Diagnostics) []string {
	if !diags.HasError() {
		return nil
	}
	return []string{diagsText(diags)}
}

// TestClientLogLinesCarryNoBodies runs the client as the provider sets it up
// (its log lines go to Terraform's provider log) through writes, lost
// answers and hostile bodies, without any mask: every line has only the
// request's shape (op, method, path, status, timing), never a body or a key.
func TestClientLogLinesCarryNoBodies(t *testing.T) {
	t.Parallel()
	const marker = "BodyMarker77"
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	cfg := org.Config()
	initial := testsupport.CurrentKey(t, org).Value
	s, diags := resolveSettings(nullModel(), envOf(map[string]string{
		envBaseURL: sim.LegacyBaseURL(), envUsername: cfg.Username, envPassword: cfg.Password, envAPIKey: initial,
	}))
	if diags.HasError() {
		t.Fatal(diagsText(diags))
	}
	s.client.MaxRetries = 1
	data, diags := newProviderData(s, "test", "")
	if diags.HasError() {
		t.Fatal(diagsText(diags))
	}
	c := data.client
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)

	key, _, err := c.OrganizationKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := []string{initial, cfg.Password, marker}
	sim.InjectFault(simulator.Fault{Op: simulator.OpEdit, AfterApply: true, Drop: true})
	if _, err := c.EditAPIKey(ctx, key.ID, "NoBodyKey001"); err != nil {
		t.Fatal(err)
	}
	regenerated, err := c.RegenerateAPIKey(ctx, key.ID)
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, "NoBodyKey001", regenerated.Value)
	for _, f := range []simulator.Fault{
		{Op: simulator.OpList, Body: `[{"id":"` + marker + `"}]`},
		{Op: simulator.OpList, Status: http.StatusBadGateway, ContentType: "text/html", Body: "<html>" + marker + "</html>", Times: 2},
		{Op: simulator.OpEdit, Status: http.StatusBadRequest, Message: "refused " + marker},
		{Op: simulator.OpEdit, AfterApply: true, Body: `{"keyValue":"` + marker + `"}`},
	} {
		sim.InjectFault(f)
		if f.Op == simulator.OpEdit {
			_, _ = c.EditAPIKey(ctx, key.ID, "NoBodyKey00"+strconv.Itoa(len(seen)))
			seen = append(seen, "NoBodyKey00"+strconv.Itoa(len(seen)))
		} else {
			_, _, _ = c.OrganizationKey(ctx)
		}
	}
	current, _ := org.Key()
	seen = append(seen, current.Value)

	shape := map[string]bool{"op": true, "method": true, "path": true, "attempt": true, "status": true,
		"duration": true, "error": true, "wait": true, "reason": true}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	for _, line := range lines {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not JSON: %v", err)
		}
		for k := range entry {
			if !shape[k] && !strings.HasPrefix(k, "@") {
				t.Errorf("log field %q is not part of a request's shape", k)
			}
		}
		for i, s := range seen {
			if strings.Contains(line, s) {
				t.Errorf("log line holds secret or body text #%d: %s", i, entry["@message"])
			}
		}
	}
	if len(lines) < 10 {
		t.Fatalf("only %d log lines: the client should log every request", len(lines))
	}
	t.Logf("%d client log lines checked", len(lines))
}

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/bench/nullprovider/donothing"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// The benchmarks below replay, in-process, the RPCs that Terraform sends one
// provider process for one resource: the plan walk's process (validate,
// configure, upgrade and read the state, plan) and the apply walk's (the
// same up to the plan, then apply an edit). Each iteration is a new server,
// as each walk is a new process, so the framework's per-process set-up is in
// the figures; process start-up and go-plugin's handshake are not (make bench
// measures those with the real terraform).

// processBench is one organization's simulator and the values a walk sends.
type processBench struct {
	doNothing bool // the benchmark's do-nothing provider in place of ours: the floor
	sim       *simulator.Simulator
	org       *simulator.Organization
	oneAPI    bool
	provType  tftypes.Type
	resType   tftypes.Type
	gen       int
}

func newProcessBench(b *testing.B, sim *simulator.Simulator, org *simulator.Organization, oneAPI, doNothing bool) *processBench {
	b.Helper()
	pb := &processBench{sim: sim, org: org, oneAPI: oneAPI, doNothing: doNothing}
	s := pb.server()
	resp, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		b.Fatalf("schema: %v %v", err, resp.Diagnostics)
	}
	pb.provType = resp.Provider.ValueType()
	pb.resType = resp.ResourceSchemas[TypeName+"_api_key"].ValueType()
	return pb
}

// server is a fresh provider process, reading no environment.
func (pb *processBench) server() tfprotov6.ProviderServer {
	if pb.doNothing {
		return providerserver.NewProtocol6(donothing.New())()
	}
	noEnv := func(string) (string, bool) { return "", false }
	return providerserver.NewProtocol6(NewWithEnv("bench", noEnv)())()
}

func (pb *processBench) dynamic(b *testing.B, typ tftypes.Type, vals map[string]tftypes.Value) *tfprotov6.DynamicValue {
	b.Helper()
	obj := typ.(tftypes.Object)
	full := map[string]tftypes.Value{}
	for name, t := range obj.AttributeTypes {
		full[name] = tftypes.NewValue(t, nil)
		if v, ok := vals[name]; ok {
			full[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, full))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

// providerConfig is the provider block make bench writes: every login
// argument in the configuration.
func (pb *processBench) providerConfig(b *testing.B) *tfprotov6.DynamicValue {
	cfg := pb.org.Config()
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	vals := map[string]tftypes.Value{"base_url": str(pb.sim.LegacyBaseURL()), "username": str(cfg.Username),
		"password": str(cfg.Password), "api_key": str(testsupport.CurrentKey(b, pb.org).Value)}
	if pb.oneAPI {
		vals = map[string]tftypes.Value{"base_url": str(pb.sim.OneAPIBaseURL()), "client_id": str(cfg.ClientID),
			"client_secret": str(cfg.ClientSecret), "token_url": str(pb.sim.TokenURL())}
	}
	return pb.dynamic(b, pb.provType, vals)
}

// resource is the resource's configuration, with key set to value.
func (pb *processBench) resource(b *testing.B, value string) *tfprotov6.DynamicValue {
	return pb.dynamic(b, pb.resType, map[string]tftypes.Value{"key": tftypes.NewValue(tftypes.String, value)})
}

// walk runs one process's RPCs: the plan walk's, or with apply the apply
// walk's, which edits the key to a new string. It returns the new state.
func (pb *processBench) walk(b *testing.B, apply bool, state *tfprotov6.RawState) *tfprotov6.RawState {
	ctx := context.Background()
	s := pb.server()
	typeName := TypeName + "_api_key"
	pcfg := pb.providerConfig(b)
	check := func(what string, err error, diags []*tfprotov6.Diagnostic) {
		if err != nil {
			b.Fatalf("%s: %v", what, err)
		}
		for _, d := range diags {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				b.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
			}
		}
	}
	vp, err := s.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: pcfg})
	check("validate provider", err, vp.Diagnostics)
	cp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: pcfg})
	check("configure", err, cp.Diagnostics)

	current := testsupport.CurrentKey(b, pb.org).Value
	want := current
	if apply {
		pb.gen++
		want = fmt.Sprintf("Bench%07d", pb.gen)
	}
	config := pb.resource(b, want)
	vr, err := s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: config})
	check("validate resource", err, vr.Diagnostics)
	up, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: typeName, Version: 0, RawState: state})
	check("upgrade", err, up.Diagnostics)
	prior := up.UpgradedState
	if !apply { // the plan walk refreshes; the apply walk plans from the refreshed state it was given
		rr, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: prior})
		check("read", err, rr.Diagnostics)
		prior = rr.NewState
	}
	pr, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: typeName, PriorState: prior,
		ProposedNewState: proposed(b, pb.resType, prior, config), Config: config})
	check("plan", err, pr.Diagnostics)
	if !apply {
		return state
	}
	ar, err := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: typeName, PriorState: prior,
		PlannedState: pr.PlannedState, Config: config, PlannedPrivate: pr.PlannedPrivate})
	check("apply", err, ar.Diagnostics)
	return rawState(b, pb.resType, ar.NewState)
}

// proposed is Terraform's proposed new state: the configuration's values,
// and the prior state's for what the configuration leaves null.
func proposed(b *testing.B, typ tftypes.Type, prior, config *tfprotov6.DynamicValue) *tfprotov6.DynamicValue {
	pv, err := prior.Unmarshal(typ)
	if err != nil {
		b.Fatal(err)
	}
	cv, err := config.Unmarshal(typ)
	if err != nil {
		b.Fatal(err)
	}
	var pm, cm map[string]tftypes.Value
	if err := pv.As(&pm); err != nil {
		b.Fatal(err)
	}
	if err := cv.As(&cm); err != nil {
		b.Fatal(err)
	}
	for name, v := range cm {
		if !v.IsNull() {
			pm[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, pm))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

func rawState(b *testing.B, typ tftypes.Type, dv *tfprotov6.DynamicValue) *tfprotov6.RawState {
	v, err := dv.Unmarshal(typ)
	if err != nil {
		b.Fatal(err)
	}
	js, err := tftypesJSON(v)
	if err != nil {
		b.Fatal(err)
	}
	return &tfprotov6.RawState{JSON: js}
}

// BenchmarkProviderProcess is the CPU of one provider process's RPCs for one
// resource, by walk and login, and the same RPCs on the benchmark's
// do-nothing provider (the floor); calls/op counts API calls per process.
func BenchmarkProviderProcess(b *testing.B) {
	for _, mode := range []string{"legacy", "oneapi", "do-nothing"} {
		for _, walk := range []string{"plan", "apply"} {
			b.Run(mode+"/"+walk, func(b *testing.B) {
				// The organizations take turns, so that each stays within the API's
				// hourly limits while the simulator's clock moves a little.
				orgs := make([]simulator.OrgConfig, 8)
				for i := range orgs {
					orgs[i].Name = fmt.Sprintf("org%d", i)
				}
				sim := testsupport.StartSimulator(b, orgs...)
				var pbs []*processBench
				var states []*tfprotov6.RawState
				for _, o := range orgs {
					pb := newProcessBench(b, sim, sim.Organization(o.Name), mode == "oneapi", mode == "do-nothing")
					pbs, states = append(pbs, pb), append(states, pb.adopt(b))
				}
				before := sim.Counts()
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					// every per-second window is clear, as between two terraform commands
					b.StopTimer()
					sim.Advance(2 * time.Second)
					b.StartTimer()
					n := i % len(pbs)
					states[n] = pbs[n].walk(b, walk == "apply", states[n])
				}
				b.StopTimer()
				after := sim.Counts()
				total := 0
				for op, n := range after.Calls {
					total += n - before.Calls[op]
				}
				b.ReportMetric(float64(total)/float64(b.N), "calls/op")
			})
		}
	}
}

// adopt creates the resource over the organization's key, as the first
// apply does, and returns its state.
func (pb *processBench) adopt(b *testing.B) *tfprotov6.RawState {
	ctx := context.Background()
	s := pb.server()
	pcfg := pb.providerConfig(b)
	if cp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: pcfg}); err != nil || len(cp.Diagnostics) > 0 {
		b.Fatalf("configure: %v %v", err, cp.Diagnostics)
	}
	config := pb.resource(b, testsupport.CurrentKey(b, pb.org).Value)
	nullDV, err := tfprotov6.NewDynamicValue(pb.resType, tftypes.NewValue(pb.resType, nil))
	if err != nil {
		b.Fatal(err)
	}
	pr, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: TypeName + "_api_key",
		PriorState: &nullDV, ProposedNewState: config, Config: config})
	if err != nil || len(pr.Diagnostics) > 0 {
		b.Fatalf("plan: %v %v", err, pr.Diagnostics)
	}
	ar, err := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: TypeName + "_api_key",
		PriorState: &nullDV, PlannedState: pr.PlannedState, Config: config, PlannedPrivate: pr.PlannedPrivate})
	if err != nil || len(ar.Diagnostics) > 0 {
		b.Fatalf("apply: %v %v", err, ar.Diagnostics)
	}
	return rawState(b, pb.resType, ar.NewState)
}

// tftypesJSON is v as Terraform writes it in the state: the JSON that
// UpgradeResourceState reads.
func tftypesJSON(v tftypes.Value) ([]byte, error) {
	x, err := plainValue(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(x)
}

func plainValue(v tftypes.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	t := v.Type()
	switch {
	case t.Is(tftypes.String):
		var s string
		return s, v.As(&s)
	case t.Is(tftypes.Bool):
		var x bool
		return x, v.As(&x)
	case t.Is(tftypes.Number):
		var f big.Float
		if err := v.As(&f); err != nil {
			return nil, err
		}
		n, _ := f.Float64()
		return n, nil
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}):
		var items []tftypes.Value
		if err := v.As(&items); err != nil {
			return nil, err
		}
		out := []any{}
		for _, it := range items {
			x, err := plainValue(it)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	default: // object or map
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			return nil, err
		}
		out := map[string]any{}
		for k, it := range m {
			x, err := plainValue(it)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
}

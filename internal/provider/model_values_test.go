package provider

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// randomObject is a value of the object type obj whose attributes are, at
// random, null, unknown or a value (lists and maps empty or not).
func randomObject(rng *rand.Rand, obj tftypes.Object) tftypes.Value {
	vals := map[string]tftypes.Value{}
	for name, t := range obj.AttributeTypes {
		switch rng.IntN(3) {
		case 0:
			vals[name] = tftypes.NewValue(t, nil)
		case 1:
			vals[name] = tftypes.NewValue(t, tftypes.UnknownValue)
		default:
			vals[name] = randomValue(rng, t)
		}
	}
	return tftypes.NewValue(obj, vals)
}

func randomValue(rng *rand.Rand, t tftypes.Type) tftypes.Value {
	words := []string{"", "abcdefABCDEF", "API_KEY_RW", "2026-12-01T05:26:22Z", "ü ☃"}
	switch {
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, words[rng.IntN(len(words))])
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, rng.IntN(2) == 0)
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, rng.Int64N(1<<40)-1<<39)
	case t.Is(tftypes.List{}):
		var items []tftypes.Value
		for range rng.IntN(3) {
			items = append(items, tftypes.NewValue(tftypes.String, words[rng.IntN(len(words))]))
		}
		return tftypes.NewValue(t, items)
	default: // map of strings
		m := map[string]tftypes.Value{}
		for range rng.IntN(3) {
			m[words[rng.IntN(len(words))]] = tftypes.NewValue(tftypes.String, words[rng.IntN(len(words))])
		}
		return tftypes.NewValue(t, m)
	}
}

// TestModelValuesMatchTheFramework: readModel and setAPIKey give what the
// framework's reflection-based Get and Set give, for every mix of null,
// unknown and known attributes, and for null objects.
func TestModelValuesMatchTheFramework(t *testing.T) {
	ctx := context.Background()
	var rs resource.SchemaResponse
	(&apiKeyResource{}).Schema(ctx, resource.SchemaRequest{}, &rs)
	var ps provider.SchemaResponse
	(&cloudConnectorProvider{}).Schema(ctx, provider.SchemaRequest{}, &ps)
	rng := rand.New(rand.NewPCG(1, 2))

	resType := rs.Schema.Type().TerraformType(ctx).(tftypes.Object)
	for i := range 500 {
		raw := randomObject(rng, resType)
		if i == 0 {
			raw = tftypes.NewValue(resType, nil)
		}
		var want apiKeyResourceModel
		if raw.IsNull() { // the framework refuses to read a null object; readModel reads every attribute as null
			for _, f := range want.fields() {
				if err := assign(f, nullOf(ctx, f)); err != nil {
					t.Fatal(err)
				}
			}
		} else if d := (tfsdk.State{Schema: rs.Schema, Raw: raw}).Get(ctx, &want); d.HasError() {
			t.Fatalf("framework Get: %v", d)
		}
		var got apiKeyResourceModel
		if d := getAPIKey(ctx, raw, &got); d.HasError() || !reflect.DeepEqual(got, want) {
			t.Fatalf("getAPIKey(%s) = %+v, %v; the framework reads %+v", raw, got, d, want)
		}
		if raw.IsNull() {
			continue
		}
		viaFramework := tfsdk.State{Schema: rs.Schema, Raw: tftypes.NewValue(resType, nil)}
		if d := viaFramework.Set(ctx, &want); d.HasError() {
			t.Fatalf("framework Set: %v", d)
		}
		ours := tfsdk.State{Schema: rs.Schema, Raw: tftypes.NewValue(resType, nil)}
		if d := setAPIKey(ctx, &ours, got); d.HasError() || !ours.Raw.Equal(viaFramework.Raw) {
			t.Fatalf("setAPIKey wrote %s, %v; the framework writes %s", ours.Raw, d, viaFramework.Raw)
		}
	}

	provType := ps.Schema.Type().TerraformType(ctx).(tftypes.Object)
	for range 200 {
		raw := randomObject(rng, provType)
		var want, got providerModel
		if d := (tfsdk.Config{Schema: ps.Schema, Raw: raw}).Get(ctx, &want); d.HasError() {
			t.Fatalf("framework Get: %v", d)
		}
		if d := readModel(ctx, raw, got.fields()); d.HasError() || !reflect.DeepEqual(got, want) {
			t.Fatalf("readModel(%s) = %+v, %v; the framework reads %+v", raw, got, d, want)
		}
	}
}

func nullOf(ctx context.Context, f modelField) attr.Value {
	v, _ := fieldType(f).ValueFromTerraform(ctx, tftypes.NewValue(fieldType(f).TerraformType(ctx), nil))
	return v
}

// TestModelFieldsNameEverySchemaAttribute: a new attribute must be added to
// fields(), or readModel would leave it out.
func TestModelFieldsNameEverySchemaAttribute(t *testing.T) {
	ctx := context.Background()
	var rs resource.SchemaResponse
	(&apiKeyResource{}).Schema(ctx, resource.SchemaRequest{}, &rs)
	var ps provider.SchemaResponse
	(&cloudConnectorProvider{}).Schema(ctx, provider.SchemaRequest{}, &ps)
	var m apiKeyResourceModel
	var p providerModel
	for what, c := range map[string]struct {
		fields []modelField
		attrs  []string
	}{
		"cloudconnector_api_key": {m.fields(), keysOf(rs.Schema.Attributes)},
		"provider":               {p.fields(), keysOf(ps.Schema.Attributes)},
	} {
		var names []string
		for _, f := range c.fields {
			names = append(names, f.name)
		}
		if !sameSet(names, c.attrs) {
			t.Errorf("%s: fields() names %v, the schema has %v", what, names, c.attrs)
		}
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sameSet(a, b []string) bool {
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// TestSetIdentityMatchesTheFramework: setIdentity writes what the framework's
// Set of the identity model writes, onto a null identity (a create) and onto
// a set one (a read). Terraform before 1.12 sends no identity, so the
// acceptance tests cover this on 1.12 and later only.
func TestSetIdentityMatchesTheFramework(t *testing.T) {
	ctx := context.Background()
	var is resource.IdentitySchemaResponse
	(&apiKeyResource{}).IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &is)
	typ := is.IdentitySchema.Type().TerraformType(ctx)
	for _, prior := range []tftypes.Value{
		tftypes.NewValue(typ, nil),
		tftypes.NewValue(typ, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "7")}),
	} {
		want := tfsdk.ResourceIdentity{Schema: is.IdentitySchema, Raw: prior}
		if d := want.Set(ctx, apiKeyIdentityModel{ID: types.StringValue("42")}); d.HasError() {
			t.Fatalf("framework Set: %v", d)
		}
		got := &tfsdk.ResourceIdentity{Schema: is.IdentitySchema, Raw: prior}
		var diags diag.Diagnostics
		setIdentity(ctx, &diags, got, types.StringValue("42"))
		if diags.HasError() || !got.Raw.Equal(want.Raw) {
			t.Errorf("from %s: setIdentity wrote %s, %v; the framework writes %s", prior, got.Raw, diags, want.Raw)
		}
	}
}

// BenchmarkReadModel is the cost that model_values.go saves: one read of the
// resource's model from a state, through the framework's reflection and
// through getAPIKey; and one write of it each way.
func BenchmarkReadModel(b *testing.B) {
	ctx := context.Background()
	var rs resource.SchemaResponse
	(&apiKeyResource{}).Schema(ctx, resource.SchemaRequest{}, &rs)
	typ := rs.Schema.Type().TerraformType(ctx).(tftypes.Object)
	st := tfsdk.State{Schema: rs.Schema, Raw: randomObject(rand.New(rand.NewPCG(3, 4)), typ)}
	var m apiKeyResourceModel
	if d := st.Get(ctx, &m); d.HasError() {
		b.Fatal(d)
	}
	for name, step := range map[string]func() diag.Diagnostics{
		"get/framework": func() diag.Diagnostics { var x apiKeyResourceModel; return st.Get(ctx, &x) },
		"get/raw":       func() diag.Diagnostics { var x apiKeyResourceModel; return getAPIKey(ctx, st.Raw, &x) },
		"set/framework": func() diag.Diagnostics { out := st; return out.Set(ctx, &m) },
		"set/raw":       func() diag.Diagnostics { out := st; return setAPIKey(ctx, &out, m) },
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if d := step(); d.HasError() {
					b.Fatal(d)
				}
			}
		})
	}
}

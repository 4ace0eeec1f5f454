package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The framework's Get and Set between a request's values and a struct walk
// the struct by reflection and compile a regular expression for every field
// on every call (terraform-plugin-framework v1.19, internal/reflect's
// isValidFieldName): for the resource's ten attributes some 70 µs and 490
// allocations per Get, against 2 µs here (BenchmarkReadModel), and a plan or
// apply walk makes several. The models that every walk reads are read and
// written here instead, straight from the raw value, field by field as each
// model lists them.

// modelField is one attribute of a model: its name and the field that holds it.
type modelField struct {
	name  string
	value any // *types.String, *types.Bool, *types.Int64, *types.List or *types.Map of strings
}

// readModel fills fields from raw, an object value of a schema's type; a
// null or unknown object leaves them null.
func readModel(ctx context.Context, raw tftypes.Value, fields []modelField) diag.Diagnostics {
	var diags diag.Diagnostics
	attrs := map[string]tftypes.Value{}
	if raw.IsKnown() && !raw.IsNull() {
		if err := raw.As(&attrs); err != nil {
			diags.AddError("Unexpected value in the provider's data", "The provider could not read its data: "+err.Error()+
				". Please report this issue to the provider developers.")
			return diags
		}
	}
	for _, f := range fields {
		v, ok := attrs[f.name]
		if !ok {
			v = tftypes.NewValue(fieldType(f).TerraformType(ctx), nil)
		}
		got, err := fieldType(f).ValueFromTerraform(ctx, v)
		if err == nil {
			err = assign(f, got)
		}
		if err != nil {
			diags.AddError("Unexpected value in the provider's data", fmt.Sprintf("The provider could not read %s: %s. Please report this "+
				"issue to the provider developers.", f.name, err))
		}
	}
	return diags
}

// modelValue is the object value of fields, of type typ (the schema's): an
// attribute that fields leave out is null.
func modelValue(ctx context.Context, typ tftypes.Type, fields []modelField) (tftypes.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	obj, ok := typ.(tftypes.Object)
	if !ok {
		diags.AddError("Unexpected value in the provider's data", fmt.Sprintf("The provider expected an object type, got %s. Please "+
			"report this issue to the provider developers.", typ))
		return tftypes.Value{}, diags
	}
	vals := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, t := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(t, nil)
	}
	for _, f := range fields {
		value, ok := f.value.(interface {
			ToTerraformValue(context.Context) (tftypes.Value, error)
		})
		if !ok {
			diags.AddError("Unexpected value in the provider's data", fmt.Sprintf("The provider could not write %s: "+
				"%T is not a value. Please report this issue to the provider developers.", f.name, f.value))
			continue
		}
		v, err := value.ToTerraformValue(ctx)
		if err != nil {
			diags.AddError("Unexpected value in the provider's data", fmt.Sprintf("The provider could not write %s: %s. Please report "+
				"this issue to the provider developers.", f.name, err))
			continue
		}
		vals[f.name] = v
	}
	return tftypes.NewValue(typ, vals), diags
}

// fieldType is the framework type of a field.
func fieldType(f modelField) attr.Type {
	switch f.value.(type) {
	case *types.Bool:
		return types.BoolType
	case *types.Int64:
		return types.Int64Type
	case *types.List:
		return types.ListType{ElemType: types.StringType}
	case *types.Map:
		return types.MapType{ElemType: types.StringType}
	default:
		return types.StringType
	}
}

func assign(f modelField, v attr.Value) error {
	var ok bool
	switch p := f.value.(type) {
	case *types.String:
		*p, ok = v.(types.String)
	case *types.Bool:
		*p, ok = v.(types.Bool)
	case *types.Int64:
		*p, ok = v.(types.Int64)
	case *types.List:
		*p, ok = v.(types.List)
	case *types.Map:
		*p, ok = v.(types.Map)
	}
	if !ok {
		return fmt.Errorf("unexpected %T for %T", v, f.value)
	}
	return nil
}

// fields lists the resource model's attributes for readModel and modelValue.
func (m *apiKeyResourceModel) fields() []modelField {
	return []modelField{
		{"id", &m.ID}, {"key", &m.Key}, {"key_wo", &m.KeyWO}, {"key_wo_version", &m.KeyWOVersion},
		{"regenerate_triggers", &m.RegenerateTriggers}, {"delete_on_destroy", &m.DeleteOnDestroy},
		{"enabled", &m.Enabled}, {"permissions", &m.Permissions}, {"last_modified_by", &m.LastModifiedBy},
		{"last_modified_time", &m.LastModifiedTime},
	}
}

// fields lists the provider model's attributes for readModel.
func (m *providerModel) fields() []modelField {
	return []modelField{
		{"cloud", &m.Cloud}, {"base_url", &m.BaseURL}, {"username", &m.Username}, {"password", &m.Password},
		{"api_key", &m.APIKey}, {"client_id", &m.ClientID}, {"client_secret", &m.ClientSecret},
		{"private_key", &m.PrivateKey}, {"vanity_domain", &m.VanityDomain}, {"token_url", &m.TokenURL},
		{"max_retries", &m.MaxRetries}, {"request_timeout", &m.RequestTimeout},
	}
}

// getAPIKey reads the resource model from a request's config, plan or state into m.
func getAPIKey(ctx context.Context, raw tftypes.Value, m *apiKeyResourceModel) diag.Diagnostics {
	return readModel(ctx, raw, m.fields())
}

// setAPIKey sets a response's state to m.
func setAPIKey(ctx context.Context, st *tfsdk.State, m apiKeyResourceModel) diag.Diagnostics {
	v, diags := modelValue(ctx, st.Schema.Type().TerraformType(ctx), m.fields())
	if diags.HasError() {
		return diags
	}
	return st.Set(ctx, v) // a raw value: Set checks its type, without reflection
}

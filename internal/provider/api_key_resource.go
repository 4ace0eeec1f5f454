package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

var (
	_ resource.Resource                = (*apiKeyResource)(nil)
	_ resource.ResourceWithConfigure   = (*apiKeyResource)(nil)
	_ resource.ResourceWithImportState = (*apiKeyResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*apiKeyResource)(nil)
)

// importCurrent is the import ID that adopts whatever key the organization has.
const importCurrent = "current"

// privateKeyImport marks state written by ImportState, so that Read checks
// the imported ID strictly instead of taking over a different key.
const privateKeyImport = "import"

// apiKeyResource manages the organization's API key: at most one per
// organization, so Create takes over the key Zscaler provisioned.
type apiKeyResource struct {
	data *providerData
}

func newAPIKeyResource() resource.Resource { return &apiKeyResource{} }

type apiKeyResourceModel struct {
	ID                 types.String `tfsdk:"id"`
	Key                types.String `tfsdk:"key"`
	KeyWO              types.String `tfsdk:"key_wo"`
	KeyWOVersion       types.Int64  `tfsdk:"key_wo_version"`
	KeyFingerprint     types.String `tfsdk:"key_fingerprint"`
	RegenerateTriggers types.Map    `tfsdk:"regenerate_triggers"`
	DeleteOnDestroy    types.Bool   `tfsdk:"delete_on_destroy"`
	Enabled            types.Bool   `tfsdk:"enabled"`
	Permissions        types.List   `tfsdk:"permissions"`
	LastModifiedBy     types.String `tfsdk:"last_modified_by"`
	LastModifiedTime   types.String `tfsdk:"last_modified_time"`
}

// woMode: the string comes from key_wo and stays out of state.
func (m apiKeyResourceModel) woMode() bool { return !m.KeyWO.IsNull() || !m.KeyWOVersion.IsNull() }

func (r *apiKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (r *apiKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	pathKey, pathKeyWO, pathTriggers := path.MatchRoot("key"), path.MatchRoot("key_wo"), path.MatchRoot("regenerate_triggers")
	resp.Schema = schema.Schema{
		MarkdownDescription: "The organization's API key. An organization has at most one, and Zscaler provisions it, " +
			"so creating this resource takes the existing key over: it edits it to `key` (or `key_wo`) when set, and " +
			"regenerates it otherwise. To adopt the key unchanged, import it with the ID `current`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The key's ID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"key": schema.StringAttribute{
				Optional:  true,
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The key string: exactly 12 letters or digits. Setting or changing it edits the key " +
					"in place. Left unset, it holds the string the API gave (after a regenerate, say). Conflicts with " +
					"`key_wo` and `regenerate_triggers`.",
				Validators: []validator.String{
					keyStringValidator(),
					stringvalidator.ConflictsWith(pathKeyWO, pathTriggers),
				},
				PlanModifiers: []planmodifier.String{keyPlanModifier{}},
			},
			"key_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				Sensitive: true,
				MarkdownDescription: "The key string, as `key`, but kept out of state and plan; it can come from an " +
					"ephemeral value. Applied when `key_wo_version` changes. With it, `key` stays null in state.",
				Validators: []validator.String{
					keyStringValidator(),
					stringvalidator.ConflictsWith(pathKey, pathTriggers),
					stringvalidator.AlsoRequires(path.MatchRoot("key_wo_version")),
				},
			},
			"key_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Any new value applies the current `key_wo`. Terraform cannot see `key_wo` change, " +
					"so bump this whenever you change it.",
				Validators: []validator.Int64{int64validator.AlsoRequires(pathKeyWO)},
			},
			"key_fingerprint": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "SHA-256 (hex) of the key's ID, a colon and its string. It changes whenever the " +
					"string does, so a plan shows a change, or drift, without showing the string.",
				PlanModifiers: []planmodifier.String{keyFingerprintPlanModifier{}},
			},
			"regenerate_triggers": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Arbitrary strings; any change replaces the resource, and the replacement " +
					"regenerates the key (one regenerate call, so the organization is never without a key unless " +
					"`delete_on_destroy` is true). Feed it a time-based value to rotate on a schedule. Conflicts with " +
					"`key` and `key_wo`.",
				Validators: []validator.Map{
					mapvalidator.ConflictsWith(pathKey, pathKeyWO),
				},
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"delete_on_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Whether destroying the resource deletes the key at the API (`true`) or only " +
					"removes it from Terraform, leaving it working (`false`, the default).",
			},
			"enabled": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the key is enabled, as the API reports it.",
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"permissions": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The key's permissions, as the API reports them.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"last_modified_by": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Who changed the key last, as the API reports it.",
				PlanModifiers:       []planmodifier.String{lastModifiedPlanModifier{}},
			},
			"last_modified_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the key was changed last, RFC 3339.",
				PlanModifiers:       []planmodifier.String{lastModifiedPlanModifier{}},
			},
		},
	}
}

func (r *apiKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan warns before an apply that takes over a key or changes the key
// the provider logs in with. It makes no API call.
func (r *apiKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	switch {
	case req.Plan.Raw.IsNull(): // destroy
		var state apiKeyResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if state.DeleteOnDestroy.ValueBool() && r.data.logsInWith(state.ID.ValueString(), state.KeyFingerprint.ValueString()) {
			resp.Diagnostics.AddWarning("Deleting the key this provider logs in with",
				fmt.Sprintf("delete_on_destroy is true, so destroying deletes key %s, which is the api_key this provider "+
					"logs in with. Afterwards no legacy login works for the organization until a key is added in the "+
					"admin portal; keep OneAPI or portal access at hand.", state.ID.ValueString()))
		}
	case req.State.Raw.IsNull(): // create, or the create half of a replacement
		var config apiKeyResourceModel
		resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
		if resp.Diagnostics.HasError() {
			return
		}
		action := "regenerates it (a new random string that only this state knows)"
		if !config.Key.IsNull() || config.woMode() {
			action = "edits its string to the configured one"
		}
		resp.Diagnostics.AddWarning("Creating this resource takes over the organization's API key",
			"An organization has at most one API key, and Zscaler provisions it. Where the organization already has "+
				"one, this apply "+action+", and whatever uses the current string stops working. To adopt the current "+
				"key unchanged instead, import it:\n\n"+
				"  import {\n    to = <this resource's address>\n    id = \"current\"\n  }\n\n"+
				"or run `terraform import <address> current`. Where the organization has no key, this apply adds one.")
		if r.data.settings.authMode == client.AuthLegacy && r.data.settings.hasLogin {
			resp.Diagnostics.AddWarning("This apply changes the key the provider logs in with",
				"Legacy login uses the organization's API key (api_key), which this apply edits or regenerates. The "+
					"provider keeps working with the new string until the apply ends; then set api_key ("+envAPIKey+
					") to the new key before the next run, or log in with OneAPI, which does not depend on it.")
		}
	default: // update, or the first half of a replacement
		var state, plan apiKeyResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		if resp.Diagnostics.HasError() {
			return
		}
		change, diags := planKeyChange(ctx, req.Config, req.State, req.Private)
		resp.Diagnostics.Append(diags...)
		// Terraform shows no warning from the create half of a replacement:
		// say here what it will do.
		rotates := !plan.RegenerateTriggers.Equal(state.RegenerateTriggers)
		if rotates {
			how := "regenerates it in place (same ID, a new string)"
			if state.DeleteOnDestroy.ValueBool() {
				how = "deletes it (delete_on_destroy is true) and adds a new key, so the organization has no key in " +
					"between; with create_before_destroy it regenerates the key in place and leaves it"
			}
			resp.Diagnostics.AddWarning("Rotating the organization's API key",
				fmt.Sprintf("regenerate_triggers changed, so this apply replaces the resource: it %s. Whatever uses "+
					"key %s's current string stops working.", how, state.ID.ValueString()))
		}
		if (change.changes || rotates) && r.data.logsInWith(state.ID.ValueString(), state.KeyFingerprint.ValueString()) {
			resp.Diagnostics.AddWarning("This apply changes the key the provider logs in with",
				fmt.Sprintf("Key %s is the api_key this provider logs in with, and this apply changes its string. The "+
					"provider keeps working with the new string until the apply ends; then set api_key (%s) to the new "+
					"key before the next run.", state.ID.ValueString(), envAPIKey))
		}
	}
}

func (r *apiKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config apiKeyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := r.data.apiClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	desired, desiredPath := plan.Key.ValueString(), path.Root("key")
	if config.woMode() {
		desired, desiredPath = config.KeyWO.ValueString(), path.Root("key_wo")
	}
	ctx = r.data.withMasks(ctx, desired)

	if forgotten, ok := r.data.takeForgotten(); ok && desired != forgotten.Value {
		// The create half of a replacement: Delete just left this key in
		// place, and Create takes the very same key over. No list to find it.
		wasLoginKey := r.data.settings.authMode == client.AuthLegacy // the org key is the login key
		if forgotten.Value != "" {
			wasLoginKey = c.UsesLoginKey(forgotten.Value)
			c.Remember(forgotten) // lets a regenerate whose answer is lost be checked
		}
		key, err := r.changeKey(ctx, c, forgotten, desired, desiredPath, &resp.Diagnostics)
		if err == nil {
			r.finishCreate(ctx, resp, plan, config, key, wasLoginKey)
			return
		}
		if !errors.Is(err, client.ErrNotFound) {
			return
		}
		// gone since the refresh: find out what the organization has now
	}

	current, found, err := c.OrganizationKey(ctx)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(opRead, err, path.Empty()))
		return
	}
	ctx = r.data.withMasks(ctx, desired, current.Value)
	wasLoginKey := found && c.UsesLoginKey(current.Value)

	var key client.APIKey
	switch {
	case !found:
		added, err := c.AddAPIKey(ctx)
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiagnostic(opAdd, err, path.Empty()))
			return
		}
		key = added
		ctx = r.data.withMasks(ctx, added.Value)
		if desired != "" {
			// Nothing is saved on failure: the next apply finds the added key and edits it.
			if key, err = editKey(ctx, c, added.ID, desired); err != nil {
				resp.Diagnostics.Append(apiErrorDiagnostic(opEdit, err, desiredPath))
				return
			}
		}
	case desired == current.Value:
		key = current // already the configured string: the API refuses an edit to the same value
	default:
		if key, err = r.changeKey(ctx, c, current, desired, desiredPath, &resp.Diagnostics); err != nil {
			return
		}
	}
	r.finishCreate(ctx, resp, plan, config, key, wasLoginKey && key.Value != current.Value)
}

// changeKey regenerates the key, or edits it to desired when that is set,
// adding a diagnostic on failure. A key that is gone (ErrNotFound) is left to
// the caller, without a diagnostic.
func (r *apiKeyResource) changeKey(ctx context.Context, c *client.Client, current client.APIKey, desired string,
	desiredPath path.Path, diags *diag.Diagnostics) (client.APIKey, error) {
	var key client.APIKey
	var err error
	op, attr := opRegenerate, path.Empty()
	if desired == "" {
		key, err = c.RegenerateAPIKey(ctx, current.ID)
	} else {
		op, attr = opEdit, desiredPath
		key, err = editKey(ctx, c, current.ID, desired)
	}
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		diags.Append(apiErrorDiagnostic(op, err, attr))
	}
	return key, err
}

// finishCreate records the key the create ended with, and tells the user
// when that changed the key the provider logged in with.
func (r *apiKeyResource) finishCreate(ctx context.Context, resp *resource.CreateResponse, plan, config apiKeyResourceModel,
	key client.APIKey, changedLoginKey bool) {
	r.recordKey(ctx, &resp.Diagnostics, &resp.State, resp.Private, plan, key, config.woMode(), changedLoginKey)
}

// recordKey writes the key a create or update ended with into the state
// (and, for key_wo, its fingerprint into private state), and tells the user
// when the change was to the key the provider logged in with.
func (r *apiKeyResource) recordKey(ctx context.Context, diags *diag.Diagnostics, st *tfsdk.State, private privateSetter,
	planned apiKeyResourceModel, key client.APIKey, woMode, changedLoginKey bool) {
	ctx = r.data.withMasks(ctx, key.Value)
	if changedLoginKey {
		diags.Append(credentialHandOver(key.ID, woMode))
	}
	m := planned
	diags.Append(setKeyState(ctx, &m, key, woMode)...)
	diags.Append(st.Set(ctx, &m)...)
	if woMode {
		diags.Append(setWOApplied(ctx, private, m.KeyFingerprint.ValueString())...)
	}
}

func (r *apiKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state apiKeyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := r.data.apiClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx, state.Key.ValueString())
	key, found, err := c.OrganizationKey(ctx)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(opRead, err, path.Empty()))
		return
	}
	ctx = r.data.withMasks(ctx, key.Value)

	importing, diags := req.Private.GetKey(ctx, privateKeyImport)
	resp.Diagnostics.Append(diags...)
	if len(importing) > 0 {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImport, nil)...)
		wanted := state.ID.ValueString()
		switch {
		case !found:
			resp.Diagnostics.AddError("Nothing to import",
				"The organization has no API key. Let `terraform apply` add one instead of importing, or add one in the "+
					"admin portal (Administration > API Key Management) and import it with the ID `current`.")
			return
		case wanted != importCurrent && wanted != strconv.FormatInt(key.ID, 10):
			resp.Diagnostics.AddError("No API key with that ID",
				fmt.Sprintf("The organization's API key has ID %d, not %s. Import it with that ID or with `current`.", key.ID, wanted))
			return
		}
	} else {
		switch {
		case !found:
			// Gone (deleted in the portal): the next plan adds a key again.
			resp.State.RemoveResource(ctx)
			return
		case state.ID.ValueString() != strconv.FormatInt(key.ID, 10):
			resp.Diagnostics.AddWarning("The organization's API key has a new ID",
				fmt.Sprintf("The state held key %s, and the organization now has key %d instead (deleted and added again "+
					"in the portal?). This resource now manages key %d; the plan shows whether its string matches the "+
					"configuration.", state.ID.ValueString(), key.ID, key.ID))
		}
	}

	resp.Diagnostics.Append(setKeyState(ctx, &state, key, state.woMode())...)
	if state.DeleteOnDestroy.IsNull() {
		state.DeleteOnDestroy = types.BoolValue(false) // imported: the schema default
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *apiKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config apiKeyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	change, diags := planKeyChange(ctx, req.Config, req.State, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	newState := plan
	if !change.changes {
		// Only Terraform-side arguments changed (delete_on_destroy, key removed from
		// the configuration, …): no call, the computed values stay as they were.
		newState.KeyFingerprint, newState.LastModifiedBy, newState.LastModifiedTime = state.KeyFingerprint, state.LastModifiedBy, state.LastModifiedTime
		resp.Diagnostics.Append(resp.State.Set(ctx, &newState)...)
		return
	}

	c, diags := r.data.apiClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	desired, desiredPath := change.fromKey, path.Root("key")
	if change.fromKeyWO {
		desired, desiredPath = config.KeyWO.ValueString(), path.Root("key_wo")
		if config.KeyWO.IsNull() {
			resp.Diagnostics.AddAttributeError(desiredPath, "key_wo is not set",
				"The plan applies key_wo (key_wo_version changed, or the key was changed outside Terraform), but key_wo "+
					"is null. Set key_wo to the key string, or remove key_wo_version to stop managing the string.")
			return
		}
	}
	ctx = r.data.withMasks(ctx, desired, state.Key.ValueString())
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil {
		resp.Diagnostics.AddError("Invalid key ID in state", fmt.Sprintf("The state holds key ID %q, which is not a "+
			"number. Run `terraform apply -refresh-only`, or re-import the key with the ID `current`.", state.ID.ValueString()))
		return
	}
	wasLoginKey := r.data.logsInWith(state.ID.ValueString(), state.KeyFingerprint.ValueString())

	key, err := editKey(ctx, c, id, desired)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(opEdit, err, desiredPath))
		return
	}
	r.recordKey(ctx, &resp.Diagnostics, &resp.State, resp.Private, newState, key, config.woMode(), wasLoginKey)
}

func (r *apiKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state apiKeyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !state.DeleteOnDestroy.ValueBool() {
		if id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64); err == nil {
			r.data.rememberForgotten(client.APIKey{ID: id, Value: state.Key.ValueString()})
		}
		resp.Diagnostics.AddWarning("API key left in place",
			fmt.Sprintf("delete_on_destroy is false, so key %s was removed from Terraform's state and keeps working at "+
				"the API. Where this destroy is part of a replacement, the new resource takes the key over next. Set "+
				"delete_on_destroy = true (and apply) before destroying to delete the key.", state.ID.ValueString()))
		return
	}
	c, diags := r.data.apiClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx, state.Key.ValueString())
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil {
		return // never a real key: nothing to delete
	}
	// One key per organization: in a replacement that creates before it
	// destroys, the new resource has taken this very key over by now. Delete
	// only the key as this state knows it; one whose string changed since
	// belongs to whoever changed it.
	current, found, err := c.OrganizationKey(ctx)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(opRead, err, path.Empty()))
		return
	}
	if !found || current.ID != id {
		return // already gone
	}
	ctx = r.data.withMasks(ctx, current.Value)
	if keyFingerprint(state.ID.ValueString(), current.Value) != state.KeyFingerprint.ValueString() {
		resp.Diagnostics.AddWarning("API key left in place: it changed since Terraform last read it",
			fmt.Sprintf("delete_on_destroy is true, but key %s no longer holds the string this state recorded: another "+
				"resource took it over (a replacement with create_before_destroy, say) or it was changed in the portal. "+
				"Deleting it would remove the organization's only key, so it was left in place. To delete it, run "+
				"`terraform apply -refresh-only`, then destroy again.", state.ID.ValueString()))
		return
	}
	if err := c.DeleteAPIKey(ctx, id); err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(opDelete, err, path.Root("delete_on_destroy")))
	}
}

func (r *apiKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id != importCurrent {
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
			resp.Diagnostics.AddError("Invalid import ID",
				fmt.Sprintf("%q is not an API key ID. Import with the key's numeric ID (the portal shows it under "+
					"Administration > API Key Management), or with `current` for whatever key the organization has.", id))
			return
		}
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImport, []byte(`true`))...)
}

// editKey edits key id to value. The API refuses an edit to the string the
// key already has: someone may have set it in the meantime, or a repeat after
// a misreported answer meets the edit it already made. A list tells which,
// before it is called an error.
func editKey(ctx context.Context, c *client.Client, id int64, value string) (client.APIKey, error) {
	key, err := c.EditAPIKey(ctx, id, value)
	if err != nil && errors.Is(err, client.ErrInvalidInput) {
		if now, found, lerr := c.OrganizationKey(ctx); lerr == nil && found && now.ID == id && now.Value == value {
			return now, nil
		}
	}
	return key, err
}

// setKeyState copies what the API reports into the model. In write-only mode
// the string itself stays out of state: only its fingerprint is kept.
func setKeyState(ctx context.Context, m *apiKeyResourceModel, key client.APIKey, woMode bool) diag.Diagnostics {
	id := strconv.FormatInt(key.ID, 10)
	m.ID = types.StringValue(id)
	if woMode {
		m.Key = types.StringNull()
	} else {
		m.Key = types.StringValue(key.Value)
	}
	m.KeyFingerprint = types.StringValue(keyFingerprint(id, key.Value))
	m.Enabled = types.BoolValue(key.Enabled)
	perms, diags := types.ListValueFrom(ctx, types.StringType, nonNil(key.Permissions))
	m.Permissions = perms
	m.LastModifiedBy = types.StringValue(key.LastModifiedBy)
	m.LastModifiedTime = types.StringNull()
	if !key.LastModifiedTime.IsZero() {
		m.LastModifiedTime = types.StringValue(key.LastModifiedTime.UTC().Format(time.RFC3339))
	}
	return diags
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func setWOApplied(ctx context.Context, private privateSetter, fingerprint string) diag.Diagnostics {
	raw, err := json.Marshal(woApplied{Fingerprint: fingerprint})
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the applied key_wo", err.Error())
		return diags
	}
	return private.SetKey(ctx, privateKeyWOApplied, raw)
}

// credentialHandOver tells the user which credential to update after the
// provider changed the key it logged in with.
func credentialHandOver(id int64, woMode bool) diag.Diagnostic {
	where := "The new string is in this resource's `key` attribute (sensitive; `terraform output` of it, or the state)."
	if woMode {
		where = "The new string is the key_wo value you applied."
	}
	return diag.NewWarningDiagnostic("Update api_key: the provider's login key changed",
		fmt.Sprintf("This apply changed key %d, which is the api_key this provider logged in with. The provider kept "+
			"working with the new string for the rest of the apply. Before the next run, set api_key (or %s) to the "+
			"new string, or every legacy login will be refused. %s", id, envAPIKey, where))
}

package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

var (
	_ resource.Resource                     = (*apiKeyResource)(nil)
	_ resource.ResourceWithConfigure        = (*apiKeyResource)(nil)
	_ resource.ResourceWithConfigValidators = (*apiKeyResource)(nil)
	_ resource.ResourceWithImportState      = (*apiKeyResource)(nil)
	_ resource.ResourceWithIdentity         = (*apiKeyResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*apiKeyResource)(nil)
)

// importCurrent is the import ID that adopts whatever key the organization has.
const importCurrent = "current"

// privateKeyImport marks state written by ImportState, so that Read checks
// the imported ID strictly instead of taking over a different key.
const privateKeyImport = "import"

// apiKeyResource manages the organization's API key: at most one per
// organization, and Zscaler provisions it, so Create adopts the key it finds.
type apiKeyResource struct {
	data *providerData
}

func newAPIKeyResource() resource.Resource { return &apiKeyResource{} }

type apiKeyResourceModel struct {
	ID                 types.String `tfsdk:"id"`
	Key                types.String `tfsdk:"key"`
	KeyWO              types.String `tfsdk:"key_wo"`
	KeyWOVersion       types.Int64  `tfsdk:"key_wo_version"`
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
	resp.Schema = schema.Schema{
		MarkdownDescription: "The organization's API key. An organization has at most one, and Zscaler provisions " +
			"it, so creating this resource adopts the existing key: unchanged when none of `key`, `key_wo` and " +
			"`regenerate_triggers` is set, edited to `key` (or `key_wo`) when one is, regenerated once when " +
			"`regenerate_triggers` is. Where the organization has no key, it adds one.",
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
					"in place. Left unset, it holds the string the API reports. Conflicts with `key_wo` and " +
					"`regenerate_triggers`.",
				Validators:    []validator.String{keyStringValidator()},
				PlanModifiers: []planmodifier.String{keyPlanModifier{}},
			},
			"key_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				Sensitive: true,
				MarkdownDescription: "The key string, as `key`, but kept out of state and plan; it can come from an " +
					"ephemeral value. Requires `key_wo_version`, and is applied when that changes. With it, `key` stays " +
					"null in state.",
				Validators: []validator.String{keyStringValidator()},
			},
			"key_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Any new value applies the current `key_wo`. Terraform cannot see `key_wo` change, " +
					"so bump this whenever you change it. Requires `key_wo`.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"regenerate_triggers": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Arbitrary strings. A change from one map to another replaces the resource, and " +
					"the replacement regenerates the key (same ID, a new random string). Adding the map to an adopted " +
					"key, or removing it, changes nothing at the API. Feed it a time-based value to rotate on a " +
					"schedule. Conflicts with `key` and `key_wo`.",
				PlanModifiers: []planmodifier.Map{triggersRequireReplace()},
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

// apiKeyIdentityModel is the resource identity (Terraform 1.12+): the key's
// ID, which neither an edit nor a regenerate changes.
type apiKeyIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

func (r *apiKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The key's ID, as the admin portal shows it, or `current` to import whatever key the organization has.",
			},
		},
	}
}

// setIdentity records the key's ID as the resource identity.
func setIdentity(ctx context.Context, diags *diag.Diagnostics, identity *tfsdk.ResourceIdentity, id types.String) {
	if identity != nil {
		diags.Append(identity.SetAttribute(ctx, path.Root("id"), id)...)
	}
}

func (r *apiKeyResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{keyArgumentsValidator{}}
}

func (r *apiKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan fails a plan that needs the API when no login is configured,
// and warns about the few plans that do something unusual to the key. Routine
// work (adopting, editing, a scheduled rotation) plans without a word. It
// makes no API call.
func (r *apiKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return // validate: the provider is not configured yet
	}
	if req.Plan.Raw.IsNull() { // destroy
		var state apiKeyResourceModel
		resp.Diagnostics.Append(getAPIKey(ctx, req.State.Raw, &state)...)
		if state.DeleteOnDestroy.ValueBool() {
			resp.Diagnostics.AddWarning("This destroy deletes the organization's API key",
				fmt.Sprintf("delete_on_destroy is true, so key %s is deleted at the API and whatever uses it stops "+
					"working%s. Set delete_on_destroy = false and apply first to keep the key.",
					state.ID.ValueString(), r.legacyLoginNote()))
		}
		return
	}
	if _, diags := r.data.apiClient(); diags.HasError() {
		resp.Diagnostics.Append(diags...)
		return
	}
	var config apiKeyResourceModel
	resp.Diagnostics.Append(getAPIKey(ctx, req.Config.Raw, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		// A create with triggers regenerates. Terraform shows this at plan time
		// for a new resource, and at apply time for the create half of a
		// rotation (it drops the warnings of that half's plan): worded for both,
		// it is the one warning a rotation prints.
		if !config.RegenerateTriggers.IsNull() {
			resp.Diagnostics.AddWarning("Regenerating the organization's API key",
				"regenerate_triggers is set, so this resource regenerates the key: a new random string, in its "+
					"sensitive key attribute; whatever uses the current string stops working"+r.legacyLoginFix()+
					". A new resource applied without regenerate_triggers adopts the key unchanged.")
		}
		return
	}
	var state apiKeyResourceModel
	resp.Diagnostics.Append(getAPIKey(ctx, req.State.Raw, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A replacement with delete_on_destroy deletes the key before it adds a
	// new one, unless create_before_destroy is set, which a provider cannot see.
	if state.DeleteOnDestroy.ValueBool() && triggersReplace(state.RegenerateTriggers, config.RegenerateTriggers) {
		resp.Diagnostics.AddWarning("This rotation may delete the organization's API key",
			fmt.Sprintf("delete_on_destroy is true, so replacing this resource deletes key %s and adds a new key "+
				"(a new ID), leaving the organization without a key in between%s. With create_before_destroy, or "+
				"delete_on_destroy = false, the key is regenerated in place instead.",
				state.ID.ValueString(), r.legacyLoginNote()))
	}
}

// legacyLoginFix adds, under legacy login, which credential to update.
func (r *apiKeyResource) legacyLoginFix() string {
	if r.data.settings.authMode == client.AuthLegacy && r.data.settings.hasLogin {
		return ", including this provider's legacy login: set api_key (" + envAPIKey + ") to the new string before the next run"
	}
	return ""
}

// legacyLoginNote adds, under legacy login, that the organization's key is
// also the provider's login key.
func (r *apiKeyResource) legacyLoginNote() string {
	if r.data.settings.authMode == client.AuthLegacy && r.data.settings.hasLogin {
		return ", including this provider's legacy login, until a key is added in the portal"
	}
	return ""
}

func (r *apiKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config apiKeyResourceModel
	resp.Diagnostics.Append(getAPIKey(ctx, req.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(getAPIKey(ctx, req.Config.Raw, &config)...)
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

	current, found, err := c.OrganizationKey(ctx)
	if err != nil {
		resp.Diagnostics.Append(r.data.apiError(opRead, err, path.Empty()))
		return
	}
	ctx = r.data.withMasks(ctx, current.Value)

	var key client.APIKey
	switch {
	case !found:
		if key, err = c.AddAPIKey(ctx); err != nil {
			resp.Diagnostics.Append(r.data.apiError(opAdd, err, path.Empty()))
			return
		}
		ctx = r.data.withMasks(ctx, key.Value)
		if desired != "" {
			// On failure nothing is saved: the next apply finds the added key and edits it.
			if key, err = editKey(ctx, c, key.ID, desired); err != nil {
				resp.Diagnostics.Append(r.data.apiError(opEdit, err, desiredPath))
				return
			}
		}
	case !config.RegenerateTriggers.IsNull():
		if key, err = c.RegenerateAPIKey(ctx, current.ID); err != nil {
			resp.Diagnostics.Append(r.data.apiError(opRegenerate, err, path.Empty()))
			return
		}
	case desired == "" || desired == current.Value:
		key = current // adopt: the API refuses an edit to the string a key already has
	default:
		if key, err = editKey(ctx, c, current.ID, desired); err != nil {
			resp.Diagnostics.Append(r.data.apiError(opSetOnCreate, err, desiredPath))
			return
		}
	}
	// With create_before_destroy, Delete runs next for the object this one
	// replaces, with the same key ID: it must leave this key alone.
	r.data.claim(key.ID)
	key = completeKey(ctx, c, key, current)
	if key.Value != current.Value && config.RegenerateTriggers.IsNull() {
		// (a regenerate's warning has said this already)
		r.handOverLoginKey(&resp.Diagnostics, key.ID, config.woMode())
	}
	r.saveKey(ctx, &resp.Diagnostics, &resp.State, resp.Private, plan, key, config.woMode())
	setIdentity(ctx, &resp.Diagnostics, resp.Identity, types.StringValue(strconv.FormatInt(key.ID, 10)))
}

func (r *apiKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state apiKeyResourceModel
	resp.Diagnostics.Append(getAPIKey(ctx, req.State.Raw, &state)...)
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
		resp.Diagnostics.Append(r.data.apiError(opRead, err, path.Empty()))
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
	} else if !found || state.ID.ValueString() != strconv.FormatInt(key.ID, 10) {
		// Gone, deleted in the portal: the next plan adds or adopts a key as a
		// create would, visibly. Taking over a different ID here would let a
		// later destroy delete a key that someone else added.
		setIdentity(ctx, &resp.Diagnostics, resp.Identity, state.ID) // the framework wants one even here
		resp.State.RemoveResource(ctx)
		return
	}

	setKeyState(ctx, &resp.Diagnostics, &state, key, state.woMode())
	if state.DeleteOnDestroy.IsNull() {
		state.DeleteOnDestroy = types.BoolValue(false) // imported: the schema default
	}
	resp.Diagnostics.Append(setAPIKey(ctx, &resp.State, state)...)
	setIdentity(ctx, &resp.Diagnostics, resp.Identity, state.ID)
}

func (r *apiKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config apiKeyResourceModel
	resp.Diagnostics.Append(getAPIKey(ctx, req.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(getAPIKey(ctx, req.State.Raw, &state)...)
	resp.Diagnostics.Append(getAPIKey(ctx, req.Config.Raw, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	change, diags := planKeyChange(ctx, config, state, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !change.changes {
		// Only Terraform-side arguments changed (delete_on_destroy, triggers added
		// or removed, key removed from the configuration): no call.
		plan.LastModifiedBy, plan.LastModifiedTime = state.LastModifiedBy, state.LastModifiedTime
		resp.Diagnostics.Append(setAPIKey(ctx, &resp.State, plan)...)
		setIdentity(ctx, &resp.Diagnostics, resp.Identity, state.ID)
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
			"number. Remove it with `terraform state rm` and let the next apply adopt the key.", state.ID.ValueString()))
		return
	}
	key, err := editKey(ctx, c, id, desired)
	if err != nil {
		resp.Diagnostics.Append(r.data.apiError(opEdit, err, desiredPath))
		return
	}
	key = completeKey(ctx, c, key, client.APIKey{})
	r.handOverLoginKey(&resp.Diagnostics, key.ID, config.woMode())
	r.saveKey(ctx, &resp.Diagnostics, &resp.State, resp.Private, plan, key, config.woMode())
	setIdentity(ctx, &resp.Diagnostics, resp.Identity, types.StringValue(strconv.FormatInt(key.ID, 10)))
}

func (r *apiKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state apiKeyResourceModel
	resp.Diagnostics.Append(getAPIKey(ctx, req.State.Raw, &state)...)
	if resp.Diagnostics.HasError() || !state.DeleteOnDestroy.ValueBool() {
		return // the plan said so: the key stays at the API, Terraform forgets it
	}
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil || r.data.claimed(id) {
		// Never a real key; or the other half of a create_before_destroy
		// replacement has just taken this key over in this apply.
		return
	}
	c, diags := r.data.apiClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasks(ctx, state.Key.ValueString())
	current, found, err := c.OrganizationKey(ctx)
	if err != nil {
		resp.Diagnostics.Append(r.data.apiError(opRead, err, path.Empty()))
		return
	}
	if !found || current.ID != id {
		return // already gone
	}
	ctx = r.data.withMasks(ctx, current.Value)
	if changedSince(state, current) {
		resp.Diagnostics.AddError("API key left in place: it changed since Terraform last read it",
			fmt.Sprintf("delete_on_destroy is true, but key %s was changed after this state recorded it (in the "+
				"portal, or by another configuration), so it was not deleted. Run `terraform apply -refresh-only` to "+
				"record it as it is, then destroy again.", state.ID.ValueString()))
		return
	}
	if err := c.DeleteAPIKey(ctx, id); err != nil {
		resp.Diagnostics.Append(r.data.apiError(opDelete, err, path.Root("delete_on_destroy")))
	}
}

func (r *apiKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" && req.Identity != nil && !req.Identity.Raw.IsNull() { // an import block with identity (Terraform 1.12+)
		var identity apiKeyIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		id = identity.ID.ValueString()
	}
	if id != importCurrent {
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
			resp.Diagnostics.AddError("Invalid import ID",
				fmt.Sprintf("%q is not an API key ID. Import with the key's numeric ID (the portal shows it under "+
					"Administration > API Key Management), or with `current` for whatever key the organization has.", id))
			return
		}
	}
	// The identity passes through as given; Read after the import sets it to
	// the key's ID where the word current was given.
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("id"), req, resp)
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

// completeKey fills in what a write's answer left out. Where the answer lacks
// a field, one list reads the key as it now is; where that fails too, enabled
// and permissions come from before the write (Create lists first; Update's
// plan keeps them from state), and the last change's time stays unknown to
// key_wo's drift check.
func completeKey(ctx context.Context, c *client.Client, key, before client.APIKey) client.APIKey {
	if key.Reported.Complete() {
		return key
	}
	if now, found, err := c.OrganizationKey(ctx); err == nil && found && now.ID == key.ID && now.Value == key.Value {
		return now
	}
	if before.ID == key.ID {
		if !key.Reported.Enabled {
			key.Enabled, key.Reported.Enabled = before.Enabled, before.Reported.Enabled
		}
		if !key.Reported.Permissions {
			key.Permissions, key.Reported.Permissions = before.Permissions, before.Reported.Permissions
		}
	}
	return key
}

// handOverLoginKey tells the user, after the provider changed the
// organization's key under legacy login, which credential to update: the
// organization's key is the key legacy login uses.
func (r *apiKeyResource) handOverLoginKey(diags *diag.Diagnostics, id int64, woMode bool) {
	if r.data.settings.authMode != client.AuthLegacy {
		return
	}
	where := "the new string is this resource's sensitive `key` attribute"
	if woMode {
		where = "the new string is the key_wo you applied"
	}
	diags.AddWarning("Update api_key: the provider's login key changed",
		fmt.Sprintf("Key %d is the key legacy login uses; %s. Set api_key (%s) to it before the next run, or log in "+
			"with OneAPI, which does not depend on it.", id, where, envAPIKey))
}

// saveKey writes the key a create or update ended with into the state and,
// for key_wo, what the API said about that change into private state.
func (r *apiKeyResource) saveKey(ctx context.Context, diags *diag.Diagnostics, st *tfsdk.State, private privateSetter,
	planned apiKeyResourceModel, key client.APIKey, woMode bool) {
	ctx = r.data.withMasks(ctx, key.Value)
	m := planned
	setKeyState(ctx, diags, &m, key, woMode)
	diags.Append(setAPIKey(ctx, st, m)...)
	if woMode {
		diags.Append(setWOApplied(ctx, private, m)...)
	}
}

// setKeyState copies what the API reports into the model. In write-only mode
// the string itself stays out of state.
func setKeyState(ctx context.Context, diags *diag.Diagnostics, m *apiKeyResourceModel, key client.APIKey, woMode bool) {
	m.ID = types.StringValue(strconv.FormatInt(key.ID, 10))
	m.Key = types.StringValue(key.Value)
	if woMode {
		m.Key = types.StringNull()
	}
	// What an answer left out keeps the value the model has, where it has one.
	if key.Reported.Enabled || m.Enabled.IsNull() || m.Enabled.IsUnknown() {
		m.Enabled = types.BoolValue(key.Enabled)
	}
	if key.Reported.Permissions || m.Permissions.IsNull() || m.Permissions.IsUnknown() {
		perms, d := types.ListValueFrom(ctx, types.StringType, nonNil(key.Permissions))
		diags.Append(d...)
		m.Permissions = perms
	}
	m.LastModifiedBy = types.StringValue(key.LastModifiedBy)
	m.LastModifiedTime = types.StringNull()
	if !key.LastModifiedTime.IsZero() {
		m.LastModifiedTime = types.StringValue(key.LastModifiedTime.UTC().Format(time.RFC3339))
	}
}

// changedSince reports whether the key at the API differs from the one the
// state recorded: another string (key mode), or a later change by anyone.
func changedSince(state apiKeyResourceModel, current client.APIKey) bool {
	var now apiKeyResourceModel
	setKeyState(context.Background(), &diag.Diagnostics{}, &now, current, state.Key.IsNull())
	return !now.Key.Equal(state.Key) || !now.LastModifiedTime.Equal(state.LastModifiedTime) ||
		!now.LastModifiedBy.Equal(state.LastModifiedBy)
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

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

// apiKeyResource manages the organization's API key: at most one per
// organization, and Zscaler provisions it, so Create adopts the key it finds.
//
// The plan is the contract: every plan that changes or deletes the key says
// so, and the apply does nothing else. A key is deleted only by the Delete of
// a plain destroy whose plan found that this object still owns the key (see
// planDestroy and Delete); a replacement never deletes.
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

// desired is the string the configuration sets the key to ("" for none), and
// the attribute it comes from.
func (m apiKeyResourceModel) desired() (string, path.Path) {
	if m.woMode() {
		return m.KeyWO.ValueString(), path.Root("key_wo")
	}
	return m.Key.ValueString(), path.Root("key")
}

func (r *apiKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (r *apiKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The organization's API key. An organization has at most one, and Zscaler provisions " +
			"it, so creating this resource adopts the existing key: unchanged when none of `key`, `key_wo` and " +
			"`regenerate_triggers` is set, edited to `key` (or `key_wo`) when one is, regenerated once when " +
			"`regenerate_triggers` is. Where the organization has no key, it adds one. Keep one resource per " +
			"organization.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The key's ID. The plan of a new resource shows the ID of the key it will adopt, " +
					"edit or regenerate (unknown only where it will add one).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"key": schema.StringAttribute{
				Optional:  true,
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The key string: exactly 12 letters or digits. Setting or changing it edits the key " +
					"in place. Left unset, it holds the string the API reports. Conflicts with `key_wo` and " +
					"`regenerate_triggers`.",
				Validators: []validator.String{keyStringValidator()},
			},
			"key_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				Sensitive: true,
				MarkdownDescription: "The key string, as `key`, but kept out of state and plan; it can come from an " +
					"ephemeral value. Requires `key_wo_version`, and is applied when that changes, or again when the " +
					"key was changed outside Terraform. With it, `key` stays null in state.",
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
					"removes it from Terraform, leaving it working (`false`, the default). Only a plain destroy whose " +
					"plan says so deletes; a replacement never does.",
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
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"last_modified_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the key was changed last, RFC 3339.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
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

// ModifyPlan decides, once per plan, what the apply will do to the key, and
// says so in the plan: routine work (adopting, editing under OneAPI) quietly,
// the rest with one warning each. Terraform asks a replacement twice: first
// with the prior state (planUpdate), then for the new object alone
// (planCreate), and shows only the first call's warnings; so whatever a
// replacement does to the key is said in the first call, or refused in the
// second.
func (r *apiKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return // validate: the provider is not configured yet
	}
	switch {
	case req.Plan.Raw.IsNull():
		r.planDestroy(ctx, req, resp)
	case req.State.Raw.IsNull():
		r.planCreate(ctx, req, resp)
	default:
		r.planUpdate(ctx, req, resp)
	}
}

// createAction is what Create does to the organization's key.
type createAction int

const (
	createAdd        createAction = iota // no key: add one (and edit it to the configured string)
	createAdopt                          // take the key as it is
	createEdit                           // edit it to the configured string
	createRegenerate                     // regenerate it (regenerate_triggers)
)

// decideCreate is Create's choice, made from the configuration and the key as
// listed: the plan of a create makes it too, so that it can say so.
func decideCreate(config apiKeyResourceModel, current orgKey) createAction {
	desired, _ := config.desired()
	switch {
	case !current.found:
		return createAdd
	case !config.RegenerateTriggers.IsNull():
		return createRegenerate
	case desired == "" || desired == current.key.Value:
		return createAdopt // the API refuses an edit to the string a key already has
	default:
		return createEdit
	}
}

// planCreate plans a new object: it lists the key once, so that a wrong login
// or URL fails the plan and the plan shows the ID of the key it will take.
func (r *apiKeyResource) planCreate(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var config apiKeyResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if config.woMode() && config.Key.IsNull() { // the string stays out of state
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("key"), types.StringNull())...)
	}
	desired, from := config.desired()
	current, ok := r.data.recentOrgKey(ctx, &resp.Diagnostics, desired)
	if !ok {
		return
	}
	action := decideCreate(config, current)
	if current.found {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), keyID(current.key.ID))...)
	}
	var note replacingNote
	if getPrivate(ctx, req.Private, privateReplacing, &note) {
		// The second plan call of a replacement: Terraform drops its warnings,
		// and the first call has claimed the key already. The note stays in
		// this plan's private state, which the old object's Delete gets.
		r.refuseUnannouncedReplacement(&resp.Diagnostics, note, action, current.key.ID)
		return
	}
	if current.found && r.data.replaced.has(current.key.ID) {
		return // the new half of a replacement, planned again at apply: the plan has said it all
	}
	if current.found && r.collides(&resp.Diagnostics, current.key.ID, false) {
		return
	}
	switch {
	case action == createRegenerate:
		resp.Diagnostics.Append(r.data.regeneratingWarning(current.key.ID, "The object this apply creates has regenerate_triggers set"))
	case action == createEdit && r.data.legacyLogin():
		resp.Diagnostics.Append(r.data.loginKeyEditWarning(current.key.ID, from.String()))
	}
}

// refuseUnannouncedReplacement fails the second plan call of a replacement
// that Terraform forced (-replace, replace_triggered_by) where the first call,
// the only one whose warnings Terraform shows, could not announce it.
func (r *apiKeyResource) refuseUnannouncedReplacement(diags *diag.Diagnostics, note replacingNote, action createAction, id int64) {
	switch {
	case (action == createRegenerate || action == createEdit) && r.data.legacyLogin() && !note.KeyChangeAnnounced:
		diags.AddError("Cannot replace this resource under legacy login",
			fmt.Sprintf("Terraform is replacing this resource (-replace or replace_triggered_by), and the new object "+
				"would %s key %d, the key this provider logs in with. Terraform shows a provider's warnings only for "+
				"changes of its own arguments, so this plan could not say so. To rotate the key, change a value in "+
				"regenerate_triggers: the plan then says what to update. Or log in with OneAPI.",
				map[createAction]string{createRegenerate: "regenerate", createEdit: "edit"}[action], id))
	case action == createAdopt && note.OldObjectDeletes:
		diags.AddError("Cannot replace this resource while delete_on_destroy is true",
			fmt.Sprintf("Terraform is replacing this resource (-replace or replace_triggered_by), but nothing would "+
				"change key %d: the new object would only adopt it again. With delete_on_destroy = true, an apply "+
				"stopped half-way would leave the old object holding the same key, and destroying it later could "+
				"delete the key the new one holds. To rotate the key, change regenerate_triggers; to read it again, "+
				"run terraform apply -refresh-only; to replace the resource anyway, set delete_on_destroy = false "+
				"and apply first.", id))
	}
}

// collides claims key id for this object (deletes: its destroy deletes the
// key) and fails the plan where another object of the same plan claims it
// too. It reports whether it added an error.
func (r *apiKeyResource) collides(diags *diag.Diagnostics, id int64, deletes bool) bool {
	if id <= 0 {
		return false
	}
	before := r.data.claimKey(id, deletes)
	switch {
	case !deletes && before.holders > 0:
		diags.AddError("Two cloudconnector_api_key resources manage one key",
			fmt.Sprintf("Another cloudconnector_api_key of this configuration, with the same provider, manages key %d "+
				"too. An organization has one key, so two resources would undo each other's changes at every apply. "+
				"Keep one resource per organization; if you renamed or moved it, say so with a moved block.", id))
		return true
	case !deletes && before.deleters > 0, deletes && before.holders > 0:
		diags.AddError("A destroy would delete a key that another resource keeps",
			fmt.Sprintf("This plan destroys a cloudconnector_api_key with delete_on_destroy = true while another "+
				"object of the same configuration keeps key %d (a renamed resource without a moved block, a second "+
				"resource for the organization, or the old object of a replacement that stopped half-way). Deleting "+
				"it would leave that object with a key that no longer exists. For a rename, add a moved block; "+
				"otherwise set delete_on_destroy = false on the resource you remove and apply before removing it.", id))
		return true
	}
	return false
}

// planUpdate plans a change to an existing object: it decides what the
// update (or, for a replacement, the new object) does to the key and warns
// where that is unusual. It makes no API call.
func (r *apiKeyResource) planUpdate(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if _, diags := r.data.apiClient(); diags.HasError() {
		resp.Diagnostics.Append(diags...)
		return
	}
	var config, state apiKeyResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if config.Key.IsNull() {
		// Left out, key stays the string in state (only a replacement changes
		// it), or null while key_wo keeps the string out of state.
		key := state.Key
		if config.woMode() {
			key = types.StringNull()
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("key"), key)...)
	}
	now := stateVersion(state)
	if r.collides(&resp.Diagnostics, now.ID, false) {
		return
	}
	change := planKeyChange(ctx, config, state, req.Private)
	rotates := triggersReplace(state.RegenerateTriggers, config.RegenerateTriggers)
	warn := r.data.refreshed.Load() // not the same plan again at apply
	switch {
	case !warn:
	case rotates:
		// Terraform replaces the resource; the new object regenerates the key.
		resp.Diagnostics.Append(r.data.regeneratingWarning(now.ID, "regenerate_triggers changed, which replaces this resource"))
	case change.driftedTo != nil:
		resp.Diagnostics.Append(r.data.driftWarning(*change.driftedTo))
	case change.changes && r.data.legacyLogin():
		from := "key"
		if change.fromKeyWO {
			from = "key_wo"
		}
		resp.Diagnostics.Append(r.data.loginKeyEditWarning(now.ID, from))
	}
	if change.changes {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("last_modified_by"), types.StringUnknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("last_modified_time"), types.StringUnknown())...)
	}
	if warn && !state.KeyWOVersion.IsNull() && !config.woMode() {
		resp.Diagnostics.AddWarning("The key string will be kept in state",
			"key_wo and key_wo_version are no longer set, so from the next refresh on this resource keeps the key "+
				"string in state, in its sensitive key attribute. To keep the string out of state, keep key_wo with "+
				"key_wo_version.")
	}
	// For the second plan call, if Terraform replaces the resource.
	record, _ := lastTakeover(ctx, req.Private)
	setPrivate(ctx, &resp.Diagnostics, resp.Private, privateReplacing, replacingNote{
		KeyChangeAnnounced: rotates || change.changes,
		OldObjectDeletes:   state.DeleteOnDestroy.ValueBool() && record.owns(now),
	})
	setPrivate(ctx, &resp.Diagnostics, resp.Private, privateDestroyPlan, nil)
}

// planDestroy decides whether the destroy deletes the key. It deletes only
// what this object provably owns: delete_on_destroy, a record of this
// object's own last write or adoption, and the key unchanged since. Anything
// else (a change in the portal, the new object of an earlier replacement,
// state from an earlier version) leaves the key, and the plan says so.
func (r *apiKeyResource) planDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state apiKeyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	dropPlanNotes(ctx, &resp.Diagnostics, resp.Private)
	if resp.Diagnostics.HasError() || !state.DeleteOnDestroy.ValueBool() {
		return // the key stays, as the configuration says: nothing unusual to say
	}
	now := stateVersion(state)
	if r.data.tookOver.has(now.ID) {
		// The old object of a create_before_destroy replacement: Terraform
		// plans its destroy again at apply, after the new object took the
		// key over in this same process. It leaves quietly, as the plan said.
		return
	}
	record, found := lastTakeover(ctx, req.Private)
	if !found || !record.owns(now) {
		resp.Diagnostics.Append(keptWarning(now, record, found))
		return
	}
	if _, diags := r.data.apiClient(); diags.HasError() {
		resp.Diagnostics.Append(diags...)
		return
	}
	if r.collides(&resp.Diagnostics, now.ID, true) {
		return
	}
	setPrivate(ctx, &resp.Diagnostics, resp.Private, privateDestroyPlan, now)
	loginNote := "" // under legacy login, deleting the key ends this provider's logins too
	if r.data.legacyLogin() {
		loginNote = " That includes this provider's legacy login, until a key is added in the portal."
	}
	resp.Diagnostics.AddWarning("This destroy deletes the organization's API key",
		fmt.Sprintf("delete_on_destroy is true, so key %d is deleted at the API and whatever uses it stops working.%s "+
			"Set delete_on_destroy = false and apply first to keep the key.", now.ID, loginNote))
}

// keptWarning says why a destroy with delete_on_destroy keeps the key, and how
// to delete it on purpose.
func keptWarning(now keyVersion, record takeoverRecord, found bool) diag.Diagnostic {
	why := fmt.Sprintf("this resource has no record of writing or adopting key %d (its state comes from an earlier "+
		"version of the provider)", now.ID)
	if found {
		why = fmt.Sprintf("key %d changed after this resource last wrote or adopted it (then: %s by %s; now: %s by %s): "+
			"in the portal, by another configuration, or by the new object of an earlier replacement", now.ID,
			orUnknown(record.Version.Time), orUnknown(record.Version.By), orUnknown(now.Time), orUnknown(now.By))
	}
	return diag.NewWarningDiagnostic("This destroy keeps the organization's API key",
		fmt.Sprintf("delete_on_destroy is true, but %s. Deleting it could take a key that something else now relies "+
			"on, so the destroy removes the resource from Terraform and leaves the key. To delete the key on "+
			"purpose, delete it in the admin portal (Administration > API Key Management), or import it into a "+
			"resource with delete_on_destroy = true (import ID current) and destroy that.", why))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func (r *apiKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config apiKeyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.data.keyChange.Lock()
	defer r.data.keyChange.Unlock()
	defer r.data.keyOpDone()
	desired, desiredPath := config.desired()
	current, ok := r.data.recentOrgKey(ctx, &resp.Diagnostics, desired)
	if !ok {
		return
	}
	ctx, c := current.ctx, current.client
	if !plan.ID.IsUnknown() && (!current.found || plan.ID.ValueString() != strconv.FormatInt(current.key.ID, 10)) {
		resp.Diagnostics.AddError("The organization's key changed since the plan",
			fmt.Sprintf("The plan takes over key %s, but the organization's key is now %s. Nothing was changed. Run "+
				"terraform plan again to see what the apply would do now.", plan.ID.ValueString(), describeKey(current)))
		return
	}

	var key client.APIKey
	var err error
	how := takeoverWrite
	switch decideCreate(config, current) {
	case createAdd:
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
	case createRegenerate:
		key, err = c.RegenerateAPIKey(ctx, current.key.ID)
		if errors.Is(err, client.ErrOutcomeUnknown) {
			r.saveUnknownRegenerate(ctx, resp, plan, config, current.key, err)
			return
		}
		if err != nil {
			resp.Diagnostics.Append(r.data.apiError(opRegenerate, err, path.Empty()))
			return
		}
	case createAdopt:
		key, how = current.key, takeoverAdopt
	case createEdit:
		if key, err = editKey(ctx, c, current.key.ID, desired); err != nil {
			resp.Diagnostics.Append(r.data.apiError(opSetOnCreate, err, desiredPath))
			return
		}
	}
	r.data.tookOver.add(key.ID)
	key = completeKey(ctx, c, key, current.key)
	r.saveKey(ctx, &resp.Diagnostics, &resp.State, resp.Private, plan, key, config.woMode(), how)
	setIdentity(ctx, &resp.Diagnostics, resp.Identity, keyID(key.ID))
}

// saveUnknownRegenerate keeps a create whose regenerate may or may not have
// happened (the answer was lost and checking failed too): it saves the key as
// it was, so that the next apply neither regenerates again nor forgets, and
// the next refresh tells which it was.
func (r *apiKeyResource) saveUnknownRegenerate(ctx context.Context, resp *resource.CreateResponse, plan,
	config apiKeyResourceModel, before client.APIKey, err error) {
	r.data.tookOver.add(before.ID)
	m := plan
	setKeyState(ctx, &resp.Diagnostics, &m, before, config.woMode())
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setPrivate(ctx, &resp.Diagnostics, resp.Private, privateLastTakeover,
		takeoverRecord{How: takeoverUnknown, Version: versionOf(before)})
	setIdentity(ctx, &resp.Diagnostics, resp.Identity, keyID(before.ID))
	resp.Diagnostics.AddWarning("The regenerate's outcome is unknown",
		fmt.Sprintf("The apply asked the API to regenerate key %d, and neither the answer nor a check afterwards "+
			"said whether it did: %s. The resource is saved with the key as it was; the next plan reads the key and "+
			"shows which it was. Nothing will regenerate it again unless regenerate_triggers changes.", before.ID, err))
}

// describeKey names the key a list found, for messages.
func describeKey(k orgKey) string {
	if !k.found {
		return "gone (the organization has none)"
	}
	return strconv.FormatInt(k.key.ID, 10)
}

func (r *apiKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.data.refreshed.Store(true)
	var state apiKeyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	current, ok := r.data.listOrgKey(ctx, &resp.Diagnostics, state.Key.ValueString())
	if !ok {
		return
	}
	ctx = current.ctx
	dropPlanNotes(ctx, &resp.Diagnostics, resp.Private)

	var importing bool
	if raw, _ := req.Private.GetKey(ctx, privateImport); len(raw) > 0 {
		importing = true
		setPrivate(ctx, &resp.Diagnostics, resp.Private, privateImport, nil)
		wanted := state.ID.ValueString()
		switch {
		case !current.found:
			resp.Diagnostics.AddError("Nothing to import",
				"The organization has no API key. Let `terraform apply` add one instead of importing, or add one in the "+
					"admin portal (Administration > API Key Management) and import it with the ID `current`.")
			return
		case wanted != importCurrent && wanted != strconv.FormatInt(current.key.ID, 10):
			resp.Diagnostics.AddError("No API key with that ID",
				fmt.Sprintf("The organization's API key has ID %d, not %s. Import it with that ID or with `current`.",
					current.key.ID, wanted))
			return
		}
	} else if !r.stillThere(ctx, &resp.Diagnostics, state, current) {
		if !resp.Diagnostics.HasError() {
			// Gone, deleted in the portal: the next plan adds or adopts a key as
			// a create would, visibly. Taking over a different ID here would
			// let a later destroy delete a key that someone else added.
			setIdentity(ctx, &resp.Diagnostics, resp.Identity, state.ID) // the framework wants one even here
			resp.State.RemoveResource(ctx)
		}
		return
	}

	setKeyState(ctx, &resp.Diagnostics, &state, current.key, state.woMode())
	if state.DeleteOnDestroy.IsNull() {
		state.DeleteOnDestroy = types.BoolValue(false) // imported: the schema default
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	setIdentity(ctx, &resp.Diagnostics, resp.Identity, state.ID)
	r.readTakeover(ctx, resp, current.key, importing)
}

// stillThere reports whether the key the state records is still the
// organization's key. A list that shows no key (or another one) is confirmed
// by a second list before the resource is dropped: one glitch is not a
// deletion. Where the two lists disagree, it adds an error.
func (r *apiKeyResource) stillThere(ctx context.Context, diags *diag.Diagnostics, state apiKeyResourceModel, first orgKey) bool {
	holds := func(k orgKey) bool { return k.found && strconv.FormatInt(k.key.ID, 10) == state.ID.ValueString() }
	if holds(first) {
		return true
	}
	second, ok := r.data.listOrgKey(ctx, diags)
	switch {
	case !ok:
		return false
	case holds(second):
		diags.AddError("The API's answers about the key disagree",
			fmt.Sprintf("One list showed the organization's key as %s, the next as %s, which this state records. "+
				"Nothing was changed or removed. Run the command again; if the answers keep changing, check the API's "+
				"status.", describeKey(first), state.ID.ValueString()))
		return false
	}
	return false
}

// readTakeover keeps the object's takeover record: set by an import, resolved
// after a regenerate of unknown outcome, carried over from what earlier
// versions kept. Otherwise a refresh leaves it as it is: it is what tells,
// later, whether a change to the key was this object's own.
func (r *apiKeyResource) readTakeover(ctx context.Context, resp *resource.ReadResponse, key client.APIKey, importing bool) {
	now := versionOf(key)
	record, found := lastTakeover(ctx, resp.Private)
	switch {
	case importing:
		record, found = takeoverRecord{How: takeoverAdopt, Version: now}, true
	case found && record.How == takeoverUnknown:
		if record.Version == now {
			resp.Diagnostics.AddWarning("The last regenerate did not happen",
				fmt.Sprintf("The apply that created this resource asked the API to regenerate key %d, and the key is "+
					"unchanged since: the regenerate did not happen. The resource keeps the key as it is; change "+
					"regenerate_triggers to rotate it.", key.ID))
			record = takeoverRecord{How: takeoverAdopt, Version: now}
		} else {
			record = takeoverRecord{How: takeoverWrite, Version: now}
		}
	case !found:
		var legacy struct {
			Time string `json:"last_modified_time"`
			By   string `json:"last_modified_by"`
		}
		if getPrivate(ctx, resp.Private, privateLegacyWOApplied, &legacy) && legacy.Time != "" {
			// What the previous version recorded after each key_wo write.
			record = takeoverRecord{How: takeoverWrite, Version: keyVersion{ID: now.ID, Time: legacy.Time, By: legacy.By}}
		} else {
			// A drift baseline from now on, but no proof of ownership.
			record = takeoverRecord{How: takeoverSeen, Version: now}
		}
		found = true
	}
	setPrivate(ctx, &resp.Diagnostics, resp.Private, privateLegacyWOApplied, nil)
	if found {
		setPrivate(ctx, &resp.Diagnostics, resp.Private, privateLastTakeover, record)
	}
}

func (r *apiKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.data.keyOpDone()
	var plan, state, config apiKeyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	dropPlanNotes(ctx, &resp.Diagnostics, resp.Private)
	change := planKeyChange(ctx, config, state, req.Private)
	if !change.changes {
		// Only Terraform-side arguments changed (delete_on_destroy, triggers added
		// or removed, key removed from the configuration): no call. Update runs
		// only for the object Terraform keeps, so it adopts the key as it is.
		plan.LastModifiedBy, plan.LastModifiedTime = state.LastModifiedBy, state.LastModifiedTime
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		setIdentity(ctx, &resp.Diagnostics, resp.Identity, state.ID)
		setPrivate(ctx, &resp.Diagnostics, resp.Private, privateLastTakeover,
			takeoverRecord{How: takeoverAdopt, Version: stateVersion(state)})
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
	r.saveKey(ctx, &resp.Diagnostics, &resp.State, resp.Private, plan, key, config.woMode(), takeoverWrite)
	setIdentity(ctx, &resp.Diagnostics, resp.Identity, keyID(key.ID))
}

// Delete deletes the key only where the destroy's plan said so (a replacement
// never carries that plan's note) and the key is still as that plan saw it.
// Otherwise it leaves the key: Terraform forgets the object either way.
func (r *apiKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.data.keyOpDone()
	var state apiKeyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if getPrivate(ctx, req.Private, privateReplacing, &replacingNote{}) {
		// The old half of a replacement (destroyed first): the key stays, and
		// the create that follows in this apply is the new half.
		r.data.replaced.add(stateVersion(state).ID)
		return
	}
	var planned keyVersion
	if !state.DeleteOnDestroy.ValueBool() || !getPrivate(ctx, req.Private, privateDestroyPlan, &planned) {
		return // the plan said the key stays
	}
	r.data.keyChange.Lock()
	defer r.data.keyChange.Unlock()
	if r.data.tookOver.has(planned.ID) {
		resp.Diagnostics.Append(keptAtApplyWarning(planned.ID, "a resource created in this same apply took it over"))
		return
	}
	current, ok := r.data.listOrgKey(ctx, &resp.Diagnostics, state.Key.ValueString())
	switch {
	case !ok:
		return
	case !current.found || current.key.ID != planned.ID:
		return // already gone
	case versionOf(current.key) != planned:
		now := versionOf(current.key)
		resp.Diagnostics.Append(keptAtApplyWarning(planned.ID, fmt.Sprintf("it changed after the plan (at %s by %s)",
			orUnknown(now.Time), orUnknown(now.By))))
		return
	}
	if err := current.client.DeleteAPIKey(current.ctx, planned.ID); err != nil {
		resp.Diagnostics.Append(r.data.apiError(opDelete, err, path.Root("delete_on_destroy")))
	}
}

// keptAtApplyWarning: the plan said the destroy deletes the key, but the
// apply found a reason not to.
func keptAtApplyWarning(id int64, why string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("API key kept, not deleted",
		fmt.Sprintf("The plan deleted key %d, but %s, so the destroy left it and only removed the resource from "+
			"Terraform. To delete the key on purpose, delete it in the admin portal (Administration > API Key "+
			"Management).", id, why))
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
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImport, []byte(`true`))...)
}

// keyID is a key's ID as the state holds it.
func keyID(id int64) types.String { return types.StringValue(strconv.FormatInt(id, 10)) }

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
// the drift check.
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

// saveKey writes the key a create or update ended with into the state, and
// into private state how this object took it over.
func (r *apiKeyResource) saveKey(ctx context.Context, diags *diag.Diagnostics, st *tfsdk.State, private privateSetter,
	planned apiKeyResourceModel, key client.APIKey, woMode bool, how string) {
	ctx = r.data.withMasks(ctx, key.Value)
	m := planned
	setKeyState(ctx, diags, &m, key, woMode)
	diags.Append(st.Set(ctx, m)...)
	setPrivate(ctx, diags, private, privateLastTakeover, takeoverRecord{How: how, Version: versionOf(key)})
}

// setKeyState copies what the API reports into the model. In write-only mode
// the string itself stays out of state.
func setKeyState(ctx context.Context, diags *diag.Diagnostics, m *apiKeyResourceModel, key client.APIKey, woMode bool) {
	m.ID = keyID(key.ID)
	m.Key = types.StringValue(key.Value)
	if woMode {
		m.Key = types.StringNull()
	}
	// What an answer left out keeps the value the model has, where it has one.
	if key.Reported.Enabled || m.Enabled.IsNull() || m.Enabled.IsUnknown() {
		m.Enabled = types.BoolValue(key.Enabled)
	}
	if key.Reported.Permissions || m.Permissions.IsNull() || m.Permissions.IsUnknown() {
		perms, d := types.ListValueFrom(ctx, types.StringType, append([]string{}, key.Permissions...))
		diags.Append(d...)
		m.Permissions = perms
	}
	m.LastModifiedBy = types.StringValue(key.LastModifiedBy)
	m.LastModifiedTime = types.StringNull()
	if !key.LastModifiedTime.IsZero() {
		m.LastModifiedTime = types.StringValue(key.LastModifiedTime.UTC().Format(time.RFC3339))
	}
}

package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// The addresses the demo's configurations use.
const (
	addrKey     = "cloudconnector_api_key.org"
	addrEcho    = "echo.secret_store"
	addrBaseURL = "data.cloudconnector_base_url.this"
)

// What the organization's key must be after a step, against its start.
const (
	keySame        = "unchanged"
	keyShared      = "the shared string, same ID"
	keyRegenerated = "a new string, same ID"
	keyDeleted     = "deleted"
)

// step is one stage of the walk: it plans and applies a configuration of
// examples/demo, and checks what Terraform alone does not show.
type step struct {
	Title   string
	Says    string
	Folder  string            // examples/demo/<Folder>; "" keeps the previous configuration
	Vars    map[string]string // variables that change from this step on
	Destroy bool              // plan a destroy, which must leave the state empty
	Expect  map[string]string // what the plan does to each resource it changes (see actions)
	Writes  string            // the API writes the simulator must count: "edit 1" and so on; "" for none
	NoCalls bool              // the step may make no API call at all
	Key     string            // keySame and so on; "" for no check
	Before  func(ctx context.Context, w *walk) error
	Check   func(w *walk, st *tfjson.State)
}

// stepResult is what one step did, for the summary.
type stepResult struct {
	N       int
	Title   string
	Status  string // "ok", "FAILED" or "skipped"
	Plan    string // the plan's summary, short
	Writes  string // the API writes it made
	Failed  int    // checks that failed
	Elapsed time.Duration
}

// steps is the walk, in order.
func steps() []step {
	return []step{{
		Title: "Read the base URL", Folder: "1-base-url", NoCalls: true,
		Says: "Reads the API base URL from the cloudconnector_base_url data source. It makes no API call: " +
			"the URL follows from the cloud and the login mode (or from ZTC_BASE_URL, as with the simulator).",
		Check: func(w *walk, st *tfjson.State) {
			got := output(st, "base_url") + " " + output(st, "auth_mode")
			w.check("the outputs base_url and auth_mode are the simulator's URL and legacy",
				got == w.env["ZTC_BASE_URL"]+" legacy", "they are %s", got)
		},
	}, {
		Title: "Adopt the existing key", Folder: "2-adopt", Key: keySame,
		Expect: map[string]string{addrKey: "create"},
		Says: "Zscaler provisions every organization's key, so a cloudconnector_api_key with none of key, " +
			"key_wo and regenerate_triggers adopts it as it is: the plan already shows the key's ID, Terraform " +
			"creates the resource, the API sees no write, and no import is needed.",
	}, {
		Title: "Hand the key over (ephemeral)", Folder: "3-hand-over", Key: keySame,
		Expect: map[string]string{addrEcho: "create"}, Check: checkHandedOver,
		Says: "The ephemeral cloudconnector_api_key reads the key for this run only and hands it to another " +
			"provider. The receiver is a stand-in for a secrets manager's write-only argument: " +
			"terraform-plugin-testing's echo provider. Unlike a write-only argument, echo keeps what it is " +
			"handed in its own state.",
	}, {
		Title: "Share one string (edit in place)", Folder: "4-share", Key: keyShared,
		Expect: map[string]string{addrKey: "update", addrEcho: "delete"}, Writes: "edit 1",
		Says: "Sets the key to a string of your choosing (key = var.shared_key), in place: same ID, one edit " +
			"call. Give several organizations the same string this way, one provider alias each " +
			"(examples/multi-org). The stand-in of step 3 is no longer needed. The provider logs in with " +
			"this very key (legacy login), so the plan warns that the apply changes its login key.",
	}, {
		Title: "Drift: regenerated in the portal", Key: keyShared, Before: regenerateOutOfBand,
		Expect: map[string]string{addrKey: "update"}, Writes: "edit 1",
		Says: "Someone regenerates the key outside Terraform, as an admin in the portal would. A refresh-only " +
			"plan shows the drift (the sensitive key changed; the string stays hidden); the normal plan edits " +
			"the key back to the shared string.",
	}, {
		Title: "Schedule rotation (add a trigger)", Folder: "5-rotate", Key: keySame,
		Expect: map[string]string{addrKey: "update"},
		Says: "Adds regenerate_triggers to the key (and lets go of the shared string): an in-place update " +
			"with no API write. The key is scheduled for rotation, not rotated. In real use the trigger comes " +
			"from time_rotating; here a variable stands in for it (nothing can be downloaded).",
	}, {
		Title: "Rotate with a trigger", Folder: "5-rotate", Key: keyRegenerated,
		Vars:   map[string]string{"rotation": time.Now().UTC().Add(90 * 24 * time.Hour).Format(time.RFC3339)}, // 90 days on
		Expect: map[string]string{addrKey: "replace"}, Writes: "regenerate 1",
		Says: "A new value in regenerate_triggers replaces the resource, and the replacement regenerates the " +
			"key: the plan warns first, then one call, same ID, a string only this state knows.",
	}, {
		Title: "Destroy, keeping the key", Destroy: true, Key: keySame,
		Expect: map[string]string{addrKey: "delete"},
		Says: "A destroy with delete_on_destroy = false (the default): the plan lists the resource as " +
			"destroyed, with no warning, and the apply only removes it from state. The API sees no call to " +
			"delete, and the organization keeps a working key.",
	}, {
		Title: "Keep the string out of state (key_wo)", Folder: "6-key-wo", Key: keyShared,
		Expect: map[string]string{addrKey: "create"}, Writes: "edit 1",
		Says: "A new resource sets the shared string again through key_wo, a write-only argument fed by an " +
			"ephemeral variable: one edit call, same ID, and neither the plan nor the state holds the string " +
			"(a new key_wo_version would apply it again). As in step 4, the plan warns that the apply changes " +
			"the provider's login key. This resource has delete_on_destroy = true, for the next step.",
	}, {
		Title: "Destroy, deleting the key", Destroy: true, Key: keyDeleted,
		Expect: map[string]string{addrKey: "delete"}, Writes: "delete 1",
		Says: "The same destroy with delete_on_destroy = true: the plan warns that it deletes the " +
			"organization's key, and the apply deletes it, one delete call. Whatever used the key stops " +
			"working, this provider's legacy login included, until a key is added in the portal.",
	}}
}

// walk is the demo in progress: where it runs and what it knows so far.
type walk struct {
	p        *printer
	tf       *tfexec.Terraform
	org      *simulator.Organization
	env      map[string]string // Terraform's environment, the provider's login included
	examples string            // examples/demo
	work     string            // the working directory Terraform runs in
	vars     map[string]string // the configurations' variables
	r        *stepResult       // the current step's
	before   simulator.APIKey  // the key at the start of the current step
}

// do runs one step: it shows the plan, applies it if it is the one the step
// expects, and checks the outcome.
func (w *walk) do(ctx context.Context, s step) error {
	w.p.heading(w.r.N, s.Title)
	w.p.para(s.Says)
	maps.Copy(w.vars, s.Vars)
	if s.Folder != "" {
		if err := w.useConfiguration(s.Folder); err != nil {
			return err
		}
		w.p.note("configuration: examples/demo/" + s.Folder)
	} else {
		w.p.note("configuration: unchanged")
	}
	if s.Before != nil {
		if err := s.Before(ctx, w); err != nil {
			return err
		}
	}
	w.before, _ = w.key()
	countsBefore := w.org.Counts()

	cmd, opts := "terraform plan", []tfexec.PlanOption{}
	if s.Destroy {
		cmd, opts = "terraform plan -destroy", append(opts, tfexec.Destroy(true))
	}
	planFile := filepath.Join(w.work, fmt.Sprintf("step%d.tfplan", w.r.N))
	plan, summary, err := w.plan(ctx, cmd, planFile, opts...)
	if err != nil {
		return err
	}
	w.r.Plan = shortSummary(summary)
	got := actions(plan)
	if !w.check("the plan "+sayActions(s.Expect), maps.Equal(got, s.Expect), "it %s", sayActions(got)) {
		return errors.New("the plan is not the one this step expects, so the demo did not apply it")
	}

	var out bytes.Buffer
	applyErr := w.tf.ApplyJSON(ctx, &out, tfexec.DirOrPlan(planFile))
	w.tf.SetStdout(nil) // ApplyJSON leaves its writer set
	stream := tfrun.ParseStream(out.Bytes())
	w.p.terraform("terraform apply", []string{stream.Summary}, stream.Diags)
	w.followKey("as the plan's warning asked, ZTC_API_KEY holds the new string from now on")
	if err := stream.Err(applyErr); err != nil {
		return err
	}
	st, err := w.tf.Show(ctx)
	if err != nil {
		return err
	}
	if s.Key != "" {
		w.checkKey(s.Key, st)
	}
	if s.Destroy {
		w.check("the state is empty", len(addresses(st)) == 0, "it holds %s", strings.Join(addresses(st), ", "))
	}
	if s.Check != nil {
		s.Check(w, st)
	}

	counts := w.org.Counts()
	if s.NoCalls {
		w.check("no API call at all (the simulator's count)", maps.Equal(counts.Calls, countsBefore.Calls),
			"the simulator served some")
	}
	var writes []string
	for _, op := range []simulator.Op{simulator.OpRegenerate, simulator.OpEdit, simulator.OpAdd, simulator.OpDelete} {
		if n := counts.OK[op] - countsBefore.OK[op]; n != 0 {
			writes = append(writes, fmt.Sprintf("%s %d", op, n))
		}
	}
	w.r.Writes = cmp.Or(strings.Join(writes, ", "), "none")
	want := cmp.Or(s.Writes, "none")
	w.check("API writes: "+want+" (the simulator's count)", w.r.Writes == want, "counted %s", w.r.Writes)
	return nil
}

// check prints one check of the current step, counting it if it failed.
func (w *walk) check(what string, ok bool, whyNot string, args ...any) bool {
	if ok {
		w.p.line("  [ok]   " + what)
	} else {
		w.r.Failed++
		w.p.line("  [FAIL] " + what + ": " + fmt.Sprintf(whyNot, args...))
	}
	return ok
}

// plan saves a plan and shows it: as text for the reader, typed for the checks.
func (w *walk) plan(ctx context.Context, cmd, file string, opts ...tfexec.PlanOption) (*tfjson.Plan, string, error) {
	var out bytes.Buffer
	_, err := w.tf.PlanJSON(ctx, &out, append(opts, tfexec.Out(file))...)
	w.tf.SetStdout(nil) // PlanJSON leaves its writer set
	stream := tfrun.ParseStream(out.Bytes())
	if err != nil {
		w.p.terraform(cmd, nil, stream.Diags)
		return nil, "", stream.Err(err)
	}
	text, err := w.tf.ShowPlanFileRaw(ctx, file)
	if err != nil {
		return nil, "", err
	}
	w.p.terraform(cmd, trimPlan(text, maxPlanLines), stream.Diags)
	plan, err := w.tf.ShowPlanFile(ctx, file)
	return plan, stream.Summary, err
}

// useConfiguration puts a step's configuration in the working directory and
// its variables in a .auto.tfvars file: terraform-exec takes them only as -var
// arguments, which every user of the machine sees in the process table.
func (w *walk) useConfiguration(folder string) error {
	b, err := os.ReadFile(filepath.Join(w.examples, folder, "main.tf"))
	if err != nil {
		return err
	}
	var vars strings.Builder
	for _, name := range slices.Sorted(maps.Keys(w.vars)) {
		if bytes.Contains(b, []byte(`variable "`+name+`"`)) {
			fmt.Fprintf(&vars, "%s = %q\n", name, w.vars[name])
		}
	}
	if err := os.WriteFile(filepath.Join(w.work, "main.tf"), b, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(w.work, "demo.auto.tfvars"), []byte(vars.String()), 0o600)
}

// key is the organization's key in the simulator; the output masks its string.
func (w *walk) key() (simulator.APIKey, bool) {
	k, ok := w.org.Key()
	w.p.hide(k.Value)
	return k, ok
}

// followKey keeps ZTC_API_KEY on the organization's key, as a user would after
// each change: under legacy login the provider logs in with the key the demo changes.
func (w *walk) followKey(note string) {
	if k, ok := w.key(); ok && k.Value != w.env["ZTC_API_KEY"] {
		w.env["ZTC_API_KEY"] = k.Value
		// SetEnv refuses only the variables terraform-exec sets itself: none of these.
		_ = w.tf.SetEnv(tfrun.Env(w.env))
		w.p.note(note)
	}
}

// checkKey compares the organization's key with the step's promise, and the state with it.
func (w *walk) checkKey(want string, st *tfjson.State) {
	k, found := w.key()
	ok := map[string]bool{
		keySame:        found && k.ID == w.before.ID && k.Value == w.before.Value,
		keyShared:      found && k.ID == w.before.ID && k.Value == w.vars["shared_key"],
		keyRegenerated: found && k.ID == w.before.ID && k.Value != w.before.Value,
		keyDeleted:     !found,
	}[want]
	w.check(fmt.Sprintf("the organization's key (ID %d): %s", w.before.ID, want), ok, "it has ID %d (found %t)", k.ID, found)
	if !found || attr(st, addrKey, "id") == "" {
		return // no key, or none in state
	}
	id, what, inState := strconv.FormatInt(k.ID, 10), "same string", k.Value
	if attr(st, addrKey, "key_wo_version") != "" {
		what, inState = "no string", "" // key_wo keeps it out of state
	}
	w.check(fmt.Sprintf("the state holds the organization's key (ID %s, %s)", id, what),
		attr(st, addrKey, "id") == id && output(st, "key_id") == id && attr(st, addrKey, "key") == inState,
		"ID %s, output key_id %s, string as expected: %t", attr(st, addrKey, "id"), output(st, "key_id"),
		attr(st, addrKey, "key") == inState)
}

// regenerateOutOfBand changes the key as a portal admin would (through the
// simulator: the demo cannot click), then shows the drift Terraform sees.
func regenerateOutOfBand(ctx context.Context, w *walk) error {
	k, err := w.org.RegenerateKey()
	if err != nil {
		return fmt.Errorf("regenerating the key outside Terraform: %w", err)
	}
	w.p.note(fmt.Sprintf("outside Terraform: key %d regenerated, as a portal admin would", k.ID))
	w.followKey("the admin hands the new string over, so that the provider can still log in (ZTC_API_KEY)")
	plan, _, err := w.plan(ctx, "terraform plan -refresh-only", filepath.Join(w.work, "drift.tfplan"), tfexec.RefreshOnly(true))
	if err != nil {
		return err
	}
	drifted := slices.ContainsFunc(plan.ResourceDrift, func(d *tfjson.ResourceChange) bool { return d.Address == addrKey })
	w.check("the refresh-only plan reports "+addrKey+" changed outside Terraform", drifted, "no drift reported")
	return nil
}

func checkHandedOver(w *walk, st *tfjson.State) {
	w.check("the stand-in received the current key string (echo.secret_store.data)",
		attr(st, addrEcho, "data") == w.before.Value, "echo holds a different value")
	want, got := []string{addrKey, addrBaseURL, addrEcho}, addresses(st) // want is sorted
	slices.Sort(got)
	w.check("the ephemeral resource is in no state: only "+strings.Join(want, ", "), slices.Equal(got, want),
		"state holds %s", strings.Join(got, ", "))
}

// actions is what a plan does to each resource it changes: create, update, replace or delete.
func actions(p *tfjson.Plan) map[string]string {
	out := map[string]string{}
	for _, rc := range p.ResourceChanges {
		switch a := rc.Change.Actions; {
		case rc.Mode != tfjson.ManagedResourceMode || a.NoOp() || a.Read():
		case a.Replace():
			out[rc.Address] = "replace"
		default:
			out[rc.Address] = string(a[0])
		}
	}
	return out
}

// sayActions says a plan's actions in Terraform's own words.
func sayActions(actions map[string]string) string {
	verbs := map[string]string{"create": "creates %s", "update": "updates %s in place", "replace": "replaces %s",
		"delete": "destroys %s"}
	var says []string
	for _, addr := range slices.Sorted(maps.Keys(actions)) {
		says = append(says, fmt.Sprintf(verbs[actions[addr]], addr))
	}
	return cmp.Or(strings.Join(says, " and "), "changes no resource")
}

// shortSummary turns "Plan: 1 to add, 0 to change, 1 to destroy." into
// "1 to add, 1 to destroy".
func shortSummary(summary string) string {
	_, s, _ := strings.Cut(strings.TrimSuffix(strings.TrimSpace(summary), "."), ": ")
	var parts []string
	for _, p := range strings.Split(s, ", ") {
		if p != "" && !strings.HasPrefix(p, "0 ") {
			parts = append(parts, p)
		}
	}
	return cmp.Or(strings.Join(parts, ", "), "no changes")
}

// attr is a resource's attribute in state as a string ("" when absent or null).
func attr(st *tfjson.State, address, name string) string {
	for _, r := range resources(st) {
		if r.Address == address && r.AttributeValues[name] != nil {
			return fmt.Sprint(r.AttributeValues[name])
		}
	}
	return ""
}

func output(st *tfjson.State, name string) string {
	if st == nil || st.Values == nil || st.Values.Outputs[name] == nil {
		return ""
	}
	return fmt.Sprint(st.Values.Outputs[name].Value)
}

// addresses lists every resource in state, data sources included.
func addresses(st *tfjson.State) []string {
	var out []string
	for _, r := range resources(st) {
		out = append(out, r.Address)
	}
	return out
}

func resources(st *tfjson.State) []*tfjson.StateResource {
	if st == nil || st.Values == nil || st.Values.RootModule == nil {
		return nil
	}
	return st.Values.RootModule.Resources
}

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

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// The addresses the demo's configurations use.
const (
	addrKey     = "cloudconnector_api_key.org"
	addrEcho    = "echo.secret_store"
	addrBaseURL = "data.cloudconnector_base_url.this"
)

// What the organization's key must be after a step, against the key at its
// start (after Before): the same, the demo's shared string in place, or a
// new string under the same ID.
const (
	keySame        = "unchanged"
	keyShared      = "shared"
	keyRegenerated = "regenerated"
)

// step is one stage of the walk. A step with a Folder applies that
// configuration from examples/demo; Before and Check add what Terraform
// alone does not show.
type step struct {
	Title   string
	Folder  string            // examples/demo/<Folder>; "" keeps the previous configuration
	Vars    map[string]string // variables that change from this step on
	Says    string
	Destroy bool                 // plan a destroy: every resource in state goes
	Expect  map[string]string    // the plan's action per managed resource (see actions)
	Writes  map[simulator.Op]int // API writes the simulator must count (the others: none)
	NoCalls bool                 // the step may make no API call at all
	Reads   bool                 // it only reads: it runs on a real tenant without DEMO_WRITES
	Key     string               // keySame, keyShared, keyRegenerated; "" for no key check
	Before  func(ctx context.Context, w *walk, r *stepResult) error
	Check   func(w *walk, r *stepResult, st *tfjson.State)
	// Run replaces the Terraform part altogether (the restore on a real tenant).
	Run func(ctx context.Context, w *walk, r *stepResult) error
}

// stepResult is what one step did.
type stepResult struct {
	N       int
	Title   string
	Status  string // "ok", "FAILED" or "skipped"
	Plan    string // the plan's summary, short
	Writes  string // the API writes it made, where counted
	Failed  int    // checks that failed
	Err     error  // a command that failed
	Elapsed time.Duration
}

func (r *stepResult) failed() bool { return r.Err != nil || r.Failed > 0 }

// walk is the demo in progress: where it runs and what it knows so far.
type walk struct {
	p        *printer
	tf       *tfexec.Terraform
	tenant   *tenant
	baseEnv  map[string]string // Terraform's CLI configuration and cache
	examples string            // examples/demo
	work     string            // the working directory Terraform runs in
	vars     map[string]string // the configurations' variables
	original client.APIKey     // the key before the demo
	before   client.APIKey     // the key at the start of the current step
}

// check records one check and prints it.
func (w *walk) check(r *stepResult, what string, err error) {
	if err != nil {
		r.Failed++
	}
	w.p.check(what, err)
}

// steps is the walk, in order. Against a real tenant nothing counts the API
// calls (Writes and NoCalls go unchecked); without DEMO_WRITES=yes only the
// steps that read run there, and with it a last step puts the original key
// string back.
func steps(realTenant bool) []step {
	s := []step{
		{
			Title: "Read the base URL", Folder: "1-base-url", NoCalls: true, Reads: true,
			Says: "Reads the API base URL from the cloudconnector_base_url data source. It makes no API call: " +
				"the URL follows from the cloud and the login mode (or from ZTC_BASE_URL, as with the simulator).",
			Check: func(w *walk, r *stepResult, st *tfjson.State) {
				w.expectOutput(r, st, "base_url", w.tenant.cfg.BaseURL)
				w.expectOutput(r, st, "auth_mode", string(w.tenant.authMode()))
			},
		},
		{
			Title: "Adopt the existing key", Folder: "2-adopt", Key: keySame, Reads: true,
			Expect: map[string]string{addrKey: "create"},
			Says: "Zscaler provisions every organization's key, so a cloudconnector_api_key with none of key, " +
				"key_wo and regenerate_triggers adopts it as it is: Terraform creates the resource, the API sees " +
				"no write, and no import is needed.",
		},
		{
			Title: "Hand the key over (ephemeral)", Folder: "3-hand-over", Key: keySame, Reads: true,
			Expect: map[string]string{addrEcho: "create"},
			Says: "The ephemeral cloudconnector_api_key reads the key for this run only and hands it to another " +
				"provider. The receiver is a stand-in for a secrets manager's write-only argument: " +
				"terraform-plugin-testing's echo provider. Unlike a write-only argument, echo keeps what it is " +
				"handed in its own state.",
			Check: checkHandedOver,
		},
		{
			Title: "Share one string (edit in place)", Folder: "4-share", Key: keyShared,
			Expect: map[string]string{addrKey: "update", addrEcho: "delete"}, Writes: map[simulator.Op]int{simulator.OpEdit: 1},
			Says: "Sets the key to a string of your choosing (key = var.shared_key), in place: same ID, one edit " +
				"call. Give several organizations the same string this way, one provider alias each " +
				"(examples/multi-org). The stand-in of step 3 is no longer needed.",
		},
		{
			Title: "Drift: regenerated in the portal", Key: keyShared, Before: regenerateOutOfBand,
			Expect: map[string]string{addrKey: "update"}, Writes: map[simulator.Op]int{simulator.OpEdit: 1},
			Says: "Someone regenerates the key outside Terraform, as an admin in the portal would. A refresh-only " +
				"plan shows the drift (the sensitive key changed; the string stays hidden); the normal plan edits " +
				"the key back to the shared string.",
		},
		{
			Title: "Schedule rotation (add a trigger)", Folder: "5-rotate", Key: keyShared,
			Expect: map[string]string{addrKey: "update"},
			Says: "Adds regenerate_triggers to the key (and lets go of the shared string): an in-place update " +
				"with no API call. The key is scheduled for rotation, not rotated. In real use the trigger comes " +
				"from time_rotating; here a variable stands in for it (nothing can be downloaded).",
		},
		{
			Title: "Rotate with a trigger", Folder: "5-rotate", Key: keyRegenerated,
			Vars:   map[string]string{"rotation": time.Now().UTC().Add(90 * 24 * time.Hour).Format(time.RFC3339)}, // 90 days on
			Expect: map[string]string{addrKey: "replace"}, Writes: map[simulator.Op]int{simulator.OpRegenerate: 1},
			Says: "A new value in regenerate_triggers replaces the resource, and the replacement regenerates the " +
				"key: one call, same ID, a string only this state knows.",
		},
		{
			Title: "Destroy", Destroy: true, Key: keySame, Reads: true,
			Says: "terraform destroy. With delete_on_destroy = false (the default) the key is only forgotten: " +
				"the organization keeps a working key, and the provider says so in a warning.",
			Check: func(w *walk, r *stepResult, st *tfjson.State) {
				var err error
				if got := addresses(st); len(got) != 0 {
					err = fmt.Errorf("state still holds %s", strings.Join(got, ", "))
				}
				w.check(r, "the state is empty", err)
			},
		},
	}
	if realTenant {
		s = append(s, step{
			Title: "Restore the original string", Run: restoreOriginal,
			Says: "Real tenant only: edits the key back to the string it had before the demo, through the API " +
				"client, so that whatever used it works again.",
		})
	}
	return s
}

// do runs one step and records what it did.
func (w *walk) do(ctx context.Context, s step, r *stepResult) {
	w.p.heading(r.N, r.Title)
	w.p.para(s.Says)
	r.Plan, r.Writes = "-", "not counted"
	if s.Run != nil {
		r.Err = s.Run(ctx, w, r)
		w.p.check("step", r.Err)
		return
	}
	r.Err = w.apply(ctx, s, r)
	w.p.check("step", r.Err)
}

func (w *walk) apply(ctx context.Context, s step, r *stepResult) error {
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
		if err := s.Before(ctx, w, r); err != nil {
			return err
		}
	}
	var err error
	if w.before, err = w.keyNow(ctx); err != nil {
		return err
	}
	writesBefore, callsBefore, counted := w.tenant.writes()

	expect := s.Expect
	opts := []tfexec.PlanOption{}
	cmd := "terraform plan"
	if s.Destroy {
		opts, cmd = append(opts, tfexec.Destroy(true)), "terraform plan -destroy"
		st, err := w.state(ctx)
		if err != nil {
			return err
		}
		expect = map[string]string{}
		for _, a := range addresses(st) {
			if !strings.HasPrefix(a, "data.") {
				expect[a] = "delete"
			}
		}
	}
	planFile := filepath.Join(w.work, fmt.Sprintf("step%d.tfplan", r.N))
	plan, summary, err := w.plan(ctx, cmd, planFile, opts...)
	if err != nil {
		return err
	}
	r.Plan = shortSummary(summary)
	// Never apply a plan other than the one the step announced: on a real
	// tenant that could be a change nobody asked for.
	what, err := compareActions(actions(plan), expect)
	if w.check(r, what, err); err != nil {
		return errors.New("the plan is not what this step expects, so the demo did not apply it")
	}

	var out bytes.Buffer
	applyErr := w.tf.ApplyJSON(ctx, &out, tfexec.DirOrPlan(planFile))
	w.tf.SetStdout(nil) // ApplyJSON leaves its writer set
	stream := tfrun.ParseStream(out.Bytes())
	w.p.terraform("terraform apply", []string{stream.Summary}, stream.Diags)
	// Read the state even after a failed apply: it has whatever the apply
	// did, the key string the provider now logs in with included.
	st, err := w.state(ctx)
	if err == nil {
		w.followKey(st)
	}
	if err := errors.Join(stream.Err(applyErr), err); err != nil {
		return err
	}
	if s.Key != "" {
		if err := w.checkKey(ctx, r, s.Key, st); err != nil {
			return err
		}
	}
	if s.Check != nil {
		s.Check(w, r, st)
	}
	if !counted {
		return nil
	}
	writesAfter, callsAfter, _ := w.tenant.writes()
	if s.NoCalls {
		var err error
		if n := callsAfter - callsBefore; n != 0 {
			err = fmt.Errorf("the simulator served %d", n)
		}
		w.check(r, "no API call at all (the simulator's count)", err)
	}
	got := map[simulator.Op]int{}
	for op, n := range writesAfter {
		got[op] = n - writesBefore[op]
	}
	r.Writes = describeWrites(got)
	err = nil
	if r.Writes != describeWrites(s.Writes) {
		err = fmt.Errorf("counted %s", r.Writes)
	}
	w.check(r, "API writes: "+describeWrites(s.Writes)+" (the simulator's count)", err)
	return nil
}

// plan saves a plan and shows it: as text for the reader, typed for the checks.
func (w *walk) plan(ctx context.Context, cmd, file string, opts ...tfexec.PlanOption) (*tfjson.Plan, string, error) {
	if err := w.setEnv(); err != nil {
		return nil, "", err
	}
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

// setEnv gives Terraform the provider's variables of the moment: the login
// key changes during the demo.
func (w *walk) setEnv() error {
	env := w.tenant.providerEnv()
	maps.Copy(env, w.baseEnv)
	return w.tf.SetEnv(tfrun.Env(env))
}

func (w *walk) state(ctx context.Context) (*tfjson.State, error) {
	if err := w.setEnv(); err != nil {
		return nil, err
	}
	return w.tf.Show(ctx)
}

// useConfiguration replaces the working directory's configuration with one
// step's (the state stays), and gives it the variables it declares in a
// .auto.tfvars file: terraform-exec takes variables only as -var
// arguments, which every user of the machine sees in the process table.
func (w *walk) useConfiguration(folder string) error {
	old, _ := filepath.Glob(filepath.Join(w.work, "*.tf*"))
	for _, f := range old {
		if !strings.HasSuffix(f, ".tfplan") && !strings.HasSuffix(f, ".tfstate") {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(w.examples, folder, "*.tf"))
	if len(files) == 0 {
		return fmt.Errorf("examples/demo/%s has no .tf file", folder)
	}
	var vars strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f) //nolint:gosec // a file of this checkout's examples/demo
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(w.work, filepath.Base(f)), b, 0o600); err != nil { //nolint:gosec // inside the temp dir
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(w.vars)) {
			if bytes.Contains(b, []byte(`variable "`+name+`"`)) {
				fmt.Fprintf(&vars, "%s = %q\n", name, w.vars[name])
			}
		}
	}
	return os.WriteFile(filepath.Join(w.work, "demo.auto.tfvars"), []byte(vars.String()), 0o600)
}

// keyNow reads the key from the API, and masks its string from then on.
func (w *walk) keyNow(ctx context.Context) (client.APIKey, error) {
	k, err := w.tenant.key(ctx)
	if err != nil {
		return k, fmt.Errorf("reading the key from the API: %w", err)
	}
	w.p.hide(k.Value)
	return k, nil
}

// followKey keeps the login key in step with the key string in state after
// an apply: under legacy login the provider logs in with the key this demo
// changes, so the next run (and the demo's own calls) must use the new one.
func (w *walk) followKey(st *tfjson.State) {
	v := attr(st, addrKey, "key")
	w.p.hide(v)
	if w.tenant.followKey(v) {
		w.p.note("legacy login uses the key this step changed: from now on the provider logs in with the " +
			"new string (ZTC_API_KEY), as the apply's warning asks; OneAPI login would not need this")
	}
}

// checkKey compares the API's key with what the step promised, and the
// state's with the API's.
func (w *walk) checkKey(ctx context.Context, r *stepResult, want string, st *tfjson.State) error {
	k, err := w.keyNow(ctx)
	if err != nil {
		return err
	}
	err = nil
	var what string
	switch want {
	case keySame:
		what = fmt.Sprintf("the organization's key is unchanged (ID %d, same string)", w.before.ID)
		if !sameKey(k, w.before) {
			err = errors.New("the key changed")
		}
	case keyShared:
		what = fmt.Sprintf("the API's key has the shared string, in place (ID %d)", w.original.ID)
		if k.ID != w.original.ID || k.Value != w.vars["shared_key"] {
			err = fmt.Errorf("the key has ID %d and another string", k.ID)
		}
	case keyRegenerated:
		what = fmt.Sprintf("the key was regenerated in place (ID %d, a new string)", w.before.ID)
		if k.ID != w.before.ID || k.Value == w.before.Value {
			err = fmt.Errorf("the key has ID %d, new string %t", k.ID, k.Value != w.before.Value)
		}
	}
	w.check(r, what, err)
	if attr(st, addrKey, "id") == "" {
		return nil
	}
	err = nil
	switch id := strconv.FormatInt(k.ID, 10); {
	case attr(st, addrKey, "id") != id:
		err = fmt.Errorf("state has ID %s, the API %d", attr(st, addrKey, "id"), k.ID)
	case attr(st, addrKey, "key") != k.Value:
		err = errors.New("the strings differ")
	case output(st, "key_id") != id:
		err = fmt.Errorf("output key_id is %q", output(st, "key_id"))
	}
	w.check(r, fmt.Sprintf("the state holds the API's key (ID %d, same string)", k.ID), err)
	return nil
}

func (w *walk) expectOutput(r *stepResult, st *tfjson.State, name, want string) {
	var err error
	if got := output(st, name); got != want {
		err = fmt.Errorf("it is %q", got)
	}
	w.check(r, fmt.Sprintf("output %s is %s", name, want), err)
}

// regenerateOutOfBand changes the key as a portal admin would (through the
// API client: the demo cannot click), then shows the drift Terraform sees.
func regenerateOutOfBand(ctx context.Context, w *walk, r *stepResult) error {
	k, err := w.tenant.regenerate(ctx)
	if err != nil {
		return fmt.Errorf("regenerating the key outside Terraform: %w", err)
	}
	w.p.hide(k.Value)
	w.p.note(fmt.Sprintf("outside Terraform: key %d regenerated through the API client, as a portal admin would", k.ID))
	if w.tenant.followKey(k.Value) {
		w.p.note("the admin hands the new string over, so that the provider can still log in (ZTC_API_KEY)")
	}
	plan, _, err := w.plan(ctx, "terraform plan -refresh-only", filepath.Join(w.work, "drift.tfplan"), tfexec.RefreshOnly(true))
	if err != nil {
		return err
	}
	err = errors.New("no drift reported")
	for _, d := range plan.ResourceDrift {
		if d.Address == addrKey {
			err = nil
		}
	}
	w.check(r, "the refresh-only plan reports "+addrKey+" changed outside Terraform", err)
	return nil
}

func checkHandedOver(w *walk, r *stepResult, st *tfjson.State) {
	var err error
	if attr(st, addrEcho, "data") != w.before.Value {
		err = errors.New("echo holds a different value")
	}
	w.check(r, "the stand-in received the current key string (echo.secret_store.data)", err)
	want := []string{addrKey, addrBaseURL, addrEcho}
	got := addresses(st)
	slices.Sort(got)
	slices.Sort(want)
	err = nil
	if !slices.Equal(got, want) {
		err = fmt.Errorf("state holds %s", strings.Join(got, ", "))
	}
	w.check(r, "the ephemeral resource is in no state: only "+strings.Join(want, ", "), err)
}

// restoreOriginal puts back the string the tenant's key had before the
// demo: the demo changed it several times, and something may use it.
func restoreOriginal(ctx context.Context, w *walk, r *stepResult) error {
	k, err := w.tenant.edit(ctx, w.original.Value)
	if err == nil && !sameKey(k, w.original) {
		err = errors.New("the key differs from the original")
	}
	if err == nil {
		w.tenant.followKey(k.Value)
	}
	w.check(r, fmt.Sprintf("the key has its original string again (ID %d)", w.original.ID), err)
	return nil
}

// actions maps each managed resource that the plan changes to one word:
// create, update, replace, delete, import (or import+<action>).
func actions(p *tfjson.Plan) map[string]string {
	out := map[string]string{}
	for _, rc := range p.ResourceChanges {
		if rc.Mode != tfjson.ManagedResourceMode {
			continue
		}
		a := rc.Change.Actions
		word := ""
		switch {
		case a.Replace():
			word = "replace"
		case a.Create(), a.Update(), a.Delete():
			word = string(a[0])
		}
		switch {
		case rc.Change.Importing != nil && word == "":
			out[rc.Address] = "import"
		case rc.Change.Importing != nil:
			out[rc.Address] = "import+" + word
		case word != "":
			out[rc.Address] = word
		}
	}
	return out
}

// actionVerbs say a plan's actions in Terraform's own words.
var actionVerbs = map[string]string{
	"import": "imports %s", "create": "creates %s", "update": "updates %s in place",
	"replace": "replaces %s", "delete": "destroys %s",
}

// compareActions says what want means ("the plan imports ..."), and how got
// differs from it.
func compareActions(got, want map[string]string) (what string, err error) {
	var says, diffs []string
	for _, addr := range slices.Sorted(maps.Keys(want)) {
		says = append(says, fmt.Sprintf(cmp.Or(actionVerbs[want[addr]], want[addr]+" %s"), addr))
		if _, ok := got[addr]; !ok {
			diffs = append(diffs, addr+": no change")
		}
	}
	for _, addr := range slices.Sorted(maps.Keys(got)) {
		if want[addr] != got[addr] {
			diffs = append(diffs, fmt.Sprintf("%s: %s", addr, got[addr]))
		}
	}
	if len(says) == 0 {
		says = []string{"changes no resource"}
	}
	if len(diffs) > 0 {
		err = fmt.Errorf("planned %s", strings.Join(diffs, "; "))
	}
	return "the plan " + strings.Join(says, " and "), err
}

func describeWrites(writes map[simulator.Op]int) string {
	var parts []string
	for _, op := range writeOps {
		if n := writes[op]; n != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", op, n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
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
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// attr is a resource's attribute in state as a string ("" when absent or null).
func attr(st *tfjson.State, address, name string) string {
	if st != nil && st.Values != nil && st.Values.RootModule != nil {
		for _, r := range st.Values.RootModule.Resources {
			if r.Address == address && r.AttributeValues[name] != nil {
				return fmt.Sprint(r.AttributeValues[name])
			}
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
	if st != nil && st.Values != nil && st.Values.RootModule != nil {
		for _, r := range st.Values.RootModule.Resources {
			out = append(out, r.Address)
		}
	}
	return out
}

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The addresses the demo's configurations use.
const (
	addrKey     = "cloudconnector_api_key.org"
	addrEcho    = "echo.secret_store"
	addrBaseURL = "data.cloudconnector_base_url.this"
)

// step is one stage of the walk. A step with a Folder applies that
// configuration from examples/demo; Before and Check add what Terraform
// alone does not show.
type step struct {
	Title   string            // the summary's name for it
	Folder  string            // examples/demo/<Folder>; "" keeps the previous configuration
	Says    string            // what it does, for the reader
	Destroy bool              // plan a destroy instead of an apply
	Expect  map[string]string // the plan's action per managed resource (see planJSON.actions)
	Writes  map[string]int    // API writes the simulator must count (the others: none)
	NoCalls bool              // the step may make no API call at all
	Before  func(ctx context.Context, w *walk, r *stepResult) error
	Check   func(ctx context.Context, w *walk, r *stepResult, st *stateJSON) error
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
	Checks  []checkResult
	Err     error // a command that failed
	Elapsed time.Duration
}

type checkResult struct {
	What string
	Err  error
}

func (r *stepResult) failed() bool {
	if r.Err != nil {
		return true
	}
	for _, c := range r.Checks {
		if c.Err != nil {
			return true
		}
	}
	return false
}

// walk is the demo in progress: where it runs and what it knows so far.
type walk struct {
	p        *printer
	tf       *runner
	target   target
	examples string // the temp copy of examples/demo
	work     string // the working directory Terraform runs in
	shared   string // step 3's key string
	original orgKey // the key before the demo
	loginKey string // the key string as the demo last knew it (legacy login uses it)
	before   orgKey // the key at the start of the current step
}

// check records one check and prints it as it happens.
func (w *walk) check(r *stepResult, what string, err error) {
	r.Checks = append(r.Checks, checkResult{What: what, Err: err})
	w.p.check(what, err)
}

// steps is the walk, in order. Against a real tenant (apiTarget) three
// things differ, and the output says so at the start: nothing counts the API
// calls (Writes and NoCalls go unchecked), step 4's out-of-band regenerate
// goes through internal/client instead of the simulator's Go API, and a last
// step puts the original key string back.
func steps(realTenant bool) []step {
	s := []step{
		{
			Title:   "Read the base URL",
			Folder:  "1-base-url",
			NoCalls: true,
			Says: "Reads the API base URL from the cloudconnector_base_url data source. It makes no API call: " +
				"the URL follows from the cloud and the login mode (or from ZTC_BASE_URL, as with the simulator).",
			Check: checkBaseURL,
		},
		{
			Title:  "Adopt the existing key (import)",
			Folder: "2-adopt",
			Expect: map[string]string{addrKey: "import"},
			Says: "Zscaler provisions every organization's key, so the demo adopts it unchanged with an import " +
				"block (id = \"current\"). Without the import, creating the resource would regenerate the key.",
			Check: checkAdopted,
		},
		{
			Title:  "Share one string (edit in place)",
			Folder: "3-share",
			Expect: map[string]string{addrKey: "update"},
			Writes: map[string]int{"edit": 1},
			Says: "Sets the key to a string of your choosing (key = var.shared_key), in place: same ID, one edit " +
				"call. Give several organizations the same string this way, one provider alias each " +
				"(examples/multi-org).",
			Check: checkShared,
		},
		{
			Title:  "Drift: regenerated in the portal",
			Expect: map[string]string{addrKey: "update"},
			Writes: map[string]int{"edit": 1},
			Says: "Someone regenerates the key outside Terraform, as an admin in the portal would. A refresh-only " +
				"plan shows the drift (the fingerprint changes; the string stays hidden); the normal plan edits " +
				"the key back to the shared string.",
			Before: regenerateOutOfBand,
			Check:  checkShared,
		},
		{
			Title:  "Rotate with a trigger",
			Folder: "5-rotate",
			Expect: map[string]string{addrKey: "replace"},
			Writes: map[string]int{"regenerate": 1},
			Says: "A new value in regenerate_triggers replaces the resource, and the replacement regenerates the " +
				"key: one call, same ID, a string only this state knows. In real use the trigger comes from " +
				"time_rotating; here a variable stands in for it (nothing can be downloaded).",
			Check: checkRotated,
		},
		{
			Title:  "Hand the key over (ephemeral)",
			Folder: "6-hand-over",
			Expect: map[string]string{addrEcho: "create"},
			Says: "The ephemeral cloudconnector_api_key reads the key for this run only and hands it to another " +
				"provider. The receiver is a stand-in for a secrets manager's write-only argument: " +
				"terraform-plugin-testing's echo provider, served in this process. Unlike a write-only " +
				"argument, echo keeps what it is handed in its own state.",
			Check: checkHandedOver,
		},
		{
			Title:   "Destroy",
			Destroy: true,
			Expect:  map[string]string{addrKey: "delete", addrEcho: "delete"},
			Says: "terraform destroy. With delete_on_destroy = false (the default) the key is only forgotten: " +
				"the organization keeps a working key, and the provider says so in a warning.",
			Check: checkDestroyed,
		},
	}
	if realTenant {
		s = append(s, step{
			Title: "Restore the original string",
			Says: "Real tenant only: edits the key back to the string it had before the demo, through the API " +
				"client, so that whatever used it works again.",
			Run: restoreOriginal,
		})
	}
	return s
}

// do runs one step and records what it did.
func (w *walk) do(ctx context.Context, s step, r *stepResult) {
	w.p.heading(r.N, r.Title)
	w.p.para(s.Says)
	if key, found, err := w.target.Key(ctx); err == nil && found {
		w.before = key
		w.p.hide(key.Value)
	}
	counts, counted := w.target.Counts()

	if s.Run != nil {
		r.Err = s.Run(ctx, w, r)
		r.Plan, r.Writes = "-", "not counted"
		return
	}
	if s.Folder != "" {
		if err := w.useConfiguration(s.Folder); err != nil {
			r.Err = err
			return
		}
		w.p.note("configuration: examples/demo/" + s.Folder)
	} else {
		w.p.note("configuration: unchanged")
	}
	if s.Before != nil {
		if err := s.Before(ctx, w, r); err != nil {
			r.Err = err
			return
		}
	}

	planFile := filepath.Join(w.work, fmt.Sprintf("step%d.tfplan", r.N))
	var extra []string
	cmd := "terraform plan"
	if s.Destroy {
		extra, cmd = []string{"-destroy"}, "terraform plan -destroy"
	}
	pl, err := w.tf.plan(ctx, planFile, extra...)
	if err != nil {
		r.Err = err
		return
	}
	w.p.terraform(cmd, pl.Text, pl.Stream.Diags)
	r.Plan = shortSummary(pl.Stream.Summary)
	if err := compareActions(pl.Plan.actions(), s.Expect); err != nil {
		// Never apply a plan other than the one the step announced: on a
		// real tenant that could be a change nobody asked for.
		w.check(r, "the plan "+describeActions(s.Expect), err)
		r.Err = errors.New("the plan is not what this step expects, so the demo did not apply it")
		return
	}
	w.check(r, "the plan "+describeActions(s.Expect), nil)

	st, applyErr := w.tf.apply(ctx, planFile)
	w.p.terraform("terraform apply", []string{st.Summary}, st.Diags)
	// Read the state even after a failed apply: it has whatever the apply
	// did, the key string the provider now logs in with included.
	state, err := w.tf.state(ctx)
	if err == nil {
		w.followKey(state)
	}
	if err = errors.Join(applyErr, err); err != nil {
		r.Err = err
		return
	}
	if s.Check != nil {
		if err := s.Check(ctx, w, r, state); err != nil {
			r.Err = err
			return
		}
	}
	r.Writes = w.checkCounts(r, s, counts, counted)
}

// checkCounts compares what the simulator served during the step with what
// the step said it would do.
func (w *walk) checkCounts(r *stepResult, s step, before apiCounts, counted bool) string {
	if !counted {
		return "not counted"
	}
	after, _ := w.target.Counts()
	if s.NoCalls {
		n := after.Calls - before.Calls
		var err error
		if n != 0 {
			err = fmt.Errorf("the simulator served %d", n)
		}
		w.check(r, "no API call at all (the simulator's count)", err)
	}
	got := map[string]int{}
	for op, n := range after.Writes {
		if d := n - before.Writes[op]; d != 0 {
			got[op] = d
		}
	}
	text := describeWrites(got)
	var err error
	if want := describeWrites(s.Writes); text != want {
		err = fmt.Errorf("counted %s", text)
	}
	w.check(r, "API writes: "+describeWrites(s.Writes)+" (the simulator's count)", err)
	return text
}

func describeWrites(writes map[string]int) string {
	var parts []string
	for _, op := range writeOps {
		if n := writes[string(op)]; n != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", op, n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// actionVerbs say a plan's actions in Terraform's own words.
var actionVerbs = map[string]string{
	"import": "imports %s", "create": "creates %s", "update": "updates %s in place",
	"replace": "replaces %s", "delete": "destroys %s",
}

func describeActions(want map[string]string) string {
	if len(want) == 0 {
		return "changes no resource"
	}
	var parts []string
	for _, addr := range sortedKeys(want) {
		verb, ok := actionVerbs[want[addr]]
		if !ok {
			verb = want[addr] + " %s"
		}
		parts = append(parts, fmt.Sprintf(verb, addr))
	}
	return strings.Join(parts, " and ")
}

func compareActions(got, want map[string]string) error {
	var diffs []string
	for _, addr := range sortedKeys(got) {
		if want[addr] != got[addr] {
			diffs = append(diffs, fmt.Sprintf("%s: %s", addr, got[addr]))
		}
	}
	for _, addr := range sortedKeys(want) {
		if _, ok := got[addr]; !ok {
			diffs = append(diffs, addr+": no change")
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("planned %s", strings.Join(diffs, "; "))
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// shortSummary turns "Plan: 1 to add, 0 to change, 1 to destroy." into
// "1 to add, 1 to destroy".
func shortSummary(summary string) string {
	s := strings.TrimSuffix(strings.TrimSpace(summary), ".")
	if i := strings.Index(s, ": "); i >= 0 {
		s = s[i+2:]
	}
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

// useConfiguration replaces the working directory's configuration with one
// step's; the state stays.
func (w *walk) useConfiguration(folder string) error {
	old, err := filepath.Glob(filepath.Join(w.work, "*.tf"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	files, err := filepath.Glob(filepath.Join(w.examples, folder, "*.tf"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("examples/demo/%s has no .tf file", folder)
	}
	for _, f := range files {
		b, err := os.ReadFile(f) //nolint:gosec // a file of the demo's temp copy of examples/demo
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(w.work, filepath.Base(f)), b, 0o600); err != nil { //nolint:gosec // inside the temp dir
			return err
		}
	}
	return nil
}

// fingerprint is the provider's key_fingerprint: SHA-256 of "<id>:<string>".
func fingerprint(id int64, value string) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(id, 10) + ":" + value))
	return hex.EncodeToString(sum[:])
}

// apiKeyNow reads the key from the API, failing when there is none.
func (w *walk) apiKeyNow(ctx context.Context) (orgKey, error) {
	k, found, err := w.target.Key(ctx)
	if err != nil {
		return orgKey{}, fmt.Errorf("reading the key from the API: %w", err)
	}
	if !found {
		return orgKey{}, errors.New("the organization has no API key")
	}
	w.p.hide(k.Value)
	return k, nil
}

// followKey keeps the login key in step with the key string in state after
// an apply: under legacy login the provider logs in with the key this demo
// changes, so the next run (and the demo's own calls) must use the new one.
func (w *walk) followKey(st *stateJSON) {
	v := st.attr(addrKey, "key")
	if v == "" || v == w.loginKey {
		return
	}
	w.loginKey = v
	w.p.hide(v)
	if w.target.SetLoginKey(v) {
		w.p.note("legacy login uses the key this step changed: from now on the provider logs in with the " +
			"new string (ZTC_API_KEY), as the apply's warning asks; OneAPI login would not need this")
	}
}

// stateMatchesAPI checks the resource in state against the API's key.
func (w *walk) stateMatchesAPI(r *stepResult, st *stateJSON, k orgKey) {
	var err error
	switch {
	case st.attr(addrKey, "id") != strconv.FormatInt(k.ID, 10):
		err = fmt.Errorf("state has ID %s, the API %d", st.attr(addrKey, "id"), k.ID)
	case st.attr(addrKey, "key") != k.Value:
		err = errors.New("the strings differ")
	case st.attr(addrKey, "key_fingerprint") != fingerprint(k.ID, k.Value):
		err = errors.New("key_fingerprint is not SHA-256 of the API's ID and string")
	case st.output("key_id") != strconv.FormatInt(k.ID, 10):
		err = fmt.Errorf("output key_id is %q", st.output("key_id"))
	}
	w.check(r, fmt.Sprintf("the state holds the API's key (ID %d, same string and fingerprint)", k.ID), err)
}

func checkBaseURL(_ context.Context, w *walk, r *stepResult, st *stateJSON) error {
	var err error
	if got := st.output("base_url"); got != w.target.BaseURL() {
		err = fmt.Errorf("output base_url is %q", got)
	}
	w.check(r, "output base_url is "+w.target.BaseURL(), err)
	err = nil
	if got := st.output("auth_mode"); got != string(w.target.AuthMode()) {
		err = fmt.Errorf("output auth_mode is %q", got)
	}
	w.check(r, "output auth_mode is "+string(w.target.AuthMode()), err)
	return nil
}

func checkAdopted(ctx context.Context, w *walk, r *stepResult, st *stateJSON) error {
	k, err := w.apiKeyNow(ctx)
	if err != nil {
		return err
	}
	err = nil
	if k != w.original {
		err = errors.New("the key changed")
	}
	w.check(r, fmt.Sprintf("the organization's key is unchanged (ID %d, same string)", w.original.ID), err)
	w.stateMatchesAPI(r, st, k)
	return nil
}

func checkShared(ctx context.Context, w *walk, r *stepResult, st *stateJSON) error {
	k, err := w.apiKeyNow(ctx)
	if err != nil {
		return err
	}
	err = nil
	switch {
	case k.ID != w.original.ID:
		err = fmt.Errorf("the key now has ID %d", k.ID)
	case k.Value != w.shared:
		err = errors.New("the API's string is not the shared one")
	}
	w.check(r, fmt.Sprintf("the API's key has the shared string, in place (ID %d)", w.original.ID), err)
	w.stateMatchesAPI(r, st, k)
	return nil
}

func regenerateOutOfBand(ctx context.Context, w *walk, r *stepResult) error {
	k, err := w.target.RegenerateOutOfBand(ctx)
	if err != nil {
		return fmt.Errorf("regenerating the key outside Terraform: %w", err)
	}
	w.p.hide(k.Value)
	w.p.note(fmt.Sprintf("outside Terraform: key %d regenerated (%s)", k.ID, outOfBandHow(w.target)))
	w.loginKey = k.Value
	if w.target.SetLoginKey(k.Value) {
		w.p.note("the admin hands the new string over, so that the provider can still log in (ZTC_API_KEY)")
	}
	planFile := filepath.Join(w.work, "drift.tfplan")
	pl, err := w.tf.plan(ctx, planFile, "-refresh-only")
	if err != nil {
		return err
	}
	w.p.terraform("terraform plan -refresh-only", pl.Text, pl.Stream.Diags)
	var derr error
	if !pl.Plan.drifted(addrKey) {
		derr = errors.New("no drift reported")
	}
	w.check(r, "the refresh-only plan reports "+addrKey+" changed outside Terraform", derr)
	return nil
}

func outOfBandHow(t target) string {
	if _, ok := t.(*simTarget); ok {
		return "the simulator's Organization.RegenerateKey, as the portal would"
	}
	return "a regenerate call through internal/client, as a portal admin would"
}

func checkRotated(ctx context.Context, w *walk, r *stepResult, st *stateJSON) error {
	k, err := w.apiKeyNow(ctx)
	if err != nil {
		return err
	}
	err = nil
	switch {
	case k.ID != w.before.ID:
		err = fmt.Errorf("the key now has ID %d", k.ID)
	case k.Value == w.before.Value:
		err = errors.New("the string did not change")
	}
	w.check(r, fmt.Sprintf("the key was regenerated in place (ID %d, a new string)", w.before.ID), err)
	w.stateMatchesAPI(r, st, k)
	return nil
}

func checkHandedOver(ctx context.Context, w *walk, r *stepResult, st *stateJSON) error {
	k, err := w.apiKeyNow(ctx)
	if err != nil {
		return err
	}
	err = nil
	if st.attr(addrEcho, "data") != k.Value {
		err = errors.New("echo holds a different value")
	}
	w.check(r, "the stand-in received the current key string (echo.secret_store.data)", err)
	err = nil
	if k != w.before {
		err = errors.New("the key changed")
	}
	w.check(r, "opening the ephemeral resource changed nothing at the API", err)
	want := []string{addrKey, addrBaseURL, addrEcho}
	got := st.addresses()
	slices.Sort(got)
	slices.Sort(want)
	err = nil
	if !slices.Equal(got, want) {
		err = fmt.Errorf("state holds %s", strings.Join(got, ", "))
	}
	w.check(r, "the ephemeral resource is in no state: only "+strings.Join(want, ", "), err)
	return nil
}

func checkDestroyed(ctx context.Context, w *walk, r *stepResult, st *stateJSON) error {
	var err error
	if got := st.addresses(); len(got) != 0 {
		err = fmt.Errorf("state still holds %s", strings.Join(got, ", "))
	}
	w.check(r, "the state is empty", err)
	k, found, err := w.target.Key(ctx)
	if err != nil {
		return fmt.Errorf("reading the key from the API: %w", err)
	}
	err = nil
	switch {
	case !found:
		err = errors.New("the organization has no key")
	case k != w.before:
		err = errors.New("the key changed")
	}
	w.check(r, fmt.Sprintf("the organization still has its key (ID %d), unchanged", w.before.ID), err)
	return nil
}

// restoreOriginal puts the string back that the tenant's key had before the
// demo: the demo changed it several times, and something may use it.
func restoreOriginal(ctx context.Context, w *walk, r *stepResult) error {
	t, ok := w.target.(*apiTarget)
	if !ok {
		return errors.New("restoring is for a real tenant only")
	}
	k, err := t.Restore(ctx, w.original.Value)
	var cerr error
	switch {
	case err != nil:
		cerr = err
	case k.ID != w.original.ID || k.Value != w.original.Value:
		cerr = errors.New("the key differs from the original")
	}
	w.check(r, fmt.Sprintf("the key has its original string again (ID %d)", w.original.ID), cerr)
	return nil
}

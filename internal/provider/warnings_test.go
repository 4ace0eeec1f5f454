package provider

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Warning summaries, as users read them.
const (
	warnLoginKeyEdit = "This apply changes the provider's login key"
	warnRegenerating = "Regenerating the organization's API key"
	warnDrift        = "The API key was changed outside Terraform"
	warnKeptInState  = "The key string will be kept in state"
	warnDeletes      = "This destroy deletes the organization's API key"
	warnKeeps        = "This destroy keeps the organization's API key"
)

// TestAccWarningsUsersSee runs the built provider through terraform as a
// user does, a saved plan then its apply, and reads every warning each shows
// (terraform-plugin-testing does not expose warnings), in both login modes.
// Whatever the apply does to the key, the plan said beforehand, once; the
// apply repeats none of it, but for a create planned with nothing to refresh. Routine work is quiet: adopting, and editing or
// adding triggers under OneAPI.
func TestAccWarningsUsersSee(t *testing.T) {
	for _, mode := range []string{"legacy", "oneapi"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			r := newCLIRun(t, mode == "oneapi")
			// step writes the resource block, plans (with extra arguments),
			// applies the saved plan, and checks the warnings of each.
			stepRepeated := func(what, body string, plan, apply []string, args ...string) {
				t.Helper()
				r.write("resource \"cloudconnector_api_key\" \"this\" {\n" + body + "\n}\n")
				got, errs, failed := r.diags(append([]string{"plan", "-out=step.tfplan"}, args...)...)
				if failed {
					t.Fatalf("%s: plan failed: %q", what, errs)
				}
				if slices.Sort(got); !slices.Equal(got, plan) {
					t.Errorf("%s: the plan warns %q, want %q", what, got, plan)
				}
				if got, errs, failed = r.diags("apply", "step.tfplan"); failed || !slices.Equal(got, apply) {
					t.Errorf("%s: the apply warns %q (errors %q), want %q", what, got, errs, apply)
				}
			}
			step := func(what, body string, plan []string, args ...string) {
				t.Helper()
				stepRepeated(what, body, plan, nil, args...)
			}
			legacyOnly := func(w string) []string {
				if mode == "legacy" {
					return []string{w}
				}
				return nil
			}
			triggers := func(v string) string { return fmt.Sprintf("regenerate_triggers = { rotation = %q }", v) }

			step("an adopting create", "", nil)
			step("an edit", `key = "WarnedEdit01"`, legacyOnly(warnLoginKeyEdit))
			step("adding triggers", triggers("1"), nil)
			step("a scheduled rotation", triggers("2"), []string{warnRegenerating})
			step("from triggers to key_wo", "key_wo = \"WarnedEdit02\"\nkey_wo_version = 1", legacyOnly(warnLoginKeyEdit))
			portal := func(change func() error) { // someone changes the key in the admin portal, a while later
				t.Helper()
				r.sim.Advance(time.Minute)
				if err := change(); err != nil {
					t.Fatal(err)
				}
			}
			regenerate := func() error { _, err := r.org.RegenerateKey(); return err }
			portal(regenerate)
			step("drift under key_wo", "key_wo = \"WarnedEdit02\"\nkey_wo_version = 1", []string{warnDrift})
			step("removing key_wo", "delete_on_destroy = true", []string{warnKeptInState})
			step("a destroy that deletes", "delete_on_destroy = true", []string{warnDeletes}, "-destroy")
			if mode == "legacy" {
				return // the organization has no key now, so legacy login cannot work
			}
			portal(func() error { _, err := r.org.AddKey(); return err })
			// Terraform plans a create again at apply; where it had nothing to
			// refresh at plan (an empty state), the provider cannot tell that
			// call from the plan's, so the warning shows again.
			stepRepeated("a create with triggers", triggers("3"), []string{warnRegenerating}, []string{warnRegenerating})
			step("adding delete_on_destroy", triggers("3")+"\ndelete_on_destroy = true", nil)
			portal(regenerate)
			step("a destroy that keeps", triggers("3")+"\ndelete_on_destroy = true", []string{warnKeeps}, "-destroy")
			step("a create that adopts again", "", nil)
			step("a destroy that forgets", "", nil, "-destroy")
		})
	}
}

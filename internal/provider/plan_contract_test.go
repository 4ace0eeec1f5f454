package provider

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// plannedID is the id a saved plan gives the resource: "" where it is unknown.
func (r *cliRun) plannedID(planFile string) string {
	r.t.Helper()
	res := r.mustRun("show", "-json", planFile)
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				After map[string]any `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &plan); err != nil {
		r.t.Fatalf("show -json: %v", err)
	}
	for _, rc := range plan.ResourceChanges {
		if rc.Address == keyAddr {
			id, _ := rc.Change.After["id"].(string)
			return id
		}
	}
	r.t.Fatalf("the plan has no change for %s", keyAddr)
	return ""
}

// TestAccCreatePlanPreviews: the plan of a new resource logs in and lists,
// once: it shows the ID of the key the apply will adopt, edit or regenerate
// (unknown only where it adds one), and a wrong login or an endpoint that
// does not answer fails the plan, with the messages a refresh gives, before
// anyone approves it.
func TestAccCreatePlanPreviews(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		oneAPI bool
		noKey  bool
		body   string
	}{
		"adopt":            {body: ""},
		"edit":             {body: `key = "PreviewKey01"`},
		"regenerate":       {oneAPI: true, body: `regenerate_triggers = { r = "1" }`},
		"key_wo, OneAPI":   {oneAPI: true, body: "key_wo = \"PreviewKey02\"\nkey_wo_version = 1"},
		"add, no key":      {oneAPI: true, noKey: true, body: ""},
		"add and set, key": {oneAPI: true, noKey: true, body: `key = "PreviewKey03"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var orgs []simulator.OrgConfig
			if tc.noKey {
				orgs = []simulator.OrgConfig{{Name: "empty", NoKey: true}}
			}
			r := newCLIRun(t, tc.oneAPI, orgs...)
			r.write("resource \"cloudconnector_api_key\" \"this\" {\n" + tc.body + "\n}\n")
			r.sim.ResetCounts()
			r.mustRun("plan", "-out=create.tfplan")
			calls := 0
			for _, n := range r.sim.Counts().Calls {
				calls += n
			}
			c := r.sim.Counts().Calls
			if c[simulator.OpLogin]+c[simulator.OpToken] != 1 || c[simulator.OpList] != 1 || calls != 2 {
				t.Errorf("the plan of a create made the calls %v, want one login and one list", c)
			}
			want := ""
			if k, ok := r.org.Key(); ok {
				want = strconv.FormatInt(k.ID, 10)
			}
			if got := r.plannedID("create.tfplan"); got != want {
				t.Errorf("the plan shows id %q, want %q (\"\": known only after apply)", got, want)
			}
			r.sim.ResetCounts()
			r.mustRun("apply", "create.tfplan")
			if k, ok := r.org.Key(); !ok || (want != "" && strconv.FormatInt(k.ID, 10) != want) {
				t.Errorf("the apply took another key than the plan showed")
			}
			// The apply plans the create again (one list) and its Create takes
			// that answer: two lists in all, within the API's two a second.
			if c := r.sim.Counts(); c.Calls[simulator.OpList] != 1 || c.Status[429] != 0 {
				t.Errorf("the apply of a create made the calls %v (%d answered 429), want one list", c.Calls, c.Status[429])
			}
		})
	}
	t.Run("a rotation lists twice", func(t *testing.T) {
		t.Parallel()
		r := newCLIRun(t, true)
		r.write("resource \"cloudconnector_api_key\" \"this\" {\n  regenerate_triggers = { r = \"1\" }\n}\n")
		r.mustRun("apply", "-auto-approve")
		r.write("resource \"cloudconnector_api_key\" \"this\" {\n  regenerate_triggers = { r = \"2\" }\n}\n")
		r.sim.Advance(time.Minute) // clear of the rate windows of the first apply
		r.sim.ResetCounts()
		r.mustRun("apply", "-auto-approve")
		// The refresh lists, and the plan of the new half takes its answer; the
		// apply's plan of the new half lists, and the Create takes that answer.
		if c := r.sim.Counts(); c.Calls[simulator.OpList] != 2 || c.OK[simulator.OpRegenerate] != 1 || c.Status[429] != 0 {
			t.Errorf("the rotation made the calls %v (%d answered 429), want two lists and one regenerate", c.Calls, c.Status[429])
		}
	})
	failures := map[string]struct {
		oneAPI bool
		env    func(r *cliRun) []string
		want   string
	}{
		"wrong password": {env: func(*cliRun) []string { return []string{"ZTC_PASSWORD=NotThePassword1"} },
			want: "The legacy login was refused"},
		"wrong client secret": {oneAPI: true, env: func(*cliRun) []string { return []string{"ZSCALER_CLIENT_SECRET=not-the-secret"} },
			want: "The OneAPI token request was refused"},
		"endpoint refuses": {env: func(*cliRun) []string { return []string{"ZTC_BASE_URL=" + refusingEndpoint(t) + "/api/v1"} },
			want: "that this machine can reach it, and any proxy"},
		"no API at the URL": {env: func(r *cliRun) []string { return []string{"ZTC_BASE_URL=" + r.sim.URL() + "/zscaler"} },
			want: "no Cloud & Branch Connector API answers at"},
	}
	for name, tc := range failures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newCLIRun(t, tc.oneAPI)
			r.env = tc.env(r)
			r.write("resource \"cloudconnector_api_key\" \"this\" {}\n")
			res, err := r.run("plan")
			if err == nil {
				t.Fatalf("the plan of a create with a bad login or URL succeeded:\n%s", res.Stdout)
			}
			if msg := res.Stdout + res.Stderr; !expectErrorText(tc.want).MatchString(msg) {
				t.Errorf("the plan's error does not say %q:\n%s", tc.want, msg)
			}
		})
	}
}

// TestAccOneGlitchIsNotADeletion: a list that answers without the key (HTTP
// 200) while the state has one is checked by a second list. Where the second
// shows the key, the answers disagree: an error, nothing dropped, nothing
// written, and with regenerate_triggers set nothing regenerated; the next plan
// is empty. Only two lists without the key drop the resource.
func TestAccOneGlitchIsNotADeletion(t *testing.T) {
	sim := testsupport.StartSimulator(t)
	org := sim.DefaultOrganization()
	config := apiKeyConfig(`regenerate_triggers = { rotation = "1" }`)
	noKeyListed := simulator.Fault{Op: simulator.OpList, Body: "[]"}
	var before simulator.APIKey
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(oneAPIEnv(sim, org)),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					sim.Advance(2 * time.Second)
					sim.ResetCounts()
					before = testsupport.CurrentKey(t, org)
					sim.InjectFault(noKeyListed)
				},
				Config:      config,
				ExpectError: expectErrorText("The API's answers about the key disagree"),
			},
			{
				PreConfig: func() {
					if w := writes(sim.Counts()); w[simulator.OpRegenerate]+w[simulator.OpAdd]+w[simulator.OpEdit] != 0 {
						t.Errorf("a glitch led to writes: %v", w)
					}
					if now := testsupport.CurrentKey(t, org); now.ID != before.ID || now.Value != before.Value {
						t.Errorf("a glitch changed the key")
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// Confirmed twice: the key is gone as far as the API says, and the
				// plan shows a create.
				PreConfig: func() {
					sim.Advance(2 * time.Second)
					noKeyListed.Times = 2
					sim.InjectFault(noKeyListed)
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccUnknownRegenerateOutcome: a rotation's regenerate whose answer is
// lost, and whose check fails too, is saved with the key as it was and a
// warning, not retried; the next plan reads what happened, and neither it nor
// the next apply regenerates again.
func TestAccUnknownRegenerateOutcome(t *testing.T) {
	t.Parallel()
	for _, happened := range []bool{true, false} {
		t.Run(fmt.Sprintf("happened=%t", happened), func(t *testing.T) {
			t.Parallel()
			r := newCLIRun(t, true)
			config := func(rotation string) {
				r.write("provider \"cloudconnector\" {\n  max_retries = 1\n}\n\n" +
					"resource \"cloudconnector_api_key\" \"this\" {\n  regenerate_triggers = { rotation = \"" + rotation + "\" }\n}\n")
			}
			r.write("resource \"cloudconnector_api_key\" \"this\" {}\n")
			r.mustRun("apply", "-auto-approve")
			config("1")
			r.mustRun("apply", "-auto-approve")
			config("2")
			if warnings, errs, failed := r.diags("plan", "-out=rotate.tfplan"); failed || !slices.Equal(warnings, []string{warnRegenerating}) {
				t.Fatalf("the rotation's plan warns %q (errors %q)", warnings, errs)
			}
			before := testsupport.CurrentKey(t, r.org)
			r.sim.ResetCounts()
			// The apply plans the new object again (one list, which its Create
			// takes); the regenerate's answer is lost; every check after it fails.
			r.sim.InjectFault(simulator.Fault{Op: simulator.OpRegenerate, Drop: true, AfterApply: happened})
			r.sim.InjectFault(simulator.Fault{Op: simulator.OpList, Skip: 1, Status: http.StatusServiceUnavailable, Times: -1})
			warnings, errs, failed := r.diags("apply", "rotate.tfplan")
			if failed || !slices.Equal(warnings, []string{"The regenerate's outcome is unknown"}) {
				t.Fatalf("the apply should be saved with one warning; warnings %q, errors %q", warnings, errs)
			}
			if n := r.sim.Counts().Calls[simulator.OpRegenerate]; n != 1 {
				t.Fatalf("%d regenerate calls, want 1: a regenerate of unknown outcome is not repeated", n)
			}
			r.sim.ClearFaults()
			if now := testsupport.CurrentKey(t, r.org); (now.Value != before.Value) != happened {
				t.Fatalf("the simulator's regenerate happened: %t, want %t", now.Value != before.Value, happened)
			}

			var want []string
			if !happened {
				want = []string{"The last regenerate did not happen"}
			}
			if warnings, errs, failed = r.diags("plan", "-out=next.tfplan"); failed || !slices.Equal(warnings, want) {
				t.Fatalf("the next plan warns %q (errors %q), want %q", warnings, errs, want)
			}
			r.mustRun("apply", "next.tfplan")
			if n := r.sim.Counts().Calls[simulator.OpRegenerate]; n != 1 {
				t.Fatalf("%d regenerate calls after the next apply, want still 1", n)
			}
			if res := r.mustRun("plan"); !strings.Contains(res.Stdout, "No changes") {
				t.Errorf("the plan after is not empty:\n%s", res.Stdout)
			}
		})
	}
}

// pushPrivate replaces the resource's private state in the CLI run's state
// with entries, as an earlier version of the provider left them.
func (r *cliRun) pushPrivate(entries map[string]string) {
	r.t.Helper()
	res := r.mustRun("state", "pull")
	var state map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &state); err != nil {
		r.t.Fatal(err)
	}
	values := map[string][]byte{} // the framework's private state: JSON values by key
	for k, v := range entries {
		values[k] = []byte(v)
	}
	raw, err := json.Marshal(values)
	if err != nil {
		r.t.Fatal(err)
	}
	resources, _ := state["resources"].([]any)
	for _, rs := range resources {
		if m, _ := rs.(map[string]any); m["type"] == "cloudconnector_api_key" {
			instances, _ := m["instances"].([]any)
			inst, _ := instances[0].(map[string]any)
			inst["private"] = base64.StdEncoding.EncodeToString(raw)
		}
	}
	state["serial"] = state["serial"].(float64) + 1
	out, err := json.Marshal(state)
	if err != nil {
		r.t.Fatal(err)
	}
	file := filepath.Join(r.tf.Dir, "pushed.tfstate")
	if err := os.WriteFile(file, out, 0o600); err != nil {
		r.t.Fatal(err)
	}
	r.mustRun("state", "push", "pushed.tfstate")
}

// statePrivate is the resource's private state as the CLI run's state holds it.
func (r *cliRun) statePrivate() string {
	r.t.Helper()
	raw, err := os.ReadFile(filepath.Join(r.tf.Dir, "terraform.tfstate"))
	if err != nil {
		r.t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Private string `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		r.t.Fatal(err)
	}
	for _, rs := range state.Resources {
		if rs.Type == "cloudconnector_api_key" && len(rs.Instances) > 0 {
			b, _ := base64.StdEncoding.DecodeString(rs.Instances[0].Private)
			return string(b)
		}
	}
	return ""
}

// TestAccPrivateStateOfEarlierVersions: what earlier versions kept in private
// state for key_wo (a SHA-256 of the ID and the string, or later the time and
// author of the last write) is dropped at the next refresh, and drift under
// key_wo shows again from then on.
func TestAccPrivateStateOfEarlierVersions(t *testing.T) {
	t.Parallel()
	for name, old := range map[string]func(k simulator.APIKey) string{
		"fingerprint": func(k simulator.APIKey) string {
			return `{"fingerprint":"8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92"}`
		},
		"time and author": func(k simulator.APIKey) string {
			return fmt.Sprintf(`{"last_modified_time":%q,"last_modified_by":%q}`,
				k.LastModifiedTime.UTC().Format(time.RFC3339), k.LastModifiedBy)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newCLIRun(t, true)
			r.write("resource \"cloudconnector_api_key\" \"this\" {\n  key_wo = \"EarlierKey01\"\n  key_wo_version = 1\n}\n")
			r.mustRun("apply", "-auto-approve")
			r.pushPrivate(map[string]string{privateLegacyWOApplied: old(testsupport.CurrentKey(t, r.org))})

			r.mustRun("apply", "-auto-approve") // a refresh, and nothing to change
			if p := r.statePrivate(); strings.Contains(p, privateLegacyWOApplied) || !strings.Contains(p, privateLastTakeover) {
				t.Fatalf("after a refresh the private state still holds the earlier entry, or no record: %s", p)
			}
			r.sim.Advance(time.Minute)
			if _, err := r.org.RegenerateKey(); err != nil {
				t.Fatal(err)
			}
			warnings, errs, failed := r.diags("plan", "-out=drift.tfplan")
			if failed || !slices.Equal(warnings, []string{warnDrift}) || r.actions("drift.tfplan", keyAddr) != "update" {
				t.Fatalf("drift under key_wo does not show: warnings %q, errors %q, actions %q", warnings, errs,
					r.actions("drift.tfplan", keyAddr))
			}
		})
	}
}

package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// Key strings of the fault suite: what a setup step applies, and what the
// faulted step asks for.
const (
	faultFirstKey  = "FirstString1"
	faultWantedKey = "WantedKey001"
)

// faultCase is one set of faults that the simulator injects while Terraform
// plans and applies one step.
type faultCase struct {
	name   string
	oneAPI bool // log in with OneAPI instead of the legacy session
	noKey  bool // the organization starts without a key (OneAPI only)
	// update: apply key = faultFirstKey first, so that the faulted step
	// refreshes (Read: a list) and then edits in place (Update). Otherwise the
	// faulted step creates the resource (Create: a list, then the write).
	update  bool
	body    string // the faulted step's resource body
	retries int    // max_retries
	timeout int    // request_timeout in seconds
	faults  []simulator.Fault

	// wantErr, when set, is the error the faulted step ends with; the step
	// after it shows the truth and applies the correction.
	wantErr string
	// applied: the faulted step's write reached the simulator (error cases).
	applied bool
	// check runs on the simulator's counts after the faulted step.
	check func(simulator.Counts) error
}

func (tc faultCase) wantKey() string {
	if strings.HasPrefix(tc.body, "regenerate_triggers") {
		return "" // a regenerate: any new string
	}
	return faultWantedKey
}

// faultCount is how many requests the faults affect, when that is bounded.
func (tc faultCase) faultCount() int {
	n := 0
	for _, f := range tc.faults {
		if f.Times < 0 {
			return -1
		}
		n += max(f.Times, 1)
	}
	return n
}

func writesSentOnce(op simulator.Op) func(simulator.Counts) error {
	return func(c simulator.Counts) error {
		if c.Calls[op] != 1 {
			return fmt.Errorf("%s sent %d times; an applied write must not be repeated", op, c.Calls[op])
		}
		return nil
	}
}

func faultCases() []faultCase {
	key := fmt.Sprintf("key = %q", faultWantedKey)
	const triggers = `regenerate_triggers = { rotation = "1" }` // a create that regenerates
	const (
		edit, regen, add, list = simulator.OpEdit, simulator.OpRegenerate, simulator.OpAdd, simulator.OpList
		login, token           = simulator.OpLogin, simulator.OpToken
	)
	return []faultCase{
		// Edit locks, rate limits and server errors, before the request is handled.
		{name: "409 edit lock on the edit", update: true, body: key, retries: 3, timeout: 10,
			faults: []simulator.Fault{{Op: edit, Status: http.StatusConflict, Times: 2}}},
		{name: "409 edit lock on the regenerate of a create", body: triggers, retries: 3, timeout: 10,
			faults: []simulator.Fault{{Op: regen, Status: http.StatusConflict, Times: 2}}},
		{name: "429 with Retry-After on the edit", oneAPI: true, update: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: edit, Status: http.StatusTooManyRequests, RetryAfter: time.Second}}},
		{name: "429 with Retry-After on the refresh", update: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: list, Status: http.StatusTooManyRequests, RetryAfter: time.Second}}},
		{name: "503 on the edit", update: true, body: key, retries: 3, timeout: 10,
			faults: []simulator.Fault{{Op: edit, Status: http.StatusServiceUnavailable, Times: 2}}},
		{name: "503 on the refresh", oneAPI: true, update: true, body: key, retries: 3, timeout: 10,
			faults: []simulator.Fault{{Op: list, Status: http.StatusServiceUnavailable, Times: 2}}},
		{name: "503 on the legacy login", body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: login, Status: http.StatusServiceUnavailable}}},
		{name: "503 on the OneAPI token", oneAPI: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: token, Status: http.StatusServiceUnavailable}}},

		// Dropped connections and answers slower than request_timeout.
		{name: "dropped connection on the edit", oneAPI: true, update: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: edit, Drop: true}}},
		{name: "dropped connection on the refresh", update: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: list, Drop: true}}},
		{name: "dropped connection on the list of a create", body: triggers, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: list, Drop: true}}},
		{name: "edit slower than request_timeout", update: true, body: key, retries: 2, timeout: 1,
			faults: []simulator.Fault{{Op: edit, Latency: 2 * time.Second}}},
		{name: "refresh slower than request_timeout", oneAPI: true, update: true, body: key, retries: 2, timeout: 1,
			faults: []simulator.Fault{{Op: list, Latency: 2 * time.Second}}},

		// A session or token that ends in the middle of the apply.
		{name: "session ended before the edit", update: true, body: key, retries: 1, timeout: 10,
			faults: []simulator.Fault{{Op: edit, ExpireSession: true}}},
		{name: "session ended between the list and the regenerate of a create", body: triggers, retries: 1, timeout: 10,
			faults: []simulator.Fault{{Op: list, AfterApply: true, ExpireSession: true}}},
		{name: "token expired before the edit", oneAPI: true, update: true, body: key, retries: 1, timeout: 10,
			faults: []simulator.Fault{{Op: edit, ExpireSession: true}}},
		{name: "token expired before the refresh", oneAPI: true, update: true, body: key, retries: 1, timeout: 10,
			faults: []simulator.Fault{{Op: list, ExpireSession: true}}},
		{name: "token expired between the list and the edit of a create", oneAPI: true, body: key, retries: 1, timeout: 10,
			faults: []simulator.Fault{{Op: list, AfterApply: true, ExpireSession: true}}},

		// The write reaches the server and its answer is lost: a list confirms it.
		{name: "edit applied and its answer lost", update: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: edit, AfterApply: true, Drop: true}}, check: writesSentOnce(edit)},
		{name: "edit of a create applied and its answer lost", oneAPI: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: edit, AfterApply: true, Drop: true}}, check: writesSentOnce(edit)},
		{name: "regenerate applied and its answer lost", body: triggers, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: regen, AfterApply: true, Drop: true}}, check: writesSentOnce(regen)},
		{name: "add applied and its answer lost", oneAPI: true, noKey: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: add, AfterApply: true, Drop: true}}, check: writesSentOnce(add)},
		{name: "edit applied and answered 502", update: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: edit, AfterApply: true, Status: http.StatusBadGateway}}, check: writesSentOnce(edit)},
		// A 409 after the write went through (a server that applied the edit
		// and then timed out on its lock, say): the repeat finds the string
		// already set and the API refuses an edit to the same value.
		{name: "edit applied and answered 409", update: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: edit, AfterApply: true, Status: http.StatusConflict}}},
		{name: "edit of a create applied and answered 409", body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: edit, AfterApply: true, Status: http.StatusConflict}}},
		{name: "token expired after the edit and its answer lost", oneAPI: true, update: true, body: key, retries: 2, timeout: 10,
			faults: []simulator.Fault{{Op: edit, AfterApply: true, ExpireSession: true, Drop: true}}, check: writesSentOnce(edit)},

		// Faults that outlast the retries: a clear error, then the truth.
		{name: "edit lock held through every retry", update: true, body: key, retries: 2, timeout: 10,
			faults:  []simulator.Fault{{Op: edit, Status: http.StatusConflict, Times: -1}},
			wantErr: "Another admin or tool holds the organization's edit lock"},
		{name: "429 through every retry", oneAPI: true, body: key, retries: 1, timeout: 10,
			faults:  []simulator.Fault{{Op: edit, Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: -1}},
			wantErr: "The API kept answering 429 (rate limit) after the provider's retries"},
		{name: "503 on every refresh", update: true, body: key, retries: 1, timeout: 10,
			faults:  []simulator.Fault{{Op: list, Status: http.StatusServiceUnavailable, Times: -1}},
			wantErr: "HTTP 503 SERVICE_UNAVAILABLE"},
		{name: "every edit dropped", oneAPI: true, update: true, body: key, retries: 1, timeout: 10,
			faults:  []simulator.Fault{{Op: edit, Drop: true, Times: -1}},
			wantErr: "Cannot edit the API key string"},
		{name: "every list slower than request_timeout", body: triggers, retries: 1, timeout: 1,
			faults:  []simulator.Fault{{Op: list, Latency: 2 * time.Second, Times: -1}},
			wantErr: "within 1s (the per-request timeout). The endpoint took the connection but sent no answer."},
		{name: "edit applied, answer lost, and the check fails", update: true, body: key, retries: 1, timeout: 10,
			// The refresh before the apply gets its list; every list after it fails.
			faults: []simulator.Fault{
				{Op: edit, AfterApply: true, Drop: true},
				{Op: list, Skip: 1, Status: http.StatusServiceUnavailable, Times: -1},
			},
			wantErr: "The API did not confirm whether the change happened, and checking failed too", applied: true},
		// A create's regenerate whose outcome stays unknown is saved, not an
		// error: TestAccUnknownRegenerateOutcome.
		{name: "session ended after the edit and its answer lost", update: true, body: key, retries: 1, timeout: 10,
			// The check must log in again, and the old login key no longer works.
			faults:  []simulator.Fault{{Op: edit, AfterApply: true, ExpireSession: true, Drop: true}},
			wantErr: "the outcome is unknown", applied: true},
	}
}

// TestAccFaults: every case ends with a successful apply whose next plan is
// empty, or with a clear error after which the plan starts from the
// simulator's key and an apply corrects it. No key string is lost, and the
// state never disagrees with the simulator.
func TestAccFaults(t *testing.T) {
	t.Cleanup(func() {
		t.Logf("fault suite: %d faults injected; %d cases survived them, %d ended in a clear error and recovered",
			faultsInjected.Load(), faultCasesOK.Load(), faultCasesErr.Load())
	})
	for _, tc := range faultCases() {
		t.Run(tc.name, func(t *testing.T) { runFaultCase(t, tc) })
	}
}

func runFaultCase(t *testing.T, tc faultCase) {
	var sim *simulator.Simulator
	if tc.noKey {
		sim = testsupport.StartSimulator(t, simulator.OrgConfig{Name: "empty", NoKey: true})
	} else {
		sim = testsupport.StartSimulator(t)
	}
	org := sim.DefaultOrganization()
	env := testsupport.LegacyEnv(sim, org)
	if tc.oneAPI {
		env = oneAPIEnv(sim, org)
	}
	config := tunedConfig(tc.retries, tc.timeout, tc.body)

	var steps []resource.TestStep
	if tc.update {
		steps = append(steps, resource.TestStep{
			Config:            tunedConfig(tc.retries, tc.timeout, fmt.Sprintf("key = %q", faultFirstKey)),
			ConfigStateChecks: []statecheck.StateCheck{expectSimKeyValue(org, faultFirstKey)},
		})
	}

	var before simulator.APIKey // the key as it was just before the faulted step
	inject := func() {
		before, _ = org.Key()
		// A new rate-limit window: the faults, not the previous step's calls,
		// decide which request meets what.
		sim.Advance(2 * time.Second)
		sim.ResetCounts()
		for _, f := range tc.faults {
			sim.InjectFault(f)
		}
	}
	simAfterFaults := simulatorCheck(func() error {
		c := sim.Counts()
		faultsInjected.Add(int64(c.Faults))
		if n := tc.faultCount(); n >= 0 && (c.Faults != n || len(sim.PendingFaults()) != 0) {
			return fmt.Errorf("%d faults applied, %d pending; the case expects all %d used", c.Faults, len(sim.PendingFaults()), n)
		}
		if tc.check != nil {
			return tc.check(c)
		}
		return nil
	})
	keyChanged := simulatorCheck(func() error {
		k, found := org.Key()
		switch {
		case !found:
			return fmt.Errorf("the organization has no key")
		case tc.wantKey() != "" && k.Value != tc.wantKey():
			return fmt.Errorf("key %d does not hold the configured string", k.ID)
		case tc.wantKey() == "" && k.Value == before.Value:
			return fmt.Errorf("key %d was not regenerated", k.ID)
		}
		return nil
	})

	if tc.wantErr == "" {
		steps = append(steps, resource.TestStep{
			PreConfig: inject,
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), expectPlanFromSimKey(org)},
			},
			ConfigStateChecks: append(expectKeyInState(org), keyChanged, simAfterFaults,
				simulatorCheck(func() error { faultCasesOK.Add(1); return nil })),
		})
	} else {
		// The step that fails, then one whose plan starts from the simulator's
		// key (whatever the failed step did) and whose apply corrects it.
		steps = append(steps,
			resource.TestStep{PreConfig: inject, Config: config, ExpectError: expectErrorText(tc.wantErr)},
			resource.TestStep{
				PreConfig: func() {
					if err := simAfterFaults(); err != nil {
						t.Error(err)
					}
					sim.ClearFaults()
					k, found := org.Key()
					switch {
					case !found:
						t.Error("the failed step left the organization without a key")
					case !tc.applied && (k.ID != before.ID || k.Value != before.Value):
						t.Errorf("the failed step changed key %d although its write never went through", k.ID)
					case tc.applied && k.Value == before.Value:
						t.Errorf("the failed step's write should have reached the simulator")
					}
				},
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: truthPlanChecks(tc, org)},
				ConfigStateChecks: append(expectKeyInState(org), keyChanged,
					simulatorCheck(func() error { faultCasesErr.Add(1); return nil })),
			})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: envFactories(env),
		Steps:                    steps,
	})
}

// truthPlanChecks: after a failed create there is no state, and the plan
// creates again; after a failed update the plan starts from the simulator's
// key, and is empty when the edit went through after all.
func truthPlanChecks(tc faultCase, org *simulator.Organization) []plancheck.PlanCheck {
	switch {
	case !tc.update:
		return []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreate)}
	case tc.applied:
		return []plancheck.PlanCheck{expectPlanFromSimKey(org), plancheck.ExpectEmptyPlan()}
	default:
		return []plancheck.PlanCheck{expectPlanFromSimKey(org), plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate)}
	}
}

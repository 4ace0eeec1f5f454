package provider

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// Tallies for the reliability suites, logged at the end of each suite so that
// the figures the issue asks for can be read off `go test -v`.
var (
	faultsInjected atomic.Int64 // faults the simulator applied during the fault suites
	faultCasesOK   atomic.Int64 // fault cases whose apply went through despite the faults
	faultCasesErr  atomic.Int64 // fault cases that ended in a clear error, then recovered
)

// tunedConfig is a resource configuration with a provider block that sets
// the retry bound and the per-request timeout; the login comes from the env.
func tunedConfig(maxRetries, requestTimeout int, body string) string {
	return withTerraformBlock(fmt.Sprintf("provider \"cloudconnector\" {\n  max_retries     = %d\n  request_timeout = %d\n}\n",
		maxRetries, requestTimeout) + "resource \"cloudconnector_api_key\" \"this\" {\n" + body + "\n}\n")
}

// planBeforeIsSim checks that the plan's prior state (after refresh) is the
// simulator's key: the plan starts from the truth, whatever the last apply did.
type planBeforeIsSim struct{ org *simulator.Organization }

func expectPlanFromSimKey(org *simulator.Organization) plancheck.PlanCheck {
	return planBeforeIsSim{org}
}

func (c planBeforeIsSim) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != keyAddr || rc.Change == nil {
			continue
		}
		before, ok := rc.Change.Before.(map[string]any)
		if !ok {
			resp.Error = fmt.Errorf("%s has no prior state in the plan", keyAddr)
			return
		}
		k, found := c.org.Key()
		if !found {
			resp.Error = fmt.Errorf("organization %s has no key, yet %s has a prior state", c.org.Name(), keyAddr)
			return
		}
		id := strconv.FormatInt(k.ID, 10)
		if before["id"] != id {
			resp.Error = fmt.Errorf("plan's prior id %v, simulator key %s", before["id"], id)
			return
		}
		if v, set := before["key"].(string); set && v != k.Value {
			resp.Error = fmt.Errorf("plan's prior key string is not the simulator's")
			return
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", keyAddr)
}

package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// triggersRequireReplace replaces the resource only when regenerate_triggers
// changes from one map to another. Adding triggers to an adopted key, or
// removing them, is no rotation: it updates in place without an API call.
func triggersRequireReplace() planmodifier.Map {
	return mapplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = triggersReplace(req.StateValue, req.PlanValue)
		},
		"A change from one map to another replaces the resource, which regenerates the key.",
		"A change from one map to another replaces the resource, which regenerates the key.",
	)
}

// triggersReplace reports whether going from prior to planned triggers is a
// rotation. An unknown map may turn out to be any map, so it counts as one.
func triggersReplace(prior, planned types.Map) bool {
	return !prior.IsNull() && !planned.IsNull() && !prior.Equal(planned)
}

package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// cloudValidator accepts the Zscaler cloud names, in any case, and lists
// them all when it refuses one.
type cloudValidator struct{}

func (cloudValidator) Description(context.Context) string {
	return "must be one of: " + strings.Join(client.Clouds(), ", ")
}

func (v cloudValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (cloudValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := checkCloud(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Unknown Zscaler cloud", fmt.Sprintf("%s %s", req.Path, msg))
	}
}

// checkCloud returns "" for a known cloud, else the end of a sentence that
// says what is wrong and lists the valid names.
func checkCloud(name string) string {
	if client.IsCloud(strings.ToLower(strings.TrimSpace(name))) {
		return ""
	}
	return fmt.Sprintf("is %q, which is not a Zscaler cloud. Valid clouds: %s.", name, strings.Join(client.Clouds(), ", "))
}

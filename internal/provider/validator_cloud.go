package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// cloudValidator accepts the Zscaler cloud names, in any case, and lists
// them all when it refuses one.
func cloudValidator() validator.String {
	return stringCheck{
		description: "must be one of: " + strings.Join(client.Clouds(), ", "),
		summary:     "Unknown Zscaler cloud",
		problem:     continued(checkCloud),
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

package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// cloudValidator accepts a Zscaler cloud name in any case and, refusing one,
// lists them all. It checks the provider's and the data source's cloud, and
// the base_url function's argument.
var cloudValidator = stringvalidator.OneOfCaseInsensitive(client.Clouds()...)

// cloudName returns the cloud that name spells in any case, compared as
// cloudValidator compares, or "" when it names none.
func cloudName(name string) string {
	for _, c := range client.Clouds() {
		if strings.EqualFold(name, c) {
			return c
		}
	}
	return ""
}

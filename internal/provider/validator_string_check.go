package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// stringCheck is an attribute validator made from a check. It passes null and
// unknown values (Terraform validates again once they are known) and reports
// what the check finds in a sentence that begins with the attribute's name.
type stringCheck struct {
	description string
	summary     string // the diagnostic's summary; "" gives "Invalid <attribute>"
	// problem says what is wrong with v as the rest of that sentence, or "".
	problem func(v string) string
}

func (c stringCheck) Description(context.Context) string { return c.description }

func (c stringCheck) MarkdownDescription(context.Context) string { return c.description }

func (c stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	p := c.problem(req.ConfigValue.ValueString())
	if p == "" {
		return
	}
	summary := c.summary
	if summary == "" {
		summary = "Invalid " + req.Path.String()
	}
	resp.Diagnostics.AddAttributeError(req.Path, summary, req.Path.String()+p)
}

// explained turns a check that returns an error into a problem: "<attr>: <error>."
func explained(check func(string) error) func(string) string {
	return func(v string) string {
		if err := check(v); err != nil {
			return ": " + err.Error() + "."
		}
		return ""
	}
}

// continued turns a check that returns the end of a sentence into a problem:
// "<attr> <sentence>".
func continued(check func(string) string) func(string) string {
	return func(v string) string {
		if msg := check(v); msg != "" {
			return " " + msg
		}
		return ""
	}
}

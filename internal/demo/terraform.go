package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// devOverridesWarning is the warning Terraform prints on every run with
// dev_overrides; the header explains it once instead.
const devOverridesWarning = "Provider development overrides are in effect"

// runner runs terraform in the demo's working directory with the provider's
// environment of the moment (the login key changes during the demo).
type runner struct {
	tf      *tfrun.Terraform
	baseEnv []string // CLI configuration, reattach, variables
	target  target
}

func (r *runner) run(ctx context.Context, args ...string) (tfrun.Result, error) {
	r.tf.Env = append(append([]string{}, r.baseEnv...), r.target.ProviderEnv()...)
	return r.tf.Run(ctx, args...)
}

// diagnostic is one warning or error from Terraform's JSON stream.
type diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// streamMessage is one line of `terraform plan|apply -json`.
type streamMessage struct {
	Type       string      `json:"type"`
	Message    string      `json:"@message"`
	Diagnostic *diagnostic `json:"diagnostic"`
}

// stream is what a -json command said: its diagnostics (without the
// dev_overrides warning) and its change summary line.
type stream struct {
	Diags   []diagnostic
	Summary string
}

func parseStream(out string) stream {
	var s stream
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		var m streamMessage
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		switch {
		case m.Type == "diagnostic" && m.Diagnostic != nil && m.Diagnostic.Summary != devOverridesWarning:
			s.Diags = append(s.Diags, *m.Diagnostic)
		case m.Type == "change_summary":
			s.Summary = m.Message
		}
	}
	return s
}

func (s stream) errors() []diagnostic {
	var errs []diagnostic
	for _, d := range s.Diags {
		if d.Severity == "error" {
			errs = append(errs, d)
		}
	}
	return errs
}

// commandError is a failed terraform command, with its diagnostics.
func commandError(args []string, s stream, err error) error {
	var b strings.Builder
	fmt.Fprintf(&b, "terraform %s failed", strings.Join(args, " "))
	if errs := s.errors(); len(errs) > 0 {
		for _, d := range errs {
			fmt.Fprintf(&b, "\n  Error: %s", d.Summary)
			if d.Detail != "" {
				fmt.Fprintf(&b, "\n  %s", strings.ReplaceAll(d.Detail, "\n", "\n  "))
			}
		}
		return fmt.Errorf("%s", b.String())
	}
	return fmt.Errorf("%s: %w", b.String(), err)
}

// planJSON is the part of `terraform show -json <plan>` the checks read.
type planJSON struct {
	ResourceChanges []struct {
		Address string `json:"address"`
		Mode    string `json:"mode"`
		Change  struct {
			Actions   []string        `json:"actions"`
			Importing json.RawMessage `json:"importing"`
		} `json:"change"`
	} `json:"resource_changes"`
	ResourceDrift []struct {
		Address string `json:"address"`
	} `json:"resource_drift"`
}

// actions maps each managed resource the plan touches to one word: create,
// update, replace, delete, import. Resources left alone are not listed.
func (p planJSON) actions() map[string]string {
	out := map[string]string{}
	for _, rc := range p.ResourceChanges {
		if rc.Mode != "managed" {
			continue
		}
		importing := len(rc.Change.Importing) > 0 && string(rc.Change.Importing) != "null"
		a := strings.Join(rc.Change.Actions, ",")
		switch a {
		case "no-op", "read":
			if importing {
				out[rc.Address] = "import"
			}
		case "delete,create", "create,delete":
			out[rc.Address] = "replace"
		default:
			out[rc.Address] = a
			if importing {
				out[rc.Address] = "import+" + a
			}
		}
	}
	return out
}

func (p planJSON) drifted(address string) bool {
	for _, d := range p.ResourceDrift {
		if d.Address == address {
			return true
		}
	}
	return false
}

// stateJSON is the part of `terraform show -json` (the state) the checks read.
type stateJSON struct {
	Values *struct {
		Outputs map[string]struct {
			Value any `json:"value"`
		} `json:"outputs"`
		RootModule struct {
			Resources []struct {
				Address string         `json:"address"`
				Mode    string         `json:"mode"`
				Values  map[string]any `json:"values"`
			} `json:"resources"`
		} `json:"root_module"`
	} `json:"values"`
}

// resource returns a resource's attribute values, nil when it is not in state.
func (s *stateJSON) resource(address string) map[string]any {
	if s == nil || s.Values == nil {
		return nil
	}
	for _, r := range s.Values.RootModule.Resources {
		if r.Address == address {
			return r.Values
		}
	}
	return nil
}

// addresses lists every resource in state, data sources included.
func (s *stateJSON) addresses() []string {
	if s == nil || s.Values == nil {
		return nil
	}
	var out []string
	for _, r := range s.Values.RootModule.Resources {
		out = append(out, r.Address)
	}
	return out
}

func (s *stateJSON) output(name string) string {
	if s == nil || s.Values == nil {
		return ""
	}
	o, ok := s.Values.Outputs[name]
	if !ok {
		return ""
	}
	return fmt.Sprint(o.Value)
}

// attr reads a string attribute of a resource in state ("" when absent).
func (s *stateJSON) attr(address, name string) string {
	v, ok := s.resource(address)[name]
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// planResult is one saved plan: what a person reads, and what the checks read.
type planResult struct {
	Text    []string // `terraform show` of the saved plan, trimmed
	Stream  stream
	Plan    planJSON
	Changes bool
}

// plan saves a plan to file and reads it back twice: as text for the reader,
// as JSON for the checks.
func (r *runner) plan(ctx context.Context, file string, extra ...string) (*planResult, error) {
	args := append([]string{"plan", "-input=false", "-json", "-out=" + file}, extra...)
	res, err := r.run(ctx, args...)
	st := parseStream(res.Stdout)
	if err != nil {
		return &planResult{Stream: st}, commandError(args, st, err)
	}
	text, err := r.run(ctx, "show", "-no-color", file)
	if err != nil {
		return nil, err
	}
	js, err := r.run(ctx, "show", "-json", file)
	if err != nil {
		return nil, err
	}
	out := &planResult{Text: trimPlan(text.Stdout, maxPlanLines), Stream: st}
	if err := json.Unmarshal([]byte(js.Stdout), &out.Plan); err != nil {
		return nil, fmt.Errorf("reading the saved plan: %w", err)
	}
	return out, nil
}

// apply applies a saved plan.
func (r *runner) apply(ctx context.Context, file string) (stream, error) {
	args := []string{"apply", "-input=false", "-json", file}
	res, err := r.run(ctx, args...)
	st := parseStream(res.Stdout)
	if err != nil {
		return st, commandError(args, st, err)
	}
	return st, nil
}

// state reads the current state.
func (r *runner) state(ctx context.Context) (*stateJSON, error) {
	res, err := r.run(ctx, "show", "-json")
	if err != nil {
		return nil, err
	}
	var s stateJSON
	if err := json.Unmarshal([]byte(res.Stdout), &s); err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	return &s, nil
}

// maxPlanLines is how much of a plan the demo shows: what a person reads in
// one go. The saved plan has the rest.
const maxPlanLines = 30

// trimPlan keeps the part of `terraform show` a person reads: the resource
// changes, the summary line and the outputs; it drops the symbol legend, the
// boilerplate paragraphs and separators, and caps the length.
func trimPlan(text string, maxLines int) []string {
	boilerplate := []string{
		"Terraform used the selected providers",
		"Terraform will perform the following actions:",
		"Terraform detected the following changes made outside",
		"This is a refresh-only plan",
		"You can apply this plan to save these new output values",
		"Note: You didn't use the -out option",
		"Terraform has compared your real infrastructure",
		"Saved the plan to:",
		"To perform exactly these actions",
		"terraform apply \"",
	}
	var out []string
	skipping, blank := false, false
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			skipping = false
			blank = len(out) > 0
			continue
		}
		for _, b := range boilerplate {
			if strings.HasPrefix(t, b) {
				skipping = true
			}
		}
		if skipping || strings.HasPrefix(t, "─") {
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	if len(out) > maxLines {
		more := len(out) - maxLines + 1
		out = append(out[:maxLines-1], fmt.Sprintf("... %d more lines (terraform show <plan> has them all)", more))
	}
	return out
}

package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
)

// width is where the demo wraps its own prose.
const width = 100

// maskedKey stands for a key string in the demo's output.
const maskedKey = "(key string hidden by the demo)"

// printer writes the demo's output: headings, prose, Terraform's text set
// off by a bar, and checks, with every secret it knows masked.
type printer struct {
	w       io.Writer
	total   int      // steps in the walk, for the headings
	secrets []string // never printed
}

// hide adds secrets to those the printer masks.
func (p *printer) hide(secrets ...string) {
	for _, s := range secrets {
		if s != "" && !slices.Contains(p.secrets, s) {
			p.secrets = append(p.secrets, s)
		}
	}
}

// line prints one line with every known secret masked: Terraform shows some
// key strings in clear (the echo stand-in's state, for one).
func (p *printer) line(s string) {
	for _, secret := range p.secrets {
		s = strings.ReplaceAll(s, secret, maskedKey)
	}
	_, _ = fmt.Fprintln(p.w, s)
}

func (p *printer) heading(n int, title string) {
	head := fmt.Sprintf("== Step %d/%d: %s ", n, p.total, title)
	p.line("")
	p.line(head + strings.Repeat("=", max(3, width-len(head))))
}

// wrapped prints text wrapped, after first and then as many spaces.
func (p *printer) wrapped(first, text string) {
	for i, l := range wrap(text, width-len(first)) {
		if i > 0 {
			first = strings.Repeat(" ", len(first))
		}
		p.line(first + l)
	}
}

// para prints the demo's prose; note, a remark of its own among Terraform's text.
func (p *printer) para(text string) { p.wrapped("  ", text) }
func (p *printer) note(text string) { p.wrapped("  -> ", text) }

// terraform prints what a terraform command showed: text, warnings, errors.
func (p *printer) terraform(cmd string, text []string, diags []tfjson.Diagnostic) {
	p.line("  $ " + cmd)
	for _, l := range text {
		p.line(strings.TrimRight("  | "+l, " "))
	}
	for _, d := range diags {
		label := map[tfjson.DiagnosticSeverity]string{tfjson.DiagnosticSeverityError: "Error"}[d.Severity]
		p.line(fmt.Sprintf("  | %s: %s", cmp.Or(label, "Warning"), d.Summary))
		for _, l := range wrap(d.Detail, width-8) {
			p.line("  |     " + l)
		}
	}
}

// summary prints the table that ends the run.
func (p *printer) summary(results []*stepResult, elapsed time.Duration) {
	head := fmt.Sprintf("== Summary (the simulator, %s) ", elapsed.Round(100*time.Millisecond))
	p.line("")
	p.line(head + strings.Repeat("=", max(3, width-len(head))))
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "#\tstep\tplan\tAPI writes\ttime\tresult")
	for _, r := range results {
		plan, writes, elapsed := "-", "-", "-"
		if r.Status != "skipped" {
			plan, writes, elapsed = r.Plan, r.Writes, r.Elapsed.Round(100*time.Millisecond).String()
		}
		_, _ = fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.N, r.Title, plan, writes, elapsed, r.Status)
	}
	_ = tw.Flush()
	for _, l := range strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n") {
		p.line("  " + l)
	}
}

// maxPlanLines is how much of a plan the demo shows: what a person reads in one go.
const maxPlanLines = 30

// trimPlan keeps what a person reads of `terraform show`: the changes, the
// summary line and the outputs, without the paragraphs of legend and advice.
func trimPlan(text string, maxLines int) []string {
	boilerplate := []string{"Terraform ", "This is a refresh-only plan", "You can apply this plan"}
	var out []string
	skipping, blank := false, false
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			skipping, blank = false, len(out) > 0
			continue
		}
		skipping = skipping || slices.ContainsFunc(boilerplate, func(b string) bool { return strings.HasPrefix(t, b) })
		if skipping || strings.HasPrefix(t, "─") {
			continue
		}
		if blank {
			out, blank = append(out, ""), false
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	if len(out) > maxLines {
		more := len(out) - maxLines + 1
		out = append(out[:maxLines-1], fmt.Sprintf("... %d more lines (terraform show <plan> has them all)", more))
	}
	return out
}

// wrap breaks text into lines of at most n characters, keeping its own breaks.
func wrap(text string, n int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			switch {
			case line == "":
				line = w
			case len(line)+1+len(w) > n:
				out, line = append(out, line), w
			default:
				line += " " + w
			}
		}
		out = append(out, line)
	}
	return out
}

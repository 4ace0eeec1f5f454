package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
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

// para prints prose, wrapped.
func (p *printer) para(text string) {
	for _, l := range wrap(text, width-2) {
		p.line("  " + l)
	}
}

// note prints a remark of the demo's own, set off from Terraform's text.
func (p *printer) note(text string) {
	for i, l := range wrap(text, width-6) {
		p.line(map[bool]string{true: "  -> ", false: "     "}[i == 0] + l)
	}
}

// terraform prints what a terraform command showed: its text, then its
// warnings and errors, each warning as its title and first sentence.
func (p *printer) terraform(cmd string, text []string, diags []tfjson.Diagnostic) {
	p.line("  $ " + cmd)
	for _, l := range text {
		p.line(strings.TrimRight("  | "+l, " "))
	}
	for _, d := range diags {
		label, detail := "Warning", firstSentence(d.Detail)
		if d.Severity == tfjson.DiagnosticSeverityError {
			label, detail = "Error", d.Detail
		}
		p.line(fmt.Sprintf("  | %s: %s", label, d.Summary))
		for _, l := range wrap(detail, width-8) {
			p.line("  |     " + l)
		}
	}
}

func (p *printer) check(what string, err error) {
	switch {
	case err != nil:
		p.line(fmt.Sprintf("  [FAIL] %s: %v", what, err))
	case what != "step":
		p.line("  [ok]   " + what)
	}
}

// summary prints the table that ends the run.
func (p *printer) summary(label string, results []*stepResult, elapsed time.Duration) {
	p.line("")
	p.line(fmt.Sprintf("== Summary (%s, %s) %s", label, elapsed.Round(100*time.Millisecond),
		strings.Repeat("=", max(3, width-30-len(label)))))
	rows := [][]string{{"#", "step", "plan", "API writes", "time", "result"}}
	for _, r := range results {
		row := []string{fmt.Sprint(r.N), r.Title, "-", "-", "-", r.Status}
		if r.Status != "skipped" {
			row[2], row[3], row[4] = r.Plan, r.Writes, r.Elapsed.Round(100*time.Millisecond).String()
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row[:len(row)-1] {
			b.WriteString(c + strings.Repeat(" ", widths[i]-len(c)+2))
		}
		p.line("  " + b.String() + row[len(row)-1])
	}
}

// maxPlanLines is how much of a plan the demo shows: what a person reads in
// one go. The saved plan has the rest.
const maxPlanLines = 30

// planBoilerplate starts the paragraphs of `terraform show` that the demo
// leaves out: the legend, advice, separators.
var planBoilerplate = []string{
	"Terraform used the selected providers", "Terraform will perform the following actions:",
	"Terraform detected the following changes made outside", "This is a refresh-only plan",
	"You can apply this plan to save these new output values", "Note: You didn't use the -out option",
	"Terraform has compared your real infrastructure", "Saved the plan to:", "To perform exactly these actions",
	"terraform apply \"",
}

// trimPlan keeps the part of `terraform show` a person reads: the resource
// changes, the summary line and the outputs, at most maxLines of them.
func trimPlan(text string, maxLines int) []string {
	var out []string
	skipping, blank := false, false
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			skipping, blank = false, len(out) > 0
			continue
		}
		skipping = skipping || slices.ContainsFunc(planBoilerplate, func(b string) bool { return strings.HasPrefix(t, b) })
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

// firstSentence keeps a diagnostic's detail short: its first sentence.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// wrap breaks text into lines of at most n characters (longer words stay
// whole); it keeps the text's own line breaks.
func wrap(text string, n int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		line := words[0]
		for _, w := range words[1:] {
			if len(line)+1+len(w) > n {
				out, line = append(out, line), w
				continue
			}
			line += " " + w
		}
		out = append(out, line)
	}
	return out
}

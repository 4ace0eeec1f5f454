package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// width is where the demo wraps its own prose.
const width = 100

// printer writes the demo's output: headings, prose, Terraform's text set
// off by a bar, and checks.
type printer struct {
	w       io.Writer
	total   int      // steps in the walk, for the headings
	secrets []string // key strings the demo has seen: never printed
}

// hide adds a key string to those the printer masks.
func (p *printer) hide(secret string) {
	if secret != "" && !slices.Contains(p.secrets, secret) {
		p.secrets = append(p.secrets, secret)
	}
}

// line prints one line with every known key string masked: Terraform shows
// some of them in clear (the echo stand-in's state, for one).
func (p *printer) line(s string) {
	for _, secret := range p.secrets {
		s = strings.ReplaceAll(s, secret, maskedKey)
	}
	_, _ = fmt.Fprintln(p.w, s)
}

// maskedKey stands for a key string in the demo's output.
const maskedKey = "(key string hidden by the demo)"

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
		if i == 0 {
			p.line("  -> " + l)
		} else {
			p.line("     " + l)
		}
	}
}

// terraform prints what a terraform command showed: its text and its
// warnings and errors, each warning as its title and first sentence.
func (p *printer) terraform(cmd string, text []string, diags []diagnostic) {
	p.line("  $ " + cmd)
	for _, l := range text {
		if strings.TrimSpace(l) == "" {
			p.line("  |")
			continue
		}
		p.line("  | " + l)
	}
	for _, d := range diags {
		label := "Warning"
		if d.Severity == "error" {
			label = "Error"
		}
		p.line(fmt.Sprintf("  | %s: %s", label, d.Summary))
		detail := d.Detail
		if d.Severity != "error" {
			detail = firstSentence(detail)
		}
		for _, l := range wrap(detail, width-8) {
			p.line("  |     " + l)
		}
	}
}

func (p *printer) check(what string, err error) {
	if err != nil {
		p.line(fmt.Sprintf("  [FAIL] %s: %v", what, err))
		return
	}
	p.line("  [ok]   " + what)
}

// summary prints the table that ends the run.
func (p *printer) summary(label string, results []*stepResult, elapsed time.Duration) {
	p.line("")
	p.line(fmt.Sprintf("== Summary (%s, %s) %s", label, elapsed.Round(100*time.Millisecond),
		strings.Repeat("=", max(3, width-30-len(label)))))
	rows := [][]string{{"#", "step", "plan", "API writes", "time", "result"}}
	for _, r := range results {
		plan, writes, took := r.Plan, r.Writes, r.Elapsed.Round(100*time.Millisecond).String()
		if r.Status == "skipped" {
			plan, writes, took = "", "", ""
		}
		rows = append(rows, []string{fmt.Sprint(r.N), r.Title, orDash(plan), orDash(writes), orDash(took), r.Status})
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row {
			if i == len(row)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c + strings.Repeat(" ", widths[i]-len(c)+2))
		}
		p.line("  " + b.String())
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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
				out = append(out, line)
				line = w
				continue
			}
			line += " " + w
		}
		out = append(out, line)
	}
	return out
}

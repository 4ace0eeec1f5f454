package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// sectionHeading starts the README section that make bench owns.
const sectionHeading = "## Benchmarks"

// report is everything one run measured.
type report struct {
	Env       string // terraform, Go, platform
	CPUs      int
	Tiny      bool
	Release   bool   // built as a release: -trimpath, CGO_ENABLED=0
	WallLogin string // how the wall-time configurations log in

	// CPUs that other processes kept busy on average during the run (-1: unknown)
	OtherCPUs float64

	Calls   []callRow
	Wall    []wallRow
	Rate    []rateRow
	Startup []startupRow
}

// Markdown renders the README section, heading included.
func (r *report) Markdown() string {
	var b strings.Builder
	b.WriteString(sectionHeading + "\n\n")
	b.WriteString("`make bench` (`internal/bench`) builds the provider, runs the real `terraform` " +
		"against it and against an in-process simulator of the API, and rewrites this section. Measured with " + r.Env)
	if r.OtherCPUs >= 0 {
		fmt.Fprintf(&b, "; other processes kept %.2f CPUs busy on average meanwhile", r.OtherCPUs)
	}
	b.WriteString(".")
	if r.OtherCPUs > 0.25 {
		b.WriteString(" With other work competing for the CPUs, wall times are noisy; the CPU ratios, less so.")
	}
	if r.Tiny {
		b.WriteString(" **Tiny run** (one organization, one repetition): it checks the machinery; its figures mean little.")
	}
	b.WriteString("\n\n")
	r.callsMarkdown(&b)
	r.wallMarkdown(&b)
	r.rateMarkdown(&b)
	r.startupMarkdown(&b)
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func (r *report) callsMarkdown(b *strings.Builder) {
	if len(r.Calls) == 0 {
		return
	}
	b.WriteString("### API calls per operation\n\n")
	b.WriteString("Counted by the simulator for one `terraform` command on one organization. The floor is one login per " +
		"provider process that needs the API, plus the calls the operation needs: a refresh needs one list, an edit, " +
		"a rotation and a delete one write each. Terraform starts a provider process of its own for the schema and for " +
		"every walk (validate, plan, apply; destroy adds a refresh-only plan), so an apply logs in twice; the processes " +
		"that need no API call make none. Logins are `POST /auth` (legacy) or token requests (OneAPI).\n\n")
	b.WriteString("| operation | login | provider processes (by walk) | logins | lists | writes | calls | floor | above the floor |\n")
	b.WriteString("|---|---|---|--:|--:|---|--:|--:|---|\n")
	var reasons []string
	for _, c := range r.Calls {
		var walks []string
		for _, w := range c.Walks {
			walks = append(walks, fmt.Sprintf("%s %d", w.Walk, w.N))
		}
		var writes []string
		for _, op := range []simulator.Op{simulator.OpEdit, simulator.OpRegenerate, simulator.OpAdd, simulator.OpDelete} {
			if n := c.Calls[op]; n > 0 {
				writes = append(writes, fmt.Sprintf("%d %s", n, op))
			}
		}
		above := "—"
		if ex := c.excess(); len(ex) > 0 {
			above = strings.Join(ex, ", ")
			for _, op := range countedOps {
				if why := callReasons[c.Op][op]; why != "" && c.count(op) > callFloors[c.Op][op] {
					reasons = appendUnique(reasons, fmt.Sprintf("%s, %s: %s.", c.Op, op, why))
				}
			}
		}
		if c.RateLimited > 0 {
			above += fmt.Sprintf(" (%d × 429)", c.RateLimited)
		}
		fmt.Fprintf(b, "| %s | %s | %d (%s) | %d | %d | %s | %d | %d | %s |\n", c.Op, c.Mode, c.Processes,
			strings.Join(walks, ", "), c.loginCalls(), c.Calls[simulator.OpList], orDash(strings.Join(writes, ", ")),
			c.total(), floorTotal(c.Op), above)
	}
	b.WriteString("\n")
	for _, why := range reasons {
		b.WriteString("- " + why + "\n")
	}
	if len(reasons) > 0 {
		b.WriteString("\n")
	}
}

func (r *report) wallMarkdown(b *strings.Builder) {
	if len(r.Wall) == 0 {
		return
	}
	b.WriteString("### Wall time\n\n")
	b.WriteString("One provider alias and one key per organization, " + r.WallLogin + " login. `plan` has nothing to do (a refresh of " +
		"every key); `apply` edits every key. Times are medians (min–max) of the repetitions, each a whole `terraform` " +
		"command; ratios are the median (min–max) of per-repetition ratios, the variants run back to back in turn. " +
		"The do-nothing provider (`internal/bench/nullprovider`, a minimal framework provider that takes the same " +
		"configuration) is the floor that Terraform's plugin machinery sets; with latency the round trips the command " +
		"cannot avoid are added to its time: per resource a login and a list in the plan walk, and a login and an edit " +
		"in the apply walk, ten resources at a time (Terraform's default parallelism). CPU is that of `terraform` and " +
		"its provider processes. `terraform_data` in place of ours is Terraform alone.\n\n")
	b.WriteString("| command | orgs | latency | cloudconnector | do-nothing | `terraform_data` | ÷ do-nothing (+ round trips) | goal | CPU ÷ do-nothing | ÷ `terraform_data` |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var missed []string
	for _, w := range r.Wall {
		m, lo, hi := w.ratio(varNull)
		tm, tlo, thi := w.ratio(varTFData)
		ref := times(w.Times[varNull])
		if fw := w.floorWait(); fw > 0 {
			ref += " + " + fmtDuration(fw)
		}
		verdict := "met"
		if m > w.goal() {
			verdict = "**missed**"
			missed = append(missed, fmt.Sprintf("%s, %d orgs, latency %s", w.Cmd, w.Orgs, fmtDuration(w.Latency)))
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s | %.2f× (%.2f–%.2f) | ≤ %.2f× %s | %.2f× | %.1f× (%.1f–%.1f) |\n",
			w.Cmd, w.Orgs, fmtDuration(w.Latency), times(w.Times[varOurs]), ref, times(w.Times[varTFData]),
			m, lo, hi, w.goal(), verdict, w.cpuRatio(), tm, tlo, thi)
	}
	b.WriteString("\n")
	if len(missed) > 0 {
		b.WriteString("Goals missed: " + strings.Join(missed, "; ") + ".\n\n")
	}
	r.floorMarkdown(b)
}

// floorMarkdown shows how far a provider lowers the do-nothing floor by
// turning the SDK's log output off, as cloudconnector's main.go does.
func (r *report) floorMarkdown(b *strings.Builder) {
	var rows []wallRow
	for _, w := range r.Wall {
		if len(w.Times[varNullQuiet]) > 0 {
			rows = append(rows, w)
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("#### Lowering the floor\n\n")
	b.WriteString("Without `TF_LOG`, Terraform discards whatever a provider logs, yet the SDK logs every RPC at TRACE " +
		"as JSON and Terraform decodes each line. cloudconnector's `main.go` turns the SDK's log output off when no " +
		"`TF_LOG*` variable is set; the same done to the do-nothing provider:\n\n")
	b.WriteString("| command | orgs | do-nothing | do-nothing, SDK logs off | ÷ | CPU ÷ |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|\n")
	for _, w := range rows {
		m, lo, hi := w.paired(w.Times[varNullQuiet], w.Times[varNull], false)
		cm, _, _ := w.paired(w.CPU[varNullQuiet], w.CPU[varNull], false)
		fmt.Fprintf(b, "| %s | %d | %s | %s | %.2f× (%.2f–%.2f) | %.2f× |\n", w.Cmd, w.Orgs,
			times(w.Times[varNull]), times(w.Times[varNullQuiet]), m, lo, hi, cm)
	}
	b.WriteString("\n")
}

func (r *report) rateMarkdown(b *strings.Builder) {
	if len(r.Rate) == 0 {
		return
	}
	b.WriteString("### Rate limits\n\n")
	b.WriteString("Work in one organization that meets the documented per-second limits, with the provider's defaults " +
		"(client-side pacing, 5 retries). Goal: within 1.2× of the least time the limits allow, and no 429.\n\n")
	b.WriteString("| work | limit | took | least the limits allow | ratio | 429s met | calls | note |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|---|\n")
	for _, x := range r.Rate {
		limited := fmt.Sprint(x.RateLimited)
		if x.ByOp != "" {
			limited += " (" + x.ByOp + ")"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %.2f× | %s | %d | %s |\n", x.Work, x.Limit, fmtDuration(x.Took),
			fmtDuration(x.Least), x.ratio(), limited, x.Calls, orDash(x.Note))
	}
	b.WriteString("\n")
}

func (r *report) startupMarkdown(b *strings.Builder) {
	if len(r.Startup) == 0 {
		return
	}
	b.WriteString("### Start-up and size\n\n")
	b.WriteString("Time from process start to the handshake line (when Terraform can talk to the provider), median " +
		"(min–max), started as Terraform starts it (magic cookie, protocol 6, and a client certificate, so that the " +
		"provider makes its own mTLS certificate) and without the certificate; package init is the sum of Go's package " +
		"initialisers (`GODEBUG=inittrace=1`).")
	if r.Release {
		b.WriteString(" Built with `-trimpath` and `CGO_ENABLED=0`, as released,")
	} else {
		b.WriteString(" Built with the local Go defaults,")
	}
	b.WriteString(" with and without `-ldflags \"-s -w\"`.\n\n")
	b.WriteString("| binary | `-s -w` | size | serving after | without mTLS | package init |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|\n")
	for _, s := range r.Startup {
		strip := "no"
		if s.Stripped {
			strip = "yes"
		}
		fmt.Fprintf(b, "| %s | %s | %.1f MB | %s | %s | %s, %d packages |\n", s.Binary, strip, float64(s.Size)/1e6,
			times(s.Serving), times(s.NoTLS), times(s.Init), s.Inits)
	}
	b.WriteString("\n")
	ours, null := r.startupOf(varOurs, true), r.startupOf(varNull, true)
	if ours == nil || null == nil {
		return
	}
	fmt.Fprintf(b, "Of cloudconnector's %s to serving, %s is go-plugin setting up mTLS, mostly making the server's "+
		"certificate (an ECDSA P-521 key), because Terraform sends a client certificate and expects one back: every "+
		"provider pays it in every process, and none can skip it. Package init (%s) is the SDK's protobuf and gRPC registries, as in the "+
		"do-nothing provider (%s). cloudconnector's own code adds %.1f MB to the binary.",
		fmtDuration(medianDuration(ours.Serving)), fmtDuration(max(medianDuration(ours.Serving)-medianDuration(ours.NoTLS), 0)),
		fmtDuration(medianDuration(ours.Init)), fmtDuration(medianDuration(null.Init)), float64(ours.Size-null.Size)/1e6)
	if full := r.startupOf(varOurs, false); full != nil {
		fmt.Fprintf(b, " `-s -w` (as released) saves %.1f MB; the symbols it drops are never loaded, so start-up does not change.",
			float64(full.Size-ours.Size)/1e6)
	}
	b.WriteString("\n\n")
}

// startupOf is the start-up row of binary, stripped or not, or nil.
func (r *report) startupOf(binary string, stripped bool) *startupRow {
	for i := range r.Startup {
		if r.Startup[i].Binary == binary && r.Startup[i].Stripped == stripped {
			return &r.Startup[i]
		}
	}
	return nil
}

// times renders a median with its range.
func times(ds []time.Duration) string {
	if len(ds) == 0 {
		return "—"
	}
	lo, hi := ds[0], ds[0]
	for _, d := range ds {
		lo, hi = min(lo, d), max(hi, d)
	}
	if len(ds) == 1 {
		return fmtDuration(ds[0])
	}
	return fmt.Sprintf("%s (%s–%s)", fmtDuration(medianDuration(ds)), fmtDuration(lo), fmtDuration(hi))
}

// fmtDuration rounds to what a wall-clock figure can tell.
func fmtDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// updateREADME replaces the Benchmarks section of the file at path with
// section, or appends it at the end when there is none. Everything outside
// the section stays byte for byte as it was.
func updateREADME(path, section string) error {
	old, err := os.ReadFile(path) //nolint:gosec // the README the caller names (-readme)
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(spliceSection(string(old), section)), info.Mode().Perm()) //nolint:gosec // as above
}

// spliceSection puts section in place of doc's Benchmarks section: from its
// heading line to the next level-2 heading, or to the end.
func spliceSection(doc, section string) string {
	section = strings.TrimRight(section, "\n") + "\n"
	start := -1
	if strings.HasPrefix(doc, sectionHeading+"\n") {
		start = 0
	} else if i := strings.Index(doc, "\n"+sectionHeading+"\n"); i >= 0 {
		start = i + 1
	}
	if start < 0 {
		doc = strings.TrimRight(doc, "\n")
		if doc == "" {
			return section
		}
		return doc + "\n\n" + section
	}
	rest := doc[start+len(sectionHeading)+1:]
	end := len(doc)
	for off := 0; off < len(rest); {
		line, _, _ := strings.Cut(rest[off:], "\n")
		if strings.HasPrefix(line, "## ") {
			end = start + len(sectionHeading) + 1 + off
			break
		}
		off += len(line) + 1
	}
	tail := doc[end:]
	if tail != "" {
		section += "\n"
	}
	return doc[:start] + section + tail
}

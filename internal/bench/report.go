package main

import (
	"cmp"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// report is everything one run measured; report.md.tmpl renders it as
// BENCHMARKS.md, calling the methods below for the tables' rows.
type report struct {
	Env       string  // terraform, Go, platform, processor
	Tiny      bool    // a machinery check: the figures mean little
	Profiled  bool    // built with the profiler (BENCH_CPUPROFILE): not as released
	OtherCPUs float64 // CPUs other processes kept busy on average meanwhile
	Calls     []callRow
	Wall      []wallRow
	Rate      rateRow
	Startup   []startupRow
}

//go:embed report.md.tmpl
var reportText string

var reportTemplate = template.Must(template.New("BENCHMARKS.md").Funcs(template.FuncMap{
	"join": strings.Join, "dur": fmtDuration, "times": times, "mb": func(size int64) float64 { return float64(size) / 1e6 },
}).Parse(reportText))

// Markdown renders BENCHMARKS.md.
func (r *report) Markdown() (string, error) {
	var b strings.Builder
	err := reportTemplate.Execute(&b, r)
	return b.String(), err
}

// Latency is how late the API answers in the latency rows.
func (r *report) Latency() string { return fmtDuration(latency) }

// CallTable is the calls table's rows.
func (r *report) CallTable() [][]string {
	var rows [][]string
	for _, c := range r.Calls {
		above := cmp.Or(strings.Join(c.excess(), ", "), "—")
		if c.RateLimited > 0 {
			above += fmt.Sprintf(" (%d × 429)", c.RateLimited)
		}
		rows = append(rows, []string{c.Op, c.Mode, fmt.Sprint(c.Processes), callText(c.count),
			callText(func(op simulator.Op) int { return callFloors[c.Op][op] }), above})
	}
	return rows
}

// callText renders calls by kind, in countedOps order: "2 login, 1 list, 1 edit".
func callText(count func(simulator.Op) int) string {
	var parts []string
	for _, op := range countedOps {
		if n := count(op); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, op))
		}
	}
	return strings.Join(parts, ", ")
}

// CallReasons explain the excess calls that the measurement shows, once each.
func (r *report) CallReasons() []string {
	var out []string
	for _, c := range r.Calls {
		if why := c.Op + ": " + callReasons[c.Op] + "."; callReasons[c.Op] != "" && len(c.excess()) > 0 && !slices.Contains(out, why) {
			out = append(out, why)
		}
	}
	return out
}

// WallTable is the wall-time table's rows.
func (r *report) WallTable() [][]string {
	var rows [][]string
	for _, w := range r.Wall {
		m, lo, hi := w.ratio(w.Wall, true)
		c, clo, chi := w.ratio(w.CPU, false)
		floor := times(w.Wall[null])
		if fw := w.floorWait(); fw > 0 {
			floor += " + " + fmtDuration(fw)
		}
		goal := fmt.Sprintf("≤ %.2f×", w.goal())
		if w.Latency > 0 {
			goal += " (wall)"
		}
		if ms := w.misses(); len(ms) > 0 {
			goal += ": **missed** (" + strings.Join(ms, ", ") + ")"
		} else {
			goal += ": met"
		}
		rows = append(rows, []string{w.Cmd, fmt.Sprint(w.Orgs), w.Login, fmtDuration(w.Latency), fmt.Sprint(len(w.Wall[ours])),
			times(w.Wall[ours]), floor, fmt.Sprintf("%.2f× (%.2f–%.2f)", m, lo, hi),
			fmtDuration(median(w.CPU[ours])) + " / " + fmtDuration(median(w.CPU[null])), fmt.Sprintf("%.2f× (%.2f–%.2f)", c, clo, chi), goal})
	}
	return rows
}

// Missed names the wall-time rows that missed their goal.
func (r *report) Missed() []string {
	var out []string
	for _, w := range r.Wall {
		if len(w.misses()) > 0 {
			out = append(out, w.describe())
		}
	}
	return out
}

// times renders a median with its range.
func times(ds []time.Duration) string {
	switch len(ds) {
	case 0:
		return "—"
	case 1:
		return fmtDuration(ds[0])
	}
	return fmt.Sprintf("%s (%s–%s)", fmtDuration(median(ds)), fmtDuration(slices.Min(ds)), fmtDuration(slices.Max(ds)))
}

// fmtDuration rounds to what a wall-clock figure can tell. Each bound sits
// where the finer format would round up to it (999.6 ms is "1.00 s", not
// "1000 ms").
func fmtDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d >= 10*time.Second-5*time.Millisecond:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second-500*time.Microsecond:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond-50*time.Microsecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

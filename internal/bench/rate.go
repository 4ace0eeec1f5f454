package main

import (
	"context"
	"fmt"
	"time"
)

// rateRow is `terraform apply` of an edit, run n times in a row in one
// organization: a provider process per walk, each pacing only its own calls,
// against the documented limits (edit: 1/s, list: 2/s).
type rateRow struct {
	Applies     int
	First, Took time.Duration // the first timed apply; all of them
	Least       time.Duration // the least time the limits allow
	RateLimited int           // 429s the simulator answered
	Calls       int
}

// Ratio is how much longer the applies took than the limits require.
func (r rateRow) Ratio() float64 { return float64(r.Took) / float64(max(r.Least, 1)) }

// ratePhase runs the applies. The take-over (the first apply) is not timed:
// then the simulator's clock moves past its rate windows.
func (b *bench) ratePhase(ctx context.Context) (rateRow, error) {
	r := rateRow{Applies: 4}
	if b.opts.Tiny {
		r.Applies = 2
	}
	sim, err := startSimulator("rate")
	if err != nil {
		return r, err
	}
	defer func() { _ = sim.Close() }()
	org := sim.Organization("rate")
	for i := range r.Applies + 1 {
		dir, err := b.workdir("rate", terraformBlock(ours)+providerBlock(sim, org, sim.URL(), "", false)+
			fmt.Sprintf("resource \"cloudconnector_api_key\" \"this\" {\n  key = \"RateApply%03d\"\n}\n", i))
		if err != nil {
			return r, err
		}
		if i == 1 {
			sim.Advance(time.Minute)
			sim.ResetCounts()
		}
		_, d, _, err := b.terraform(ctx, dir, nil, applyArgs...)
		if err != nil {
			return r, err
		}
		if i == 1 {
			r.First = d
		}
		if i > 0 {
			r.Took += d
		}
	}
	// The edits must be a second apart, and no apply can be quicker than the
	// first timed one, which met no limit.
	r.Least = max(time.Duration(r.Applies)*r.First, time.Duration(r.Applies-1)*time.Second+r.First)
	c := org.Counts()
	r.RateLimited = c.Status[429]
	for _, n := range c.Calls {
		r.Calls += n
	}
	b.logf("%d applies of an edit in a row: %s, least %s (%.2f×), %d calls, %d 429s", r.Applies,
		fmtDuration(r.Took), fmtDuration(r.Least), r.Ratio(), r.Calls, r.RateLimited)
	return r, nil
}

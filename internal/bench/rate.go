package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// rateRow is one piece of work that meets a documented rate limit.
type rateRow struct {
	Work, Limit string
	Least, Took time.Duration // the least time the limits allow; what it took
	RateLimited int           // 429s the simulator answered
	ByOp        string        // the calls not answered 2xx, by op: "edit 1, list 2"
	Calls       int
	Note        string
}

func (r rateRow) ratio() float64 { return float64(r.Took) / float64(max(r.Least, 1)) }

// ratePhase meets the per-second limits of one organization each: edits
// and lists in a row through one client (one provider process, with the
// provider's 5 retries), and applies in a row through terraform (a provider
// process per walk, none knowing when the previous one called).
func (b *bench) ratePhase(ctx context.Context) ([]rateRow, error) {
	sim, err := startSimulator("edits", "lists", "terraform")
	if err != nil {
		return nil, err
	}
	defer func() { _ = sim.Close() }()
	var rows []rateRow
	add := func(r rateRow, org string) {
		c := sim.Organization(org).Counts()
		var refused []string
		for _, op := range []simulator.Op{simulator.OpLogin, simulator.OpList, simulator.OpEdit} {
			if n := c.Calls[op] - c.OK[op]; n > 0 {
				refused = append(refused, fmt.Sprintf("%s %d", op, n))
			}
		}
		r.RateLimited, r.ByOp, r.Calls = c.Status[429], strings.Join(refused, ", "), totalCalls(c)
		b.logf("%-45s took %s, least %s (%.2fx), %d calls, %d 429s", r.Work, r.Took.Round(time.Millisecond),
			r.Least.Round(time.Millisecond), r.ratio(), r.Calls, r.RateLimited)
		rows = append(rows, r)
	}

	clientOf := func(org string) (*client.Client, error) {
		o := sim.Organization(org)
		k, _ := o.Key()
		return client.New(client.Config{BaseURL: sim.LegacyBaseURL(), Username: o.Config().Username,
			Password: o.Config().Password, APIKey: k.Value, MaxRetries: 5})
	}

	n := b.opts.RateEdits
	c, err := clientOf("edits")
	if err != nil {
		return nil, err
	}
	key, _, err := c.OrganizationKey(ctx) // logs in: not part of the timed work
	if err != nil {
		return nil, err
	}
	sim.ResetCounts()
	start := time.Now()
	for i := range n {
		if _, err := c.EditAPIKey(ctx, key.ID, fmt.Sprintf("RateEdit%04d", i)); err != nil {
			return nil, err
		}
	}
	add(rateRow{Work: fmt.Sprintf("%d edits in a row, one client", n), Limit: "edit: 1/s",
		Least: time.Duration(n-1) * time.Second, Took: time.Since(start)}, "edits")
	_ = c.Close(ctx) // its logout is not part of the work

	n = b.opts.RateLists
	if c, err = clientOf("lists"); err != nil {
		return nil, err
	}
	start = time.Now()
	for range n {
		if _, _, err := c.OrganizationKey(ctx); err != nil {
			return nil, err
		}
	}
	add(rateRow{Work: fmt.Sprintf("%d lists in a row, one client", n), Limit: "list: 2/s",
		Least: time.Duration((n-1)/2) * time.Second, Took: time.Since(start), Note: "the first list logs in"}, "lists")
	_ = c.Close(ctx)

	// Applies of an edit in a row. The take-over (the first apply) is not
	// timed: its own pace history, and the simulator's clock moved past its
	// windows; the timed applies share one pace history, as a user's do.
	n = b.opts.RateApplies
	org := sim.Organization("terraform")
	dir, err := b.workdir("rate", "")
	if err != nil {
		return nil, err
	}
	var first, took time.Duration
	pace := b.freshPace()
	for i := range n + 1 {
		text := terraformBlock(ourSource) + providerBlock("", org, simEndpoint(sim), false) +
			fmt.Sprintf("resource \"cloudconnector_api_key\" \"this\" {\n  key = \"RateApply%03d\"\n}\n", i)
		if err := writeConfig(dir, text); err != nil {
			return nil, err
		}
		if i == 1 {
			sim.Advance(time.Minute)
			sim.ResetCounts()
			pace = b.freshPace()
		}
		tf, err := b.terraform(ctx, dir, pace)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		if err := tf.Apply(ctx); err != nil {
			return nil, err
		}
		if d := time.Since(start); i > 0 {
			first, took = cmp.Or(first, d), took+d
		}
	}
	// The edits must be a second apart; no apply can be quicker than the
	// first timed one, which met no limit.
	add(rateRow{Work: fmt.Sprintf("%d `terraform apply` of an edit in a row", n), Limit: "edit: 1/s; list: 2/s",
		Least: max(time.Duration(n)*first, time.Duration(n-1)*time.Second+first), Took: took,
		Note: fmt.Sprintf("least: %d × the first apply (%s), or the edits a second apart", n, first.Round(time.Millisecond))}, "terraform")
	return rows, nil
}

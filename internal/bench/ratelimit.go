package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// providerMaxRetries is the provider's default max_retries, which the
// client runs here are given too.
const providerMaxRetries = 5

// rateRow is one piece of work that meets a documented rate limit.
type rateRow struct {
	Work        string
	Limit       string        // the limit it meets
	Least       time.Duration // the least time the limits allow
	Took        time.Duration
	RateLimited int    // 429s the simulator answered
	ByOp        string // the same by call, e.g. "edit 1, list 2"
	Calls       int    // API calls the simulator served
	Note        string
}

// refusedByOp lists the calls the simulator did not answer 2xx, by op: in
// these runs, the 429s.
func refusedByOp(c simulator.Counts) string {
	var parts []string
	for _, op := range []simulator.Op{simulator.OpLogin, simulator.OpToken, simulator.OpList, simulator.OpEdit,
		simulator.OpRegenerate, simulator.OpAdd, simulator.OpDelete} {
		if n := c.Calls[op] - c.OK[op]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", op, n))
		}
	}
	return strings.Join(parts, ", ")
}

func (r rateRow) ratio() float64 {
	if r.Least <= 0 {
		return 0
	}
	return float64(r.Took) / float64(r.Least)
}

// ratePhase meets the per-second limits of one organization: edits and lists
// in a row through one client (one provider process), and applies in a row
// through terraform (a provider process per walk).
func (b *bench) ratePhase(ctx context.Context) ([]rateRow, error) {
	// an organization per case, so that none inherits another's rate windows
	sim, err := simulator.New(simulator.Options{Organizations: []simulator.OrgConfig{{Name: "edits"}, {Name: "lists"}, {Name: "terraform"}}})
	if err != nil {
		return nil, err
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	defer func() { _ = sim.Close() }()

	var rows []rateRow
	for _, f := range []func(context.Context, *simulator.Simulator) (rateRow, error){b.rateEdits, b.rateLists, b.rateApplies} {
		r, err := f(ctx, sim)
		if err != nil {
			return nil, err
		}
		b.logf("%-45s took %s, least %s (%.2fx), %d calls, %d 429s", r.Work, r.Took.Round(time.Millisecond),
			r.Least.Round(time.Millisecond), r.ratio(), r.Calls, r.RateLimited)
		rows = append(rows, r)
	}
	return rows, nil
}

// simClient is a client of org as the provider makes it (pacing on, the
// provider's retries), logged in with legacy login.
func simClient(sim *simulator.Simulator, org *simulator.Organization) (*client.Client, error) {
	cfg := org.Config()
	k, _ := org.Key()
	return client.New(client.Config{
		BaseURL: sim.LegacyBaseURL(), Username: cfg.Username, Password: cfg.Password, APIKey: k.Value,
		MaxRetries: providerMaxRetries,
	})
}

func totalCalls(c simulator.Counts) int {
	n := 0
	for _, v := range c.Calls {
		n += v
	}
	return n
}

// rateEdits edits the key n times in a row: the edit limit is 1 per second.
func (b *bench) rateEdits(ctx context.Context, sim *simulator.Simulator) (rateRow, error) {
	n := b.opts.RateEdits
	org := sim.Organization("edits")
	c, err := simClient(sim, org)
	if err != nil {
		return rateRow{}, err
	}
	defer func() { _ = c.Close(ctx) }()
	key, _, err := c.OrganizationKey(ctx) // logs in: not part of the timed work
	if err != nil {
		return rateRow{}, err
	}
	sim.ResetCounts()
	start := time.Now()
	for i := range n {
		if _, err := c.EditAPIKey(ctx, key.ID, fmt.Sprintf("RateEdit%04d", i)); err != nil {
			return rateRow{}, err
		}
	}
	took := time.Since(start)
	counts := org.Counts()
	return rateRow{
		Work:  fmt.Sprintf("%d edits in a row, one client", n),
		Limit: "edit: 1/s",
		Least: time.Duration(n-1) * time.Second,
		Took:  took, RateLimited: counts.Status[429], ByOp: refusedByOp(counts), Calls: totalCalls(counts),
	}, nil
}

// rateLists lists the keys n times in a row: the list limit is 2 per second.
func (b *bench) rateLists(ctx context.Context, sim *simulator.Simulator) (rateRow, error) {
	n := b.opts.RateLists
	org := sim.Organization("lists")
	c, err := simClient(sim, org)
	if err != nil {
		return rateRow{}, err
	}
	defer func() { _ = c.Close(ctx) }()
	start := time.Now()
	for range n {
		if _, _, err := c.OrganizationKey(ctx); err != nil {
			return rateRow{}, err
		}
	}
	took := time.Since(start)
	counts := org.Counts()
	return rateRow{
		Work:  fmt.Sprintf("%d lists in a row, one client", n),
		Limit: "list: 2/s",
		Least: time.Duration((n-1)/2) * time.Second,
		Took:  took, RateLimited: counts.Status[429], ByOp: refusedByOp(counts), Calls: totalCalls(counts),
		Note: "the first list logs in",
	}, nil
}

// rateApplies runs n applies in a row, each editing the key of one
// organization: each apply is two provider processes (plan walk, apply
// walk), and no process knows when the previous one edited.
func (b *bench) rateApplies(ctx context.Context, sim *simulator.Simulator) (rateRow, error) {
	n := b.opts.RateApplies
	org := sim.Organization("terraform")
	dir, err := b.workdir("rate")
	if err != nil {
		return rateRow{}, err
	}
	gen := 0
	apply := func(pace string) (time.Duration, error) {
		gen++
		text := terraformBlock(ourSource) + providerBlock("", orgLogin(sim, org, modeLegacy)) +
			fmt.Sprintf("resource \"cloudconnector_api_key\" \"this\" {\n  key = %q\n}\n", fmt.Sprintf("RateApply%03d", gen))
		if err := writeConfig(dir, text); err != nil {
			return 0, err
		}
		start := time.Now()
		_, err := b.terraform(dir, pace).Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
		return time.Since(start), err
	}
	// The take-over is not part of the timed work: its own pace history, and
	// the simulator's clock moved past its windows.
	if _, err := apply(b.freshPace()); err != nil {
		return rateRow{}, err
	}
	sim.Advance(time.Minute)
	sim.ResetCounts()
	shared := b.freshPace() // the timed applies share one, as a user's do
	var first, took time.Duration
	for i := range n {
		d, err := apply(shared)
		if err != nil {
			return rateRow{}, err
		}
		if i == 0 {
			first = d
		}
		took += d
	}
	counts := org.Counts()
	// The edits must be a second apart; no apply can be quicker than the
	// first one, which met no limit.
	least := max(time.Duration(n)*first, time.Duration(n-1)*time.Second+first)
	return rateRow{
		Work:  fmt.Sprintf("%d `terraform apply` of an edit in a row", n),
		Limit: "edit: 1/s; list: 2/s",
		Least: least,
		Took:  took, RateLimited: counts.Status[429], ByOp: refusedByOp(counts), Calls: totalCalls(counts),
		Note: fmt.Sprintf("least: %d × the first apply (%s), or the edits a second apart", n, first.Round(time.Millisecond)),
	}, nil
}

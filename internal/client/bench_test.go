package client

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// The benchmarks measure the client against the simulator and report, from
// the simulator's Counts, how many API calls each operation costs.
//
// They run with DisablePacing: the pace would make every iteration wait for
// the real rate windows (a second per write), so the numbers would measure
// the pace, not the client. Instead the simulator's clock is advanced after
// each iteration, which keeps the server's rate limiter satisfied (and a
// 429 would show up in the calls/op metric).

// benchSim starts a simulator whose tokens outlive the advanced clock.
func benchSim(b *testing.B) *simulator.Simulator {
	b.Helper()
	return startSim(b, simulator.Options{TokenLifetime: 10000 * time.Hour})
}

func benchClient(b *testing.B, s *simulator.Simulator, mode AuthMode) *Client {
	b.Helper()
	c := simClient(b, s, mode, func(cfg *Config) { cfg.DisablePacing = true; cfg.MaxRetries = 3 })
	c.now = s.Now // login timestamps and token lifetimes follow the advanced simulator clock
	return c
}

// reportCalls turns the simulator's counts into per-iteration metrics.
func reportCalls(b *testing.B, s *simulator.Simulator, n int) {
	b.Helper()
	if n == 0 {
		return
	}
	c := s.Counts()
	total := 0
	for _, v := range c.Calls {
		total += v
	}
	per := func(v int) float64 { return float64(v) / float64(n) }
	b.ReportMetric(per(total), "calls/op")
	b.ReportMetric(per(c.Calls[simulator.OpLogin]+c.Calls[simulator.OpToken]), "logins/op")
	b.ReportMetric(per(c.Calls[simulator.OpList]), "lists/op")
	b.ReportMetric(per(c.Calls[simulator.OpEdit]), "edits/op")
	b.ReportMetric(per(c.Calls[simulator.OpRegenerate]), "regenerates/op")
	b.ReportMetric(per(c.Status[429]), "429s/op")
}

// BenchmarkClientLoginAndList is a fresh client's first call: a login and a list.
func BenchmarkClientLoginAndList(b *testing.B) {
	for _, mode := range []AuthMode{AuthLegacy, AuthOneAPI} {
		b.Run(string(mode), func(b *testing.B) {
			s := benchSim(b)
			cfg := simConfig(b, s, mode)
			cfg.DisablePacing = true
			ctx := context.Background()
			n := 0
			for b.Loop() {
				c, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				// the login timestamp must be within 2 h of the advanced simulator clock
				c.now = s.Now
				if _, _, err := c.OrganizationKey(ctx); err != nil {
					b.Fatal(err)
				}
				s.Advance(4 * time.Second) // list: 2/s and 1000/h
				n++
			}
			reportCalls(b, s, n)
		})
	}
}

// BenchmarkClientPlan is what one provider process does in a plan: make a
// client with its pace on, log in, and list once. Besides wall time it
// reports the process's CPU time per plan (cpu-ns/op), client and in-process
// simulator together.
func BenchmarkClientPlan(b *testing.B) {
	for _, mode := range []AuthMode{AuthLegacy, AuthOneAPI} {
		b.Run(string(mode), func(b *testing.B) {
			s := benchSim(b)
			cfg := simConfig(b, s, mode)
			ctx := context.Background()
			n := 0
			var cpu time.Duration
			for b.Loop() {
				before := processCPU()
				c, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				c.now = s.Now // the login timestamp must be within 2 h of the advanced simulator clock
				if _, _, err := c.OrganizationKey(ctx); err != nil {
					b.Fatal(err)
				}
				cpu += processCPU() - before
				b.StopTimer()
				s.Advance(4 * time.Second) // list: 2/s and 1000/h at the server
				n++
				b.StartTimer()
			}
			if st := s.Counts(); st.Status[429] != 0 {
				b.Fatalf("%d answers of 429: the pace let too many through", st.Status[429])
			}
			if n > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
			}
			reportCalls(b, s, n)
		})
	}
}

// BenchmarkClientEdit edits the organization key with a logged-in client.
func BenchmarkClientEdit(b *testing.B) {
	for _, mode := range []AuthMode{AuthLegacy, AuthOneAPI} {
		b.Run(string(mode), func(b *testing.B) {
			s := benchSim(b)
			c := benchClient(b, s, mode)
			ctx := context.Background()
			key, _, err := c.OrganizationKey(ctx) // logs in
			if err != nil {
				b.Fatal(err)
			}
			s.ResetCounts()
			n := 0
			for b.Loop() {
				if _, err := c.EditAPIKey(ctx, key.ID, fmt.Sprintf("Bench%07d", n)); err != nil {
					b.Fatal(err)
				}
				s.Advance(10 * time.Second) // edit: 1/s and 400/h
				n++
			}
			reportCalls(b, s, n)
		})
	}
}

// BenchmarkClientRegenerate regenerates the organization key with a logged-in client.
func BenchmarkClientRegenerate(b *testing.B) {
	for _, mode := range []AuthMode{AuthLegacy, AuthOneAPI} {
		b.Run(string(mode), func(b *testing.B) {
			s := benchSim(b)
			c := benchClient(b, s, mode)
			ctx := context.Background()
			key, _, err := c.OrganizationKey(ctx)
			if err != nil {
				b.Fatal(err)
			}
			s.ResetCounts()
			n := 0
			for b.Loop() {
				if _, err := c.RegenerateAPIKey(ctx, key.ID); err != nil {
					b.Fatal(err)
				}
				s.Advance(10 * time.Second) // regenerate: 1/s and 400/h
				n++
			}
			reportCalls(b, s, n)
		})
	}
}

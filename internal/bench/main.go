// Command bench is `make bench`: it measures what the cloudconnector provider
// costs its users against the floor that Terraform allows, and writes the
// figures into the README's "## Benchmarks" section.
//
// It builds the provider as a release is built, and a do-nothing framework
// provider (internal/bench/nullprovider) as the reference, runs the real
// terraform binary against both through dev_overrides, and counts API calls
// with an in-process simulator, so that every figure is per provider process,
// as users get it. Phases: API calls per operation; wall time of plan and
// apply for 1, 10 and 50 organizations against the do-nothing provider and
// terraform_data, with and without latency; a rate-limited run; provider
// start-up and binary size.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	opts := defaultOptions()
	flag.IntVar(&opts.Reps, "reps", opts.Reps, "repetitions of each wall-time measurement")
	flag.IntVar(&opts.RepsLarge, "reps-large", opts.RepsLarge, "repetitions for the largest organization count")
	flag.DurationVar(&opts.Latency, "latency", opts.Latency, "latency of the simulator for the second wall-time run")
	oneAPI := flag.Bool("wall-oneapi", false, "log in with OneAPI in the wall-time runs (default: legacy)")
	flag.StringVar(&opts.README, "readme", opts.README, "README to update (\"\" = none); relative to the module root")
	flag.BoolVar(&opts.Tiny, "tiny", false, "one organization, one repetition: checks the machinery, not the figures")
	flag.BoolVar(&opts.Verbose, "v", false, "log every timed command")
	flag.BoolVar(&opts.Keep, "keep", false, "keep the scratch directory (terraform logs and states)")
	flag.StringVar(&opts.Phases, "phases", "", "comma-separated subset of calls,wall,rate,startup (the README is left alone)")
	tfenv := flag.String("tfenv", "", "comma-separated KEY=value pairs added to every terraform run (experiments)")
	orgs := flag.String("orgs", "", "comma-separated organization counts for wall time (default 1,10,50; at most 50)")
	flag.Parse()
	if opts.Tiny {
		keep, phases, verbose := opts.Keep, opts.Phases, opts.Verbose
		opts = tinyOptions(opts.README)
		opts.Keep, opts.Phases, opts.Verbose = keep, phases, verbose
	}
	if *oneAPI {
		opts.WallLogin = modeOneAPI
	}
	if *tfenv != "" {
		opts.TFEnv = strings.Split(*tfenv, ",")
	}
	if *orgs != "" {
		counts, err := parseCounts(*orgs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: -orgs:", err)
			os.Exit(2)
		}
		opts.Orgs = counts
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	rep, err := run(ctx, opts, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Println(rep.Markdown())
	fmt.Printf("bench: done in %s\n", time.Since(start).Round(time.Second))
}

// parseCounts reads "1,10,50": distinct counts from 1 to 50, in rising order.
func parseCounts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 50 {
			return nil, errors.New("each count must be a number from 1 to 50")
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

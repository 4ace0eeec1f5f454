// Command simulator runs the in-memory Cloud & Branch Connector API on a loopback
// port, prints the export lines that point the provider at it, and serves until
// interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		stop()
		os.Exit(2)
	}
}

// run parses args, starts the simulator, prints the exports to stdout and serves
// until ctx ends.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("simulator", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0: a free port)")
	var cfg simulator.OrgConfig
	fs.StringVar(&cfg.Username, "username", "", "legacy admin username (default generated)")
	fs.StringVar(&cfg.Password, "password", "", "legacy admin password (default generated)")
	fs.StringVar(&cfg.APIKey, "api-key", "", "organization API key, 12 letters or digits (default generated)")
	fs.StringVar(&cfg.ClientID, "client-id", "", "OneAPI client ID (default generated)")
	fs.StringVar(&cfg.ClientSecret, "client-secret", "", "OneAPI client secret (default generated)")
	login := fs.String("login", "legacy", "which block of exports is live: legacy or oneapi")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	case *login != "legacy" && *login != "oneapi":
		return fmt.Errorf("-login must be legacy or oneapi, not %q", *login)
	}

	sim, err := simulator.New(simulator.Options{Organizations: []simulator.OrgConfig{cfg}}) // checks -api-key
	if err != nil {
		return err
	}
	if err := sim.Start(*addr); err != nil {
		return err
	}
	defer func() { _ = sim.Close() }()

	org := sim.DefaultOrganization()
	cfg = org.Config()
	key, _ := org.Key()
	legacy := []string{
		"ZTC_BASE_URL=" + shellQuote(sim.LegacyBaseURL()),
		"ZTC_USERNAME=" + shellQuote(cfg.Username),
		"ZTC_PASSWORD=" + shellQuote(cfg.Password),
		"ZTC_API_KEY=" + shellQuote(key.Value),
	}
	oneAPI := []string{
		"ZTC_BASE_URL=" + shellQuote(sim.OneAPIBaseURL()),
		"ZSCALER_CLIENT_ID=" + shellQuote(cfg.ClientID),
		"ZSCALER_CLIENT_SECRET=" + shellQuote(cfg.ClientSecret),
		"ZSCALER_VANITY_DOMAIN=simulator",
		"ZSCALER_TOKEN_URL=" + shellQuote(sim.TokenURL()),
	}
	live, other, otherName, liveVars := legacy, oneAPI, "OneAPI", "ZTC_"
	if *login == "oneapi" {
		live, other, otherName, liveVars = oneAPI, legacy, "legacy", "ZTC_ and ZSCALER_"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Cloud & Branch Connector simulator listening on %s (Ctrl-C stops it)\n", sim.URL())
	for _, l := range live {
		fmt.Fprintf(&b, "export %s\n", l)
	}
	fmt.Fprintf(&b, "# For %s login instead, unset the %s variables above and use:\n", otherName, liveVars)
	for _, l := range other {
		fmt.Fprintf(&b, "# export %s\n", l)
	}
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// shellQuote leaves plain words as they are and single-quotes anything else, so that
// the export lines can be pasted into a POSIX shell.
func shellQuote(v string) string {
	const word = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-"
	if v != "" && strings.Trim(v, word) == "" {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

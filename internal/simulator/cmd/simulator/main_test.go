package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// syncBuffer is written by run's goroutine and read by the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startRun runs the command until the test ends and returns what it printed.
func startRun(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run returned %v after cancel", err)
		}
	})
	for strings.Count(out.String(), "\n") < 11 { // go test -timeout is the only clock
		select {
		case err := <-done:
			t.Fatalf("run ended early: %v (printed %q)", err, out.String())
		default:
		}
		time.Sleep(5 * time.Millisecond)
	}
	return out.String()
}

// exports reads the export lines: live ones and commented ones, shell quoting undone.
func exports(t *testing.T, out string) (live, commented map[string]string) {
	t.Helper()
	live, commented = map[string]string{}, map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		target := live
		if rest, ok := strings.CutPrefix(line, "# export "); ok {
			target, line = commented, "export "+rest
		}
		rest, ok := strings.CutPrefix(line, "export ")
		if !ok {
			continue
		}
		k, v, _ := strings.Cut(rest, "=")
		if strings.HasPrefix(v, "'") {
			v = strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(v, "'"), "'"), `'\''`, "'")
		}
		target[k] = v
	}
	return live, commented
}

func legacyLogin(t *testing.T, env map[string]string) int {
	t.Helper()
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	obf, err := simulator.Obfuscate(env["ZTC_API_KEY"], ts)
	if err != nil {
		t.Fatalf("ZTC_API_KEY: %v", err)
	}
	body, _ := json.Marshal(map[string]string{"apiKey": obf, "username": env["ZTC_USERNAME"], "password": env["ZTC_PASSWORD"], "timestamp": ts})
	resp, err := http.Post(env["ZTC_BASE_URL"]+"/auth", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func oneAPIList(t *testing.T, env map[string]string) int {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "audience": {"https://api.zscaler.com"},
		"client_id": {env["ZSCALER_CLIENT_ID"]}, "client_secret": {env["ZSCALER_CLIENT_SECRET"]}}
	resp, err := http.PostForm(env["ZSCALER_TOKEN_URL"], form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	r, _ := http.NewRequest("GET", env["ZTC_BASE_URL"]+"/apiKeys", nil)
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestRunPrintsWorkingExports(t *testing.T) {
	out := startRun(t, "-addr", "127.0.0.1:0")
	lines := strings.Split(out, "\n")
	root, ok := strings.CutPrefix(lines[0], "# Cloud & Branch Connector simulator listening on ")
	if !ok || !strings.HasSuffix(root, " (Ctrl-C stops it)") {
		t.Fatalf("first line = %q", lines[0])
	}
	root = strings.TrimSuffix(root, " (Ctrl-C stops it)")
	if lines[5] != "# For OneAPI login instead, unset the ZTC_ variables above and use:" {
		t.Fatalf("line 6 = %q", lines[5])
	}
	live, commented := exports(t, out)
	if live["ZTC_BASE_URL"] != root+"/api/v1" || len(live) != 4 {
		t.Fatalf("live exports = %v", live)
	}
	if commented["ZTC_BASE_URL"] != root+"/ztw/api/v1" || commented["ZSCALER_TOKEN_URL"] != root+"/oauth2/v1/token" ||
		commented["ZSCALER_VANITY_DOMAIN"] != "simulator" || len(commented) != 5 {
		t.Fatalf("commented exports = %v", commented)
	}
	if status := legacyLogin(t, live); status != 200 {
		t.Fatalf("legacy login with the printed exports: %d", status)
	}
	if status := oneAPIList(t, commented); status != 200 {
		t.Fatalf("OneAPI call with the printed exports: %d", status)
	}
}

func TestRunOneAPIAndGivenCredentials(t *testing.T) {
	out := startRun(t, "-login", "oneapi", "-username", "ops@acme.example", "-password", "it's a secret", "-api-key", "AbCd12EfGh34",
		"-client-id", "acme-client", "-client-secret", "s3cr3t")
	live, commented := exports(t, out)
	if !strings.HasSuffix(live["ZTC_BASE_URL"], "/ztw/api/v1") || live["ZSCALER_CLIENT_ID"] != "acme-client" || live["ZSCALER_CLIENT_SECRET"] != "s3cr3t" || len(live) != 5 {
		t.Fatalf("live exports = %v", live)
	}
	if !strings.Contains(out, `export ZTC_PASSWORD='it'\''s a secret'`) {
		t.Fatalf("the password is not shell-quoted:\n%s", out)
	}
	if commented["ZTC_USERNAME"] != "ops@acme.example" || commented["ZTC_PASSWORD"] != "it's a secret" || commented["ZTC_API_KEY"] != "AbCd12EfGh34" {
		t.Fatalf("commented exports = %v", commented)
	}
	if !strings.Contains(out, "# For legacy login instead, unset") {
		t.Fatalf("no legacy hint:\n%s", out)
	}
	if status := oneAPIList(t, live); status != 200 {
		t.Fatalf("OneAPI call: %d", status)
	}
	if status := legacyLogin(t, commented); status != 200 {
		t.Fatalf("legacy login: %d", status)
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"-login", "saml"},
		{"-api-key", "tooShortKey"},
		{"-api-key", "has-a-dash!!"},
		{"-nope"},
		{"extra"},
		{"-addr", "256.0.0.1:0"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), args, &out)
		if err == nil {
			t.Errorf("run(%q) succeeded", args)
			continue
		}
		if strings.Contains(err.Error(), "tooShortKey") || strings.Contains(err.Error(), "has-a-dash") {
			t.Errorf("error echoes the key: %v", err)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &out); err != nil || !strings.Contains(out.String(), "-client-secret") {
		t.Fatalf("-h: %v, %q", err, out.String())
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"abc":                  "abc",
		"http://127.0.0.1:1/a": "http://127.0.0.1:1/a",
		"":                     "''",
		"a b":                  "'a b'",
		"it's":                 `'it'\''s'`,
		"$HOME":                "'$HOME'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

package client

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// countingTransport counts the body bytes the client takes from each answer,
// so that a test can tell how much of a huge answer was read.
type countingTransport struct {
	base http.RoundTripper
	read atomic.Int64 // body bytes read, all answers together
	max  atomic.Int64 // the most read from one answer
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, t: t}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	t *countingTransport
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	b.t.read.Add(int64(n))
	for {
		old := b.t.max.Load()
		if b.n <= old || b.t.max.CompareAndSwap(old, b.n) {
			break
		}
	}
	return n, err
}

// TestHugeAnswersAreReadOnlyUpToTheCap: the simulator sends 64 MiB answers
// (success, error, token); the client reads at most its cap of each, gives a
// clear error and never the body's text.
func TestHugeAnswersAreReadOnlyUpToTheCap(t *testing.T) {
	t.Parallel()
	const marker = "hostile-body-marker"
	chunk := marker + strings.Repeat(" ", 1<<20-len(marker))
	cases := []struct {
		name  string
		mode  AuthMode
		fault simulator.Fault
		cap   int64
		is    error  // nil: any error
		says  string // what the error must say
	}{
		{"64 MiB key list", AuthLegacy,
			simulator.Fault{Op: simulator.OpList, Body: "[" + chunk, BodyRepeat: 64},
			maxSuccessBody, nil, "the answer is larger than 4194304 bytes"},
		{"64 MiB HTML error page", AuthLegacy,
			simulator.Fault{Op: simulator.OpList, Status: http.StatusBadGateway, ContentType: "text/html", Body: chunk, BodyRepeat: 64, Times: -1},
			maxErrorBody, ErrServer, "text/html body larger than the client reads"},
		{"64 MiB JSON error", AuthOneAPI,
			simulator.Fault{Op: simulator.OpList, Status: http.StatusBadRequest, Body: `{"code":"X","message":"` + chunk, BodyRepeat: 64},
			maxErrorBody, ErrInvalidInput, "malformed application/json body larger than the client reads"},
		{"64 MiB token answer", AuthOneAPI,
			simulator.Fault{Op: simulator.OpToken, Body: `{"access_token":"` + chunk, BodyRepeat: 64},
			maxSuccessBody, nil, "the answer is larger than 4194304 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startSim(t, simulator.Options{})
			counter := &countingTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
			c := simClient(t, s, tc.mode, func(cfg *Config) { cfg.MaxRetries = 1 })
			c.http.Transport = counter
			s.InjectFault(tc.fault)
			_, _, err := c.OrganizationKey(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %.400v; want it to say %q", err, tc.says)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("err = %v; want it to match %v", err, tc.is)
			}
			if strings.Contains(err.Error(), marker) || len(err.Error()) > 600 {
				t.Fatalf("the error repeats the body or is too long: %.600v", err)
			}
			// io.LimitReader(cap+1) tells "larger than the cap" from "exactly the cap"
			if got := counter.max.Load(); got > tc.cap+1 {
				t.Fatalf("read %d bytes of one answer; the cap is %d", got, tc.cap)
			}
			if counter.max.Load() < tc.cap {
				t.Fatalf("read only %d bytes; the test's answer should have reached the cap %d", counter.max.Load(), tc.cap)
			}
		})
	}
}

// TestHostileWriteAnswerIsCheckedByAList: an edit answered 200 with a body
// that is not a key object (HTML, wrong types, null) happened all the same;
// a list confirms it and the edit is not sent again.
func TestHostileWriteAnswerIsCheckedByAList(t *testing.T) {
	t.Parallel()
	for _, f := range []simulator.Fault{
		{Op: simulator.OpEdit, AfterApply: true, ContentType: "text/html", Body: "<html><body>Saved</body></html>"},
		{Op: simulator.OpEdit, AfterApply: true, Body: `{"id":"1003","keyValue":12}`},
		{Op: simulator.OpEdit, AfterApply: true, Body: `null`},
		{Op: simulator.OpEdit, AfterApply: true, Body: `{"id":1003,"keyValue":"AbC`},
	} {
		s := startSim(t, simulator.Options{})
		c := simClient(t, s, AuthOneAPI, func(cfg *Config) { cfg.MaxRetries = 1 })
		ctx := t.Context()
		key, _, err := c.OrganizationKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.InjectFault(f)
		got, err := c.EditAPIKey(ctx, key.ID, "HostileEdit1")
		if err != nil || got.Value != "HostileEdit1" || got.ID != key.ID {
			t.Fatalf("%v: edit = %v, %v", f, got, err)
		}
		if n := s.Counts().Calls[simulator.OpEdit]; n != 1 {
			t.Fatalf("%v: %d edits sent; the first one went through", f, n)
		}
	}
}

package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// A write whose answer is lost after it took effect: the client lists,
// sees the change, and reports success without sending the write again.
func TestEditAnswerLostIsConfirmedByAList(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	store := &keyStore{}
	store.set(10, fakeKey)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Method == "GET" {
			writeJSON(w, 200, store.listJSON())
			return
		}
		var in struct{ KeyValue string }
		_ = json.Unmarshal(body, &in)
		store.set(10, in.KeyValue)
		dropConnection(w) // applied, but the answer never comes
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 3 })
	k, err := c.EditAPIKey(t.Context(), 10, "NewValue1234")
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	if k.ID != 10 || k.Value != "NewValue1234" {
		t.Fatalf("got %v", k)
	}
	if n := f.count("PUT", ""); n != 1 {
		t.Fatalf("%d PUTs, want 1", n)
	}
	if n := f.count("GET", ""); n != 1 {
		t.Fatalf("%d check lists, want 1", n)
	}
	if !c.UsesLoginKey("NewValue1234") {
		t.Fatal("the confirmed edit did not update the login key")
	}
}

func TestRegenerateAnswerLostIsConfirmedByAList(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	store := &keyStore{}
	store.set(10, fakeKey)
	var regenerates atomic.Int32
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Method == "GET" {
			writeJSON(w, 200, store.listJSON())
			return
		}
		regenerates.Add(1)
		store.set(10, "Regenerated1")
		writeJSON(w, 502, `{"code":"BAD_GATEWAY","message":"upstream went away"}`) // applied, then a 5xx
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 3 })
	ctx := t.Context()
	if _, _, err := c.OrganizationKey(ctx); err != nil { // the client sees the value before
		t.Fatal(err)
	}
	k, err := c.RegenerateAPIKey(ctx, 10)
	if err != nil {
		t.Fatalf("regenerate: %v", err)
	}
	if k.Value != "Regenerated1" || regenerates.Load() != 1 {
		t.Fatalf("got %v after %d regenerates", k, regenerates.Load())
	}
	if !c.UsesLoginKey("Regenerated1") {
		t.Fatal("the confirmed regenerate did not update the login key")
	}
	if n := f.count("GET", ""); n != 2 {
		t.Fatalf("%d lists, want 2: the first, and the check", n)
	}
}

func TestWriteNotAppliedIsRepeated(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	store := &keyStore{}
	store.set(10, fakeKey)
	var puts atomic.Int32
	f.setHandler(func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Method == "GET" {
			writeJSON(w, 200, store.listJSON())
			return
		}
		if puts.Add(1) == 1 {
			writeJSON(w, 503, `{"code":"SERVICE_UNAVAILABLE","message":"later"}`) // not applied
			return
		}
		var in struct{ KeyValue string }
		_ = json.Unmarshal(body, &in)
		store.set(10, in.KeyValue)
		writeJSON(w, 200, keyJSON(10, in.KeyValue, ""))
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 2 })
	k, err := c.EditAPIKey(t.Context(), 10, "NewValue1234")
	if err != nil || k.Value != "NewValue1234" {
		t.Fatalf("edit: %v %v", k, err)
	}
	if puts.Load() != 2 || f.count("GET", "") != 1 {
		t.Fatalf("%d PUTs and %d lists, want 2 and 1", puts.Load(), f.count("GET", ""))
	}
}

func TestNotAppliedWithoutRetriesLeftKeepsTheServerError(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	store := &keyStore{}
	store.set(10, fakeKey)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Method == "GET" {
			writeJSON(w, 200, store.listJSON())
			return
		}
		writeJSON(w, 500, `{"code":"INTERNAL","message":"boom"}`)
	})
	c := f.legacyClient(nil) // MaxRetries 0: the check still runs, the repeat does not
	_, err := c.EditAPIKey(t.Context(), 10, "NewValue1234")
	if !errors.Is(err, ErrServer) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v: the check showed the edit did not happen", err)
	}
	if f.count("PUT", "") != 1 || f.count("GET", "") != 1 {
		t.Fatalf("%d PUTs, %d lists", f.count("PUT", ""), f.count("GET", ""))
	}
}

func TestAddAnswerLostIsConfirmedByAList(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	store := &keyStore{}
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Method == "GET" {
			writeJSON(w, 200, store.listJSON())
			return
		}
		if _, _, has := store.get(); has {
			writeJSON(w, 400, `{"code":"DUPLICATE_ITEM","message":"exists"}`)
			return
		}
		store.set(99, "AddedKey0001")
		dropConnection(w)
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 2 })
	k, err := c.AddAPIKey(t.Context())
	if err != nil || k.ID != 99 {
		t.Fatalf("add: %v %v", k, err)
	}
	if f.count("POST", "/api/v1/apiKeys") != 1 {
		t.Fatalf("%d adds", f.count("POST", "/api/v1/apiKeys"))
	}
	if !c.UsesLoginKey("AddedKey0001") {
		t.Fatal("after an add the new organization key is the login key")
	}
}

func TestRegenerateLostWithoutAnEarlierValueIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Method == "GET" {
			writeJSON(w, 200, `[`+keyJSON(10, "Whatever1234", "")+`]`)
			return
		}
		dropConnection(w)
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 3 })
	_, err := c.RegenerateAPIKey(t.Context(), 10)
	if !errors.Is(err, ErrOutcomeUnknown) || !strings.Contains(err.Error(), "refresh") {
		t.Fatalf("err = %v, want ErrOutcomeUnknown that says to refresh", err)
	}
	if n := f.count("POST", "/api/v1/apiKeys/10/regenerate"); n != 1 {
		t.Fatalf("%d regenerates: an unknown outcome must not be repeated", n)
	}
}

func TestFailedCheckIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Method == "GET" {
			writeJSON(w, 403, `{"code":"NOT_AUTHORIZED","message":"no"}`)
			return
		}
		writeJSON(w, 504, `{"code":"GATEWAY_TIMEOUT","message":"slow"}`)
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 3 })
	_, err := c.EditAPIKey(t.Context(), 10, "NewValue1234")
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrServer) || !errors.Is(err, ErrForbidden) {
		t.Fatalf("err = %v: want ErrOutcomeUnknown carrying both the 504 and the check's 403", err)
	}
	if !strings.Contains(err.Error(), "refresh") || strings.Contains(err.Error(), "NewValue1234") {
		t.Fatalf("err = %v", err)
	}
	if f.count("PUT", "") != 1 {
		t.Fatalf("%d PUTs", f.count("PUT", ""))
	}
}

func TestUnreadableWriteAnswerIsCheckedByAList(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	store := &keyStore{}
	store.set(10, fakeKey)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Method == "GET" {
			writeJSON(w, 200, store.listJSON())
			return
		}
		var in struct{ KeyValue string }
		_ = json.Unmarshal(body, &in)
		store.set(10, in.KeyValue)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>ok</html>"))
	})
	c := f.legacyClient(nil)
	k, err := c.EditAPIKey(t.Context(), 10, "NewValue1234")
	if err != nil || k.Value != "NewValue1234" {
		t.Fatalf("edit: %v %v", k, err)
	}
	if f.count("PUT", "") != 1 || f.count("GET", "") != 1 {
		t.Fatalf("%d PUTs, %d lists", f.count("PUT", ""), f.count("GET", ""))
	}
}

func TestEditLockAndRateLimitAreRepeatedWithoutACheck(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	var n atomic.Int32
	f.setHandler(func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch n.Add(1) {
		case 1:
			writeJSON(w, 409, `{"code":"EDIT_LOCK_NOT_AVAILABLE","message":"locked"}`)
		case 2:
			writeJSON(w, 401, `{"code":"SESSION_NOT_VALID","message":"gone"}`)
		default:
			writeJSON(w, 200, keyJSON(10, "NewValue1234", ""))
		}
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 1 })
	if _, err := c.EditAPIKey(t.Context(), 10, "NewValue1234"); err != nil {
		t.Fatal(err)
	}
	if f.count("PUT", "") != 3 || f.count("GET", "") != 0 || f.loginCount() != 2 {
		t.Fatalf("%d PUTs, %d lists, %d logins", f.count("PUT", ""), f.count("GET", ""), f.loginCount())
	}
}

func TestDeleteRepeatsAndTakes404AsDone(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	var n atomic.Int32
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if n.Add(1) == 1 {
			dropConnection(w) // the delete happened; its answer is lost
			return
		}
		writeJSON(w, 404, `{"code":"RESOURCE_NOT_FOUND","message":"no such key"}`)
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 2 })
	if err := c.DeleteAPIKey(t.Context(), 10); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if f.count("DELETE", "") != 2 || f.count("GET", "") != 0 {
		t.Fatalf("%d deletes, %d lists", f.count("DELETE", ""), f.count("GET", ""))
	}
}

func TestWriteCancelledInFlightIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	ctx, cancel := context.WithCancel(t.Context())
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		cancel()             // the caller gives up while the write is in flight
		<-r.Context().Done() // the write hangs until the client gives up
	})
	c := f.legacyClient(func(cfg *Config) { cfg.MaxRetries = 3 })
	_, err := c.EditAPIKey(ctx, 10, "NewValue1234")
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "refresh") {
		t.Fatalf("err = %v: want ErrOutcomeUnknown and context.Canceled", err)
	}
	if f.count("PUT", "") != 1 || f.count("GET", "") != 0 {
		t.Fatalf("%d PUTs, %d lists", f.count("PUT", ""), f.count("GET", ""))
	}
}

func TestServerErrorThenCancelledIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setHandler(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		writeJSON(w, 500, `{"code":"INTERNAL","message":"boom"}`)
	})
	ctx, cancel := context.WithCancel(t.Context())
	// the caller gives up right after the 5xx arrived: the log line comes after the body is read
	c := f.legacyClient(func(cfg *Config) {
		cfg.MaxRetries = 3
		cfg.Logger = loggerFunc(func(msg string, fields map[string]any) {
			if fields["status"] == 500 {
				cancel()
			}
		})
	})
	_, err := c.RegenerateAPIKey(ctx, 10)
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrServer) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if f.count("POST", "/api/v1/apiKeys/10/regenerate") != 1 {
		t.Fatal("the regenerate was repeated after the caller gave up")
	}
}

type loggerFunc func(msg string, fields map[string]any)

func (l loggerFunc) Debug(_ context.Context, msg string, fields map[string]any) { l(msg, fields) }

package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestListShape(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{
		{Name: "acme", Username: "admin@acme.com", APIKey: "AbCd12EfGh34", PartnerKeys: []string{"Partner One", "Partner Two"}},
		{Name: "empty", NoKey: true},
	}})
	acme := h.sim.Organization("acme")
	id := h.login(acme)

	resp := h.legacy("GET", "/apiKeys", "", id)
	wantStatus(t, resp, 200)
	if ct := resp.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var raw []map[string]json.RawMessage
	resp.decode(t, &raw)
	if len(raw) != 1 {
		t.Fatalf("without includePartnerKey: %s", resp.body)
	}
	k, _ := acme.Key()
	want := fmt.Sprintf(`{"id":%d,"keyValue":"AbCd12EfGh34","permissions":["API_ACCESS"],"enabled":true,"lastModifiedTime":%d,"lastModifiedBy":{"id":%d,"name":"admin@acme.com"}}`,
		k.ID, testEpoch.Unix(), k.LastModifiedByID)
	if got := strings.TrimSpace(string(resp.body)); got != "["+want+"]" {
		t.Fatalf("list = %s\nwant [%s]", got, want)
	}

	keys := h.listKeys(id, "?includePartnerKey=true")
	if len(keys) != 3 || keys[0].Partner != nil || keys[0].ID != k.ID {
		t.Fatalf("with partners: %+v", keys)
	}
	partners := acme.PartnerKeys()
	for i, pk := range keys[1:] {
		if pk.Partner == nil || pk.Partner.Name != partners[i].PartnerName || pk.Partner.ID != partners[i].PartnerID ||
			pk.ID != partners[i].ID || pk.KeyValue != partners[i].Value || !ValidKeyValue(pk.KeyValue) {
			t.Fatalf("partner key %d = %+v, want %+v", i, pk, partners[i])
		}
	}

	h.sim.Advance(time.Second)
	empty := h.sim.Organization("empty")
	resp = h.oneapi("GET", "/apiKeys?includePartnerKey=true", "", h.token(empty)) // no key, so no legacy login
	wantStatus(t, resp, 200)
	if string(resp.body) != "[]" {
		t.Fatalf("empty organization lists %s, want []", resp.body)
	}
	wantError(t, h.legacy("GET", "/apiKeys?includePartnerKey=yes", "", id), 400, "INVALID_INPUT_ARGUMENT")
}

func TestListPagination(t *testing.T) {
	names := make([]string, 1001)
	for i := range names {
		names[i] = fmt.Sprintf("partner-%d", i)
	}
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "big", PartnerKeys: names}}})
	id := h.login(h.sim.DefaultOrganization())
	list := func(q string) []keyJSON {
		h.sim.Advance(time.Second)
		return h.listKeys(id, q)
	}
	if got := list("?includePartnerKey=true"); len(got) != 100 || got[0].Partner != nil {
		t.Fatalf("default page: %d keys", len(got))
	}
	// pageSize above the maximum is served as the maximum.
	if got := list("?includePartnerKey=true&pageSize=5000&page=1"); len(got) != 1000 || got[0].Partner != nil {
		t.Fatalf("pageSize=5000: %d keys", len(got))
	}
	if got := list("?includePartnerKey=true&pageSize=1000&page=2"); len(got) != 2 || got[1].Partner.Name != "partner-1000" {
		t.Fatalf("page 2: %+v", got)
	}
	if got := list("?includePartnerKey=true&pageSize=1000&page=3"); len(got) != 0 {
		t.Fatalf("page 3: %d keys", len(got))
	}
	if got := list("?includePartnerKey=true&pageSize=2&page=2"); len(got) != 2 || got[0].Partner.Name != "partner-1" {
		t.Fatalf("pageSize=2 page=2: %+v", got)
	}
	if got := list("?pageSize=1&page=9223372036854775807"); len(got) != 0 {
		t.Fatalf("huge page: %d keys", len(got))
	}
	for _, q := range []string{"?page=0", "?page=abc", "?pageSize=0", "?pageSize=-1", "?page=1.5", "?page=%zz"} {
		h.sim.Advance(time.Second)
		wantError(t, h.legacy("GET", "/apiKeys"+q, "", id), 400, "INVALID_INPUT_ARGUMENT")
	}
}

func TestRegenerate(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{
		{Name: "a", PartnerKeys: []string{"p"}}, {Name: "b"},
	}})
	a := h.sim.Organization("a")
	id := h.login(a)
	old, _ := a.Key()
	step := func() { h.sim.Advance(time.Second) }

	step()
	resp := h.legacy("POST", fmt.Sprintf("/apiKeys/%d/regenerate", old.ID), "{}", id)
	wantStatus(t, resp, 200)
	var k keyJSON
	resp.decode(t, &k)
	cur, _ := a.Key()
	if k.ID != old.ID || k.KeyValue == old.Value || !ValidKeyValue(k.KeyValue) || k.KeyValue != cur.Value {
		t.Fatalf("regenerated %+v from %v", k, old)
	}
	if k.LastModifiedTime != h.sim.Now().Unix() || k.LastModifiedBy.Name != a.Config().Username || k.LastModifiedBy.ID != old.LastModifiedByID {
		t.Fatalf("lastModified = %d by %+v", k.LastModifiedTime, k.LastModifiedBy)
	}
	// The old string no longer logs in; the new one does.
	cfg := a.Config()
	wantError(t, h.do(req{method: "POST", path: "/api/v1/auth", body: h.loginBody(cfg.Username, cfg.Password, old.Value, 0),
		headers: []string{"Content-Type", "application/json"}}), 400, "INVALID_USERNAME_OR_PASSWORD")
	wantStatus(t, h.loginResp(a), 200)

	t.Run("bodies", func(t *testing.T) {
		step()
		wantStatus(t, h.do(req{method: "POST", path: fmt.Sprintf("/api/v1/apiKeys/%d/regenerate", old.ID),
			headers: []string{"Cookie", "JSESSIONID=" + id}}), 200) // no body, no Content-Type
		step()
		wantError(t, h.do(req{method: "POST", path: fmt.Sprintf("/api/v1/apiKeys/%d/regenerate", old.ID), body: "{}",
			headers: []string{"Cookie", "JSESSIONID=" + id, "Content-Type", "text/plain"}}), 415, "UNSUPPORTED_MEDIA_TYPE")
		for _, body := range []string{"[]", "nope", `{"a":`, " "} {
			step()
			wantError(t, h.legacy("POST", fmt.Sprintf("/apiKeys/%d/regenerate", old.ID), body, id), 400, "INVALID_INPUT_ARGUMENT")
		}
	})
	t.Run("ids", func(t *testing.T) {
		bk, _ := h.sim.Organization("b").Key()
		for _, c := range []struct {
			id     string
			status int
			code   string
		}{
			{"999999", 404, "RESOURCE_NOT_FOUND"},
			{fmt.Sprint(bk.ID), 404, "RESOURCE_NOT_FOUND"}, // another organization's key
			{"abc", 400, "INVALID_INPUT_ARGUMENT"},
			{"-1", 400, "INVALID_INPUT_ARGUMENT"},
		} {
			step()
			wantError(t, h.legacy("POST", "/apiKeys/"+c.id+"/regenerate", "{}", id), c.status, c.code)
		}
	})
	t.Run("partner key", func(t *testing.T) {
		p := a.PartnerKeys()[0]
		step()
		resp := h.legacy("POST", fmt.Sprintf("/apiKeys/%d/regenerate", p.ID), "{}", id)
		wantStatus(t, resp, 200)
		var k keyJSON
		resp.decode(t, &k)
		if k.Partner == nil || k.Partner.ID != p.PartnerID || k.KeyValue == p.Value || a.PartnerKeys()[0].Value != k.KeyValue {
			t.Fatalf("partner regenerate: %+v", k)
		}
	})
	t.Run("OneAPI caller is the client", func(t *testing.T) {
		step()
		resp := h.oneapi("POST", fmt.Sprintf("/apiKeys/%d/regenerate", old.ID), "{}", h.token(a))
		wantStatus(t, resp, 200)
		var k keyJSON
		resp.decode(t, &k)
		if k.LastModifiedBy == nil || k.LastModifiedBy.Name != a.Config().ClientID || k.LastModifiedBy.ID == old.LastModifiedByID {
			t.Fatalf("lastModifiedBy = %+v, want the OneAPI client", k.LastModifiedBy)
		}
	})
}

func TestAddEditDelete(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "a", APIKey: "AbCd12EfGh34", PartnerKeys: []string{"p"}}, {Name: "b"}}})
	a := h.sim.Organization("a")
	id := h.login(a)
	k, _ := a.Key()
	step := func() { h.sim.Advance(time.Minute) } // delete allows one a minute

	t.Run("one key rule", func(t *testing.T) {
		wantError(t, h.legacy("POST", "/apiKeys", "{}", id), 400, "DUPLICATE_ITEM")
	})
	t.Run("edit", func(t *testing.T) {
		path := fmt.Sprintf("/apiKeys/%d", k.ID)
		bad := []struct {
			body, code string
			status     int
		}{
			{`{"keyValue":"short"}`, "INVALID_INPUT_ARGUMENT", 400},
			{`{"keyValue":"AbCd12EfGh345"}`, "INVALID_INPUT_ARGUMENT", 400},
			{`{"keyValue":"AbCd12EfGh3!"}`, "INVALID_INPUT_ARGUMENT", 400},
			{`{"keyValue":"AbCd12EfGhé"}`, "INVALID_INPUT_ARGUMENT", 400},
			{`{"keyValue":"AbCd12EfGh34"}`, "INVALID_INPUT_ARGUMENT", 400}, // the current value
			{`{"keyValue":123456789012}`, "INVALID_INPUT_ARGUMENT", 400},
			{`{"value":"Zz9Yy8Xx7Ww6"}`, "INVALID_INPUT_ARGUMENT", 400},
			{`{"keyValue":`, "INVALID_INPUT_ARGUMENT", 400},
			{``, "INVALID_INPUT_ARGUMENT", 400},
		}
		for _, c := range bad {
			step()
			resp := h.do(req{method: "PUT", path: "/api/v1" + path, body: c.body, headers: []string{"Cookie", "JSESSIONID=" + id, "Content-Type", "application/json"}})
			wantError(t, resp, c.status, c.code)
			if strings.Contains(string(resp.body), "AbCd12") {
				t.Fatalf("answer echoes a key value: %s", resp.body)
			}
		}
		step()
		wantError(t, h.do(req{method: "PUT", path: "/api/v1" + path, body: `{"keyValue":"Zz9Yy8Xx7Ww6"}`,
			headers: []string{"Cookie", "JSESSIONID=" + id, "Content-Type", "text/plain"}}), 415, "UNSUPPORTED_MEDIA_TYPE")
		step()
		wantError(t, h.legacy("PUT", "/apiKeys/999999", `{"keyValue":"Zz9Yy8Xx7Ww6"}`, id), 404, "RESOURCE_NOT_FOUND")
		step()
		wantError(t, h.legacy("PUT", fmt.Sprintf("/apiKeys/%d", a.PartnerKeys()[0].ID), `{"keyValue":"Zz9Yy8Xx7Ww6"}`, id), 404, "RESOURCE_NOT_FOUND")
		if cur, _ := a.Key(); cur.Value != "AbCd12EfGh34" {
			t.Fatal("a refused edit changed the key")
		}

		step()
		// A client may send the whole key object; only keyValue counts.
		resp := h.legacy("PUT", path, fmt.Sprintf(`{"id":%d,"keyValue":"Zz9Yy8Xx7Ww6","enabled":false}`, k.ID), id)
		wantStatus(t, resp, 200)
		var got keyJSON
		resp.decode(t, &got)
		if got.KeyValue != "Zz9Yy8Xx7Ww6" || got.ID != k.ID || !got.Enabled || got.LastModifiedTime != h.sim.Now().Unix() {
			t.Fatalf("edit answered %+v", got)
		}
		wantStatus(t, h.loginResp(a), 200)
	})
	t.Run("delete and add", func(t *testing.T) {
		step()
		resp := h.legacy("DELETE", fmt.Sprintf("/apiKeys/%d", k.ID), "", id)
		wantStatus(t, resp, 204)
		if _, ok := a.Key(); ok {
			t.Fatal("key still there after delete")
		}
		step()
		wantError(t, h.legacy("DELETE", fmt.Sprintf("/apiKeys/%d", k.ID), "", id), 404, "RESOURCE_NOT_FOUND")
		step()
		wantError(t, h.legacy("DELETE", fmt.Sprintf("/apiKeys/%d", a.PartnerKeys()[0].ID), "", id), 404, "RESOURCE_NOT_FOUND")
		// No legacy login without a key; the open session still works.
		wantError(t, h.do(req{method: "POST", path: "/api/v1/auth", body: h.loginBody(a.Config().Username, a.Config().Password, "Zz9Yy8Xx7Ww6", 0),
			headers: []string{"Content-Type", "application/json"}}), 400, "INVALID_USERNAME_OR_PASSWORD")
		if keys := h.listKeys(id, ""); len(keys) != 0 {
			t.Fatalf("after delete: %+v", keys)
		}

		step()
		resp = h.legacy("POST", "/apiKeys", "", id)
		wantStatus(t, resp, 200)
		var added keyJSON
		resp.decode(t, &added)
		bk, _ := h.sim.Organization("b").Key()
		if added.ID <= k.ID || added.ID <= bk.ID || added.ID <= a.PartnerKeys()[0].ID || !ValidKeyValue(added.KeyValue) || !added.Enabled {
			t.Fatalf("added %+v: IDs must grow across the simulator", added)
		}
		if added.LastModifiedBy == nil || added.LastModifiedBy.Name != a.Config().Username {
			t.Fatalf("added by %+v", added.LastModifiedBy)
		}
		wantStatus(t, h.loginResp(a), 200)
		step()
		wantError(t, h.legacy("POST", "/apiKeys", "", id), 400, "DUPLICATE_ITEM")
		step()
		wantError(t, h.do(req{method: "POST", path: "/api/v1/apiKeys", body: "{}",
			headers: []string{"Cookie", "JSESSIONID=" + id, "Content-Type", "text/plain"}}), 415, "UNSUPPORTED_MEDIA_TYPE")
	})
}

func TestWithoutInferredCalls(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "a", WithoutInferredCalls: true}}})
	a := h.sim.Organization("a")
	id := h.login(a)
	k, _ := a.Key()
	path := fmt.Sprintf("/apiKeys/%d", k.ID)
	wantError(t, h.legacy("POST", "/apiKeys", "{}", id), 405, "METHOD_NOT_ALLOWED")
	wantError(t, h.legacy("PUT", path, `{"keyValue":"Zz9Yy8Xx7Ww6"}`, id), 405, "METHOD_NOT_ALLOWED")
	wantError(t, h.legacy("DELETE", path, "", id), 405, "METHOD_NOT_ALLOWED")
	wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 200)
	wantStatus(t, h.legacy("POST", path+"/regenerate", "{}", id), 200)
	if cur, _ := a.Key(); cur.Value == k.Value {
		t.Fatal("regenerate did not change the key")
	}

	a.SetInferredCalls(true)
	h.sim.Advance(time.Second)
	wantStatus(t, h.legacy("PUT", path, `{"keyValue":"Zz9Yy8Xx7Ww6"}`, id), 200)
	if a.Config().WithoutInferredCalls {
		t.Fatal("Config does not show the switch")
	}
}

func TestWithoutKeyManagement(t *testing.T) {
	h := newHarness(t, Options{Organizations: []OrgConfig{{Name: "a", WithoutKeyManagement: true}}})
	a := h.sim.Organization("a")
	id, tok := h.login(a), h.token(a)
	k, _ := a.Key()
	calls := []struct{ method, path, body string }{
		{"GET", "/apiKeys", ""},
		{"POST", "/apiKeys", "{}"},
		{"POST", fmt.Sprintf("/apiKeys/%d/regenerate", k.ID), "{}"},
		{"PUT", fmt.Sprintf("/apiKeys/%d", k.ID), `{"keyValue":"Zz9Yy8Xx7Ww6"}`},
		{"DELETE", fmt.Sprintf("/apiKeys/%d", k.ID), ""},
	}
	for _, c := range calls {
		for _, resp := range []response{h.legacy(c.method, c.path, c.body, id), h.oneapi(c.method, c.path, c.body, tok)} {
			e := wantError(t, resp, 403, "NOT_AUTHORIZED")
			if !strings.Contains(e.Message, "API Key Management") {
				t.Fatalf("message %q does not name the permission", e.Message)
			}
		}
	}
	wantStatus(t, h.legacy("GET", "/auth", "", id), 200)
	a.SetKeyManagement(true)
	wantStatus(t, h.legacy("GET", "/apiKeys", "", id), 200)
}

func TestRoutes(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.login(h.sim.DefaultOrganization())
	for _, c := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/", 404, "RESOURCE_NOT_FOUND"},
		{"GET", "/api/v1/nothing", 404, "RESOURCE_NOT_FOUND"},
		{"GET", "/api/v1/apiKeys/", 404, "RESOURCE_NOT_FOUND"},
		{"GET", "/api/v1/apiKeys/1/regenerate/x", 404, "RESOURCE_NOT_FOUND"},
		{"GET", "/ztw/api/v1/auth", 404, "RESOURCE_NOT_FOUND"},
		{"PATCH", "/api/v1/apiKeys", 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/api/v1/apiKeys/1", 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/api/v1/apiKeys/1/regenerate", 405, "METHOD_NOT_ALLOWED"},
		{"PUT", "/api/v1/auth", 405, "METHOD_NOT_ALLOWED"},
	} {
		resp := h.do(req{method: c.method, path: c.path, headers: []string{"Cookie", "JSESSIONID=" + id}})
		wantError(t, resp, c.status, c.code)
		if c.status == 405 && resp.header.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", c.method, c.path)
		}
	}
	if n := h.sim.Counts().Status[http.StatusNotFound]; n != 5 {
		t.Fatalf("404s counted = %d, want 5", n)
	}
}

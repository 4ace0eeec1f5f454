package client

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

// bodyMarker stands for secret text in a body that no decoding error may repeat.
const bodyMarker = "Zq9SECRETzq9"

func TestDecodeAPIKeys(t *testing.T) {
	body := "[" + keyJSON(1234, "AbCd12EfGh34", "") + "," + keyJSON(77, "PartnerKey01", "Acme Partner") + "]"
	keys, err := decodeAPIKeys([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 { // a partner's key is not the organization's
		t.Fatalf("got %d keys", len(keys))
	}
	org := keys[0]
	if org.ID != 1234 || org.Value != "AbCd12EfGh34" || !org.Enabled || len(org.Permissions) != 1 ||
		org.LastModifiedBy != "admin@acme.com" || !org.LastModifiedTime.Equal(time.Unix(1631541800, 0)) {
		t.Fatalf("organization key decoded wrong: %v", org)
	}
	empty, err := decodeAPIKeys([]byte(" [] "))
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty list: %v %v", empty, err)
	}
}

func TestDecodeAPIKeysErrorsNeverQuoteTheBody(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", `<html>` + bodyMarker + `</html>`, "not valid JSON"},
		{"object not array", `{"keyValue":"` + bodyMarker + `"}`, "not a JSON array"},
		{"null", `null`, "null"},
		{"missing id", `[{"keyValue":"` + bodyMarker + `"}]`, "id is missing"},
		{"missing value", `[{"id":5,"note":"` + bodyMarker + `"}]`, "keyValue is missing"},
		{"id a string", `[{"id":"` + bodyMarker + `","keyValue":"x"}]`, "field id is a JSON string, expected a number"},
		{"value a number", `[{"id":1,"keyValue":1234567890123}]`, "field keyValue is a JSON number, expected a string"},
		{"zero id", `[{"id":0,"keyValue":"` + bodyMarker + `"}]`, "positive"},
		{"element not object", `["` + bodyMarker + `"]`, "element 0"},
		{"bad time", `[{"id":1,"keyValue":"` + bodyMarker + `","lastModifiedTime":1e300}]`, "lastModifiedTime"},
		{"trailing junk", `[]` + bodyMarker, "not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeAPIKeys([]byte(tc.body))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), bodyMarker) || strings.Contains(err.Error(), "1234567890123") {
				t.Fatalf("error quotes the body: %v", err)
			}
		})
	}
}

func TestDecodeAPIKey(t *testing.T) {
	k, err := decodeAPIKey([]byte(keyJSON(9, "NewValue1234", "")))
	if err != nil || k.ID != 9 || k.Value != "NewValue1234" {
		t.Fatalf("got %#v, %v", k, err)
	}
	if _, err := decodeAPIKey([]byte(`[` + keyJSON(9, bodyMarker, "") + `]`)); err == nil || strings.Contains(err.Error(), bodyMarker) {
		t.Fatalf("array accepted as a key object, or quoted: %v", err)
	}
}

func TestDecodeErrorBody(t *testing.T) {
	for _, tc := range []struct {
		name, ct, body             string
		truncated                  bool
		code, message, retry, note string
	}{
		{"API error", "application/json", `{"code":"EDIT_LOCK_NOT_AVAILABLE","message":"Edit lock is not available"}`, false, "EDIT_LOCK_NOT_AVAILABLE", "Edit lock is not available", "", ""},
		{"OAuth error", "application/json", `{"error":"invalid_client","error_description":"Client authentication failed"}`, false, "invalid_client", "Client authentication failed", "", ""},
		{"429 body", "application/json", `{"message":"Rate Limit (1/SECOND) exceeded","Retry-After":"0 seconds"}`, false, "", "Rate Limit (1/SECOND) exceeded", "0 seconds", ""},
		{"429 number", "application/json", `{"message":"slow down","Retry-After":3}`, false, "", "slow down", "3", ""},
		{"HTML", "text/html; charset=utf-8", `<html><body>` + bodyMarker + `</body></html>`, false, "", "", "", "a text/html body"},
		{"empty", "application/json", ``, false, "", "", "", "an empty body"},
		{"malformed JSON", "application/json", `{"code":"` + bodyMarker, false, "", "", "", "a malformed application/json body"},
		{"no content type", "", `oops ` + bodyMarker, false, "", "", "", "a body without a content type"},
		{"JSON without fields", "application/json", `{"detail":"` + bodyMarker + `"}`, false, "", "", "", "a JSON body without code or message"},
		{"truncated", "application/json", `{"code":"X","message":"` + bodyMarker, true, "", "", "", "a malformed application/json body larger than the client reads"},
		{"control characters", "application/json", `{"code":"BAD\nCODE","message":"line1\r\nline2\u0007\u202e end"}`, false, "BAD CODE", "line1 line2 end", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eb := decodeErrorBody(tc.ct, []byte(tc.body), tc.truncated)
			if eb.Code != tc.code || eb.Message != tc.message || eb.RetryAfter != tc.retry || eb.Note != tc.note {
				t.Fatalf("got %+v", eb)
			}
		})
	}
	long := `{"code":"X","message":"` + strings.Repeat("a", 5000) + `"}`
	if eb := decodeErrorBody("application/json", []byte(long), false); len([]rune(eb.Message)) > maxMessageLen+1 {
		t.Fatalf("message not shortened: %d characters", len([]rune(eb.Message)))
	}
}

func TestDecodeToken(t *testing.T) {
	ok, err := decodeToken("application/json", []byte(`{"access_token":"eyJ.abc.def","token_type":"Bearer","expires_in":3600}`))
	if err != nil || ok.AccessToken != "eyJ.abc.def" || ok.ExpiresIn != time.Hour {
		t.Fatalf("got %+v, %v", ok, err)
	}
	str, err := decodeToken("application/json; charset=utf-8", []byte(`{"access_token":"t","expires_in":"120"}`))
	if err != nil || str.ExpiresIn != 2*time.Minute {
		t.Fatalf("string expires_in: %+v, %v", str, err)
	}
	none, err := decodeToken("application/json", []byte(`{"access_token":"t"}`))
	if err != nil || none.ExpiresIn != 0 {
		t.Fatalf("absent expires_in: %+v, %v", none, err)
	}
	for _, tc := range []struct{ name, ct, body string }{
		{"text/plain", "text/plain", `{"access_token":"` + bodyMarker + `"}`},
		{"no content type", "", `{"access_token":"` + bodyMarker + `"}`},
		{"form answer", "application/x-www-form-urlencoded", `access_token=` + bodyMarker},
		{"no token", "application/json", `{"token_type":"Bearer","note":"` + bodyMarker + `"}`},
		{"empty token", "application/json", `{"access_token":""}`},
		{"token with newline", "application/json", `{"access_token":"a\nX-Evil: ` + bodyMarker + `"}`},
		{"not bearer", "application/json", `{"access_token":"` + bodyMarker + `","token_type":"mac"}`},
		{"negative expiry", "application/json", `{"access_token":"` + bodyMarker + `","expires_in":-5}`},
		{"expiry object", "application/json", `{"access_token":"` + bodyMarker + `","expires_in":{}}`},
		{"array", "application/json", `["` + bodyMarker + `"]`},
		{"broken JSON", "application/json", `{"access_token":"` + bodyMarker},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeToken(tc.ct, []byte(tc.body))
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), bodyMarker) {
				t.Fatalf("error quotes the body: %v", err)
			}
		})
	}
}

func FuzzDecodeAPIKeys(f *testing.F) {
	f.Add([]byte("[" + keyJSON(1, "AbCd12EfGh34", "") + "," + keyJSON(2, bodyMarker, "p") + "]"))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[{"id":"` + bodyMarker + `"}]`))
	f.Add([]byte(`[{"id":1,"keyValue":"x","lastModifiedTime":-1e20}]`))
	f.Add([]byte(`<html>` + bodyMarker))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := decodeAPIKeys(data)
		if err != nil {
			if strings.Contains(err.Error(), bodyMarker) {
				t.Fatal("error quotes the body")
			}
			return
		}
		for _, k := range keys {
			if k.ID <= 0 {
				t.Fatalf("accepted a non-positive id %d", k.ID)
			}
			assertPrintsIgnoreValue(t, k)
		}
	})
}

func FuzzDecodeAPIKey(f *testing.F) {
	f.Add([]byte(keyJSON(5, "AbCd12EfGh34", "")))
	f.Add([]byte(keyJSON(6, bodyMarker, "partner")))
	f.Add([]byte(`{"id":1,"keyValue":"` + bodyMarker + `","enabled":"yes"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"id":9223372036854775807,"keyValue":"","lastModifiedTime":1.5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := decodeAPIKey(data)
		if err != nil {
			if strings.Contains(err.Error(), bodyMarker) {
				t.Fatal("error quotes the body")
			}
			return
		}
		if k.ID <= 0 {
			t.Fatalf("accepted id %d", k.ID)
		}
		assertPrintsIgnoreValue(t, k)
	})
}

func FuzzDecodeErrorBody(f *testing.F) {
	f.Add("application/json", []byte(`{"code":"SESSION_NOT_VALID","message":"Session is not valid"}`), false)
	f.Add("application/json", []byte(`{"message":"Rate Limit (1/SECOND) exceeded","Retry-After":"0 seconds"}`), false)
	f.Add("text/html", []byte(`<html>`+bodyMarker+`</html>`), false)
	f.Add("", []byte(``), true)
	f.Add("application/json; charset=\"", []byte(`{"error":"invalid_client","error_description":"\u202e\n"}`), false)
	f.Fuzz(func(t *testing.T, ct string, data []byte, truncated bool) {
		eb := decodeErrorBody(ct, data, truncated)
		for _, s := range []string{eb.Code, eb.Message, eb.RetryAfter} {
			for _, r := range s {
				if unicode.IsControl(r) || unicode.In(r, unicode.Cf) {
					t.Fatalf("control or format character %U kept", r)
				}
			}
		}
		if n := len([]rune(eb.Message)); n > maxMessageLen+1 {
			t.Fatalf("message of %d characters", n)
		}
		if n := len([]rune(eb.Code)); n > maxCodeLen+1 {
			t.Fatalf("code of %d characters", n)
		}
		if strings.Contains(eb.Note, bodyMarker) {
			t.Fatal("note quotes the body")
		}
		if eb.Note == "" && eb.Code == "" && eb.Message == "" {
			t.Fatal("nothing said about the body")
		}
	})
}

func FuzzDecodeToken(f *testing.F) {
	f.Add("application/json", []byte(`{"access_token":"abc","token_type":"Bearer","expires_in":3600}`))
	f.Add("application/json", []byte(`{"access_token":"`+bodyMarker+`","expires_in":"1e999"}`))
	f.Add("text/html", []byte(`<html>`+bodyMarker))
	f.Add("application/json", []byte(`{"access_token":"a b"}`))
	f.Fuzz(func(t *testing.T, ct string, data []byte) {
		tok, err := decodeToken(ct, data)
		if err != nil {
			if strings.Contains(err.Error(), bodyMarker) {
				t.Fatal("error quotes the body")
			}
			return
		}
		if tok.AccessToken == "" || len(tok.AccessToken) > maxTokenLen {
			t.Fatal("bad token accepted")
		}
		for i := 0; i < len(tok.AccessToken); i++ {
			if c := tok.AccessToken[i]; c < 0x21 || c > 0x7e {
				t.Fatal("token with a character unfit for a header")
			}
		}
		if tok.ExpiresIn < 0 {
			t.Fatal("negative lifetime")
		}
	})
}

// assertPrintsIgnoreValue checks that String and GoString do not depend on
// the key's value at all (a substring test would trip on coincidences).
func assertPrintsIgnoreValue(t *testing.T, k APIKey) {
	t.Helper()
	other := k
	other.Value = "a different value"
	if k.String() != other.String() || k.GoString() != other.GoString() {
		t.Fatal("String or GoString depends on the value")
	}
}

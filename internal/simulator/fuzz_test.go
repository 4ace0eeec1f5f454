package simulator

import (
	"encoding/json"
	"strings"
	"testing"
)

func FuzzDecodeLoginBody(f *testing.F) {
	f.Add([]byte(`{"apiKey":"bceeiacieegc","username":"admin@acme.com","password":"p","timestamp":"1389681124480"}`))
	f.Add([]byte(`{"apiKey":"x","username":"u","password":"p","timestamp":1389681124480}`))
	f.Add([]byte(` {"apiKey":"\u00e9","username":"u","password":"p\"q","timestamp":"1","extra":[1,{}]} `))
	f.Add([]byte(`{"apiKey":"x","username":"u","password":"p","timestamp":"1","username":"v"}`))
	f.Add([]byte(`{"apiKey":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{}{}`))
	f.Add([]byte("{\"apiKey\":\"\xff\",\"username\":\"u\",\"password\":\"p\",\"timestamp\":\"1\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeLoginBody(body)
		if err != nil {
			if req != (loginRequest{}) {
				t.Fatalf("error %v with a partly filled request", err)
			}
			return
		}
		if got := peekLoginUsername(body); got != req.Username {
			t.Fatalf("peek found %q, decoder %q", got, req.Username)
		}
		b, _ := json.Marshal(map[string]string{"apiKey": req.APIKey, "username": req.Username, "password": req.Password, "timestamp": req.Timestamp})
		again, err := decodeLoginBody(b)
		if err != nil || again != req {
			t.Fatalf("re-encoded body decodes to %+v, %v; want %+v", again, err, req)
		}
	})
}

func FuzzDecodeEditBody(f *testing.F) {
	f.Add([]byte(`{"keyValue":"AbCd12EfGh34"}`))
	f.Add([]byte(`{"id":1,"keyValue":"AbCd12EfGh34","enabled":true,"permissions":["x"]}`))
	f.Add([]byte(`{"keyValue":123}`))
	f.Add([]byte(`{"keyValue":"a\u0000b"}`))
	f.Add([]byte(`{"keyvalue":"AbCd12EfGh34"}`))
	f.Add([]byte(`"AbCd12EfGh34"`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decodeEditBody(body)
		if err != nil {
			if v != "" {
				t.Fatalf("error %v with value %q", err, v)
			}
			if strings.Contains(err.Error(), "AbCd12") {
				t.Fatalf("error echoes a value: %v", err)
			}
			return
		}
		b, _ := json.Marshal(map[string]string{"keyValue": v})
		if again, err := decodeEditBody(b); err != nil || again != v {
			t.Fatalf("re-encoded body decodes to %q, %v; want %q", again, err, v)
		}
		if ValidKeyValue(v) && (len(v) != 12 || strings.ContainsFunc(v, func(r rune) bool { return r > 127 })) {
			t.Fatalf("ValidKeyValue accepted %q", v)
		}
	})
}

func FuzzParseAssertion(f *testing.F) {
	key, _ := testRSAKeys(f)
	now := testEpoch
	valid := signJWT(f, key, map[string]any{"alg": "RS256", "typ": "JWT"},
		map[string]any{"iss": "c", "sub": "c", "aud": OneAPIAudience, "exp": now.Unix() + 60})
	f.Add(valid)
	f.Add(signJWT(f, key, map[string]any{"alg": "RS256"}, map[string]any{"iss": "c", "sub": "c", "aud": []string{OneAPIAudience}, "exp": 1.5e9, "nbf": 1}))
	f.Add("a.b.c")
	f.Add("..")
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJjIn0.")
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOiAxZTMwMH0.AA")
	f.Add(strings.Repeat("A", 100) + "." + strings.Repeat("B", 100) + "." + strings.Repeat("C", 100))
	f.Fuzz(func(t *testing.T, tok string) {
		a, err := parseAssertion(tok)
		if err != nil {
			if a != nil {
				t.Fatal("an error and an assertion")
			}
			return
		}
		parts := strings.Split(tok, ".")
		if len(parts) != 3 || a.signingInput != parts[0]+"."+parts[1] || len(a.signature) == 0 || a.exp < 0 {
			t.Fatalf("parsed %q into %+v", tok, a)
		}
		// Nothing the fuzzer writes carries a valid signature, except the seed it was given.
		if err := a.verify(&key.PublicKey, "c", now); err == nil && tok != valid {
			t.Fatalf("verified a token that is not the signed seed: %q", tok)
		}
	})
}

func FuzzObfuscate(f *testing.F) {
	f.Add("abcdefghijkl", "1389681124480")
	f.Add("AbCd12EfGh34", "000000")
	f.Add("AbCd12EfGh34", "999999")
	f.Add("short", "1389681124480")
	f.Add("abcdefghijkl", "12345x")
	f.Add("abcdefghijklmnop", "17000000000001")
	f.Fuzz(func(t *testing.T, key, ts string) {
		out, err := Obfuscate(key, ts)
		digits := len(ts) >= 6 && strings.Trim(ts, "0123456789") == ""
		if (err == nil) != (len(key) >= 12 && digits) {
			t.Fatalf("Obfuscate(%q, %q) error = %v", key, ts, err)
		}
		if err != nil {
			return
		}
		// Reference: the same algorithm by arithmetic instead of strings.
		high := 0
		for _, c := range ts[len(ts)-6:] {
			high = high*10 + int(c-'0')
		}
		low := high >> 1
		want := make([]byte, 12)
		for i := 5; i >= 0; i-- {
			want[i] = key[high%10]
			want[6+i] = key[low%10+2]
			high, low = high/10, low/10
		}
		if out != string(want) {
			t.Fatalf("Obfuscate(%q, %q) = %q, want %q", key, ts, out, want)
		}
	})
}

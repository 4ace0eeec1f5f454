package client

import (
	"strings"
	"testing"
)

func TestCheckEndpointURL(t *testing.T) {
	ok := map[string]string{
		"https://connector.zscaler.net/api/v1/": "https://connector.zscaler.net/api/v1",
		" HTTPS://connector.zscaler.net/\n":     "https://connector.zscaler.net",
		"http://localhost:8080/api/v1":          "http://localhost:8080/api/v1",
		"http://127.0.0.2/api/v1":               "http://127.0.0.2/api/v1",
		"http://[::1]:9000/ztw/api/v1":          "http://[::1]:9000/ztw/api/v1",
	}
	for in, want := range ok {
		got, err := CheckEndpointURL(in)
		if err != nil || got != want {
			t.Errorf("CheckEndpointURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "connector.zscaler.net", "ftp://x/y", "http://10.0.0.1/api", "http://localhost.evil.com/",
		"https://u:p@h/", "https://h/api?x=1", "https://h/api?", "https://h/api#f", "http://127.0.0.1.nip.io/", "https:///x", "%zz"} {
		if _, err := CheckEndpointURL(bad); err == nil {
			t.Errorf("CheckEndpointURL(%q) accepted", bad)
		}
	}
}

func FuzzCheckEndpointURL(f *testing.F) {
	for _, s := range []string{"https://connector.zscaler.net/api/v1", "http://[::1]:1/x", "http://u:p@10.0.0.1/", "%zz", "",
		"https://h/?", "https://h/#frag", "HTTPS://H/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := CheckEndpointURL(raw)
		if err != nil {
			if strings.Contains(err.Error(), "@") && strings.Contains(raw, "@") && strings.Contains(err.Error(), raw) {
				t.Fatalf("error quotes user info: %v", err)
			}
			return
		}
		// Whatever it accepts is https, or http to loopback, and is accepted again unchanged.
		again, err := CheckEndpointURL(got)
		if err != nil || again != got {
			t.Fatalf("accepted %q as %q, which then gives %q, %v", raw, got, again, err)
		}
		if !strings.HasPrefix(got, "https://") && !strings.HasPrefix(got, "http://") {
			t.Fatalf("accepted scheme of %q", got)
		}
	})
}

func TestValidLoginKey(t *testing.T) {
	for s, want := range map[string]bool{"AbCd12EfGh34": true, "AbCd12EfGh34Xy": true, "AbCd12EfGh3": false, "AbCd12EfGh3!": false,
		"AbCd12EfGh3 ": false, "ÄbCd12EfGh34": false, "": false} {
		if ValidLoginKey(s) != want {
			t.Errorf("ValidLoginKey(%q) != %t", s, want)
		}
	}
}

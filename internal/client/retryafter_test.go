package client

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name, header, body string
		want               time.Duration
	}{
		{"nothing: the 1 s floor", "", "", time.Second},
		{"body 0 seconds: the floor", "", "0 seconds", time.Second},
		{"body 3 seconds", "", "3 seconds", 3 * time.Second},
		{"body 1 second", "", "1 second", time.Second},
		{"body bare number", "", "7", 7 * time.Second},
		{"body fraction", "", "2.5 seconds", 2500 * time.Millisecond},
		{"body junk", "", "soon", time.Second},
		{"body negative", "", "-5 seconds", time.Second},
		{"header seconds", "4", "", 4 * time.Second},
		{"header 0: the floor", "0", "", time.Second},
		{"header date", now.Add(90 * time.Second).Format(http.TimeFormat), "", 90 * time.Second},
		{"header date in the past", now.Add(-time.Hour).Format(http.TimeFormat), "", time.Second},
		{"header and body: the longer", "2", "5 seconds", 5 * time.Second},
		{"header longer than body", "6", "0 seconds", 6 * time.Second},
		{"huge is clamped", "99999999999999999999", "", maxRetryAfter},
		{"NaN refused", "NaN", "", time.Second},
		{"Inf refused", "", "Inf seconds", time.Second},
		{"exponent refused", "1e9", "", time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseRetryAfter(tc.header, tc.body, now); got != tc.want {
				t.Fatalf("parseRetryAfter(%q, %q) = %s, want %s", tc.header, tc.body, got, tc.want)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	f.Add("", "0 seconds")
	f.Add("3", "")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT", "1 second")
	f.Add("1e400", "NaN")
	f.Add("-1", "-0.5 seconds")
	f.Add("0x10", "Infinity")
	now := time.Date(2015, 10, 21, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, header, body string) {
		got := parseRetryAfter(header, body, now)
		if got < minRetryAfter || got > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q, %q) = %s, outside [%s, %s]", header, body, got, minRetryAfter, maxRetryAfter)
		}
	})
}

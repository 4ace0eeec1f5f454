package client

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Bounds of a server-told wait: the contract asks for at least a second;
// anything beyond a day is a broken answer, clamped so durations cannot overflow.
const (
	minRetryAfter = time.Second
	maxRetryAfter = 24 * time.Hour
)

// parseRetryAfter combines the Retry-After header (delta seconds or an HTTP
// date) and the 429 body field ("N seconds") into one wait of at least a
// second. When both are present the longer one wins.
func parseRetryAfter(header, bodyField string, now time.Time) time.Duration {
	wait := max(retryAfterHeader(header, now), retryAfterBody(bodyField))
	return min(max(wait, minRetryAfter), maxRetryAfter)
}

func retryAfterHeader(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if d, ok := seconds(h); ok {
		return d
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter)
	}
	return 0
}

// retryAfterBody reads the body field, "0 seconds", "3 seconds", "1 second" or a bare number.
func retryAfterBody(s string) time.Duration {
	s = strings.TrimSpace(strings.ToLower(s))
	for _, unit := range []string{"seconds", "second", "secs", "sec", "s"} {
		if rest, ok := strings.CutSuffix(s, unit); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	d, _ := seconds(s)
	return d
}

// seconds reads a non-negative decimal number of seconds.
func seconds(s string) (time.Duration, bool) {
	if s == "" || strings.ContainsAny(s, "+-eEnNiI_xX") { // no signs, exponents, NaN, Inf, hex
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return 0, false
	}
	if f >= maxRetryAfter.Seconds() {
		return maxRetryAfter, true
	}
	return time.Duration(f * float64(time.Second)), true
}

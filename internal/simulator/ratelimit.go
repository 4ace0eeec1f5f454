package simulator

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

type rateLimit struct {
	n    int
	per  time.Duration
	unit string // as the 429 message spells the window
}

// rateLimits are per organization and per op, as the API documents them. Login,
// token and session calls have none.
var rateLimits = map[Op][]rateLimit{
	OpList:       {{2, time.Second, "SECOND"}, {1000, time.Hour, "HOUR"}},
	OpRegenerate: {{1, time.Second, "SECOND"}, {400, time.Hour, "HOUR"}},
	OpAdd:        {{1, time.Second, "SECOND"}, {400, time.Hour, "HOUR"}},
	OpEdit:       {{1, time.Second, "SECOND"}, {400, time.Hour, "HOUR"}},
	OpDelete:     {{1, time.Minute, "MINUTE"}, {4, time.Hour, "HOUR"}},
}

// longestWindow is how long an accepted request is remembered.
const longestWindow = time.Hour

// rateLimit admits a request into org's sliding windows for op, or answers 429.
// Only admitted requests take a slot; 429s do not.
func (s *Simulator) rateLimit(org *Organization, op Op) *reply {
	limits := rateLimits[op]
	if org == nil || len(limits) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	kept := slices.DeleteFunc(org.accepted[op], func(t time.Time) bool { return now.Sub(t) >= longestWindow })
	slices.SortFunc(kept, time.Time.Compare)

	var hit *rateLimit
	var wait time.Duration
	for i := range limits {
		l := &limits[i]
		in := 0
		for _, t := range kept {
			if now.Sub(t) < l.per {
				in++
			}
		}
		if in < l.n {
			continue
		}
		// A slot frees when the oldest of the last n requests leaves the window.
		if w := kept[len(kept)-l.n].Add(l.per).Sub(now); hit == nil || w > wait {
			hit, wait = l, w
		}
	}
	org.accepted[op] = kept
	if hit == nil {
		org.accepted[op] = append(kept, now)
		return nil
	}

	org.limiterAnswers++
	s.counts.RateLimited++
	org.counts.RateLimited++
	secs := int64(wait / time.Second) // rounded down, so it can be 0
	rep := jsonReply(http.StatusTooManyRequests, rateLimitBody{
		Message:    fmt.Sprintf("Rate Limit (%d/%s) exceeded", hit.n, hit.unit),
		RetryAfter: fmt.Sprintf("%d seconds", secs),
	})
	// The API sends the header only sometimes; here it is every second 429.
	if org.limiterAnswers%2 == 0 {
		rep.header.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	return rep
}

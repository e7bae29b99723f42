//go:build !js

// Package limit hands out tokens from token buckets, one bucket per key
// (a connection, an account, an address), so that a person or a script
// that asks too much too fast is told to wait instead of slowing down
// everyone else. Buckets come from golang.org/x/time/rate.
package limit

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a token bucket's size and refill: at most Burst tokens at once,
// refilled at Burst tokens per Per. The zero Rate (or a Burst of 0) is no
// limit.
type Rate struct {
	Burst int
	Per   time.Duration
}

// Off reports whether r limits nothing.
func (r Rate) Off() bool { return r.Burst <= 0 || r.Per <= 0 }

// Times returns r with f times the burst, refilled as fast: f people's
// worth of r.
func (r Rate) Times(f int) Rate { return Rate{Burst: r.Burst * f, Per: r.Per} }

// String returns r as ParseRate reads it.
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	return strconv.Itoa(r.Burst) + "/" + r.Per.String()
}

// ParseRate reads a Rate written as "N/DURATION" (30/15s: at most 30 at
// once, and 30 more every 15 seconds, that is 2 a second), or "off".
func ParseRate(s string) (Rate, error) {
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	burst, err := strconv.Atoi(n)
	if !ok || err != nil || burst <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want N/DURATION with N > 0 (such as 30/15s), or off", s)
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want N/DURATION with a positive duration (such as 30/15s), or off", s)
	}
	return Rate{Burst: burst, Per: d}, nil
}

// Set implements flag.Value.
func (r *Rate) Set(s string) error {
	v, err := ParseRate(s)
	if err == nil {
		*r = v
	}
	return err
}

// New returns a bucket of rate r, full; nil if r is off.
func New(r Rate) *rate.Limiter {
	if r.Off() {
		return nil
	}
	return rate.NewLimiter(rate.Limit(float64(r.Burst)/r.Per.Seconds()), r.Burst)
}

// Take takes one token from each bucket (nil ones are no limit), or, if
// any has none at now, takes nothing and returns how long until all of
// them have one.
func Take(now time.Time, buckets ...*rate.Limiter) (wait time.Duration) {
	var taken [4]*rate.Reservation
	res := taken[:0]
	for _, b := range buckets {
		if b == nil {
			continue
		}
		r := b.ReserveN(now, 1)
		res = append(res, r)
		if !r.OK() {
			wait = max(wait, time.Hour) // a burst of 0 never fills
		} else {
			wait = max(wait, r.DelayFrom(now))
		}
	}
	if wait > 0 {
		for _, r := range res {
			r.CancelAt(now)
		}
	}
	return wait
}

// Keyed is the buckets of one rate, by key. Buckets that have filled up
// again are forgotten (a new one starts full), so memory follows the
// keys active lately. Its methods are safe for concurrent use.
type Keyed struct {
	rate Rate

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// sweepPerGet is how many buckets each Get looks at to forget full ones:
// a little work on every call, never a walk over all of them under the
// lock.
const sweepPerGet = 4

// NewKeyed returns buckets of rate r; nil (no limit) if r is off.
func NewKeyed(r Rate) *Keyed {
	if r.Off() {
		return nil
	}
	return &Keyed{rate: r, buckets: make(map[string]*rate.Limiter)}
}

// Get returns the bucket of key at now; nil, no limit, for a nil Keyed.
func (k *Keyed) Get(key string, now time.Time) *rate.Limiter {
	if k == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for key, b := range k.buckets { // from a random place each time
		if n++; n > sweepPerGet {
			break
		}
		if b.TokensAt(now) >= float64(k.rate.Burst) {
			delete(k.buckets, key)
		}
	}
	b := k.buckets[key]
	if b == nil {
		b = New(k.rate)
		k.buckets[key] = b
	}
	return b
}

// Len returns how many buckets k keeps.
func (k *Keyed) Len() int {
	if k == nil {
		return 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

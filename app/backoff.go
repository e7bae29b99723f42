package app

import (
	"math/rand/v2"
	"time"
)

// Backoff spaces reconnection attempts: exponential growth capped at Max,
// with full jitter, so that clients dropped together do not return
// together. The zero value uses the defaults below.
type Backoff struct {
	// Base is the ceiling of the first delay. Default: 500ms.
	Base time.Duration
	// Max caps every delay. Default: 30s.
	Max time.Duration
	// Rand returns a number in [0, 1). Default: math/rand/v2.Float64.
	Rand func() float64
}

// Delay returns how long to wait before attempt n (1 for the first retry):
// a uniformly random duration in [0, min(Max, Base*2^(n-1))).
func (b Backoff) Delay(n int) time.Duration {
	base, max, random := b.Base, b.Max, b.Rand
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if max <= 0 {
		max = 30 * time.Second
	}
	if random == nil {
		random = rand.Float64
	}
	ceiling := max
	if n < 1 {
		n = 1
	}
	if n-1 < 32 && base<<(n-1) < max && base<<(n-1) > 0 {
		ceiling = base << (n - 1)
	}
	return time.Duration(random() * float64(ceiling))
}

// Clock tells the time and waits; tests replace it.
type Clock interface {
	Now() time.Time
	// After is time.After.
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

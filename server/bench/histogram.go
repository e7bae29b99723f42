//go:build !js

package bench

import (
	"math/bits"
	"time"
)

// histogram counts durations in log-linear buckets (32 per power of two,
// about 3% wide). It is not safe for concurrent use: each client keeps its
// own, and the run merges them.
type histogram struct {
	buckets [64 * 32]int64
	max     int64
}

func bucketOf(ns int64) int {
	if ns < 32 {
		return int(max(ns, 0))
	}
	e := bits.Len64(uint64(ns)) // ns has e bits, e >= 6
	sub := (ns >> (e - 6)) & 31
	return (e-5)*32 + int(sub)
}

// lowerBound returns the smallest duration in bucket b.
func lowerBound(b int) int64 {
	if b < 32 {
		return int64(b)
	}
	e := b/32 + 5
	sub := int64(b % 32)
	return (32 + sub) << (e - 6)
}

func (h *histogram) Record(d time.Duration) {
	ns := int64(d)
	h.buckets[bucketOf(ns)]++
	h.max = max(h.max, ns)
}

// Quantile returns the duration below which a fraction q of the recorded
// durations fall.
func (h *histogram) Quantile(q float64) time.Duration {
	var total int64
	for _, n := range h.buckets {
		total += n
	}
	if total == 0 {
		return 0
	}
	rank := int64(q * float64(total))
	var seen int64
	for i, n := range h.buckets {
		seen += n
		if seen > rank {
			return time.Duration(lowerBound(i))
		}
	}
	return time.Duration(h.max)
}

func (h *histogram) Max() time.Duration { return time.Duration(h.max) }

// merge adds o's counts to h.
func (h *histogram) merge(o *histogram) {
	for i, n := range o.buckets {
		h.buckets[i] += n
	}
	h.max = max(h.max, o.max)
}

//go:build !js

package limit_test

import (
	"testing"
	"time"

	"livechat/server/limit"
)

func TestParseRate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want limit.Rate
		bad  bool
	}{
		{in: "30/15s", want: limit.Rate{Burst: 30, Per: 15 * time.Second}},
		{in: "1/1h", want: limit.Rate{Burst: 1, Per: time.Hour}},
		{in: "off"},
		{in: "0"},
		{in: "30", bad: true},
		{in: "-1/1s", bad: true},
		{in: "5/0s", bad: true},
		{in: "5/soon", bad: true},
		{in: "x/1s", bad: true},
	} {
		got, err := limit.ParseRate(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.bad)
		}
		if err == nil {
			if back, _ := limit.ParseRate(got.String()); back != got {
				t.Errorf("%v does not read back: %v", got, back)
			}
		}
	}
}

func TestTakeIsAllOrNothing(t *testing.T) {
	now := time.Unix(1000, 0)
	small := limit.New(limit.Rate{Burst: 2, Per: 2 * time.Second}) // 1 a second
	big := limit.New(limit.Rate{Burst: 10, Per: time.Second})
	for i := range 2 {
		if wait := limit.Take(now, small, big, nil); wait != 0 {
			t.Fatalf("take %d: wait %v with tokens left", i, wait)
		}
	}
	wait := limit.Take(now, small, big)
	if wait <= 0 || wait > time.Second {
		t.Fatalf("empty bucket: wait %v, want (0, 1s]", wait)
	}
	// The refusal took nothing from big: 8 tokens remain of 10.
	if got := big.TokensAt(now); got < 7.99 || got > 8.01 {
		t.Errorf("big has %.2f tokens after a refused take, want 8", got)
	}
	if wait := limit.Take(now.Add(wait), small, big); wait != 0 {
		t.Errorf("after waiting as told: wait %v more", wait)
	}
	if limit.Take(now, nil, nil) != 0 {
		t.Error("no buckets limited")
	}
}

func TestKeyedForgetsFullBuckets(t *testing.T) {
	k := limit.NewKeyed(limit.Rate{Burst: 3, Per: 3 * time.Second})
	now := time.Unix(1000, 0)
	for i := range 3 {
		if limit.Take(now, k.Get("a", now)) != 0 {
			t.Fatalf("take %d refused", i)
		}
	}
	if limit.Take(now, k.Get("a", now)) == 0 {
		t.Fatal("a fourth take at once was allowed")
	}
	if limit.Take(now, k.Get("b", now)) != 0 {
		t.Fatal("another key shares a's bucket")
	}
	if k.Len() != 2 {
		t.Fatalf("%d buckets, want 2", k.Len())
	}
	later := now.Add(time.Hour)
	k.Get("c", later) // sweeps a and b, refilled long ago
	if k.Len() != 1 {
		t.Errorf("%d buckets after a sweep, want 1", k.Len())
	}
	if limit.NewKeyed(limit.Rate{}) != nil || (*limit.Keyed)(nil).Get("a", now) != nil {
		t.Error("an off rate limits")
	}
}

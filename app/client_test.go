package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"livechat/app"
	"livechat/shared"
)

func TestBackoffDelay(t *testing.T) {
	tests := []struct {
		attempt int
		rand    float64
		want    time.Duration
	}{
		{1, 0.5, 250 * time.Millisecond},
		{2, 0.5, 500 * time.Millisecond},
		{3, 0.5, time.Second},
		{4, 0.999, 3996 * time.Millisecond},
		{7, 0.5, 15 * time.Second},
		{8, 0.5, 15 * time.Second}, // capped at 30s
		{100, 0.999, 29970 * time.Millisecond},
		{5, 0, 0},
	}
	for _, tt := range tests {
		b := app.Backoff{Rand: func() float64 { return tt.rand }}
		if got := b.Delay(tt.attempt); got != tt.want {
			t.Errorf("Delay(%d) with rand %v = %v, want %v", tt.attempt, tt.rand, got, tt.want)
		}
	}
}

// fakeClock hands each wait to the test, which fires it when it wants.
type fakeClock struct {
	now   time.Time
	waits chan wait
}

type wait struct {
	d    time.Duration
	fire chan time.Time
}

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	w := wait{d, make(chan time.Time, 1)}
	c.waits <- w
	return w.fire
}

// recorder collects states from the client's goroutine.
type recorder struct {
	mu     sync.Mutex
	states []app.State
	signal chan struct{}
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 100)} }

func (r *recorder) add(s app.State) {
	r.mu.Lock()
	r.states = append(r.states, s)
	r.mu.Unlock()
	r.signal <- struct{}{}
}

// next waits for the next state.
func (r *recorder) next(t *testing.T) app.State {
	t.Helper()
	select {
	case <-r.signal:
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a state change")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.states[0]
	r.states = r.states[1:]
	return s
}

// TestReconnectSchedule follows the client through failing attempts: each
// wait is the backoff delay for its attempt, computed from the injected
// randomness, and announced with the matching retry time. The server was
// never reached, so the client says it is offline.
func TestReconnectSchedule(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), waits: make(chan wait, 100)}
	rands := []float64{0.5, 0.25, 0.999, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5}
	var dials int
	rec := newRecorder()
	c := app.NewClient(app.ClientConfig{
		URL:   "ws://unused/ws",
		Hello: shared.Hello{Nickname: "alice"},
		Backoff: app.Backoff{Rand: func() float64 {
			r := rands[0]
			rands = rands[1:]
			return r
		}},
		Clock: clock,
		Dial: func(ctx context.Context, url string) (*shared.Conn, error) {
			dials++
			return nil, errors.New("connection refused")
		},
		OnState: rec.add,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	if s := rec.next(t); s.Status != app.StatusConnecting {
		t.Fatalf("first state %v, want connecting", s.Status)
	}
	want := []time.Duration{
		250 * time.Millisecond,  // 0.5 * 0.5s
		250 * time.Millisecond,  // 0.25 * 1s
		1998 * time.Millisecond, // 0.999 * 2s
		400 * time.Millisecond,  // 0.1 * 4s
		4 * time.Second,         // 0.5 * 8s
		8 * time.Second,         // 0.5 * 16s
		15 * time.Second,        // 0.5 * 30s (capped)
		15 * time.Second,
	}
	for i, d := range want {
		s := rec.next(t)
		if s.Status != app.StatusOffline || s.Attempt != i+1 || !s.RetryAt.Equal(clock.now.Add(d)) || s.Err == "" {
			t.Fatalf("attempt %d: state %+v, want offline until +%v", i+1, s, d)
		}
		w := <-clock.waits
		if w.d != d {
			t.Fatalf("attempt %d: waited %v, want %v", i+1, w.d, d)
		}
		w.fire <- clock.now
		if s := rec.next(t); s.Status != app.StatusOffline || !s.RetryAt.IsZero() {
			t.Fatalf("attempt %d: state %+v, want an attempt under way", i+2, s)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if dials != len(want)+1 {
		t.Errorf("dialled %d times, want %d", dials, len(want)+1)
	}
}

// TestWakeAndOffline checks that Wake cuts a wait short, and that the
// client waits while the device is offline and tries again when woken.
func TestWakeAndOffline(t *testing.T) {
	clock := &fakeClock{waits: make(chan wait, 10)}
	var mu sync.Mutex
	online := true
	rec := newRecorder()
	c := app.NewClient(app.ClientConfig{
		URL:     "ws://unused/ws",
		Hello:   shared.Hello{Nickname: "alice"},
		Backoff: app.Backoff{Rand: func() float64 { return 0.9 }},
		Clock:   clock,
		Dial: func(ctx context.Context, url string) (*shared.Conn, error) {
			return nil, errors.New("connection refused")
		},
		Online:  func() bool { mu.Lock(); defer mu.Unlock(); return online },
		OnState: rec.add,
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	rec.next(t) // connecting
	if s := rec.next(t); s.Status != app.StatusOffline || s.RetryAt.IsZero() {
		t.Fatalf("state %+v, want a wait", s)
	}
	// The browser goes offline; the wait is cut short and the client waits
	// for the network without dialling.
	mu.Lock()
	online = false
	mu.Unlock()
	c.Wake()
	if s := rec.next(t); s.Status != app.StatusOffline || !s.NoNetwork || !s.RetryAt.IsZero() {
		t.Fatalf("state %+v, want offline waiting for the network", s)
	}
	mu.Lock()
	online = true
	mu.Unlock()
	c.Wake()
	if s := rec.next(t); s.Status != app.StatusOffline || s.NoNetwork || !s.RetryAt.IsZero() || s.Attempt != 1 {
		t.Fatalf("state %+v, want an attempt under way", s)
	}
	cancel()
	<-done
}

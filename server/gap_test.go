//go:build !js

package server_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"livechat/server/store"
	"livechat/shared"
)

// faultyLog is the real message store with two faults a test switches
// on: the live feed skips some messages (as NATS does for a subscriber
// that falls behind), and reading ranges fails or hangs.
type faultyLog struct {
	*store.Store

	mu    sync.Mutex
	skip  map[uint64]bool
	fault func(from, to uint64) error // called before each Range; nil: none
	reads int
}

func (f *faultyLog) Subscribe(room string, deliver func([]shared.Message)) (func(), error) {
	return f.Store.Subscribe(room, func(ms []shared.Message) {
		f.mu.Lock()
		kept := slices.DeleteFunc(slices.Clone(ms), func(m shared.Message) bool { return f.skip[m.ID] })
		f.mu.Unlock()
		if len(kept) > 0 {
			deliver(kept)
		}
	})
}

func (f *faultyLog) Range(ctx context.Context, room string, from, to uint64) ([]shared.Message, error) {
	f.mu.Lock()
	fault := f.fault
	f.reads++
	f.mu.Unlock()
	if fault != nil {
		if err := fault(from, to); err != nil {
			return nil, err
		}
	}
	return f.Store.Range(ctx, room, from, to)
}

func (f *faultyLog) set(skip []uint64, fault func(from, to uint64) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.skip = make(map[uint64]bool)
	for _, id := range skip {
		f.skip[id] = true
	}
	f.fault = fault
}

var errStoreDown = errors.New("the store is unreachable (test fault)")

// messageIDs reads from c until it has n messages, and returns their ids
// in the order received.
func messageIDs(c *client, n int) []uint64 {
	c.t.Helper()
	var got []uint64
	for len(got) < n {
		got = append(got, c.nextMessage().ID)
	}
	return got
}

// TestGapRepaired: the live feed skips a message and the store fails the
// first reads of it; the hub retries, and every member gets every
// message, once, in order.
func TestGapRepaired(t *testing.T) {
	log := &faultyLog{Store: openStore(t, store.Config{})}
	srv := startServerWith(t, testConfig(), log)
	alice := join(t, srv.URL, "alice")
	bob := join(t, srv.URL, "bob")
	alice.presence()

	failures := 2
	log.set([]uint64{2}, func(from, to uint64) error {
		if failures > 0 {
			failures--
			return errStoreDown
		}
		return nil
	})
	for _, id := range []string{"a1", "a2", "a3"} {
		alice.say(id, "text "+id)
	}
	for _, c := range []*client{alice, bob} {
		if got := messageIDs(c, 3); !slices.Equal(got, []uint64{1, 2, 3}) {
			t.Errorf("%s got %v", c.name, got)
		}
	}
	if failures != 0 {
		t.Errorf("the gap was not read from the store (%d faults left)", failures)
	}
}

// TestGapUnreadableResumes: when a skipped message cannot be read from
// the store at all, nobody misses it silently: the members are told to
// reconnect (closing, then 1013) and get it by resuming. A join whose
// history cannot be read is sent the same, instead of going live with a
// hole.
func TestGapUnreadableResumes(t *testing.T) {
	log := &faultyLog{Store: openStore(t, store.Config{})}
	srv := startServerWith(t, testConfig(), log)
	alice := dial(t, srv.URL)
	alice.name = "alice"
	alice.hello("alice")
	alice.send(shared.TypeJoin, "", shared.Join{})
	alice.joined()
	bob := join(t, srv.URL, "bob")
	alice.presence()

	log.set([]uint64{2}, func(from, to uint64) error { return errStoreDown })
	for _, id := range []string{"a1", "a2", "a3"} {
		alice.say(id, "text "+id)
	}
	for _, c := range []*client{alice, bob} {
		if m := c.nextMessage(); m.ID != 1 {
			t.Fatalf("%s got %+v first", c.name, m)
		}
		c.expectClose(shared.StatusTryAgain)
	}

	// A newcomer's history cannot be read either.
	carol := dial(t, srv.URL)
	carol.hello("carol")
	carol.send(shared.TypeJoin, "", shared.Join{History: new(10)})
	expect[shared.Joined](carol, shared.TypeJoined)
	expect[shared.Presence](carol, shared.TypePresence)
	carol.expectClose(shared.StatusTryAgain)

	// The store is back: alice resumes after the last message she had and
	// gets exactly what she missed.
	log.set(nil, nil)
	alice = dial(t, srv.URL)
	alice.name = "alice again"
	alice.hello("alice")
	alice.send(shared.TypeJoin, "", shared.Join{Since: new(uint64(1))})
	_, _, hist := alice.joined()
	if got := ids(messagesOf(hist)); !slices.Equal(got, []uint64{2, 3}) || hist[0].Truncated {
		t.Fatalf("resumed %v (truncated %v), want [2 3]", got, hist[0].Truncated)
	}
	alice.say("a4", "text a4")
	if m := alice.nextMessage(); m.ID != 4 {
		t.Fatalf("after resuming, got %+v", m)
	}
}

// TestSlowStoreDoesNotStallRoom: while a gap is being read from a store
// that hangs, the room goes on: people join, ping and get their messages
// acknowledged; the delivery catches up, in order, once the store
// answers.
func TestSlowStoreDoesNotStallRoom(t *testing.T) {
	log := &faultyLog{Store: openStore(t, store.Config{})}
	srv := startServerWith(t, testConfig(), log)
	alice := join(t, srv.URL, "alice")

	reading := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	log.set([]uint64{2}, func(from, to uint64) error {
		if from == 2 && to == 2 {
			once.Do(func() { close(reading) })
			<-release
		}
		return nil
	})
	for _, id := range []string{"a1", "a2", "a3"} {
		alice.say(id, "text "+id)
	}
	<-reading

	carol := dial(t, srv.URL)
	carol.name = "carol"
	carol.hello("carol")
	carol.send(shared.TypeJoin, "", shared.Join{History: new(0)})
	w, _, _ := carol.joined()
	carol.say("c1", "hello while the store is slow")
	for {
		env, err := carol.read()
		if err != nil {
			t.Fatalf("carol: %v", err)
		}
		if env.Type == shared.TypeAck {
			break
		}
		if env.Type != shared.TypePresenceUpdate {
			t.Fatalf("carol got %s before her ack", env.Type)
		}
	}
	carol.send(shared.TypePing, "p1", nil)
	if env := carol.next(); env.Type != shared.TypePong {
		t.Fatalf("carol got %s, want pong", env.Type)
	}
	close(release)

	if got := messageIDs(alice, 4); !slices.Equal(got, []uint64{1, 2, 3, 4}) {
		t.Errorf("alice got %v", got)
	}
	// carol joined without history: she gets, live, what came after the
	// last message delivered then (1, or none if 1 waits with the gap).
	if got := messageIDs(carol, int(4-w.Last)); !slices.Equal(got, span(w.Last+1, 4)) {
		t.Errorf("carol joined after %d and got %v", w.Last, got)
	}
}

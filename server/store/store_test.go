//go:build !js

package store_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"livechat/server/store"
	"livechat/shared"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func open(t *testing.T, cfg store.Config) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func message(room string, i int) shared.Message {
	return shared.Message{Room: room, From: "alice", Text: fmt.Sprintf("message %d", i), At: time.Now().UTC().Truncate(time.Millisecond), ClientID: fmt.Sprintf("c-%d", i)}
}

func TestAppendRangeSubscribeReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := open(t, store.Config{Dir: dir})
	if err := s.EnsureRoom(ctx, "general"); err != nil {
		t.Fatal(err)
	}
	live := make(chan shared.Message, 1000)
	stop, err := s.Subscribe("general", func(ms []shared.Message) {
		for _, m := range ms {
			live <- m
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	const n = 600
	for i := 1; i <= n; i++ {
		id, dup, err := s.Append(ctx, message("general", i), fmt.Sprintf("alice/c-%d", i))
		if err != nil || dup || id != uint64(i) {
			t.Fatalf("Append %d = %d, %v, %v", i, id, dup, err)
		}
	}
	// A resend with the same dedupe id is not stored again.
	if id, dup, err := s.Append(ctx, message("general", 7), "alice/c-7"); err != nil || !dup || id != 7 {
		t.Fatalf("resend = %d, %v, %v; want the first copy's id 7", id, dup, err)
	}
	for i := 1; i <= n; i++ {
		select {
		case m := <-live:
			if m.ID != uint64(i) || m.Text != fmt.Sprintf("message %d", i) || m.Room != "general" || m.ClientID != fmt.Sprintf("c-%d", i) {
				t.Fatalf("live %d: %+v", i, m)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("live message %d did not arrive", i)
		}
	}
	stop()
	if first, last, err := s.Bounds(ctx, "general"); err != nil || first != 1 || last != n {
		t.Fatalf("Bounds = %d, %d, %v", first, last, err)
	}
	got, err := s.Range(ctx, "general", 1, n)
	if err != nil || len(got) != n {
		t.Fatalf("Range = %d messages, %v", len(got), err)
	}
	for i, m := range got {
		if m.ID != uint64(i+1) || m.From != "alice" || m.At.IsZero() {
			t.Fatalf("Range[%d] = %+v", i, m)
		}
	}
	if got, _ := s.Range(ctx, "general", 590, 595); len(got) != 6 || got[0].ID != 590 || got[5].ID != 595 {
		t.Fatalf("Range(590, 595) = %+v", got)
	}
	if got, _ := s.Range(ctx, "general", n+1, n+10); len(got) != 0 {
		t.Fatalf("Range past the end = %+v", got)
	}

	// A second process cannot open the same data directory.
	_, err = store.Open(ctx, store.Config{Dir: dir}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "in use by another livechat process") {
		t.Fatalf("second Open = %v", err)
	}

	// Everything is there after a restart.
	s.Close()
	s = open(t, store.Config{Dir: dir})
	defer s.Close()
	if first, last, err := s.Bounds(ctx, "general"); err != nil || first != 1 || last != n {
		t.Fatalf("Bounds after reopening = %d, %d, %v", first, last, err)
	}
	if got, err := s.Range(ctx, "general", 1, n); err != nil || len(got) != n || got[n-1].Text != fmt.Sprintf("message %d", n) {
		t.Fatalf("Range after reopening: %d messages, %v", len(got), err)
	}
}

func TestRetention(t *testing.T) {
	ctx := context.Background()
	s := open(t, store.Config{Dir: t.TempDir(), RoomMessages: 100})
	defer s.Close()
	if err := s.EnsureRoom(ctx, "small"); err != nil {
		t.Fatal(err)
	}
	if first, last, _ := s.Bounds(ctx, "small"); first != 1 || last != 0 {
		t.Fatalf("empty room bounds %d, %d", first, last)
	}
	for i := 1; i <= 150; i++ {
		if _, _, err := s.Append(ctx, message("small", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	first, last, err := s.Bounds(ctx, "small")
	if err != nil || first != 51 || last != 150 {
		t.Fatalf("Bounds = %d, %d, %v; want 51, 150", first, last, err)
	}
	got, err := s.Range(ctx, "small", 1, 150)
	if err != nil || len(got) != 100 || got[0].ID != 51 {
		t.Fatalf("Range = %d messages from %d, %v", len(got), got[0].ID, err)
	}
}

// TestAckWaitsForDisk: the embedded store acknowledges a message, and
// delivers it live, only after the file holding it was synced to disk.
// With syncs failing, a send fails (it can be resent: the resend is
// recognised) and nothing is delivered; once syncs work, the resend is
// acknowledged with the first copy's id and the message is delivered.
func TestAckWaitsForDisk(t *testing.T) {
	ctx := context.Background()
	s := open(t, store.Config{Dir: t.TempDir()})
	defer s.Close()
	if err := s.EnsureRoom(ctx, "general"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var synced []string
	var broken bool
	live := make(chan shared.Message, 10)
	stop, err := s.Subscribe("general", func(ms []shared.Message) {
		mu.Lock()
		if broken {
			t.Errorf("delivered %+v while the disk fails", ms)
		}
		mu.Unlock()
		for _, m := range ms {
			live <- m
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	store.SetFsync(s, func(f *os.File) error {
		mu.Lock()
		defer mu.Unlock()
		if broken {
			return errors.New("disk on fire")
		}
		synced = append(synced, f.Name())
		return f.Sync()
	})
	if _, _, err := s.Append(ctx, message("general", 1), "alice/c-1"); err != nil {
		t.Fatal(err)
	}
	if m := <-live; m.ID != 1 {
		t.Fatalf("delivered %+v", m)
	}
	mu.Lock()
	if !slices.ContainsFunc(synced, func(name string) bool { return strings.HasSuffix(name, ".blk") }) {
		t.Errorf("acknowledged without syncing a message block; synced %v", synced)
	}
	broken = true
	mu.Unlock()

	done := make(chan error, 1)
	if err := s.AppendAsync(message("general", 2), "alice/c-2", func(id uint64, dup bool, err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("append with a failing disk: %v", err)
	}
	if _, _, err := s.Append(ctx, message("general", 2), "alice/c-2"); err == nil {
		t.Fatal("a resend with a failing disk succeeded")
	}

	mu.Lock()
	broken = false
	mu.Unlock()
	id, dup, err := s.Append(ctx, message("general", 2), "alice/c-2")
	if err != nil || !dup || id != 2 {
		t.Fatalf("resend once the disk works: id %d, duplicate %v, %v", id, dup, err)
	}
	if m := <-live; m.ID != 2 {
		t.Fatalf("delivered %+v", m)
	}
}

// TestSyncsAreShared: many messages sent at once take far fewer syncs
// than messages, and each is acknowledged only after a sync.
func TestSyncsAreShared(t *testing.T) {
	ctx := context.Background()
	s := open(t, store.Config{Dir: t.TempDir()})
	defer s.Close()
	if err := s.EnsureRoom(ctx, "general"); err != nil {
		t.Fatal(err)
	}
	const n = 2000
	var wg sync.WaitGroup
	var failed atomic.Int32
	wg.Add(n)
	for i := range n {
		err := s.AppendAsync(message("general", i), fmt.Sprintf("alice/c-%d", i), func(id uint64, dup bool, err error) {
			if syncs, _ := s.SyncStats(); err != nil || syncs == 0 {
				failed.Add(1)
			}
			wg.Done()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d messages failed or were acknowledged before any sync", failed.Load())
	}
	syncs, files := s.SyncStats()
	t.Logf("%d messages: %d syncs, %d files", n, syncs, files)
	if syncs == 0 || syncs > n/4 {
		t.Errorf("%d syncs for %d messages", syncs, n)
	}
}

//go:build !js

package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"livechat/server/store"
	"livechat/shared"
)

// TestEventsFoldOntoMessages stores events about messages, with their
// writers taking turns, and reads each message's newest one back, live
// and by id; counts of messages said leave events out.
func TestEventsFoldOntoMessages(t *testing.T) {
	ctx := context.Background()
	s := open(t, store.Config{Dir: t.TempDir()})
	defer s.Close()
	if err := s.EnsureRoom(ctx, "general"); err != nil {
		t.Fatal(err)
	}
	live := make(chan shared.Message, 100)
	stop, err := s.Subscribe("general", func(ms []shared.Message) {
		for _, m := range ms {
			live <- m
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	// Before anything is stored, nothing is there.
	if got, err := s.Events(ctx, "general", []uint64{1, 2}); err != nil || len(got) != 0 {
		t.Fatalf("Events of an empty room = %v, %v", got, err)
	}
	for i := 1; i <= 3; i++ {
		if _, _, err := s.Append(ctx, message("general", i), fmt.Sprint("c", i)); err != nil {
			t.Fatal(err)
		}
	}
	bob := shared.Person{ID: "b", Nickname: "bob"}
	react := shared.Message{Room: "general", Kind: shared.MessageReact, Of: 2, From: "bob", Reactions: []shared.Reaction{{Emoji: "👍", People: []shared.Person{bob}}}}
	id, dup, err := s.AppendEvent(ctx, react, 0, "r1")
	if err != nil || dup || id != 4 {
		t.Fatalf("AppendEvent = %d, %v, %v; want 4", id, dup, err)
	}
	// A writer that did not see event 4 is turned away.
	edit := shared.Message{Room: "general", Kind: shared.MessageEdit, Of: 2, Text: "edited", Edited: time.Now().UTC().Truncate(time.Millisecond)}
	if _, _, err := s.AppendEvent(ctx, edit, 0, "e1"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("AppendEvent from a stale state: %v, want ErrConflict", err)
	}
	edit.Reactions = react.Reactions
	if id, _, err := s.AppendEvent(ctx, edit, 4, "e1"); err != nil || id != 5 {
		t.Fatalf("AppendEvent = %d, %v; want 5", id, err)
	}
	// A resend is stored once: made from the newest state (JetStream
	// checks the state before duplicates), it is found a duplicate.
	if _, _, err := s.AppendEvent(ctx, edit, 4, "e1"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("resent AppendEvent from the old state: %v, want ErrConflict", err)
	}
	if id, dup, err := s.AppendEvent(ctx, edit, 5, "e1"); err != nil || !dup || id != 5 {
		t.Fatalf("resent AppendEvent = %d, %v, %v; want 5, duplicate", id, dup, err)
	}
	if _, _, err := s.AppendEvent(ctx, shared.Message{Room: "general", Kind: shared.MessageEdit, Of: 3}, 0, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Append(ctx, message("general", 7), "c7"); err != nil {
		t.Fatal(err)
	}
	for want := uint64(1); want <= 7; want++ {
		select {
		case m := <-live:
			if m.ID != want {
				t.Fatalf("live %d, want %d", m.ID, want)
			}
			if want == 5 && (m.Kind != shared.MessageEdit || m.Of != 2 || m.Text != "edited" || len(m.Reactions) != 1) {
				t.Fatalf("live event 5: %+v", m)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("live %d did not arrive", want)
		}
	}
	got, err := s.Events(ctx, "general", []uint64{1, 2, 3, 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[2].ID != 5 || got[2].Text != "edited" || got[3].ID != 6 {
		t.Fatalf("Events = %+v", got)
	}
	if e, ok, err := s.LastEvent(ctx, "general", 2); err != nil || !ok || e.ID != 5 {
		t.Fatalf("LastEvent = %+v, %v, %v", e, ok, err)
	}
	// Messages said: 1, 2, 3 and 7.
	for after, want := range map[uint64]int{0: 4, 1: 3, 3: 1, 6: 1, 7: 0, 100: 0} {
		if n, err := s.CountSaid(ctx, "general", after); err != nil || n != want {
			t.Errorf("CountSaid after %d = %d, %v; want %d", after, n, err, want)
		}
	}
	if n, err := s.CountSaid(ctx, "nowhere", 0); err != nil || n != 0 {
		t.Errorf("CountSaid of a room never written = %d, %v", n, err)
	}
}

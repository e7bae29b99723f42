package app

import (
	"testing"
	"time"

	"livechat/shared"
)

func event(room string, id uint64, kind string, of uint64, state shared.Message) Event {
	state.ID, state.Room, state.Kind, state.Of = id, room, kind, of
	return Event{Type: shared.TypeMessage, Message: &state}
}

// TestEventsFoldOntoTheirMessages applies edits, reactions and reply
// counts, live, repeated, out of order and about messages not loaded yet.
func TestEventsFoldOntoTheirMessages(t *testing.T) {
	me := reader{ID: "a", Nickname: "ada"}
	r := newRooms("general")
	c := r.get("general")
	r.Apply(msg("general", 10, "b", "bob", "helo"), me, true)
	r.Apply(msg("general", 11, "a", "ada", "hi"), me, true)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	thumbs := []shared.Reaction{{Emoji: "👍", People: []shared.Person{{ID: "a", Nickname: "ada"}}}}
	r.Apply(event("general", 12, shared.MessageEdit, 10, shared.Message{Text: "hello @ada", Edited: at}), me, true)
	r.Apply(event("general", 13, shared.MessageReact, 10, shared.Message{Text: "hello @ada", Edited: at, Reactions: thumbs}), me, true)
	e := c.Entries[0]
	if e.Text != "hello @ada" || !e.Edited.Equal(at) || len(e.Reactions) != 1 || e.Rev != 13 || !e.Mention {
		t.Fatalf("after an edit and a reaction: %+v", e)
	}
	if len(c.Entries) != 2 || c.Unread != 0 || c.LastID != 13 {
		t.Fatalf("events are no lines and no unread messages: %+v, unread %d", c.Entries, c.Unread)
	}
	// An older event (as a resume might repeat) changes nothing.
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", Live: true, Messages: []shared.Message{
		{ID: 12, Room: "general", Kind: shared.MessageEdit, Of: 10, Text: "helo!", Edited: at},
	}}}, me, true)
	if c.Entries[0].Text != "hello @ada" {
		t.Errorf("an older event was folded: %+v", c.Entries[0])
	}
	// A reply count about a message not loaded is kept for the page that
	// brings it, unless the page already has a newer state.
	r.Apply(event("general", 14, shared.MessageReply, 5, shared.Message{Replies: 2}), me, true)
	r.Apply(event("general", 15, shared.MessageReply, 6, shared.Message{Replies: 1}), me, true)
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", Before: 10, Messages: []shared.Message{
		{ID: 5, Room: "general", Author: "b", From: "bob", Text: "question"},
		{ID: 6, Room: "general", Author: "b", From: "bob", Text: "another", Replies: 3, Rev: 16},
	}}}, me, true)
	if c.Entries[0].Replies != 2 || c.Entries[1].Replies != 3 || len(c.orphans) != 0 {
		t.Errorf("a page after its events: %+v; kept %v", c.Entries[:2], c.orphans)
	}
}

func TestTypingAndSeen(t *testing.T) {
	me := reader{ID: "a", Nickname: "ada"}
	r := newRooms("general")
	c := r.get("general")
	r.Apply(Event{Type: shared.TypeTyping, Typing: &shared.Typing{Room: "general", People: []shared.Person{{ID: "b", Nickname: "bob"}}}}, me, true)
	r.Apply(Event{Type: shared.TypeTyping, Typing: &shared.Typing{Room: "general", People: []shared.Person{{ID: "c", Nickname: "carol"}, {ID: "a", Nickname: "ada"}}}}, me, true)
	now := time.Now()
	if got := c.typingText(now); got != "bob and carol are typing…" {
		t.Errorf("two typing: %q", got)
	}
	r.Apply(msg("general", 1, "b", "bob", "hi"), me, true)
	if got := c.typingText(now); got != "carol is typing…" {
		t.Errorf("after bob's message: %q", got)
	}
	if got := c.typingText(now.Add(shared.TypingLasts + time.Millisecond)); got != "" {
		t.Errorf("after %v: %q", shared.TypingLasts, got)
	}
	r.Apply(msg("general", 2, "a", "ada", "hello"), me, true)
	seen := func(id string, nick string, read uint64) shared.Reader {
		return shared.Reader{Person: shared.Person{ID: id, Nickname: nick}, ID: read}
	}
	r.Apply(Event{Type: shared.TypeSeen, Seen: &shared.Seen{Room: "general", Readers: []shared.Reader{
		seen("a", "ada", 2), seen("b", "bob", 2), seen("c", "carol", 1),
	}}}, me, true)
	if at, got := c.seenBy(me); got != "Seen by bob" || at != 2 {
		t.Errorf("seen by: %q under %d", got, at)
	}
	r.Apply(Event{Type: shared.TypeSeen, Seen: &shared.Seen{Room: "general", Readers: []shared.Reader{
		seen("c", "carol", 2), seen("d", "dave", 2), seen("e", "erin", 3), seen("f", "fay", 2), seen("b", "bob", 1),
	}}}, me, true)
	if _, got := c.seenBy(me); got != "Seen by bob, carol, dave +2" {
		t.Errorf("seen by five: %q", got)
	}
	c.Info = shared.RoomInfo{Kind: shared.KindDirect, People: []shared.Person{{ID: "a"}, {ID: "b"}}}
	c.readers = nil
	r.Apply(Event{Type: shared.TypeSeen, Seen: &shared.Seen{Room: "general", Readers: []shared.Reader{seen("b", "bob", 2)}}}, me, true)
	if at, got := c.seenBy(me); got != "Seen" || at != 2 {
		t.Errorf("a direct conversation: %q under %d", got, at)
	}
	// bob has not read ada's next message: "Seen" stays under the one he
	// read; nothing under bob's own.
	r.Apply(msg("general", 3, "a", "ada", "are you there?"), me, true)
	r.Apply(msg("general", 4, "b", "bob", "yes"), me, true)
	if at, got := c.seenBy(me); got != "Seen" || at != 2 {
		t.Errorf("after a message not read yet: %q under %d, want under 2", got, at)
	}
}

package app

import (
	"testing"
	"time"

	"livechat/shared"
)

// These tests drive the view state with protocol events, natively: no
// browser, no DOM.

func msg(room string, id uint64, author, from, text string) Event {
	return Event{Type: shared.TypeMessage, Message: &shared.Message{ID: id, Room: room, Author: author, From: from, Text: text, At: time.Now()}}
}

func TestRoomsUnreadAndMentions(t *testing.T) {
	me := reader{ID: "me-id", Nickname: "Ada"}
	r := newRooms("general")
	r.Apply(Event{Type: shared.TypeRoomsList, Rooms: &shared.Rooms{
		Mine: []shared.RoomInfo{
			{ID: "general", Name: "general", Kind: shared.KindPublic, Member: true, Last: 10, Read: 8, Unread: 2},
			{ID: "dm-1", Kind: shared.KindDirect, Member: true, People: []shared.Person{{ID: "me-id", Nickname: "Ada"}, {ID: "b", Nickname: "bob"}}},
			{ID: "p-club", Name: "Book club", Kind: shared.KindPrivate, Member: true, Unread: 1, Mentions: 1},
		},
		Directory: []shared.RoomInfo{{ID: "general", Kind: shared.KindPublic, Member: true}, {ID: "random", Kind: shared.KindPublic}},
	}}, me, true)
	if got := r.Mine; len(got) != 3 || got[0] != "p-club" || got[1] != "general" || got[2] != "dm-1" {
		t.Fatalf("sidebar order %v, want rooms by name, then direct conversations", got)
	}
	if title := r.get("dm-1").title(me); title != "bob" {
		t.Errorf("the direct conversation is called %q, want bob", title)
	}
	if r.unread() != 3 {
		t.Fatalf("unread %d, want 3", r.unread())
	}

	// In the room shown, visible: nothing becomes unread, nothing notifies.
	if n := r.Apply(msg("general", 11, "b", "bob", "hi"), me, true); n != nil || r.get("general").Unread != 2 {
		t.Errorf("a message in the room read as it comes: notify %v, unread %d", n, r.get("general").Unread)
	}
	// Elsewhere: counted, and a mention counts twice over.
	if n := r.Apply(msg("dm-1", 1, "b", "bob", "@ada look"), me, true); n == nil {
		t.Error("a message in another room does not notify")
	}
	if c := r.get("dm-1"); c.Unread != 1 || c.Mentions != 1 || !c.Entries[0].Mention {
		t.Errorf("dm: unread %d, mentions %d, entry %+v", c.Unread, c.Mentions, c.Entries[0])
	}
	// One's own messages never count, also from another device.
	r.Apply(msg("dm-1", 2, "me-id", "Ada", "on it"), me, false)
	if c := r.get("dm-1"); c.Unread != 1 || !c.Entries[1].Own {
		t.Errorf("own message: unread %d, %+v", c.Unread, c.Entries[1])
	}
	// Read on another device.
	r.Apply(Event{Type: shared.TypeReadPosition, Read: &shared.Read{Room: "dm-1", ID: 2}}, me, true)
	if c := r.get("dm-1"); c.Unread != 0 || c.Mentions != 0 {
		t.Errorf("after reading elsewhere: unread %d, mentions %d", c.Unread, c.Mentions)
	}
	// Marking the room shown read.
	r.Current = "p-club"
	r.Apply(msg("p-club", 5, "b", "bob", "chapter two"), me, false)
	if id := r.markRead(); id != 5 || r.get("p-club").Unread != 0 {
		t.Errorf("markRead = %d, unread %d", id, r.get("p-club").Unread)
	}
	if id := r.markRead(); id != 0 {
		t.Errorf("marking read twice sends %d", id)
	}
	// Leaving takes the room off the sidebar.
	r.Apply(Event{Type: shared.TypeLeft, Left: &shared.Left{Room: "p-club"}}, me, true)
	if r.mine("p-club") {
		t.Error("a room left is still listed")
	}
	// Added to a room: it appears.
	r.Apply(Event{Type: shared.TypeRoom, Room: &shared.RoomInfo{ID: "p-new", Name: "New", Kind: shared.KindPrivate, Member: true}}, me, true)
	if !r.mine("p-new") || r.get("p-new").title(me) != "New" {
		t.Errorf("added room: %v, %q", r.Mine, r.get("p-new").title(me))
	}
}

func TestConversationHistoryAndPresence(t *testing.T) {
	me := reader{ID: "me-id", Nickname: "Ada"}
	r := newRooms("general")
	r.Apply(Event{Type: shared.TypePresence, Presence: &shared.Presence{Room: "general", Users: []string{"Ada", "bob"}, Online: 2}}, me, true)
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", More: true, Live: true, Messages: []shared.Message{
		{ID: 4, Room: "general", Author: "b", From: "bob", Text: "old"},
		{ID: 5, Room: "general", Author: "me-id", From: "Ada", Text: "mine", ClientID: "c-1"},
	}}}, me, true)
	c := r.get("general")
	if !c.HistoryIn || c.FirstID != 4 || c.LastID != 5 || !c.More || !c.Entries[1].Own {
		t.Fatalf("after history: %+v", c)
	}
	// A message repeated (resume seam) is not shown twice.
	r.Apply(msg("general", 5, "me-id", "Ada", "mine"), me, true)
	if len(c.Entries) != 2 {
		t.Fatalf("%d entries, want 2", len(c.Entries))
	}
	// Older page.
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", Before: 4, Messages: []shared.Message{{ID: 3, Room: "general", From: "carol", Text: "older"}}}}, me, true)
	if c.FirstID != 3 || c.More || c.Entries[0].Text != "older" {
		t.Fatalf("after an older page: %+v", c.Entries)
	}
	// Presence: a join notice; a counted update empties the list.
	r.Apply(Event{Type: shared.TypePresenceUpdate, Update: &shared.PresenceUpdate{Room: "general", Joined: []string{"carol"}, Online: 3}}, me, true)
	if len(c.Users) != 3 || c.Entries[len(c.Entries)-1].Text != "carol joined" {
		t.Fatalf("after carol joined: %v, %+v", c.Users, c.Entries[len(c.Entries)-1])
	}
	r.Apply(Event{Type: shared.TypePresenceUpdate, Update: &shared.PresenceUpdate{Room: "general", Online: 150, Counted: true}}, me, true)
	if c.Users != nil || !c.Counted || c.Online != 150 {
		t.Fatalf("after a count: %v %v %d", c.Users, c.Counted, c.Online)
	}
}

// TestUnreadNotCountedTwice: the rooms list counts up to the room's last
// message; the history that follows the join repeats some of those, which
// must not count again.
func TestUnreadNotCountedTwice(t *testing.T) {
	me := reader{ID: "me-id", Nickname: "Ada"}
	r := newRooms("other")
	r.Apply(Event{Type: shared.TypeRoomsList, Rooms: &shared.Rooms{Mine: []shared.RoomInfo{
		{ID: "general", Kind: shared.KindPublic, Member: true, Last: 10, Read: 8, Unread: 2, Mentions: 1},
	}}}, me, true)
	var msgs []shared.Message
	for id := uint64(1); id <= 11; id++ {
		msgs = append(msgs, shared.Message{ID: id, Room: "general", Author: "b", From: "bob", Text: "@Ada hi"})
	}
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", Live: true, Messages: msgs}}, me, true)
	if c := r.get("general"); c.Unread != 3 || c.Mentions != 2 {
		t.Fatalf("unread %d, mentions %d; want 3 and 2 (2 and 1 counted by the server, then message 11)", c.Unread, c.Mentions)
	}
}

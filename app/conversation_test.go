package app

import (
	"strings"
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

func TestMembersAndPresence(t *testing.T) {
	me := reader{ID: "me-id", Nickname: "Ada"}
	r := newRooms("p-club")
	c := r.get("p-club")
	if !c.needsMembers() {
		t.Fatal("a room with no member list yet does not ask for one")
	}
	r.Apply(Event{Type: shared.TypePresence, Presence: &shared.Presence{Room: "p-club", Users: []string{"Ada", "bob"}, Online: 2}}, me, true)
	r.Apply(Event{Type: shared.TypeMembersList, ID: "members-p-club", Members: &shared.Members{Room: "p-club", More: true,
		People: []shared.Member{{ID: "a", Nickname: "Ada", Online: true}, {ID: "b", Nickname: "bob", Online: true}}}}, me, true)
	if c.needsMembers() || len(c.Members) != 2 || !c.MembersMore {
		t.Fatalf("after the first page: needs %v, members %+v", c.needsMembers(), c.Members)
	}
	// The next page adds to the list; a new first page replaces it.
	r.Apply(Event{Type: shared.TypeMembersList, ID: morePrefix + "p-club", Members: &shared.Members{Room: "p-club",
		People: []shared.Member{{ID: "c", Nickname: "carol"}}}}, me, true)
	if len(c.Members) != 3 || c.MembersMore || c.Members[2].Nickname != "carol" {
		t.Fatalf("after the second page: %+v", c.Members)
	}
	// Someone who is not listed comes in: the list is asked for again.
	r.Apply(Event{Type: shared.TypePresenceUpdate, Update: &shared.PresenceUpdate{Room: "p-club", Joined: []string{"dan"}, Online: 3}}, me, true)
	if !c.needsMembers() {
		t.Error("dan came in, unlisted, and the list is not asked for")
	}
	c.MembersAsked = true
	if c.needsMembers() {
		t.Error("asked twice while a request is under way")
	}
	r.Apply(Event{Type: shared.TypeMembersList, ID: "members-p-club", Members: &shared.Members{Room: "p-club",
		People: []shared.Member{{ID: "a", Nickname: "Ada"}, {ID: "b", Nickname: "bob"}, {ID: "d", Nickname: "dan"}}}}, me, true)
	if len(c.Members) != 3 || c.MembersAsked || c.needsMembers() {
		t.Fatalf("the list anew: %+v, asked %v", c.Members, c.MembersAsked)
	}
	if n := c.othersOnline(me); n != 2 {
		t.Errorf("others online %d, want 2 (bob, dan)", n)
	}
	// A big room: counted, never asked for again on presence.
	r.Apply(Event{Type: shared.TypePresenceUpdate, Update: &shared.PresenceUpdate{Room: "p-club", Counted: true, Online: 250}}, me, true)
	if c.needsMembers() || c.othersOnline(me) != 249 {
		t.Errorf("a counted room: needs %v, others %d", c.needsMembers(), c.othersOnline(me))
	}
}

func TestPeoplePicker(t *testing.T) {
	f := &roomForm{Form: "dm", People: []knownPerson{{Name: "zed", Online: true}, {Name: "Bob"}, {Name: "alice", Online: true}, {Name: "bobby"}}}
	names := func() string {
		var s []string
		for _, p := range f.pickable() {
			s = append(s, p.Name)
		}
		return strings.Join(s, ",")
	}
	if got := names(); got != "alice,zed,Bob,bobby" {
		t.Errorf("picker lists %q, want online first, then by name", got)
	}
	f.filter = "BOB"
	if got := names(); got != "Bob,bobby" {
		t.Errorf("filtered by what is typed: %q", got)
	}
	f.filter, f.picked = "carol, ali", []string{"zed"}
	if got := names(); got != "alice,zed" {
		t.Errorf("filtered by the last name typed, the picked kept: %q", got)
	}
}

func TestFirstUnread(t *testing.T) {
	me := reader{ID: "me-id", Nickname: "Ada"}
	r := newRooms("general")
	r.Apply(Event{Type: shared.TypeRoomsList, Rooms: &shared.Rooms{Mine: []shared.RoomInfo{
		{ID: "general", Kind: shared.KindPublic, Member: true, Last: 4, Read: 2, Unread: 2},
		{ID: "book", Kind: shared.KindPublic, Member: true},
	}}}, me, false)
	c := r.get("general")
	c.markUnread()
	if c.firstUnread() != -1 {
		t.Error("a mark before the history came")
	}
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", Live: true, Messages: []shared.Message{
		{ID: 1, Room: "general", Author: "b", From: "bob", Text: "old"},
		{ID: 2, Room: "general", Author: "b", From: "bob", Text: "read"},
		{ID: 3, Room: "general", Author: "me-id", From: "Ada", Text: "mine, from another device"},
		{ID: 4, Room: "general", Author: "b", From: "bob", Text: "new"},
	}}}, me, false)
	if i := c.firstUnread(); i < 0 || c.Entries[i].Text != "new" {
		t.Errorf("first unread at %d, want the message \"new\"", i)
	}
	// Read since, the mark stays until another room is opened.
	r.Apply(Event{Type: shared.TypeReadPosition, Read: &shared.Read{Room: "general", ID: 4}}, me, true)
	if c.firstUnread() < 0 {
		t.Error("the mark went as the room was read")
	}
	c.markUnread()
	if c.firstUnread() != -1 {
		t.Error("opened again with nothing unread, the room is still marked")
	}
	book := r.get("book")
	book.markUnread()
	if book.firstUnread() != -1 {
		t.Error("a room with nothing unread is marked")
	}
	// A room looked at while empty: everything in it is unread.
	book.Unread = 3
	book.markUnread()
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "book", Live: true, Messages: []shared.Message{
		{ID: 1, Room: "book", Author: "b", From: "bob", Text: "first"},
	}}}, me, false)
	if i := book.firstUnread(); i != 0 {
		t.Errorf("a room read at 0: first unread at %d, want its first message", i)
	}
}

// TestPresenceNotices: only real changes make notices. A snapshot (on
// joining, reconnecting, reloading) says who is there without a word; an
// update before it, or repeating it, adds none; someone back within a
// minute of leaving takes back their "left" notice.
func TestPresenceNotices(t *testing.T) {
	me := reader{ID: "me-id", Nickname: "Ada"}
	at := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	update := func(d time.Duration, joined, left []string) Event {
		return Event{Type: shared.TypePresenceUpdate, Update: &shared.PresenceUpdate{Room: "general", Joined: joined, Left: left, At: at.Add(d)}}
	}
	snapshot := Event{Type: shared.TypePresence, Presence: &shared.Presence{Room: "general", Users: []string{"Ada", "bob", "carol"}, Online: 3}}
	notices := func(c *conversation) string {
		var out []string
		for _, e := range c.Entries {
			if e.Kind == EntryNotice {
				out = append(out, e.Text)
			}
		}
		return strings.Join(out, ", ")
	}
	r := newRooms("general")
	c := r.get("general")
	r.Apply(update(0, []string{"bob"}, nil), me, true) // before the snapshot: the list is not known
	r.Apply(snapshot, me, true)
	r.Apply(update(time.Second, []string{"bob", "Ada"}, nil), me, true) // repeats the snapshot
	if got := notices(c); got != "" {
		t.Fatalf("notices on joining: %q", got)
	}
	// A reconnection: the same snapshot again.
	r.Apply(snapshot, me, true)
	if got := notices(c); got != "" {
		t.Fatalf("notices on reconnecting: %q", got)
	}
	r.Apply(update(2*time.Second, []string{"dan"}, []string{"carol"}), me, true)
	if got := notices(c); got != "dan joined, carol left" {
		t.Fatalf("notices %q", got)
	}
	// carol reloads: back within a minute, nothing said since.
	r.Apply(update(20*time.Second, []string{"carol"}, nil), me, true)
	if got := notices(c); got != "dan joined" {
		t.Fatalf("after carol came back: %q", got)
	}
	// bob leaves; back after a minute: both said.
	r.Apply(update(30*time.Second, nil, []string{"bob"}), me, true)
	r.Apply(update(91*time.Second, []string{"bob"}, nil), me, true)
	if got := notices(c); got != "dan joined, bob left, bob joined" {
		t.Fatalf("after bob came back late: %q", got)
	}
	// dan leaves, a message, dan is back: the message stays in context.
	r.Apply(update(100*time.Second, nil, []string{"dan"}), me, true)
	r.Apply(msg("general", 1, "b", "bob", "hi"), me, true)
	r.Apply(update(101*time.Second, []string{"dan"}, nil), me, true)
	if got := notices(c); got != "dan joined, bob left, bob joined, dan left, dan joined" {
		t.Fatalf("after dan came back after a message: %q", got)
	}
	if e := c.Entries[len(c.Entries)-1]; !e.Joined || e.From != "dan" || !e.At.Equal(at.Add(101*time.Second)) {
		t.Errorf("the last notice %+v", e)
	}
}

package app

import (
	"strings"
	"testing"
	"time"

	"livechat/shared"
)

// deletion is the event of the message id deleting the message of.
func deletion(room string, id, of uint64) Event {
	return Event{Type: shared.TypeMessage, Message: &shared.Message{ID: id, Room: room, Author: "mod", From: "olive", At: time.Now(), Kind: shared.MessageDelete, Of: of}}
}

// TestDeletionFoldsOntoItsMessage: a deletion live, in a resume, or in a
// page of history empties the message it names and is never a line of
// its own, an unread message or a notification; a repeat changes nothing.
func TestDeletionFoldsOntoItsMessage(t *testing.T) {
	me := reader{ID: "me-id", Nickname: "Ada"}
	r := newRooms("general")
	r.Apply(Event{Type: shared.TypeRoomsList, Rooms: &shared.Rooms{Mine: []shared.RoomInfo{
		{ID: "general", Kind: shared.KindPublic, Member: true},
		{ID: "random", Kind: shared.KindPublic, Member: true},
	}}}, me, true)
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", Live: true, More: true, Messages: []shared.Message{
		{ID: 10, Room: "general", Author: "b", From: "bob", Text: "hello @Ada"},
		{ID: 11, Room: "general", Author: "b", From: "bob", Text: "buy cheap pills"},
	}}}, me, true)
	c := r.get("general")

	// Live, in the room shown.
	if n := r.Apply(deletion("general", 12, 11), me, true); n != nil {
		t.Errorf("a deletion notifies: %+v", n)
	}
	if len(c.Entries) != 2 || !c.Entries[1].Deleted || c.Entries[1].Text != "" || c.Entries[0].Deleted || c.LastID != 12 {
		t.Fatalf("after the deletion: %+v, last %d", c.Entries, c.LastID)
	}
	r.Apply(deletion("general", 12, 11), me, true) // the seam of a resume
	if len(c.Entries) != 2 || c.LastID != 12 {
		t.Errorf("a repeated deletion: %+v", c.Entries)
	}
	// A mention deleted is no mention any more.
	r.Apply(deletion("general", 13, 10), me, true)
	if c.Entries[0].Mention || !c.Entries[0].Deleted {
		t.Errorf("the deleted mention: %+v", c.Entries[0])
	}

	// In a room not shown, while the tab is hidden: no unread, no
	// notification; the message deleted, unread, is no longer counted.
	r.Apply(msg("random", 4, "b", "bob", "hello"), me, false)
	r.Apply(msg("random", 5, "b", "bob", "spam @Ada"), me, false)
	if got := r.get("random"); got.Unread != 2 || got.Mentions != 1 {
		t.Fatalf("random before the deletion: unread %d, mentions %d", got.Unread, got.Mentions)
	}
	if n := r.Apply(deletion("random", 6, 5), me, false); n != nil {
		t.Errorf("a deletion elsewhere notifies: %+v", n)
	}
	if got := r.get("random"); got.Unread != 1 || got.Mentions != 0 || got.LastID != 6 || !got.Entries[1].Deleted {
		t.Errorf("random after a deletion: unread %d, mentions %d, last %d, %+v", got.Unread, got.Mentions, got.LastID, got.Entries)
	}

	// A resume with the deletion and not the message (erased): nothing
	// to show for it.
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", Live: true, Messages: []shared.Message{
		{ID: 15, Room: "general", Author: "mod", From: "olive", Kind: shared.MessageDelete, Of: 14},
		{ID: 16, Room: "general", Author: "b", From: "bob", Text: "sorry"},
	}}}, me, true)
	if len(c.Entries) != 3 || c.Entries[2].Text != "sorry" || c.LastID != 16 {
		t.Fatalf("after a resume past a deletion: %+v", c.Entries)
	}
	// An older page holding only a deletion: no line, and the next page
	// is asked for before it.
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", Before: 10, More: true, Messages: []shared.Message{
		{ID: 9, Room: "general", Author: "mod", From: "olive", Kind: shared.MessageDelete, Of: 8},
	}}}, me, true)
	if len(c.Entries) != 3 || c.FirstID != 9 || !c.More {
		t.Errorf("after an older page of a deletion: first %d, %+v", c.FirstID, c.Entries)
	}
	// An older page with a message and its deletion.
	r.Apply(Event{Type: shared.TypeHistory, History: &shared.History{Room: "general", Before: 9, Messages: []shared.Message{
		{ID: 6, Room: "general", Author: "b", From: "bob", Text: "old"},
		{ID: 7, Room: "general", Author: "b", From: "bob", Text: "old and bad"},
		{ID: 8, Room: "general", Author: "mod", From: "olive", Kind: shared.MessageDelete, Of: 7},
	}}}, me, true)
	if len(c.Entries) != 5 || c.Entries[0].Text != "old" || !c.Entries[1].Deleted || c.FirstID != 6 {
		t.Errorf("after an older page with a deletion: %+v", c.Entries)
	}
	// A kind this app does not know is skipped.
	r.Apply(Event{Type: shared.TypeMessage, Message: &shared.Message{ID: 17, Room: "general", Kind: "reaction", Of: 16, Text: "👍"}}, me, true)
	if len(c.Entries) != 5 || c.Entries[4].Text != "sorry" || c.LastID != 17 {
		t.Errorf("after an unknown kind: %+v", c.Entries)
	}
}

// TestRoomModerationState: a room's owner, lock and slow mode come with
// its description; who moderates it follows.
func TestRoomModerationState(t *testing.T) {
	me := reader{ID: "me-id", Nickname: "Ada"}
	r := newRooms("club")
	r.Apply(Event{Type: shared.TypeRoom, Room: &shared.RoomInfo{ID: "club", Name: "club", Kind: shared.KindPublic, Member: true, Owner: "olive-id"}}, me, true)
	c := r.get("club")
	if moderates(c.Info, me, false) || !moderates(c.Info, me, true) || !moderates(c.Info, reader{ID: "olive-id"}, false) {
		t.Error("moderators: the owner and the admins")
	}
	r.Apply(Event{Type: shared.TypeRoom, Room: &shared.RoomInfo{ID: "club", Name: "club", Kind: shared.KindPublic, Member: true, Owner: "olive-id", Locked: true, SlowMode: 30}}, me, true)
	if !c.Info.Locked || c.Info.SlowMode != 30 || slowModeLabel(c.Info.SlowMode) != "Slow mode: 30 s" {
		t.Errorf("after the change: %+v", c.Info)
	}
	dm := shared.RoomInfo{ID: "dm-1", Kind: shared.KindDirect, Owner: "me-id"}
	if moderates(dm, me, false) {
		t.Error("someone moderates a direct conversation without being an admin")
	}
	for seconds, want := range map[int]string{0: "", 45: "Slow mode: 45 s", 300: "Slow mode: 5 min", 21600: "Slow mode: 6 h"} {
		if got := slowModeLabel(seconds); got != want {
			t.Errorf("slowModeLabel(%d) = %q, want %q", seconds, got, want)
		}
	}
}

func TestDescribeEntry(t *testing.T) {
	olive := shared.Person{ID: "o", Nickname: "olive"}
	bob := &shared.Person{ID: "b", Nickname: "bob"}
	for _, tt := range []struct {
		e    shared.AuditEntry
		want string
	}{
		{shared.AuditEntry{Actor: olive, Action: shared.ActionMute, Room: "club", Target: bob, Seconds: 3600, Reason: "calm down"}, "olive muted bob in #club for 1 hour (calm down)"},
		{shared.AuditEntry{Actor: olive, Action: shared.ActionBan, Target: bob, Seconds: shared.MaxSanctionSeconds}, "olive banned bob from the server permanently"},
		{shared.AuditEntry{Actor: olive, Action: shared.ActionDelete, Room: "club", Target: bob, Message: 4}, "olive deleted a message of bob in #club"},
		{shared.AuditEntry{Actor: olive, Action: shared.ActionSlowMode, Room: "club", Seconds: 30}, "olive set the slow mode of #club to 30 seconds"},
		{shared.AuditEntry{Actor: olive, Action: shared.ActionBanAddress, Address: "2001:db8::/64", Seconds: 7 * 86400}, "olive stopped sign-ups from 2001:db8::/64 for 1 week"},
		{shared.AuditEntry{Actor: olive, Action: "future_action", Room: "club"}, "olive future_action in #club"},
	} {
		if got := describeEntry(tt.e); got != tt.want {
			t.Errorf("describeEntry(%s) = %q, want %q", tt.e.Action, got, tt.want)
		}
	}
	if strings.Contains(durationText(90), "0 hours") {
		t.Error(durationText(90))
	}
}

//go:build !js

package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"livechat/shared"
)

// request sends a request and reads up to its answer: the event of type
// want with the request's id, or the error answering it (returned).
func (c *client) request(typ shared.Type, payload any, want shared.Type) (shared.Envelope, *shared.Error) {
	c.t.Helper()
	c.seq++
	id := fmt.Sprintf("r%d", c.seq)
	c.send(typ, id, payload)
	for {
		env := c.next()
		switch {
		case env.Type == shared.TypeError:
			var e shared.Error
			env.DecodePayload(&e)
			if e.Ref == id {
				return env, &e
			}
		case env.Type == want && env.ID == id:
			return env, nil
		}
	}
}

// ask is request for answers that must succeed; it decodes the answer.
func ask[T any](c *client, typ shared.Type, payload any, want shared.Type) T {
	c.t.Helper()
	env, e := c.request(typ, payload, want)
	if e != nil {
		c.t.Fatalf("%s: %s: %s %s", c.name, typ, e.Code, e.Message)
	}
	var v T
	if err := env.DecodePayload(&v); err != nil {
		c.t.Fatal(err)
	}
	return v
}

// TestPrivateRoomsAndDirectMessagesStayPrivate: carol, signed in but not
// a member, tries every request on alice's private room and on alice and
// bob's direct conversation, by their real ids and by forged ones, and
// gets not_found (or forbidden) each time, never a message, a member or
// an event of theirs; while bob, invited by link, reads along.
func TestPrivateRoomsAndDirectMessagesStayPrivate(t *testing.T) {
	srv := startServer(t, testConfig())
	alice := dial(t, srv.URL)
	alice.hello("alice")
	bob := dial(t, srv.URL)
	bob.hello("bob")
	carol := dial(t, srv.URL)
	carol.hello("carol")

	secret := ask[shared.RoomInfo](alice, shared.TypeCreateRoom, shared.CreateRoom{Name: "Secret plans", Kind: shared.KindPrivate}, shared.TypeRoom)
	if secret.Kind != shared.KindPrivate || !strings.HasPrefix(secret.ID, "p-") || !secret.Member {
		t.Fatalf("private room %+v", secret)
	}
	alice.send(shared.TypeJoin, "", shared.Join{Room: secret.ID})
	alice.joined()
	alice.send(shared.TypeSay, "a1", shared.Say{Room: secret.ID, Text: "the plan"})
	alice.nextMessage()

	inv := ask[shared.Invite](alice, shared.TypeInvite, shared.InviteRequest{Room: secret.ID}, shared.TypeInviteCode)
	bob.send(shared.TypeJoin, "", shared.Join{Invite: inv.Code})
	if j, _, hist := bob.joined(); j.Room != secret.ID || len(messagesOf(hist)) != 1 {
		t.Fatalf("bob joined by invite: %+v, %d messages", j, len(messagesOf(hist)))
	}
	until(alice, shared.TypePresenceUpdate, func(u shared.PresenceUpdate) bool { return slices.Contains(u.Joined, "bob") })
	dm := ask[shared.RoomInfo](alice, shared.TypeOpenDM, shared.OpenDM{People: []string{"bob"}}, shared.TypeRoom)
	if dm.Kind != shared.KindDirect || len(dm.People) != 2 {
		t.Fatalf("dm %+v", dm)
	}
	alice.send(shared.TypeJoin, "", shared.Join{Room: dm.ID})
	alice.joined()
	alice.send(shared.TypeSay, "a2", shared.Say{Room: dm.ID, Text: "just between us"})
	alice.nextMessage()

	// The invite is used up: carol cannot use it.
	forge := func(id string) string {
		return id[:len(id)-1] + map[bool]string{true: "b", false: "a"}[strings.HasSuffix(id, "a")]
	}
	rooms := []string{secret.ID, dm.ID, forge(secret.ID), forge(dm.ID), "p-" + strings.Repeat("0", 16), "dm-" + strings.Repeat("f", 24)}
	since := uint64(0)
	for _, room := range rooms {
		for what, try := range map[string]func() *shared.Error{
			"join": func() *shared.Error {
				_, e := carol.request(shared.TypeJoin, shared.Join{Room: room}, shared.TypeJoined)
				return e
			},
			"resume": func() *shared.Error {
				_, e := carol.request(shared.TypeJoin, shared.Join{Room: room, Since: &since}, shared.TypeJoined)
				return e
			},
			"history": func() *shared.Error {
				_, e := carol.request(shared.TypeHistory, shared.HistoryRequest{Room: room, Before: 10}, shared.TypeHistory)
				return e
			},
			"say": func() *shared.Error {
				_, e := carol.request(shared.TypeSay, shared.Say{Room: room, Text: "let me in"}, shared.TypeAck)
				return e
			},
			"members": func() *shared.Error {
				_, e := carol.request(shared.TypeMembers, shared.MembersRequest{Room: room}, shared.TypeMembersList)
				return e
			},
			"invite": func() *shared.Error {
				_, e := carol.request(shared.TypeInvite, shared.InviteRequest{Room: room}, shared.TypeInviteCode)
				return e
			},
			"add herself": func() *shared.Error {
				_, e := carol.request(shared.TypeAdd, shared.Add{Room: room, Nickname: "carol"}, shared.TypeRoom)
				return e
			},
			"topic": func() *shared.Error {
				_, e := carol.request(shared.TypeTopic, shared.Topic{Room: room, Topic: "mine"}, shared.TypeRoom)
				return e
			},
			"read": func() *shared.Error {
				_, e := carol.request(shared.TypeRead, shared.Read{Room: room, ID: 1}, shared.TypeReadPosition)
				return e
			},
			"leave": func() *shared.Error {
				_, e := carol.request(shared.TypeLeave, shared.Leave{Room: room}, shared.TypeLeft)
				return e
			},
			"reuse invite": func() *shared.Error {
				_, e := carol.request(shared.TypeJoin, shared.Join{Invite: inv.Code}, shared.TypeJoined)
				return e
			},
			"forged invite": func() *shared.Error {
				_, e := carol.request(shared.TypeJoin, shared.Join{Invite: forge(inv.Code)}, shared.TypeJoined)
				return e
			},
		} {
			if e := try(); e == nil || (e.Code != shared.CodeNotFound && e.Code != shared.CodeForbidden) {
				t.Errorf("carol's %s of %s: %+v, want not_found or forbidden", what, room, e)
			}
		}
	}
	// Impersonation: a direct conversation "with" people by forged names.
	if _, e := carol.request(shared.TypeOpenDM, shared.OpenDM{People: []string{"nobody-here"}}, shared.TypeRoom); e == nil || e.Code != shared.CodeNotFound {
		t.Errorf("a conversation with nobody: %+v", e)
	}
	list := ask[shared.Rooms](carol, shared.TypeRooms, nil, shared.TypeRoomsList)
	for _, r := range append(list.Mine, list.Directory...) {
		if r.ID == secret.ID || r.ID == dm.ID {
			t.Errorf("carol's room list shows %+v", r)
		}
	}

	// Nothing of theirs reached carol: alice speaks in both, and once
	// bob has it, carol's pong comes with nothing before it.
	alice.send(shared.TypeSay, "a3", shared.Say{Room: secret.ID, Text: "still secret"})
	for {
		env := bob.next()
		var m shared.Message
		if env.Type == shared.TypeMessage && env.DecodePayload(&m) == nil && m.ClientID == "a3" {
			break
		}
	}
	carol.send(shared.TypePing, "p-last", nil)
	if env := carol.next(); env.Type != shared.TypePong {
		t.Fatalf("carol got %s %s", env.Type, env.Payload)
	}

	// Bob, a member by invite, sees the room and its members; carol's
	// attempts changed nothing.
	members := ask[shared.Members](bob, shared.TypeMembers, shared.MembersRequest{Room: secret.ID}, shared.TypeMembersList)
	var names []string
	for _, m := range members.People {
		names = append(names, m.Nickname)
	}
	if slices.Sort(names); !slices.Equal(names, []string{"alice", "bob"}) {
		t.Errorf("members %v, want alice and bob", names)
	}
}

// roomIn returns the room id of rooms.Mine, or fails.
func roomIn(t *testing.T, list shared.Rooms, id string) shared.RoomInfo {
	t.Helper()
	for _, r := range list.Mine {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("%s is not among %+v", id, list.Mine)
	return shared.RoomInfo{}
}

// TestUnreadMentionsAndReadSync: unread counts and mentions come from a
// read position kept on the server per person and room, which every
// device of the person follows; topics and additions reach the people
// concerned.
func TestUnreadMentionsAndReadSync(t *testing.T) {
	srv := startServer(t, testConfig())
	alice := dial(t, srv.URL)
	alice.hello("alice")
	phone := dial(t, srv.URL)
	phone.hello("bob")
	laptop := dial(t, srv.URL)
	laptop.hello("bob") // bob's second device, same account

	book := ask[shared.RoomInfo](alice, shared.TypeCreateRoom, shared.CreateRoom{Name: "book", Kind: shared.KindPublic}, shared.TypeRoom)
	// Everyone is told of a new public room, to join.
	for _, c := range []*client{phone, laptop} {
		if info := expect[shared.RoomInfo](c, shared.TypeRoom); info.ID != book.ID || info.Member {
			t.Fatalf("%s was told %+v", c.name, info)
		}
	}
	phone.send(shared.TypeJoin, "", shared.Join{Room: book.ID})
	phone.joined()
	alice.send(shared.TypeJoin, "", shared.Join{Room: book.ID, History: new(0)})
	alice.joined()
	for i, text := range []string{"chapter one", "@bob what do you think?", "chapter two"} {
		alice.send(shared.TypeSay, fmt.Sprint("a", i), shared.Say{Room: book.ID, Text: text})
	}
	for range 3 {
		phone.nextMessage()
	}
	// The mention is recorded just after the message is stored.
	var r shared.RoomInfo
	waitFor(t, "the mention", func() bool {
		r = roomIn(t, ask[shared.Rooms](laptop, shared.TypeRooms, nil, shared.TypeRoomsList), book.ID)
		return r.Mentions == 1
	})
	if r.Last != 3 || r.Read != 0 || r.Unread != 3 {
		t.Fatalf("bob's book: %+v, want 3 unread, 1 mention", r)
	}

	// Bob reads on his phone; his laptop follows.
	if got := ask[shared.Read](phone, shared.TypeRead, shared.Read{Room: book.ID, ID: 3}, shared.TypeReadPosition); got.ID != 3 {
		t.Fatalf("read %+v", got)
	}
	if got := expect[shared.Read](laptop, shared.TypeReadPosition); got.Room != book.ID || got.ID != 3 {
		t.Fatalf("the laptop got %+v", got)
	}
	r = roomIn(t, ask[shared.Rooms](laptop, shared.TypeRooms, nil, shared.TypeRoomsList), book.ID)
	if r.Read != 3 || r.Unread != 0 || r.Mentions != 0 {
		t.Fatalf("after reading: %+v", r)
	}
	// A read position never moves back.
	if got := ask[shared.Read](laptop, shared.TypeRead, shared.Read{Room: book.ID, ID: 1}, shared.TypeReadPosition); got.ID != 3 {
		t.Fatalf("read moved back: %+v", got)
	}
	expect[shared.Read](phone, shared.TypeReadPosition)

	// A new topic reaches the members.
	ask[shared.RoomInfo](alice, shared.TypeTopic, shared.Topic{Room: book.ID, Topic: "One chapter a week"}, shared.TypeRoom)
	for _, c := range []*client{phone, laptop} {
		for {
			env := c.next()
			var info shared.RoomInfo
			if env.Type == shared.TypeRoom && env.DecodePayload(&info) == nil && info.ID == book.ID {
				if info.Topic != "One chapter a week" {
					t.Errorf("%s: topic %q", c.name, info.Topic)
				}
				break
			}
		}
	}

	// Adding bob to a private room shows it on his devices.
	club := ask[shared.RoomInfo](alice, shared.TypeCreateRoom, shared.CreateRoom{Name: "Club", Kind: shared.KindPrivate}, shared.TypeRoom)
	ask[shared.RoomInfo](alice, shared.TypeAdd, shared.Add{Room: club.ID, Nickname: "BOB"}, shared.TypeRoom)
	if info := expect[shared.RoomInfo](laptop, shared.TypeRoom); info.ID != club.ID || !info.Member || info.Name != "Club" {
		t.Fatalf("bob was told %+v", info)
	}
	laptop.send(shared.TypeJoin, "", shared.Join{Room: club.ID})
	laptop.joined()

	// Leaving takes the room off all his connections.
	laptop.send(shared.TypeJoin, "", shared.Join{Room: book.ID})
	laptop.joined()
	ask[shared.Left](phone, shared.TypeLeave, shared.Leave{Room: book.ID}, shared.TypeLeft)
	for {
		env := laptop.next()
		var l shared.Left
		if env.Type == shared.TypeLeft && env.DecodePayload(&l) == nil {
			if l.Room != book.ID {
				t.Fatalf("left %+v", l)
			}
			break
		}
	}
	list := ask[shared.Rooms](laptop, shared.TypeRooms, nil, shared.TypeRoomsList)
	for _, r := range list.Mine {
		if r.ID == book.ID {
			t.Fatalf("book is still among bob's rooms")
		}
	}
}

// TestNewcomerHasReadThePast: joining a public room for the first time
// marks its history read; what comes after counts as unread.
func TestNewcomerHasReadThePast(t *testing.T) {
	srv := startServer(t, testConfig())
	alice := join(t, srv.URL, "alice")
	for i := range 3 {
		alice.say(fmt.Sprint("old", i), "before bob")
		alice.nextMessage()
	}
	bob := join(t, srv.URL, "bob")
	unread := func() int {
		rooms := ask[shared.Rooms](bob, shared.TypeRooms, nil, shared.TypeRoomsList)
		for _, r := range rooms.Mine {
			if r.ID == "general" {
				return r.Unread
			}
		}
		t.Fatalf("general is not among bob's rooms: %+v", rooms.Mine)
		return 0
	}
	if n := unread(); n != 0 {
		t.Fatalf("a newcomer has %d unread of the history", n)
	}
	bob.conn.WebSocket().CloseNow()
	alice.say("new", "after bob left")
	alice.nextMessage()
	bob = join(t, srv.URL, "bob")
	if n := unread(); n != 1 {
		t.Fatalf("coming back, bob has %d unread, want 1", n)
	}
}

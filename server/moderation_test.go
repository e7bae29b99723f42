//go:build !js

package server_test

import (
	"slices"
	"strings"
	"testing"

	"livechat/server/store"
	"livechat/shared"
)

// The moderation tests run over real sockets against a server on the
// embedded store. On each server the first account is the admin; "olive"
// owns the public room #club.

// enterRoom joins c to room and returns the messages of the join.
func (c *client) enterRoom(room string, j shared.Join) (shared.Joined, []shared.History) {
	c.t.Helper()
	j.Room = room
	c.send(shared.TypeJoin, "", j)
	joined := until(c, shared.TypeJoined, func(j shared.Joined) bool { return j.Room == room })
	expect[shared.Presence](c, shared.TypePresence)
	var hist []shared.History
	for {
		h := expect[shared.History](c, shared.TypeHistory)
		if hist = append(hist, h); h.Live {
			return joined, hist
		}
	}
}

// sayIn says text in room and waits for its ack and the message back;
// it returns the message.
func (c *client) sayIn(room, id, text string) shared.Message {
	c.t.Helper()
	c.send(shared.TypeSay, id, shared.Say{Room: room, Text: text})
	return until(c, shared.TypeMessage, func(m shared.Message) bool { return m.ClientID == id })
}

// refused sends a request that must be refused with code, and returns the
// error.
func (c *client) refused(typ shared.Type, payload any, code shared.Code) *shared.Error {
	c.t.Helper()
	_, e := c.request(typ, payload, shared.TypeModerated)
	if e == nil || e.Code != code || e.Message == "" {
		c.t.Fatalf("%s: %s %+v answered with %+v, want %s", c.name, typ, payload, e, code)
	}
	return e
}

// moderate sends a moderation request that must succeed and returns the
// audit entry answering it, which must name action.
func (c *client) moderate(typ shared.Type, payload any, action string) shared.AuditEntry {
	c.t.Helper()
	e := ask[shared.AuditEntry](c, typ, payload, shared.TypeModerated)
	if e.Action != action || e.ID == 0 || e.At.IsZero() {
		c.t.Fatalf("%s: %s answered with %+v, want action %s", c.name, typ, e, action)
	}
	return e
}

// club starts a server with the admin, and olive's public room #club
// where the others are; it returns them in the order of names, after the
// admin and olive.
func club(t *testing.T, names ...string) (*testServer, *client, *client, []*client) {
	t.Helper()
	srv := startServer(t, testConfig())
	admin := dial(t, srv.URL)
	if w := admin.hello("admin"); !w.Admin {
		t.Fatal("the first account is not the admin")
	}
	olive := dial(t, srv.URL)
	w := olive.hello("olive")
	if info := ask[shared.RoomInfo](olive, shared.TypeCreateRoom, shared.CreateRoom{Name: "club", Kind: shared.KindPublic}, shared.TypeRoom); info.Owner != w.You.ID {
		t.Fatalf("olive's room: %+v, owner %q", info, w.You.ID)
	}
	olive.enterRoom("club", shared.Join{})
	var people []*client
	for _, name := range names {
		c := dial(t, srv.URL)
		c.hello(name)
		c.enterRoom("club", shared.Join{})
		people = append(people, c)
	}
	return srv, admin, olive, people
}

// TestModerationDeleteMessage: a moderator deletes a message: people in
// the room see its deletion once, in order; someone offline meanwhile
// learns of it when they resume; history no longer has it. Authors delete
// their own; nobody else deletes anything.
func TestModerationDeleteMessage(t *testing.T) {
	srv, admin, olive, people := club(t, "bob", "carol", "dave")
	bob, carol, dave := people[0], people[1], people[2]

	welcome := olive.sayIn("club", "o1", "welcome")
	until(dave, shared.TypeMessage, func(m shared.Message) bool { return m.ID == welcome.ID })
	dave.conn.WebSocket().CloseNow() // dave goes away, having read the welcome
	bad := bob.sayIn("club", "b1", "buy cheap pills")
	until(carol, shared.TypeMessage, func(m shared.Message) bool { return m.ID == bad.ID })

	carol.refused(shared.TypeDelete, shared.Delete{Room: "club", ID: bad.ID}, shared.CodeForbidden)
	e := olive.moderate(shared.TypeDelete, shared.Delete{Room: "club", ID: bad.ID, Reason: "spam"}, shared.ActionDelete)
	if e.Room != "club" || e.Message != bad.ID || e.Target == nil || e.Target.Nickname != "bob" || e.Actor.Nickname != "olive" || e.Reason != "spam" {
		t.Errorf("audit entry of the deletion: %+v", e)
	}
	tomb := carol.nextMessage()
	if tomb.Kind != shared.MessageDelete || tomb.Of != bad.ID || tomb.Text != "" || tomb.ID <= bad.ID {
		t.Fatalf("carol got %+v, want the deletion of %d", tomb, bad.ID)
	}
	after := olive.sayIn("club", "o2", "let us keep it civil")
	if m := carol.nextMessage(); m.ID != after.ID {
		t.Fatalf("after the deletion carol got %+v, want message %d (the deletion once)", m, after.ID)
	}
	// The deletion and the message it erased are nothing to read: carol,
	// who read nothing, has the welcome and the last message unread.
	if info := roomIn(t, ask[shared.Rooms](carol, shared.TypeRooms, nil, shared.TypeRoomsList), "club"); info.Unread != 2 || info.Last != after.ID {
		t.Errorf("carol's unread count after the deletion: %+v, want 2", info)
	}
	// Deleted again, or a deletion: there is no such message.
	olive.refused(shared.TypeDelete, shared.Delete{Room: "club", ID: bad.ID}, shared.CodeNotFound)
	olive.refused(shared.TypeDelete, shared.Delete{Room: "club", ID: tomb.ID}, shared.CodeNotFound)

	// Dave resumes after the welcome: he never had the message, so
	// neither it nor its deletion comes, and nothing is said to be lost.
	dave = dial(t, srv.URL)
	dave.hello("dave")
	_, hist := dave.enterRoom("club", shared.Join{Since: new(welcome.ID)})
	if got := messagesOf(hist); !slices.Equal(ids(got), []uint64{after.ID}) || hist[0].Truncated {
		t.Fatalf("dave resumes with %+v (truncated %v), want message %d alone", got, hist[0].Truncated, after.ID)
	}
	// History lacks the message and its deletion; a newcomer's join too.
	page := ask[shared.History](carol, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: after.ID + 1}, shared.TypeHistory)
	if !slices.Equal(ids(page.Messages), []uint64{welcome.ID, after.ID}) {
		t.Errorf("history: %v, want %d, %d", ids(page.Messages), welcome.ID, after.ID)
	}
	for _, m := range page.Messages {
		if strings.Contains(m.Text, "pills") {
			t.Errorf("history still has the deleted text: %+v", m)
		}
	}
	erin := dial(t, srv.URL)
	erin.hello("erin")
	_, hist = erin.enterRoom("club", shared.Join{})
	if got := ids(messagesOf(hist)); !slices.Equal(got, []uint64{welcome.ID, after.ID}) || hist[0].More {
		t.Errorf("a newcomer's history: %v (more %v)", got, hist[0].More)
	}

	// Authors delete their own messages; others' only as moderators.
	mine := carol.sayIn("club", "c1", "oops, wrong room")
	carol.moderate(shared.TypeDelete, shared.Delete{Room: "club", ID: mine.ID}, shared.ActionDelete)
	theirs := bob.sayIn("club", "b2", "hello")
	carol.refused(shared.TypeDelete, shared.Delete{Room: "club", ID: theirs.ID}, shared.CodeForbidden)
	// olive owns #club, not #general.
	bob.enterRoom("general", shared.Join{})
	inGeneral := bob.sayIn("general", "b3", "hi all")
	olive.refused(shared.TypeDelete, shared.Delete{Room: "general", ID: inGeneral.ID}, shared.CodeForbidden)
	// The admin deletes anywhere, in a private room they are not in too.
	secret := ask[shared.RoomInfo](bob, shared.TypeCreateRoom, shared.CreateRoom{Name: "Secret", Kind: shared.KindPrivate}, shared.TypeRoom)
	bob.enterRoom(secret.ID, shared.Join{})
	hidden := bob.sayIn(secret.ID, "b4", "nobody sees this")
	olive.refused(shared.TypeDelete, shared.Delete{Room: secret.ID, ID: hidden.ID}, shared.CodeNotFound)
	admin.moderate(shared.TypeDelete, shared.Delete{Room: "general", ID: inGeneral.ID}, shared.ActionDelete)
	admin.moderate(shared.TypeDelete, shared.Delete{Room: secret.ID, ID: hidden.ID}, shared.ActionDelete)

	// Bad requests get clear errors.
	olive.refused(shared.TypeDelete, shared.Delete{Room: "club", ID: 0}, shared.CodeNotFound)
	olive.refused(shared.TypeDelete, shared.Delete{Room: "club", ID: 1 << 60}, shared.CodeNotFound)
	olive.refused(shared.TypeDelete, shared.Delete{Room: "nowhere", ID: 1}, shared.CodeNotFound)
	olive.refused(shared.TypeDelete, shared.Delete{Room: "Not A Room", ID: 1}, shared.CodeRoomInvalid)
	olive.refused(shared.TypeDelete, shared.Delete{ID: 1}, shared.CodeInvalidRequest)
	olive.refused(shared.TypeDelete, shared.Delete{Room: "club", ID: theirs.ID, Reason: strings.Repeat("x", 501)}, shared.CodeInvalidRequest)
	env, e2 := olive.request(shared.TypeDelete, map[string]any{"room": "club", "id": "seven"}, shared.TypeModerated)
	if e2 == nil || e2.Code != shared.CodeInvalidRequest {
		t.Errorf("a delete with a string id: %+v %+v", env, e2)
	}
}

// TestModerationMuteKickBan: a room's moderators mute, kick and ban
// people there (never themselves, an admin, or, but for an admin, the
// owner); admins ban people and addresses from the server.
func TestModerationMuteKickBan(t *testing.T) {
	srv, admin, olive, people := club(t, "bob", "carol")
	bob, carol := people[0], people[1]

	// Mute.
	carol.refused(shared.TypeMute, shared.Mute{Room: "club", Nickname: "bob", Seconds: 60}, shared.CodeForbidden)
	e := olive.moderate(shared.TypeMute, shared.Mute{Room: "club", Nickname: "bob", Seconds: 600, Reason: "calm down"}, shared.ActionMute)
	if e.Target == nil || e.Target.Nickname != "bob" || e.Seconds != 600 || e.Room != "club" {
		t.Errorf("mute entry %+v", e)
	}
	if _, err := bob.request(shared.TypeSay, shared.Say{Room: "club", Text: "let me speak"}, shared.TypeAck); err == nil || err.Code != shared.CodeForbidden || !strings.Contains(err.Message, "muted in #club until") {
		t.Fatalf("bob, muted, says: %+v", err)
	}
	bob.enterRoom("general", shared.Join{})
	bob.sayIn("general", "b1", "still free here")
	olive.moderate(shared.TypeMute, shared.Mute{Room: "club", Nickname: "bob", Seconds: 0}, shared.ActionUnmute)
	bob.sayIn("club", "b2", "thanks")
	// Whom one may not mute, and bad requests.
	olive.refused(shared.TypeMute, shared.Mute{Room: "club", Nickname: "olive", Seconds: 60}, shared.CodeForbidden)
	olive.refused(shared.TypeMute, shared.Mute{Room: "club", Nickname: "admin", Seconds: 60}, shared.CodeForbidden)
	olive.refused(shared.TypeMute, shared.Mute{Room: "general", Nickname: "bob", Seconds: 60}, shared.CodeForbidden)
	admin.moderate(shared.TypeMute, shared.Mute{Room: "club", Nickname: "olive", Seconds: 60}, shared.ActionMute)
	admin.moderate(shared.TypeMute, shared.Mute{Room: "club", Nickname: "olive", Seconds: 0}, shared.ActionUnmute)
	olive.refused(shared.TypeMute, shared.Mute{Room: "club", Nickname: "bob", Seconds: -5}, shared.CodeInvalidRequest)
	olive.refused(shared.TypeMute, shared.Mute{Room: "club", Nickname: "bob", Seconds: shared.MaxSanctionSeconds + 1}, shared.CodeInvalidRequest)
	olive.refused(shared.TypeMute, shared.Mute{Room: "club", Nickname: "nobody", Seconds: 60}, shared.CodeNotFound)
	olive.refused(shared.TypeMute, shared.Mute{Room: "club", Account: "no.such*id", Seconds: 60}, shared.CodeNotFound)
	olive.refused(shared.TypeMute, shared.Mute{Room: "club", Seconds: 60}, shared.CodeInvalidRequest)
	olive.refused(shared.TypeMute, shared.Mute{Room: "club", Account: "x", Nickname: "bob", Seconds: 60}, shared.CodeInvalidRequest)

	// Kick: out now, back in when they like (a public room).
	carol.refused(shared.TypeKick, shared.Kick{Room: "club", Nickname: "bob"}, shared.CodeForbidden)
	olive.moderate(shared.TypeKick, shared.Kick{Room: "club", Nickname: "bob", Reason: "off topic"}, shared.ActionKick)
	until(bob, shared.TypeLeft, func(l shared.Left) bool { return l.Room == "club" })
	if _, err := bob.request(shared.TypeSay, shared.Say{Room: "club", Text: "still here?"}, shared.TypeAck); err == nil || err.Code != shared.CodeNotJoined {
		t.Fatalf("bob, kicked, says: %+v", err)
	}
	olive.refused(shared.TypeKick, shared.Kick{Room: "club", Nickname: "bob"}, shared.CodeNotFound) // not a member any more
	bob.enterRoom("club", shared.Join{})

	// Ban: out, and not back until it ends or is lifted.
	olive.moderate(shared.TypeBan, shared.Ban{Room: "club", Nickname: "bob", Seconds: 3600, Reason: "insults"}, shared.ActionBan)
	until(bob, shared.TypeLeft, func(l shared.Left) bool { return l.Room == "club" })
	if _, err := bob.request(shared.TypeJoin, shared.Join{Room: "club"}, shared.TypeJoined); err == nil || err.Code != shared.CodeForbidden || !strings.Contains(err.Message, "banned from #club until") {
		t.Fatalf("bob, banned, joins: %+v", err)
	}
	if _, err := olive.request(shared.TypeAdd, shared.Add{Room: "club", Nickname: "bob"}, shared.TypeRoom); err == nil || err.Code != shared.CodeForbidden {
		t.Fatalf("bob, banned, added: %+v", err)
	}
	olive.moderate(shared.TypeBan, shared.Ban{Room: "club", Nickname: "bob", Seconds: 0}, shared.ActionUnban)
	bob.enterRoom("club", shared.Join{})
	// A private room: the banned person's invite is no good.
	secret := ask[shared.RoomInfo](olive, shared.TypeCreateRoom, shared.CreateRoom{Name: "Inner circle", Kind: shared.KindPrivate}, shared.TypeRoom)
	inv := ask[shared.Invite](olive, shared.TypeInvite, shared.InviteRequest{Room: secret.ID, MaxUses: 5}, shared.TypeInviteCode)
	carol.send(shared.TypeJoin, "", shared.Join{Invite: inv.Code})
	until(carol, shared.TypeJoined, func(j shared.Joined) bool { return j.Room == secret.ID })
	olive.moderate(shared.TypeBan, shared.Ban{Room: secret.ID, Nickname: "carol", Seconds: 60}, shared.ActionBan)
	until(carol, shared.TypeLeft, func(l shared.Left) bool { return l.Room == secret.ID })
	if _, err := carol.request(shared.TypeJoin, shared.Join{Invite: inv.Code}, shared.TypeJoined); err == nil || err.Code != shared.CodeForbidden {
		t.Fatalf("carol, banned, uses the invite again: %+v", err)
	}
	// Nobody is kicked or banned from a direct conversation.
	dm := ask[shared.RoomInfo](bob, shared.TypeOpenDM, shared.OpenDM{People: []string{"carol"}}, shared.TypeRoom)
	admin.refused(shared.TypeKick, shared.Kick{Room: dm.ID, Nickname: "bob"}, shared.CodeInvalidRequest)
	admin.refused(shared.TypeBan, shared.Ban{Room: dm.ID, Nickname: "bob", Seconds: 60}, shared.CodeInvalidRequest)
	olive.refused(shared.TypeMute, shared.Mute{Room: dm.ID, Nickname: "bob", Seconds: 60}, shared.CodeNotFound)
	admin.moderate(shared.TypeMute, shared.Mute{Room: dm.ID, Nickname: "bob", Seconds: 60}, shared.ActionMute)

	// A ban from the server: the admin's alone; connections close, and
	// signing in is refused until it is lifted.
	olive.refused(shared.TypeBan, shared.Ban{Nickname: "bob", Seconds: 60}, shared.CodeForbidden)
	admin.refused(shared.TypeBan, shared.Ban{Nickname: "admin", Seconds: 60}, shared.CodeForbidden)
	e = admin.moderate(shared.TypeBan, shared.Ban{Nickname: "bob", Seconds: 86400, Reason: "spam everywhere"}, shared.ActionBan)
	if e.Room != "" || e.Target.Nickname != "bob" {
		t.Errorf("server ban entry %+v", e)
	}
	bob.expectClose(shared.StatusBanned)
	again := dial(t, srv.URL)
	test, _, _ := strings.Cut(t.Name(), "/")
	cred, _ := credentials.Load(test + "\x00" + srv.URL + "\x00bob")
	again.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Credential: cred.(string)})
	if err := again.expectError(shared.CodeForbidden); !strings.Contains(err.Message, "banned from this server until") {
		t.Errorf("bob signs in while banned: %+v", err)
	}
	admin.moderate(shared.TypeBan, shared.Ban{Nickname: "bob", Seconds: 0}, shared.ActionUnban)
	again.hello("bob")

	// An address ban: no new accounts from it; those who have one still
	// sign in. (The tests connect from 127.0.0.1.)
	olive.refused(shared.TypeBanAddress, shared.BanAddress{Address: "127.0.0.1", Seconds: 60}, shared.CodeForbidden)
	admin.refused(shared.TypeBanAddress, shared.BanAddress{Address: "localhost", Seconds: 60}, shared.CodeInvalidRequest)
	admin.refused(shared.TypeBanAddress, shared.BanAddress{Address: "127.0.0.1", Seconds: -1}, shared.CodeInvalidRequest)
	if e := admin.moderate(shared.TypeBanAddress, shared.BanAddress{Address: "127.0.0.1", Seconds: 3600}, shared.ActionBanAddress); e.Address != "127.0.0.1/32" {
		t.Errorf("address ban entry %+v", e)
	}
	if e := admin.moderate(shared.TypeBanAddress, shared.BanAddress{Address: "2001:db8::1", Seconds: 3600}, shared.ActionBanAddress); e.Address != "2001:db8::/64" {
		t.Errorf("IPv6 address ban entry %+v", e)
	}
	newcomer := dial(t, srv.URL)
	newcomer.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "newcomer"})
	if err := newcomer.expectError(shared.CodeForbidden); !strings.Contains(err.Message, "no new accounts") {
		t.Errorf("sign-up from a banned address: %+v", err)
	}
	join(t, srv.URL, "carol")
	admin.moderate(shared.TypeBanAddress, shared.BanAddress{Address: "127.0.0.1", Seconds: 0}, shared.ActionUnbanAddress)
	newcomer.hello("newcomer")
}

// TestModerationLockAndSlowMode: a locked room takes messages from its
// moderators only; slow mode makes everyone else wait between messages;
// the members see both in the room's description, at once.
func TestModerationLockAndSlowMode(t *testing.T) {
	_, admin, olive, people := club(t, "bob")
	bob := people[0]

	bob.refused(shared.TypeLock, shared.Lock{Room: "club", Locked: true}, shared.CodeForbidden)
	olive.moderate(shared.TypeLock, shared.Lock{Room: "club", Locked: true}, shared.ActionLock)
	if info := until(bob, shared.TypeRoom, func(r shared.RoomInfo) bool { return r.ID == "club" }); !info.Locked || info.Owner == "" {
		t.Fatalf("bob is told %+v, want the room locked", info)
	}
	if _, err := bob.request(shared.TypeSay, shared.Say{Room: "club", Text: "hello?"}, shared.TypeAck); err == nil || err.Code != shared.CodeForbidden || !strings.Contains(err.Message, "#club is locked") {
		t.Fatalf("bob says in the locked room: %+v", err)
	}
	olive.sayIn("club", "o1", "the owner still speaks")
	rooms := ask[shared.Rooms](bob, shared.TypeRooms, nil, shared.TypeRoomsList)
	if info := roomIn(t, rooms, "club"); !info.Locked {
		t.Errorf("rooms lists #club as %+v", info)
	}
	olive.moderate(shared.TypeLock, shared.Lock{Room: "club", Locked: false}, shared.ActionUnlock)
	until(bob, shared.TypeRoom, func(r shared.RoomInfo) bool { return r.ID == "club" && !r.Locked })
	bob.sayIn("club", "b1", "hello again")

	// Slow mode.
	e := olive.moderate(shared.TypeSlowMode, shared.SlowMode{Room: "club", Seconds: 30}, shared.ActionSlowMode)
	if e.Seconds != 30 {
		t.Errorf("slow mode entry %+v", e)
	}
	until(bob, shared.TypeRoom, func(r shared.RoomInfo) bool { return r.ID == "club" && r.SlowMode == 30 })
	bob.sayIn("club", "b2", "one")
	_, err := bob.request(shared.TypeSay, shared.Say{Room: "club", Text: "two"}, shared.TypeAck)
	if err == nil || err.Code != shared.CodeRateLimited || err.RetryAfter <= 25 || err.RetryAfter > 30 {
		t.Fatalf("a second message under slow mode: %+v, want rate_limited with about 30 s to wait", err)
	}
	olive.sayIn("club", "o2", "moderators are exempt")
	olive.sayIn("club", "o3", "twice")
	admin.enterRoom("club", shared.Join{})
	admin.sayIn("club", "a1", "admins too")
	admin.sayIn("club", "a2", "twice")
	olive.refused(shared.TypeSlowMode, shared.SlowMode{Room: "club", Seconds: shared.MaxSlowModeSeconds + 1}, shared.CodeInvalidRequest)
	olive.refused(shared.TypeSlowMode, shared.SlowMode{Room: "club", Seconds: -1}, shared.CodeInvalidRequest)
	bob.enterRoom("general", shared.Join{})
	olive.refused(shared.TypeLock, shared.Lock{Room: "general", Locked: true}, shared.CodeForbidden)
	olive.moderate(shared.TypeSlowMode, shared.SlowMode{Room: "club", Seconds: 0}, shared.ActionSlowMode)
	bob.sayIn("club", "b3", "free again")
}

// TestModerationReports: anyone who can read a message reports it, once;
// the admins list the open reports with the message, and dismiss them or
// delete the message.
func TestModerationReports(t *testing.T) {
	_, admin, olive, people := club(t, "bob", "carol")
	bob, carol := people[0], people[1]
	bad := bob.sayIn("club", "b1", "buy cheap pills")
	rude := bob.sayIn("club", "b2", "you are all idiots")

	e := carol.moderate(shared.TypeReport, shared.Report{Room: "club", ID: bad.ID, Reason: "spam"}, shared.ActionReport)
	if e.Message != bad.ID || e.Target.Nickname != "bob" || e.Actor.Nickname != "carol" || e.Reason != "spam" {
		t.Errorf("report entry %+v", e)
	}
	olive.moderate(shared.TypeReport, shared.Report{Room: "club", ID: bad.ID, Reason: "spam, again"}, shared.ActionReport)
	carol.moderate(shared.TypeReport, shared.Report{Room: "club", ID: rude.ID, Reason: "rude"}, shared.ActionReport)
	carol.refused(shared.TypeReport, shared.Report{Room: "club", ID: bad.ID, Reason: "spam"}, shared.CodeInvalidRequest)
	carol.refused(shared.TypeReport, shared.Report{Room: "club", ID: bad.ID + 100, Reason: "spam"}, shared.CodeNotFound)
	carol.refused(shared.TypeReport, shared.Report{Room: "club", ID: rude.ID}, shared.CodeInvalidRequest)
	carol.refused(shared.TypeReport, shared.Report{Room: "club", ID: rude.ID, Reason: " \n "}, shared.CodeInvalidRequest)
	carol.refused(shared.TypeReport, shared.Report{Room: "club", ID: rude.ID, Reason: strings.Repeat("é", 501)}, shared.CodeInvalidRequest)
	bob.refused(shared.TypeReport, shared.Report{Room: "club", ID: rude.ID, Reason: "mine"}, shared.CodeInvalidRequest)
	secret := ask[shared.RoomInfo](bob, shared.TypeCreateRoom, shared.CreateRoom{Name: "Secret", Kind: shared.KindPrivate}, shared.TypeRoom)
	bob.enterRoom(secret.ID, shared.Join{})
	hidden := bob.sayIn(secret.ID, "b3", "hidden")
	carol.refused(shared.TypeReport, shared.Report{Room: secret.ID, ID: hidden.ID, Reason: "what is this"}, shared.CodeNotFound)

	// The admin's view; nobody else's.
	if _, err := olive.request(shared.TypeReports, nil, shared.TypeReportsList); err == nil || err.Code != shared.CodeForbidden {
		t.Fatalf("the owner asks for the reports: %+v", err)
	}
	list := ask[shared.Reports](admin, shared.TypeReports, nil, shared.TypeReportsList)
	if len(list.Reports) != 3 {
		t.Fatalf("reports: %+v", list)
	}
	first := list.Reports[0]
	if first.Room != "club" || first.Message.ID != rude.ID || first.Message.Text != "you are all idiots" || first.Message.From != "bob" ||
		first.Reporter.Nickname != "carol" || first.Reason != "rude" || first.Gone {
		t.Errorf("the newest report: %+v", first)
	}

	// Dismissed: that report closes. Deleted: the message goes, for
	// everyone, and all its reports close.
	carol.refused(shared.TypeResolveReport, shared.ResolveReport{ID: first.ID, Action: shared.ResolveDismiss}, shared.CodeForbidden)
	admin.refused(shared.TypeResolveReport, shared.ResolveReport{ID: first.ID, Action: "ignore"}, shared.CodeInvalidRequest)
	admin.refused(shared.TypeResolveReport, shared.ResolveReport{ID: "club:1:nobody", Action: shared.ResolveDismiss}, shared.CodeNotFound)
	admin.refused(shared.TypeResolveReport, shared.ResolveReport{ID: "garbage", Action: shared.ResolveDismiss}, shared.CodeNotFound)
	if e := admin.moderate(shared.TypeResolveReport, shared.ResolveReport{ID: first.ID, Action: shared.ResolveDismiss}, shared.ActionDismissReport); e.Message != rude.ID || e.Target.Nickname != "carol" {
		t.Errorf("dismissal entry %+v", e)
	}
	var spam shared.ReportInfo
	for _, r := range ask[shared.Reports](admin, shared.TypeReports, nil, shared.TypeReportsList).Reports {
		if r.Message.ID != bad.ID {
			t.Errorf("an open report of message %d after the dismissal", r.Message.ID)
		}
		spam = r
	}
	if e := admin.moderate(shared.TypeResolveReport, shared.ResolveReport{ID: spam.ID, Action: shared.ResolveDelete}, shared.ActionDelete); e.Message != bad.ID || !strings.Contains(e.Reason, "spam") {
		t.Errorf("deletion entry %+v", e)
	}
	until(carol, shared.TypeMessage, func(m shared.Message) bool { return m.Kind == shared.MessageDelete && m.Of == bad.ID })
	if list := ask[shared.Reports](admin, shared.TypeReports, nil, shared.TypeReportsList); len(list.Reports) != 0 {
		t.Errorf("reports left after the deletion: %+v", list.Reports)
	}
}

// TestModerationAuditLog: every action is in the audit log, newest
// first, a page at a time; the admin reads all of it, a room's owner
// the entries of their room but the reports, others nothing.
func TestModerationAuditLog(t *testing.T) {
	_, admin, olive, people := club(t, "bob", "carol")
	bob, carol := people[0], people[1]
	m := bob.sayIn("club", "b1", "hmm")
	carol.moderate(shared.TypeReport, shared.Report{Room: "club", ID: m.ID, Reason: "odd"}, shared.ActionReport)
	olive.moderate(shared.TypeMute, shared.Mute{Room: "club", Nickname: "bob", Seconds: 60}, shared.ActionMute)
	olive.moderate(shared.TypeLock, shared.Lock{Room: "club", Locked: true}, shared.ActionLock)
	olive.moderate(shared.TypeSlowMode, shared.SlowMode{Room: "club", Seconds: 10}, shared.ActionSlowMode)
	olive.moderate(shared.TypeDelete, shared.Delete{Room: "club", ID: m.ID}, shared.ActionDelete)
	admin.moderate(shared.TypeBanAddress, shared.BanAddress{Address: "192.0.2.1", Seconds: 60}, shared.ActionBanAddress)
	admin.moderate(shared.TypeBan, shared.Ban{Nickname: "carol", Seconds: 60}, shared.ActionBan)

	actions := func(es []shared.AuditEntry) string {
		var a []string
		for _, e := range es {
			a = append(a, e.Action)
		}
		return strings.Join(a, ",")
	}
	page := ask[shared.Audit](admin, shared.TypeAudit, shared.AuditRequest{Limit: new(4)}, shared.TypeAuditLog)
	if got := actions(page.Entries); got != "ban,ban_address,delete,slow_mode" || !page.More {
		t.Fatalf("the newest entries: %s (more %v)", got, page.More)
	}
	older := ask[shared.Audit](admin, shared.TypeAudit, shared.AuditRequest{Before: page.Entries[3].ID}, shared.TypeAuditLog)
	if got := actions(older.Entries); got != "lock,mute,report" || older.More {
		t.Fatalf("the entries before: %s (more %v)", got, older.More)
	}
	if e := older.Entries[2]; e.Actor.Nickname != "carol" || e.Room != "club" || e.Message != m.ID || e.Reason != "odd" {
		t.Errorf("report entry %+v", e)
	}
	// The owner: their room's, without reports.
	mine := ask[shared.Audit](olive, shared.TypeAudit, shared.AuditRequest{Room: "club"}, shared.TypeAuditLog)
	if got := actions(mine.Entries); got != "delete,slow_mode,lock,mute" || mine.Room != "club" {
		t.Errorf("the owner's audit log: %s", got)
	}
	olive.refused(shared.TypeAudit, shared.AuditRequest{}, shared.CodeForbidden)
	ask[shared.RoomInfo](bob, shared.TypeCreateRoom, shared.CreateRoom{Name: "lounge", Kind: shared.KindPublic}, shared.TypeRoom)
	olive.refused(shared.TypeAudit, shared.AuditRequest{Room: "lounge"}, shared.CodeForbidden)
	bob.refused(shared.TypeAudit, shared.AuditRequest{Room: "club"}, shared.CodeForbidden)
	admin.refused(shared.TypeAudit, shared.AuditRequest{Limit: new(0)}, shared.CodeInvalidRequest)
	admin.refused(shared.TypeAudit, shared.AuditRequest{Limit: new(shared.MaxAuditPage + 1)}, shared.CodeInvalidRequest)
	admin.refused(shared.TypeAudit, shared.AuditRequest{Room: "nowhere"}, shared.CodeNotFound)
}

// TestModerationAcrossServers: two servers on one NATS: what a moderator
// does on one takes effect at once for people on the other.
func TestModerationAcrossServers(t *testing.T) {
	url := startNATS(t)
	cfg := testConfig()
	cfg.Store = store.Config{URLs: []string{url}}
	a := startServer(t, cfg)
	b := startServer(t, cfg)

	admin := dial(t, a.URL)
	admin.hello("admin")
	ask[shared.RoomInfo](admin, shared.TypeCreateRoom, shared.CreateRoom{Name: "club", Kind: shared.KindPublic}, shared.TypeRoom)
	admin.enterRoom("club", shared.Join{})
	bob := dial(t, b.URL)
	bob.hello("bob")
	bob.enterRoom("club", shared.Join{})
	bob.sayIn("club", "b1", "hello from B") // B has the room and bob's mute cached

	admin.moderate(shared.TypeMute, shared.Mute{Room: "club", Nickname: "bob", Seconds: 600}, shared.ActionMute)
	waitFor(t, "the mute to reach B", func() bool {
		_, err := bob.request(shared.TypeSay, shared.Say{Room: "club", Text: "muted?"}, shared.TypeAck)
		return err != nil && err.Code == shared.CodeForbidden
	})
	admin.moderate(shared.TypeMute, shared.Mute{Room: "club", Nickname: "bob", Seconds: 0}, shared.ActionUnmute)
	admin.moderate(shared.TypeLock, shared.Lock{Room: "club", Locked: true}, shared.ActionLock)
	until(bob, shared.TypeRoom, func(r shared.RoomInfo) bool { return r.ID == "club" && r.Locked })
	if _, err := bob.request(shared.TypeSay, shared.Say{Room: "club", Text: "locked?"}, shared.TypeAck); err == nil || err.Code != shared.CodeForbidden {
		t.Fatalf("bob on B says in the room locked on A: %+v", err)
	}
	admin.moderate(shared.TypeLock, shared.Lock{Room: "club", Locked: false}, shared.ActionUnlock)
	until(bob, shared.TypeRoom, func(r shared.RoomInfo) bool { return r.ID == "club" && !r.Locked })

	// A message deleted on A goes on B.
	m := bob.sayIn("club", "b2", "regrettable")
	admin.moderate(shared.TypeDelete, shared.Delete{Room: "club", ID: m.ID}, shared.ActionDelete)
	until(bob, shared.TypeMessage, func(d shared.Message) bool { return d.Kind == shared.MessageDelete && d.Of == m.ID })

	admin.moderate(shared.TypeKick, shared.Kick{Room: "club", Nickname: "bob"}, shared.ActionKick)
	until(bob, shared.TypeLeft, func(l shared.Left) bool { return l.Room == "club" })
	bob.enterRoom("club", shared.Join{})
	admin.moderate(shared.TypeBan, shared.Ban{Room: "club", Nickname: "bob", Seconds: 600}, shared.ActionBan)
	until(bob, shared.TypeLeft, func(l shared.Left) bool { return l.Room == "club" })
	if _, err := bob.request(shared.TypeJoin, shared.Join{Room: "club"}, shared.TypeJoined); err == nil || err.Code != shared.CodeForbidden {
		t.Fatalf("bob, banned on A, joins on B: %+v", err)
	}
	admin.moderate(shared.TypeBan, shared.Ban{Nickname: "bob", Seconds: 600}, shared.ActionBan)
	bob.expectClose(shared.StatusBanned)
}

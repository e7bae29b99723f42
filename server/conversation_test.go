//go:build !js

package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"livechat/shared"
)

// answer sends a request of typ with the client id id and reads up to
// its ack or the error answering it, skipping other events.
func (c *client) answer(typ shared.Type, id string, payload any) (shared.Ack, *shared.Error) {
	c.t.Helper()
	c.send(typ, id, payload)
	return c.awaitAnswer(id)
}

// awaitAnswer reads up to the ack of the request id or the error
// answering it; the other events read meanwhile are held for later reads.
func (c *client) awaitAnswer(id string) (shared.Ack, *shared.Error) {
	c.t.Helper()
	for i, a := range c.acks {
		if a.ClientID == id {
			c.acks = slices.Delete(c.acks, i, i+1)
			return a, nil
		}
	}
	answers := func(env shared.Envelope) (shared.Ack, *shared.Error, bool) {
		switch env.Type {
		case shared.TypeAck:
			var a shared.Ack
			if env.DecodePayload(&a) == nil && a.ClientID == id {
				return a, nil, true
			}
		case shared.TypeError:
			var e shared.Error
			if env.DecodePayload(&e) == nil && e.Ref == id {
				return shared.Ack{}, &e, true
			}
		}
		return shared.Ack{}, nil, false
	}
	for i, env := range c.held {
		if a, e, ok := answers(env); ok {
			c.held = slices.Delete(c.held, i, i+1)
			return a, e
		}
	}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		env, err := c.conn.Read(ctx)
		cancel()
		if err != nil {
			c.t.Fatalf("%s: waiting for the answer to %s: %v", c.name, id, err)
		}
		if a, e, ok := answers(env); ok {
			return a, e
		}
		c.held = append(c.held, env)
	}
}

// act sends a request that must be acknowledged, and returns the ack.
func (c *client) act(typ shared.Type, id string, payload any) shared.Ack {
	c.t.Helper()
	a, e := c.answer(typ, id, payload)
	if e != nil {
		c.t.Fatalf("%s: %s %s %+v: %s %s", c.name, typ, id, payload, e.Code, e.Message)
	}
	if a.ID == 0 {
		c.t.Fatalf("%s: %s %s acknowledged with %+v", c.name, typ, id, a)
	}
	return a
}

// deny sends a request that must be refused with code.
func (c *client) deny(typ shared.Type, id string, payload any, code shared.Code) {
	c.t.Helper()
	a, e := c.answer(typ, id, payload)
	if e == nil || e.Code != code || e.Message == "" {
		c.t.Fatalf("%s: %s %+v answered with ack %+v, error %+v; want %s", c.name, typ, payload, a, e, code)
	}
}

// event reads c up to the event of kind about the message of, and
// returns it.
func event(c *client, kind string, of uint64) shared.Message {
	c.t.Helper()
	return until(c, shared.TypeMessage, func(m shared.Message) bool { return m.Kind == kind && m.Of == of })
}

// quietUntil reads c's messages and events up to the message with the
// client id marker, and fails on any other one: none was due.
func quietUntil(c *client, marker string) shared.Message {
	c.t.Helper()
	for {
		m := until(c, shared.TypeMessage, func(shared.Message) bool { return true })
		if m.ClientID == marker {
			return m
		}
		c.t.Fatalf("%s: got %+v before the message %s, want nothing", c.name, m, marker)
	}
}

// reactions describes reactions as "emoji:nickname,nickname" strings.
func reactions(rs []shared.Reaction) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		names := make([]string, len(r.People))
		for i, p := range r.People {
			names[i] = p.Nickname
		}
		out = append(out, r.Emoji+":"+strings.Join(names, ","))
	}
	return out
}

// foldAll folds msgs (messages and events, in the order received) into
// state, the messages by id.
func foldAll(state map[uint64]shared.Message, msgs ...shared.Message) {
	for _, m := range msgs {
		if m.Kind == "" {
			state[m.ID] = m
			continue
		}
		if s, ok := state[m.Of]; ok {
			s.Fold(m)
			state[m.Of] = s
		}
	}
}

// noEvents fails if msgs, delivered folded, hold an event.
func noEvents(t *testing.T, what string, msgs []shared.Message) {
	t.Helper()
	for _, m := range msgs {
		if m.Kind != "" {
			t.Errorf("%s holds the event %+v, want every event folded", what, m)
		}
	}
}

// find returns the message id of msgs, or fails.
func find(t *testing.T, what string, msgs []shared.Message, id uint64) shared.Message {
	t.Helper()
	for _, m := range msgs {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("%s lacks message %d: %v", what, id, ids(msgs))
	return shared.Message{}
}

// shown is what a client shows of a message, to compare states.
type shown struct {
	ID        uint64
	Text      string
	Edited    int64
	Deleted   bool
	Reactions string
	Replies   int
	ReplyTo   uint64
	Quote     shared.Quote
	Rev       uint64
}

func showing(m shared.Message) shown {
	s := shown{ID: m.ID, Text: m.Text, Deleted: m.Deleted, Reactions: strings.Join(reactions(m.Reactions), " "),
		Replies: m.Replies, ReplyTo: m.ReplyTo, Rev: m.Rev}
	if !m.Edited.IsZero() {
		s.Edited = m.Edited.UnixNano()
	}
	if m.Quote != nil {
		s.Quote = *m.Quote
	}
	return s
}

// TestConversationEdit: authors edit their own messages; everyone gets
// the new text as an event, the author an ack; a resent edit is stored
// once; others' messages, empty texts and messages that are not there
// are refused; the old text is gone from the store.
func TestConversationEdit(t *testing.T) {
	srv, _, olive, people := club(t, "bob", "carol")
	bob, carol := people[0], people[1]

	m := bob.sayIn("club", "b1", "teh cat sat")
	until(carol, shared.TypeMessage, func(x shared.Message) bool { return x.ID == m.ID })
	until(olive, shared.TypeMessage, func(x shared.Message) bool { return x.ID == m.ID })

	ack, e := bob.answer(shared.TypeEdit, "e1", shared.Edit{Room: "club", ID: m.ID, Text: "the cat sat"})
	if e != nil || ack.ClientID != "e1" || ack.ID <= m.ID || ack.Duplicate {
		t.Fatalf("bob's edit answered with %+v, %+v", ack, e)
	}
	for _, c := range []*client{bob, carol, olive} {
		ev := event(c, shared.MessageEdit, m.ID)
		if ev.ID != ack.ID || ev.Text != "the cat sat" || ev.Edited.IsZero() || ev.Author == "" || ev.From != "bob" {
			t.Errorf("%s got the edit %+v, want id %d with the new text", c.name, ev, ack.ID)
		}
		if got := m; !got.Fold(ev) || got.Text != "the cat sat" || got.Rev != ev.ID {
			t.Errorf("%s: folding %+v onto %+v gives %+v", c.name, ev, m, got)
		}
	}

	// Resent: acknowledged again, stored once.
	again, e := bob.answer(shared.TypeEdit, "e1", shared.Edit{Room: "club", ID: m.ID, Text: "the cat sat"})
	if e != nil || !again.Duplicate || again.ID != ack.ID {
		t.Errorf("the resent edit answered with %+v, %+v; want a duplicate of %d", again, e, ack.ID)
	}
	bob.send(shared.TypeSay, "b2", shared.Say{Room: "club", Text: "marker"})
	quietUntil(carol, "b2")

	// Refused.
	olive.deny(shared.TypeEdit, "o1", shared.Edit{Room: "club", ID: m.ID, Text: "moderated"}, shared.CodeForbidden)
	carol.deny(shared.TypeEdit, "c1", shared.Edit{Room: "club", ID: m.ID, Text: "hacked"}, shared.CodeForbidden)
	for _, text := range []string{"", "   ", "bell\a"} {
		bob.deny(shared.TypeEdit, "e-bad", shared.Edit{Room: "club", ID: m.ID, Text: text}, shared.CodeTextInvalid)
	}
	bob.deny(shared.TypeEdit, "e-noid", shared.Edit{Room: "club", ID: m.ID, Text: strings.Repeat("x", shared.MaxTextBytes+1)}, shared.CodeTextTooLong)
	bob.deny(shared.TypeEdit, "e-none", shared.Edit{Room: "club", ID: 1 << 40, Text: "x"}, shared.CodeNotFound)
	bob.deny(shared.TypeEdit, "e-event", shared.Edit{Room: "club", ID: ack.ID, Text: "x"}, shared.CodeNotFound)
	ask[shared.RoomInfo](olive, shared.TypeCreateRoom, shared.CreateRoom{Name: "other", Kind: shared.KindPublic}, shared.TypeRoom)
	bob.deny(shared.TypeEdit, "e-other", shared.Edit{Room: "other", ID: m.ID, Text: "x"}, shared.CodeNotJoined)
	gone := bob.sayIn("club", "b3", "soon gone")
	bob.moderate(shared.TypeDelete, shared.Delete{Room: "club", ID: gone.ID}, shared.ActionDelete)
	bob.deny(shared.TypeEdit, "e-gone", shared.Edit{Room: "club", ID: gone.ID, Text: "back"}, shared.CodeNotFound)
	bob.send(shared.TypeEdit, "", shared.Edit{Room: "club", ID: m.ID, Text: "no id"})
	bob.expectErrorSkipping(shared.CodeInvalidRequest)

	// A second edit: the first one's text is erased with it.
	second := bob.act(shared.TypeEdit, "e2", shared.Edit{Room: "club", ID: m.ID, Text: "the dog sat"})
	if ev := event(carol, shared.MessageEdit, m.ID); ev.ID != second.ID || ev.Text != "the dog sat" {
		t.Fatalf("carol got the second edit %+v", ev)
	}
	last := bob.sayIn("club", "b4", "the end")

	// History, a page and a resume after the message hold the new text
	// only.
	erin := dial(t, srv.URL)
	erin.hello("erin")
	_, hist := erin.enterRoom("club", shared.Join{})
	page := ask[shared.History](carol, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: last.ID + 1}, shared.TypeHistory)
	dave := dial(t, srv.URL)
	dave.hello("dave")
	_, resumed := dave.enterRoom("club", shared.Join{Since: new(m.ID)})
	for what, msgs := range map[string][]shared.Message{"a newcomer's history": messagesOf(hist), "a page": page.Messages} {
		noEvents(t, what, msgs)
		if got := find(t, what, msgs, m.ID); got.Text != "the dog sat" || got.Edited.IsZero() || got.Rev != second.ID {
			t.Errorf("%s has %+v, want the second edit folded on", what, got)
		}
	}
	var edits []shared.Message
	for what, msgs := range map[string][]shared.Message{"a newcomer's history": messagesOf(hist), "a page": page.Messages, "a resume": messagesOf(resumed)} {
		for _, x := range msgs {
			if strings.Contains(x.Text, "teh cat") || strings.Contains(x.Text, "the cat") || strings.Contains(x.Text, "soon gone") {
				t.Errorf("%s still has an old text: %+v", what, x)
			}
			if what == "a resume" && x.Kind == shared.MessageEdit {
				edits = append(edits, x)
			}
		}
	}
	if len(edits) != 1 || edits[0].ID != second.ID {
		t.Errorf("a resume after the message got the edits %+v, want the newest alone", edits)
	}
}

// expectErrorSkipping reads c up to an error, skipping other events,
// which must have code.
func (c *client) expectErrorSkipping(code shared.Code) {
	c.t.Helper()
	if e := until(c, shared.TypeError, func(shared.Error) bool { return true }); e.Code != code || e.Message == "" {
		c.t.Fatalf("%s: error %+v, want %s", c.name, e, code)
	}
}

// TestConversationReactions: people add and remove reactions; each
// event carries all of them; adding one twice or removing one that is
// not there changes nothing; a reaction is one emoji, and a message has
// at most MaxReactionKinds kinds of them.
func TestConversationReactions(t *testing.T) {
	_, _, olive, people := club(t, "bob", "carol")
	bob, carol := people[0], people[1]
	m := bob.sayIn("club", "b1", "pizza tonight?")
	until(carol, shared.TypeMessage, func(x shared.Message) bool { return x.ID == m.ID })

	react := func(c *client, id, emoji string, remove bool, want ...string) {
		t.Helper()
		a := c.act(shared.TypeReact, id, shared.React{Room: "club", ID: m.ID, Emoji: emoji, Remove: remove})
		if a.Duplicate {
			t.Fatalf("%s's reaction %s changed nothing", c.name, id)
		}
		ev := event(bob, shared.MessageReact, m.ID)
		if got := reactions(ev.Reactions); ev.ID != a.ID || !slices.Equal(got, want) {
			t.Fatalf("after %s's reaction %s bob got %+v (%v), want id %d with %v", c.name, id, ev, got, a.ID, want)
		}
	}
	react(olive, "o1", "👍", false, "👍:olive")
	react(carol, "c1", "👍", false, "👍:olive,carol")
	react(carol, "c2", "🍕", false, "👍:olive,carol", "🍕:carol")

	// Twice, or removing one not given: acknowledged, nothing stored.
	for _, r := range []shared.React{{Emoji: "👍"}, {Emoji: "🎉", Remove: true}} {
		r.Room, r.ID = "club", m.ID
		a, e := carol.answer(shared.TypeReact, fmt.Sprint("c-again-", r.Remove), r)
		if e != nil || !a.Duplicate {
			t.Errorf("carol's %+v answered with %+v, %+v; want a duplicate", r, a, e)
		}
	}
	carol.send(shared.TypeSay, "c3", shared.Say{Room: "club", Text: "marker"})
	quietUntil(bob, "c3")

	react(carol, "c4", "👍", true, "👍:olive", "🍕:carol")
	react(carol, "c5", "🍕", true, "👍:olive")

	// Not emoji.
	for _, emoji := range []string{"", "ok", "👍 ", "👍x", strings.Repeat("👍", 9), "\u200d"} {
		carol.deny(shared.TypeReact, "c-bad", shared.React{Room: "club", ID: m.ID, Emoji: emoji}, shared.CodeInvalidRequest)
	}
	carol.deny(shared.TypeReact, "c-none", shared.React{Room: "club", ID: 1 << 40, Emoji: "👍"}, shared.CodeNotFound)
	ask[shared.RoomInfo](olive, shared.TypeCreateRoom, shared.CreateRoom{Name: "other", Kind: shared.KindPublic}, shared.TypeRoom)
	carol.deny(shared.TypeReact, "c-other", shared.React{Room: "other", ID: m.ID, Emoji: "👍"}, shared.CodeNotJoined)

	// Up to MaxReactionKinds kinds: 👍 and these.
	want := []string{"👍:olive"}
	for i := range shared.MaxReactionKinds - 1 {
		emoji := string(rune(0x1F600 + i))
		want = append(want, emoji+":bob")
		bob.act(shared.TypeReact, fmt.Sprint("b-", i), shared.React{Room: "club", ID: m.ID, Emoji: emoji})
	}
	carol.deny(shared.TypeReact, "c-many", shared.React{Room: "club", ID: m.ID, Emoji: "🙈"}, shared.CodeForbidden)
	// A kind already there may still be given.
	a := carol.act(shared.TypeReact, "c-more", shared.React{Room: "club", ID: m.ID, Emoji: "👍"})
	want[0] = "👍:olive,carol"
	ev := until(olive, shared.TypeMessage, func(x shared.Message) bool { return x.ID == a.ID })
	if got := reactions(ev.Reactions); !slices.Equal(got, want) {
		t.Errorf("the reactions at the most kinds: %v, want %v", got, want)
	}
}

// TestConversationReplies: a reply carries what it answers and a quote
// of it; the message answered counts its replies.
func TestConversationReplies(t *testing.T) {
	_, _, olive, people := club(t, "bob", "carol")
	bob, carol := people[0], people[1]
	long := strings.Repeat("é", shared.MaxQuoteChars+10)
	q := bob.sayIn("club", "b1", "who brings the cake? "+long)

	carol.send(shared.TypeSay, "c1", shared.Say{Room: "club", Text: "I do", ReplyTo: q.ID})
	r := until(olive, shared.TypeMessage, func(x shared.Message) bool { return x.ClientID == "c1" })
	if r.ReplyTo != q.ID || r.Quote == nil || r.Quote.From != "bob" || !strings.HasPrefix(r.Quote.Text, "who brings the cake? ") ||
		len([]rune(r.Quote.Text)) != shared.MaxQuoteChars+1 || !strings.HasSuffix(r.Quote.Text, "…") {
		t.Fatalf("the reply %+v", r)
	}
	if ev := replyEvent(olive, q.ID, 1); ev.ID <= r.ID {
		t.Errorf("the first reply event %+v", ev)
	}
	if a, e := carol.awaitAnswer("c1"); e != nil || a.ID != r.ID {
		t.Errorf("carol's reply answered with %+v, %+v", a, e)
	}
	olive.sayIn("club", "o1", "and I the candles")
	olive.send(shared.TypeSay, "o2", shared.Say{Room: "club", Text: "with cream", ReplyTo: q.ID})
	replyEvent(bob, q.ID, 1)
	replyEvent(bob, q.ID, 2)
	// Replies do not touch the text's edit.
	bob.act(shared.TypeEdit, "b2", shared.Edit{Room: "club", ID: q.ID, Text: "who brings the cake?"})
	carol.send(shared.TypeSay, "c2", shared.Say{Room: "club", Text: "me again", ReplyTo: q.ID})
	if ev := replyEvent(bob, q.ID, 3); ev.Text != "who brings the cake?" || ev.Edited.IsZero() {
		t.Errorf("the third reply event %+v, want the edit kept", ev)
	}

	bob.deny(shared.TypeSay, "b3", shared.Say{Room: "club", Text: "to nothing", ReplyTo: 1 << 40}, shared.CodeNotFound)
	gone := bob.sayIn("club", "b4", "gone soon")
	bob.moderate(shared.TypeDelete, shared.Delete{Room: "club", ID: gone.ID}, shared.ActionDelete)
	carol.deny(shared.TypeSay, "c3", shared.Say{Room: "club", Text: "to a deleted one", ReplyTo: gone.ID}, shared.CodeNotFound)
}

// replyEvent reads c up to the next reply event about of, which must
// count n replies.
func replyEvent(c *client, of uint64, n int) shared.Message {
	c.t.Helper()
	ev := event(c, shared.MessageReply, of)
	if ev.Replies != n || ev.Author == "" {
		c.t.Fatalf("%s: reply event %+v, want %d replies", c.name, ev, n)
	}
	return ev
}

// TestConversationFolded: a newcomer's history and a page carry each
// message with its edit, reactions and replies folded on, and no events.
func TestConversationFolded(t *testing.T) {
	srv, _, olive, people := club(t, "bob", "carol")
	bob, carol := people[0], people[1]
	m := bob.sayIn("club", "b1", "meet at 6")
	bob.act(shared.TypeEdit, "b2", shared.Edit{Room: "club", ID: m.ID, Text: "meet at 7"})
	carol.act(shared.TypeReact, "c1", shared.React{Room: "club", ID: m.ID, Emoji: "👍"})
	olive.act(shared.TypeReact, "o1", shared.React{Room: "club", ID: m.ID, Emoji: "👍"})
	reply := carol.replyIn("club", "c2", "ok", m.ID)
	ev := event(bob, shared.MessageReply, m.ID)
	last := olive.sayIn("club", "o2", "see you")

	check := func(what string, msgs []shared.Message) {
		t.Helper()
		noEvents(t, what, msgs)
		if !slices.Equal(ids(msgs), []uint64{m.ID, reply.ID, last.ID}) {
			t.Errorf("%s: %v, want %d, %d, %d", what, ids(msgs), m.ID, reply.ID, last.ID)
		}
		got := find(t, what, msgs, m.ID)
		if got.Text != "meet at 7" || got.Edited.IsZero() || got.Replies != 1 || got.Rev != ev.ID ||
			!slices.Equal(reactions(got.Reactions), []string{"👍:carol,olive"}) {
			t.Errorf("%s has %+v", what, got)
		}
		if r := find(t, what, msgs, reply.ID); r.ReplyTo != m.ID || r.Quote == nil || r.Quote.Text != "meet at 7" {
			t.Errorf("%s has the reply %+v", what, r)
		}
	}
	erin := dial(t, srv.URL)
	erin.hello("erin")
	_, hist := erin.enterRoom("club", shared.Join{})
	check("a newcomer's history", messagesOf(hist))
	check("a page", ask[shared.History](carol, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: last.ID + 1}, shared.TypeHistory).Messages)
	// A page of one event's worth: the messages before last.
	p := ask[shared.History](carol, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: last.ID}, shared.TypeHistory)
	noEvents(t, "a page before the last message", p.Messages)

	// A join asking for the last two ids gets the last message, not the
	// event after it about a message it does not get.
	un := bob.act(shared.TypeReact, "b3", shared.React{Room: "club", ID: m.ID, Emoji: "🎉"})
	fred := dial(t, srv.URL)
	fred.hello("fred")
	_, hist = fred.enterRoom("club", shared.Join{History: new(2)})
	if got := messagesOf(hist); !slices.Equal(ids(got), []uint64{last.ID}) || !hist[0].More {
		t.Errorf("a join of the last two ids (to %d) got %+v (more %v), want message %d alone", un.ID, got, hist[0].More, last.ID)
	}
}

// replyIn is sayIn for a reply to the message to.
func (c *client) replyIn(room, id, text string, to uint64) shared.Message {
	c.t.Helper()
	c.send(shared.TypeSay, id, shared.Say{Room: room, Text: text, ReplyTo: to})
	return until(c, shared.TypeMessage, func(m shared.Message) bool { return m.ClientID == id })
}

// TestConversationResume: dave resumes after X; meanwhile old messages
// were edited, reacted to and deleted, and new ones said and changed. He
// gets one event per changed old message, with its newest state, and the
// new messages with their state folded on, no events about them; folding
// it all gives what a newcomer has. His unread count counts messages
// said only.
func TestConversationResume(t *testing.T) {
	srv, _, olive, people := club(t, "bob", "dave")
	bob, dave := people[0], people[1]

	state := map[uint64]shared.Message{} // what dave has: the room had nothing when he joined
	var old []shared.Message
	for i := range 5 {
		old = append(old, bob.sayIn("club", fmt.Sprint("b", i), fmt.Sprint("old ", i)))
	}
	// An event before X too: the last one dave gets.
	x := olive.act(shared.TypeReact, "o0", shared.React{Room: "club", ID: old[4].ID, Emoji: "👀"})
	for {
		m := until(dave, shared.TypeMessage, func(shared.Message) bool { return true })
		foldAll(state, m)
		if m.ID == x.ID {
			break
		}
	}
	ask[shared.Read](dave, shared.TypeRead, shared.Read{Room: "club", ID: x.ID}, shared.TypeReadPosition)
	dave.conn.WebSocket().CloseNow()

	// Meanwhile: old[0] edited twice then replied to, old[1] reacted to,
	// old[2] deleted; old[3] and old[4] untouched since X.
	bob.act(shared.TypeEdit, "e1", shared.Edit{Room: "club", ID: old[0].ID, Text: "old 0, edited"})
	bob.act(shared.TypeEdit, "e2", shared.Edit{Room: "club", ID: old[0].ID, Text: "old 0, edited twice"})
	olive.act(shared.TypeReact, "o1", shared.React{Room: "club", ID: old[1].ID, Emoji: "🎉"})
	bob.moderate(shared.TypeDelete, shared.Delete{Room: "club", ID: old[2].ID}, shared.ActionDelete)
	// New messages, changed after.
	n1 := bob.sayIn("club", "n1", "new 1")
	n2 := bob.sayIn("club", "n2", "new 2")
	n3 := olive.replyIn("club", "n3", "new 3, about old 0", old[0].ID)
	event(bob, shared.MessageReply, old[0].ID)
	bob.act(shared.TypeEdit, "e3", shared.Edit{Room: "club", ID: n1.ID, Text: "new 1, edited"})
	olive.act(shared.TypeReact, "o2", shared.React{Room: "club", ID: n2.ID, Emoji: "❤️"})
	olive.act(shared.TypeReact, "o3", shared.React{Room: "club", ID: n1.ID, Emoji: "❤️"})
	last := olive.sayIn("club", "n4", "new 4")

	// Unread: the four messages said after X, none of the events.
	again := dial(t, srv.URL)
	again.hello("dave")
	if info := roomIn(t, ask[shared.Rooms](again, shared.TypeRooms, nil, shared.TypeRoomsList), "club"); info.Unread != 4 || info.Read != x.ID || info.Last != last.ID {
		t.Errorf("dave's club: %+v, want 4 unread after %d", info, x.ID)
	}

	_, hist := again.enterRoom("club", shared.Join{Since: new(x.ID)})
	got := messagesOf(hist)
	if hist[0].Truncated || hist[0].Reset {
		t.Errorf("the resume is truncated or reset: %+v", hist[0])
	}
	about := map[uint64][]shared.Message{}
	var said []uint64
	for _, m := range got {
		if m.Kind == "" {
			said = append(said, m.ID)
			continue
		}
		about[m.Of] = append(about[m.Of], m)
	}
	if want := []uint64{n1.ID, n2.ID, n3.ID, last.ID}; !slices.Equal(said, want) {
		t.Errorf("resumed with the messages %v, want %v", said, want)
	}
	for id, events := range about {
		if len(events) != 1 {
			t.Errorf("resumed with %d events about %d, want one: %+v", len(events), id, events)
		}
	}
	if len(about) != 3 {
		t.Errorf("resumed with events about %d messages, want 3 (%d, %d, %d): %+v", len(about), old[0].ID, old[1].ID, old[2].ID, about)
	}
	if e := about[old[0].ID]; len(e) == 0 || e[0].Text != "old 0, edited twice" || e[0].Replies != 1 || e[0].Kind != shared.MessageReply {
		t.Errorf("the event about old 0: %+v", e)
	}
	if e := about[old[1].ID]; len(e) == 0 || !slices.Equal(reactions(e[0].Reactions), []string{"🎉:olive"}) {
		t.Errorf("the event about old 1: %+v", e)
	}
	if e := about[old[2].ID]; len(e) == 0 || !e[0].Deleted || e[0].Kind != shared.MessageDelete || e[0].Text != "" {
		t.Errorf("the event about old 2: %+v", e)
	}
	if m := find(t, "the resume", got, n1.ID); m.Text != "new 1, edited" || !slices.Equal(reactions(m.Reactions), []string{"❤️:olive"}) {
		t.Errorf("n1 resumed as %+v", m)
	}
	if m := find(t, "the resume", got, n2.ID); !slices.Equal(reactions(m.Reactions), []string{"❤️:olive"}) {
		t.Errorf("n2 resumed as %+v", m)
	}
	if m := find(t, "the resume", got, n3.ID); m.ReplyTo != old[0].ID || m.Quote == nil || m.Quote.Text != "old 0, edited twice" {
		t.Errorf("n3 resumed as %+v", m)
	}

	// Folded, dave has what a newcomer has (and old 2, deleted).
	foldAll(state, got...)
	erin := dial(t, srv.URL)
	erin.hello("erin")
	_, fresh := erin.enterRoom("club", shared.Join{})
	newcomer := messagesOf(fresh)
	noEvents(t, "a newcomer's history", newcomer)
	if d := state[old[2].ID]; !d.Deleted || d.Text != "" {
		t.Errorf("dave's old 2: %+v, want deleted", d)
	}
	delete(state, old[2].ID)
	if len(state) != len(newcomer) {
		t.Errorf("dave has %d messages, a newcomer %v", len(state), ids(newcomer))
	}
	for _, m := range newcomer {
		if g, w := showing(state[m.ID]), showing(m); g != w {
			t.Errorf("message %d: dave has %+v, a newcomer %+v", m.ID, g, w)
		}
	}
}

// TestConversationConcurrentReactions: twenty people (the most kinds a
// message may have) react to one message at once, each with another
// emoji: every one is kept and acknowledged, however many times the
// server had to make its event again because others came first.
func TestConversationConcurrentReactions(t *testing.T) {
	names := make([]string, shared.MaxReactionKinds)
	for i := range names {
		names[i] = fmt.Sprint("p", i)
	}
	_, _, olive, people := club(t, names...)
	m := olive.sayIn("club", "o1", "react!")
	for _, c := range people {
		until(c, shared.TypeMessage, func(x shared.Message) bool { return x.ID == m.ID })
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(people))
	start := make(chan struct{})
	for i, c := range people {
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			if err := c.conn.Write(ctx, shared.TypeReact, "r", shared.React{Room: "club", ID: m.ID, Emoji: string(rune(0x1F600 + i))}); err != nil {
				errs <- fmt.Errorf("%s: %w", c.name, err)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, c := range people {
		if a, e := c.awaitAnswer("r"); e != nil || a.ID == 0 || a.Duplicate {
			t.Errorf("%s's reaction answered with %+v, %+v", c.name, a, e)
		}
	}
	page := ask[shared.History](olive, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: m.ID + 1}, shared.TypeHistory)
	got := find(t, "the page", page.Messages, m.ID)
	var want []string
	for i := range people {
		want = append(want, string(rune(0x1F600+i))+":"+names[i])
	}
	g := reactions(got.Reactions)
	slices.Sort(g)
	if !slices.Equal(g, want) {
		t.Errorf("the reactions: %v, want %v", g, want)
	}
}

// TestConversationTyping: typing reaches the room's other people, not
// the typist's own connections, at most once per gate; not in a room not
// joined.
func TestConversationTyping(t *testing.T) {
	_, _, olive, people := club(t, "bob", "bob")
	bob, laptop := people[0], people[1] // one person, two connections

	bob.send(shared.TypeTyping, "", shared.Typing{Room: "club"})
	bob.send(shared.TypeTyping, "", shared.Typing{Room: "club"}) // too soon: not passed on
	ty := until(olive, shared.TypeTyping, func(shared.Typing) bool { return true })
	if ty.Room != "club" || len(ty.People) != 1 || ty.People[0].Nickname != "bob" || ty.People[0].ID == "" {
		t.Fatalf("olive got typing %+v", ty)
	}
	bob.send(shared.TypeSay, "b1", shared.Say{Room: "club", Text: "done typing"})
	for _, c := range []*client{olive, laptop, bob} {
		for {
			env := c.next()
			if env.Type == shared.TypeTyping {
				t.Fatalf("%s got a typing event %s, want none", c.name, env.Payload)
			}
			var m shared.Message
			if env.Type == shared.TypeMessage && env.DecodePayload(&m) == nil && m.ClientID == "b1" {
				break
			}
		}
	}
	ask[shared.RoomInfo](olive, shared.TypeCreateRoom, shared.CreateRoom{Name: "other", Kind: shared.KindPublic}, shared.TypeRoom)
	if _, e := bob.request(shared.TypeTyping, shared.Typing{Room: "other"}, shared.TypeAck); e == nil || e.Code != shared.CodeNotJoined {
		t.Errorf("typing in a room not joined: %+v", e)
	}
}

// TestConversationTypingAcrossServers: bob types on server B; alice, on
// server A, sees it.
func TestConversationTypingAcrossServers(t *testing.T) {
	a, b := twoServers(t)
	alice := join(t, a.URL, "alice")
	bob := join(t, b.URL, "bob")
	until(alice, shared.TypePresenceUpdate, func(u shared.PresenceUpdate) bool { return slices.Contains(u.Joined, "bob") })
	bob.send(shared.TypeTyping, "", shared.Typing{Room: shared.DefaultRoom})
	ty := until(alice, shared.TypeTyping, func(shared.Typing) bool { return true })
	if ty.Room != shared.DefaultRoom || len(ty.People) != 1 || ty.People[0].Nickname != "bob" {
		t.Fatalf("alice on A got typing %+v", ty)
	}
}

// TestConversationSeen: a read position moved reaches the others in the
// room; a newcomer's join has a snapshot of them.
func TestConversationSeen(t *testing.T) {
	srv, _, olive, people := club(t, "alice", "bob")
	alice, bob := people[0], people[1]
	var said []shared.Message
	for i := range 3 {
		said = append(said, olive.sayIn("club", fmt.Sprint("o", i), fmt.Sprint("news ", i)))
	}
	ask[shared.Read](alice, shared.TypeRead, shared.Read{Room: "club", ID: said[1].ID}, shared.TypeReadPosition)
	alicePos := func(s shared.Seen) (uint64, bool) {
		for _, r := range s.Readers {
			if r.Nickname == "alice" {
				return r.ID, r.Person.ID != ""
			}
		}
		return 0, false
	}
	seen := until(bob, shared.TypeSeen, func(s shared.Seen) bool { pos, _ := alicePos(s); return pos == said[1].ID })
	if _, ok := alicePos(seen); seen.Room != "club" || !ok {
		t.Errorf("bob saw %+v", seen)
	}

	erin := dial(t, srv.URL)
	erin.hello("erin")
	erin.enterRoom("club", shared.Join{})
	snap := until(erin, shared.TypeSeen, func(s shared.Seen) bool { return s.Room == "club" })
	if pos, ok := alicePos(snap); pos != said[1].ID || !ok {
		t.Errorf("erin's snapshot %+v, want alice at %d", snap, said[1].ID)
	}
}

// TestConversationTypingEndsWithTheMessage: a typing not told yet when
// its person's message is sent is never told (it would come after the
// message, and show them typing what they sent).
func TestConversationTypingEndsWithTheMessage(t *testing.T) {
	_, _, olive, people := club(t, "bob", "carol")
	bob, carol := people[0], people[1]
	bob.send(shared.TypeTyping, "", shared.Typing{Room: "club"})
	bob.sayIn("club", "b1", "quick")
	// carol types while bob's typing would still be gathered: the event
	// that tells hers names her alone.
	carol.send(shared.TypeTyping, "", shared.Typing{Room: "club"})
	for {
		ty := until(olive, shared.TypeTyping, func(shared.Typing) bool { return true })
		names := make([]string, len(ty.People))
		for i, p := range ty.People {
			names[i] = p.Nickname
		}
		if slices.Contains(names, "carol") {
			if slices.Contains(names, "bob") {
				t.Fatalf("typing after bob's message names %v", names)
			}
			return
		}
		// A flush between bob's typing and his message: told before it.
	}
}

// TestConversationPagesReadPastEvents: a page of history counts
// messages, not ids: a run of events (a burst of reactions to older
// messages) does not stop paging, and a page that finds only events still
// tells the client where to go on. A reply's quote of a message since
// deleted comes empty.
func TestConversationPagesReadPastEvents(t *testing.T) {
	_, _, olive, people := club(t, "bob")
	bob := people[0]
	var said []shared.Message
	for i := range 5 {
		said = append(said, olive.sayIn("club", fmt.Sprint("o", i), fmt.Sprint("old ", i)))
	}
	reply := bob.replyIn("club", "b-reply", "about that", said[1].ID)
	// 12 events after the reply: reactions to the first message.
	for i := range 12 {
		emoji := []string{"👍", "🎉", "❤️", "😀"}[i%4]
		bob.act(shared.TypeReact, fmt.Sprint("r", i), shared.React{Room: "club", ID: said[0].ID, Emoji: emoji, Remove: i >= 4 && i < 8})
	}
	olive.moderate(shared.TypeDelete, shared.Delete{Room: "club", ID: said[1].ID}, shared.ActionDelete)
	last := olive.sayIn("club", "o-last", "newest")

	// Four messages before the newest, through the events.
	page := ask[shared.History](bob, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: last.ID, Limit: new(4)}, shared.TypeHistory)
	if got := ids(page.Messages); !slices.Equal(got, []uint64{said[2].ID, said[3].ID, said[4].ID, reply.ID}) || !page.More {
		t.Fatalf("a page of 4 before %d: %v (more %v), want %d, %d, %d, %d", last.ID, got, page.More, said[2].ID, said[3].ID, said[4].ID, reply.ID)
	}
	if q := page.Messages[3].Quote; q == nil || q.From != "olive" || q.Text != "" {
		t.Errorf("the reply to a deleted message quotes %+v, want olive and no text", q)
	}
	// One message before the newest: through the deletion, the newest
	// reaction, and the ids of the reactions it replaced (erased).
	page = ask[shared.History](bob, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: last.ID, Limit: new(1)}, shared.TypeHistory)
	if got := ids(page.Messages); !slices.Equal(got, []uint64{reply.ID}) || !page.More {
		t.Fatalf("a page through events: %+v", page)
	}
	for before := page.Messages[0].ID; page.Messages[0].Kind != ""; {
		page = ask[shared.History](bob, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: before, Limit: new(1)}, shared.TypeHistory)
		if len(page.Messages) != 1 {
			t.Fatalf("paging on: %+v", page)
		}
		if page.Messages[0].Kind == "" {
			if page.Messages[0].ID != reply.ID {
				t.Fatalf("paging on found %+v, want the reply", page.Messages[0])
			}
			break
		}
		before = page.Messages[0].ID
	}
	// A page of one id's worth at a time still moves on.
	page = ask[shared.History](bob, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: said[2].ID, Limit: new(1)}, shared.TypeHistory)
	if got := ids(page.Messages); !slices.Equal(got, []uint64{said[0].ID}) || page.Messages[0].Rev == 0 || page.More {
		t.Fatalf("the first page: %+v", page)
	}
	if got := reactions(page.Messages[0].Reactions); len(got) != 4 {
		t.Errorf("the first message's reactions: %v", got)
	}
}

// TestConversationPageOfEventsOnly: a page that reads a long run of
// events and no message holds the oldest event it read, so that the
// client, which skips it, asks next before it.
func TestConversationPageOfEventsOnly(t *testing.T) {
	_, _, olive, _ := club(t)
	const n = 270
	var said []shared.Message
	for i := range n {
		said = append(said, olive.sayIn("club", fmt.Sprint("o", i), fmt.Sprint("message ", i)))
	}
	for i := range n {
		olive.act(shared.TypeReact, fmt.Sprint("r", i), shared.React{Room: "club", ID: said[i].ID, Emoji: "👍"})
	}
	last := olive.sayIn("club", "o-last", "newest")
	page := ask[shared.History](olive, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: last.ID, Limit: new(1)}, shared.TypeHistory)
	if len(page.Messages) != 1 || page.Messages[0].Kind != shared.MessageReact || !page.More {
		t.Fatalf("a page of events only: %+v", page)
	}
	for before := page.Messages[0].ID; ; {
		page = ask[shared.History](olive, shared.TypeHistory, shared.HistoryRequest{Room: "club", Before: before, Limit: new(1)}, shared.TypeHistory)
		if len(page.Messages) != 1 || page.Messages[0].ID >= before {
			t.Fatalf("paging on before %d: %+v", before, page)
		}
		if m := page.Messages[0]; m.Kind == "" {
			if m.ID != said[n-1].ID || len(m.Reactions) != 1 {
				t.Fatalf("paging on found %+v, want the last message before the reactions, with its reaction", m)
			}
			break
		}
		before = page.Messages[0].ID
	}
}

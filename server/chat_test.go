//go:build !js

package server_test

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"livechat/shared"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestTwoUsersChat(t *testing.T) {
	srv := startServer(t, testConfig())

	alice := join(t, srv.URL, "alice")

	bob := dial(t, srv.URL)
	w := bob.hello("bob")
	if w.Protocol != shared.ProtocolVersion || w.Server != "livechat test" || w.Limits != shared.DefaultLimits || w.Credential == "" || w.Admin {
		t.Errorf("welcome = %+v", w)
	}
	bob.send(shared.TypeJoin, "j1", shared.Join{Room: "general"})
	j, p, _ := bob.joined()
	if j.Room != "general" || j.Last != 0 {
		t.Errorf("joined = %+v", j)
	}
	if !slices.Equal(p.Users, []string{"alice", "bob"}) {
		t.Errorf("bob's presence = %v, want [alice bob]", p.Users)
	}
	// (The update may list alice too, if she joined within the same
	// quarter second: her snapshot had her already.)
	if u := alice.presence(); !slices.Contains(u.Joined, "bob") || u.Left != nil || u.Online != 2 || u.At.IsZero() {
		t.Errorf("alice saw %+v, want bob joined with 2 online", u)
	}

	alice.say("a-1", "hello bob <b>&</b>")
	for _, c := range []*client{alice, bob} {
		m := expect[shared.Message](c, shared.TypeMessage)
		if m.ID != 1 || m.From != "alice" || m.Author == "" || m.Author == w.You.ID || m.Text != "hello bob <b>&</b>" || m.ClientID != "a-1" || m.Room != "general" {
			t.Errorf("%s got %+v", c.name, m)
		}
		if time.Since(m.At) > time.Minute || m.At.Location() != time.UTC {
			t.Errorf("%s: message time %v", c.name, m.At)
		}
	}
	bob.say("b-1", "hi alice")
	for _, c := range []*client{alice, bob} {
		if m := expect[shared.Message](c, shared.TypeMessage); m.ID != 2 || m.From != "bob" || m.Author != w.You.ID || m.Text != "hi alice" {
			t.Errorf("%s got %+v", c.name, m)
		}
	}

	if err := bob.conn.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatalf("bob close: %v", err)
	}
	if u := alice.presence(); !slices.Equal(u.Left, []string{"bob"}) || u.Joined != nil || u.Online != 1 {
		t.Errorf("alice saw %+v, want bob left with 1 online", u)
	}
	waitFor(t, "bob's session to end", func() bool { return srv.Connections() == 1 })
}

// TestNicknameTaken checks that a nickname belongs to one person, also
// after they left, and that look-alikes of it are refused too.
func TestNicknameTaken(t *testing.T) {
	srv := startServer(t, testConfig())
	alice := join(t, srv.URL, "Alice")
	alice.conn.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "alice to leave", func() bool { return srv.Connections() == 0 })

	for i, nick := range []string{"alice", "ALICE", "  aLiCe ", "ａｌｉｃｅ", "аlice", "alıce", "aⅼice", "AIice"} {
		t.Run(nick, func(t *testing.T) {
			c := dial(t, srv.URL)
			c.send(shared.TypeHello, "h1", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: nick})
			e := c.expectError(shared.CodeNicknameTaken)
			if e.Ref != "h1" || e.Request != shared.TypeHello {
				t.Errorf("error %+v does not name the hello h1", e)
			}
			// The connection stays open for another try.
			c.hello(fmt.Sprint("someone else ", i))
			c.send(shared.TypeJoin, "j2", shared.Join{})
			c.joined()
		})
	}
	// Alice herself comes back with her credential.
	join(t, srv.URL, "Alice")
}

func TestSenderCannotImpersonate(t *testing.T) {
	srv := startServer(t, testConfig())
	alice := join(t, srv.URL, "alice")
	join(t, srv.URL, "bob")
	alice.presence()

	alice.sendRaw(websocket.MessageText, []byte(`{"type":"say","id":"x1","from":"bob","payload":{"text":"I am bob","from":"bob","nickname":"bob","id":99}}`))
	m := expect[shared.Message](alice, shared.TypeMessage)
	if m.From != "alice" || m.ID != 1 {
		t.Errorf("message = %+v, want from alice with id 1", m)
	}
}

// TestBadInput checks that each kind of bad input gets a clear error or
// close status, is not logged as a server error, and does not disturb a
// bystander in the room.
func TestBadInput(t *testing.T) {
	const (
		fresh  = iota // nothing sent before
		signed        // signed in, in no room
		joined        // signed in and in the default room
	)
	p := fmt.Sprintf(`"protocol":%d`, shared.ProtocolVersion)
	tests := []struct {
		name   string
		state  int
		typ    websocket.MessageType
		frame  string
		code   shared.Code          // expected error code, or
		status websocket.StatusCode // expected close status
	}{
		{name: "invalid JSON", frame: `{"type":"hello",`, code: shared.CodeInvalidJSON},
		{name: "not an object", frame: `[1,2,3]`, code: shared.CodeInvalidJSON},
		{name: "no type", frame: `{"payload":{}}`, code: shared.CodeInvalidRequest},
		{name: "type not a string", frame: `{"type":7}`, code: shared.CodeInvalidJSON},
		{name: "unknown type", state: signed, frame: `{"type":"shout","id":"u1"}`, code: shared.CodeUnknownType},
		{name: "server type", state: signed, frame: `{"type":"message","payload":{"text":"x"}}`, code: shared.CodeUnknownType},
		{name: "payload of wrong kind", frame: `{"type":"hello","payload":"alice"}`, code: shared.CodeInvalidRequest},
		{name: "nickname of wrong kind", frame: `{"type":"hello","payload":{` + p + `,"nickname":42}}`, code: shared.CodeInvalidRequest},
		{name: "no protocol", frame: `{"type":"hello","payload":{"nickname":"x"}}`, code: shared.CodeProtocolOutdated},
		{name: "newer protocol", frame: `{"type":"hello","payload":{"protocol":99,"nickname":"x"}}`, code: shared.CodeProtocolOutdated},
		{name: "protocol 2 join", frame: `{"type":"join","payload":{"nickname":"x","room":"general"}}`, code: shared.CodeProtocolOutdated},
		{name: "join before hello", frame: `{"type":"join","payload":{"room":"general"}}`, code: shared.CodeUnauthorized},
		{name: "say before hello", frame: `{"type":"say","id":"s1","payload":{"text":"hi"}}`, code: shared.CodeUnauthorized},
		{name: "history before hello", frame: `{"type":"history","payload":{"before":5}}`, code: shared.CodeUnauthorized},
		{name: "forged credential", frame: `{"type":"hello","payload":{` + p + `,"credential":"abc.def.ghi"}}`, code: shared.CodeUnauthorized},
		{name: "wrong password", frame: `{"type":"hello","payload":{` + p + `,"nickname":"bystander","password":"0123456789"}}`, code: shared.CodeUnauthorized},
		{name: "empty nickname", frame: `{"type":"hello","payload":{` + p + `,"nickname":"   "}}`, code: shared.CodeNicknameInvalid},
		{name: "no nickname", frame: `{"type":"hello","payload":{` + p + `}}`, code: shared.CodeNicknameInvalid},
		{name: "long nickname", frame: `{"type":"hello","payload":{` + p + `,"nickname":"` + strings.Repeat("é", 33) + `"}}`, code: shared.CodeNicknameInvalid},
		{name: "control in nickname", frame: `{"type":"hello","payload":{` + p + `,"nickname":"a\u0007b"}}`, code: shared.CodeNicknameInvalid},
		{name: "invisible nickname", frame: `{"type":"hello","payload":{` + p + `,"nickname":"\u200b\u200b"}}`, code: shared.CodeNicknameInvalid},
		{name: "look-alike nickname", frame: `{"type":"hello","payload":{` + p + `,"nickname":"bуstander"}}`, code: shared.CodeNicknameTaken},
		{name: "hello twice", state: signed, frame: `{"type":"hello","payload":{` + p + `,"nickname":"other"}}`, code: shared.CodeInvalidRequest},
		{name: "bad room", state: signed, frame: `{"type":"join","payload":{"room":"../etc"}}`, code: shared.CodeRoomInvalid},
		{name: "say before join", state: signed, frame: `{"type":"say","id":"s1","payload":{"text":"hi"}}`, code: shared.CodeNotJoined},
		{name: "history before join", state: signed, frame: `{"type":"history","payload":{"room":"general","before":5}}`, code: shared.CodeNotJoined},
		{name: "leave before join", state: signed, frame: `{"type":"leave","payload":{"room":"general"}}`, code: shared.CodeNotJoined},
		{name: "join twice", state: joined, frame: `{"type":"join","payload":{"room":"general"}}`, code: shared.CodeAlreadyJoined},
		{name: "say to a room that is not", state: joined, frame: `{"type":"say","id":"s1","payload":{"room":"other","text":"hi"}}`, code: shared.CodeNotFound},
		{name: "say without id", state: joined, frame: `{"type":"say","payload":{"text":"hi"}}`, code: shared.CodeInvalidRequest},
		{name: "empty text", state: joined, frame: `{"type":"say","id":"s1","payload":{"text":""}}`, code: shared.CodeTextInvalid},
		{name: "blank text", state: joined, frame: `{"type":"say","id":"s1","payload":{"text":" \n\t "}}`, code: shared.CodeTextInvalid},
		{name: "text too long", state: joined, frame: `{"type":"say","id":"s1","payload":{"text":"` + strings.Repeat("x", shared.MaxTextBytes+1) + `"}}`, code: shared.CodeTextTooLong},
		{name: "binary frame", typ: websocket.MessageBinary, frame: `{"type":"hello","payload":{"nickname":"x"}}`, status: websocket.StatusUnsupportedData},
		{name: "invalid UTF-8", frame: "{\"type\":\"hello\",\"payload\":{\"nickname\":\"\xff\xfe\"}}", status: websocket.StatusInvalidFramePayloadData},
		{name: "frame over the limit", frame: `{"type":"say","id":"s1","payload":{"text":"` + strings.Repeat("x", shared.MaxFrameBytes) + `"}}`, status: websocket.StatusMessageTooBig},
	}
	srv := startServer(t, testConfig())
	bystander := join(t, srv.URL, "bystander")
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, srv.URL)
			name := fmt.Sprintf("user%d", i)
			if tt.state >= signed {
				c.hello(name)
			}
			if tt.state == joined {
				c.send(shared.TypeJoin, "", shared.Join{})
				c.joined()
				bystander.presence()
			}
			typ := tt.typ
			if typ == 0 {
				typ = websocket.MessageText
			}
			c.sendRaw(typ, []byte(tt.frame))
			if tt.status != 0 {
				c.expectClose(tt.status)
				if tt.state == joined {
					bystander.presence()
				}
				return
			}
			c.expectError(tt.code)
			// The connection still works: a hello, join and say succeed.
			if tt.state == fresh {
				c.hello(name)
			}
			if tt.state != joined {
				c.send(shared.TypeJoin, "", shared.Join{})
				c.joined()
				bystander.presence()
			}
			c.say("ok", "still here")
			expect[shared.Message](c, shared.TypeMessage)
			if m := expect[shared.Message](bystander, shared.TypeMessage); m.Text != "still here" {
				t.Errorf("bystander got %+v", m)
			}
			c.conn.Close(websocket.StatusNormalClosure, "")
			bystander.presence()
		})
	}
	// The bystander is undisturbed and still chatting.
	bystander.say("b1", "all good")
	if m := expect[shared.Message](bystander, shared.TypeMessage); m.Text != "all good" {
		t.Errorf("bystander got %+v", m)
	}
	if errs := srv.logs.atLeast(slog.LevelError); len(errs) > 0 {
		t.Errorf("client mistakes were logged as errors: %q", errs)
	}
}

// TestSlowConsumer checks that a client that stops reading is disconnected
// with status 1008 while everyone else keeps receiving every message.
func TestSlowConsumer(t *testing.T) {
	cfg := testConfig()
	cfg.SendQueueBytes = 1 << 20
	srv := startServer(t, cfg)

	// The slow client has a small socket buffer, like a phone on a poor
	// network, and never reads after joining.
	slow := dialSmallBuffer(t, srv.URL)
	slow.hello("slow")
	slow.send(shared.TypeJoin, "", shared.Join{})
	slow.joined()

	fast := make([]*client, 3)
	for i := range fast {
		fast[i] = join(t, srv.URL, fmt.Sprintf("fast%d", i))
	}
	for _, c := range fast {
		c.presenceUntilOnline(1 + len(fast))
	}

	// fast0 sends, keeping at most a few messages in flight, as people do;
	// the other fast clients read concurrently. The slow client's socket
	// buffers (a few MB on the server's side) and then its queue fill up.
	const n, window = 3000, 4
	text := strings.Repeat("x", 4000)
	var wg sync.WaitGroup
	errs := make(chan error, len(fast))
	for _, c := range fast[1:] {
		wg.Go(func() {
			got, left := 0, false
			for got < n || !left {
				env, err := c.read()
				if err != nil {
					errs <- fmt.Errorf("%s after %d messages: %v", c.name, got, err)
					return
				}
				switch env.Type {
				case shared.TypeMessage:
					got++
				case shared.TypePresenceUpdate:
					var u shared.PresenceUpdate
					env.DecodePayload(&u)
					left = left || slices.Contains(u.Left, "slow")
				}
			}
		})
	}
	sender := fast[0]
	for j := range n {
		sender.say(fmt.Sprintf("m%d", j), text)
		if j >= window-1 {
			sender.nextMessage()
		}
	}
	for range window - 1 {
		sender.nextMessage()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	waitFor(t, "the slow session to end", func() bool { return srv.Connections() == len(fast) })

	// What the slow client finally reads ends in the policy close or, if
	// its socket was full, in an abrupt end; never in a normal close.
	for {
		_, err := slow.read()
		if err != nil {
			if s := websocket.CloseStatus(err); s != websocket.StatusPolicyViolation && s != -1 {
				t.Errorf("slow client closed with %v", s)
			}
			break
		}
	}
}

// TestManyClientsSameOrder has 50 clients send 100 messages each at once:
// every client must receive every message exactly once, all in one order.
func TestManyClientsSameOrder(t *testing.T) {
	const clients, each = 50, 100
	cfg := testConfig()
	cfg.SendQueueBytes = clients * each * 512 // a reader may lag a whole round behind
	// Under the race detector a client may fall more than the ping
	// timeout behind, and its pong with it: this test is about order.
	cfg.PingInterval = time.Hour
	srv := startServer(t, cfg)

	cs := make([]*client, clients)
	for i := range cs {
		cs[i] = join(t, srv.URL, fmt.Sprintf("user%02d", i))
	}
	orders := make([][]string, clients)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Go(func() {
			for env, err := c.read(); ; env, err = c.read() {
				if err != nil {
					t.Errorf("%s: read: %v", c.name, err)
					return
				}
				if env.Type != shared.TypeMessage {
					continue
				}
				var m shared.Message
				if err := env.DecodePayload(&m); err != nil {
					t.Errorf("%s: %v", c.name, err)
					return
				}
				orders[i] = append(orders[i], fmt.Sprintf("%d/%s/%s", m.ID, m.From, m.ClientID))
				if len(orders[i]) == clients*each {
					return
				}
			}
		})
		wg.Go(func() {
			for j := range each {
				if err := c.trySay(fmt.Sprintf("%s-%d", c.name, j), fmt.Sprintf("message %d from %s", j, c.name)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	seen := make(map[string]bool)
	for _, m := range orders[0] {
		if seen[m] {
			t.Fatalf("%s received twice", m)
		}
		seen[m] = true
	}
	for i := range cs {
		if !slices.Equal(orders[i], orders[0]) {
			t.Fatalf("%s saw a different order than %s", cs[i].name, cs[0].name)
		}
	}
	// Each sender's messages arrive in the order they were sent.
	next := make(map[string]int)
	for _, m := range orders[0] {
		var id uint64
		var from, cid string
		fmt.Sscanf(strings.ReplaceAll(m, "/", " "), "%d %s %s", &id, &from, &cid)
		if want := fmt.Sprintf("%s-%d", from, next[from]); cid != want {
			t.Fatalf("got %s, want %s next", cid, want)
		}
		next[from]++
	}
}

// TestOnePersonManyConnections checks that a person is in a room once,
// however many tabs or devices they have in it: others see them arrive
// with the first and leave with the last, and every connection gets every
// message.
func TestOnePersonManyConnections(t *testing.T) {
	srv := startServer(t, testConfig())
	tab1 := join(t, srv.URL, "alice")
	bob := join(t, srv.URL, "bob")
	tab1.presenceUntilOnline(2)
	tab2 := dial(t, srv.URL)
	tab2.hello("alice") // with alice's credential
	tab2.send(shared.TypeJoin, "", shared.Join{})
	if _, p, _ := tab2.joined(); !slices.Equal(p.Users, []string{"alice", "bob"}) {
		t.Errorf("alice's second tab sees %v, want [alice bob]", p.Users)
	}
	tab2.say("t2-1", "from my second tab")
	for _, c := range []*client{tab1, tab2, bob} {
		if m := c.nextMessage(); m.From != "alice" || m.ClientID != "t2-1" {
			t.Errorf("%s got %+v", c.name, m)
		}
	}
	tab1.conn.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "the first tab to close", func() bool { return srv.Connections() == 2 })
	bob.say("b1", "still there?")
	// Nothing about alice comes before the message: she is still here.
	if m := expect[shared.Message](bob, shared.TypeMessage); m.Text != "still there?" {
		t.Errorf("bob got %+v", m)
	}
	tab2.conn.Close(websocket.StatusNormalClosure, "")
	if u := bob.presence(); !slices.Equal(u.Left, []string{"alice"}) || u.Online != 1 {
		t.Errorf("bob saw %+v, want alice left with 1 online", u)
	}
}

// TestManyRoomsOneConnection checks that one connection carries several
// rooms, each event naming its room, and that after a reconnect each room
// resumes exactly from its own last id.
func TestManyRoomsOneConnection(t *testing.T) {
	srv := startServer(t, testConfig())
	alice := dial(t, srv.URL)
	alice.hello("alice")
	for _, room := range []string{"one", "two", "three"} {
		alice.send(shared.TypeJoin, "j-"+room, shared.Join{Room: room})
		if j, _, _ := alice.joined(); j.Room != room {
			t.Fatalf("joined %+v, want %s", j, room)
		}
	}
	for i, room := range []string{"one", "two", "three", "two"} {
		alice.send(shared.TypeSay, fmt.Sprintf("a%d", i), shared.Say{Room: room, Text: "in " + room})
		if m := alice.nextMessage(); m.Room != room || m.Text != "in "+room {
			t.Fatalf("got %+v, want the message in %s", m, room)
		}
	}
	last := map[string]uint64{"one": 1, "two": 2, "three": 1}

	// Leaving a room stops its events on this connection only.
	alice.send(shared.TypeLeave, "l1", shared.Leave{Room: "three"})
	if l := expect[shared.Left](alice, shared.TypeLeft); l.Room != "three" {
		t.Fatalf("left %+v", l)
	}
	alice.send(shared.TypeSay, "x", shared.Say{Room: "three", Text: "gone"})
	alice.expectError(shared.CodeNotJoined)

	// While alice is away, bob writes in two of the rooms.
	alice.conn.Close(websocket.StatusNormalClosure, "")
	bob := dial(t, srv.URL)
	bob.hello("bob")
	for _, room := range []string{"one", "two"} {
		bob.send(shared.TypeJoin, "", shared.Join{Room: room, History: new(0)})
		bob.joined()
		for i := range 2 {
			bob.send(shared.TypeSay, fmt.Sprintf("%s-%d", room, i), shared.Say{Room: room, Text: "missed"})
			bob.nextMessage()
		}
	}
	back := dial(t, srv.URL)
	back.hello("alice")
	for _, room := range []string{"one", "two", "three"} {
		back.send(shared.TypeJoin, "", shared.Join{Room: room, Since: new(last[room])})
		_, _, hist := back.joined()
		got := messagesOf(hist)
		want := map[string][]uint64{"one": {2, 3}, "two": {3, 4}, "three": nil}[room]
		if !slices.Equal(ids(got), want) {
			t.Errorf("%s resumed with %v, want %v", room, ids(got), want)
		}
		for _, m := range got {
			if m.Room != room {
				t.Errorf("%s resumed with a message of %s", room, m.Room)
			}
		}
	}
}

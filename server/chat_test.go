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
	bob.name = "bob"
	bob.send(shared.TypeJoin, "j1", shared.Join{Nickname: "bob", Room: "general"})
	w, p, _ := bob.joined()
	if w.Protocol != shared.ProtocolVersion || w.Server != "livechat test" || w.Limits != shared.DefaultLimits {
		t.Errorf("welcome = %+v", w)
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
		if m.ID != 1 || m.From != "alice" || m.Text != "hello bob <b>&</b>" || m.ClientID != "a-1" || m.Room != "general" {
			t.Errorf("%s got %+v", c.name, m)
		}
		if time.Since(m.At) > time.Minute || m.At.Location() != time.UTC {
			t.Errorf("%s: message time %v", c.name, m.At)
		}
	}
	bob.say("b-1", "hi alice")
	for _, c := range []*client{alice, bob} {
		if m := expect[shared.Message](c, shared.TypeMessage); m.ID != 2 || m.From != "bob" || m.Text != "hi alice" {
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

func TestNicknameTaken(t *testing.T) {
	srv := startServer(t, testConfig())
	join(t, srv.URL, "Alice")

	for _, nick := range []string{"alice", "ALICE", "  aLiCe ", "ａｌｉｃｅ"} {
		t.Run(nick, func(t *testing.T) {
			c := dial(t, srv.URL)
			c.send(shared.TypeJoin, "j1", shared.Join{Nickname: nick})
			e := c.expectError(shared.CodeNicknameTaken)
			if e.Ref != "j1" || e.Request != shared.TypeJoin {
				t.Errorf("error %+v does not name the join j1", e)
			}
			// The connection stays open for another try.
			c.send(shared.TypeJoin, "j2", shared.Join{Nickname: nick + "2"})
			c.joined()
		})
	}
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
	tests := []struct {
		name   string
		joined bool // join before sending
		typ    websocket.MessageType
		frame  string
		code   shared.Code          // expected error code, or
		status websocket.StatusCode // expected close status
	}{
		{name: "invalid JSON", frame: `{"type":"join",`, code: shared.CodeInvalidJSON},
		{name: "not an object", frame: `[1,2,3]`, code: shared.CodeInvalidJSON},
		{name: "no type", frame: `{"payload":{}}`, code: shared.CodeInvalidRequest},
		{name: "type not a string", frame: `{"type":7}`, code: shared.CodeInvalidJSON},
		{name: "unknown type", frame: `{"type":"shout","id":"u1"}`, code: shared.CodeUnknownType},
		{name: "server type", frame: `{"type":"message","payload":{"text":"x"}}`, code: shared.CodeUnknownType},
		{name: "payload of wrong kind", frame: `{"type":"join","payload":"alice"}`, code: shared.CodeInvalidRequest},
		{name: "nickname of wrong kind", frame: `{"type":"join","payload":{"nickname":42}}`, code: shared.CodeInvalidRequest},
		{name: "empty nickname", frame: `{"type":"join","payload":{"nickname":"   "}}`, code: shared.CodeNicknameInvalid},
		{name: "long nickname", frame: `{"type":"join","payload":{"nickname":"` + strings.Repeat("é", 33) + `"}}`, code: shared.CodeNicknameInvalid},
		{name: "control in nickname", frame: `{"type":"join","payload":{"nickname":"a\u0007b"}}`, code: shared.CodeNicknameInvalid},
		{name: "invisible nickname", frame: `{"type":"join","payload":{"nickname":"\u200b\u200b"}}`, code: shared.CodeNicknameInvalid},
		{name: "bad room", frame: `{"type":"join","payload":{"nickname":"x","room":"../etc"}}`, code: shared.CodeRoomInvalid},
		{name: "say before join", frame: `{"type":"say","id":"s1","payload":{"text":"hi"}}`, code: shared.CodeNotJoined},
		{name: "join twice", joined: true, frame: `{"type":"join","payload":{"nickname":"other"}}`, code: shared.CodeAlreadyJoined},
		{name: "say without id", joined: true, frame: `{"type":"say","payload":{"text":"hi"}}`, code: shared.CodeInvalidRequest},
		{name: "empty text", joined: true, frame: `{"type":"say","id":"s1","payload":{"text":""}}`, code: shared.CodeTextInvalid},
		{name: "blank text", joined: true, frame: `{"type":"say","id":"s1","payload":{"text":" \n\t "}}`, code: shared.CodeTextInvalid},
		{name: "text too long", joined: true, frame: `{"type":"say","id":"s1","payload":{"text":"` + strings.Repeat("x", shared.MaxTextBytes+1) + `"}}`, code: shared.CodeTextTooLong},
		{name: "binary frame", typ: websocket.MessageBinary, frame: `{"type":"join","payload":{"nickname":"x"}}`, status: websocket.StatusUnsupportedData},
		{name: "invalid UTF-8", frame: "{\"type\":\"join\",\"payload\":{\"nickname\":\"\xff\xfe\"}}", status: websocket.StatusInvalidFramePayloadData},
		{name: "frame over the limit", frame: `{"type":"say","id":"s1","payload":{"text":"` + strings.Repeat("x", shared.MaxFrameBytes) + `"}}`, status: websocket.StatusMessageTooBig},
	}
	srv := startServer(t, testConfig())
	bystander := join(t, srv.URL, "bystander")
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *client
			if tt.joined {
				c = join(t, srv.URL, fmt.Sprintf("user%d", i))
				bystander.presence()
			} else {
				c = dial(t, srv.URL)
			}
			typ := tt.typ
			if typ == 0 {
				typ = websocket.MessageText
			}
			c.sendRaw(typ, []byte(tt.frame))
			if tt.status != 0 {
				c.expectClose(tt.status)
				if tt.joined {
					bystander.presence()
				}
				return
			}
			c.expectError(tt.code)
			// The connection still works: a join (or a say) succeeds.
			if !tt.joined {
				c.name = fmt.Sprintf("late%d", i)
				c.send(shared.TypeJoin, "", shared.Join{Nickname: c.name})
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
	slow.send(shared.TypeJoin, "", shared.Join{Nickname: "slow"})
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

// TestSessionTakeover checks that a reconnecting client with its session
// token takes its nickname back from a connection the server still holds,
// without presence churn, and that a wrong token does not.
func TestSessionTakeover(t *testing.T) {
	srv := startServer(t, testConfig())

	old := dial(t, srv.URL)
	old.name = "alice (old)"
	old.send(shared.TypeJoin, "", shared.Join{Nickname: "alice"})
	w, _, _ := old.joined()
	token := w.Session
	if len(token) < 16 {
		t.Fatalf("session token %q is too short to be secret", token)
	}
	bob := join(t, srv.URL, "bob")
	old.presence()

	thief := dial(t, srv.URL)
	thief.send(shared.TypeJoin, "", shared.Join{Nickname: "alice", Session: token[:len(token)-1] + "x"})
	thief.expectError(shared.CodeNicknameTaken)

	again := dial(t, srv.URL)
	again.name = "alice (new)"
	again.send(shared.TypeJoin, "", shared.Join{Nickname: "ALICE", Session: token})
	if w, p, _ := again.joined(); w.Session != token || w.Nickname != "alice" || !slices.Equal(p.Users, []string{"alice", "bob"}) {
		t.Errorf("after takeover: welcome %+v, presence %v; want alice with the same token", w, p.Users)
	}
	old.expectClose(shared.StatusReplaced)

	again.say("a1", "I am back")
	// bob sees the message and no left or joined before it.
	if m := expect[shared.Message](bob, shared.TypeMessage); m.From != "alice" || m.Text != "I am back" {
		t.Errorf("bob got %+v", m)
	}
	waitFor(t, "the replaced session to end", func() bool { return srv.Connections() == 3 })
}

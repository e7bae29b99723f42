package shared_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/shared"
	"livechat/shared/sharedtest"
)

// TestConnInBrowser speaks the protocol from the browser through Conn to a
// real server: join, a refused duplicate nickname, and a message.
func TestConnInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	room := "js-" + strings.ToLower(rand.Text()[:10])

	c, err := shared.Dial(ctx, sharedtest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(websocket.StatusNormalClosure, "")
	read := func(want shared.Type, v any) {
		t.Helper()
		env, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if env.Type != want {
			t.Fatalf("got %s %s, want %s", env.Type, env.Payload, want)
		}
		if err := env.DecodePayload(v); err != nil {
			t.Fatal(err)
		}
	}

	nickname := "Browser " + room[3:]
	if err := c.Write(ctx, shared.TypeHello, "h1", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: nickname}); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, shared.TypeJoin, "j1", shared.Join{Room: room}); err != nil {
		t.Fatal(err)
	}
	var w shared.Welcome
	read(shared.TypeWelcome, &w)
	if w.Protocol != shared.ProtocolVersion || w.You.Nickname != nickname || w.Credential == "" || w.Limits != shared.DefaultLimits {
		t.Errorf("welcome %+v", w)
	}
	var j shared.Joined
	read(shared.TypeJoined, &j)
	if j.Room != room || j.Last != 0 {
		t.Errorf("joined %+v", j)
	}
	var p shared.Presence
	read(shared.TypePresence, &p)
	if len(p.Users) != 1 || p.Users[0] != nickname {
		t.Errorf("presence %+v", p)
	}
	var h shared.History
	read(shared.TypeHistory, &h)
	if !h.Live || len(h.Messages) != 0 {
		t.Errorf("history of a new room %+v", h)
	}

	// A second connection cannot take the same nickname.
	c2, err := shared.Dial(ctx, sharedtest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close(websocket.StatusNormalClosure, "")
	c2.Write(ctx, shared.TypeHello, "h2", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: strings.ToUpper(nickname)})
	env, err := c2.Read(ctx)
	var e shared.Error
	if err != nil || env.Type != shared.TypeError || env.DecodePayload(&e) != nil || e.Code != shared.CodeNicknameTaken || e.Ref != "h2" {
		t.Fatalf("duplicate nickname: %+v %+v %v", env, e, err)
	}

	text := fmt.Sprintf("from the browser <b>%d</b>", time.Now().UnixNano())
	if err := c.Write(ctx, shared.TypeSay, "c-1", shared.Say{Room: room, Text: text}); err != nil {
		t.Fatal(err)
	}
	var m shared.Message
	var a shared.Ack
	for m.ID == 0 || a.ID == 0 {
		env, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch env.Type {
		case shared.TypeMessage:
			env.DecodePayload(&m)
		case shared.TypeAck:
			env.DecodePayload(&a)
		default:
			t.Fatalf("got %s", env.Type)
		}
	}
	if m.Text != text || m.From != nickname || m.Author != w.You.ID || m.ClientID != "c-1" || a.ClientID != "c-1" || a.ID != m.ID {
		t.Errorf("message %+v, ack %+v", m, a)
	}
}

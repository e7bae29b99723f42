//go:build !js

package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/app"
	"livechat/shared"
)

// scriptedServer answers a client as a server would: a welcome, a join
// with an empty history, then says by answer (the say's id to its
// error, or nil for an ack); a closing, sent after the first ack, ends
// the connection.
func scriptedServer(t *testing.T, answers func(n int, id string) *shared.Error, closing *shared.Closing) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		conn := shared.NewConn(ws, shared.MaxFrameBytes)
		ctx := r.Context()
		says := 0
		for {
			env, err := conn.Read(ctx)
			if err != nil {
				return
			}
			switch env.Type {
			case shared.TypeHello:
				conn.Write(ctx, shared.TypeWelcome, env.ID, shared.Welcome{Protocol: shared.ProtocolVersion, You: shared.Person{ID: "a", Nickname: "alice"}})
			case shared.TypeJoin:
				conn.Write(ctx, shared.TypeJoined, env.ID, shared.Joined{Room: "general"})
				conn.Write(ctx, shared.TypePresence, "", shared.Presence{Room: "general", Users: []string{"alice"}, Online: 1})
				conn.Write(ctx, shared.TypeHistory, "", shared.History{Room: "general", Messages: []shared.Message{}, Live: true})
			case shared.TypeSay:
				says++
				if e := answers(says, env.ID); e != nil {
					conn.Write(ctx, shared.TypeError, "", e)
					continue
				}
				conn.Write(ctx, shared.TypeAck, "", shared.Ack{ClientID: env.ID, ID: uint64(says)})
				if closing != nil {
					conn.Write(ctx, shared.TypeClosing, "", closing)
					ws.Close(websocket.StatusCode(closing.Status), closing.Reason)
					return
				}
			}
		}
	}))
	t.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http")
}

// TestSayUnderSlowModeWaits: a say refused with rate_limited (a room's
// slow mode) stays in the outbox and goes out again after retry_after,
// not at once and not never.
func TestSayUnderSlowModeWaits(t *testing.T) {
	url := scriptedServer(t, func(n int, id string) *shared.Error {
		if n == 1 {
			e := shared.RetryLater(2500*time.Millisecond, "slow mode in #general")
			e.Ref, e.Request = id, shared.TypeSay
			return e
		}
		return nil
	}, nil)
	clock := &fakeClock{now: time.Now(), waits: make(chan wait, 100)}
	live, acked := make(chan struct{}, 1), make(chan struct{}, 1)
	outbox := app.LoadOutbox(nil, "")
	c := app.NewClient(app.ClientConfig{
		URL: url, Hello: shared.Hello{Nickname: "alice"}, Rooms: []string{"general"}, Clock: clock, Outbox: outbox,
		OnEvent: func(ev app.Event) {
			switch {
			case ev.Type == shared.TypeHistory && ev.History.Live:
				live <- struct{}{}
			case ev.Type == shared.TypeAck:
				acked <- struct{}{}
			}
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	<-live
	if _, err := c.Say(ctx, "general", "hello"); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case w := <-clock.waits:
			if w.d != 2500*time.Millisecond {
				continue // the heartbeat's
			}
			if n := len(outbox.Items()); n != 1 {
				t.Fatalf("%d messages in the outbox while waiting, want the one refused", n)
			}
			w.fire <- clock.now
			continue
		case <-acked:
		case <-deadline:
			t.Fatal("the message was not sent again after retry_after")
		}
		break
	}
	if n := len(outbox.Items()); n != 0 {
		t.Errorf("%d messages left in the outbox after the ack", n)
	}
	cancel()
	<-done
}

// TestBannedClientStops: a connection closed because the person was
// banned from the server ends Run with forbidden and the reason, without
// trying again.
func TestBannedClientStops(t *testing.T) {
	reason := "You are banned from this server until 1 Jan 2030 00:00 UTC."
	url := scriptedServer(t, func(int, string) *shared.Error { return nil }, &shared.Closing{Status: int(shared.StatusBanned), Reason: reason})
	live := make(chan struct{}, 1)
	c := app.NewClient(app.ClientConfig{
		URL: url, Hello: shared.Hello{Nickname: "alice"}, Rooms: []string{"general"},
		OnEvent: func(ev app.Event) {
			if ev.Type == shared.TypeHistory && ev.History.Live {
				live <- struct{}{}
			}
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	<-live
	c.Say(ctx, "general", "hello")
	err := <-done
	var perr *shared.Error
	if !errors.As(err, &perr) || perr.Code != shared.CodeForbidden || perr.Message != reason {
		t.Fatalf("Run = %v, want forbidden with the reason", err)
	}
}

// TestLeftRoomNotJoinedAgain: a room the person was taken out of (a
// kick, a ban, a leave on another device) is not joined again when the
// client reconnects.
func TestLeftRoomNotJoinedAgain(t *testing.T) {
	joins := make(chan []string, 2)
	var conns atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		first := conns.Add(1) == 1
		conn := shared.NewConn(ws, shared.MaxFrameBytes)
		ctx := r.Context()
		var rooms []string
		for {
			env, err := conn.Read(ctx)
			if err != nil {
				return
			}
			switch env.Type {
			case shared.TypeHello:
				conn.Write(ctx, shared.TypeWelcome, env.ID, shared.Welcome{Protocol: shared.ProtocolVersion, You: shared.Person{ID: "a", Nickname: "alice"}})
			case shared.TypeJoin:
				var j shared.Join
				env.DecodePayload(&j)
				rooms = append(rooms, j.Room)
				conn.Write(ctx, shared.TypeJoined, env.ID, shared.Joined{Room: j.Room})
				conn.Write(ctx, shared.TypePresence, "", shared.Presence{Room: j.Room, Users: []string{"alice"}, Online: 1})
				conn.Write(ctx, shared.TypeHistory, "", shared.History{Room: j.Room, Messages: []shared.Message{}, Live: true})
				if first && len(rooms) == 2 {
					joins <- rooms
					conn.Write(ctx, shared.TypeLeft, "", shared.Left{Room: "club"})
					conn.Write(ctx, shared.TypeClosing, "", shared.Closing{Status: int(websocket.StatusGoingAway), Reason: "restarting"})
					ws.Close(websocket.StatusGoingAway, "restarting")
					return
				}
			case shared.TypeSay:
				// A say comes after the joins of its connection: all of
				// them are in.
				joins <- rooms
				return
			}
		}
	}))
	defer hs.Close()
	live := make(chan string, 10)
	c := app.NewClient(app.ClientConfig{
		URL: "ws" + strings.TrimPrefix(hs.URL, "http"), Hello: shared.Hello{Nickname: "alice"}, Rooms: []string{"general", "club"},
		Backoff: app.Backoff{Rand: func() float64 { return 0 }},
		OnEvent: func(ev app.Event) {
			if ev.Type == shared.TypeHistory && ev.History.Live {
				live <- ev.History.Room
			}
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	if got := <-joins; strings.Join(got, ",") != "general,club" {
		t.Fatalf("first connection joined %v", got)
	}
	for n := 0; n < 3; n++ { // general and club, then general again
		<-live
	}
	if _, err := c.Say(ctx, "general", "hello"); err != nil {
		t.Fatal(err)
	}
	if got := <-joins; strings.Join(got, ",") != "general" {
		t.Fatalf("the second connection joined %v, want general alone", got)
	}
	cancel()
	<-done
}

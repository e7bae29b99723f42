package app_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/app"
	"livechat/shared"
	"livechat/shared/sharedtest"
)

// TestClientAgainstServer runs the UI's client, in the browser, against a
// real server: join, talk, lose the connection, come back by itself with
// the same nickname, talk again; and a second client is refused the
// nickname.
func TestClientAgainstServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	room := "js-" + strings.ToLower(rand.Text()[:10])

	states := make(chan app.State, 100)
	events := make(chan shared.Envelope, 100)
	var mu sync.Mutex
	var conns []*shared.Conn
	c := app.NewClient(app.ClientConfig{
		URL:     sharedtest.ServerURL(t),
		Join:    shared.Join{Nickname: "Ada", Room: room},
		Backoff: app.Backoff{Rand: func() float64 { return 0 }},
		Dial: func(ctx context.Context, url string) (*shared.Conn, error) {
			conn, err := shared.Dial(ctx, url)
			if err == nil {
				mu.Lock()
				conns = append(conns, conn)
				mu.Unlock()
			}
			return conn, err
		},
		OnState: func(s app.State) { states <- s },
		OnEvent: func(env shared.Envelope) { events <- env },
	})
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	waitState := func(want app.Status) {
		t.Helper()
		for {
			select {
			case s := <-states:
				if s.Status == want {
					return
				}
			case <-ctx.Done():
				t.Fatalf("timed out waiting for %v", want)
			}
		}
	}
	waitEvent := func(want shared.Type, v any) {
		t.Helper()
		for {
			select {
			case env := <-events:
				if env.Type == want {
					if err := env.DecodePayload(v); err != nil {
						t.Fatal(err)
					}
					return
				}
			case <-ctx.Done():
				t.Fatalf("timed out waiting for %s", want)
			}
		}
	}

	waitState(app.StatusOnline)
	var w shared.Welcome
	waitEvent(shared.TypeWelcome, &w)
	if w.Nickname != "Ada" || w.Session == "" || c.Session() != w.Session {
		t.Fatalf("welcome %+v", w)
	}
	id, err := c.Say(ctx, "first")
	if err != nil {
		t.Fatal(err)
	}
	var m shared.Message
	waitEvent(shared.TypeMessage, &m)
	if m.Text != "first" || m.ClientID != id || m.From != "Ada" {
		t.Fatalf("message %+v", m)
	}

	// Another client cannot take the nickname.
	other := app.NewClient(app.ClientConfig{URL: sharedtest.ServerURL(t), Join: shared.Join{Nickname: "ADA", Room: room}})
	var refused *shared.Error
	if err := other.Run(ctx); !errors.As(err, &refused) || refused.Code != shared.CodeNicknameTaken {
		t.Fatalf("second client: %v, want nickname_taken", err)
	}

	// The connection drops; the client comes back by itself.
	mu.Lock()
	conns[0].Close(websocket.StatusNormalClosure, "network change")
	mu.Unlock()
	waitState(app.StatusReconnecting)
	waitState(app.StatusOnline)
	waitEvent(shared.TypeWelcome, &w)
	if w.Nickname != "Ada" {
		t.Fatalf("welcome after reconnecting %+v", w)
	}
	if _, err := c.Say(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	waitEvent(shared.TypeMessage, &m)
	if m.Text != "second" || m.From != "Ada" {
		t.Fatalf("message %+v", m)
	}

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
}

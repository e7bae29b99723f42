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
	events := make(chan app.Event, 100)
	var mu sync.Mutex
	var conns []*shared.Conn
	c := app.NewClient(app.ClientConfig{
		URL:     sharedtest.ServerURL(t),
		Hello:   shared.Hello{Nickname: person("Ada", room)},
		Rooms:   []string{room},
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
		OnEvent: func(ev app.Event) { events <- ev },
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
	waitEvent := func(want shared.Type) app.Event {
		t.Helper()
		for {
			select {
			case ev := <-events:
				if ev.Type == want {
					return ev
				}
			case <-ctx.Done():
				t.Fatalf("timed out waiting for %s", want)
			}
		}
	}

	waitState(app.StatusOnline)
	ada := person("Ada", room)
	w := *waitEvent(shared.TypeWelcome).Welcome
	if w.You.Nickname != ada || w.Credential == "" || c.Credential() != w.Credential {
		t.Fatalf("welcome %+v", w)
	}
	id, err := c.Say(ctx, room, "first")
	if err != nil {
		t.Fatal(err)
	}
	m := *waitEvent(shared.TypeMessage).Message
	if m.Text != "first" || m.ClientID != id || m.From != ada || m.Author != w.You.ID {
		t.Fatalf("message %+v", m)
	}

	// Another client cannot take the nickname, nor a look-alike of it.
	other := app.NewClient(app.ClientConfig{URL: sharedtest.ServerURL(t), Hello: shared.Hello{Nickname: strings.Replace(strings.ToUpper(ada), "A", "А", 1)}, Rooms: []string{room}})
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
	again := *waitEvent(shared.TypeWelcome).Welcome
	if again.You != w.You || again.Credential != "" {
		t.Fatalf("welcome after reconnecting %+v, want %+v signed in with the credential", again, w.You)
	}
	if _, err := c.Say(ctx, room, "second"); err != nil {
		t.Fatal(err)
	}
	m = *waitEvent(shared.TypeMessage).Message
	if m.Text != "second" || m.From != ada {
		t.Fatalf("message %+v", m)
	}

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
}

// person returns the nickname of name in the test of room: tests share
// one server, where a nickname belongs to one account.
func person(name, room string) string {
	return name + " " + room[len(room)-8:]
}

// writer is a plain protocol connection that says things in a room.
func writer(t *testing.T, ctx context.Context, room, nickname string) *shared.Conn {
	t.Helper()
	w, err := shared.Dial(ctx, sharedtest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(websocket.StatusNormalClosure, "") })
	if _, err := sharedtest.Hello(ctx, w, shared.Hello{Nickname: person(nickname, room)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sharedtest.Join(ctx, w, shared.Join{Room: room, History: new(0)}); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestResumeAndOutboxAgainstServer: while the client is cut off, others
// talk and the user writes; on its return the client gets exactly what it
// missed, once and in order, and its message is delivered once.
func TestResumeAndOutboxAgainstServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	room := "js-" + strings.ToLower(rand.Text()[:10])
	w := writer(t, ctx, room, "writer")

	gate := make(chan struct{}) // closed: dialling allowed
	close(gate)
	var mu sync.Mutex
	var current *shared.Conn
	ids := make(chan uint64, 1000)
	outbox := app.LoadOutbox(&memStorage{}, "outbox")
	online := make(chan struct{}, 10)
	c := app.NewClient(app.ClientConfig{
		URL:     sharedtest.ServerURL(t),
		Hello:   shared.Hello{Nickname: person("Ada", room)},
		Rooms:   []string{room},
		Backoff: app.Backoff{Rand: func() float64 { return 0 }},
		Outbox:  outbox,
		Dial: func(ctx context.Context, url string) (*shared.Conn, error) {
			mu.Lock()
			g := gate
			mu.Unlock()
			select {
			case <-g:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			conn, err := shared.Dial(ctx, url)
			mu.Lock()
			current = conn
			mu.Unlock()
			return conn, err
		},
		OnState: func(s app.State) {
			if s.Status == app.StatusOnline {
				online <- struct{}{}
			}
		},
		OnEvent: func(ev app.Event) {
			switch ev.Type {
			case shared.TypeHistory:
				for _, m := range ev.History.Messages {
					ids <- m.ID
				}
			case shared.TypeMessage:
				ids <- ev.Message.ID
			}
		},
	})
	go c.Run(ctx)
	<-online

	say := func(text string) uint64 {
		t.Helper()
		id := app.NewMessageID()
		w.Write(ctx, shared.TypeSay, id, shared.Say{Room: room, Text: text})
		for {
			env, err := w.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var a shared.Ack
			if env.Type == shared.TypeAck && env.DecodePayload(&a) == nil && a.ClientID == id {
				return a.ID
			}
		}
	}
	first := say("before the cut")

	// Cut the client off and keep it off.
	mu.Lock()
	gate = make(chan struct{})
	cut := current
	mu.Unlock()
	cut.Close(websocket.StatusNormalClosure, "cut")
	var last uint64
	for range 20 {
		last = say("while you were away")
	}
	if _, err := c.Say(ctx, room, "written offline"); err != nil {
		t.Fatal(err)
	}
	if n := len(outbox.Items()); n != 1 {
		t.Fatalf("outbox holds %d messages, want 1", n)
	}
	mu.Lock()
	close(gate)
	mu.Unlock()
	<-online

	// The writer sees the offline message exactly once.
	var mine uint64
	for mine == 0 {
		env, err := w.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m shared.Message
		if env.Type == shared.TypeMessage && env.DecodePayload(&m) == nil && m.Text == "written offline" {
			mine = m.ID
		}
	}
	// The client saw every id from the first to its own message, once.
	want := first
	for want <= mine {
		select {
		case id := <-ids:
			if id != want {
				t.Fatalf("got id %d, want %d (last while away: %d)", id, want, last)
			}
			want++
		case <-ctx.Done():
			t.Fatalf("waiting for id %d", want)
		}
	}
	for len(outbox.Items()) > 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the outbox was not emptied by the ack")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestOutboxAcrossReload: a message written on a page that never
// connected is sent by the next page (same storage), once.
func TestOutboxAcrossReload(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	room := "js-" + strings.ToLower(rand.Text()[:10])
	storage := &memStorage{}
	w := writer(t, ctx, room, "writer")

	offline := app.NewClient(app.ClientConfig{
		URL:    sharedtest.ServerURL(t),
		Hello:  shared.Hello{Nickname: person("Ada", room)},
		Rooms:  []string{room},
		Outbox: app.LoadOutbox(storage, "outbox"),
		Online: func() bool { return false },
	})
	offlineCtx, stop := context.WithCancel(ctx)
	go offline.Run(offlineCtx)
	offline.Say(ctx, room, "from the last page")
	stop()

	page := app.NewClient(app.ClientConfig{
		URL:    sharedtest.ServerURL(t),
		Hello:  shared.Hello{Nickname: person("Ada", room)},
		Rooms:  []string{room},
		Outbox: app.LoadOutbox(storage, "outbox"),
	})
	go page.Run(ctx)
	for {
		env, err := w.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m shared.Message
		if env.Type == shared.TypeMessage && env.DecodePayload(&m) == nil {
			if m.Text != "from the last page" || m.From != person("Ada", room) {
				t.Fatalf("writer got %+v", m)
			}
			break
		}
	}
	for len(app.LoadOutbox(storage, "outbox").Items()) > 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the message stayed in the outbox")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// watcher joins room on a plain connection and returns a function that
// waits until the room's online list, from presence events, satisfies
// cond.
func watcher(t *testing.T, ctx context.Context, room string) func(what string, cond func(map[string]bool) bool) {
	t.Helper()
	w, err := shared.Dial(ctx, sharedtest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(websocket.StatusNormalClosure, "") })
	if _, err := sharedtest.Hello(ctx, w, shared.Hello{Nickname: person("watcher", room)}); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(ctx, shared.TypeJoin, "", shared.Join{Room: room, History: new(0)}); err != nil {
		t.Fatal(err)
	}
	users := make(map[string]bool)
	return func(what string, cond func(map[string]bool) bool) {
		t.Helper()
		for !cond(users) {
			env, err := w.Read(ctx)
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			switch env.Type {
			case shared.TypePresence:
				var p shared.Presence
				env.DecodePayload(&p)
				clear(users)
				for _, u := range p.Users {
					users[u] = true
				}
			case shared.TypePresenceUpdate:
				var u shared.PresenceUpdate
				env.DecodePayload(&u)
				for _, n := range u.Joined {
					users[n] = true
				}
				for _, n := range u.Left {
					delete(users, n)
				}
			}
		}
	}
}

// TestTwoWindowsOnePerson: a second window of the same person (the same
// credential) chats alongside the first; the room sees the person once,
// online until the last window goes.
func TestTwoWindowsOnePerson(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	room := "js-" + strings.ToLower(rand.Text()[:10])
	ada := person("Ada", room)
	wait := watcher(t, ctx, room)
	run := func(hello shared.Hello) (*app.Client, context.CancelFunc, chan shared.Message) {
		msgs := make(chan shared.Message, 100)
		c := app.NewClient(app.ClientConfig{
			URL:   sharedtest.ServerURL(t),
			Hello: hello,
			Rooms: []string{room},
			OnEvent: func(ev app.Event) {
				if ev.Type == shared.TypeMessage {
					msgs <- *ev.Message
				}
			},
		})
		cctx, stop := context.WithCancel(ctx)
		go c.Run(cctx)
		return c, stop, msgs
	}
	first, stopFirst, firstGot := run(shared.Hello{Nickname: ada})
	wait("Ada online", func(u map[string]bool) bool { return u[ada] })
	for first.Credential() == "" {
		select {
		case <-ctx.Done():
			t.Fatal("no credential")
		case <-time.After(10 * time.Millisecond):
		}
	}
	_, stopSecond, _ := run(shared.Hello{Credential: first.Credential()})
	if _, err := first.Say(ctx, room, "from the first window"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-firstGot:
		if m.From != ada {
			t.Fatalf("got %+v", m)
		}
	case <-ctx.Done():
		t.Fatal("no message")
	}
	stopFirst()
	stopSecond()
	wait("Ada gone", func(u map[string]bool) bool { return !u[ada] })
}

// TestSuspendAndResume: a suspended client (its page is hidden, perhaps
// kept in the back/forward cache) leaves the room at once, and on resuming
// comes back with everything said meanwhile, once and in order.
func TestSuspendAndResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	room := "js-" + strings.ToLower(rand.Text()[:10])
	wait := watcher(t, ctx, room)
	w := writer(t, ctx, room, "writer")
	var mu sync.Mutex
	var got []string
	c := app.NewClient(app.ClientConfig{
		URL:   sharedtest.ServerURL(t),
		Hello: shared.Hello{Nickname: person("Ada", room)},
		Rooms: []string{room},
		OnEvent: func(ev app.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch ev.Type {
			case shared.TypeHistory:
				for _, m := range ev.History.Messages {
					got = append(got, m.Text)
				}
			case shared.TypeMessage:
				got = append(got, ev.Message.Text)
			}
		},
	})
	go c.Run(ctx)
	ada := person("Ada", room)
	wait("Ada online", func(u map[string]bool) bool { return u[ada] })

	c.Suspend()
	wait("Ada gone", func(u map[string]bool) bool { return !u[ada] })
	for _, text := range []string{"one", "two"} {
		if err := w.Write(ctx, shared.TypeSay, app.NewMessageID(), shared.Say{Room: room, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	c.Resume()
	wait("Ada back", func(u map[string]bool) bool { return u[ada] })
	if err := w.Write(ctx, shared.TypeSay, app.NewMessageID(), shared.Say{Room: room, Text: "three"}); err != nil {
		t.Fatal(err)
	}
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= 3 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("got %q", got)
		case <-time.After(10 * time.Millisecond):
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, ",") != "one,two,three" {
		t.Errorf("after resuming got %q", got)
	}
}

// TestHeartbeatKeepsALiveConnection: a client with a short heartbeat pings
// a server that answers, and stays online through several heartbeats.
func TestHeartbeatKeepsALiveConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	room := "js-" + strings.ToLower(rand.Text()[:10])
	states := make(chan app.State, 100)
	pongs := make(chan struct{}, 100)
	c := app.NewClient(app.ClientConfig{
		URL:       sharedtest.ServerURL(t),
		Hello:     shared.Hello{Nickname: person("Ada", room)},
		Rooms:     []string{room},
		Heartbeat: 100 * time.Millisecond,
		OnState:   func(s app.State) { states <- s },
		OnEvent: func(ev app.Event) {
			if ev.Type == shared.TypePong {
				pongs <- struct{}{}
			}
		},
	})
	go c.Run(ctx)
	if s := <-states; s.Status != app.StatusConnecting {
		t.Fatalf("first state %+v", s)
	}
	if s := <-states; s.Status != app.StatusOnline {
		t.Fatalf("state %+v, want online", s)
	}
	for range 5 {
		select {
		case <-pongs:
		case s := <-states:
			t.Fatalf("the connection was given up: %+v", s)
		case <-ctx.Done():
			t.Fatal("no pong")
		}
	}
}

//go:build !js

package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"

	"livechat/server/store"
	"livechat/shared"
)

// ids returns the ids of messages.
func ids(msgs []shared.Message) []uint64 {
	out := make([]uint64, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// span returns the ids from..to.
func span(from, to uint64) []uint64 {
	var out []uint64
	for id := from; id <= to; id++ {
		out = append(out, id)
	}
	return out
}

// sayAll sends n messages and waits for their acks and their delivery.
func (c *client) sayAll(n int, prefix string) {
	c.t.Helper()
	for i := range n {
		c.say(fmt.Sprintf("%s-%d", prefix, i), fmt.Sprintf("%s %d", prefix, i))
	}
	acks, msgs := 0, 0
	for acks < n || msgs < n {
		env, err := c.read()
		if err != nil {
			c.t.Fatalf("%s: %d acks and %d messages of %d: %v", c.name, acks, msgs, n, err)
		}
		switch env.Type {
		case shared.TypeAck:
			acks++
		case shared.TypeMessage:
			msgs++
		}
	}
}

// history returns the messages of the join's history events.
func messagesOf(hist []shared.History) []shared.Message {
	var out []shared.Message
	for _, h := range hist {
		out = append(out, h.Messages...)
	}
	return out
}

func TestHistoryOnJoinAndPages(t *testing.T) {
	srv := startServer(t, testConfig())
	alice := dial(t, srv.URL)
	alice.hello("alice")
	alice.send(shared.TypeJoin, "", shared.Join{History: new(0)})
	alice.joined()
	alice.sayAll(60, "m")

	bob := dial(t, srv.URL)
	bob.hello("bob")
	bob.send(shared.TypeJoin, "", shared.Join{})
	_, _, hist := bob.joined()
	got := messagesOf(hist)
	if !slices.Equal(ids(got), span(11, 60)) || !hist[0].More || hist[0].Truncated {
		t.Fatalf("history on join: ids %v, more %v", ids(got), hist[0].More)
	}
	if got[0].Text != "m 10" || got[0].From != "alice" || got[0].ClientID != "m-10" || got[0].At.IsZero() {
		t.Errorf("first history message %+v", got[0])
	}

	bob.send(shared.TypeHistory, "h1", shared.HistoryRequest{Before: 11, Limit: new(5)})
	page := expect[shared.History](bob, shared.TypeHistory)
	if page.Before != 11 || !slices.Equal(ids(page.Messages), span(6, 10)) || !page.More {
		t.Fatalf("page before 11: %+v", page)
	}
	bob.send(shared.TypeHistory, "h2", shared.HistoryRequest{Before: 6})
	page = expect[shared.History](bob, shared.TypeHistory)
	if !slices.Equal(ids(page.Messages), span(1, 5)) || page.More {
		t.Fatalf("page before 6: %+v", page)
	}
	bob.send(shared.TypeHistory, "h3", shared.HistoryRequest{Before: 1})
	if page = expect[shared.History](bob, shared.TypeHistory); len(page.Messages) != 0 || page.More {
		t.Fatalf("page before 1: %+v", page)
	}
	bob.send(shared.TypeHistory, "h4", shared.HistoryRequest{Limit: new(5)})
	bob.expectError(shared.CodeInvalidRequest)

	// A join may ask for more or less, up to the maximum.
	carol := dial(t, srv.URL)
	carol.hello("carol")
	carol.send(shared.TypeJoin, "", shared.Join{History: new(shared.MaxHistory)})
	_, _, hist = carol.joined()
	if got := messagesOf(hist); len(got) != 60 || hist[0].More {
		t.Fatalf("history of %d gave %d messages, more %v", shared.MaxHistory, len(got), hist[0].More)
	}
}

// TestHistoryLimits checks that out-of-range history sizes are refused
// with a clear error, never clamped, and that zero means zero, on the
// server (-history 0) and in requests.
func TestHistoryLimits(t *testing.T) {
	cfg := testConfig()
	cfg.History = 0
	srv := startServer(t, cfg)
	alice := dial(t, srv.URL)
	alice.hello("alice")
	alice.send(shared.TypeJoin, "", shared.Join{})
	if _, _, hist := alice.joined(); len(messagesOf(hist)) != 0 {
		t.Fatalf("an empty room has history %+v", hist)
	}
	alice.sayAll(10, "m")

	// The server's default is no history: a join that does not ask gets
	// none, but learns that older messages exist.
	bob := dial(t, srv.URL)
	bob.hello("bob")
	bob.send(shared.TypeJoin, "j0", shared.Join{})
	if _, _, hist := bob.joined(); len(messagesOf(hist)) != 0 || !hist[0].More {
		t.Fatalf("with -history 0, a join got %+v", hist)
	}
	for _, tt := range []struct {
		name string
		n    int
	}{{"negative", -1}, {"over the maximum", shared.MaxHistory + 1}, {"far over", 1 << 40}} {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, srv.URL)
			c.hello("carol")
			c.send(shared.TypeJoin, "j1", shared.Join{History: new(tt.n)})
			if e := c.expectError(shared.CodeInvalidRequest); e.Ref != "j1" || !strings.Contains(e.Message, "history") {
				t.Errorf("join with history %d: %+v", tt.n, e)
			}
			bob.send(shared.TypeHistory, "h1", shared.HistoryRequest{Before: 11, Limit: new(tt.n)})
			if e := bob.expectError(shared.CodeInvalidRequest); e.Ref != "h1" || !strings.Contains(e.Message, "limit") {
				t.Errorf("history request with limit %d: %+v", tt.n, e)
			}
		})
	}
	// Zero is zero; omitted is the protocol's default.
	bob.send(shared.TypeHistory, "h2", shared.HistoryRequest{Before: 11, Limit: new(0)})
	if page := expect[shared.History](bob, shared.TypeHistory); len(page.Messages) != 0 || !page.More {
		t.Errorf("limit 0: %+v", page)
	}
	bob.send(shared.TypeHistory, "h3", shared.HistoryRequest{Before: 11})
	if page := expect[shared.History](bob, shared.TypeHistory); len(page.Messages) != 10 || page.More {
		t.Errorf("no limit: %+v", page)
	}
	carol := dial(t, srv.URL)
	carol.hello("carol")
	carol.send(shared.TypeJoin, "", shared.Join{History: new(3)})
	if _, _, hist := carol.joined(); !slices.Equal(ids(messagesOf(hist)), span(8, 10)) || !hist[0].More {
		t.Errorf("history 3: %+v", hist)
	}
}

// TestJoinSeam joins clients while messages keep arriving: each sees
// history then live messages with no gap and no repeat.
func TestJoinSeam(t *testing.T) {
	srv := startServer(t, testConfig())
	writer := join(t, srv.URL, "writer")
	const n = 400
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := writer.trySay(fmt.Sprint(i), fmt.Sprint(i)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var wg sync.WaitGroup
	for j := range 8 {
		c := dial(t, srv.URL)
		c.name = fmt.Sprintf("reader%d", j)
		c.hello(c.name)
		c.send(shared.TypeJoin, "", shared.Join{History: new(shared.MaxHistory)})
		_, _, hist := c.joined()
		seen := ids(messagesOf(hist))
		wg.Go(func() {
			for len(seen) == 0 || seen[len(seen)-1] < n {
				env, err := c.read()
				if err != nil {
					t.Errorf("%s: %v", c.name, err)
					return
				}
				if env.Type == shared.TypeMessage {
					var m shared.Message
					env.DecodePayload(&m)
					seen = append(seen, m.ID)
				}
			}
			if !slices.Equal(seen, span(seen[0], n)) {
				t.Errorf("%s saw %v…, not every id from %d to %d once in order", c.name, seen[:min(len(seen), 10)], seen[0], n)
			}
		})
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}

// TestResumeWithRandomDisconnects: 1,000 messages, while readers and the
// sender lose their connection at random and come back with since (and the
// sender resends what was not acknowledged). Every reader ends with every
// message exactly once, in order, and nothing is stored twice.
func TestResumeWithRandomDisconnects(t *testing.T) {
	srv := startServer(t, testConfig())
	const n, readers = 1000, 4
	rng := rand.New(rand.NewPCG(1, 2))
	var rngMu sync.Mutex
	drop := func(p float64) bool { rngMu.Lock(); defer rngMu.Unlock(); return rng.Float64() < p }

	// connect signs in as name (a new account the first time, then with
	// its credential, as the web app does) and joins, resuming after
	// since, and returns the messages of the join's history.
	connect := func(name string, since uint64, credential *string) (*client, []shared.Message, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		conn, err := shared.Dial(ctx, srv.URL)
		if err != nil {
			return nil, nil, err
		}
		c := &client{t: t, conn: conn, name: name}
		hello := shared.Hello{Protocol: shared.ProtocolVersion, Nickname: name, Credential: *credential}
		if err := conn.Write(ctx, shared.TypeHello, "", hello); err != nil {
			return nil, nil, err
		}
		if err := conn.Write(ctx, shared.TypeJoin, "", shared.Join{Since: &since, History: new(0)}); err != nil {
			return nil, nil, err
		}
		var got []shared.Message
		for {
			env, err := c.read()
			if err != nil {
				return nil, nil, err
			}
			switch env.Type {
			case shared.TypeError:
				conn.WebSocket().CloseNow()
				var e shared.Error
				env.DecodePayload(&e)
				return nil, nil, &e
			case shared.TypeWelcome:
				var w shared.Welcome
				env.DecodePayload(&w)
				if w.Credential != "" {
					*credential = w.Credential
				}
			case shared.TypeHistory:
				var h shared.History
				env.DecodePayload(&h)
				got = append(got, h.Messages...)
				if h.Live {
					return c, got, nil
				}
			}
		}
	}

	var wg sync.WaitGroup
	results := make([][]uint64, readers)
	for r := range readers {
		wg.Go(func() {
			name := fmt.Sprintf("reader%d", r)
			var credential string
			var seen []uint64
			last := func() uint64 {
				if len(seen) == 0 {
					return 0
				}
				return seen[len(seen)-1]
			}
			for last() < n {
				c, got, err := connect(name, last(), &credential)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					return
				}
				seen = append(seen, ids(got)...)
				for last() < n {
					env, err := c.read()
					if err != nil {
						t.Errorf("%s: %v", name, err)
						return
					}
					if env.Type != shared.TypeMessage {
						continue
					}
					var m shared.Message
					env.DecodePayload(&m)
					seen = append(seen, m.ID)
					if drop(0.01) {
						break
					}
				}
				c.conn.Close(websocket.StatusNormalClosure, "dropped")
			}
			results[r] = seen
		})
	}

	// The sender keeps an outbox: a message stays until acknowledged, and
	// after a reconnect what is left is sent again.
	outbox := make(map[string]bool)
	var order []string
	for i := range n {
		id := fmt.Sprintf("m%04d", i)
		outbox[id] = true
		order = append(order, id)
	}
	var sender *client
	var lastSeen uint64
	var credential string
	for len(outbox) > 0 {
		if sender == nil {
			c, got, err := connect("sender", lastSeen, &credential)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range got { // landed before the drop: not resent
				delete(outbox, m.ClientID)
				lastSeen = m.ID
			}
			sender = c
			for _, id := range order {
				if outbox[id] {
					if err := sender.trySay(id, "text "+id); err != nil {
						break
					}
				}
			}
		}
		env, err := sender.read()
		if err != nil || drop(0.005) {
			sender.conn.Close(websocket.StatusNormalClosure, "dropped")
			sender = nil
			continue
		}
		switch env.Type {
		case shared.TypeAck:
			var a shared.Ack
			env.DecodePayload(&a)
			delete(outbox, a.ClientID)
		case shared.TypeMessage:
			var m shared.Message
			env.DecodePayload(&m)
			lastSeen = m.ID
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for r, seen := range results {
		if !slices.Equal(seen, span(1, n)) {
			t.Errorf("reader%d got %d ids, not 1..%d once in order", r, len(seen), n)
		}
	}
	// Nothing was stored twice: exactly n messages, each id once.
	check := dial(t, srv.URL)
	check.hello("checker")
	check.send(shared.TypeJoin, "", shared.Join{History: new(0)})
	check.joined()
	var all []shared.Message
	for before := uint64(n + 1); before > 1; {
		check.send(shared.TypeHistory, "", shared.HistoryRequest{Before: before, Limit: new(shared.MaxHistory)})
		page := expect[shared.History](check, shared.TypeHistory)
		all = append(page.Messages, all...)
		if !page.More {
			break
		}
		before = page.Messages[0].ID
	}
	texts := make(map[string]bool)
	for _, m := range all {
		texts[m.ClientID] = true
	}
	if len(all) != n || len(texts) != n {
		t.Errorf("the room holds %d messages with %d distinct client ids, want %d", len(all), len(texts), n)
	}
}

func TestResumeTruncatedAndReset(t *testing.T) {
	cfg := testConfig()
	cfg.Store.RoomMessages = 10
	srv := startServer(t, cfg)
	alice := join(t, srv.URL, "alice")
	alice.sayAll(30, "m")

	c := dial(t, srv.URL)
	c.hello("late")
	c.send(shared.TypeJoin, "", shared.Join{Since: new(uint64(3))})
	_, _, hist := c.joined()
	if got := messagesOf(hist); !hist[0].Truncated || !slices.Equal(ids(got), span(21, 30)) {
		t.Fatalf("resume past retention: truncated %v, ids %v", hist[0].Truncated, ids(got))
	}
	c.conn.Close(websocket.StatusNormalClosure, "")

	// A client that knows ids the room never had (its store was reset).
	d := dial(t, srv.URL)
	d.hello("stale")
	d.send(shared.TypeJoin, "", shared.Join{Since: new(uint64(500))})
	_, _, hist = d.joined()
	if got := messagesOf(hist); !hist[0].Reset || !slices.Equal(ids(got), span(21, 30)) {
		t.Fatalf("resume beyond the end: reset %v, ids %v", hist[0].Reset, ids(got))
	}
}

// TestDuplicateSay checks that a resent say is stored and delivered once.
func TestDuplicateSay(t *testing.T) {
	srv := startServer(t, testConfig())
	alice := join(t, srv.URL, "alice")
	bob := join(t, srv.URL, "bob")
	alice.presence()
	alice.say("c-1", "once")
	alice.say("c-1", "once")
	alice.say("c-2", "twice")
	if m := bob.nextMessage(); m.ClientID != "c-1" || m.ID != 1 {
		t.Fatalf("bob got %+v", m)
	}
	if m := bob.nextMessage(); m.ClientID != "c-2" || m.ID != 2 {
		t.Fatalf("bob got %+v, want c-2 with id 2 (c-1 only once)", m)
	}
	for len(alice.acks) < 3 {
		env, err := alice.read()
		if err != nil {
			t.Fatal(err)
		}
		if env.Type == shared.TypeAck {
			var a shared.Ack
			env.DecodePayload(&a)
			alice.acks = append(alice.acks, a)
		}
	}
	slices.SortFunc(alice.acks, func(a, b shared.Ack) int { return int(a.ID) - int(b.ID) })
	if a := alice.acks; a[0].ID != 1 || a[1].ID != 1 || a[0].Duplicate == a[1].Duplicate || a[2].ID != 2 {
		t.Errorf("acks %+v", a)
	}
}

// TestStoreDown checks that a say the store cannot take is refused with a
// retryable error and nothing is delivered.
func TestStoreDown(t *testing.T) {
	messages := openStore(t, store.Config{})
	srv := startServerWith(t, testConfig(), messages)
	alice := join(t, srv.URL, "alice")
	messages.Close()
	alice.say("c-1", "lost?")
	e := alice.expectError(shared.CodeInternal)
	if e.Ref != "c-1" || e.Request != shared.TypeSay {
		t.Errorf("error %+v does not answer the say", e)
	}
}

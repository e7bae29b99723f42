//go:build !js

package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/server"
	"livechat/server/chat"
	"livechat/server/cluster"
	"livechat/server/store"
	"livechat/shared"
)

// timeout bounds every wait in these tests; a failure shows as a timeout,
// never as a hang.
const timeout = 10 * time.Second

// testConfig is the configuration tests start from.
func testConfig() server.Config {
	return server.Config{
		Addr:            "127.0.0.1:0",
		ShutdownTimeout: 5 * time.Second,
		SendQueueBytes:  4 << 20,
		TotalQueueBytes: 256 << 20,
		History:         shared.DefaultHistory,
		PingInterval:    15 * time.Second,
	}
}

// logRecorder is a slog.Handler that keeps the levels it saw.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// atLeast returns the messages of records at level or above.
func (l *logRecorder) atLeast(level slog.Level) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var msgs []string
	for _, r := range l.records {
		if r.Level >= level {
			line := r.Level.String() + " " + r.Message
			r.Attrs(func(a slog.Attr) bool { line += " " + a.String(); return true })
			msgs = append(msgs, line)
		}
	}
	return msgs
}

// testServer is a livechat server on an httptest server.
type testServer struct {
	*server.Server
	http *httptest.Server
	logs *logRecorder
	// URL is the WebSocket URL.
	URL string
}

// openStore opens the real embedded message store in a fresh directory;
// it is closed when the test ends.
func openStore(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	if cfg.Dir == "" && len(cfg.URLs) == 0 {
		cfg.Dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s, err := store.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// startServer starts a server with cfg and a fresh store; it is shut down
// when the test ends.
func startServer(t testing.TB, cfg server.Config) *testServer {
	t.Helper()
	return startServerWith(t, cfg, openStore(t, cfg.Store))
}

// dataFor returns the data of a server whose messages are messages: the
// accounts and rooms go in the buckets of its store (or of the store it
// wraps).
func dataFor(t testing.TB, messages chat.Log) chat.Deps {
	t.Helper()
	var st *store.Store
	switch m := messages.(type) {
	case *store.Store:
		st = m
	case *faultyLog:
		st = m.Store
	default:
		t.Fatalf("no store under %T", messages)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// Short refreshes, so that a server that dies is noticed soon.
	data, err := server.OpenData(ctx, st, cluster.Config{Refresh: 500 * time.Millisecond, TTL: 3 * time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	data.Log = messages
	return data
}

// startServerWith starts a server with cfg on messages.
func startServerWith(t testing.TB, cfg server.Config, messages chat.Log) *testServer {
	t.Helper()
	logs := &logRecorder{}
	web := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("web app")) })
	s, err := server.New(cfg, "test", web, dataFor(t, messages), slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		hs.Close()
		if t.Failed() {
			for _, l := range logs.atLeast(slog.LevelWarn) {
				t.Logf("server log: %s", l)
			}
		}
	})
	return &testServer{Server: s, http: hs, logs: logs, URL: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"}
}

// client is one test user on a real WebSocket.
type client struct {
	t    *testing.T
	conn *shared.Conn
	url  string
	name string
	// acks collects the acks that next set aside.
	acks []shared.Ack
	// online is how many people are in the room, from the last presence
	// event read.
	online int
	// seq numbers the requests of request.
	seq int
	// held are envelopes read while waiting for something else, which
	// read returns first.
	held []shared.Envelope
}

// dial connects a client that is closed when the test ends.
func dial(t *testing.T, url string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := shared.Dial(ctx, url)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.WebSocket().CloseNow() })
	return &client{t: t, conn: conn, url: url, name: "client"}
}

// dialSmallBuffer connects a client whose socket receive buffer is
// small, so that a server writing to it blocks soon after it stops reading.
func dialSmallBuffer(t *testing.T, url string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return err
	}}
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}},
	})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &client{t: t, conn: shared.NewConn(ws, shared.MaxServerFrameBytes), url: url, name: "slow"}
}

// join dials, signs in as nickname and joins the default room, consuming
// what answers the join.
func join(t *testing.T, url, nickname string) *client {
	t.Helper()
	c := dial(t, url)
	c.hello(nickname)
	c.send(shared.TypeJoin, "", shared.Join{})
	j, _, _ := c.joined()
	if j.Room != shared.DefaultRoom {
		t.Fatalf("joined = %+v, want %q", j, shared.DefaultRoom)
	}
	return c
}

// credentials remembers the credential each test person got at their
// first hello, by test, server URL and nickname, so that a later
// connection as the same person signs in as them. (Servers of different
// tests may get the same URL.)
var credentials sync.Map

// hello signs c in as nickname: as the person of that nickname on this
// server if the test had them sign in before, or as a new account.
func (c *client) hello(nickname string) shared.Welcome {
	c.t.Helper()
	c.name = nickname
	test, _, _ := strings.Cut(c.t.Name(), "/")
	key := test + "\x00" + c.url + "\x00" + strings.TrimSpace(nickname)
	h := shared.Hello{Protocol: shared.ProtocolVersion, Nickname: nickname}
	if cred, ok := credentials.Load(key); ok {
		h = shared.Hello{Protocol: shared.ProtocolVersion, Credential: cred.(string)}
	}
	c.send(shared.TypeHello, "", h)
	w := expect[shared.Welcome](c, shared.TypeWelcome)
	if w.You.Nickname != strings.TrimSpace(nickname) || w.You.ID == "" || w.Protocol != shared.ProtocolVersion {
		c.t.Fatalf("welcome = %+v, want %q", w, nickname)
	}
	if w.Credential != "" {
		credentials.Store(key, w.Credential)
	}
	return w
}

// joined reads what answers a successful join: joined, presence, and
// the history up to the one marked live, whose messages it returns.
func (c *client) joined() (shared.Joined, shared.Presence, []shared.History) {
	c.t.Helper()
	// The read positions that follow a join's history (seen) may be
	// those of the join before.
	env := c.next()
	for env.Type == shared.TypeSeen {
		env = c.next()
	}
	c.held = append([]shared.Envelope{env}, c.held...)
	w := expect[shared.Joined](c, shared.TypeJoined)
	p := expect[shared.Presence](c, shared.TypePresence)
	c.online = len(p.Users)
	var hist []shared.History
	for {
		h := expect[shared.History](c, shared.TypeHistory)
		hist = append(hist, h)
		if h.Live {
			return w, p, hist
		}
	}
}

func (c *client) send(typ shared.Type, id string, payload any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.conn.Write(ctx, typ, id, payload); err != nil {
		c.t.Fatalf("%s: send %s: %v", c.name, typ, err)
	}
}

func (c *client) sendRaw(typ websocket.MessageType, frame []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.conn.WebSocket().Write(ctx, typ, frame); err != nil {
		c.t.Fatalf("%s: send raw: %v", c.name, err)
	}
}

// next reads the next envelope other than an ack, failing the test on
// any error. Acks, whose order with the sender's own message is not
// fixed, go to c.acks.
func (c *client) next() shared.Envelope {
	c.t.Helper()
	for {
		env, err := c.read()
		if err != nil {
			c.t.Fatalf("%s: read: %v", c.name, err)
		}
		if env.Type != shared.TypeAck {
			return env
		}
		var a shared.Ack
		if err := env.DecodePayload(&a); err != nil {
			c.t.Fatal(err)
		}
		c.acks = append(c.acks, a)
	}
}

func (c *client) read() (shared.Envelope, error) {
	if len(c.held) > 0 {
		env := c.held[0]
		c.held = c.held[1:]
		return env, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.conn.Read(ctx)
}

// expect reads the next envelope, which must be of type typ, and decodes
// its payload.
func expect[T any](c *client, typ shared.Type) T {
	c.t.Helper()
	env := c.next()
	if env.Type != typ {
		c.t.Fatalf("%s: got %s %s, want %s", c.name, env.Type, env.Payload, typ)
	}
	var v T
	if err := json.Unmarshal(env.Payload, &v); err != nil {
		c.t.Fatalf("%s: decode %s: %v", c.name, typ, err)
	}
	return v
}

// nextMessage reads up to the next message, skipping presence events
// and read positions of others (a join's snapshot of them comes after
// its history).
func (c *client) nextMessage() shared.Message {
	c.t.Helper()
	for {
		switch env := c.next(); env.Type {
		case shared.TypePresenceUpdate, shared.TypeSeen:
		case shared.TypeMessage:
			var m shared.Message
			if err := env.DecodePayload(&m); err != nil {
				c.t.Fatalf("%s: %v", c.name, err)
			}
			return m
		default:
			c.t.Fatalf("%s: got %s %s, want a message", c.name, env.Type, env.Payload)
		}
	}
}

// presence reads the next envelope, which must be a presence update.
func (c *client) presence() shared.PresenceUpdate {
	c.t.Helper()
	u := expect[shared.PresenceUpdate](c, shared.TypePresenceUpdate)
	c.online = u.Online
	return u
}

// presenceUntilOnline reads presence updates until n people are online.
func (c *client) presenceUntilOnline(n int) {
	c.t.Helper()
	for c.online != n {
		c.presence()
	}
}

// expectError reads the next envelope, which must be an error with code.
func (c *client) expectError(code shared.Code) shared.Error {
	c.t.Helper()
	e := expect[shared.Error](c, shared.TypeError)
	if e.Code != code {
		c.t.Fatalf("%s: error %+v, want code %s", c.name, e, code)
	}
	if e.Message == "" {
		c.t.Fatalf("%s: error %s has no message", c.name, code)
	}
	return e
}

// expectClose reads until the connection fails and checks its close
// status.
func (c *client) expectClose(status websocket.StatusCode) {
	c.t.Helper()
	for {
		env, err := c.read()
		if err == nil && env.Type == shared.TypeAck {
			continue
		}
		if err == nil && env.Type == shared.TypeClosing {
			var cl shared.Closing
			env.DecodePayload(&cl)
			if cl.Status != int(status) || cl.Reason == "" {
				c.t.Fatalf("%s: closing %+v before the close, want status %v with a reason", c.name, cl, status)
			}
			continue
		}
		if err == nil {
			c.t.Fatalf("%s: got %s %s, want close %v", c.name, env.Type, env.Payload, status)
		}
		var perr *shared.Error
		if errors.As(err, &perr) {
			continue
		}
		if got := websocket.CloseStatus(err); got != status {
			c.t.Fatalf("%s: connection ended with %v (status %v), want status %v", c.name, err, got, status)
		}
		return
	}
}

// say sends text with a client message id.
func (c *client) say(id, text string) {
	c.t.Helper()
	c.send(shared.TypeSay, id, shared.Say{Text: text})
}

// trySay is say for goroutines other than the test's.
func (c *client) trySay(id, text string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.conn.Write(ctx, shared.TypeSay, id, shared.Say{Text: text}); err != nil {
		return fmt.Errorf("%s: say %s: %w", c.name, id, err)
	}
	return nil
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, timeout, what, cond)
}

// waitWithin is waitFor with a deadline of its own, for bulk work that a
// loaded machine may take long over.
func waitWithin(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

//go:build !js

package chat_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/server/account"
	"livechat/server/chat"
	"livechat/server/cluster"
	"livechat/server/kv"
	"livechat/server/room"
	"livechat/server/store"
	"livechat/shared"
	"livechat/shared/sharedtest"
)

// clock is a time the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// modHub is a hub whose clock, rooms and accounts the test holds.
type modHub struct {
	url   string
	clock *clock
	rooms kv.KV // the rooms' storage, which another server would share
}

// startModHub starts a hub on the real message store and audit log, with
// rooms and accounts in memory, all on one clock the test moves.
func startModHub(t *testing.T, link chat.Cluster) *modHub {
	t.Helper()
	ctx := context.Background()
	messages, err := store.Open(ctx, store.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	audit, err := messages.Audit(ctx, store.AuditConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now()}
	rooms := &kv.Memory{}
	hub := chat.NewHub(chat.Config{Now: c.now, PresenceDelay: 10 * time.Millisecond}, chat.Deps{
		Log:      messages,
		Accounts: account.New(&kv.Memory{}, account.Config{Now: c.now}),
		Rooms:    room.New(rooms, room.Config{Now: c.now}),
		Cluster:  link,
		Audit:    audit,
	}, slog.New(slog.DiscardHandler))
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		hub.Serve(ws, chat.Peer{Origin: r.Header.Get("Origin")}, slog.New(slog.DiscardHandler))
	}))
	t.Cleanup(func() {
		hub.Shutdown(context.Background())
		hs.Close()
		messages.Close()
	})
	return &modHub{url: "ws" + strings.TrimPrefix(hs.URL, "http"), clock: c, rooms: rooms}
}

// person is one connection of the test.
type person struct {
	t    *testing.T
	ctx  context.Context
	conn *shared.Conn
	w    shared.Welcome
	seq  int
}

// signIn connects and signs in with h.
func (m *modHub) signIn(t *testing.T, h shared.Hello) (*person, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	conn, err := shared.Dial(ctx, m.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.WebSocket().CloseNow() })
	w, err := sharedtest.Hello(ctx, conn, h)
	return &person{t: t, ctx: ctx, conn: conn, w: w}, err
}

func (m *modHub) person(t *testing.T, nickname string) *person {
	t.Helper()
	p, err := m.signIn(t, shared.Hello{Nickname: nickname})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// do sends a request and returns the error answering it, or nil once an
// event of type want answers it.
func (p *person) do(typ shared.Type, payload any, want shared.Type) *shared.Error {
	p.t.Helper()
	p.seq++
	id := "r" + string(rune('a'+p.seq%26)) + strings.Repeat("x", p.seq/26)
	if err := p.conn.Write(p.ctx, typ, id, payload); err != nil {
		p.t.Fatal(err)
	}
	for {
		env, err := p.conn.Read(p.ctx)
		if err != nil {
			p.t.Fatalf("%s: read: %v", p.w.You.Nickname, err)
		}
		var e shared.Error
		switch {
		case env.Type == shared.TypeError && env.DecodePayload(&e) == nil && e.Ref == id:
			return &e
		case env.Type == want && env.ID == id:
			return nil
		case want == shared.TypeAck && env.Type == shared.TypeAck:
			var a shared.Ack
			if env.DecodePayload(&a) == nil && a.ClientID == id {
				return nil
			}
		}
	}
}

// ok is do for requests that must succeed.
func (p *person) ok(typ shared.Type, payload any, want shared.Type) {
	p.t.Helper()
	if e := p.do(typ, payload, want); e != nil {
		p.t.Fatalf("%s: %s %+v: %s %s", p.w.You.Nickname, typ, payload, e.Code, e.Message)
	}
}

// wait reads until an event of type typ for which match holds.
func wait[T any](p *person, typ shared.Type, match func(T) bool) T {
	p.t.Helper()
	for {
		env, err := p.conn.Read(p.ctx)
		if err != nil {
			p.t.Fatalf("%s: waiting for %s: %v", p.w.You.Nickname, typ, err)
		}
		var v T
		if env.Type == typ && json.Unmarshal(env.Payload, &v) == nil && match(v) {
			return v
		}
	}
}

// says sends text to room and reports how the say was answered.
func (p *person) says(room, text string) *shared.Error {
	p.t.Helper()
	return p.do(shared.TypeSay, shared.Say{Room: room, Text: text}, shared.TypeAck)
}

// closed reads until the connection ends and returns its close status.
func (p *person) closed() websocket.StatusCode {
	p.t.Helper()
	for {
		_, err := p.conn.Read(p.ctx)
		var perr *shared.Error
		if err != nil && !errors.As(err, &perr) {
			return websocket.CloseStatus(err)
		}
	}
}

// TestModerationExpires: mutes, room bans, server bans, address bans and
// slow mode end on their own, by the hub's clock.
func TestModerationExpires(t *testing.T) {
	m := startModHub(t, nil)
	admin := m.person(t, "admin")
	bob := m.person(t, "bob")
	admin.ok(shared.TypeCreateRoom, shared.CreateRoom{Name: "club", Kind: shared.KindPublic}, shared.TypeRoom)
	for _, p := range []*person{admin, bob} {
		if _, _, err := sharedtest.Join(p.ctx, p.conn, shared.Join{Room: "club"}); err != nil {
			t.Fatal(err)
		}
	}

	admin.ok(shared.TypeMute, shared.Mute{Room: "club", Nickname: "bob", Seconds: 60}, shared.TypeModerated)
	if e := bob.says("club", "hello?"); e == nil || e.Code != shared.CodeForbidden {
		t.Fatalf("muted: %+v", e)
	}
	m.clock.add(59 * time.Second)
	if e := bob.says("club", "hello?"); e == nil {
		t.Fatal("a second before the mute ends, bob speaks")
	}
	m.clock.add(time.Second)
	if e := bob.says("club", "free"); e != nil {
		t.Fatalf("the mute is over, yet: %+v", e)
	}

	admin.ok(shared.TypeSlowMode, shared.SlowMode{Room: "club", Seconds: 30}, shared.TypeModerated)
	if e := bob.says("club", "one"); e != nil {
		t.Fatal(e)
	}
	m.clock.add(20 * time.Second)
	if e := bob.says("club", "two"); e == nil || e.Code != shared.CodeRateLimited || e.RetryAfter != 10 {
		t.Fatalf("20 s into a slow mode of 30: %+v, want 10 s to wait", e)
	}
	m.clock.add(10 * time.Second)
	if e := bob.says("club", "two"); e != nil {
		t.Fatalf("after the wait: %+v", e)
	}

	admin.ok(shared.TypeBan, shared.Ban{Room: "club", Nickname: "bob", Seconds: 120}, shared.TypeModerated)
	wait(bob, shared.TypeLeft, func(l shared.Left) bool { return l.Room == "club" })
	if e := bob.do(shared.TypeJoin, shared.Join{Room: "club"}, shared.TypeJoined); e == nil || e.Code != shared.CodeForbidden {
		t.Fatalf("banned from the room: %+v", e)
	}
	m.clock.add(2 * time.Minute)
	bob.ok(shared.TypeJoin, shared.Join{Room: "club"}, shared.TypeJoined)

	admin.ok(shared.TypeBan, shared.Ban{Nickname: "bob", Seconds: 3600}, shared.TypeModerated)
	if status := bob.closed(); status != shared.StatusBanned {
		t.Fatalf("bob's connection ended with %v, want %v", status, shared.StatusBanned)
	}
	cred := bob.w.Credential
	if _, err := m.signIn(t, shared.Hello{Credential: cred}); !errors.Is(err, &shared.Error{Code: shared.CodeForbidden}) {
		t.Fatalf("banned, bob signs in: %v", err)
	}
	m.clock.add(time.Hour)
	if _, err := m.signIn(t, shared.Hello{Credential: cred}); err != nil {
		t.Fatalf("the ban is over, yet: %v", err)
	}

	// The hub's test connections have no address: an address ban does not
	// apply to them (an unknown address is never banned).
	admin.ok(shared.TypeBanAddress, shared.BanAddress{Address: "192.0.2.1", Seconds: 60}, shared.TypeModerated)
	m.person(t, "carol")
}

// fakeLink is a link to other servers that the test speaks for.
func fakeLink(t *testing.T) *fakeCluster {
	return &fakeCluster{parts: make(map[string]cluster.Part), ttl: time.Minute, runCalls: make(chan struct{})}
}

// TestModerationNoticesFromOtherServers: what another server decided
// takes effect here on its notice: a mute or a lock at once (not after
// the cache expires), a kick or room ban takes the person out, a server
// ban closes their connections. And this server tells the others.
func TestModerationNoticesFromOtherServers(t *testing.T) {
	link := fakeLink(t)
	m := startModHub(t, link)
	<-link.runCalls
	admin := m.person(t, "admin")
	bob := m.person(t, "bob")
	admin.ok(shared.TypeCreateRoom, shared.CreateRoom{Name: "club", Kind: shared.KindPublic}, shared.TypeRoom)
	for _, p := range []*person{admin, bob} {
		if _, _, err := sharedtest.Join(p.ctx, p.conn, shared.Join{Room: "club"}); err != nil {
			t.Fatal(err)
		}
	}
	if e := bob.says("club", "hi"); e != nil { // the room and bob's mute are cached now
		t.Fatal(e)
	}
	// Another server, on the same storage, mutes bob and locks the room.
	other := room.New(m.rooms, room.Config{Now: m.clock.now})
	if err := other.Mute(context.Background(), "club", bob.w.You.ID, room.Sanction{Until: m.clock.now().Add(time.Hour), By: admin.w.You.ID}); err != nil {
		t.Fatal(err)
	}
	if e := bob.says("club", "cached"); e != nil {
		t.Fatalf("before the notice the mute is not known here: %+v", e)
	}
	link.handler.Notice(cluster.Notice{From: "s2", Kind: cluster.NoticeMuted, Account: bob.w.You.ID, Room: "club"})
	if e := bob.says("club", "muted?"); e == nil || e.Code != shared.CodeForbidden || !strings.Contains(e.Message, "muted") {
		t.Fatalf("after the notice of the mute: %+v", e)
	}
	if err := other.Mute(context.Background(), "club", bob.w.You.ID, room.Sanction{}); err != nil {
		t.Fatal(err)
	}
	link.handler.Notice(cluster.Notice{From: "s2", Kind: cluster.NoticeMuted, Account: bob.w.You.ID, Room: "club"})
	if _, err := other.SetLocked(context.Background(), "club", true); err != nil {
		t.Fatal(err)
	}
	link.handler.Notice(cluster.Notice{From: "s2", Kind: cluster.NoticeRoom, Account: bob.w.You.ID, Room: "club"})
	wait(bob, shared.TypeRoom, func(r shared.RoomInfo) bool { return r.ID == "club" && r.Locked })
	if e := bob.says("club", "locked?"); e == nil || e.Code != shared.CodeForbidden || !strings.Contains(e.Message, "locked") {
		t.Fatalf("after the notice of the lock: %+v", e)
	}

	// A room ban there takes bob out here; a server ban closes him.
	link.handler.Notice(cluster.Notice{From: "s2", Kind: cluster.NoticeBanned, Account: bob.w.You.ID, Room: "club", Until: m.clock.now().Add(time.Hour)})
	wait(bob, shared.TypeLeft, func(l shared.Left) bool { return l.Room == "club" })
	link.handler.Notice(cluster.Notice{From: "s2", Kind: cluster.NoticeBanned, Account: bob.w.You.ID, Until: m.clock.now().Add(time.Hour)})
	if status := bob.closed(); status != shared.StatusBanned {
		t.Fatalf("bob's connection ended with %v, want %v", status, shared.StatusBanned)
	}

	// What this server decides, it tells.
	carol := m.person(t, "carol")
	if _, _, err := sharedtest.Join(carol.ctx, carol.conn, shared.Join{Room: "club"}); err != nil {
		t.Fatal(err)
	}
	admin.ok(shared.TypeMute, shared.Mute{Room: "club", Nickname: "carol", Seconds: 60}, shared.TypeModerated)
	admin.ok(shared.TypeKick, shared.Kick{Room: "club", Nickname: "carol"}, shared.TypeModerated)
	admin.ok(shared.TypeBan, shared.Ban{Room: "club", Nickname: "carol", Seconds: 60}, shared.TypeModerated)
	admin.ok(shared.TypeBan, shared.Ban{Nickname: "carol", Seconds: 60}, shared.TypeModerated)
	link.mu.Lock()
	defer link.mu.Unlock()
	var kinds []string
	for _, n := range link.notices {
		if n.Account == carol.w.You.ID {
			kinds = append(kinds, n.Kind+":"+n.Room)
		}
	}
	if got := strings.Join(kinds, ","); got != "muted:club,left:club,banned:club,banned:" {
		t.Errorf("notices about carol: %s", got)
	}
}

//go:build !js

package server_test

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/server/store"
	"livechat/shared"
)

// startNATS builds nats-server from the module this project uses and runs
// it with JetStream on a free port until the test ends; it returns its URL.
func startNATS(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "nats-server")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2").CombinedOutput(); err != nil {
		t.Fatalf("build nats-server: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	cmd := exec.Command(bin, "-js", "-sd", filepath.Join(dir, "js"), "-a", "127.0.0.1", "-p", fmt.Sprint(addr.Port))
	var output strings.Builder
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("nats-server:\n%s", output.String())
		}
	})
	waitFor(t, "nats-server to accept connections", func() bool {
		c, err := net.DialTimeout("tcp", addr.String(), time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return fmt.Sprintf("nats://%s", addr)
}

// TestExternalNATS runs two livechat servers on one external nats-server:
// a message said on one reaches people on the other, and a third server
// started later has the history.
func TestExternalNATS(t *testing.T) {
	url := startNATS(t)
	cfg := testConfig()
	cfg.Store = store.Config{URLs: []string{url}}
	a := startServer(t, cfg)
	b := startServer(t, cfg)

	alice := join(t, a.URL, "alice")
	bob := join(t, b.URL, "bob")
	alice.say("a1", "hello from server A")
	if m := bob.nextMessage(); m.From != "alice" || m.Text != "hello from server A" {
		t.Fatalf("bob on B got %+v", m)
	}
	bob.say("b1", "hello from server B")
	for _, c := range []*client{alice, bob} {
		for {
			if m := c.nextMessage(); m.ClientID == "b1" {
				break
			}
		}
	}

	c := startServer(t, cfg)
	carol := dial(t, c.URL)
	carol.hello("carol")
	carol.send(shared.TypeJoin, "", shared.Join{})
	_, _, hist := carol.joined()
	var got []string
	for _, m := range messagesOf(hist) {
		got = append(got, m.ClientID)
	}
	if !slices.Equal(got, []string{"a1", "b1"}) {
		t.Fatalf("history on a third server: %v", got)
	}
}

// TestTwoServersAgreeOnPeopleAndRooms: two servers on one NATS share who
// owns which nickname (look-alikes too), the credentials, the rooms and
// who may read them.
func TestTwoServersAgreeOnPeopleAndRooms(t *testing.T) {
	a, b := twoServers(t)

	alice := dial(t, a.URL)
	w := alice.hello("alice")
	// The nickname, and its look-alikes, are taken on B too.
	for _, nick := range []string{"alice", "ALICE", "аlice"} {
		c := dial(t, b.URL)
		c.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: nick})
		c.expectError(shared.CodeNicknameTaken)
	}
	// Alice's credential signs her in on B.
	again := dial(t, b.URL)
	again.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Credential: w.Credential})
	if got := expect[shared.Welcome](again, shared.TypeWelcome); got.You != w.You {
		t.Fatalf("alice on B: %+v", got.You)
	}

	// A private room made on A: bob, invited, joins on B; carol, on B,
	// cannot.
	secret := ask[shared.RoomInfo](alice, shared.TypeCreateRoom, shared.CreateRoom{Name: "Plans", Kind: shared.KindPrivate}, shared.TypeRoom)
	inv := ask[shared.Invite](alice, shared.TypeInvite, shared.InviteRequest{Room: secret.ID}, shared.TypeInviteCode)
	alice.send(shared.TypeJoin, "", shared.Join{Room: secret.ID})
	alice.joined()
	bob := dial(t, b.URL)
	bob.hello("bob")
	bob.send(shared.TypeJoin, "", shared.Join{Invite: inv.Code})
	if j, _, _ := bob.joined(); j.Room != secret.ID {
		t.Fatalf("bob joined %+v", j)
	}
	carol := dial(t, b.URL)
	carol.hello("carol")
	if _, e := carol.request(shared.TypeJoin, shared.Join{Room: secret.ID}, shared.TypeJoined); e == nil || e.Code != shared.CodeNotFound {
		t.Fatalf("carol on B joining the private room: %+v", e)
	}
	alice.send(shared.TypeSay, "s1", shared.Say{Room: secret.ID, Text: "from A"})
	for {
		env := bob.next()
		var m shared.Message
		if env.Type == shared.TypeMessage && env.DecodePayload(&m) == nil {
			if m.Text != "from A" || m.Author != w.You.ID {
				t.Fatalf("bob got %+v", m)
			}
			break
		}
	}
}

// until reads c until an event of type typ for which ok holds, skipping
// the others, and returns it.
// twoServers starts two servers on one NATS.
func twoServers(t *testing.T) (a, b *testServer) {
	t.Helper()
	cfg := testConfig()
	cfg.Store = store.Config{URLs: []string{startNATS(t)}}
	return startServer(t, cfg), startServer(t, cfg)
}

func until[T any](c *client, typ shared.Type, ok func(T) bool) T {
	c.t.Helper()
	for {
		env := c.next()
		if env.Type != typ {
			continue
		}
		var v T
		if err := env.DecodePayload(&v); err != nil {
			c.t.Fatalf("%s: decode %s: %v", c.name, typ, err)
		}
		if ok(v) {
			return v
		}
	}
}

// TestTwoServersSharePresenceAndNotices: people connected to two servers
// on one NATS see each other in a room, and a person's connections on
// one server hear at once what they did on the other (a read position, a
// room they were added to, a device signed out). When a server stops
// writing its presence (cut off from NATS), the other drops its people
// once its part is stale.
func TestTwoServersSharePresenceAndNotices(t *testing.T) {
	url := startNATS(t)
	cfg := testConfig()
	cfg.Store = store.Config{URLs: []string{url}}
	a := startServer(t, cfg)
	bStore := openStore(t, cfg.Store)
	b := startServerWith(t, cfg, bStore)

	alice := dial(t, a.URL)
	alice.hello("alice")
	alice.send(shared.TypeJoin, "", shared.Join{})
	alice.joined()
	bob := dial(t, b.URL)
	bw := bob.hello("bob")
	bob.send(shared.TypeJoin, "", shared.Join{})
	bob.joined()
	names := func(p shared.Presence) string { return strings.Join(p.Users, ",") }
	// Each sees the other, whichever wrote first.
	until(alice, shared.TypePresenceUpdate, func(u shared.PresenceUpdate) bool { return slices.Contains(u.Joined, "bob") && u.Online == 2 })
	waitFor(t, "bob on B to see alice", func() bool {
		m := ask[shared.Members](bob, shared.TypeMembers, shared.MembersRequest{Room: "general"}, shared.TypeMembersList)
		online := 0
		for _, p := range m.People {
			if p.Online {
				online++
			}
		}
		return online == 2
	})
	probe := dial(t, b.URL)
	probe.hello("carol")
	probe.send(shared.TypeJoin, "", shared.Join{})
	if _, p, _ := probe.joined(); names(p) != "alice,bob,carol" {
		t.Fatalf("carol joining on B sees %q", names(p))
	}
	until(alice, shared.TypePresenceUpdate, func(u shared.PresenceUpdate) bool { return slices.Contains(u.Joined, "carol") })
	probe.conn.WebSocket().CloseNow()
	until(alice, shared.TypePresenceUpdate, func(u shared.PresenceUpdate) bool { return slices.Contains(u.Left, "carol") })

	// bob's laptop is on A, signed in with his password.
	ask[shared.Account](bob, shared.TypePassword, shared.Password{Password: "correct horse battery"}, shared.TypeAccountInfo)
	laptop := dial(t, a.URL)
	laptop.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "bob", Password: "correct horse battery", Device: "Laptop"})
	if lw := expect[shared.Welcome](laptop, shared.TypeWelcome); lw.You != bw.You {
		t.Fatalf("the laptop signed in as %+v", lw.You)
	}
	laptop.send(shared.TypeJoin, "", shared.Join{})
	laptop.joined()

	// A read position set on B reaches the laptop on A.
	alice.say("a1", "hello bob")
	m := bob.nextMessage()
	ask[shared.Read](bob, shared.TypeRead, shared.Read{Room: "general", ID: m.ID}, shared.TypeReadPosition)
	if r := until(laptop, shared.TypeReadPosition, func(shared.Read) bool { return true }); r.Room != "general" || r.ID != m.ID {
		t.Fatalf("the laptop got read %+v, want general %d", r, m.ID)
	}

	// alice adds bob to a private room on A: his connection on B is told.
	secret := ask[shared.RoomInfo](alice, shared.TypeCreateRoom, shared.CreateRoom{Name: "Plans", Kind: shared.KindPrivate}, shared.TypeRoom)
	ask[shared.RoomInfo](alice, shared.TypeAdd, shared.Add{Room: secret.ID, Nickname: "bob"}, shared.TypeRoom)
	if info := until(bob, shared.TypeRoom, func(i shared.RoomInfo) bool { return i.ID == secret.ID }); !info.Member || info.Name != "Plans" {
		t.Fatalf("bob on B was told %+v", info)
	}
	// A new public room made on A shows on B.
	ask[shared.RoomInfo](alice, shared.TypeCreateRoom, shared.CreateRoom{Name: "games", Kind: shared.KindPublic}, shared.TypeRoom)
	until(bob, shared.TypeRoom, func(i shared.RoomInfo) bool { return i.ID == "games" })

	// bob signs the laptop (on A) out from B: it closes at once.
	acct := ask[shared.Account](bob, shared.TypeAccount, nil, shared.TypeAccountInfo)
	var laptopID string
	for _, d := range acct.Devices {
		if !d.Current {
			laptopID = d.ID
		}
	}
	if laptopID == "" {
		t.Fatalf("no laptop among %+v", acct.Devices)
	}
	ask[shared.Account](bob, shared.TypeRevoke, shared.Revoke{Device: laptopID}, shared.TypeAccountInfo)
	for {
		if _, err := laptop.read(); err != nil {
			if st := websocket.CloseStatus(err); st != shared.StatusSignedOut {
				t.Fatalf("the laptop closed with %v (%v), want %v", st, err, shared.StatusSignedOut)
			}
			break
		}
	}

	// B is cut off from NATS: its part goes stale, and A drops bob.
	bStore.Close()
	until(alice, shared.TypePresenceUpdate, func(u shared.PresenceUpdate) bool { return slices.Contains(u.Left, "bob") && u.Online == 1 })
}

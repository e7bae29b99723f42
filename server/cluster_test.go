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
	url := startNATS(t)
	cfg := testConfig()
	cfg.Store = store.Config{URLs: []string{url}}
	a := startServer(t, cfg)
	b := startServer(t, cfg)

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

//go:build !js

package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/server/proc"
	"livechat/shared"
	"livechat/shared/sharedtest"
)

// chatter is a protocol client of a running livechat.
type chatter struct {
	t    *testing.T
	conn *shared.Conn
}

// chatterCredentials keeps the credential of each test's people.
var chatterCredentials sync.Map

func dialChatter(t *testing.T, url, nickname string) *chatter {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := shared.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"ws")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.WebSocket().CloseNow() })
	// The first connection as nickname in a test creates the account;
	// later ones, also to a restarted server, sign in with its credential.
	key := t.Name() + "\x00" + nickname
	hello := shared.Hello{Protocol: shared.ProtocolVersion, Nickname: nickname}
	if cred, ok := chatterCredentials.Load(key); ok {
		hello = shared.Hello{Protocol: shared.ProtocolVersion, Credential: cred.(string)}
	}
	w, err := sharedtest.Hello(ctx, conn, hello)
	if err != nil {
		t.Fatalf("hello as %s: %v", nickname, err)
	}
	if w.Credential != "" {
		chatterCredentials.Store(key, w.Credential)
	}
	if err := conn.Write(ctx, shared.TypeJoin, "", shared.Join{History: new(0)}); err != nil {
		t.Fatal(err)
	}
	c := &chatter{t: t, conn: conn}
	for {
		env := c.read()
		if env.Type == shared.TypeHistory {
			var h shared.History
			env.DecodePayload(&h)
			if h.Live {
				return c
			}
		}
	}
}

func (c *chatter) read() shared.Envelope {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	env, err := c.conn.Read(ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return env
}

// all pages through the room's whole history and returns its client ids,
// counting repeats.
func (c *chatter) all() map[string]int {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(map[string]int)
	before := uint64(1 << 62)
	for {
		c.conn.Write(ctx, shared.TypeHistory, "", shared.HistoryRequest{Before: before, Limit: new(shared.MaxHistory)})
		env := c.read()
		if env.Type != shared.TypeHistory {
			continue
		}
		var h shared.History
		env.DecodePayload(&h)
		for _, m := range h.Messages {
			got[m.ClientID]++
		}
		if !h.More || len(h.Messages) == 0 {
			return got
		}
		before = h.Messages[0].ID
	}
}

// TestKillDurability kills the server with SIGKILL while messages stream
// in, restarts it on the same data, and checks that every acknowledged
// message is in the history; then the same across a graceful restart.
func TestKillDurability(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0", seeding)
	c := dialChatter(t, server.URL, "alice")

	// Keep up to 32 messages in flight; kill after 300 acks.
	acked := make(map[string]bool)
	ctx := context.Background()
	sent := 0
	send := func() {
		c.conn.Write(ctx, shared.TypeSay, fmt.Sprintf("k%05d", sent), shared.Say{Text: fmt.Sprintf("before the kill %d", sent)})
		sent++
	}
	for range 32 {
		send()
	}
	for len(acked) < 300 {
		env := c.read()
		if env.Type == shared.TypeAck {
			var a shared.Ack
			env.DecodePayload(&a)
			acked[a.ClientID] = true
			send()
		}
	}
	server.cmd.Process.Signal(syscall.SIGKILL)
	// Acks already on the wire before the kill count too.
	for {
		readCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		env, err := c.conn.Read(readCtx)
		cancel()
		if err != nil {
			break
		}
		if env.Type == shared.TypeAck {
			var a shared.Ack
			env.DecodePayload(&a)
			acked[a.ClientID] = true
		}
	}
	<-server.exited
	t.Logf("sent %d, acknowledged %d before the kill", sent, len(acked))

	server = startLivechat(t, server.addr, seeding)
	c = dialChatter(t, server.URL, "alice")
	stored := c.all()
	for id := range acked {
		if stored[id] != 1 {
			t.Errorf("acknowledged message %s is stored %d times after the kill", id, stored[id])
		}
	}
	for id, n := range stored {
		if n != 1 {
			t.Errorf("message %s stored %d times", id, n)
		}
	}

	// A graceful restart loses nothing either.
	for i := range 50 {
		c.conn.Write(ctx, shared.TypeSay, fmt.Sprintf("g%05d", i), shared.Say{Text: "before the restart"})
	}
	for n := 0; n < 50; {
		if env := c.read(); env.Type == shared.TypeAck {
			var a shared.Ack
			env.DecodePayload(&a)
			acked[a.ClientID] = true
			n++
		}
	}
	server.stop()
	server = startLivechat(t, server.addr, seeding)
	c = dialChatter(t, server.URL, "alice")
	stored = c.all()
	for id := range acked {
		if stored[id] != 1 {
			t.Errorf("acknowledged message %s is stored %d times after the restart", id, stored[id])
		}
	}
}

// rssMB returns the resident memory of a process.
func rssMB(tb testing.TB, pid int) float64 {
	u, err := proc.Of(pid)
	if err != nil {
		tb.Fatal(err)
	}
	return float64(u.RSS) / (1 << 20)
}

// BenchmarkStoreRSS reports the program's memory after it starts and after
// it stores 100,000 messages (ten rooms at their 10,000-message cap).
func BenchmarkStoreRSS(b *testing.B) {
	for b.Loop() {
		server := startLivechat(b, "127.0.0.1:0", seeding)
		pid := server.cmd.Process.Pid
		b.ReportMetric(rssMB(b, pid), "rss-start-MB")
		var wg sync.WaitGroup
		for r := range 10 {
			wg.Go(func() {
				ctx := context.Background()
				conn, err := shared.Dial(ctx, "ws"+strings.TrimPrefix(server.URL, "http")+"ws")
				if err != nil {
					b.Error(err)
					return
				}
				defer conn.Close(websocket.StatusNormalClosure, "")
				if _, err := sharedtest.Hello(ctx, conn, shared.Hello{Nickname: fmt.Sprintf("filler%d-%d", r, b.N)}); err != nil {
					b.Error(err)
					return
				}
				if _, _, err := sharedtest.Join(ctx, conn, shared.Join{Room: fmt.Sprintf("room%d", r), History: new(0)}); err != nil {
					b.Error(err)
					return
				}
				if err := sharedtest.SayAll(ctx, conn, fmt.Sprintf("room%d", r), 10_000, "m", "a message of an ordinary length for a chat line"); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		b.ReportMetric(rssMB(b, pid), "rss-100k-MB")
		server.stop()
	}
}

//go:build !js

package chat_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"livechat/server/account"
	"livechat/server/chat"
	"livechat/server/kv"
	"livechat/server/room"
	"livechat/server/store"
	"livechat/shared"
	"livechat/shared/sharedtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startHub starts a hub with cfg on the real message store and in-memory
// accounts and rooms, behind an httptest server; both stop when the test
// ends. It returns the hub and its WebSocket URL.
func startHub(t *testing.T, cfg chat.Config) (*chat.Hub, string) {
	t.Helper()
	return startHubIn(t, cfg, nil)
}

// startHubIn is startHub with a link to other servers.
func startHubIn(t *testing.T, cfg chat.Config, cluster chat.Cluster) (*chat.Hub, string) {
	t.Helper()
	messages, err := store.Open(context.Background(), store.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hub := chat.NewHub(cfg, chat.Deps{
		Log: messages, Accounts: account.New(&kv.Memory{}, account.Config{}), Rooms: room.New(&kv.Memory{}, room.Config{}),
		Cluster: cluster,
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
	return hub, "ws" + strings.TrimPrefix(hs.URL, "http")
}

// TestHeartbeat checks that a peer that stops answering pings is dropped
// within PingInterval+PingTimeout, while a live one stays.
func TestHeartbeat(t *testing.T) {
	hub, url := startHub(t, chat.Config{
		PingInterval: 50 * time.Millisecond,
		PingTimeout:  200 * time.Millisecond,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// A live client: it reads, so it answers pings.
	var pings atomic.Int32
	live, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		OnPingReceived: func(context.Context, []byte) bool { pings.Add(1); return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer live.CloseNow()
	readCtx := live.CloseRead(ctx)

	// A dead client: it never reads, so it never answers.
	dead, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dead.CloseNow()

	waitFor(t, "the dead peer to be dropped", func() bool { return hub.Connections() == 1 })
	waitFor(t, "more pings to the live peer", func() bool { return pings.Load() >= 10 })
	if hub.Connections() != 1 || readCtx.Err() != nil {
		t.Fatalf("the live peer was dropped")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestHeldBackReaderIsNotDropped: a client that asks for more than its
// queue holds, and then reads nothing for a while, is held back: the
// server reads nothing more from it, the pongs among it, for several ping
// timeouts. It is not taken for dead (its writes are not stuck for the
// write timeout), and gets every answer once it reads.
func TestHeldBackReaderIsNotDropped(t *testing.T) {
	const timeout = time.Second
	hub, url := startHub(t, chat.Config{
		PingInterval: timeout / 4,
		PingTimeout:  timeout,
		// Stuck writes are not what this test is about.
		WriteTimeout:   10 * time.Second,
		SendQueueBytes: 64 << 10,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := shared.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.WebSocket().CloseNow()
	if _, err := sharedtest.Hello(ctx, conn, shared.Hello{Nickname: "reader"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sharedtest.Join(ctx, conn, shared.Join{History: new(0)}); err != nil {
		t.Fatal(err)
	}
	if err := sharedtest.SayAll(ctx, conn, "general", 50, "m", strings.Repeat("x", 1000)); err != nil {
		t.Fatal(err)
	}
	const pages = 200 // 10 MB: more than the socket buffers hold, so the writer waits too
	for i := range pages {
		if err := conn.Write(ctx, shared.TypeHistory, fmt.Sprint("h", i), shared.HistoryRequest{Before: 51}); err != nil {
			t.Fatal(err)
		}
	}
	// Not reading, for three ping timeouts: the time passing is what is
	// tested.
	for start := time.Now(); time.Since(start) < 3*timeout; time.Sleep(timeout / 20) {
		if hub.Connections() != 1 {
			t.Fatal("the held-back reader was dropped")
		}
	}
	for got := 0; got < pages; {
		env, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("after %d pages: %v", got, err)
		}
		if env.Type == shared.TypeHistory && env.ID == fmt.Sprint("h", got) {
			got++
		}
	}
}

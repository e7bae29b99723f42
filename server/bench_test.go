//go:build !js

package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/server"
	"livechat/server/cluster"
	"livechat/server/store"
	"livechat/shared"
	"livechat/shared/sharedtest"
)

// benchServer is a server on the real embedded store, for benchmarks.
func benchServer(b *testing.B) string {
	b.Helper()
	ctx := context.Background()
	messages, err := store.Open(ctx, store.Config{Dir: b.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	cfg := testConfig()
	cfg.SendQueueBytes = 64 << 20
	data, err := server.OpenData(ctx, messages, cluster.Config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	s, err := server.New(cfg, "bench", http.NotFoundHandler(), data, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	b.Cleanup(func() {
		s.Shutdown(ctx)
		hs.Close()
		messages.Close()
	})
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
}

// benchConn signs in on url as a new account for nickname, joins, and
// returns the connection and the messages of the join's history.
func benchConn(b *testing.B, url, nickname string, j shared.Join) (*shared.Conn, []shared.Message) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := shared.Dial(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sharedtest.Hello(ctx, conn, shared.Hello{Nickname: nickname}); err != nil {
		b.Fatal(err)
	}
	_, msgs, err := sharedtest.Join(ctx, conn, j)
	if err != nil {
		b.Fatal(err)
	}
	return conn, msgs
}

// fillers numbers the accounts fill makes.
var fillers atomic.Int64

// fill stores n messages in room through one connection, pipelined.
func fill(b *testing.B, url, room string, n int) {
	b.Helper()
	conn, _ := benchConn(b, url, fmt.Sprintf("filler-%d", fillers.Add(1)), shared.Join{Room: room, History: new(0)})
	defer conn.Close(websocket.StatusNormalClosure, "")
	if err := sharedtest.SayAll(context.Background(), conn, room, n, "f", "a message with some words in it"); err != nil {
		b.Fatal(err)
	}
}

// percentile returns the p-th percentile of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkJoinWithHistory measures a join into a room of 1,000 messages,
// from dialling to the last history event (50 messages).
func BenchmarkJoinWithHistory(b *testing.B) {
	url := benchServer(b)
	fill(b, url, "general", 1000)
	var lat []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		conn, msgs := benchConn(b, url, fmt.Sprintf("u%d", i), shared.Join{})
		lat = append(lat, time.Since(start))
		if len(msgs) != shared.DefaultHistory {
			b.Fatalf("history of %d messages", len(msgs))
		}
		conn.Close(websocket.StatusNormalClosure, "")
		i++
	}
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
}

// BenchmarkResume1000 measures how long a client that missed 1,000
// messages takes, from dialling again, to have them all.
func BenchmarkResume1000(b *testing.B) {
	url := benchServer(b)
	i := 0
	for b.Loop() {
		b.StopTimer()
		room := fmt.Sprintf("r%d", i)
		i++
		conn, _ := benchConn(b, url, "early-"+room, shared.Join{Room: room})
		conn.Close(websocket.StatusNormalClosure, "")
		fill(b, url, room, 1000)
		b.StartTimer()
		conn, msgs := benchConn(b, url, "reader-"+room, shared.Join{Room: room, Since: new(uint64(0))})
		b.StopTimer()
		if len(msgs) != 1000 || msgs[0].ID != 1 || msgs[999].ID != 1000 {
			b.Fatalf("resumed %d messages", len(msgs))
		}
		conn.Close(websocket.StatusNormalClosure, "")
		b.StartTimer()
	}
}

// BenchmarkAcceptedMessages measures sustained accepted (stored and
// acknowledged) messages per second from 50 senders in one room.
func BenchmarkAcceptedMessages(b *testing.B) {
	url := benchServer(b)
	const senders = 50
	conns := make([]*shared.Conn, senders)
	for i := range conns {
		conns[i], _ = benchConn(b, url, fmt.Sprintf("s%d", i), shared.Join{History: new(0)})
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	per := b.N/senders + 1
	for i, conn := range conns {
		wg.Go(func() {
			ctx := context.Background()
			go func() {
				for j := range per {
					conn.Write(ctx, shared.TypeSay, fmt.Sprintf("%d-%d", i, j), shared.Say{Text: "a message of ordinary length, about sixty bytes long"})
				}
			}()
			for acks := 0; acks < per; {
				env, err := conn.Read(ctx)
				if err != nil {
					b.Error(err)
					return
				}
				switch env.Type {
				case shared.TypeAck:
					acks++
				case shared.TypeError:
					b.Errorf("%s", env.Payload)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(per*senders)/time.Since(start).Seconds(), "accepted/s")
}

// BenchmarkJoinFiftyRooms measures a person with 50 rooms connecting:
// from dialling, through signing in with their credential and joining
// all 50 rooms (each resuming after its last message, with 10 messages
// missed in each), to the last room live.
func BenchmarkJoinFiftyRooms(b *testing.B) {
	url := benchServer(b)
	const rooms = 50
	ctx := context.Background()
	conn, err := shared.Dial(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	w, err := sharedtest.Hello(ctx, conn, shared.Hello{Nickname: "busy"})
	if err != nil {
		b.Fatal(err)
	}
	last := make([]uint64, rooms)
	for i := range rooms {
		j, _, err := sharedtest.Join(ctx, conn, shared.Join{Room: fmt.Sprint("r", i), History: new(0)})
		if err != nil {
			b.Fatal(err)
		}
		last[i] = j.Last
	}
	conn.Close(websocket.StatusNormalClosure, "")
	var lat []time.Duration
	for b.Loop() {
		b.StopTimer()
		for i := range rooms {
			fill(b, url, fmt.Sprint("r", i), 10)
		}
		b.StartTimer()
		start := time.Now()
		c, err := shared.Dial(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		c.Write(ctx, shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Credential: w.Credential})
		for i := range rooms {
			c.Write(ctx, shared.TypeJoin, "", shared.Join{Room: fmt.Sprint("r", i), Since: new(last[i])})
		}
		live := 0
		for live < rooms {
			env, err := c.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var h shared.History
			if env.Type == shared.TypeHistory && env.DecodePayload(&h) == nil && h.Live {
				var i int
				fmt.Sscanf(h.Room, "r%d", &i)
				if n := len(h.Messages); n > 0 {
					last[i] = h.Messages[n-1].ID
				}
				live++
			}
			if env.Type == shared.TypeError {
				b.Fatalf("%s", env.Payload)
			}
		}
		lat = append(lat, time.Since(start))
		b.StopTimer()
		c.Close(websocket.StatusNormalClosure, "")
		b.StartTimer()
	}
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
}

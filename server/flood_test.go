//go:build !js

package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"livechat/server/chat"
	"livechat/shared"
)

// floodResult is what a bystander lived through while someone flooded
// their room.
type floodResult struct {
	latencies    []time.Duration // of the bystander's own messages, sent to seen
	disconnected error           // why the bystander was cut off, if they were
	stored       int             // flood messages stored
	took         time.Duration   // from the first flood message to the last answer
	refused      int             // flood messages refused as too fast
}

func (r floodResult) p99() time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	l := slices.Clone(r.latencies)
	slices.Sort(l)
	return l[(len(l)*99+99)/100-1]
}

// throttledConn reads at most at its limiter's rate in bytes a second:
// a person on a slow link.
type throttledConn struct {
	net.Conn
	lim *rate.Limiter
}

func (c throttledConn) Read(p []byte) (int, error) {
	if len(p) > c.lim.Burst() {
		p = p[:c.lim.Burst()]
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.lim.WaitN(context.Background(), n)
	}
	return n, err
}

// dialSlowLink connects as a client at addr (through the trusted proxy)
// whose link downloads bytesPerSecond.
func dialSlowLink(t testing.TB, url, addr string, bytesPerSecond int) *websocket.Conn {
	t.Helper()
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10)
		})
		return err
	}}
	transport := &http.Transport{DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return throttledConn{c, rate.NewLimiter(rate.Limit(bytesPerSecond), 16<<10)}, nil
	}}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: transport},
		HTTPHeader: http.Header{"X-Forwarded-For": {addr}},
	})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	ws.SetReadLimit(shared.MaxServerFrameBytes)
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

// signInAndJoin says hello as nickname and joins #general on ws, reading
// up to the live history.
func signInAndJoin(t testing.TB, ws *websocket.Conn, nickname string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn := shared.NewConn(ws, shared.MaxServerFrameBytes)
	if err := conn.Write(ctx, shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: nickname}); err != nil {
		t.Fatal(err)
	}
	if err := conn.Write(ctx, shared.TypeJoin, "", shared.Join{}); err != nil {
		t.Fatal(err)
	}
	for {
		env, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("%s: join: %v", nickname, err)
		}
		if env.Type == shared.TypeError {
			t.Fatalf("%s: join: %s", nickname, env.Payload)
		}
		var h shared.History
		if env.Type == shared.TypeHistory && json.Unmarshal(env.Payload, &h) == nil && h.Live {
			return
		}
	}
}

// flood has a flooder send n messages of 1 KB as fast as it can to
// #general, while a bystander on a 8 Mbit/s link sends one message every
// 100 ms (20 in all) and times each until it comes back. lim are the
// server's limits.
func flood(t testing.TB, lim chat.Limits, n int) floodResult {
	t.Helper()
	srv := startServer(t, limitedConfig(lim))
	bystander := dialSlowLink(t, srv.URL, "198.51.100.1", 1<<20)
	signInAndJoin(t, bystander, "bystander")
	flooder := dialSlowLink(t, srv.URL, "203.0.113.66", 1<<30)
	signInAndJoin(t, flooder, "flooder")

	var res floodResult
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The flooder writes as fast as it can, and reads its answers.
	fconn := shared.NewConn(flooder, shared.MaxServerFrameBytes)
	text := strings.Repeat("flood ", 170)
	start := time.Now()
	wg.Go(func() {
		for i := range n {
			if fconn.Write(ctx, shared.TypeSay, fmt.Sprint("f", i), shared.Say{Text: text}) != nil {
				return
			}
		}
	})
	floodDone := make(chan struct{})
	wg.Go(func() {
		defer close(floodDone)
		defer func() { res.took = time.Since(start) }()
		for res.stored+res.refused < n {
			env, err := fconn.Read(ctx)
			if err != nil {
				return
			}
			switch env.Type {
			case shared.TypeAck:
				res.stored++
			case shared.TypeError:
				res.refused++
			}
		}
	})

	// The bystander reads everything, at the speed of their link.
	const mine = 20
	bconn := shared.NewConn(bystander, shared.MaxServerFrameBytes)
	var mu sync.Mutex
	sent := make(map[string]time.Time)
	seen := make(chan struct{}, mine)
	readDone := make(chan struct{})
	wg.Go(func() {
		defer close(readDone)
		got := 0
		for got < mine {
			env, err := bconn.Read(ctx)
			if err != nil {
				res.disconnected = err
				return
			}
			var m shared.Message
			if env.Type != shared.TypeMessage || json.Unmarshal(env.Payload, &m) != nil || m.From != "bystander" {
				continue
			}
			mu.Lock()
			res.latencies = append(res.latencies, time.Since(sent[m.ClientID]))
			mu.Unlock()
			got++
			seen <- struct{}{}
		}
	})
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; i < mine; i++ {
		select {
		case <-readDone:
			i = mine
			continue
		case <-tick.C:
		}
		id := fmt.Sprint("b", i)
		mu.Lock()
		sent[id] = time.Now()
		mu.Unlock()
		if err := bconn.Write(ctx, shared.TypeSay, id, shared.Say{Text: "still here"}); err != nil {
			break
		}
	}
	<-readDone
	<-floodDone
	return res
}

// TestAbuseFloodDoesNotHurtABystander: with the default limits, 10,000
// messages sent at once by one person are almost all refused, and a
// person on a slow link in the same room keeps up and gets every message
// of their own.
func TestAbuseFloodDoesNotHurtABystander(t *testing.T) {
	res := flood(t, chat.DefaultLimits, 10_000)
	if res.disconnected != nil {
		t.Fatalf("the bystander was cut off: %v", res.disconnected)
	}
	if len(res.latencies) != 20 {
		t.Fatalf("the bystander saw %d of their 20 messages", len(res.latencies))
	}
	// At most a burst at once, and then what the bucket refills while the
	// flood lasts (long on a busy machine).
	lim := chat.DefaultLimits.Messages
	most := lim.Burst + int(float64(lim.Burst)*res.took.Seconds()/lim.Per.Seconds()) + 1
	if res.stored+res.refused != 10_000 || res.stored > most {
		t.Fatalf("flood: %d stored, %d refused in %v; want at most %d stored of 10,000", res.stored, res.refused, res.took, most)
	}
	t.Logf("bystander p99 %v; flood: %d stored, %d refused", res.p99(), res.stored, res.refused)
}

// BenchmarkFlood reports what a bystander on a 8 Mbit/s link lives
// through while someone sends 10,000 messages to their room at once,
// with no limits and with the default ones: their p99 latency, and
// whether they were disconnected.
//
//	go test -run XXX -bench Flood -benchtime 1x -count 3 ./server/
func BenchmarkFlood(b *testing.B) {
	for _, bb := range []struct {
		name string
		lim  chat.Limits
	}{{"limits=off", chat.Limits{}}, {"limits=default", chat.DefaultLimits}} {
		b.Run(bb.name, func(b *testing.B) {
			var res floodResult
			for range b.N {
				res = flood(b, bb.lim, 10_000)
			}
			b.ReportMetric(float64(res.p99().Microseconds())/1000, "bystander-p99-ms")
			disconnected := 0.0
			if res.disconnected != nil {
				disconnected = 1
			}
			b.ReportMetric(disconnected, "bystander-cut-off")
			b.ReportMetric(float64(res.stored), "flood-stored")
		})
	}
}

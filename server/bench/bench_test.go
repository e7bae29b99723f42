//go:build !js

package bench_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"livechat/server"
	"livechat/server/bench"
	"livechat/server/cluster"
	"livechat/server/store"
)

// slowUplink is a connection whose writes each take delay, like a client
// on a slow link: a sender is then nearly always in the middle of a write,
// also when its sending time ends.
type slowUplink struct {
	net.Conn
	delay time.Duration
}

func (c slowUplink) Write(p []byte) (int, error) {
	time.Sleep(c.delay)
	return c.Conn.Write(p)
}

// TestDeadlineMidSend runs the load tool against a real server with
// senders whose writes are slow, so that the end of the sending time
// falls in the middle of writes. A message counts as sent once written
// and as expected once acknowledged: the run reports no loss and nobody
// disconnected, and every acknowledged message reached every client.
func TestDeadlineMidSend(t *testing.T) {
	ctx := context.Background()
	hs := startServer(t)

	dialer := &net.Dialer{}
	slow := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return slowUplink{c, 20 * time.Millisecond}, nil
		},
	}}
	for run := range 3 {
		res, err := bench.Run(ctx, bench.Config{
			URL:        hs.URL,
			Clients:    20,
			Senders:    4,
			Rate:       400, // 100/s per sender, while a write takes 20 ms
			Duration:   300 * time.Millisecond,
			Drain:      5 * time.Second,
			HTTPClient: slow,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: sent %d, acknowledged %d, expected %d, delivered %d, lost %d, kicked %d",
			run, res.Sent, res.Acknowledged, res.Expected, res.Delivered, res.Lost, res.Kicked)
		switch {
		case res.Sent == 0:
			t.Fatalf("run %d sent nothing", run)
		case res.Lost != 0 || res.Kicked != 0 || res.Duplicated != 0:
			t.Errorf("run %d reported %d lost, %d kicked, %d duplicated", run, res.Lost, res.Kicked, res.Duplicated)
		case res.Acknowledged != res.Sent:
			t.Errorf("run %d: %d sent but %d acknowledged", run, res.Sent, res.Acknowledged)
		case res.Expected != res.Acknowledged*int64(res.Connected) || res.Delivered != res.Expected:
			t.Errorf("run %d: %d expected, %d delivered, for %d acknowledged to %d clients", run, res.Expected, res.Delivered, res.Acknowledged, res.Connected)
		}
	}
}

// startServer starts a livechat server on a fresh store until the test
// ends.
func startServer(t *testing.T) *httptest.Server {
	hs, _ := startServerWith(t, "")
	return hs
}

// startServerWith starts a livechat server on a fresh store, serving its
// metrics to metricsToken if set, until the test ends.
func startServerWith(t *testing.T, metricsToken string) (*httptest.Server, *server.Server) {
	ctx := context.Background()
	messages, err := store.Open(ctx, store.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { messages.Close() })
	data, err := server.OpenData(ctx, messages, cluster.Config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{
		ShutdownTimeout: 5 * time.Second,
		SendQueueBytes:  4 << 20,
		TotalQueueBytes: 256 << 20,
		PingInterval:    time.Minute,
		History:         0,
		MetricsToken:    metricsToken,
	}, "test", http.NotFoundHandler(), data, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Shutdown(ctx)
		hs.Close()
	})
	return hs, srv
}

// TestServerUsage: the server's memory and CPU time are read from its
// Prometheus metrics, on the metrics listener or, with the token, on the
// public one; a refused scrape fails the run; without -pid or -metrics
// they are not measured.
func TestServerUsage(t *testing.T) {
	const token = "bench-metrics-token"
	hs, srv := startServerWith(t, token)
	private := httptest.NewServer(srv.MetricsHandler())
	t.Cleanup(private.Close)
	for _, tt := range []struct {
		name         string
		url, token   string
		wantMeasured bool
		wantErr      bool
	}{
		{name: "metrics listener", url: private.URL + "/metrics", wantMeasured: true},
		{name: "public listener with the token", url: hs.URL + "/metrics", token: token, wantMeasured: true},
		{name: "public listener without the token", url: hs.URL + "/metrics", wantErr: true},
		{name: "not measured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := bench.Run(context.Background(), bench.Config{
				URL: hs.URL, Clients: 4, Senders: 2, Rate: 100, Duration: 100 * time.Millisecond,
				MetricsURL: tt.url, MetricsToken: tt.token,
			})
			switch {
			case tt.wantErr:
				if err == nil {
					t.Fatal("the run did not fail")
				}
				return
			case err != nil:
				t.Fatal(err)
			case res.ServerMeasured != tt.wantMeasured:
				t.Fatalf("measured = %v, want %v", res.ServerMeasured, tt.wantMeasured)
			case tt.wantMeasured && (res.ServerRSSStartMB <= 0 || res.ServerRSSEndMB <= 0):
				t.Errorf("RSS %.1f MB at start, %.1f MB at end", res.ServerRSSStartMB, res.ServerRSSEndMB)
			case !tt.wantMeasured && (res.ServerRSSStartMB != 0 || res.ServerCPUSeconds != 0):
				t.Errorf("not measured, but RSS %.1f MB, %.2f CPU-seconds", res.ServerRSSStartMB, res.ServerCPUSeconds)
			}
			if res.Delivered != res.Expected || res.Acknowledged == 0 {
				t.Errorf("%d acknowledged, %d expected, %d delivered", res.Acknowledged, res.Expected, res.Delivered)
			}
		})
	}
}

// TestDirectConversations: with -dms, every message reaches exactly the
// two people of its conversation.
func TestDirectConversations(t *testing.T) {
	hs := startServer(t)
	res, err := bench.Run(context.Background(), bench.Config{URL: hs.URL, Clients: 19, Senders: 20, Rate: 400, Duration: 300 * time.Millisecond, DMs: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Connected != 20 || res.Acknowledged == 0 || res.Expected != 2*res.Acknowledged || res.Delivered != res.Expected || res.Lost != 0 {
		t.Fatalf("%d connected, %d acknowledged, %d expected, %d delivered, %d lost: want 20 connected and each message twice",
			res.Connected, res.Acknowledged, res.Expected, res.Delivered, res.Lost)
	}
}

// TestTypists: typists say they are typing once per shared.TypingEvery
// (spread over it: here, two of them, at 0 and 1.5 s), everyone else in
// the room gets each typing event, and typing events count apart from
// messages, whose deliveries and losses are exact.
func TestTypists(t *testing.T) {
	hs := startServer(t)
	res, err := bench.Run(context.Background(), bench.Config{
		URL: hs.URL, Clients: 10, Senders: 3, Rate: 60, Typists: 2, Duration: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	switch {
	case res.Connected != 10 || res.Acknowledged == 0 || res.Acknowledged != res.Sent:
		t.Fatalf("%d connected, %d sent, %d acknowledged", res.Connected, res.Sent, res.Acknowledged)
	case res.Expected != res.Acknowledged*10 || res.Delivered != res.Expected || res.Lost != 0 || res.Duplicated != 0:
		t.Errorf("messages: %d expected, %d delivered, %d lost, %d duplicated, for %d acknowledged to 10 clients",
			res.Expected, res.Delivered, res.Lost, res.Duplicated, res.Acknowledged)
	case res.TypingSent != 2 || res.TypingExpected != 2*9 || res.TypingDelivered != res.TypingExpected:
		t.Errorf("typing: %d sent, %d expected, %d delivered; want 2, 18, 18", res.TypingSent, res.TypingExpected, res.TypingDelivered)
	}
}

//go:build !js

package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/server"
	"livechat/server/store"
	"livechat/shared"
)

// TestGracefulShutdown checks that on shutdown every client first receives
// everything already accepted, then a going-away close, and that Run
// returns cleanly.
func TestGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &logRecorder{}
	messages := openStore(t, store.Config{})
	s, err := server.New(testConfig(), "test", http.NotFoundHandler(), dataFor(t, messages), slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- s.Run(ctx, ln) }()
	url := "ws://" + ln.Addr().String() + "/ws"

	alice := join(t, url, "alice")
	bob := join(t, url, "bob") // does not read until the server is stopping
	alice.presence()
	const n = 200
	for i := range n {
		alice.say(fmt.Sprint(i), fmt.Sprintf("message %d", i))
	}
	for range n {
		alice.nextMessage()
	}

	cancel()
	for i := range n {
		if m := bob.nextMessage(); m.Text != fmt.Sprintf("message %d", i) {
			t.Fatalf("bob got %q, want message %d", m.Text, i)
		}
	}
	bob.expectClose(websocket.StatusGoingAway)
	alice.expectClose(websocket.StatusGoingAway)

	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(timeout):
		t.Fatal("Run did not return after shutdown")
	}
	dctx, dcancel := context.WithTimeout(context.Background(), timeout)
	defer dcancel()
	if _, err := shared.Dial(dctx, url); err == nil {
		t.Error("dial after shutdown succeeded")
	}
	if errs := logs.atLeast(slog.LevelWarn); len(errs) > 0 {
		t.Errorf("a graceful shutdown logged %q", errs)
	}
}

func TestOrigins(t *testing.T) {
	tests := []struct {
		name    string
		allowed []string
		origin  string
		ok      bool
	}{
		{name: "no origin (not a browser)", ok: true},
		{name: "same origin", origin: "http://SELF", ok: true},
		{name: "foreign origin", origin: "http://evil.example", ok: false},
		{name: "foreign origin on another port", origin: "http://127.0.0.1:1", ok: false},
		{name: "allowed by pattern", allowed: []string{"127.0.0.1:*"}, origin: "http://127.0.0.1:1", ok: true},
		{name: "not matched by pattern", allowed: []string{"localhost:*"}, origin: "http://evil.example", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.AllowedOrigins = tt.allowed
			srv := startServer(t, cfg)
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", strings.ReplaceAll(tt.origin, "SELF", strings.TrimPrefix(srv.http.URL, "http://")))
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			ws, resp, err := websocket.Dial(ctx, srv.URL, &websocket.DialOptions{HTTPHeader: h})
			if tt.ok {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				ws.Close(websocket.StatusNormalClosure, "")
				return
			}
			if err == nil {
				ws.CloseNow()
				t.Fatal("dial from a foreign origin succeeded")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("dial: %v, want 403 Forbidden", err)
			}
		})
	}
}

func TestHealthAndWeb(t *testing.T) {
	srv := startServer(t, testConfig())
	join(t, srv.URL, "alice")

	resp, err := http.Get(srv.http.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var health struct {
		Status      string
		Connections int
	}
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil || resp.StatusCode != 200 || health.Status != "ok" || health.Connections != 1 {
		t.Errorf("healthz: %d %+v %v", resp.StatusCode, health, err)
	}

	resp, err = http.Get(srv.http.URL + "/some/page")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "web app" {
		t.Errorf("GET /some/page = %q, want the web app", body)
	}

	// A plain GET of /ws is not a WebSocket handshake.
	resp, err = http.Get(srv.http.URL + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("GET /ws without upgrade = %d, want a 4xx", resp.StatusCode)
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(server.Config) bool
		wantErr string
	}{
		{name: "defaults", want: func(c server.Config) bool {
			return c.Addr == "localhost:8080" && c.WebDir == "" && c.Store.Dir == "data" && c.Store.URLs == nil && c.History == 50 && c.Store.RoomMessages == 10000 && !c.LogJSON && c.LogLevel == slog.LevelInfo && c.AllowedOrigins == nil && c.SendQueueBytes == 4<<20 && c.TotalQueueBytes == 256<<20
		}},
		{name: "flags", args: []string{"-addr", ":9000", "-log-format", "json", "-log-level", "debug", "-allow-origins", "localhost:*, 127.0.0.1:*"},
			want: func(c server.Config) bool {
				return c.Addr == ":9000" && c.LogJSON && c.LogLevel == slog.LevelDebug && len(c.AllowedOrigins) == 2 && c.AllowedOrigins[1] == "127.0.0.1:*"
			}},
		{name: "environment", env: map[string]string{"LIVECHAT_ADDR": ":7000", "LIVECHAT_PING_INTERVAL": "3s", "LIVECHAT_NATS": "nats://a:4222, nats://b:4222"},
			want: func(c server.Config) bool {
				return c.Addr == ":7000" && c.PingInterval == 3*time.Second && len(c.Store.URLs) == 2 && c.Store.URLs[1] == "nats://b:4222"
			}},
		{name: "store limits", args: []string{"-store-max-mb", "100", "-store-memory-mb", "8", "-max-age", "24h", "-room-messages", "500"},
			want: func(c server.Config) bool {
				return c.Store.MaxStore == 100<<20 && c.Store.MaxMemory == 8<<20 && c.Store.MaxAge == 24*time.Hour && c.Store.RoomMessages == 500
			}},
		{name: "a listener on this machine serves its names only", args: []string{"-addr", "127.0.0.1:8080"},
			want: func(c server.Config) bool { return strings.Join(c.AllowedHosts, ",") == "localhost,127.0.0.1,::1" }},
		{name: "a public listener serves any host", args: []string{"-addr", ":8080"}, want: func(c server.Config) bool { return c.AllowedHosts == nil }},
		{name: "allowed hosts", args: []string{"-allowed-hosts", "chat.example.com, *.example.org"},
			want: func(c server.Config) bool { return len(c.AllowedHosts) == 2 && c.AllowedHosts[1] == "*.example.org" }},
		{name: "any host, on this machine", args: []string{"-allowed-hosts", "*"}, want: func(c server.Config) bool { return c.AllowedHosts == nil }},
		{name: "history too large", args: []string{"-history", "1000"}, wantErr: "history"},
		{name: "history negative", args: []string{"-history", "-1"}, wantErr: "history"},
		{name: "no history is no history", args: []string{"-history", "0"}, want: func(c server.Config) bool { return c.History == 0 }},
		{name: "send queues", args: []string{"-send-queue-kb", "256", "-send-queue-total-mb", "64"},
			want: func(c server.Config) bool { return c.SendQueueBytes == 256<<10 && c.TotalQueueBytes == 64<<20 }},
		{name: "total below one queue", args: []string{"-send-queue-kb", "8192", "-send-queue-total-mb", "4"}, wantErr: "total"},
		{name: "no store", args: []string{"-data", ""}, wantErr: "store"},
		{name: "flag beats environment", args: []string{"-addr", ":1"}, env: map[string]string{"LIVECHAT_ADDR": ":2"},
			want: func(c server.Config) bool { return c.Addr == ":1" }},
		{name: "bad environment value", env: map[string]string{"LIVECHAT_SEND_QUEUE_KB": "lots"}, wantErr: "LIVECHAT_SEND_QUEUE_KB"},
		{name: "bad log format", args: []string{"-log-format", "xml"}, wantErr: "log format"},
		{name: "bad log level", args: []string{"-log-level", "loud"}, wantErr: "log level"},
		{name: "negative queue", args: []string{"-send-queue-kb", "-1"}, wantErr: "send queue"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "unexpected argument"},
		{name: "no metrics by default", want: func(c server.Config) bool { return c.MetricsAddr == "" && c.MetricsToken == "" }},
		{name: "metrics", args: []string{"-metrics-addr", "127.0.0.1:9090"}, env: map[string]string{"LIVECHAT_METRICS_TOKEN": "0123456789abcdef"},
			want: func(c server.Config) bool {
				return c.MetricsAddr == "127.0.0.1:9090" && c.MetricsToken == "0123456789abcdef"
			}},
		{name: "metrics on the public address", args: []string{"-addr", ":9000", "-metrics-addr", ":9000"}, wantErr: "metrics address"},
		{name: "short metrics token", args: []string{"-metrics-token", "secret"}, wantErr: "metrics token"},
		{name: "metrics token with a space", args: []string{"-metrics-token", "0123456789 abcdef"}, wantErr: "metrics token"},
		{name: "unknown flag", args: []string{"-port", "1"}, wantErr: "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := server.ParseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(cfg) {
				t.Errorf("config = %+v", cfg)
			}
		})
	}
	if _, err := server.ParseConfig([]string{"-h"}, func(string) string { return "" }, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/",
		"[::]:8080":      "http://localhost:8080/",
		"0.0.0.0:80":     "http://localhost:80/",
		"[::1]:9":        "http://[::1]:9/",
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := server.URL(tcp); got != want {
			t.Errorf("URL(%s) = %s, want %s", addr, got, want)
		}
	}
}

//go:build !js

package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"livechat/server"
)

// families are scraped metrics, by name.
type families map[string]*dto.MetricFamily

// get requests url, with token as a bearer token if set, and returns the
// response's status and body.
func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// scrape reads the metrics at url (with token, if set), which must
// answer 200 in Prometheus's text format.
func scrape(t *testing.T, url, token string) families {
	t.Helper()
	status, body := get(t, url, token)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, status, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fs, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse the metrics of %s: %v", url, err)
	}
	return families(fs)
}

// value returns the value of the metric called name whose labels include
// labels (name, value, ...), summed over those that match: a gauge's or
// counter's value, a histogram's count of observations. A metric that is
// missing is 0.
func (fs families) value(name string, labels ...string) float64 {
	f := fs[name]
	if f == nil {
		return 0
	}
	sum := 0.0
	for _, m := range f.GetMetric() {
		if !hasLabels(m, labels) {
			continue
		}
		switch {
		case m.GetGauge() != nil:
			sum += m.GetGauge().GetValue()
		case m.GetCounter() != nil:
			sum += m.GetCounter().GetValue()
		case m.GetHistogram() != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		case m.GetUntyped() != nil:
			sum += m.GetUntyped().GetValue()
		}
	}
	return sum
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// metricsServer serves srv's metrics handler on a listener of its own,
// as -metrics-addr does, and returns the URL to scrape.
func metricsServer(t *testing.T, srv *testServer) string {
	t.Helper()
	hs := httptest.NewServer(srv.MetricsHandler())
	t.Cleanup(hs.Close)
	return hs.URL + "/metrics"
}

// TestMetricsNotPublic: by default the public listener serves no metrics
// (404, not the web app), whatever the request carries.
func TestMetricsNotPublic(t *testing.T) {
	srv := startServer(t, testConfig())
	for _, token := range []string{"", "0123456789abcdef"} {
		if status, body := get(t, srv.http.URL+"/metrics", token); status != http.StatusNotFound {
			t.Errorf("public GET /metrics with token %q = %d %q, want 404", token, status, body)
		}
	}
}

// TestMetricsToken: with -metrics-token, the public listener serves the
// metrics to requests with that bearer token, and refuses the others.
func TestMetricsToken(t *testing.T) {
	const token = "s3cret-metrics-token"
	cfg := testConfig()
	cfg.MetricsToken = token
	srv := startServer(t, cfg)
	url := srv.http.URL + "/metrics"
	for _, tt := range []struct {
		name, authorization string
		want                int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer not-the-metrics-token", http.StatusUnauthorized},
		{"a prefix of the token", "Bearer " + token[:10], http.StatusUnauthorized},
		{"token and more", "Bearer " + token + "x", http.StatusUnauthorized},
		{"not bearer", "Basic " + token, http.StatusUnauthorized},
		{"token", "Bearer " + token, http.StatusOK},
		{"scheme in lower case", "bearer " + token, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d %q, want %d", resp.StatusCode, body, tt.want)
			}
			if tt.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
			if tt.want == http.StatusOK {
				if fs := scrape(t, url, token); fs["livechat_connections"] == nil || fs["process_cpu_seconds_total"] == nil || fs["go_goroutines"] == nil {
					t.Errorf("the metrics lack livechat_connections, process_cpu_seconds_total or go_goroutines")
				}
			}
		})
	}
}

// TestMetricsCount scrapes the metrics listener while real clients sign
// in, join, send and leave: the gauges follow the connections and people,
// the counters and histograms count the messages, the store's usage grows,
// and every end of a connection is counted with its reason.
func TestMetricsCount(t *testing.T) {
	srv := startServer(t, testConfig())
	url := metricsServer(t, srv)
	before := scrape(t, url, "")
	if v := before.value("livechat_store_up"); v != 1 {
		t.Fatalf("livechat_store_up = %v, want 1", v)
	}
	for _, name := range []string{"livechat_connections", "livechat_messages_received_total", "livechat_store_ack_latency_seconds", "livechat_fanout_latency_seconds"} {
		if v := before.value(name); v != 0 {
			t.Errorf("%s = %v before any client, want 0", name, v)
		}
	}

	alice := join(t, srv.URL, "alice")
	bob := join(t, srv.URL, "bob")
	alice2 := join(t, srv.URL, "alice") // alice again, on a second connection
	carol := join(t, srv.URL, "carol")
	// waitMetrics scrapes until cond holds of the metrics.
	waitMetrics := func(what string, cond func(families) bool) families {
		t.Helper()
		var fs families
		waitFor(t, what, func() bool { fs = scrape(t, url, ""); return cond(fs) })
		return fs
	}
	waitMetrics("4 connections of 3 people in 1 room", func(fs families) bool {
		return fs.value("livechat_connections") == 4 && fs.value("livechat_accounts_online") == 3 && fs.value("livechat_rooms_open") == 1
	})

	const n = 5
	for i := range n {
		alice.say(fmt.Sprintf("m%d", i), fmt.Sprintf("hello %d", i))
	}
	for _, c := range []*client{alice, bob, alice2, carol} {
		for range n {
			c.nextMessage()
		}
	}
	fs := waitMetrics("5 messages received, stored and delivered to 4 connections", func(fs families) bool {
		return fs.value("livechat_messages_received_total") == n &&
			fs.value("livechat_store_ack_latency_seconds") == n &&
			fs.value("livechat_messages_delivered_total") == 4*n
	})
	// The messages reach the room in one batch or several: one
	// observation each.
	if v := fs.value("livechat_fanout_latency_seconds"); v < 1 || v > n {
		t.Errorf("livechat_fanout_latency_seconds has %v observations for %d messages, want 1 to %d", v, n, n)
	}
	waitMetrics("the store's usage to count the messages", func(fs families) bool {
		return fs.value("livechat_store_messages") >= before.value("livechat_store_messages")+n &&
			fs.value("livechat_store_file_bytes") > before.value("livechat_store_file_bytes")
	})
	if v := fs.value("livechat_store_failures_total"); v != 0 {
		t.Errorf("livechat_store_failures_total = %v", v)
	}

	// Each way of leaving is counted with its reason.
	bob.conn.WebSocket().Close(websocket.StatusNormalClosure, "")
	waitMetrics("a normal close", func(fs families) bool {
		return fs.value("livechat_disconnects_total", "reason", "normal") == 1 && fs.value("livechat_connections") == 3
	})
	carol.conn.WebSocket().Close(websocket.StatusGoingAway, "page closed")
	waitMetrics("a page going away", func(fs families) bool {
		return fs.value("livechat_disconnects_total", "reason", "going_away") == 1 && fs.value("livechat_accounts_online") == 1
	})
	alice2.sendRaw(websocket.MessageBinary, []byte("binary"))
	alice2.expectClose(websocket.StatusUnsupportedData)
	waitMetrics("a protocol error", func(fs families) bool {
		return fs.value("livechat_disconnects_total", "reason", "protocol_error") == 1 && fs.value("livechat_connections") == 1
	})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(ctx) }()
	for { // alice reads what was queued, then the close
		if _, err := alice.read(); err != nil {
			if s := websocket.CloseStatus(err); s != websocket.StatusGoingAway {
				t.Fatalf("alice's connection ended with %v (status %v), want status 1001", err, s)
			}
			break
		}
	}
	if err := <-shutdown; err != nil {
		t.Fatal(err)
	}
	fs = waitMetrics("a shutdown", func(fs families) bool {
		return fs.value("livechat_disconnects_total", "reason", "server_shutdown") == 1 && fs.value("livechat_connections") == 0
	})
	if v := fs.value("livechat_disconnects_total"); v != 4 {
		t.Errorf("livechat_disconnects_total = %v over all reasons, want 4", v)
	}
	if v := fs.value("livechat_rooms_open"); v != 0 {
		t.Errorf("livechat_rooms_open = %v after everyone left, want 0", v)
	}
}

// syncBuffer is a bytes.Buffer that one goroutine writes while another
// reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestMetricsListener runs the command with -metrics-addr: the metrics
// are served on that listener and not on the public one, and the
// listener closes when the server stops.
func TestMetricsListener(t *testing.T) {
	// Main tunes the garbage collector of the process: as it was after.
	gcPercent := debug.SetGCPercent(100)
	debug.SetGCPercent(gcPercent)
	memLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(gcPercent); debug.SetMemoryLimit(memLimit) })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	web := fstest.MapFS{"app.wasm": {Data: []byte("not really wasm")}}
	exited := make(chan int, 1)
	go func() {
		exited <- server.Main(ctx, []string{"-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-data", t.TempDir()},
			func(string) string { return "" }, &stdout, &stderr, "test", web, func(string) http.Handler { return http.NotFoundHandler() })
	}()
	publicRe := regexp.MustCompile(`open (http://\S+)/`)
	metricsRe := regexp.MustCompile(`msg="serving metrics" addr=(\S+)`)
	var public, private string
	waitFor(t, "the server to listen", func() bool {
		select {
		case code := <-exited:
			t.Fatalf("livechat exited with %d: %s", code, stderr.String())
		default:
		}
		p, m := publicRe.FindStringSubmatch(stdout.String()), metricsRe.FindStringSubmatch(stderr.String())
		if p == nil || m == nil {
			return false
		}
		public, private = p[1], "http://"+m[1]
		return true
	})

	if fs := scrape(t, private+"/metrics", ""); fs["livechat_connections"] == nil || fs["livechat_store_up"] == nil {
		t.Errorf("the metrics listener serves no livechat_connections or livechat_store_up")
	}
	if status, _ := get(t, public+"/metrics", ""); status != http.StatusNotFound {
		t.Errorf("public GET /metrics = %d, want 404", status)
	}

	cancel()
	select {
	case code := <-exited:
		if code != 0 {
			t.Fatalf("livechat exited with %d: %s", code, stderr.String())
		}
	case <-time.After(timeout):
		t.Fatal("livechat did not stop")
	}
	if resp, err := http.Get(private + "/metrics"); err == nil {
		resp.Body.Close()
		t.Errorf("the metrics listener still answers after the server stopped: %s", resp.Status)
	}
}

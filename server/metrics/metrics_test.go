//go:build !js

package metrics_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"livechat/server/chat"
	"livechat/server/metrics"
)

// gather returns the metrics of m called name, by the value of their
// one label ("" for none).
func gather(t *testing.T, m *metrics.Metrics, name string) map[string]*dto.Metric {
	t.Helper()
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]*dto.Metric)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, c := range f.GetMetric() {
			label := ""
			if len(c.GetLabel()) > 0 {
				label = c.GetLabel()[0].GetValue()
			}
			out[label] = c
		}
	}
	return out
}

// TestRateLimitedIsBounded: the limit label takes the first 16 names
// given, and counts any later one as "other", which is there from the
// start.
func TestRateLimitedIsBounded(t *testing.T) {
	m := metrics.New(metrics.Config{}, slog.New(slog.DiscardHandler))
	if got := gather(t, m, "livechat_rate_limited_total"); len(got) != 1 || got["other"] == nil {
		t.Fatalf("before any hit: %v, want other alone", got)
	}
	for i := range 40 {
		m.RateLimited(fmt.Sprintf("limit%d", i))
	}
	m.RateLimited("limit0")
	counts := make(map[string]float64)
	for label, c := range gather(t, m, "livechat_rate_limited_total") {
		counts[label] = c.GetCounter().GetValue()
	}
	if len(counts) != 17 || counts["limit0"] != 2 || counts["limit15"] != 1 || counts["other"] != 24 {
		t.Errorf("counts by limit = %v, want limit0 to limit15 and 24 others", counts)
	}
}

// TestDisconnectedReasons: every reason has its count, from 0, and a
// reason that is not known counts as an error.
func TestDisconnectedReasons(t *testing.T) {
	m := metrics.New(metrics.Config{}, slog.New(slog.DiscardHandler))
	m.Disconnected(chat.DisconnectSlow)
	m.Disconnected(chat.DisconnectReason("made up"))
	got := gather(t, m, "livechat_disconnects_total")
	if len(got) != len(chat.DisconnectReasons()) {
		t.Errorf("%d reasons, want %d", len(got), len(chat.DisconnectReasons()))
	}
	for _, r := range chat.DisconnectReasons() {
		want := 0.0
		if r == chat.DisconnectSlow || r == chat.DisconnectError {
			want = 1
		}
		if c := got[string(r)]; c == nil || c.GetCounter().GetValue() != want {
			t.Errorf("reason %s: %v, want %v", r, c, want)
		}
	}
}

// TestDelivered: a batch counts once per message and connection, and its
// latency is observed once, unless it is not known.
func TestDelivered(t *testing.T) {
	m := metrics.New(metrics.Config{}, slog.New(slog.DiscardHandler))
	m.Delivered(3, 10, -1)
	m.Delivered(2, 10, 3*time.Millisecond)
	if c := gather(t, m, "livechat_messages_delivered_total")[""]; c.GetCounter().GetValue() != 50 {
		t.Errorf("delivered = %v, want 50", c)
	}
	h := gather(t, m, "livechat_fanout_latency_seconds")[""].GetHistogram()
	if h.GetSampleCount() != 1 || h.GetSampleSum() != 0.003 {
		t.Errorf("fan-out latency: %d observations, sum %v; want one of 3 ms", h.GetSampleCount(), h.GetSampleSum())
	}
}

//go:build !js

package bench

import (
	"strconv"
	"testing"
	"time"
)

func TestHistogram(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.9, 900 * time.Millisecond}, {0.99, 990 * time.Millisecond}} {
		got := h.Quantile(tt.q)
		if got > tt.want || got < tt.want*96/100 {
			t.Errorf("Quantile(%v) = %v, want within 4%% below %v", tt.q, got, tt.want)
		}
	}
	if h.Max() != time.Second {
		t.Errorf("Max = %v", h.Max())
	}
	var all histogram
	all.merge(&h)
	all.merge(&h)
	if all.Quantile(0.5) != h.Quantile(0.5) || all.Max() != h.Max() {
		t.Errorf("merge changed the distribution")
	}
	if (&histogram{}).Quantile(0.5) != 0 {
		t.Error("an empty histogram has a quantile")
	}
}

func TestScan(t *testing.T) {
	r := &run{cfg: Config{Senders: 3}, marker: []byte("~b|abc|")}
	c := &client{r: r}
	sent := time.Now().Add(-5 * time.Millisecond).UnixNano()
	frame := []byte(`{"type":"batch","payload":[` +
		`{"type":"message","payload":{"text":"~b|abc|1|0|` + itoa(sent) + `|xx"}},` +
		`{"type":"message","payload":{"text":"~b|abc|1|1|` + itoa(sent) + `|xx"}},` +
		`{"type":"message","payload":{"text":"~b|zzz|1|2|` + itoa(sent) + `|another run"}},` +
		`{"type":"message","payload":{"text":"~b|abc|1|1|` + itoa(sent) + `|again"}},` +
		`{"type":"message","payload":{"text":"~b|abc|2|5|` + itoa(sent) + `|"}},` +
		`{"type":"message","payload":{"text":"~b|abc|2|4|` + itoa(sent) + `|late"}}]}`)
	c.scan(frame, time.Now())
	if c.delivered != 4 || c.dups != 1 || c.disorder != 1 {
		t.Errorf("delivered %d, dups %d, disorder %d; want 4, 1, 1", c.delivered, c.dups, c.disorder)
	}
	if q := c.lat.Quantile(0.5); q < 4*time.Millisecond || q > time.Second {
		t.Errorf("latency %v, want about 5ms", q)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

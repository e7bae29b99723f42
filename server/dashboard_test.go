//go:build !js

package server_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// exportedNames returns the names a PromQL query may use for the scraped
// metrics: each family's, and a histogram's or summary's series
// (_bucket, _count, _sum).
func exportedNames(fs families) map[string]bool {
	names := make(map[string]bool)
	for name, f := range fs {
		names[name] = true
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			names[name+"_bucket"], names[name+"_count"], names[name+"_sum"] = true, true, true
		case dto.MetricType_SUMMARY:
			names[name+"_count"], names[name+"_sum"] = true, true
		}
	}
	return names
}

// metricName matches the names of livechat's, the Go runtime's and the
// process's metrics in a query or a text.
var metricName = regexp.MustCompile(`\b(?:livechat|go|process)_[a-zA-Z0-9_]+`)

// exprs returns every "expr" string in a decoded JSON document.
func exprs(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "expr" {
				out = append(out, s)
			}
			out = append(out, exprs(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, exprs(x)...)
		}
	}
	return out
}

// scrapeAll returns the metrics of a server that has stored and
// delivered a message, so that every histogram has a bucket.
func scrapeAll(t *testing.T) families {
	t.Helper()
	srv := startServer(t, testConfig())
	url := metricsServer(t, srv)
	alice := join(t, srv.URL, "alice")
	alice.say("m1", "hello")
	alice.nextMessage()
	var fs families
	waitFor(t, "the message to be counted", func() bool {
		fs = scrape(t, url, "")
		return fs.value("livechat_fanout_latency_seconds") == 1 && fs.value("livechat_store_ack_latency_seconds") == 1
	})
	return fs
}

// TestMetricsDashboard: the Grafana dashboard is valid JSON with a
// Prometheus data source variable, each of its queries names only
// metrics the server exports, and each of livechat's metrics has a panel.
func TestMetricsDashboard(t *testing.T) {
	raw, err := os.ReadFile("../deploy/grafana/livechat.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Templating struct {
			List []struct{ Name, Type, Query string }
		}
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	json.Unmarshal(raw, &dash)
	if !slices.ContainsFunc(dash.Templating.List, func(v struct{ Name, Type, Query string }) bool {
		return v.Type == "datasource" && v.Query == "prometheus"
	}) {
		t.Errorf("the dashboard has no Prometheus data source variable")
	}
	if !strings.Contains(string(raw), `"uid": "${datasource}"`) {
		t.Errorf("the panels do not use the data source variable")
	}

	fs := scrapeAll(t)
	exported := exportedNames(fs)
	queries := exprs(doc)
	if len(queries) == 0 {
		t.Fatal("the dashboard has no queries")
	}
	used := make(map[string]bool)
	for _, q := range queries {
		names := metricName.FindAllString(q, -1)
		if len(names) == 0 {
			t.Errorf("query %q names no metric of livechat's", q)
		}
		for _, n := range names {
			if !exported[n] {
				t.Errorf("query %q names %s, which the server does not export", q, n)
			}
			used[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_count"), "_sum")] = true
		}
	}
	for name := range fs {
		if strings.HasPrefix(name, "livechat_") && !used[name] {
			t.Errorf("no panel of the dashboard shows %s", name)
		}
	}
}

// TestMetricsDocumented: README's table of metrics names every metric of
// livechat's the server exports, and no other.
func TestMetricsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := make(map[string]bool)
	for line := range strings.Lines(string(raw)) {
		if first, _, ok := strings.Cut(strings.TrimPrefix(line, "| "), " |"); ok && strings.HasPrefix(line, "| `livechat_") {
			for _, n := range metricName.FindAllString(first, -1) {
				documented[n] = true
			}
		}
	}
	if len(documented) == 0 {
		t.Fatal("README has no table of metrics")
	}
	fs := scrapeAll(t)
	for name := range fs {
		if strings.HasPrefix(name, "livechat_") && !documented[name] {
			t.Errorf("README's table of metrics lacks %s", name)
		}
	}
	for name := range documented {
		if fs[name] == nil {
			t.Errorf("README's table of metrics names %s, which the server does not export", name)
		}
	}
}

//go:build !js

package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"livechat/server/proc"
)

// metricsUsage reads a server's memory and CPU time from its Prometheus
// metrics at url (process_resident_memory_bytes and
// process_cpu_seconds_total), sending token as a bearer token if set.
func metricsUsage(ctx context.Context, url, token string) (proc.Usage, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return proc.Usage{}, fmt.Errorf("metrics %s: %w", url, err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return proc.Usage{}, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return proc.Usage{}, fmt.Errorf("metrics %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return proc.Usage{}, fmt.Errorf("metrics %s: %w", url, err)
	}
	rss, err := value(families, "process_resident_memory_bytes")
	if err != nil {
		return proc.Usage{}, fmt.Errorf("metrics %s: %w", url, err)
	}
	cpu, err := value(families, "process_cpu_seconds_total")
	if err != nil {
		return proc.Usage{}, fmt.Errorf("metrics %s: %w", url, err)
	}
	return proc.Usage{RSS: int64(rss), CPU: time.Duration(cpu * float64(time.Second))}, nil
}

// value returns the value of the gauge or counter called name, which has
// no labels.
func value(families map[string]*dto.MetricFamily, name string) (float64, error) {
	f := families[name]
	if f == nil || len(f.GetMetric()) != 1 {
		return 0, fmt.Errorf("no %s (does the server's system report it?)", name)
	}
	m := f.GetMetric()[0]
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue(), nil
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue(), nil
	}
	return 0, fmt.Errorf("%s is neither a gauge nor a counter", name)
}

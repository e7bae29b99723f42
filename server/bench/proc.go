//go:build !js

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"livechat/server/proc"
)

// metricsUsage reads a server's usage from its /metrics endpoint.
func metricsUsage(ctx context.Context, baseURL string) (proc.Usage, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(baseURL, "/")+"/metrics", nil)
	if err != nil {
		return proc.Usage{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return proc.Usage{}, err
	}
	defer resp.Body.Close()
	var m struct {
		RSSBytes   int64   `json:"rss_bytes"`
		CPUSeconds float64 `json:"cpu_seconds"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return proc.Usage{}, fmt.Errorf("metrics: %w", err)
	}
	return proc.Usage{RSS: m.RSSBytes, CPU: time.Duration(m.CPUSeconds * float64(time.Second))}, nil
}

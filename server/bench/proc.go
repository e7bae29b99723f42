//go:build !js

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// usage is a server's resident memory and CPU time at one moment.
type usage struct {
	RSS int64         // bytes
	CPU time.Duration // user + system
}

// clockTick is the unit of CPU times in /proc (USER_HZ), 100 on Linux.
const clockTick = 10 * time.Millisecond

// procUsage reads a local process's usage from /proc.
func procUsage(pid int) (usage, error) {
	var u usage
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u, err
	}
	// Fields after the command name, which is in parentheses.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) < 13 {
		return u, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	u.CPU = time.Duration(utime+stime) * clockTick
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			u.RSS = kb << 10
		}
	}
	return u, nil
}

// metricsUsage reads a server's usage from its /metrics endpoint.
func metricsUsage(ctx context.Context, baseURL string) (usage, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(baseURL, "/")+"/metrics", nil)
	if err != nil {
		return usage{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return usage{}, err
	}
	defer resp.Body.Close()
	var m struct {
		RSSBytes   int64   `json:"rss_bytes"`
		CPUSeconds float64 `json:"cpu_seconds"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return usage{}, fmt.Errorf("metrics: %w", err)
	}
	return usage{RSS: m.RSSBytes, CPU: time.Duration(m.CPUSeconds * float64(time.Second))}, nil
}

//go:build !js

package server

import (
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// serveMetrics reports the process's load as JSON, for `livechat bench`
// and for monitoring: connections, goroutines, resident memory and CPU
// time.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := residentBytes()
	if rss == 0 {
		rss = int64(ms.Sys - ms.HeapReleased)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(struct {
		Connections int     `json:"connections"`
		Goroutines  int     `json:"goroutines"`
		RSSBytes    int64   `json:"rss_bytes"`
		HeapBytes   uint64  `json:"heap_bytes"`
		CPUSeconds  float64 `json:"cpu_seconds"`
	}{s.Connections(), runtime.NumGoroutine(), rss, ms.HeapAlloc, cpuTime().Seconds()})
}

// residentBytes returns the process's resident memory from /proc, or 0
// where there is none.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

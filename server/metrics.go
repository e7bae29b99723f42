//go:build !js

package server

import (
	"encoding/json"
	"net/http"
	"runtime"

	"livechat/server/proc"
)

// serveMetrics reports the process's load as JSON, for `livechat bench`
// and for monitoring: connections, goroutines, resident memory and CPU
// time (from /proc; where there is none, the Go runtime's memory and no
// CPU time), and the bytes waiting to be written to connections (now and
// at most).
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u, err := proc.Of(0)
	if err != nil {
		u = proc.Usage{RSS: int64(ms.Sys - ms.HeapReleased)}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	queued, peak := s.hub.QueuedBytes()
	json.NewEncoder(w).Encode(struct {
		Connections     int     `json:"connections"`
		Goroutines      int     `json:"goroutines"`
		RSSBytes        int64   `json:"rss_bytes"`
		HeapBytes       uint64  `json:"heap_bytes"`
		CPUSeconds      float64 `json:"cpu_seconds"`
		QueuedBytes     int64   `json:"queued_bytes"`
		QueuedPeakBytes int64   `json:"queued_peak_bytes"`
	}{s.Connections(), runtime.NumGoroutine(), u.RSS, ms.HeapAlloc, u.CPU.Seconds(), queued, peak})
}

//go:build !js

package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Serving the metrics (package metrics): on the listener of
// -metrics-addr, and on the public one only to requests with the bearer
// token of -metrics-token. By default the public listener has none.

// MetricsHandler returns the handler of the metrics listener: the
// metrics in Prometheus's text format at GET /metrics, with no check of
// who asks. Serve it on a private address only.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	return mux
}

// publicMetrics returns the handler of GET /metrics on the public
// listener: 404 without a token configured; with one, the metrics for
// requests with "Authorization: Bearer <token>" and 401 for the others.
func (s *Server) publicMetrics() http.Handler {
	if s.cfg.MetricsToken == "" {
		return http.NotFoundHandler()
	}
	want := sha256.Sum256([]byte(s.cfg.MetricsToken))
	metrics := s.metrics.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		// Hashes have one length: the comparison does not tell how long
		// the token is, nor how much of it matched.
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="livechat metrics"`)
			http.Error(w, "the metrics need the bearer token of -metrics-token", http.StatusUnauthorized)
			return
		}
		metrics.ServeHTTP(w, r)
	})
}

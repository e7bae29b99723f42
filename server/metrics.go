//go:build !js

package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"net/http"
	"strings"
	"time"

	"livechat/server/store"
)

// Serving the metrics (package metrics): on the listener of
// -metrics-addr, and on the public one only to requests with the bearer
// token of -metrics-token. By default the public listener has none.

// MetricsHandler returns the handler of the metrics listener: the
// metrics in Prometheus's text format at GET /metrics, and an online
// backup at GET /backup, with no check of who asks. Serve it on a
// private address only.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	if s.backups != nil {
		mux.HandleFunc("GET /backup", s.serveBackup)
	}
	return mux
}

// backuper is a store that writes backups of itself (store.Store).
type backuper interface {
	Backup(ctx context.Context, w io.Writer) (store.Manifest, error)
}

// serveBackup streams a backup of the running server's store (see
// store.Store.Backup), for `livechat backup -from`. It is served on the
// private listener only: a backup holds password and credential hashes.
// A backup that fails half-way is cut off, which the reader's check of
// the archive catches.
func (s *Server) serveBackup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-tar")
	w.Header().Set("Content-Disposition", `attachment; filename="livechat.backup"`)
	w.Header().Set("Cache-Control", "no-store")
	start := time.Now()
	m, err := s.backups.Backup(r.Context(), w)
	if err != nil {
		s.log.Error("online backup", "err", err)
		panic(http.ErrAbortHandler) // the archive is cut short, never passed off as whole
	}
	s.log.Info("online backup", "streams", len(m.Streams), "bytes", m.Size(), "took", time.Since(start))
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

//go:build !js

package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"livechat/server/account"
	"livechat/server/chat"
	"livechat/server/cluster"
	"livechat/server/metrics"
	"livechat/server/room"
	"livechat/server/store"
)

// Server serves livechat over HTTP: the WebSocket endpoint /ws, the health
// checks /healthz and /readyz, and the web app for every other path; its
// metrics are served apart (see MetricsHandler).
type Server struct {
	cfg     Config
	log     *slog.Logger
	hub     *chat.Hub
	metrics *metrics.Metrics
	handler http.Handler
	// store is the message store, if it can say that it answers.
	store pinger
	// backups is the store, if it can write backups of itself.
	backups backuper
}

// pinger is a store that can say that it answers (store.Store).
type pinger interface{ Ping(context.Context) error }

// New returns a server for cfg that keeps its messages, people and rooms
// in data (see OpenData; the caller closes the store after the server
// stops). version
// names this build; web serves the web app's pages, and the files of
// cfg.WebDir, if set, are served under /web/. New starts nothing: call
// Run, or mount Handler and call Shutdown yourself.
func New(cfg Config, version string, web http.Handler, data chat.Deps, log *slog.Logger) (*Server, error) {
	s := &Server{
		cfg:     cfg,
		log:     log,
		metrics: metrics.New(metrics.Config{Version: version}, log),
	}
	s.hub = chat.NewHub(chat.Config{
		Server:          "livechat " + version,
		SendQueueBytes:  cfg.SendQueueBytes,
		TotalQueueBytes: cfg.TotalQueueBytes,
		PingInterval:    cfg.PingInterval,
		History:         new(cfg.History),
		Limits:          cfg.Limits,
		Metrics:         s.metrics,
	}, data, log)
	s.metrics.Watch(s.hub)
	if st, ok := data.Log.(metrics.Store); ok {
		s.metrics.WatchStore(st)
	}
	s.store, _ = data.Log.(pinger)
	s.backups, _ = data.Log.(backuper)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", s.serveWebSocket)
	mux.HandleFunc("GET /healthz", s.serveHealth)
	mux.HandleFunc("GET /readyz", s.serveReady)
	// Not the web app's: the metrics are private unless a token is set.
	mux.Handle("GET /metrics", s.publicMetrics())
	files := cfg.WebFS
	if files == nil && cfg.WebDir != "" {
		var err error
		if files, err = WebDir(cfg.WebDir); err != nil {
			return nil, err
		}
	}
	if files != nil {
		mux.Handle("GET /web/", newStaticFiles(files, cfg.WebVersion))
	}
	// Pages are read, never posted to: other methods get 405.
	mux.Handle("GET /", web)
	s.handler = s.secure(mux)
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Run serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, tells every WebSocket client the server is going away after
// its queued messages are written, and waits for them within the
// configured shutdown timeout. Run closes ln. It returns nil after a
// graceful shutdown.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	tc, err := tlsConfig(s.cfg)
	if err != nil {
		ln.Close()
		return err
	}
	if tc != nil {
		ln = tls.NewListener(ln, tc)
	}
	hs := newHTTPServer(s.handler, s.log)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := hs.Shutdown(sctx); err != nil {
		errs = append(errs, fmt.Errorf("shut down http: %w", err))
	}
	if err := s.Shutdown(sctx); err != nil {
		errs = append(errs, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, fmt.Errorf("serve http: %w", err))
	}
	return errors.Join(errs...)
}

// newHTTPServer returns the http.Server of a listener serving h: a bound
// on reading headers, and its errors in log at debug level.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
}

// Shutdown ends every WebSocket session gracefully (see Run) and refuses
// new ones. It does not stop an http.Server serving Handler.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.hub.Shutdown(ctx); err != nil {
		return fmt.Errorf("close websocket sessions: %w", err)
	}
	return nil
}

func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r, s.cfg.TrustedProxies)
	if !s.hub.Admit(addr) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many connections from your address", http.StatusTooManyRequests)
		return
	}
	ws, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{
		OriginPatterns: s.cfg.AllowedOrigins,
	})
	if err != nil {
		s.hub.Unadmit(addr)
		// Accept has answered with the reason.
		s.log.Debug("websocket handshake refused", "remote", r.RemoteAddr, "origin", r.Header.Get("Origin"), "err", err)
		return
	}
	// The session outlives this handler, which returns at once so that
	// the connection costs one goroutine, not two.
	s.hub.Serve(ws, chat.Peer{Origin: r.Header.Get("Origin"), Addr: addr}, s.log.With("remote", addr.String()))
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(struct {
		Status      string `json:"status"`
		Connections int    `json:"connections"`
	}{"ok", s.Connections()})
}

// serveReady answers whether the server can serve: 200 once its message
// store answers, 503 with the reason while it does not (a load balancer
// sends no one to it meanwhile). /healthz only says the process runs.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	status := struct {
		Status string `json:"status"`
		Error  string `json:"error,omitempty"`
	}{Status: "ready"}
	if s.store != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.store.Ping(ctx); err != nil {
			status.Status, status.Error = "unavailable", err.Error()
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}
	json.NewEncoder(w).Encode(status)
}

// Connections returns how many WebSocket connections are open.
func (s *Server) Connections() int { return s.hub.Connections() }

// QueuedBytes returns the bytes waiting to be written to all connections
// now, and the most that ever waited at once.
func (s *Server) QueuedBytes() (now, peak int64) { return s.hub.QueuedBytes() }

var (
	_ chat.Log      = (*store.Store)(nil)
	_ chat.AuditLog = (*store.Audit)(nil)
)

// The key-value buckets accounts and rooms live in.
const (
	AccountsBucket = "livechat_accounts"
	RoomsBucket    = "livechat_rooms"
)

// OpenData returns what a server keeps in st: the messages, and the
// accounts and rooms in their buckets, shared with every server on the
// same NATS.
//
// On an external NATS, which other livechat servers may share, it also
// links the server to them (see package cluster), with the presence
// settings of presence.
func OpenData(ctx context.Context, st *store.Store, presence cluster.Config, log *slog.Logger) (chat.Deps, error) {
	accounts, err := st.Bucket(ctx, AccountsBucket)
	if err != nil {
		return chat.Deps{}, fmt.Errorf("open accounts: %w", err)
	}
	rooms, err := st.Bucket(ctx, RoomsBucket)
	if err != nil {
		return chat.Deps{}, fmt.Errorf("open rooms: %w", err)
	}
	audit, err := st.Audit(ctx, store.AuditConfig{})
	if err != nil {
		return chat.Deps{}, err
	}
	deps := chat.Deps{
		Log:      st,
		Accounts: account.New(accounts, account.Config{}),
		Rooms:    room.New(rooms, room.Config{}),
		Audit:    audit,
	}
	if nc, js := st.Shared(); nc != nil {
		c, err := cluster.New(ctx, nc, js, presence, log)
		if err != nil {
			return chat.Deps{}, fmt.Errorf("link to the other servers: %w", err)
		}
		deps.Cluster = c
	}
	return deps, nil
}

//go:build !js

package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"

	"livechat/server/cluster"
	"livechat/server/proc"
	"livechat/server/store"
)

// Main runs the livechat server command with args (without the program
// name) until ctx ends, and returns the process exit code: 0 after a
// graceful shutdown, 2 for bad usage, 1 for any other failure. It prints
// the URL to open on stdout and logs to stderr. embedded holds the web
// app's files a release build carries (nil: none), served unless -web
// names a directory; newWeb returns the web app's handler for the version
// of the app.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, version string, embedded fs.FS, newWeb func(webVersion string) http.Handler) int {
	cfg, err := ParseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "livechat: %v\n", err)
		return 2
	}
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(stderr, opts)
	if cfg.LogJSON {
		h = slog.NewJSONHandler(stderr, opts)
	}
	log := slog.New(h)
	if limit := tuneMemory(cfg.MemoryLimitMB); limit > 0 {
		log.Info("memory limit", "bytes", limit)
	}
	if n, err := proc.RaiseOpenFiles(); err != nil {
		log.Warn("cannot raise the open-file limit", "limit", n, "err", err)
	} else {
		log.Info("open-file limit", "limit", n)
	}

	switch {
	case cfg.WebDir == "" && embedded != nil:
		cfg.WebFS = embedded
		log.Info("serving the web app built into this program")
	case cfg.WebDir == "":
		cfg.WebDir = "web"
		fallthrough
	default:
		if cfg.WebFS, err = WebDir(cfg.WebDir); err != nil {
			log.Error("cannot serve the web app", "err", err)
			return 1
		}
	}
	if cfg.WebVersion, err = WebVersion(cfg.WebFS); err != nil {
		log.Error("cannot serve the web app", "err", err)
		return 1
	}
	messages, err := store.Open(ctx, cfg.Store, log)
	if err != nil {
		log.Error("cannot open the message store", "err", err)
		return 1
	}
	defer messages.Close()
	data, err := OpenData(ctx, messages, cluster.Config{}, log)
	if err != nil {
		log.Error("cannot open the store", "err", err)
		return 1
	}
	srv, err := New(cfg, version, newWeb(cfg.WebVersion), data, log)
	if err != nil {
		log.Error("cannot serve the web app", "err", err)
		return 1
	}

	// The listeners aside end with ctx, and Main returns once they have.
	ctx, cancel := context.WithCancel(ctx)
	var aside sync.WaitGroup
	defer aside.Wait()
	defer cancel()
	if cfg.DebugAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		if err := serveAside(ctx, &aside, "profiling", cfg.DebugAddr, mux, log); err != nil {
			log.Error("cannot serve profiles", "err", err)
			return 1
		}
	}
	if cfg.MetricsAddr != "" {
		if err := serveAside(ctx, &aside, "metrics", cfg.MetricsAddr, srv.MetricsHandler(), log); err != nil {
			log.Error("cannot serve metrics", "err", err)
			return 1
		}
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Error("listen", "addr", cfg.Addr, "err", err)
		return 1
	}
	log.Info("listening", "addr", ln.Addr().String(), "version", version, "web", cfg.WebVersion)
	url := URL(ln.Addr())
	if cfg.TLSCert != "" || len(cfg.ACMEDomains) > 0 {
		url = "https" + strings.TrimPrefix(url, "http")
	}
	fmt.Fprintf(stdout, "livechat %s is running: open %s\n", version, url)

	if err := srv.Run(ctx, ln); err != nil {
		log.Error("server stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// serveAside serves h, called what in logs, on a listener of its own at
// addr until ctx ends; wg counts the goroutine that serves it. It returns
// an error if it cannot listen.
func serveAside(ctx context.Context, wg *sync.WaitGroup, what, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for %s on %s: %w", what, addr, err)
	}
	log.Info("serving "+what, "addr", ln.Addr().String())
	hs := newHTTPServer(h, log)
	wg.Go(func() {
		stop := context.AfterFunc(ctx, func() { hs.Close() })
		defer stop()
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("listener for "+what+" failed", "addr", addr, "err", err)
		}
	})
	return nil
}

// URL returns the http URL to open for a listening address, naming
// localhost for a wildcard host.
func URL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

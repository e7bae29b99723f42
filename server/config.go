//go:build !js

package server

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"time"

	"livechat/server/chat"
	"livechat/server/store"
	"livechat/shared"
)

// Config is the server's configuration; see ParseConfig for its flags.
type Config struct {
	// Addr is the TCP address to listen on.
	Addr string
	// WebDir holds the web app's static files, served under /web/; WebFS,
	// if set, holds them instead (the copy a release build embeds).
	WebDir string
	WebFS  fs.FS
	// WebVersion identifies the web app (see WebVersion); versioned URLs of
	// static files are cached for long. Main sets it; it is not a flag.
	WebVersion string
	// DebugAddr, if set, serves net/http/pprof on a separate listener.
	DebugAddr string
	// MetricsAddr, if set, serves the metrics (Prometheus's text format,
	// GET /metrics) on a separate listener, to anyone who reaches it.
	MetricsAddr string
	// MetricsToken, if set, also serves GET /metrics on the public
	// listener, to requests with "Authorization: Bearer <token>". Empty:
	// the public listener has no metrics (404).
	MetricsToken string
	// MemoryLimitMB is a soft memory limit for the Go runtime; 0 means 90%
	// of the cgroup's limit, if any.
	MemoryLimitMB int64
	// AllowedOrigins are extra host patterns (path.Match syntax, such as
	// "localhost:*") whose pages may open WebSockets. Pages served by
	// livechat itself are always allowed; others are refused by default.
	AllowedOrigins []string
	// AllowedHosts are the host names (path.Match patterns) requests may
	// name in their Host header; others get 421. Empty: any. By default
	// a listener on this machine only (localhost, 127.0.0.1, ::1) allows
	// those names only, against DNS rebinding.
	AllowedHosts []string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (see clientAddr). None: the peer is the client.
	TrustedProxies []netip.Prefix
	// TLSCert and TLSKey are the files of the certificate and key to
	// serve HTTPS with; ACMEDomains, the domains to get certificates for
	// from Let's Encrypt instead, kept in ACMECache (default: the acme
	// directory in the data directory). None: plain HTTP.
	TLSCert, TLSKey string
	ACMEDomains     []string
	ACMECache       string
	// LogJSON selects JSON logs instead of text.
	LogJSON bool
	// LogLevel is the least severe level logged.
	LogLevel slog.Level
	// ShutdownTimeout bounds a graceful shutdown.
	ShutdownTimeout time.Duration
	// SendQueueBytes bounds what may wait to be written to one connection;
	// TotalQueueBytes, to all of them together (see chat.Config).
	SendQueueBytes  int
	TotalQueueBytes int64
	// PingInterval is how often connections are pinged.
	PingInterval time.Duration
	// History is how many recent messages a join gets.
	History int
	// Limits are how much one connection, account or address may do.
	Limits chat.Limits
	// Store configures the message store: the embedded NATS server's data
	// directory, or external NATS URLs, and retention.
	Store store.Config
}

// EnvName returns the environment variable that backs a flag:
// "allow-origins" is LIVECHAT_ALLOW_ORIGINS.
func EnvName(flagName string) string {
	return "LIVECHAT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ParseConfig reads a configuration from command-line arguments (without
// the program name). A flag not given on the command line takes the value
// of its environment variable (see EnvName), read through getenv, if that
// is set, and its default otherwise. Usage and errors go to output.
func ParseConfig(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	cfg := Config{Limits: chat.DefaultLimits}
	var origins, hosts, proxies, exempt, acme, logFormat, logLevel, natsURLs string
	var storeMB, memoryMB, roomMB, queueTotalMB int64
	var queueKB int
	fs := flag.NewFlagSet("livechat", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&cfg.Addr, "addr", "localhost:8080", "listen `address`")
	fs.StringVar(&cfg.WebDir, "web", "", "`directory` of the web app's static files (app.wasm, icons, styles)\n(default: the copy in a release build, else the directory web)")
	fs.Int64Var(&cfg.MemoryLimitMB, "memory-limit-mb", 0, "soft memory limit for the Go runtime, in MiB (0: 90% of the cgroup's limit, if any)")
	fs.StringVar(&cfg.DebugAddr, "debug-addr", "", "if set, `address` of a separate listener for net/http/pprof (keep it private)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "if set, `address` of a separate listener serving Prometheus metrics at /metrics\n(keep it private: it asks for no token)")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", "", "if set, the public listener also serves /metrics to requests with the header\n\"Authorization: Bearer `token`\" (at least 16 characters; prefer the environment variable)")
	fs.StringVar(&origins, "allow-origins", "", "comma-separated origin host `patterns` allowed to open WebSockets besides\nlivechat's own pages, e.g. localhost:* (for development only)")
	fs.StringVar(&hosts, "allowed-hosts", "", "comma-separated host name `patterns` (e.g. chat.example.com) requests may name;\nothers get 421. Default: localhost, 127.0.0.1 and ::1 for a listener on this machine\nonly (against DNS rebinding), any host otherwise; * allows any")
	fs.StringVar(&proxies, "trusted-proxies", "", "comma-separated `addresses` or CIDR prefixes of reverse proxies whose X-Forwarded-For\nnames the client, e.g. 127.0.0.1 (limits per address use the client's address)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "`file` of the certificate (PEM, with its chain) to serve HTTPS with, with -tls-key")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "`file` of the certificate's private key (PEM)")
	fs.StringVar(&acme, "acme-domains", "", "comma-separated `domains` to get certificates for from Let's Encrypt and serve\nHTTPS with (the listener must be reachable on port 443 from the internet)")
	fs.StringVar(&cfg.ACMECache, "acme-cache", "", "`directory` keeping the certificates of -acme-domains (default: acme in the data directory)")
	fs.StringVar(&logFormat, "log-format", "text", "log `format`: text or json")
	fs.StringVar(&logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 5*time.Second, "how long a graceful shutdown may take")
	fs.DurationVar(&cfg.PingInterval, "ping-interval", 15*time.Second, "how often each connection is pinged; a peer that misses a pong for 10s is dropped")
	fs.IntVar(&queueKB, "send-queue-kb", 4<<10, "KiB that may wait to be written to one connection; a reader that falls further\nbehind is disconnected (status 1008), and its own requests wait")
	fs.Int64Var(&queueTotalMB, "send-queue-total-mb", 256, "MiB that may wait to be written to all connections together")
	fs.IntVar(&cfg.History, "history", shared.DefaultHistory, fmt.Sprintf("recent messages a client gets when it joins (at most %d)", shared.MaxHistory))
	fs.StringVar(&cfg.Store.Dir, "data", "data", "`directory` of the embedded message store (NATS JetStream)")
	fs.StringVar(&natsURLs, "nats", "", "comma-separated `URLs` of an external NATS server or cluster with JetStream,\nused instead of the embedded one; servers using the same NATS share rooms")
	fs.Int64Var(&cfg.Store.RoomMessages, "room-messages", 10_000, "messages each room keeps; older ones are removed")
	fs.DurationVar(&cfg.Store.MaxAge, "max-age", 0, "if set, messages older than this are removed")
	fs.Int64Var(&roomMB, "room-max-mb", 64, "MiB each room keeps; its oldest messages are removed beyond it (and the biggest\nrooms' oldest when all of them near -store-max-mb)")
	fs.DurationVar(&cfg.Store.EmptyRoomAfter, "empty-room-after", 24*time.Hour, "a room without messages for this long gives back its storage (its numbering goes on)")
	fs.Int64Var(&storeMB, "store-max-mb", 10<<10, "disk the embedded message store may use, in MiB")
	fs.Int64Var(&memoryMB, "store-memory-mb", 256, "memory the embedded message store may use, in MiB")
	fs.IntVar(&cfg.Store.Replicas, "nats-replicas", 1, "copies of each room on a NATS cluster")
	lim := &cfg.Limits
	fs.Var(&lim.Messages, "limit-messages", "messages one connection, and one account, may send (`rate`): N/DURATION, N at once and N more\nevery DURATION (or off); more are refused with rate_limited and retry_after")
	fs.Var(&lim.History, "limit-history", "history pages one connection, and one account, may ask for (`rate`: N/DURATION or off)")
	fs.Var(&lim.Joins, "limit-joins", "rooms one connection, and one account, may join (`rate`: N/DURATION or off)")
	fs.Var(&lim.Creations, "limit-creations", "rooms, conversations and invites one connection, and one account, may create\n(`rate`: N/DURATION or off)")
	fs.Var(&lim.Requests, "limit-requests", "other requests one connection, and one account, may send (`rate`: N/DURATION or off)")
	fs.IntVar(&lim.AddressFactor, "limit-address-factor", lim.AddressFactor, "one address may do this many times what one account may (0: no such limits per address)")
	fs.Var(&lim.SignIns, "limit-sign-ins", "sign-ins with a password or passkey from one address (`rate`: N/DURATION or off)")
	fs.Var(&lim.SignUps, "limit-sign-ups", "accounts created from one address (`rate`: N/DURATION or off)")
	fs.IntVar(&lim.ConnectionsPerAddress, "max-connections-per-address", lim.ConnectionsPerAddress, "connections open at once from one address (0: any); more get HTTP 429")
	fs.IntVar(&lim.OpenRoomsPerAddress, "max-open-rooms-per-address", lim.OpenRoomsPerAddress, "rooms open on this server that one address's connections opened (0: any)")
	fs.IntVar(&lim.RoomsPerAccount, "max-rooms-per-account", lim.RoomsPerAccount, "rooms one account may be a member of (0: any)")
	fs.StringVar(&exempt, "limit-exempt", "", "comma-separated `addresses` or CIDR prefixes whose connections no limit applies to\n(a load test's, e.g. 127.0.0.1)")
	documentEnv(fs)
	fs.Usage = func() {
		fmt.Fprintf(output, "Usage: livechat [flags]\n\nServes the livechat web app and its WebSocket endpoint /ws.\n"+
			"Other commands: livechat backup, restore, export, bench (each with -h).\n\nFlags:\n")
		fs.PrintDefaults()
	}

	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := envFallback(fs, getenv); err != nil {
		return Config{}, err
	}

	cfg.AllowedOrigins = splitList(origins)
	cfg.ACMEDomains = splitList(acme)
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") || cfg.TLSCert != "" && len(cfg.ACMEDomains) > 0 {
		return Config{}, fmt.Errorf("TLS: give both -tls-cert and -tls-key, or -acme-domains alone")
	}
	switch cfg.AllowedHosts = splitList(hosts); {
	case len(cfg.AllowedHosts) == 1 && cfg.AllowedHosts[0] == "*":
		cfg.AllowedHosts = nil
	case len(cfg.AllowedHosts) == 0 && isLoopback(cfg.Addr):
		cfg.AllowedHosts = loopbackHosts
	}
	var err error
	if cfg.TrustedProxies, err = parsePrefixes(splitList(proxies)); err != nil {
		return Config{}, fmt.Errorf("trusted proxies: %w", err)
	}
	if lim.Exempt, err = parsePrefixes(splitList(exempt)); err != nil {
		return Config{}, fmt.Errorf("limit exempt: %w", err)
	}
	cfg.Store.URLs = splitList(natsURLs)
	cfg.Store.MaxStore, cfg.Store.MaxMemory, cfg.Store.RoomBytes = storeMB<<20, memoryMB<<20, roomMB<<20
	cfg.SendQueueBytes, cfg.TotalQueueBytes = queueKB<<10, queueTotalMB<<20
	switch logFormat {
	case "text":
	case "json":
		cfg.LogJSON = true
	default:
		return Config{}, fmt.Errorf("log format %q: want text or json", logFormat)
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return Config{}, fmt.Errorf("log level %q: want debug, info, warn or error", logLevel)
	}
	switch {
	case cfg.ShutdownTimeout <= 0:
		return Config{}, fmt.Errorf("shutdown timeout %v: must be positive", cfg.ShutdownTimeout)
	case cfg.PingInterval <= 0:
		return Config{}, fmt.Errorf("ping interval %v: must be positive", cfg.PingInterval)
	case queueKB < 64 || queueKB > 1<<20:
		return Config{}, fmt.Errorf("send queue %d KiB: must be 64 KiB to 1 GiB", queueKB)
	case queueTotalMB < 1 || queueTotalMB<<10 < int64(queueKB):
		return Config{}, fmt.Errorf("send queue total %d MiB: must be at least one connection's queue (%d KiB)", queueTotalMB, queueKB)
	case cfg.History < 0 || cfg.History > shared.MaxHistory:
		return Config{}, fmt.Errorf("history %d: must be 0 to %d", cfg.History, shared.MaxHistory)
	case cfg.Store.RoomMessages <= 0:
		return Config{}, fmt.Errorf("room messages %d: must be positive", cfg.Store.RoomMessages)
	case cfg.Store.MaxAge < 0:
		return Config{}, fmt.Errorf("max age %v: must not be negative", cfg.Store.MaxAge)
	case storeMB <= 0 || memoryMB <= 0:
		return Config{}, fmt.Errorf("store limits %d MiB disk, %d MiB memory: must be positive", storeMB, memoryMB)
	case roomMB <= 0 || roomMB > storeMB:
		return Config{}, fmt.Errorf("room limit %d MiB: must be positive and at most -store-max-mb (%d)", roomMB, storeMB)
	case cfg.Store.EmptyRoomAfter <= 0:
		return Config{}, fmt.Errorf("empty room after %v: must be positive", cfg.Store.EmptyRoomAfter)
	case cfg.MemoryLimitMB < 0:
		return Config{}, fmt.Errorf("memory limit %d MiB: must not be negative", cfg.MemoryLimitMB)
	case lim.AddressFactor < 0 || lim.ConnectionsPerAddress < 0 || lim.OpenRoomsPerAddress < 0 || lim.RoomsPerAccount < 0:
		return Config{}, fmt.Errorf("limits: factors and maximums must not be negative (0: no limit)")
	case cfg.Store.Replicas < 1 || cfg.Store.Replicas > 5:
		return Config{}, fmt.Errorf("nats replicas %d: must be 1 to 5", cfg.Store.Replicas)
	case len(cfg.Store.URLs) == 0 && cfg.Store.Dir == "":
		return Config{}, fmt.Errorf("no -data directory and no -nats URLs: messages need a store")
	case cfg.MetricsAddr != "" && cfg.MetricsAddr == cfg.Addr && !strings.HasSuffix(cfg.Addr, ":0"):
		return Config{}, fmt.Errorf("metrics address %s: must not be the public one (use -metrics-token to serve metrics there)", cfg.MetricsAddr)
	case cfg.MetricsToken != "" && len(cfg.MetricsToken) < 16:
		return Config{}, fmt.Errorf("metrics token: %d characters, must be at least 16", len(cfg.MetricsToken))
	case strings.ContainsAny(cfg.MetricsToken, " \t\r\n"):
		return Config{}, fmt.Errorf("metrics token: must not contain spaces")
	}
	return cfg, nil
}

// documentEnv adds to the usage of the flags named (all if none) the
// environment variable that backs each (see EnvName).
func documentEnv(fs *flag.FlagSet, names ...string) {
	fs.VisitAll(func(f *flag.Flag) {
		if len(names) == 0 || slices.Contains(names, f.Name) {
			f.Usage += " [$" + EnvName(f.Name) + "]"
		}
	})
}

// envFallback sets each flag named (all if none) that the parsed command
// line did not give to the value of its environment variable, read
// through getenv, if that is set.
func envFallback(fs *flag.FlagSet, getenv func(string) string, names ...string) error {
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] || len(names) > 0 && !slices.Contains(names, f.Name) {
			return
		}
		if v := getenv(EnvName(f.Name)); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", EnvName(f.Name), v, e)
			}
		}
	})
	return err
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

//go:build !js

// Package metrics is livechat's monitoring: what the server counts and
// times, in a Prometheus registry of its own, served in Prometheus's text
// format by Handler. README's Monitoring section lists the metrics; the
// Go runtime's (go_*) and the process's (process_*) come with them.
//
// Metrics is the hub's chat.Metrics: its counters and histograms are
// updated on the hub's hot paths and cost an atomic add each. Gauges of
// the hub (connections, rooms, people, queued bytes) and of the message
// store (usage) are read only when scraped: a scrape takes the hub's lock
// once and asks the store with a short timeout, never on a hot path.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"livechat/server/chat"
	"livechat/server/store"
)

// Config holds the optional settings of Metrics. The zero value of each
// field selects the default in its comment.
type Config struct {
	// Version names this build, in livechat_build_info. Default: none.
	Version string
	// StoreTimeout bounds reading the store's usage at a scrape.
	// Default: 2s.
	StoreTimeout time.Duration
}

// Hub is what a scrape reads of the hub (*chat.Hub).
type Hub interface{ Stats() chat.Stats }

// Store is what a scrape reads of the message store (*store.Store).
type Store interface {
	Usage(ctx context.Context) (store.Usage, error)
}

var (
	_ chat.Metrics = (*Metrics)(nil)
	_ Hub          = (*chat.Hub)(nil)
	_ Store        = (*store.Store)(nil)
)

// maxLimits bounds the values of livechat_rate_limited_total's limit
// label; later names count as "other".
const maxLimits = 16

// latencyBuckets returns the buckets of the latency histograms, in
// seconds: from under a millisecond up to ten seconds (the store's
// timeout).
func latencyBuckets() []float64 {
	return []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
}

// Metrics are a server's metrics. All methods are safe for concurrent
// use.
type Metrics struct {
	cfg Config
	log *slog.Logger
	reg *prometheus.Registry

	received    prometheus.Counter
	delivered   prometheus.Counter
	overflows   prometheus.Counter
	storeFailed prometheus.Counter
	ackLatency  prometheus.Histogram
	fanout      prometheus.Histogram
	// disconnects has a counter for every chat.DisconnectReason; it is
	// not changed after New.
	disconnects map[chat.DisconnectReason]prometheus.Counter
	limited     *prometheus.CounterVec
	// limits are the counters of the first maxLimits limit names seen;
	// limitsMu guards adding one.
	limits   sync.Map // string -> prometheus.Counter
	limitsMu sync.Mutex
	nLimits  int
}

// New returns a server's metrics, with the Go runtime's and the process's.
// Call Watch, and WatchStore if there is a store, before serving them.
func New(cfg Config, log *slog.Logger) *Metrics {
	if cfg.StoreTimeout <= 0 {
		cfg.StoreTimeout = 2 * time.Second
	}
	m := &Metrics{cfg: cfg, log: log, reg: prometheus.NewRegistry()}
	f := factory{m.reg}
	m.received = f.counter("livechat_messages_received_total", "Messages clients sent that went to the store.")
	m.delivered = f.counter("livechat_messages_delivered_total", "Messages queued to connections: one per message and connection.")
	m.overflows = f.counter("livechat_send_queue_overflows_total", "Connections disconnected as too slow: their send queue, or all queues together, could not take more.")
	m.storeFailed = f.counter("livechat_store_failures_total", "Messages the store did not take (the sender is told to send again).")
	m.ackLatency = f.histogram("livechat_store_ack_latency_seconds", "Time from handing a message to the store to its acknowledgement.")
	m.fanout = f.histogram("livechat_fanout_latency_seconds", "Time from a message's arrival (its timestamp) to its being queued to the room's connections on this server; observed once per batch of messages, for its oldest.")
	disconnects := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "livechat_disconnects_total",
		Help: "Connections ended, by reason: " + reasonList() + ".",
	}, []string{"reason"})
	m.reg.MustRegister(disconnects)
	m.disconnects = make(map[chat.DisconnectReason]prometheus.Counter)
	for _, r := range chat.DisconnectReasons() {
		m.disconnects[r] = disconnects.WithLabelValues(string(r))
	}
	m.limited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "livechat_rate_limited_total",
		Help: "Requests refused by a rate limit, by limit.",
	}, []string{"limit"})
	m.reg.MustRegister(m.limited)
	m.limited.WithLabelValues("other") // exported before the first hit
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "livechat_build_info",
		Help:        "Always 1; its version label names the build.",
		ConstLabels: prometheus.Labels{"version": cfg.Version},
	})
	buildInfo.Set(1)
	m.reg.MustRegister(buildInfo,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// factory makes and registers metrics.
type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) histogram(name, help string) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: latencyBuckets()})
	f.reg.MustRegister(h)
	return h
}

func reasonList() string {
	s := ""
	for i, r := range chat.DisconnectReasons() {
		if i > 0 {
			s += ", "
		}
		s += string(r)
	}
	return s
}

// Watch adds the hub's figures, read from hub at each scrape. Call it
// once.
func (m *Metrics) Watch(hub Hub) {
	m.reg.MustRegister(newHubCollector(hub))
}

// WatchStore adds the message store's usage, read from st at each scrape
// within Config.StoreTimeout. Call it once.
func (m *Metrics) WatchStore(st Store) {
	m.reg.MustRegister(newStoreCollector(st, m.cfg.StoreTimeout, m.log))
}

// Handler serves the metrics in Prometheus's text format, to at most a
// few scrapes at a time.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(m.log.Handler(), slog.LevelError),
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            m.reg,
		MaxRequestsInFlight: 4,
	})
}

// Gatherer returns the registry, for tests and for other ways of export.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Received counts a message a client sent.
func (m *Metrics) Received() { m.received.Inc() }

// Stored observes the store's acknowledgement of a message after d, or
// counts its failure.
func (m *Metrics) Stored(d time.Duration, err error) {
	if err != nil {
		m.storeFailed.Inc()
		return
	}
	m.ackLatency.Observe(d.Seconds())
}

// Delivered counts messages queued to conns connections and observes the
// latency of the batch, if known (not negative).
func (m *Metrics) Delivered(messages, conns int, latency time.Duration) {
	m.delivered.Add(float64(messages * conns))
	if latency >= 0 {
		m.fanout.Observe(latency.Seconds())
	}
}

// Overflowed counts a connection disconnected as too slow.
func (m *Metrics) Overflowed() { m.overflows.Inc() }

// Disconnected counts a connection that ended; a reason that is not one
// of chat.DisconnectReasons counts as chat.DisconnectError.
func (m *Metrics) Disconnected(why chat.DisconnectReason) {
	c, ok := m.disconnects[why]
	if !ok {
		c = m.disconnects[chat.DisconnectError]
	}
	c.Inc()
}

// RateLimited counts a request refused by the limit called limit. Past
// maxLimits different names, new ones count as "other", so a caller that
// passed varying names could not grow the metrics without bound.
func (m *Metrics) RateLimited(limit string) {
	if c, ok := m.limits.Load(limit); ok {
		c.(prometheus.Counter).Inc()
		return
	}
	m.limitsMu.Lock()
	c, ok := m.limits.Load(limit)
	switch {
	case ok:
	case m.nLimits < maxLimits:
		c = m.limited.WithLabelValues(limit)
		m.limits.Store(limit, c)
		m.nLimits++
	default:
		c = m.limited.WithLabelValues("other")
	}
	m.limitsMu.Unlock()
	c.(prometheus.Counter).Inc()
}

//go:build !js

package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// gauge is the description of a gauge without labels.
func gauge(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }

// gauges are the descriptions of a collector's gauges, in the order it
// gives their values (see emit).
type gauges []*prometheus.Desc

func (g gauges) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range g {
		ch <- d
	}
}

// emit sends the values of the first len(v) gauges.
func (g gauges) emit(ch chan<- prometheus.Metric, v ...float64) {
	for i, x := range v {
		ch <- prometheus.MustNewConstMetric(g[i], prometheus.GaugeValue, x)
	}
}

// hubCollector reads the hub's gauges at each scrape, all from one
// chat.Stats.
type hubCollector struct {
	hub Hub
	gauges
}

func newHubCollector(hub Hub) *hubCollector {
	return &hubCollector{hub: hub, gauges: gauges{
		gauge("livechat_connections", "WebSocket connections open."),
		gauge("livechat_accounts_online", "Distinct people signed in on this server's connections."),
		gauge("livechat_rooms_open", "Rooms open on this server: with a connection in them or joining."),
		gauge("livechat_send_queue_bytes", "Bytes waiting to be written to all connections."),
		gauge("livechat_send_queue_peak_bytes", "Most bytes that ever waited to be written to all connections at once."),
	}}
}

func (c *hubCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.hub.Stats()
	c.emit(ch, float64(st.Connections), float64(st.People), float64(st.Rooms), float64(st.QueuedBytes), float64(st.QueuedPeakBytes))
}

// storeCollector reads the message store's usage at each scrape, within
// timeout. When the store does not answer in time, livechat_store_up is 0
// and the usage is left out of that scrape.
type storeCollector struct {
	st      Store
	timeout time.Duration
	log     *slog.Logger
	gauges  // up first
}

func newStoreCollector(st Store, timeout time.Duration, log *slog.Logger) *storeCollector {
	return &storeCollector{st: st, timeout: timeout, log: log, gauges: gauges{
		gauge("livechat_store_up", "1 if the message store told its usage at this scrape, 0 if not."),
		gauge("livechat_store_file_bytes", "Bytes the message store (its JetStream account) holds on disk."),
		gauge("livechat_store_memory_bytes", "Bytes the message store (its JetStream account) holds in memory."),
		gauge("livechat_store_streams", "Streams of the message store: one per room, and the key-value buckets."),
		gauge("livechat_store_messages", "Messages in all the streams of the message store."),
	}}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	u, err := c.st.Usage(ctx)
	if err != nil {
		c.log.Warn("metrics: cannot read the message store's usage", "err", err)
		c.emit(ch, 0) // up alone
		return
	}
	c.emit(ch, 1, float64(u.FileBytes), float64(u.MemoryBytes), float64(u.Streams), float64(u.Messages))
}

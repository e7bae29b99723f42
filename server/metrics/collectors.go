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

// hubCollector reads the hub's gauges at each scrape, all from one
// chat.Stats.
type hubCollector struct {
	hub                                        Hub
	connections, people, rooms, queued, peaked *prometheus.Desc
}

func newHubCollector(hub Hub) *hubCollector {
	return &hubCollector{
		hub:         hub,
		connections: gauge("livechat_connections", "WebSocket connections open."),
		people:      gauge("livechat_accounts_online", "Distinct people signed in on this server's connections."),
		rooms:       gauge("livechat_rooms_open", "Rooms open on this server: with a connection in them or joining."),
		queued:      gauge("livechat_send_queue_bytes", "Bytes waiting to be written to all connections."),
		peaked:      gauge("livechat_send_queue_peak_bytes", "Most bytes that ever waited to be written to all connections at once."),
	}
}

func (c *hubCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.connections, c.people, c.rooms, c.queued, c.peaked} {
		ch <- d
	}
}

func (c *hubCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.hub.Stats()
	for d, v := range map[*prometheus.Desc]float64{
		c.connections: float64(st.Connections),
		c.people:      float64(st.People),
		c.rooms:       float64(st.Rooms),
		c.queued:      float64(st.QueuedBytes),
		c.peaked:      float64(st.QueuedPeakBytes),
	} {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
}

// storeCollector reads the message store's usage at each scrape, within
// timeout. When the store does not answer in time, livechat_store_up is 0
// and the usage is left out of that scrape.
type storeCollector struct {
	st                                  Store
	timeout                             time.Duration
	log                                 *slog.Logger
	up, file, memory, streams, messages *prometheus.Desc
}

func newStoreCollector(st Store, timeout time.Duration, log *slog.Logger) *storeCollector {
	return &storeCollector{
		st:       st,
		timeout:  timeout,
		log:      log,
		up:       gauge("livechat_store_up", "1 if the message store told its usage at this scrape, 0 if not."),
		file:     gauge("livechat_store_file_bytes", "Bytes the message store (its JetStream account) holds on disk."),
		memory:   gauge("livechat_store_memory_bytes", "Bytes the message store (its JetStream account) holds in memory."),
		streams:  gauge("livechat_store_streams", "Streams of the message store: one per room, and the key-value buckets."),
		messages: gauge("livechat_store_messages", "Messages in all the streams of the message store."),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.file, c.memory, c.streams, c.messages} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	u, err := c.st.Usage(ctx)
	if err != nil {
		c.log.Warn("metrics: cannot read the message store's usage", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	for d, v := range map[*prometheus.Desc]float64{
		c.up:       1,
		c.file:     float64(u.FileBytes),
		c.memory:   float64(u.MemoryBytes),
		c.streams:  float64(u.Streams),
		c.messages: float64(u.Messages),
	} {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
}

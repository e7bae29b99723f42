//go:build !js

// Package cluster links the livechat servers that share one NATS, so that
// people connected to different servers see each other: who is in which
// room (presence), and the notices a person's other connections must get
// at once (a read position, a room they were added to, a device signed
// out, a new public room, a mute, kick or ban).
//
// Presence lives in a JetStream key-value bucket kept in memory: each
// server writes its own part of each room's presence (who of the room is
// connected to it) under the key <room>.<server>, and writes it again
// every Config.Refresh. Every part carries the time it was written, and a
// part older than Config.TTL is dropped, by every server, as if it were
// empty: a server that dies takes its people offline everywhere within
// TTL. The bucket's own age limit removes the stale keys.
//
// Notices are plain NATS messages on one subject: they are worth nothing
// later, since a client that misses one gets the current state when it
// reconnects.
package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Part is one server's part of a room's presence.
type Part struct {
	// People are the people in the room on that server, by account id,
	// with their nicknames; nil when Count is above the names a server
	// shares (see MaxNames).
	People map[string]string `json:"people,omitempty"`
	// Count is how many people are in the room on that server.
	Count int `json:"count"`
	// At is when the part was written; a part older than Config.TTL is
	// stale.
	At time.Time `json:"at"`
}

// MaxNames is how many people a part names: a room with more people on
// one server is counted, as the protocol counts rooms too big to list.
const MaxNames = 1000

// Notice is something a person's connections on other servers must know
// at once. Kind says which fields are set.
type Notice struct {
	// From is the server that sent it; a server ignores its own.
	From string `json:"from"`
	Kind string `json:"kind"`
	// Account is whom it is for ("" for everyone).
	Account string `json:"account,omitempty"`
	Room    string `json:"room,omitempty"`
	// ID is a message id (a read position).
	ID uint64 `json:"id,omitempty"`
	// Device is the device signed out.
	Device string `json:"device,omitempty"`
	// Until is when a ban ends.
	Until time.Time `json:"until,omitzero"`
	// Nickname is Account's nickname (typing).
	Nickname string `json:"nickname,omitempty"`
}

// The kinds of notices.
const (
	NoticeRead    = "read"    // Account read Room up to ID
	NoticeTyping  = "typing"  // Account (Nickname) is typing in Room
	NoticeRoom    = "room"    // Room changed for Account (made, added to, topic), or a new public Room for everyone
	NoticeRevoke  = "revoke"  // Account signed Device out
	NoticeRenamed = "renamed" // Account has a new nickname
	NoticeLeft    = "left"    // Account left Room, or was kicked out of it
	// NoticeMuted: Account was muted in Room, or unmuted.
	NoticeMuted = "muted"
	// NoticeBanned: Account was banned from Room until Until (and is out
	// of it), or the ban was lifted (zero Until); without Room, from the
	// server.
	NoticeBanned = "banned"
)

// Config holds the optional settings of a Cluster; zero values select the
// defaults in the comments.
type Config struct {
	// Bucket is the presence bucket's name. Default: livechat_presence.
	Bucket string
	// Subject carries the notices. Default: livechat.notice.
	Subject string
	// Refresh is how often a server writes its parts again; TTL, how old
	// a part may be before it counts as empty. Defaults: 20s and 60s.
	Refresh time.Duration
	TTL     time.Duration
}

// Handler receives what the other servers say. Its methods are called
// from one goroutine at a time per kind, and must not block for long.
type Handler interface {
	// Presence is a new part of room's presence from server (an empty
	// part: nobody there any more).
	Presence(room, server string, part Part)
	// Notice is a notice from another server.
	Notice(n Notice)
	// Expire is called every Config.Refresh: parts older than TTL at now
	// are to be dropped (see Cluster.Stale).
	Expire(now time.Time)
}

// Cluster is this server's link to the others. Its methods are safe for
// concurrent use.
type Cluster struct {
	id  string
	cfg Config
	nc  *nats.Conn
	kv  jetstream.KeyValue
	log *slog.Logger

	// pending are the parts waiting to be written, latest first: a
	// storm of changes to one room costs one write.
	mu      sync.Mutex
	pending map[string]Part
	mine    map[string]Part // the parts last written, refreshed
	wake    chan struct{}
}

// New opens the presence bucket on js and returns the link of a server
// with a new random id.
func New(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, cfg Config, log *slog.Logger) (*Cluster, error) {
	if cfg.Bucket == "" {
		cfg.Bucket = "livechat_presence"
	}
	if cfg.Subject == "" {
		cfg.Subject = "livechat.notice"
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 20 * time.Second
	}
	if cfg.TTL <= cfg.Refresh {
		cfg.TTL = 3 * cfg.Refresh
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:   cfg.Bucket,
		History:  1,
		Storage:  jetstream.MemoryStorage,
		TTL:      cfg.TTL,
		MaxBytes: 256 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("open presence bucket %s: %w", cfg.Bucket, err)
	}
	return &Cluster{
		id:      strings.ToLower(nuid.Next()),
		cfg:     cfg,
		nc:      nc,
		kv:      kv,
		log:     log,
		pending: make(map[string]Part),
		mine:    make(map[string]Part),
		wake:    make(chan struct{}, 1),
	}, nil
}

// ID returns this server's id among the others.
func (c *Cluster) ID() string { return c.id }

// key returns the key of the part of room written by server.
func key(room, server string) string { return room + "." + server }

// SetPresence records this server's part of room's presence, to be
// written soon; only the latest part of a room is written. An empty part
// removes it.
func (c *Cluster) SetPresence(room string, p Part) {
	c.mu.Lock()
	c.pending[room] = p
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Presence returns the other servers' parts of room's presence, by
// server id, leaving out the stale ones.
func (c *Cluster) Presence(ctx context.Context, room string) (map[string]Part, error) {
	lister, err := c.kv.ListKeysFiltered(ctx, key(room, "*"))
	if err != nil {
		return nil, fmt.Errorf("list presence of %s: %w", room, err)
	}
	parts := make(map[string]Part)
	for k := range lister.Keys() {
		server := k[len(room)+1:]
		if server == c.id {
			continue
		}
		e, err := c.kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read presence %s: %w", k, err)
		}
		var p Part
		if json.Unmarshal(e.Value(), &p) == nil && !c.Stale(p, time.Now()) {
			parts[server] = p
		}
	}
	return parts, ctx.Err()
}

// Stale reports whether p is too old to count at now.
func (c *Cluster) Stale(p Part, now time.Time) bool { return now.Sub(p.At) > c.cfg.TTL }

// Notify sends n to the other servers.
func (c *Cluster) Notify(n Notice) {
	n.From = c.id
	data, _ := json.Marshal(n)
	if err := c.nc.Publish(c.cfg.Subject, data); err != nil {
		c.log.Warn("send a notice to the other servers", "kind", n.Kind, "err", err)
	}
}

// Run writes this server's parts, refreshes them, and hands what the
// other servers say to h, until ctx ends; then it removes this server's
// parts, best effort.
func (c *Cluster) Run(ctx context.Context, h Handler) error {
	sub, err := c.nc.Subscribe(c.cfg.Subject, func(msg *nats.Msg) {
		var n Notice
		if json.Unmarshal(msg.Data, &n) == nil && n.From != c.id {
			h.Notice(n)
		}
	})
	if err != nil {
		return fmt.Errorf("subscribe to notices: %w", err)
	}
	defer sub.Unsubscribe()
	w, err := c.kv.WatchAll(ctx, jetstream.UpdatesOnly())
	if err != nil {
		return fmt.Errorf("watch presence: %w", err)
	}
	defer w.Stop()

	refresh := time.NewTicker(c.cfg.Refresh)
	defer refresh.Stop()
	for {
		select {
		case <-ctx.Done():
			c.removeAll()
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("the presence watch ended")
			}
			if e != nil {
				c.watched(e, h)
			}
		case <-c.wake:
			c.write(ctx)
		case now := <-refresh.C:
			h.Expire(now)
			c.mu.Lock()
			for room, p := range c.mine {
				if _, ok := c.pending[room]; !ok {
					c.pending[room] = p
				}
			}
			c.mu.Unlock()
			c.write(ctx)
		}
	}
}

// watched hands a change of another server's part to h.
func (c *Cluster) watched(e jetstream.KeyValueEntry, h Handler) {
	room, server, ok := strings.Cut(e.Key(), ".")
	if !ok || server == c.id {
		return
	}
	var p Part
	if e.Operation() == jetstream.KeyValuePut {
		if err := json.Unmarshal(e.Value(), &p); err != nil {
			c.log.Warn("a presence part cannot be read", "key", e.Key(), "err", err)
			return
		}
	}
	h.Presence(room, server, p)
}

// write writes the pending parts.
func (c *Cluster) write(ctx context.Context) {
	c.mu.Lock()
	pending := c.pending
	c.pending = make(map[string]Part)
	c.mu.Unlock()
	for room, p := range pending {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		var err error
		if p.Count == 0 {
			err = c.kv.Delete(wctx, key(room, c.id))
			c.mu.Lock()
			delete(c.mine, room)
			c.mu.Unlock()
		} else {
			p.At = time.Now().UTC()
			data, _ := json.Marshal(p)
			_, err = c.kv.Put(wctx, key(room, c.id), data)
			c.mu.Lock()
			c.mine[room] = p
			c.mu.Unlock()
		}
		cancel()
		if err != nil && ctx.Err() == nil {
			c.log.Warn("write presence", "room", room, "err", err)
		}
	}
}

// removeAll removes this server's parts, so the others need not wait for
// them to go stale.
func (c *Cluster) removeAll() {
	c.mu.Lock()
	rooms := make([]string, 0, len(c.mine))
	for room := range c.mine {
		rooms = append(rooms, room)
	}
	c.mine = make(map[string]Part)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, room := range rooms {
		c.kv.Delete(ctx, key(room, c.id))
	}
}

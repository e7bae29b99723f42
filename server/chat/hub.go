//go:build !js

package chat

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"livechat/server/account"
	"livechat/server/limit"
	roomdir "livechat/server/room"
	"livechat/shared"
)

// Config holds the hub's optional settings. The zero value of each field
// selects the default given in its comment.
type Config struct {
	// Server names the software in welcome events, e.g. "livechat 1.2.0".
	// Default: "livechat".
	Server string
	// SendQueueBytes bounds the bytes that may wait to be written to one
	// connection. Live events that would exceed it close the connection
	// with status 1008 (too slow); the connection's own requests are not
	// read while more than half of it waits, so a client that asks for
	// more than it reads is slowed down instead. Default: 4 MiB.
	SendQueueBytes int
	// TotalQueueBytes bounds the bytes waiting for all connections
	// together: once it is reached, a connection that holds more than
	// 512 KiB (far more than a reader that keeps up) is closed as too slow
	// instead of growing the server. Default: 256 MiB.
	TotalQueueBytes int64
	// PingInterval is how long a connection may be silent before the
	// server pings it. Default: 15s.
	PingInterval time.Duration
	// PingTimeout is how long the server waits for the pong before it
	// gives the peer up for dead. Default: 10s.
	PingTimeout time.Duration
	// WriteTimeout is the longest a write to a peer may take before the
	// server gives the peer up for dead. Default: PingTimeout.
	WriteTimeout time.Duration
	// MaxRooms is how many rooms may be open at once. Default: 1000.
	MaxRooms int
	// MaxJoined is how many rooms one connection may be in. Default: 500.
	MaxJoined int
	// History is how many recent messages a join gets when it does not
	// say: nil means shared.DefaultHistory; 0 none; at most
	// shared.MaxHistory.
	History *int
	// PresenceDelay is how long presence changes are gathered into one
	// presence_update event. Default: 250ms.
	PresenceDelay time.Duration
	// Limits are how much one connection, account or address may do. The
	// zero value is no limit (see DefaultLimits).
	Limits Limits
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
	// Metrics receives the hub's counts and latencies. Default: none.
	Metrics Metrics
}

// budgetFloor is what one connection may always have waiting, whatever
// the total (see Config.TotalQueueBytes).
const budgetFloor = 512 << 10

func (c *Config) setDefaults() {
	if c.Server == "" {
		c.Server = "livechat"
	}
	if c.SendQueueBytes <= 0 {
		c.SendQueueBytes = 4 << 20
	}
	if c.TotalQueueBytes <= 0 {
		c.TotalQueueBytes = 256 << 20
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 15 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 10 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = c.PingTimeout
	}
	if c.MaxRooms <= 0 {
		c.MaxRooms = 1000
	}
	if c.MaxJoined <= 0 {
		c.MaxJoined = 500
	}
	if c.History == nil {
		c.History = new(shared.DefaultHistory)
	}
	c.History = new(min(max(*c.History, 0), shared.MaxHistory))
	if c.PresenceDelay <= 0 {
		c.PresenceDelay = 250 * time.Millisecond
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Metrics == nil {
		c.Metrics = noMetrics{}
	}
}

// Log is the durable message log of the rooms; *store.Store is the one
// livechat uses. Messages are delivered to members only once stored.
type Log interface {
	// EnsureRoom prepares a room for messages.
	EnsureRoom(ctx context.Context, room string) error
	// AppendAsync stores m in m.Room and then calls done with its id; a
	// message with a dedupeID already stored is not stored again
	// (duplicate is true and id is the first copy's). done must not block.
	AppendAsync(m shared.Message, dedupeID string, done func(id uint64, duplicate bool, err error)) error
	// Bounds returns the ids of the oldest and newest message kept (first
	// is last+1 when there are none).
	Bounds(ctx context.Context, room string) (first, last uint64, err error)
	// Range returns the messages with ids from..to, oldest first.
	Range(ctx context.Context, room string, from, to uint64) ([]shared.Message, error)
	// Subscribe calls deliver in order for messages stored from now on,
	// one or several at a time; some may repeat or be missing (see
	// store.Store.Subscribe).
	Subscribe(room string, deliver func([]shared.Message)) (stop func(), err error)
	// Erase removes a message for good (see moderation.go).
	Erase(ctx context.Context, room string, id uint64) error
	// LastEvent, AppendEvent and Events read and store the events about
	// messages (see events.go and store.Store.AppendEvent): AppendEvent
	// returns kv.ErrConflict when prev is no longer the newest.
	LastEvent(ctx context.Context, room string, of uint64) (shared.Message, bool, error)
	AppendEvent(ctx context.Context, e shared.Message, prev uint64, dedupeID string) (id uint64, duplicate bool, err error)
	Events(ctx context.Context, room string, ids []uint64) (map[uint64]shared.Message, error)
	// CountSaid returns how many messages said (not events) follow after.
	CountSaid(ctx context.Context, room string, after uint64) (int, error)
}

// Accounts signs people in and finds them; *account.Accounts is the one
// livechat uses.
type Accounts interface {
	// Register creates an account for nickname with a first device.
	Register(ctx context.Context, nickname, device string) (account.Account, string, error)
	// Authenticate returns the account and device of a credential.
	Authenticate(ctx context.Context, credential string) (account.Account, string, error)
	// SignIn checks a password and adds a device.
	SignIn(ctx context.Context, nickname, password, device string) (account.Account, string, error)
	// Get returns an account by id; Lookup, by nickname (or a look-alike).
	Get(ctx context.Context, id string) (account.Account, error)
	Lookup(ctx context.Context, nickname string) (account.Account, error)
	// SetPassword, Revoke and Rename change an account.
	SetPassword(ctx context.Context, id, password string) error
	Revoke(ctx context.Context, id, device string) (account.Account, error)
	Rename(ctx context.Context, id, nickname string) (account.Account, error)
	// SignUp is Register, with the invite an invite-only server needs.
	SignUp(ctx context.Context, nickname, device, invite string) (account.Account, string, error)
	// Settings, SetSettings and NewSignupInvite are the server's own
	// settings, which its admin changes.
	Settings(ctx context.Context) (account.Settings, error)
	SetSettings(ctx context.Context, by string, s account.Settings) error
	NewSignupInvite(ctx context.Context, by string, maxUses int, ttl time.Duration) (account.SignupInvite, error)
	// BeginAddPasskey, AddPasskey, BeginPasskeySignIn, PasskeySignIn
	// and RemovePasskey are passkeys (WebAuthn), on a page of origin.
	BeginAddPasskey(ctx context.Context, id, origin string) (*account.Ceremony, json.RawMessage, error)
	AddPasskey(ctx context.Context, c *account.Ceremony, response []byte, name string) (account.Account, error)
	BeginPasskeySignIn(origin string) (*account.Ceremony, json.RawMessage, error)
	PasskeySignIn(ctx context.Context, c *account.Ceremony, response []byte, device string) (account.Account, string, error)
	RemovePasskey(ctx context.Context, id, passkey string) (account.Account, error)
	// Forget drops what is cached of an account another server changed.
	Forget(id string)
	// Ban, BanAddress and AddressBannedUntil are the server's bans
	// (moderation.go).
	Ban(ctx context.Context, id string, b account.Ban) (account.Account, error)
	BanAddress(ctx context.Context, addr netip.Addr, by string, until time.Time, reason string) (netip.Prefix, error)
	AddressBannedUntil(ctx context.Context, addr netip.Addr) (time.Time, error)
}

// Deps are what a hub keeps its data in.
type Deps struct {
	// Log stores the rooms' messages.
	Log Log
	// Accounts are the people.
	Accounts Accounts
	// Rooms are the rooms, who may read them, and read positions.
	Rooms *roomdir.Directory
	// Cluster links the hub to the other servers on the same NATS; nil
	// when it is alone.
	Cluster Cluster
	// Audit keeps the record of moderation actions; nil: they are only
	// logged, and the audit log reads empty.
	Audit AuditLog
}

// Hub connects the sessions of the people in each room. All methods are
// safe for concurrent use.
type Hub struct {
	// events takes turns among the writers of events about one message
	// on this server (see annotate), by a hash of the message.
	events [eventLocks]sync.Mutex

	cfg      Config
	store    Log
	accounts Accounts
	dir      *roomdir.Directory
	cluster  Cluster // nil when alone
	audit    AuditLog
	log      *slog.Logger
	budget   *budget
	limits   *limiters
	// pace is slow mode on this server (moderation.go).
	pace pace

	// stopCluster ends runCluster, which has ended once clusterDone is
	// done; both are set with a cluster.
	stopCluster context.CancelFunc
	clusterDone sync.WaitGroup

	closing atomic.Bool // set by Shutdown

	// mu guards the fields below, and rooms' refs and sessions' lastPing.
	// It is never held while taking a room's mu, nor the other way round.
	mu       sync.Mutex
	rooms    map[string]*room
	sessions map[*session]struct{}
	// people are the signed-in sessions, by account id.
	people map[string]map[*session]struct{}
	// idle is broadcast when the last session ends.
	idle *sync.Cond
	// addrConns are the connections by address key, and addrRooms the
	// rooms open here that each address key opened (see Limits).
	addrConns map[string]int
	addrRooms map[string]int

	// names are the nicknames history shows for message authors.
	names names

	// tasks are work done after a request was answered (recording
	// mentions); Shutdown waits for them. tasksMu guards starting one
	// against the wait (see later).
	tasks       sync.WaitGroup
	tasksMu     sync.Mutex
	tasksClosed bool

	stopBeat chan struct{} // closed by Shutdown to stop heartbeat
	beatDone chan struct{}
}

// NewHub returns a hub of the rooms and people in deps.
func NewHub(cfg Config, deps Deps, log *slog.Logger) *Hub {
	cfg.setDefaults()
	h := &Hub{
		cfg:      cfg,
		store:    deps.Log,
		accounts: deps.Accounts,
		dir:      deps.Rooms,
		cluster:  deps.Cluster,
		audit:    deps.Audit,
		people:   make(map[string]map[*session]struct{}),
		log:      log,
		budget:   &budget{limit: cfg.TotalQueueBytes, floor: budgetFloor},
		limits:   newLimiters(cfg.Limits),

		addrConns: make(map[string]int),
		addrRooms: make(map[string]int),
		rooms:     make(map[string]*room),
		sessions:  make(map[*session]struct{}),
	}
	h.idle = sync.NewCond(&h.mu)
	h.stopBeat, h.beatDone = make(chan struct{}), make(chan struct{})
	go h.heartbeat()
	if h.cluster != nil {
		ctx, stop := context.WithCancel(context.Background())
		h.stopCluster = stop
		h.clusterDone.Go(func() { h.runCluster(ctx) })
	}
	return h
}

// heartbeat pings every session each PingInterval, from one goroutine
// for all rather than a timer per session, until Shutdown.
func (h *Hub) heartbeat() {
	defer close(h.beatDone)
	t := time.NewTicker(max(h.cfg.PingInterval/16, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-h.stopBeat:
			return
		case now := <-t.C:
			h.mu.Lock()
			for s := range h.sessions {
				if now.Sub(s.lastPing) >= h.cfg.PingInterval {
					s.lastPing = now
					s.out.spawn(func() { s.heartbeat(now) })
				}
			}
			h.mu.Unlock()
		}
	}
}

// Peer is who opened a connection.
type Peer struct {
	// Origin is the Origin header of the page that opened it ("" for
	// other programs), already checked against the allowed origins.
	Origin string
	// Addr is the client's IP address (behind a trusted reverse proxy,
	// the one the proxy names). Limits per address use it.
	Addr netip.Addr
}

// Serve takes an accepted connection and returns at once: the session
// speaks the protocol on goroutines of its own until the peer leaves, the
// connection fails, or Shutdown ends it, and then closes ws. log receives
// the session's events. The connection counts against its address's
// limit from Admit on, which it should have passed.
func (h *Hub) Serve(ws *websocket.Conn, peer Peer, log *slog.Logger) {
	s := newSession(h, ws, log)
	s.origin, s.addr = peer.Origin, peer.Addr
	s.addrKey, s.exempt = addrKey(peer.Addr), h.limits.exempt(peer.Addr)
	if !s.exempt {
		for a, r := range h.limits.rates() {
			s.buckets[a] = limit.New(r)
		}
	}
	h.mu.Lock()
	if h.closing.Load() {
		h.unadmitLocked(s.addrKey)
		h.mu.Unlock()
		ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	h.sessions[s] = struct{}{}
	s.lastPing = time.Now()
	h.mu.Unlock()

	go func() {
		s.run(context.Background())
		h.mu.Lock()
		delete(h.sessions, s)
		h.unadmitLocked(s.addrKey)
		if s.you.ID != "" {
			delete(h.people[s.you.ID], s)
			if len(h.people[s.you.ID]) == 0 {
				delete(h.people, s.you.ID)
			}
		}
		if len(h.sessions) == 0 {
			h.idle.Broadcast()
		}
		h.mu.Unlock()
	}()
}

// Shutdown stops the hub: new connections are refused, every connection is
// told the server is going away (status 1001) after its queued frames are
// written, and Shutdown waits for the sessions to end. Connections whose
// peer has not completed the close handshake when ctx ends are closed at
// once; that is logged, not returned as an error: nothing queued is lost.
func (h *Hub) Shutdown(ctx context.Context) error {
	if !h.closing.Swap(true) {
		close(h.stopBeat)
	}
	<-h.beatDone
	h.mu.Lock()
	sessions := make([]*session, 0, len(h.sessions))
	for s := range h.sessions {
		sessions = append(sessions, s)
	}
	h.mu.Unlock()

	bye := newCloseFrame(websocket.StatusGoingAway, "the server is restarting")
	for _, s := range sessions {
		s.stop(bye)
	}

	done := make(chan struct{})
	go func() {
		h.mu.Lock()
		for len(h.sessions) > 0 {
			h.idle.Wait()
		}
		h.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		h.mu.Lock()
		h.log.Warn("closing connections that did not finish the close handshake", "connections", len(h.sessions))
		for s := range h.sessions {
			s.ws.CloseNow()
		}
		h.mu.Unlock()
		<-done
	}
	h.tasksMu.Lock()
	h.tasksClosed = true
	h.tasksMu.Unlock()
	h.tasks.Wait()
	if h.stopCluster != nil {
		h.stopCluster() // and this server's presence is removed
		h.clusterDone.Wait()
	}
	return nil
}

// later runs fn on a goroutine of its own, which Shutdown waits for; once
// Shutdown waits, it runs fn at once instead.
func (h *Hub) later(fn func()) {
	h.tasksMu.Lock()
	if h.tasksClosed {
		h.tasksMu.Unlock()
		fn()
		return
	}
	h.tasks.Add(1)
	h.tasksMu.Unlock()
	go func() {
		defer h.tasks.Done()
		fn()
	}()
}

// signedIn records that s is signed in as s.you.
func (h *Hub) signedIn(s *session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.people[s.you.ID] == nil {
		h.people[s.you.ID] = make(map[*session]struct{})
	}
	h.people[s.you.ID][s] = struct{}{}
}

// sessionsOf returns the sessions of the person with account id.
func (h *Hub) sessionsOf(id string) []*session {
	h.mu.Lock()
	defer h.mu.Unlock()
	ss := make([]*session, 0, len(h.people[id]))
	for s := range h.people[id] {
		ss = append(ss, s)
	}
	return ss
}

// Connections returns how many connections the hub serves.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// QueuedBytes returns the bytes waiting to be written to all connections
// now, and the most that ever waited at once.
func (h *Hub) QueuedBytes() (now, peak int64) {
	return h.budget.used.Load(), h.budget.peak.Load()
}

func (h *Hub) now() time.Time {
	return h.cfg.Now().UTC().Truncate(time.Millisecond)
}

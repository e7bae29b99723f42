//go:build !js

package chat

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/coder/websocket"

	"livechat/shared"
)

// Config holds the hub's optional settings. The zero value of each field
// selects the default given in its comment.
type Config struct {
	// Server names the software in welcome events, e.g. "livechat 1.2.0".
	// Default: "livechat".
	Server string
	// SendQueue is how many frames may wait for a slow reader before its
	// connection is closed with status 1008. Default: 1024.
	SendQueue int
	// PingInterval is how long a connection may be silent before the
	// server pings it. Default: 15s.
	PingInterval time.Duration
	// PingTimeout is how long the server waits for the pong, and the
	// longest a single write may take, before it gives the peer up for
	// dead. Default: 10s.
	PingTimeout time.Duration
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
}

func (c *Config) setDefaults() {
	if c.Server == "" {
		c.Server = "livechat"
	}
	if c.SendQueue <= 0 {
		c.SendQueue = 1024
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 15 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 10 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Hub connects the sessions of the people in each room. All methods are
// safe for concurrent use.
type Hub struct {
	cfg Config
	log *slog.Logger

	// mu guards the fields below and is taken before any room's mu.
	mu       sync.Mutex
	rooms    map[string]*room
	sessions map[*session]struct{}
	closing  bool
	// idle is broadcast when the last session ends.
	idle *sync.Cond
}

// NewHub returns a hub that logs to log.
func NewHub(cfg Config, log *slog.Logger) *Hub {
	cfg.setDefaults()
	h := &Hub{
		cfg:      cfg,
		log:      log,
		rooms:    make(map[string]*room),
		sessions: make(map[*session]struct{}),
	}
	h.idle = sync.NewCond(&h.mu)
	return h
}

// Serve speaks the protocol on an accepted connection until the peer
// leaves, the connection fails, or Shutdown ends it. Serve owns ws and
// closes it before returning. ctx bounds the whole session; log receives
// the session's events.
func (h *Hub) Serve(ctx context.Context, ws *websocket.Conn, log *slog.Logger) {
	s := newSession(h, ws, log)
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	h.sessions[s] = struct{}{}
	h.mu.Unlock()

	s.run(ctx)

	h.mu.Lock()
	delete(h.sessions, s)
	if len(h.sessions) == 0 {
		h.idle.Broadcast()
	}
	h.mu.Unlock()
}

// Shutdown stops the hub: new connections are refused, every connection is
// told the server is going away (status 1001) after its queued frames are
// written, and Shutdown waits for all sessions to end. If ctx ends first,
// the remaining connections are closed at once and ctx's error returned.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	sessions := make([]*session, 0, len(h.sessions))
	for s := range h.sessions {
		sessions = append(sessions, s)
	}
	h.mu.Unlock()

	for _, s := range sessions {
		s.stop(websocket.StatusGoingAway, "server shutting down")
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
		return nil
	case <-ctx.Done():
		h.mu.Lock()
		for s := range h.sessions {
			s.ws.CloseNow()
		}
		h.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// Connections returns how many connections the hub serves.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// room is the set of sessions joined under one name.
type room struct {
	name string

	mu      sync.Mutex
	members map[string]*session // by nickname key
	lastID  uint64
}

// join admits s under nickname into the room called name, creating it if
// needed, and queues welcome and presence for s and joined for the others.
// If the nickname is held by a session whose token equals token, s
// replaces it silently.
func (h *Hub) join(s *session, name, nickname, token string) error {
	key := shared.NicknameKey(nickname)

	h.mu.Lock()
	r := h.rooms[name]
	if r == nil {
		r = &room{name: name, members: make(map[string]*session)}
		h.rooms[name] = r
	}
	r.mu.Lock()
	h.mu.Unlock()
	defer r.mu.Unlock()

	old, taken := r.members[key]
	replacing := taken && token != "" && subtle.ConstantTimeCompare([]byte(old.token), []byte(token)) == 1
	if taken && !replacing {
		return shared.Errorf(shared.CodeNicknameTaken, "%q is already taken in #%s (by %q)", nickname, name, old.nickname)
	}
	if replacing {
		// The person never left: keep the nickname as others know it.
		nickname, token = old.nickname, old.token
		old.stop(shared.StatusReplaced, "replaced by a newer connection")
	} else {
		token = newToken()
	}
	r.members[key] = s
	s.room, s.nickname, s.key, s.token = r, nickname, key, token

	keys := make([]string, 0, len(r.members))
	for k := range r.members {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	users := make([]string, len(keys))
	for i, k := range keys {
		users[i] = r.members[k].nickname
	}
	s.send(shared.TypeWelcome, "", shared.Welcome{
		Nickname: nickname,
		Room:     name,
		Server:   h.cfg.Server,
		Protocol: shared.ProtocolVersion,
		Limits:   shared.DefaultLimits,
		Session:  token,
	})
	s.send(shared.TypePresence, "", shared.Presence{Room: name, Users: users})
	if !replacing {
		r.broadcast(h, s, shared.TypeJoined, shared.PresenceChange{
			Room: name, Nickname: nickname, At: h.now(), Online: len(r.members),
		})
	}
	return nil
}

// newToken returns a random session token.
func newToken() string {
	return rand.Text()
}

// leave removes s from its room, if it joined one, and tells the others
// unless the hub is shutting down.
func (h *Hub) leave(s *session) {
	r := s.room
	if r == nil {
		return
	}
	s.room = nil
	h.mu.Lock()
	defer h.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.members[s.key] != s {
		return // replaced by a newer connection of its session
	}
	delete(r.members, s.key)
	if len(r.members) == 0 {
		delete(h.rooms, r.name)
		return
	}
	if !h.closing {
		r.broadcast(h, nil, shared.TypeLeft, shared.PresenceChange{
			Room: r.name, Nickname: s.nickname, At: h.now(), Online: len(r.members),
		})
	}
}

// say sends text from s to everyone in its room, s included.
func (h *Hub) say(s *session, clientID, text string) {
	r := s.room
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.members[s.key] != s {
		return // replaced: the newer connection speaks for this nickname
	}
	r.lastID++
	r.broadcast(h, nil, shared.TypeMessage, shared.Message{
		ID:       r.lastID,
		Room:     r.name,
		From:     s.nickname,
		Text:     text,
		At:       h.now(),
		ClientID: clientID,
	})
}

// broadcast encodes an event once and queues it for every member but
// except. Members whose queue is full are disconnected as too slow. The
// caller holds r.mu, so every member sees the room's events in one order.
func (r *room) broadcast(h *Hub, except *session, t shared.Type, payload any) {
	frame, err := shared.Encode(t, "", payload)
	if err != nil {
		h.log.Error("encode event", "type", t, "room", r.name, "err", err)
		return
	}
	for _, m := range r.members {
		if m != except {
			m.push(frame)
		}
	}
}

func (h *Hub) now() time.Time {
	return h.cfg.Now().UTC().Truncate(time.Millisecond)
}

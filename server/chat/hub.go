//go:build !js

package chat

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
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
	// MaxRooms is how many rooms may be open at once. Default: 1000.
	MaxRooms int
	// History is how many recent messages a join gets when it does not
	// say. Default: shared.DefaultHistory; at most shared.MaxHistory.
	History int
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
	if c.MaxRooms <= 0 {
		c.MaxRooms = 1000
	}
	if c.History <= 0 {
		c.History = shared.DefaultHistory
	}
	c.History = min(c.History, shared.MaxHistory)
	if c.Now == nil {
		c.Now = time.Now
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
}

// Hub connects the sessions of the people in each room. All methods are
// safe for concurrent use.
type Hub struct {
	cfg   Config
	store Log
	log   *slog.Logger

	closing atomic.Bool // set by Shutdown

	// mu guards the fields below, and rooms' refs and sessions' lastPing.
	// It is never held while taking a room's mu, nor the other way round.
	mu       sync.Mutex
	rooms    map[string]*room
	sessions map[*session]struct{}
	// idle is broadcast when the last session ends.
	idle *sync.Cond

	stopBeat chan struct{} // closed by Shutdown to stop heartbeat
	beatDone chan struct{}
}

// NewHub returns a hub whose rooms keep their messages in store.
func NewHub(cfg Config, store Log, log *slog.Logger) *Hub {
	cfg.setDefaults()
	h := &Hub{
		cfg:      cfg,
		store:    store,
		log:      log,
		rooms:    make(map[string]*room),
		sessions: make(map[*session]struct{}),
	}
	h.idle = sync.NewCond(&h.mu)
	h.stopBeat, h.beatDone = make(chan struct{}), make(chan struct{})
	go h.heartbeat()
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

// Serve takes an accepted connection and returns at once: the session
// speaks the protocol on goroutines of its own until the peer leaves, the
// connection fails, or Shutdown ends it, and then closes ws. log receives
// the session's events.
func (h *Hub) Serve(ws *websocket.Conn, log *slog.Logger) {
	s := newSession(h, ws, log)
	h.mu.Lock()
	if h.closing.Load() {
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
	case <-ctx.Done():
		h.mu.Lock()
		h.log.Warn("closing connections that did not finish the close handshake", "connections", len(h.sessions))
		for s := range h.sessions {
			s.ws.CloseNow()
		}
		h.mu.Unlock()
		<-done
	}
	return nil
}

// Connections returns how many connections the hub serves.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// room is the set of sessions joined under one name on this server, and
// the live feed of the room's stored messages.
type room struct {
	name string
	refs int // sessions in the room or joining it; guarded by Hub.mu

	setup    sync.Once
	setupErr error
	stopLive func()

	mu      sync.Mutex
	members map[string]*session // by nickname key
	ready   bool                // last is known
	early   []shared.Message    // delivered before ready
	last    uint64              // id of the last message delivered
	// presence holds joined and left events not yet sent; flush sends them
	// to every member in one write each, after presenceDelay or before the
	// next message, whichever comes first. A member is sent only those
	// after its mark.
	presence      [][]byte
	presenceTimer *time.Timer
	closed        bool // released: no more flushes
}

// presenceDelay is how long presence events may wait to be sent together.
// When many people come and go at once (a server restart, a class that
// starts), each member then gets one write per interval instead of one
// per person.
const presenceDelay = 250 * time.Millisecond

// storeTimeout bounds one operation on the message store.
const storeTimeout = 10 * time.Second

// enter returns the room called name, opening it on this server if needed,
// and holds it for s until release.
func (h *Hub) enter(ctx context.Context, name string) (*room, error) {
	h.mu.Lock()
	if h.closing.Load() {
		h.mu.Unlock()
		return nil, shared.Errorf(shared.CodeInternal, "the server is shutting down")
	}
	r := h.rooms[name]
	if r == nil {
		if len(h.rooms) >= h.cfg.MaxRooms {
			h.mu.Unlock()
			return nil, shared.Errorf(shared.CodeRoomInvalid, "this server has %d rooms open, its limit", h.cfg.MaxRooms)
		}
		r = &room{name: name, members: make(map[string]*session)}
		h.rooms[name] = r
	}
	r.refs++
	h.mu.Unlock()

	r.setup.Do(func() { r.setupErr = h.open(ctx, r) })
	if r.setupErr != nil {
		h.release(r)
		h.log.Error("open room", "room", name, "err", r.setupErr)
		return nil, shared.Errorf(shared.CodeInternal, "the room cannot be opened now; try again")
	}
	return r, nil
}

// open prepares the room's stream and subscribes to its live messages.
func (h *Hub) open(ctx context.Context, r *room) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := h.store.EnsureRoom(ctx, r.name); err != nil {
		return err
	}
	stop, err := h.store.Subscribe(r.name, func(ms []shared.Message) { h.deliver(r, ms) })
	if err != nil {
		return err
	}
	// Subscribed first, so no message falls between the two.
	_, last, err := h.store.Bounds(ctx, r.name)
	if err != nil {
		stop()
		return err
	}
	r.stopLive = stop
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last, r.ready = last, true
	h.deliverLocked(r, r.early)
	r.early = nil
	return nil
}

// release lets go of a room held by enter; the last one out closes it.
func (h *Hub) release(r *room) {
	h.mu.Lock()
	r.refs--
	var stop func()
	if r.refs == 0 {
		delete(h.rooms, r.name)
		stop = r.stopLive
	}
	h.mu.Unlock()
	if stop != nil {
		stop()
		r.mu.Lock()
		r.closed = true
		if r.presenceTimer != nil {
			r.presenceTimer.Stop()
		}
		r.mu.Unlock()
	}
}

// deliver fans stored messages out to the room's members, in id order:
// repeats are dropped and gaps are read back from the store.
func (h *Hub) deliver(r *room, ms []shared.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ready {
		r.early = append(r.early, ms...)
		return
	}
	h.deliverLocked(r, ms)
}

// deliverLocked encodes each new message once and queues them all for
// every member at once. The caller holds r.mu.
func (h *Hub) deliverLocked(r *room, ms []shared.Message) {
	frames := make([][]byte, 0, len(ms))
	add := func(m shared.Message) {
		frame, err := shared.Encode(shared.TypeMessage, "", m)
		if err != nil {
			h.log.Error("encode message", "room", r.name, "err", err)
			return
		}
		frames = append(frames, frame)
		r.last = m.ID
	}
	for _, m := range ms {
		if m.ID <= r.last {
			continue
		}
		if m.ID > r.last+1 {
			ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
			missed, err := h.store.Range(ctx, r.name, r.last+1, m.ID-1)
			cancel()
			if err != nil {
				h.log.Error("read missed messages", "room", r.name, "from", r.last+1, "to", m.ID-1, "err", err)
			}
			for _, mm := range missed {
				add(mm)
			}
		}
		add(m)
	}
	if len(frames) == 0 {
		return
	}
	r.flushPresence() // keep presence and messages in order
	for _, s := range r.members {
		s.pushLive(frames...)
	}
}

// join admits s under nickname into r, queues welcome, presence and the
// history the join asks for to s, and joined to the others. If the
// nickname is held by a session whose token equals j.Session, s replaces
// it silently. Live messages that arrive meanwhile wait until the history
// is queued, so s gets every message once, in order.
func (h *Hub) join(ctx context.Context, s *session, r *room, nickname string, j shared.Join) error {
	key := shared.NicknameKey(nickname)
	r.mu.Lock()
	old, taken := r.members[key]
	replacing := taken && j.Session != "" && subtle.ConstantTimeCompare([]byte(old.token), []byte(j.Session)) == 1
	if taken && !replacing {
		r.mu.Unlock()
		return shared.Errorf(shared.CodeNicknameTaken, "%q is already taken in #%s (by %q)", nickname, r.name, old.nickname)
	}
	token := newToken()
	if replacing {
		// The person never left: keep the nickname as others know it.
		nickname, token = old.nickname, old.token
		old.stop(shared.StatusReplaced, "replaced by a newer connection")
	}
	r.members[key] = s
	s.room, s.nickname, s.key, s.token = r, nickname, key, token
	s.catchingUp = true
	last := r.last
	// Presence events still waiting predate this join: the snapshot below
	// has them.
	s.presenceMark = len(r.presence)

	s.send(shared.TypeWelcome, "", shared.Welcome{
		Nickname: nickname,
		Room:     r.name,
		Server:   h.cfg.Server,
		Protocol: shared.ProtocolVersion,
		Limits:   shared.DefaultLimits,
		Session:  token,
		Last:     last,
	})
	s.send(shared.TypePresence, "", shared.Presence{Room: r.name, Users: r.users()})
	if !replacing {
		r.announce(h, shared.TypeJoined, shared.PresenceChange{
			Room: r.name, Nickname: nickname, At: h.now(), Online: len(r.members),
		})
		s.presenceMark = len(r.presence) // not its own
	}
	r.mu.Unlock()

	history, err := h.catchUp(ctx, r.name, j, last)
	if err != nil {
		h.log.Error("read history", "room", r.name, "err", err)
		s.send(shared.TypeError, "", shared.Error{Code: shared.CodeInternal, Message: "the history of the room cannot be read now", Request: shared.TypeJoin})
		history = []shared.History{{Room: r.name, Messages: []shared.Message{}, Live: true}}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, hist := range history {
		s.send(shared.TypeHistory, "", hist)
	}
	s.goLive()
	return nil
}

// users returns the members' nicknames sorted by key. The caller holds
// r.mu.
func (r *room) users() []string {
	keys := make([]string, 0, len(r.members))
	for k := range r.members {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	users := make([]string, len(keys))
	for i, k := range keys {
		users[i] = r.members[k].nickname
	}
	return users
}

// historyChunkBytes bounds the text carried by one History event, to stay
// well under shared.MaxServerFrameBytes.
const historyChunkBytes = 256 << 10

// catchUp reads what a join asks for, up to the message last, and splits
// it into History events; the last one is marked Live. It asks the store
// only for the messages themselves (none when none are wanted): whether
// older ones exist shows in one message more than asked for, and whether
// some were removed, in a missing first id.
func (h *Hub) catchUp(ctx context.Context, room string, j shared.Join, last uint64) ([]shared.History, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	n := uint64(h.cfg.History)
	if j.History != nil {
		n = uint64(min(max(*j.History, 0), shared.MaxHistory))
	}
	head := shared.History{Room: room}
	var msgs []shared.Message
	var err error
	switch {
	case j.Since != nil && *j.Since <= last:
		// Resume: everything after since.
		from := *j.Since + 1
		if msgs, err = h.store.Range(ctx, room, from, last); err != nil {
			return nil, err
		}
		head.Truncated = from <= last && (len(msgs) == 0 || msgs[0].ID > from)
	case n > 0:
		// Recent history, or, when the client knows ids this room never
		// had (its store was reset), recent history marked Reset.
		head.Reset = j.Since != nil
		from := uint64(1)
		if last > n {
			from = last - n // one more than asked, to learn if older exist
		}
		if msgs, err = h.store.Range(ctx, room, from, last); err != nil {
			return nil, err
		}
		if uint64(len(msgs)) > n {
			head.More, msgs = true, msgs[uint64(len(msgs))-n:]
		}
	default:
		head.Reset = j.Since != nil
		head.More = last > 0
	}
	var out []shared.History
	hist, size := head, 0
	for _, m := range msgs {
		if size > 0 && size+len(m.Text)+256 > historyChunkBytes {
			out = append(out, hist)
			hist, size = shared.History{Room: room}, 0
		}
		hist.Messages = append(hist.Messages, m)
		size += len(m.Text) + 256
	}
	if hist.Messages == nil {
		hist.Messages = []shared.Message{}
	}
	hist.Live = true
	return append(out, hist), nil
}

// page answers a history request: the messages just before req.Before.
func (h *Hub) page(ctx context.Context, room string, req shared.HistoryRequest) (shared.History, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	limit := uint64(shared.DefaultHistory)
	if req.Limit > 0 {
		limit = uint64(min(req.Limit, shared.MaxHistory))
	}
	hist := shared.History{Room: room, Before: req.Before, Messages: []shared.Message{}}
	first, last, err := h.store.Bounds(ctx, room)
	if err != nil || req.Before <= first {
		return hist, err
	}
	before := min(req.Before, last+1)
	from := first
	if before > first+limit {
		from = before - limit
	}
	msgs, err := h.store.Range(ctx, room, from, before-1)
	if err != nil {
		return hist, err
	}
	if len(msgs) > 0 {
		hist.Messages = msgs
	}
	hist.More = from > first
	return hist, nil
}

// newToken returns a random session token.
func newToken() string {
	return rand.Text()
}

// leave takes s out of its room, if it joined one, tells the others unless
// the hub is shutting down, and releases the room.
func (h *Hub) leave(s *session) {
	r := s.room
	if r == nil {
		return
	}
	s.room = nil
	r.mu.Lock()
	if r.members[s.key] == s { // not replaced by a newer connection
		delete(r.members, s.key)
		if !h.closing.Load() && len(r.members) > 0 {
			r.announce(h, shared.TypeLeft, shared.PresenceChange{
				Room: r.name, Nickname: s.nickname, At: h.now(), Online: len(r.members),
			})
		}
	}
	r.mu.Unlock()
	h.release(r)
}

// say stores text from s without waiting, so that the reader goes on
// with the next request; once stored, the message reaches the room by the
// live feed and s gets an ack (or an error to retry).
func (h *Hub) say(s *session, clientID, text string) error {
	r := s.room
	r.mu.Lock()
	member := r.members[s.key] == s
	r.mu.Unlock()
	if !member {
		return nil // replaced: the newer connection speaks for this nickname
	}
	m := shared.Message{Room: r.name, From: s.nickname, Text: text, At: h.now(), ClientID: clientID}
	err := h.store.AppendAsync(m, s.key+"\x00"+clientID, func(id uint64, dup bool, err error) {
		if err != nil {
			h.log.Error("store message", "room", r.name, "err", err)
			s.send(shared.TypeError, "", shared.Error{Code: shared.CodeInternal, Message: "the message could not be stored; send it again", Ref: clientID, Request: shared.TypeSay})
			return
		}
		s.send(shared.TypeAck, "", shared.Ack{ClientID: clientID, ID: id, Duplicate: dup})
	})
	if err != nil {
		h.log.Error("store message", "room", r.name, "err", err)
		return shared.Errorf(shared.CodeInternal, "the message could not be stored; send it again")
	}
	return nil
}

// announce encodes a presence event once and queues it to be sent to the
// room's members soon. The caller holds r.mu, so every member sees the
// room's events in one order.
func (r *room) announce(h *Hub, t shared.Type, payload any) {
	frame, err := shared.Encode(t, "", payload)
	if err != nil {
		h.log.Error("encode event", "type", t, "room", r.name, "err", err)
		return
	}
	r.presence = append(r.presence, frame)
	if len(r.presence) == 1 {
		if r.presenceTimer == nil {
			r.presenceTimer = time.AfterFunc(presenceDelay, func() {
				r.mu.Lock()
				defer r.mu.Unlock()
				if !r.closed {
					r.flushPresence()
				}
			})
		} else {
			r.presenceTimer.Reset(presenceDelay)
		}
	}
}

// flushPresence sends the waiting presence events. The caller holds r.mu.
func (r *room) flushPresence() {
	if len(r.presence) == 0 {
		return
	}
	for _, s := range r.members {
		if s.presenceMark < len(r.presence) {
			s.pushLive(r.presence[s.presenceMark:]...)
		}
		s.presenceMark = 0
	}
	r.presence = r.presence[:0]
	r.presenceTimer.Stop()
}

func (h *Hub) now() time.Time {
	return h.cfg.Now().UTC().Truncate(time.Millisecond)
}

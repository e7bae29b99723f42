//go:build !js

package chat

import (
	"context"
	"sort"
	"sync"
	"time"

	"livechat/server/cluster"
	"livechat/shared"
)

// room is the connections of this server that joined one room, the
// people they belong to, and the live feed of the room's stored messages.
type room struct {
	name string
	refs int // connections in the room or joining it; guarded by Hub.mu
	// openedBy is the address key of the connection that opened the room
	// here (see Limits.OpenRoomsPerAddress), "" if exempt; guarded by
	// Hub.mu.
	openedBy string

	setup    sync.Once
	setupErr error
	stopLive func()

	// feed serialises deliveries, which may read the store to fill a gap;
	// it is taken before mu, never the other way round, and never by
	// joins, leaves or messages sent, so a slow store does not stall them.
	feed sync.Mutex

	mu sync.Mutex
	// conns are the connections in the room; people, the people they
	// belong to, by account id: a person is in the room while any of
	// their connections is.
	conns  map[*membership]struct{}
	people map[string]*present
	ready  bool             // last is known
	early  []shared.Message // delivered before ready
	last   uint64           // id of the last message delivered
	closed bool             // released: no more flushes
	// presence gathers the changes not yet announced; see presence.go.
	presence presenceBuffer
	// remote are the other servers' parts of the room's presence, by
	// server id; see cluster.go.
	remote map[string]cluster.Part
	// typists are who is typing (see typing.go); receipts, the read
	// positions (receipts.go).
	typists  typists
	receipts receipts
}

// storeTimeout bounds one operation on the message store.
const storeTimeout = 10 * time.Second

// enter returns the room called name, opening it on this server if needed
// (for a connection from the address key addr, unless exempt from the
// limits per address), and holds it for s until release.
func (h *Hub) enter(ctx context.Context, name, addr string, exempt bool) (*room, error) {
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
		if max := h.limits.cfg.OpenRoomsPerAddress; max > 0 && !exempt && h.addrRooms[addr] >= max {
			h.mu.Unlock()
			h.limited("open_rooms_per_address")
			return nil, shared.Errorf(shared.CodeForbidden, "your address has %d rooms open on this server that nobody else opened: leave one first", max)
		}
		r = &room{name: name, conns: make(map[*membership]struct{}), people: make(map[string]*present)}
		if !exempt {
			r.openedBy = addr
			h.addrRooms[addr]++
		}
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
	r.feed.Lock()
	r.mu.Lock()
	r.last, r.ready = last, true
	early := r.early
	r.early = nil
	r.mu.Unlock()
	r.feed.Unlock()
	if len(early) > 0 {
		h.deliver(r, early)
	}
	h.loadRemote(ctx, r)
	return nil
}

// openRooms returns the rooms open on this server now.
func (h *Hub) openRooms() []*room {
	h.mu.Lock()
	defer h.mu.Unlock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	return rooms
}

// release lets go of a room held by enter; the last one out closes it.
func (h *Hub) release(r *room) {
	h.mu.Lock()
	r.refs--
	var stop func()
	if r.refs == 0 {
		delete(h.rooms, r.name)
		stop = r.stopLive
		if r.openedBy != "" {
			if h.addrRooms[r.openedBy]--; h.addrRooms[r.openedBy] <= 0 {
				delete(h.addrRooms, r.openedBy)
			}
		}
	}
	h.mu.Unlock()
	if stop != nil {
		stop()
		r.mu.Lock()
		r.closed = true
		r.presence.stop()
		if r.receipts.timer != nil {
			r.receipts.timer.Stop()
		}
		r.typists.stop()
		r.mu.Unlock()
		if h.cluster != nil {
			h.cluster.SetPresence(r.name, cluster.Part{}) // nobody here
		}
	}
}

// present is a person in a room: how many of their connections are in it.
type present struct {
	nickname string
	key      string // shared.NicknameKey(nickname), the order of lists
	conns    int
}

// membership is one connection in one room. Its fields are guarded by
// the room's mu.
type membership struct {
	s *session
	r *room
	// While catchingUp, the room's events wait in pending (pendingBytes
	// in all) until the history before them is queued.
	catchingUp   bool
	pending      [][]byte
	pendingBytes int
	// presenceMark is where the room's presence changes stood when this
	// connection's snapshot was taken (see presenceBuffer).
	presenceMark presenceMark
}

// pushLive queues room events, n bytes in all, holding them back while
// the connection catches up. The caller holds the room's lock.
func (m *membership) pushLive(n int, frames ...[]byte) {
	s := m.s
	if !m.catchingUp {
		s.push(n, frames...)
		return
	}
	if queued := m.pendingBytes + s.out.queued(); queued+n > s.hub.cfg.SendQueueBytes {
		s.tooSlow(queued)
		return
	}
	m.pending = append(m.pending, frames...)
	m.pendingBytes += n
}

// goLive queues the events held back while catching up and lets the next
// ones through. The caller holds the room's lock.
func (m *membership) goLive() {
	if len(m.pending) > 0 {
		m.s.push(m.pendingBytes, m.pending...)
	}
	m.catchingUp, m.pending, m.pendingBytes = false, nil, 0
}

// join adds s to r, queues joined, presence and the history the join
// asks for to s, and announces its person to the others if they were not
// in the room yet. Live messages that arrive meanwhile wait until the
// history is queued, so s gets every message once, in order.
func (h *Hub) join(ctx context.Context, s *session, r *room, id string, j shared.Join, history int) error {
	m := &membership{s: s, r: r, catchingUp: true}
	r.mu.Lock()
	r.conns[m] = struct{}{}
	p := r.people[s.you.ID]
	if p == nil {
		nick := s.nickname()
		p = &present{nickname: nick, key: shared.NicknameKey(nick)}
		r.people[s.you.ID] = p
	}
	p.conns++
	s.roomsMu.Lock()
	s.rooms[r.name] = m
	s.roomsMu.Unlock()
	last := r.last

	s.send(shared.TypeJoined, id, shared.Joined{Room: r.name, Last: last})
	s.send(shared.TypePresence, "", r.snapshot())
	if p.conns == 1 {
		r.localChanged(h)
		if !r.inOtherPart(s.you.ID, "") {
			r.announce(h, s.you.ID, p.nickname, true)
		}
	}
	m.presenceMark = r.presence.mark() // the snapshot has its own join too
	r.mu.Unlock()

	if err := h.catchUp(ctx, s, r.name, j, history, last); err != nil {
		// Going live without the history would leave a hole the client
		// cannot see: it reconnects and resumes instead.
		h.log.Error("read history", "room", r.name, "err", err)
		s.stop(newCloseFrame(shared.StatusTryAgain, "the history of the room cannot be read now; reconnect to get it"))
		return nil
	}
	h.sendSeen(ctx, s, r)
	r.mu.Lock()
	defer r.mu.Unlock()
	m.goLive()
	return nil
}

// snapshot returns the room's presence: who is in it, or, in a room too
// big to name everyone, how many. The caller holds r.mu.
func (r *room) snapshot() shared.Presence {
	p := shared.Presence{Room: r.name, Online: r.online()}
	if p.Online > shared.MaxPresenceNames {
		p.Counted = true
		return p
	}
	if p.Users = r.users(); p.Users == nil {
		p.Counted = true // another server counts its people
	}
	return p
}

// users returns the nicknames of the people in the room, on every server,
// sorted by nickname key; nil if another server counts its people rather
// than naming them. The caller holds r.mu.
func (r *room) users() []string {
	if !r.allNamed() {
		return nil
	}
	people := make([]*present, 0, len(r.people))
	for _, p := range r.people {
		people = append(people, p)
	}
	seen := make(map[string]bool)
	for _, part := range r.remote {
		for id, nick := range part.People {
			if r.people[id] == nil && !seen[id] {
				seen[id] = true
				people = append(people, &present{nickname: nick, key: shared.NicknameKey(nick)})
			}
		}
	}
	sort.Slice(people, func(i, j int) bool { return people[i].key < people[j].key })
	users := make([]string, len(people))
	for i, p := range people {
		users[i] = p.nickname
	}
	return users
}

// unsubscribe takes s out of the room called name, tells the others if
// its person has no other connection in it (unless the hub is shutting
// down), and releases the room. It reports whether s was in the room.
func (h *Hub) unsubscribe(s *session, name string) bool {
	s.roomsMu.Lock()
	m := s.rooms[name]
	delete(s.rooms, name)
	s.roomsMu.Unlock()
	if m == nil {
		return false
	}
	r := m.r
	r.mu.Lock()
	delete(r.conns, m)
	if p := r.people[s.you.ID]; p != nil {
		if p.conns--; p.conns == 0 {
			delete(r.people, s.you.ID)
			r.localChanged(h)
			if !h.closing.Load() && len(r.people) > 0 && !r.inOtherPart(s.you.ID, "") {
				r.announce(h, s.you.ID, p.nickname, false)
			}
		}
	}
	r.mu.Unlock()
	h.release(r)
	return true
}

// say stores msg (its text, and what it replies to) from s in the room m without waiting, so that the
// reader goes on with the next request; once stored, the message reaches
// the room by the live feed and s gets an ack (or an error to retry).
func (h *Hub) say(s *session, m *membership, clientID string, msg shared.Message) error {
	r := m.r
	msg.Room, msg.Author, msg.From, msg.At, msg.ClientID = r.name, s.you.ID, s.nickname(), h.now(), clientID
	mentioned := shared.MentionCandidates(msg.Text) // most messages mention nobody: no work after the ack
	h.cfg.Metrics.Received()
	handed := time.Now()
	err := h.store.AppendAsync(msg, s.you.ID+"\x00"+clientID, func(id uint64, dup bool, err error) {
		h.cfg.Metrics.Stored(time.Since(handed), err)
		if err != nil {
			h.log.Error("store message", "room", r.name, "err", err)
			s.send(shared.TypeError, "", shared.Error{Code: shared.CodeInternal, Message: "the message could not be stored; send it again", Ref: clientID, Request: shared.TypeSay})
			return
		}
		s.send(shared.TypeAck, "", shared.Ack{ClientID: clientID, ID: id, Duplicate: dup})
		if mentioned != nil && !dup {
			msg.ID = id
			h.later(func() { h.mentions(msg, mentioned) })
		}
		if msg.ReplyTo != 0 && !dup && !h.closing.Load() {
			msg.ID = id
			h.later(func() { h.replied(msg) })
		}
	})
	if err != nil {
		h.cfg.Metrics.Stored(time.Since(handed), err)
		h.log.Error("store message", "room", r.name, "err", err)
		return shared.Errorf(shared.CodeInternal, "the message could not be stored; send it again")
	}
	return nil
}

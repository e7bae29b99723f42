//go:build !js

package chat

import (
	"context"
	"crypto/subtle"
	"sort"
	"sync"
	"time"

	"livechat/shared"
)

// room is the set of sessions joined under one name on this server, and
// the live feed of the room's stored messages.
type room struct {
	name string
	refs int // sessions in the room or joining it; guarded by Hub.mu

	setup    sync.Once
	setupErr error
	stopLive func()

	// feed serialises deliveries, which may read the store to fill a gap;
	// it is taken before mu, never the other way round, and never by
	// joins, leaves or messages sent, so a slow store does not stall them.
	feed sync.Mutex

	mu      sync.Mutex
	members map[string]*session // by nickname key
	ready   bool                // last is known
	early   []shared.Message    // delivered before ready
	last    uint64              // id of the last message delivered
	closed  bool                // released: no more flushes
	// presence gathers the changes not yet announced; see presence.go.
	presence presenceBuffer
}

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
		r.presence.stop()
		r.mu.Unlock()
	}
}

// deliver fans stored messages out to the room's members, in id order:
// repeats are dropped, and gaps (messages the live feed skipped) are read
// back from the store first, without holding the room's lock. If a gap
// cannot be read even after retrying, nobody may silently miss it: the
// members are told to reconnect, which resumes each of them exactly.
func (h *Hub) deliver(r *room, ms []shared.Message) {
	r.feed.Lock()
	defer r.feed.Unlock()
	r.mu.Lock()
	if !r.ready {
		r.early = append(r.early, ms...)
		r.mu.Unlock()
		return
	}
	last := r.last
	r.mu.Unlock()

	ms, rest, err := h.fillGaps(r, last, ms)
	r.mu.Lock()
	defer r.mu.Unlock()
	h.deliverLocked(r, ms)
	if err != nil {
		h.resync(r, rest, err)
	}
}

// gapRetries are the waits between attempts to read a gap.
var gapRetries = []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}

// fillGaps returns ms in order after last without repeats, with the
// messages missing between them read from the store. If a gap cannot be
// read, it returns the messages before it, the rest, and the error.
func (h *Hub) fillGaps(r *room, last uint64, ms []shared.Message) (ok, rest []shared.Message, err error) {
	if contiguous(last, ms) {
		return ms, nil, nil
	}
	ok = make([]shared.Message, 0, len(ms))
	prev := last
	for i, m := range ms {
		if m.ID <= prev {
			continue
		}
		if m.ID > prev+1 {
			missed, err := h.readGap(r, prev+1, m.ID-1)
			if err != nil {
				return ok, ms[i:], err
			}
			ok = append(ok, missed...)
		}
		ok = append(ok, m)
		prev = m.ID
	}
	return ok, nil, nil
}

// contiguous reports whether ms are the messages right after last, in
// order, with no gap and no repeat: the usual case.
func contiguous(last uint64, ms []shared.Message) bool {
	for _, m := range ms {
		if m.ID != last+1 {
			return false
		}
		last = m.ID
	}
	return true
}

// readGap reads the messages from..to, retrying a failing store a few
// times.
func (h *Hub) readGap(r *room, from, to uint64) ([]shared.Message, error) {
	var err error
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		var missed []shared.Message
		missed, err = h.store.Range(ctx, r.name, from, to)
		cancel()
		if err == nil {
			return missed, nil
		}
		if attempt == len(gapRetries) || h.closing.Load() {
			return nil, err
		}
		h.log.Warn("read missed messages; retrying", "room", r.name, "from", from, "to", to, "err", err)
		time.Sleep(gapRetries[attempt])
	}
}

// resync gives up on delivering a gap: every member is told to reconnect
// (status 1013) once what was queued for them is written, which resumes
// each of them from their last message, and the room goes on after ms.
// The caller holds r.mu.
func (h *Hub) resync(r *room, ms []shared.Message, err error) {
	h.log.Error("missed messages cannot be read; members must resume", "room", r.name, "members", len(r.members), "err", err)
	again := newCloseFrame(shared.StatusTryAgain, "some messages could not be read; reconnect to get them")
	for _, s := range r.members {
		s.stop(again)
	}
	for _, m := range ms {
		r.last = max(r.last, m.ID)
	}
}

// deliverLocked encodes each new message once and queues them all for
// every member at once. ms is in id order with no gap after r.last. The
// caller holds r.mu.
func (h *Hub) deliverLocked(r *room, ms []shared.Message) {
	frames, n := make([][]byte, 0, len(ms)), 0
	for _, m := range ms {
		if m.ID <= r.last {
			continue
		}
		frame, err := shared.Encode(shared.TypeMessage, "", m)
		if err != nil {
			h.log.Error("encode message", "room", r.name, "err", err)
			continue
		}
		frames, n = append(frames, frame), n+len(frame)
		r.last = m.ID
	}
	if len(frames) == 0 {
		return
	}
	r.flushPresence(h) // keep presence and messages in order
	for _, s := range r.members {
		s.pushLive(n, frames...)
	}
}

// join admits s under nickname into r, queues welcome, presence and the
// history the join asks for to s, and announces s to the others. If the
// nickname is held by a session whose token equals j.Session, s replaces
// it silently. Live messages that arrive meanwhile wait until the history
// is queued, so s gets every message once, in order.
func (h *Hub) join(ctx context.Context, s *session, r *room, nickname string, j shared.Join, history int) error {
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
		old.stop(newCloseFrame(shared.StatusReplaced, "this nickname is now connected from another window"))
	}
	r.members[key] = s
	s.room, s.nickname, s.key, s.token = r, nickname, key, token
	s.catchingUp = true
	last := r.last

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
		r.announce(h, key, nickname, true)
	}
	s.presenceMark = r.presence.mark() // the snapshot has its own join too
	r.mu.Unlock()

	if err := h.catchUp(ctx, s, r.name, j, history, last); err != nil {
		// Going live without the history would leave a hole the client
		// cannot see: it reconnects and resumes instead.
		h.log.Error("read history", "room", r.name, "err", err)
		s.stop(newCloseFrame(shared.StatusTryAgain, "the history of the room cannot be read now; reconnect to get it"))
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
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
			r.announce(h, s.key, s.nickname, false)
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

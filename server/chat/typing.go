//go:build !js

package chat

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"livechat/server/cluster"
	"livechat/shared"
)

// typingGate is the least time between two typing events of one person
// in one room that the server passes on: clients send one per
// shared.TypingEvery at most, and a little less absorbs the network's
// jitter without letting a client send more than it should.
const typingGate = shared.TypingEvery - shared.TypingEvery/6

// typing passes on that the sender is typing in a room it joined.
func (s *session) typing(ctx context.Context, env shared.Envelope) error {
	var req shared.Typing
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	m, err := s.joined(ctx, req.Room, "say you are typing there")
	if err != nil {
		return err
	}
	if s.mayWrite(ctx, m.r.name, false) != nil {
		return nil // muted, or a locked room: they type nothing to send
	}
	s.hub.typing(m.r, s.person(), true)
	return nil
}

// typing notes that who is typing in r, unless who's last typing event in
// r went out less than typingGate ago, and, if it was said here (local),
// tells the other servers. The people typing in a room are gathered for
// shared.TypingGathered and told in one event (see flushTyping). Nothing
// is stored.
func (h *Hub) typing(r *room, who shared.Person, local bool) {
	now := time.Now()
	t := &r.typists
	t.mu.Lock()
	if last, ok := t.last[who.ID]; t.closed || ok && now.Sub(last) < typingGate {
		t.mu.Unlock()
		return
	}
	if t.last == nil {
		t.last = make(map[string]time.Time)
	}
	for id, at := range t.last {
		if now.Sub(at) >= typingGate {
			delete(t.last, id) // their next typing may go out
		}
	}
	t.last[who.ID] = now
	t.recent.Store(int32(len(t.last)))
	t.pending = append(t.pending, who)
	if t.timer == nil {
		t.timer = time.AfterFunc(shared.TypingGathered, func() { h.flushTyping(r) })
	}
	t.mu.Unlock()
	if local {
		h.notify(cluster.Notice{Kind: cluster.NoticeTyping, Account: who.ID, Nickname: who.Nickname, Room: r.name})
	}
}

// typists are the people typing in a room. They have a lock of their
// own, not the room's: a say (see said) must not wait while the room
// delivers to every connection.
type typists struct {
	mu      sync.Mutex
	last    map[string]time.Time // when each person's last typing went out
	pending []shared.Person      // typing since the last event
	timer   *time.Timer          // sends pending; nil when none
	closed  bool                 // the room was released: no more events
	// recent is len(last), read without the lock: said, which runs for
	// every message delivered, takes the lock only in a room where
	// someone typed lately.
	recent atomic.Int32
}

// said notes that the person with account id sent a message to r: they
// are no longer typing it. A typing of theirs not told yet is dropped
// (it would come after the message), and their next one goes out at
// once: it is about the next message.
func (r *room) said(id string) {
	t := &r.typists
	if t.recent.Load() == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.last[id]; !ok {
		return
	}
	delete(t.last, id)
	t.recent.Store(int32(len(t.last)))
	t.pending = slices.DeleteFunc(t.pending, func(p shared.Person) bool { return p.ID == id })
}

// stop ends the typists of a released room: a gathering under way is
// dropped.
func (t *typists) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	if t.timer != nil {
		t.timer.Stop()
	}
}

// flushTyping tells r's connections here who is typing, in one event
// encoded once: all but those of a person who is the only one typing.
// A connection catching up, or with much queued, does not get it: it is
// worth nothing a few seconds later.
func (h *Hub) flushTyping(r *room) {
	t := &r.typists
	t.mu.Lock()
	ev := shared.Typing{Room: r.name, People: t.pending}
	t.pending, t.timer = nil, nil
	closed := t.closed
	t.mu.Unlock()
	if closed || len(ev.People) == 0 {
		return
	}
	frame, err := shared.Encode(shared.TypeTyping, "", ev)
	if err != nil {
		h.log.Error("encode typing", "room", r.name, "err", err)
		return
	}
	alone := ""
	if len(ev.People) == 1 {
		alone = ev.People[0].ID
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	for m := range r.conns {
		if m.s.you.ID != alone && !m.catchingUp && m.s.out.queued() < h.cfg.SendQueueBytes/4 {
			m.s.push(len(frame), frame)
		}
	}
}

// typingNotice passes on another server's typing event.
func (h *Hub) typingNotice(n cluster.Notice) {
	h.mu.Lock()
	r := h.rooms[n.Room]
	h.mu.Unlock()
	if r != nil {
		h.typing(r, shared.Person{ID: n.Account, Nickname: n.Nickname}, false)
	}
}

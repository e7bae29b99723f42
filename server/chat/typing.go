//go:build !js

package chat

import (
	"context"
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
	s.hub.typing(m.r, s.person(), true)
	return nil
}

// typing tells the connections of r's other people here that who is
// typing, unless who's last typing event in r went out less than
// typingGate ago; and, if it was said here (local), the other servers.
// Nothing is stored. A connection catching up, or with much queued, does
// not get it: it is worth nothing a few seconds later.
func (h *Hub) typing(r *room, who shared.Person, local bool) {
	now := time.Now()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if last, ok := r.typed[who.ID]; ok && now.Sub(last) < typingGate {
		r.mu.Unlock()
		return
	}
	if r.typed == nil {
		r.typed = make(map[string]time.Time)
	}
	if len(r.typed) >= 64 {
		for id, t := range r.typed {
			if now.Sub(t) >= shared.TypingLasts {
				delete(r.typed, id)
			}
		}
	}
	r.typed[who.ID] = now
	frame, err := shared.Encode(shared.TypeTyping, "", shared.Typing{Room: r.name, Who: &who})
	if err == nil {
		for m := range r.conns {
			if m.s.you.ID != who.ID && !m.catchingUp && m.s.out.queued() < h.cfg.SendQueueBytes/4 {
				m.s.push(len(frame), frame)
			}
		}
	}
	r.mu.Unlock()
	if local {
		h.notify(cluster.Notice{Kind: cluster.NoticeTyping, Account: who.ID, Nickname: who.Nickname, Room: r.name})
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

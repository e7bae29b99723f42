//go:build !js

package chat

import (
	"context"
	"time"

	"livechat/shared"
)

// Read receipts: in a room of at most shared.MaxReceiptPeople people
// with read positions, everyone in it gets everyone's read positions
// (kept by room.Directory): all of them after a join, then those that
// moved, gathered for seenDelay so that a message read by everyone at
// once costs each connection one event.

// seenDelay is how long read positions that moved are gathered.
const seenDelay = 500 * time.Millisecond

// receipts are a room's read positions on this server, guarded by
// room.mu.
type receipts struct {
	loaded  bool                     // readers holds every reader
	tooMany bool                     // the room has too many to share
	readers map[string]shared.Reader // by account id
	pending map[string]shared.Reader // moved since the last seen event
	timer   *time.Timer              // sends pending; nil when none
}

// sendSeen sends s the read positions of r's people, if any has one,
// reading them from the directory the first time.
func (h *Hub) sendSeen(ctx context.Context, s *session, r *room) {
	r.mu.Lock()
	loaded := r.receipts.loaded
	r.mu.Unlock()
	if !loaded {
		ctx, cancel := context.WithTimeout(ctx, storeTimeout)
		positions, ok, err := h.dir.Readers(ctx, r.name, shared.MaxReceiptPeople)
		if err != nil {
			cancel()
			h.log.Warn("read the read positions of a room", "room", r.name, "err", err)
			return
		}
		readers := make(map[string]shared.Reader, len(positions))
		for id, pos := range positions {
			if member, err := h.dir.IsMember(ctx, r.name, id); err != nil || !member {
				continue // left, or removed: their reading is theirs
			}
			acct, err := h.accounts.Get(ctx, id)
			if err != nil {
				continue // gone
			}
			readers[id] = shared.Reader{Person: shared.Person{ID: id, Nickname: acct.Nickname}, ID: pos}
		}
		cancel()
		r.mu.Lock()
		if !r.receipts.loaded {
			r.receipts.loaded, r.receipts.tooMany = true, !ok
			for id, rd := range r.receipts.readers {
				// Moved while they were read.
				if rd.ID > readers[id].ID {
					readers[id] = rd
				}
			}
			r.receipts.readers = readers
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.receipts.tooMany || len(r.receipts.readers) == 0 {
		return // nothing to tell: a client joining knows of no reader
	}
	seen := shared.Seen{Room: r.name, Readers: make([]shared.Reader, 0, len(r.receipts.readers))}
	for _, rd := range r.receipts.readers {
		seen.Readers = append(seen.Readers, rd)
	}
	s.send(shared.TypeSeen, "", seen)
}

// receipt notes that the person with account id read room up to pos,
// and soon tells everyone in it here.
func (h *Hub) receipt(room, id string, pos uint64) {
	h.mu.Lock()
	r := h.rooms[room]
	h.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	rc := &r.receipts
	if r.closed || rc.tooMany || rc.readers[id].ID >= pos {
		return
	}
	nick := ""
	if p := r.people[id]; p != nil {
		nick = p.nickname
	} else {
		for _, part := range r.remote {
			if part.People[id] != "" {
				nick = part.People[id]
			}
		}
	}
	if nick == "" {
		nick = rc.readers[id].Nickname
	}
	if nick == "" {
		return // not in the room: they read it where they are
	}
	if rc.readers == nil {
		rc.readers = make(map[string]shared.Reader)
	}
	rd := shared.Reader{Person: shared.Person{ID: id, Nickname: nick}, ID: pos}
	rc.readers[id] = rd
	if !rc.loaded {
		return // whoever loads them sends them
	}
	if len(rc.readers) > shared.MaxReceiptPeople {
		rc.tooMany = true
		return
	}
	if rc.pending == nil {
		rc.pending = make(map[string]shared.Reader)
	}
	rc.pending[id] = rd
	if rc.timer == nil {
		rc.timer = time.AfterFunc(seenDelay, func() { h.flushSeen(r) })
	}
}

// flushSeen tells everyone in r here the read positions that moved.
func (h *Hub) flushSeen(r *room) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rc := &r.receipts
	rc.timer = nil
	if r.closed || len(rc.pending) == 0 {
		return
	}
	seen := shared.Seen{Room: r.name, Readers: make([]shared.Reader, 0, len(rc.pending))}
	for _, rd := range rc.pending {
		seen.Readers = append(seen.Readers, rd)
	}
	clear(rc.pending)
	frame, err := shared.Encode(shared.TypeSeen, "", seen)
	if err != nil {
		h.log.Error("encode read positions", "room", r.name, "err", err)
		return
	}
	for m := range r.conns {
		m.pushLive(len(frame), frame)
	}
}

//go:build !js

package chat

import (
	"time"

	"livechat/shared"
)

// presenceBuffer gathers a room's presence changes for a short while
// (Config.PresenceDelay) and keeps only each person's latest state, so
// that a crowd arriving or leaving at once, or a server restart, costs each
// member one presence_update event of the room's size at most, never one
// event per person: a storm cannot fill the queue of a member who keeps
// up. It is guarded by the room's mu.
type presenceBuffer struct {
	changes map[string]presenceChange // by account id
	order   []string                  // ids, in the order they first changed
	timer   *time.Timer               // flushes after the first change (pending)
	pending bool                      // the timer is set
	// gen counts flushes, and seq the changes recorded since the last
	// one: a member whose snapshot was taken at (gen, seq) is not sent an
	// update that holds nothing newer.
	gen uint64
	seq int
	// counted: the last flush counted people instead of naming them.
	counted bool
	// recount: the count changed with no one named (another server's
	// counted part); local: the people here changed, for the other
	// servers (see cluster.go).
	recount bool
	local   bool
}

// mark returns where the changes stand now; see presenceBuffer.gen. The
// caller holds the room's mu.
func (b *presenceBuffer) mark() presenceMark { return presenceMark{b.gen, b.seq} }

// presenceMark is a point in a room's presence changes.
type presenceMark struct {
	gen uint64
	seq int
}

type presenceChange struct {
	nickname string
	joined   bool
}

// stop cancels a pending flush: the room is closed.
func (b *presenceBuffer) stop() {
	if b.timer != nil {
		b.timer.Stop()
	}
}

// announce records that the person with account id key and nickname
// joined (or left) the room, to be told to its members at the next flush.
// The caller holds r.mu.
func (r *room) announce(h *Hub, key, nickname string, joined bool) {
	b := &r.presence
	if b.changes == nil {
		b.changes = make(map[string]presenceChange)
	}
	if _, ok := b.changes[key]; !ok {
		b.order = append(b.order, key)
	}
	b.changes[key] = presenceChange{nickname: nickname, joined: joined}
	b.seq++
	r.schedule(h)
}

// recount has the members told the room's new count at the next flush.
// The caller holds r.mu.
func (r *room) recount(h *Hub) {
	r.presence.recount = true
	r.schedule(h)
}

// localChanged has the other servers told who is in the room here at the
// next flush. The caller holds r.mu.
func (r *room) localChanged(h *Hub) {
	if h.cluster != nil {
		r.presence.local = true
		r.schedule(h)
	}
}

// schedule sets the next flush, unless one is set. The caller holds r.mu.
func (r *room) schedule(h *Hub) {
	b := &r.presence
	if b.pending {
		return
	}
	b.pending = true
	if b.timer == nil {
		b.timer = time.AfterFunc(r.presenceDelay(h), func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if !r.closed {
				r.flushPresence(h)
			}
		})
	} else {
		b.timer.Reset(r.presenceDelay(h))
	}
}

// countedDelay is how many times Config.PresenceDelay a room too big to
// name everyone gathers its changes: its members get a new count every
// few seconds, not several times a second.
const countedDelay = 10

// presenceDelay is how long the room gathers presence changes. The caller
// holds r.mu.
func (r *room) presenceDelay(h *Hub) time.Duration {
	if r.online() > shared.MaxPresenceNames {
		return countedDelay * h.cfg.PresenceDelay
	}
	return h.cfg.PresenceDelay
}

// flushPresence sends the gathered changes to every member as one
// presence_update, encoded once. Members who joined since the last flush
// get it too, unless their snapshot has all of it: it may have some of its
// changes, which then change nothing (see shared.PresenceUpdate). The
// caller holds r.mu.
func (r *room) flushPresence(h *Hub) {
	b := &r.presence
	b.pending = false
	if b.timer != nil {
		b.timer.Stop()
	}
	if b.local {
		b.local = false
		h.cluster.SetPresence(r.name, r.localPart())
	}
	if len(b.order) == 0 && !b.recount {
		return
	}
	b.recount = false
	u := shared.PresenceUpdate{Room: r.name, Online: r.online(), At: h.now()}
	if u.Counted = u.Online > shared.MaxPresenceNames || !r.allNamed(); !u.Counted {
		for _, key := range b.order {
			c := b.changes[key]
			if c.joined {
				u.Joined = append(u.Joined, c.nickname)
			} else {
				u.Left = append(u.Left, c.nickname)
			}
		}
	}
	clear(b.changes)
	b.order = b.order[:0]
	current := b.mark()
	b.gen, b.seq = b.gen+1, 0
	var frame []byte
	var err error
	if b.counted && !u.Counted {
		// Back under the limit: names again, from a full list, since
		// the members kept none.
		frame, err = shared.Encode(shared.TypePresence, "", r.snapshot())
	} else {
		frame, err = shared.Encode(shared.TypePresenceUpdate, "", u)
	}
	b.counted = u.Counted
	if err != nil {
		h.log.Error("encode presence update", "room", r.name, "err", err)
		return
	}
	for m := range r.conns {
		if m.presenceMark != current {
			m.pushLive(len(frame), frame)
		}
	}
}

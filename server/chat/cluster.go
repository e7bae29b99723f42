//go:build !js

package chat

import (
	"context"
	"time"

	"livechat/server/cluster"
	roomdir "livechat/server/room"
	"livechat/shared"
)

// The hub's side of the servers sharing one NATS (package cluster): each
// room's presence is the union of every server's part, and notices carry
// to a person's connections on other servers what their connections here
// get at once.

// Cluster is the hub's link to the other servers (*cluster.Cluster). A
// hub without one is alone.
type Cluster interface {
	// SetPresence records this server's part of a room's presence.
	SetPresence(room string, p cluster.Part)
	// Presence returns the other servers' fresh parts of a room's
	// presence.
	Presence(ctx context.Context, room string) (map[string]cluster.Part, error)
	// Stale reports whether a part is too old to count.
	Stale(p cluster.Part, now time.Time) bool
	// Notify tells the other servers.
	Notify(n cluster.Notice)
	// Run hands what the other servers say to a handler until ctx ends.
	Run(ctx context.Context, h cluster.Handler) error
}

// clusterHandler is the hub as the cluster's handler.
type clusterHandler struct{ h *Hub }

// runCluster links the hub to the other servers until ctx ends.
func (h *Hub) runCluster(ctx context.Context) {
	for {
		err := h.cluster.Run(ctx, clusterHandler{h})
		if ctx.Err() != nil {
			return
		}
		h.log.Error("link to the other servers", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// notify tells the other servers, if there are any.
func (h *Hub) notify(n cluster.Notice) {
	if h.cluster != nil {
		h.cluster.Notify(n)
	}
}

// Presence applies another server's new part of a room's presence.
func (c clusterHandler) Presence(name, server string, part cluster.Part) {
	h := c.h
	h.mu.Lock()
	r := h.rooms[name]
	h.mu.Unlock()
	if r == nil {
		return // not open here: its parts are read when it opens
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || h.closing.Load() {
		return
	}
	r.setRemote(h, server, part)
}

// Expire drops the parts of servers that stopped writing them.
func (c clusterHandler) Expire(now time.Time) {
	h := c.h
	for _, r := range h.openRooms() {
		r.mu.Lock()
		for server, part := range r.remote {
			if h.cluster.Stale(part, now) {
				r.setRemote(h, server, cluster.Part{})
			}
		}
		r.mu.Unlock()
	}
}

// Notice hands another server's notice to the connections here.
func (c clusterHandler) Notice(n cluster.Notice) {
	h := c.h
	switch n.Kind {
	case cluster.NoticeRead:
		h.readHere(n.Account, shared.Read{Room: n.Room, ID: n.ID}, nil, "")
		h.receipt(n.Room, n.Account, n.ID)
	case cluster.NoticeTyping:
		h.typingNotice(n)
	case cluster.NoticeRevoke:
		h.accounts.Forget(n.Account)
		h.signOutHere(n.Account, n.Device)
	case cluster.NoticeLeft:
		h.dir.Forget(n.Room, n.Account)
		h.leftHere(n.Account, n.Room, nil)
	case cluster.NoticeRenamed:
		// The accounts are shared; the name here is read again.
		h.accounts.Forget(n.Account)
		h.later(func() {
			ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
			defer cancel()
			if acct, err := h.accounts.Get(ctx, n.Account); err == nil {
				h.renamed(n.Account, acct.Nickname)
			}
		})
	case cluster.NoticeMuted, cluster.NoticeBanned:
		h.moderationNotice(n)
	case cluster.NoticeRoom:
		// Reading the room is I/O: not on the notices' goroutine.
		h.dir.Forget(n.Room, "") // its record changed there
		if n.Account != "" && len(h.sessionsOf(n.Account)) == 0 {
			return // nobody here to tell
		}
		h.later(func() {
			ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
			defer cancel()
			rec, err := h.dir.Get(ctx, n.Room)
			if err != nil {
				h.log.Warn("read a room another server told of", "room", n.Room, "err", err)
				return
			}
			if n.Account == "" {
				h.announceRoom(rec, "")
				return
			}
			h.tellHere(ctx, []string{n.Account}, rec, nil)
		})
	}
}

// setRemote replaces server's part of r's presence with part, and
// announces the people it brings or takes: those not in the room by any
// other server, this one included. The caller holds r.mu.
func (r *room) setRemote(h *Hub, server string, part cluster.Part) {
	old := r.remote[server]
	if part.Count == 0 {
		delete(r.remote, server)
	} else {
		if r.remote == nil {
			r.remote = make(map[string]cluster.Part)
		}
		r.remote[server] = part
	}
	elsewhere := func(id string) bool { return r.people[id] != nil || r.inOtherPart(id, server) }
	changed := old.Count != part.Count
	for id, nick := range part.People {
		if old.People[id] == "" && !elsewhere(id) {
			r.announce(h, id, nick, true)
			changed = false
		}
	}
	for id, nick := range old.People {
		if part.People[id] == "" && !elsewhere(id) {
			r.announce(h, id, nick, false)
			changed = false
		}
	}
	if changed {
		r.recount(h) // a counted part: the count changed
	}
}

// inOtherPart reports whether the person with account id is in r on
// another server than this one and except. The caller holds r.mu.
func (r *room) inOtherPart(id, except string) bool {
	for server, p := range r.remote {
		if server != except && p.People[id] != "" {
			return true
		}
	}
	return false
}

// allNamed reports whether every other server names its people in r
// rather than counting them. The caller holds r.mu.
func (r *room) allNamed() bool {
	for _, p := range r.remote {
		if p.People == nil {
			return false
		}
	}
	return true
}

// online returns how many people are in r, on every server. People on
// two servers count once where both name them. The caller holds r.mu.
func (r *room) online() int {
	if len(r.remote) == 0 {
		return len(r.people)
	}
	n := len(r.people)
	var seen map[string]bool // needed only where several parts may name one person
	if len(r.remote) > 1 {
		seen = make(map[string]bool)
	}
	for _, p := range r.remote {
		if p.People == nil {
			n += p.Count
			continue
		}
		for id := range p.People {
			if r.people[id] == nil && !seen[id] {
				if seen != nil {
					seen[id] = true
				}
				n++
			}
		}
	}
	return n
}

// localPart returns this server's part of r's presence. The caller holds
// r.mu.
func (r *room) localPart() cluster.Part {
	p := cluster.Part{Count: len(r.people)}
	if len(r.people) <= cluster.MaxNames {
		p.People = make(map[string]string, len(r.people))
		for id, pr := range r.people {
			p.People[id] = pr.nickname
		}
	}
	return p
}

// loadRemote reads the other servers' parts of r's presence, as the room
// opens here.
func (h *Hub) loadRemote(ctx context.Context, r *room) {
	if h.cluster == nil {
		return
	}
	parts, err := h.cluster.Presence(ctx, r.name)
	if err != nil {
		h.log.Warn("read the presence on other servers", "room", r.name, "err", err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for server, part := range parts {
		if _, ok := r.remote[server]; !ok {
			r.setRemote(h, server, part)
		}
	}
}

// announceRoom tells every signed-in session here but those of the
// account except of a new public room.
func (h *Hub) announceRoom(rec roomdir.Room, except string) {
	info := roomInfo(rec)
	frame, err := shared.Encode(shared.TypeRoom, "", info)
	if err != nil {
		h.log.Error("encode a room", "room", rec.ID, "err", err)
		return
	}
	h.mu.Lock()
	others := make([]*session, 0, len(h.sessions))
	for other := range h.sessions {
		if other.you.ID != "" && other.you.ID != except {
			others = append(others, other)
		}
	}
	h.mu.Unlock()
	for _, other := range others {
		other.push(len(frame), frame)
	}
}

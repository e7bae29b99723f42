//go:build !js

package chat

import (
	"context"
	"errors"
	"slices"
	"time"

	"livechat/server/cluster"
	roomdir "livechat/server/room"
	"livechat/shared"
)

// Requests about rooms as such: listing, creating, inviting, members,
// topics and read positions. The directory (server/room) decides who may
// see what; this file turns its answers into events.

// maxMembersPage is how many members one members event lists.
const maxMembersPage = 500

// roomInfo describes rec to anyone who may see it.
func roomInfo(rec roomdir.Room) shared.RoomInfo {
	info := shared.RoomInfo{ID: rec.ID, Name: rec.Name, Kind: string(rec.Kind), Topic: rec.Topic, Locked: rec.Locked, SlowMode: rec.SlowMode}
	if rec.Kind != roomdir.Direct {
		info.Owner = rec.Creator
	}
	return info
}

// info describes rec to the person who, with their unread counts if
// counts is set.
func (h *Hub) info(ctx context.Context, rec roomdir.Room, who string, counts bool) (shared.RoomInfo, error) {
	info := roomInfo(rec)
	for _, id := range rec.People {
		acct, err := h.accounts.Get(ctx, id)
		if err != nil {
			return info, err
		}
		info.People = append(info.People, shared.Person{ID: acct.ID, Nickname: acct.Nickname})
	}
	member, err := h.dir.IsMember(ctx, rec.ID, who)
	if err != nil {
		return info, err
	}
	info.Member = member
	if !counts || !member {
		return info, nil
	}
	if _, info.Last, err = h.store.Bounds(ctx, rec.ID); err != nil {
		return info, err
	}
	if info.Read, err = h.dir.ReadPosition(ctx, who, rec.ID); err != nil {
		return info, err
	}
	if info.Last > info.Read {
		// Events about messages (edits, reactions, deletions) are not
		// counted. Deletions stored as messages, before they were
		// events, are counted by CountSaid, and taken off here.
		said, err := h.store.CountSaid(ctx, rec.ID, info.Read)
		if err != nil {
			return info, err
		}
		uncounted, err := h.dir.Uncounted(ctx, rec.ID, info.Read)
		if err != nil {
			return info, err
		}
		info.Unread = max(said-uncounted, 0)
	}
	if info.Mentions, err = h.dir.Mentions(ctx, who, rec.ID, info.Read); err != nil {
		return info, err
	}
	return info, nil
}

func (s *session) listRooms(ctx context.Context, env shared.Envelope) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	h := s.hub
	mine, err := h.dir.RoomsOf(ctx, s.you.ID)
	if err != nil {
		return s.storeError("list your rooms", err)
	}
	public, err := h.dir.PublicRooms(ctx)
	if err != nil {
		return s.storeError("list the rooms", err)
	}
	list := shared.Rooms{Mine: []shared.RoomInfo{}, Directory: []shared.RoomInfo{}}
	for _, id := range mine {
		rec, err := h.dir.Get(ctx, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return s.storeError("list your rooms", err)
		}
		info, err := h.info(ctx, rec, s.you.ID, true)
		if err != nil {
			return s.storeError("list your rooms", err)
		}
		list.Mine = append(list.Mine, info)
	}
	for _, id := range public {
		rec, err := h.dir.Get(ctx, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return s.storeError("list the rooms", err)
		}
		info := roomInfo(rec)
		info.Member = slices.Contains(mine, rec.ID)
		list.Directory = append(list.Directory, info)
	}
	s.send(shared.TypeRoomsList, env.ID, list)
	return nil
}

func isNotFound(err error) bool {
	var perr *shared.Error
	return errors.As(err, &perr) && perr.Code == shared.CodeNotFound
}

func (s *session) createRoom(ctx context.Context, env shared.Envelope) error {
	var c shared.CreateRoom
	if err := env.DecodePayload(&c); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := s.roomsAllowed(ctx); err != nil {
		return err
	}
	rec, err := s.hub.dir.Create(ctx, s.you.ID, c.Name, roomdir.Kind(c.Kind), c.Topic)
	if err != nil {
		return s.storeError("create the room", err)
	}
	s.log.Info("room created", "room", rec.ID, "kind", rec.Kind)
	if err := s.sendRoom(ctx, env.ID, rec); err != nil {
		return err
	}
	if rec.Kind == roomdir.Public {
		// Everyone sees the new room among those to join.
		s.hub.announceRoom(rec, s.you.ID)
		s.hub.notify(cluster.Notice{Kind: cluster.NoticeRoom, Room: rec.ID})
	}
	return nil
}

// sendRoom sends s a room event about rec, answering the request id.
func (s *session) sendRoom(ctx context.Context, id string, rec roomdir.Room) error {
	info, err := s.hub.info(ctx, rec, s.you.ID, true)
	if err != nil {
		return s.storeError("describe the room", err)
	}
	s.send(shared.TypeRoom, id, info)
	return nil
}

// tell sends the people with the account ids a room event about rec on
// all their connections, here but for the session except, and on the
// other servers.
func (h *Hub) tell(ctx context.Context, ids []string, rec roomdir.Room, except *session) {
	for _, id := range ids {
		h.notify(cluster.Notice{Kind: cluster.NoticeRoom, Account: id, Room: rec.ID})
	}
	h.tellHere(ctx, ids, rec, except)
}

// tellHere is tell, on this server only.
func (h *Hub) tellHere(ctx context.Context, ids []string, rec roomdir.Room, except *session) {
	for _, id := range ids {
		sessions := h.sessionsOf(id)
		if len(sessions) == 0 {
			continue
		}
		info, err := h.info(ctx, rec, id, true)
		if err != nil {
			h.log.Error("describe a room", "room", rec.ID, "err", err)
			continue
		}
		for _, ss := range sessions {
			if ss != except {
				ss.send(shared.TypeRoom, "", info)
			}
		}
	}
}

// lookup returns the account ids of people named by nickname, or
// not_found.
func (s *session) lookup(ctx context.Context, nicknames []string) ([]string, error) {
	ids := make([]string, 0, len(nicknames))
	for _, n := range nicknames {
		acct, err := s.hub.accounts.Lookup(ctx, n)
		if err != nil {
			return nil, s.storeError("find "+n, err)
		}
		ids = append(ids, acct.ID)
	}
	return ids, nil
}

func (s *session) openDM(ctx context.Context, env shared.Envelope) error {
	var o shared.OpenDM
	if err := env.DecodePayload(&o); err != nil {
		return err
	}
	if len(o.People) == 0 || len(o.People) >= roomdir.MaxDirect {
		return shared.Errorf(shared.CodeInvalidRequest, "a direct conversation has 1 to %d people besides you", roomdir.MaxDirect-1)
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	ids, err := s.lookup(ctx, o.People)
	if err != nil {
		return err
	}
	if err := s.roomsAllowed(ctx); err != nil {
		return err
	}
	rec, err := s.hub.dir.Direct(ctx, s.you.ID, ids)
	if err != nil {
		return s.storeError("open the conversation", err)
	}
	if err := s.sendRoom(ctx, env.ID, rec); err != nil {
		return err
	}
	s.hub.tell(ctx, rec.People, rec, s)
	return nil
}

func (s *session) invite(ctx context.Context, env shared.Envelope) error {
	var req shared.InviteRequest
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	uses, ttl := 1, 7*24*time.Hour
	if req.MaxUses != 0 {
		uses = req.MaxUses
	}
	if req.ExpiresIn != 0 {
		ttl = time.Duration(req.ExpiresIn) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if req.Room == "" {
		return s.signupInvite(ctx, env, uses, ttl)
	}
	inv, err := s.hub.dir.NewInvite(ctx, req.Room, s.you.ID, uses, ttl)
	if err != nil {
		return s.storeError("make an invite", err)
	}
	s.send(shared.TypeInviteCode, env.ID, shared.Invite{Code: inv.Code, Room: inv.Room, Expires: inv.Expires, MaxUses: inv.MaxUses})
	return nil
}

func (s *session) add(ctx context.Context, env shared.Envelope) error {
	var a shared.Add
	if err := env.DecodePayload(&a); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	ids, err := s.lookup(ctx, []string{a.Nickname})
	if err != nil {
		return err
	}
	rec, err := s.hub.dir.Add(ctx, a.Room, s.you.ID, ids[0])
	if err != nil {
		return s.storeError("add "+a.Nickname, err)
	}
	if err := s.sendRoom(ctx, env.ID, rec); err != nil {
		return err
	}
	s.hub.tell(ctx, ids, rec, nil)
	return nil
}

func (s *session) topic(ctx context.Context, env shared.Envelope) error {
	var t shared.Topic
	if err := env.DecodePayload(&t); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rec, err := s.hub.dir.SetTopic(ctx, t.Room, s.you.ID, t.Topic)
	if err != nil {
		return s.storeError("set the topic", err)
	}
	if err := s.sendRoom(ctx, env.ID, rec); err != nil {
		return err
	}
	members, err := s.hub.dir.Members(ctx, rec.ID)
	if err != nil {
		return s.storeError("tell the members", err)
	}
	s.hub.tell(ctx, members, rec, s)
	return nil
}

func (s *session) members(ctx context.Context, env shared.Envelope) error {
	var req shared.MembersRequest
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	h := s.hub
	rec, err := h.dir.Visible(ctx, req.Room, s.you.ID)
	if err != nil {
		return s.storeError("list the members", err)
	}
	ids, err := h.dir.Members(ctx, rec.ID)
	if err != nil {
		return s.storeError("list the members", err)
	}
	if i, found := slices.BinarySearch(ids, req.After); req.After != "" {
		if found {
			i++
		}
		ids = ids[i:]
	}
	page := shared.Members{Room: rec.ID, People: []shared.Member{}}
	if len(ids) > maxMembersPage {
		ids, page.More = ids[:maxMembersPage], true
	}
	online := h.online(rec.ID)
	for _, id := range ids {
		acct, err := h.accounts.Get(ctx, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return s.storeError("list the members", err)
		}
		page.People = append(page.People, shared.Member{ID: acct.ID, Nickname: acct.Nickname, Online: online[acct.ID]})
	}
	s.send(shared.TypeMembersList, env.ID, page)
	return nil
}

// online returns who is in the room called name, on every server (as far
// as this one knows: only while the room is open here).
func (h *Hub) online(name string) map[string]bool {
	h.mu.Lock()
	r := h.rooms[name]
	h.mu.Unlock()
	ids := make(map[string]bool)
	if r == nil {
		return ids
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for id := range r.people {
		ids[id] = true
	}
	for _, p := range r.remote {
		for id := range p.People {
			ids[id] = true
		}
	}
	return ids
}

func (s *session) read(ctx context.Context, env shared.Envelope) error {
	var r shared.Read
	if err := env.DecodePayload(&r); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	h := s.hub
	name, err := shared.CheckRoom(r.Room)
	if err != nil {
		return err
	}
	if member, err := h.dir.IsMember(ctx, name, s.you.ID); err != nil {
		return s.storeError("keep your read position", err)
	} else if !member {
		return shared.Errorf(shared.CodeNotFound, "there is no room %q that you can see", name)
	}
	pos, err := h.dir.SetRead(ctx, s.you.ID, name, r.ID)
	if err != nil {
		return s.storeError("keep your read position", err)
	}
	h.readHere(s.you.ID, shared.Read{Room: name, ID: pos}, s, env.ID)
	h.receipt(name, s.you.ID, pos)
	h.notify(cluster.Notice{Kind: cluster.NoticeRead, Account: s.you.ID, Room: name, ID: pos})
	return nil
}

// readHere tells the connections here of the account id its new read
// position; the session from, if set, is answering the request reqID.
func (h *Hub) readHere(id string, r shared.Read, from *session, reqID string) {
	for _, s := range h.sessionsOf(id) {
		ref := ""
		if s == from {
			ref = reqID
		}
		s.send(shared.TypeReadPosition, ref, r)
	}
}

// mentions records who the message m mentions (cands, its
// shared.MentionCandidates), among the members of its room, for their
// unread badges. It runs after m is stored, off the request's path.
func (h *Hub) mentions(m shared.Message, cands []string) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	seen := make(map[string]bool)
	for _, c := range cands {
		acct, err := h.accounts.Lookup(ctx, c)
		if err != nil || seen[acct.ID] || acct.ID == m.Author || shared.NicknameKey(acct.Nickname) != shared.NicknameKey(c) {
			continue
		}
		seen[acct.ID] = true
		if member, err := h.dir.IsMember(ctx, m.Room, acct.ID); err != nil || !member {
			continue
		}
		if err := h.dir.Mention(ctx, acct.ID, m.Room, m.ID); err != nil {
			h.log.Error("record a mention", "room", m.Room, "err", err)
		}
	}
}

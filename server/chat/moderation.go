//go:build !js

package chat

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"livechat/server/account"
	"livechat/server/cluster"
	roomdir "livechat/server/room"
	"livechat/shared"
)

// Moderation: the requests with which a room's moderators (its owner, and
// the server's admins) delete messages, mute, kick and ban people, lock
// rooms and set their slow mode, and with which admins ban people and
// addresses from the server; and the checks that enforce them.
//
// What is decided is kept where its subject lives: lock and slow mode in
// the room's record, mutes and room bans beside it (package room), server
// and address bans with the accounts (package account). Every action is
// recorded in the audit log (audit.go) before it is answered, with a
// moderated event holding the entry. Other servers learn of it by notices
// (cluster.go): a kick is a left, a mute or ban drops what they cached,
// and a lock or slow mode reaches the members as any change of a room.
//
// The checks on say read only cached records (the room's, a person's
// mute), never storage for each message. Slow mode is counted in memory,
// by each server for its own connections: someone connected to two
// servers may write once per period on each.

// moderates reports whether s moderates the room rec: an admin, any room;
// the owner, their public or private room. A direct conversation has no
// owner.
func (s *session) moderates(rec roomdir.Room) bool {
	return s.admin || rec.Kind != roomdir.Direct && rec.Creator != "" && rec.Creator == s.you.ID
}

// roomNamed returns the room a moderation request names (required), if s
// may see it: an admin sees every room, others get not_found for one they
// may not see.
func (s *session) roomNamed(ctx context.Context, name string) (roomdir.Room, error) {
	if name == "" {
		return roomdir.Room{}, shared.Errorf(shared.CodeInvalidRequest, "name the room")
	}
	if _, err := shared.CheckRoom(name); err != nil {
		return roomdir.Room{}, err
	}
	var (
		rec roomdir.Room
		err error
	)
	if s.admin {
		rec, err = s.hub.dir.Get(ctx, name)
	} else {
		rec, err = s.hub.dir.Visible(ctx, name, s.you.ID)
	}
	return rec, s.storeError("find the room", err)
}

// moderatedRoom is roomNamed, for a room s must moderate (forbidden
// otherwise).
func (s *session) moderatedRoom(ctx context.Context, name string) (roomdir.Room, error) {
	rec, err := s.roomNamed(ctx, name)
	if err != nil {
		return rec, err
	}
	if !s.moderates(rec) {
		if rec.Kind == roomdir.Direct {
			return rec, shared.Errorf(shared.CodeForbidden, "only the admins moderate a direct conversation")
		}
		return rec, shared.Errorf(shared.CodeForbidden, "only the owner of %s and the admins moderate it", rec.Label())
	}
	return rec, nil
}

// target returns the person a request names by account id or nickname.
func (s *session) target(ctx context.Context, id, nickname string) (account.Account, error) {
	var (
		acct account.Account
		err  error
	)
	switch {
	case id != "" && nickname != "":
		return acct, shared.Errorf(shared.CodeInvalidRequest, "name the person by account or by nickname, not both")
	case id != "":
		acct, err = s.hub.accounts.Get(ctx, id)
	case nickname != "":
		acct, err = s.hub.accounts.Lookup(ctx, nickname)
	default:
		return acct, shared.Errorf(shared.CodeInvalidRequest, "name the person: their account or nickname")
	}
	return acct, s.storeError("find the person", err)
}

// mayActOn returns forbidden if s may not moderate the person t in rec
// (nil for the whole server): nobody acts on themselves or an admin, and
// only an admin on a room's owner.
func (s *session) mayActOn(rec *roomdir.Room, t account.Account) error {
	switch {
	case t.ID == s.you.ID:
		return shared.Errorf(shared.CodeForbidden, "you cannot do this to yourself")
	case t.Admin:
		return shared.Errorf(shared.CodeForbidden, "%s administers the server: nobody moderates them", t.Nickname)
	case rec != nil && rec.Creator == t.ID && !s.admin:
		return shared.Errorf(shared.CodeForbidden, "%s owns %s: only an admin moderates them", t.Nickname, rec.Label())
	}
	return nil
}

// until returns when a sanction of seconds from now ends: zero for 0
// (lifted).
func (h *Hub) until(seconds int) time.Time {
	if seconds == 0 {
		return time.Time{}
	}
	return h.now().Add(time.Duration(seconds) * time.Second)
}

// person is how an audit entry names an account.
func person(a account.Account) *shared.Person { return &shared.Person{ID: a.ID, Nickname: a.Nickname} }

// done answers a moderation request: it records e and sends its entry.
func (s *session) done(ctx context.Context, env shared.Envelope, e shared.AuditEntry) error {
	entry, err := s.record(ctx, e)
	if err != nil {
		return err
	}
	s.send(shared.TypeModerated, env.ID, entry)
	return nil
}

func (s *session) deleteMessage(ctx context.Context, env shared.Envelope) error {
	var req shared.Delete
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	if err := shared.CheckReason(req.Reason, false); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rec, err := s.roomNamed(ctx, req.Room)
	if err != nil {
		return err
	}
	m, err := s.hub.message(ctx, rec, req.ID)
	if err != nil {
		return s.storeError("find the message", err)
	}
	if m.Author != s.you.ID && !s.moderates(rec) {
		return shared.Errorf(shared.CodeForbidden, "only its author and the moderators of %s delete a message", rec.Label())
	}
	if err := s.hub.deleteMessage(ctx, s.person(), rec.ID, m); err != nil {
		return err
	}
	return s.done(ctx, env, shared.AuditEntry{Action: shared.ActionDelete, Room: rec.ID, Target: s.hub.author(ctx, m), Message: m.ID, Reason: req.Reason})
}

// message returns the message id of rec as kept now, or not_found: for a
// message never said, erased or removed, and for one that is not a
// message said (a deletion).
func (h *Hub) message(ctx context.Context, rec roomdir.Room, id uint64) (shared.Message, error) {
	return h.stored(ctx, rec.ID, id, rec.Label())
}

// stored returns the message id of room as stored, or not_found (naming
// the room as where): for a message never said, erased or removed (a
// read outside the room's ids finds nothing either), and for an event.
func (h *Hub) stored(ctx context.Context, room string, id uint64, where string) (shared.Message, error) {
	msgs, err := h.store.Range(ctx, room, id, id)
	if err != nil {
		return shared.Message{}, err
	}
	if len(msgs) == 0 || msgs[0].ID != id || msgs[0].Kind != "" {
		return shared.Message{}, shared.Errorf(shared.CodeNotFound, "there is no message %d in %s", id, where)
	}
	return msgs[0], nil
}

// author returns the author of m for an audit entry, by their nickname
// now if they have an account.
func (h *Hub) author(ctx context.Context, m shared.Message) *shared.Person {
	if m.Author == "" {
		return &shared.Person{Nickname: m.From}
	}
	if acct, err := h.accounts.Get(ctx, m.Author); err == nil {
		return person(acct)
	}
	return &shared.Person{ID: m.Author, Nickname: m.From}
}

// person returns who s is, as messages and audit entries name them.
func (s *session) person() shared.Person { return shared.Person{ID: s.you.ID, Nickname: s.nickname()} }

// deleteMessage deletes m from room on behalf of by: a message of kind
// delete tells everyone, in the room's order, then the message is erased
// from the store, and its reports are closed. (In that order: erased
// first, it would stay on the screens of those who have it, if the rest
// failed.)
func (h *Hub) deleteMessage(ctx context.Context, by shared.Person, room string, m shared.Message) error {
	// One deletion per message, even if two moderators click at once.
	_, _, err := h.annotate(ctx, room, m.ID, shared.MessageDelete, by, fmt.Sprintf("delete\x00%d", m.ID),
		func(m *shared.Message) (bool, error) {
			if m.Deleted {
				return false, nil
			}
			m.Deleted = true
			return true, nil
		})
	var perr *shared.Error
	if errors.As(err, &perr) {
		return err
	}
	if err != nil {
		h.log.Error("store a deletion", "room", room, "message", m.ID, "err", err)
		return shared.Errorf(shared.CodeInternal, "the message could not be deleted now; try again")
	}
	if err := h.store.Erase(ctx, room, m.ID); err != nil {
		h.log.Error("erase a deleted message", "room", room, "message", m.ID, "err", err)
		return shared.Errorf(shared.CodeInternal, "the message is deleted but could not be erased from the server yet; delete it again")
	}
	if err := h.dir.CloseReports(ctx, room, m.ID); err != nil {
		h.log.Warn("close the reports of a deleted message", "room", room, "message", m.ID, "err", err)
	}
	// The message no longer counts as unread (see Hub.info), nor as a
	// mention.
	if cands := shared.MentionCandidates(m.Text); cands != nil {
		h.later(func() { h.unmention(m, cands) })
	}
	return nil
}

// unmention forgets the mentions of m (cands, its
// shared.MentionCandidates), deleted. It runs off the request's path.
func (h *Hub) unmention(m shared.Message, cands []string) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	for _, c := range cands {
		acct, err := h.accounts.Lookup(ctx, c)
		if err != nil {
			continue
		}
		if err := h.dir.Unmention(ctx, acct.ID, m.Room, m.ID); err != nil {
			h.log.Warn("forget a mention of a deleted message", "room", m.Room, "err", err)
		}
	}
}

func (s *session) mute(ctx context.Context, env shared.Envelope) error {
	var req shared.Mute
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	if err := errors.Join(shared.CheckSeconds(req.Seconds), shared.CheckReason(req.Reason, false)); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rec, t, err := s.roomAndTarget(ctx, req.Room, req.Account, req.Nickname)
	if err != nil {
		return err
	}
	h := s.hub
	sanction := roomdir.Sanction{Until: h.until(req.Seconds), By: s.you.ID, Reason: req.Reason}
	if err := h.dir.Mute(ctx, rec.ID, t.ID, sanction); err != nil {
		return s.storeError("mute "+t.Nickname, err)
	}
	h.notify(cluster.Notice{Kind: cluster.NoticeMuted, Account: t.ID, Room: rec.ID})
	action := shared.ActionMute
	if req.Seconds == 0 {
		action = shared.ActionUnmute
	}
	return s.done(ctx, env, shared.AuditEntry{Action: action, Room: rec.ID, Target: person(t), Seconds: req.Seconds, Reason: req.Reason})
}

// roomAndTarget returns the room s moderates and the person in it a
// request names, if s may act on them there.
func (s *session) roomAndTarget(ctx context.Context, room, id, nickname string) (roomdir.Room, account.Account, error) {
	rec, err := s.moderatedRoom(ctx, room)
	if err != nil {
		return rec, account.Account{}, err
	}
	t, err := s.target(ctx, id, nickname)
	if err != nil {
		return rec, t, err
	}
	return rec, t, s.mayActOn(&rec, t)
}

func (s *session) kick(ctx context.Context, env shared.Envelope) error {
	var req shared.Kick
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	if err := shared.CheckReason(req.Reason, false); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rec, t, err := s.roomAndTarget(ctx, req.Room, req.Account, req.Nickname)
	if err != nil {
		return err
	}
	if rec.Kind == roomdir.Direct {
		return shared.Errorf(shared.CodeInvalidRequest, "nobody leaves a direct conversation: mute them, or ban them from the server")
	}
	h := s.hub
	if member, err := h.dir.IsMember(ctx, rec.ID, t.ID); err != nil {
		return s.storeError("kick "+t.Nickname, err)
	} else if !member {
		return shared.Errorf(shared.CodeNotFound, "%s is not in %s", t.Nickname, rec.Label())
	}
	if err := h.dir.Leave(ctx, rec.ID, t.ID); err != nil {
		return s.storeError("kick "+t.Nickname, err)
	}
	h.leftHere(t.ID, rec.ID, nil)
	h.notify(cluster.Notice{Kind: cluster.NoticeLeft, Account: t.ID, Room: rec.ID})
	return s.done(ctx, env, shared.AuditEntry{Action: shared.ActionKick, Room: rec.ID, Target: person(t), Reason: req.Reason})
}

func (s *session) ban(ctx context.Context, env shared.Envelope) error {
	var req shared.Ban
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	if err := errors.Join(shared.CheckSeconds(req.Seconds), shared.CheckReason(req.Reason, false)); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if req.Room == "" {
		return s.serverBan(ctx, env, req)
	}
	rec, t, err := s.roomAndTarget(ctx, req.Room, req.Account, req.Nickname)
	if err != nil {
		return err
	}
	if rec.Kind == roomdir.Direct {
		return shared.Errorf(shared.CodeInvalidRequest, "nobody is banned from a direct conversation: mute them, or ban them from the server")
	}
	h := s.hub
	until := h.until(req.Seconds)
	if err := h.dir.Ban(ctx, rec.ID, t.ID, roomdir.Sanction{Until: until, By: s.you.ID, Reason: req.Reason}); err != nil {
		return s.storeError("ban "+t.Nickname, err)
	}
	if !until.IsZero() {
		h.leftHere(t.ID, rec.ID, nil)
	}
	h.notify(cluster.Notice{Kind: cluster.NoticeBanned, Account: t.ID, Room: rec.ID, Until: until})
	action := shared.ActionBan
	if until.IsZero() {
		action = shared.ActionUnban
	}
	return s.done(ctx, env, shared.AuditEntry{Action: action, Room: rec.ID, Target: person(t), Seconds: req.Seconds, Reason: req.Reason})
}

// serverBan bans a person from the server, or lifts the ban: admins only.
func (s *session) serverBan(ctx context.Context, env shared.Envelope, req shared.Ban) error {
	if !s.admin {
		return shared.Errorf(shared.CodeForbidden, "only the admins ban people from the server: name a room to ban them from it")
	}
	t, err := s.target(ctx, req.Account, req.Nickname)
	if err != nil {
		return err
	}
	if err := s.mayActOn(nil, t); err != nil {
		return err
	}
	h := s.hub
	until := h.until(req.Seconds)
	if _, err := h.accounts.Ban(ctx, t.ID, account.Ban{Until: until, By: s.you.ID, Reason: req.Reason}); err != nil {
		return s.storeError("ban "+t.Nickname, err)
	}
	h.bannedHere(t.ID, until)
	h.notify(cluster.Notice{Kind: cluster.NoticeBanned, Account: t.ID, Until: until})
	action := shared.ActionBan
	if until.IsZero() {
		action = shared.ActionUnban
	}
	return s.done(ctx, env, shared.AuditEntry{Action: action, Target: person(t), Seconds: req.Seconds, Reason: req.Reason})
}

// bannedHere closes the connections here of the account id, banned from
// the server until until (if that is still to come), saying why.
func (h *Hub) bannedHere(id string, until time.Time) {
	if !until.After(h.now()) {
		return
	}
	bye := newCloseFrame(shared.StatusBanned, "You are banned from this server until "+shared.FormatUntil(until)+".")
	for _, s := range h.sessionsOf(id) {
		s.stop(bye)
	}
}

func (s *session) banAddress(ctx context.Context, env shared.Envelope) error {
	var req shared.BanAddress
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	if !s.admin {
		return shared.Errorf(shared.CodeForbidden, "only the admins ban addresses")
	}
	addr, err := netip.ParseAddr(req.Address)
	if err != nil {
		return shared.Errorf(shared.CodeInvalidRequest, "%q is not an IP address", req.Address)
	}
	if err := errors.Join(shared.CheckSeconds(req.Seconds), shared.CheckReason(req.Reason, false)); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	network, err := s.hub.accounts.BanAddress(ctx, addr, s.you.ID, s.hub.until(req.Seconds), req.Reason)
	if err != nil {
		return s.storeError("ban the address", err)
	}
	action := shared.ActionBanAddress
	if req.Seconds == 0 {
		action = shared.ActionUnbanAddress
	}
	return s.done(ctx, env, shared.AuditEntry{Action: action, Address: network.String(), Seconds: req.Seconds, Reason: req.Reason})
}

func (s *session) lock(ctx context.Context, env shared.Envelope) error {
	var req shared.Lock
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	action := shared.ActionUnlock
	if req.Locked {
		action = shared.ActionLock
	}
	return s.changeRoom(ctx, env, req.Room, shared.AuditEntry{Action: action}, func(ctx context.Context, id string) (roomdir.Room, error) {
		return s.hub.dir.SetLocked(ctx, id, req.Locked)
	})
}

func (s *session) slowMode(ctx context.Context, env shared.Envelope) error {
	var req shared.SlowMode
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	if req.Seconds < 0 || req.Seconds > shared.MaxSlowModeSeconds {
		return shared.Errorf(shared.CodeInvalidRequest, "slow mode is 0 (off) to %d seconds, not %d", shared.MaxSlowModeSeconds, req.Seconds)
	}
	return s.changeRoom(ctx, env, req.Room, shared.AuditEntry{Action: shared.ActionSlowMode, Seconds: req.Seconds}, func(ctx context.Context, id string) (roomdir.Room, error) {
		return s.hub.dir.SetSlowMode(ctx, id, req.Seconds)
	})
}

// changeRoom changes a room s moderates with change, tells its members
// (here and on the other servers) and answers with e.
func (s *session) changeRoom(ctx context.Context, env shared.Envelope, room string, e shared.AuditEntry, change func(context.Context, string) (roomdir.Room, error)) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rec, err := s.moderatedRoom(ctx, room)
	if err != nil {
		return err
	}
	if rec, err = change(ctx, rec.ID); err != nil {
		return s.storeError("change the room", err)
	}
	e.Room = rec.ID
	if err := s.done(ctx, env, e); err != nil {
		return err
	}
	members, err := s.hub.dir.Members(ctx, rec.ID)
	if err != nil {
		return s.storeError("tell the members", err)
	}
	s.hub.tell(ctx, members, rec, nil)
	return nil
}

// maySay returns why s may not write in room now, if it may not: the room
// is locked, s is muted there, or slow mode asks it to wait. Moderators
// may always. It reads cached records only.
func (s *session) maySay(ctx context.Context, room string) error {
	return s.mayWrite(ctx, room, true)
}

// mayWrite is maySay for a say (paced: slow mode applies) or for an edit
// or a reaction (not paced).
func (s *session) mayWrite(ctx context.Context, room string, paced bool) error {
	h := s.hub
	rec, err := h.dir.Get(ctx, room)
	if err != nil {
		return s.storeError("check the room", err)
	}
	if s.moderates(rec) {
		return nil
	}
	if rec.Locked {
		return shared.Errorf(shared.CodeForbidden, "%s is locked: only its moderators write in it now", rec.Label())
	}
	now := h.now()
	until, err := h.dir.MutedUntil(ctx, room, s.you.ID)
	if err != nil {
		return s.storeError("check the room", err)
	}
	if until.After(now) {
		return shared.Errorf(shared.CodeForbidden, "you are muted in %s until %s", rec.Label(), shared.FormatUntil(until))
	}
	if rec.SlowMode > 0 && paced {
		if wait := h.pace.take(room, s.you.ID, now, time.Duration(rec.SlowMode)*time.Second); wait > 0 {
			return shared.RetryLater(wait, "slow mode in %s: one message every %d seconds; wait %d more", rec.Label(), rec.SlowMode, int(wait.Seconds()+0.999))
		}
	}
	return nil
}

// pace is slow mode on one server: when each person last wrote in each
// room under slow mode.
type pace struct {
	mu   sync.Mutex
	last map[[2]string]time.Time
}

// maxPaced bounds what pace keeps; past it, it forgets the times no slow
// mode can still need (and, if that is not enough, all of them).
const maxPaced = 100_000

// take returns how long who must still wait before writing in room
// again, under a slow mode of one message every every; if nothing, it
// counts a message at now.
func (p *pace) take(room, who string, now time.Time, every time.Duration) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := [2]string{room, who}
	if last, ok := p.last[k]; ok {
		if wait := last.Add(every).Sub(now); wait > 0 {
			return wait
		}
	}
	if p.last == nil {
		p.last = make(map[[2]string]time.Time)
	}
	if len(p.last) >= maxPaced {
		for k, t := range p.last {
			if now.Sub(t) > shared.MaxSlowModeSeconds*time.Second {
				delete(p.last, k)
			}
		}
		if len(p.last) >= maxPaced {
			clear(p.last)
		}
	}
	p.last[k] = now
	return 0
}

// signUpAllowed returns forbidden if no account may be made from addr
// now.
func (h *Hub) signUpAllowed(ctx context.Context, addr netip.Addr) error {
	until, err := h.accounts.AddressBannedUntil(ctx, addr)
	if err != nil {
		return err
	}
	if until.After(h.now()) {
		return shared.Errorf(shared.CodeForbidden, "no new accounts can be made from your network until %s", shared.FormatUntil(until))
	}
	return nil
}

// moderationNotice applies another server's mute or ban to the
// connections here.
func (h *Hub) moderationNotice(n cluster.Notice) {
	switch {
	case n.Kind == cluster.NoticeMuted:
		h.dir.ForgetSanctions(n.Room, n.Account)
	case n.Kind == cluster.NoticeBanned && n.Room != "":
		h.dir.ForgetSanctions(n.Room, n.Account)
		h.dir.Forget(n.Room, n.Account)
		if !n.Until.IsZero() {
			h.leftHere(n.Account, n.Room, nil)
		}
	case n.Kind == cluster.NoticeBanned:
		h.accounts.Forget(n.Account)
		h.bannedHere(n.Account, n.Until)
	}
}

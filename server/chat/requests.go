//go:build !js

package chat

import (
	"context"
	"encoding/json"
	"errors"

	"livechat/server/account"
	"livechat/server/cluster"
	roomdir "livechat/server/room"
	"livechat/shared"
)

// handle carries out one request of s.
func (s *session) handle(ctx context.Context, env shared.Envelope) error {
	if err := s.allow(actionOf(env.Type)); err != nil {
		return err
	}
	if s.you.ID == "" {
		switch env.Type {
		case shared.TypeHello:
			return s.hello(ctx, env)
		case shared.TypePing:
		case shared.TypePasskey:
			return s.passkey(ctx, env)
		case shared.TypeJoin:
			if isLegacyJoin(env.Payload) {
				return shared.Errorf(shared.CodeProtocolOutdated, "this page is out of date: reload it to get the current version of livechat")
			}
			fallthrough
		default:
			return shared.Errorf(shared.CodeUnauthorized, "say hello first: sign in before anything else")
		}
	}
	switch env.Type {
	case shared.TypeHello:
		return shared.Errorf(shared.CodeInvalidRequest, "already signed in as %q", s.nickname())
	case shared.TypeJoin:
		return s.join(ctx, env)
	case shared.TypeLeave:
		return s.leave(ctx, env)
	case shared.TypeRooms:
		return s.listRooms(ctx, env)
	case shared.TypeCreateRoom:
		return s.createRoom(ctx, env)
	case shared.TypeOpenDM:
		return s.openDM(ctx, env)
	case shared.TypeInvite:
		return s.invite(ctx, env)
	case shared.TypeAdd:
		return s.add(ctx, env)
	case shared.TypeTopic:
		return s.topic(ctx, env)
	case shared.TypeMembers:
		return s.members(ctx, env)
	case shared.TypeRead:
		return s.read(ctx, env)
	case shared.TypeAccount:
		return s.account(ctx, env)
	case shared.TypePassword:
		return s.password(ctx, env)
	case shared.TypeRevoke:
		return s.revoke(ctx, env)
	case shared.TypeRename:
		return s.rename(ctx, env)
	case shared.TypePasskey:
		return s.passkey(ctx, env)
	case shared.TypeAddPasskey:
		return s.addPasskey(ctx, env)
	case shared.TypeSettings:
		return s.settings(ctx, env)
	case shared.TypeSay:
		return s.say(ctx, env)
	case shared.TypeHistory:
		return s.history(ctx, env)
	case shared.TypeDelete:
		return s.deleteMessage(ctx, env)
	case shared.TypeEdit:
		return s.edit(ctx, env)
	case shared.TypeReact:
		return s.react(ctx, env)
	case shared.TypeTyping:
		return s.typing(ctx, env)
	case shared.TypeMute:
		return s.mute(ctx, env)
	case shared.TypeKick:
		return s.kick(ctx, env)
	case shared.TypeBan:
		return s.ban(ctx, env)
	case shared.TypeBanAddress:
		return s.banAddress(ctx, env)
	case shared.TypeLock:
		return s.lock(ctx, env)
	case shared.TypeSlowMode:
		return s.slowMode(ctx, env)
	case shared.TypeReport:
		return s.report(ctx, env)
	case shared.TypeReports:
		return s.reports(ctx, env)
	case shared.TypeResolveReport:
		return s.resolveReport(ctx, env)
	case shared.TypeAudit:
		return s.audit(ctx, env)
	case shared.TypePing:
	default:
		return shared.Errorf(shared.CodeUnknownType, "unknown message type %q: see PROTOCOL.md for the requests", env.Type)
	}
	s.send(shared.TypePong, env.ID, nil)
	return nil
}

// isLegacyJoin reports whether a join before hello comes from a client of
// protocol 2 or older, which joined with a nickname.
func isLegacyJoin(payload json.RawMessage) bool {
	var j struct {
		Nickname *string `json:"nickname"`
	}
	return json.Unmarshal(payload, &j) == nil && j.Nickname != nil
}

// hello signs the connection in: with a credential, a nickname and
// password, or a new account for a nickname.
func (s *session) hello(ctx context.Context, env shared.Envelope) error {
	var h shared.Hello
	if err := env.DecodePayload(&h); err != nil {
		return err
	}
	switch {
	case h.Protocol < shared.ProtocolVersion:
		return shared.Errorf(shared.CodeProtocolOutdated, "this page is out of date (protocol %d, the server speaks %d): reload it to get the current version of livechat", h.Protocol, shared.ProtocolVersion)
	case h.Protocol > shared.ProtocolVersion:
		return shared.Errorf(shared.CodeProtocolOutdated, "this server is older than the app (protocol %d, the server speaks %d): try again after it is updated", h.Protocol, shared.ProtocolVersion)
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	var (
		acct       account.Account
		device     string
		credential string
		err        error
	)
	accounts := s.hub.accounts
	if h.Credential == "" {
		if err := s.allowSignIn(h.Password == "" && len(h.Passkey) == 0); err != nil {
			return err
		}
	}
	switch {
	case h.Credential != "":
		acct, device, err = accounts.Authenticate(ctx, h.Credential)
	case len(h.Passkey) > 0:
		acct, credential, err = accounts.PasskeySignIn(ctx, s.ceremony, h.Passkey, h.Device)
		s.ceremony = nil
	case h.Password != "":
		acct, credential, err = accounts.SignIn(ctx, h.Nickname, h.Password, h.Device)
	default:
		if err = s.hub.signUpAllowed(ctx, s.addr); err == nil {
			acct, credential, err = accounts.SignUp(ctx, h.Nickname, h.Device, h.Invite)
		}
	}
	if err != nil {
		var perr *shared.Error
		if !errors.As(err, &perr) {
			s.log.Error("sign in", "err", err)
			return shared.Errorf(shared.CodeInternal, "signing in failed on the server; try again")
		}
		return err
	}
	if until := acct.BannedUntil(s.hub.now()); !until.IsZero() {
		return account.ErrBanned(until)
	}
	if credential != "" {
		device = account.DeviceOf(credential)
	}
	s.you = shared.Person{ID: acct.ID, Nickname: acct.Nickname}
	s.device, s.admin = device, acct.Admin
	s.log = s.log.With("account", acct.ID)
	s.hub.signedIn(s)
	s.send(shared.TypeWelcome, env.ID, shared.Welcome{
		Server:     s.hub.cfg.Server,
		Protocol:   shared.ProtocolVersion,
		Limits:     shared.DefaultLimits,
		You:        s.you,
		Admin:      acct.Admin,
		Credential: credential,
	})
	s.log.Info("signed in", "nickname", acct.Nickname, "new_device", credential != "")
	return nil
}

func (s *session) join(ctx context.Context, env shared.Envelope) error {
	var j shared.Join
	if err := env.DecodePayload(&j); err != nil {
		return err
	}
	history := *s.hub.cfg.History
	if j.History != nil {
		var err error
		if history, err = shared.HistoryLimit("history", j.History); err != nil {
			return err
		}
	}
	rec, first, err := s.access(ctx, j)
	if err != nil {
		return err
	}
	name := rec.ID
	if s.membership(name) != nil {
		return shared.Errorf(shared.CodeAlreadyJoined, "already in #%s on this connection", name)
	}
	s.roomsMu.Lock()
	n := len(s.rooms)
	s.roomsMu.Unlock()
	if n >= s.hub.cfg.MaxJoined {
		return shared.Errorf(shared.CodeInvalidRequest, "a connection is in at most %d rooms: leave one first", s.hub.cfg.MaxJoined)
	}
	r, err := s.hub.enter(ctx, name, s.addrKey, s.exempt)
	if err != nil {
		return err
	}
	if first {
		// A newcomer to a public room has read its past: only what comes
		// from now on is unread for them.
		r.mu.Lock()
		last := r.last
		r.mu.Unlock()
		if last > 0 {
			rctx, cancel := context.WithTimeout(ctx, storeTimeout)
			_, err := s.hub.dir.SetRead(rctx, s.you.ID, name, last)
			cancel()
			if err != nil {
				s.log.Warn("mark a newcomer's history read", "room", name, "err", err)
			}
		}
	}
	if err := s.hub.join(ctx, s, r, env.ID, j, history); err != nil {
		s.hub.release(r)
		return err
	}
	s.log.Debug("joined", "room", name, "resume", j.Since != nil)
	return nil
}

// access returns the room a join asks for if the person may enter it (an
// invite makes them a member; entering a public room too), or the error
// to answer.
func (s *session) access(ctx context.Context, j shared.Join) (rec roomdir.Room, first bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	dir := s.hub.dir
	if j.Invite != "" {
		rec, err := dir.Redeem(ctx, j.Invite, s.you.ID)
		if err == nil && j.Room != "" && j.Room != rec.ID {
			return roomdir.Room{}, false, shared.Errorf(shared.CodeInvalidRequest, "this invite is to another room")
		}
		return rec, false, s.storeError("redeem the invite", err)
	}
	name, err := shared.CheckRoom(j.Room)
	if err != nil {
		return roomdir.Room{}, false, err
	}
	_, err = dir.Get(ctx, name)
	creating := isNotFound(err)
	switch {
	case creating:
		// Naming a public room that does not exist creates it.
		if err := s.allow(actCreate); err != nil {
			return roomdir.Room{}, false, err
		}
		if err := s.roomsAllowed(ctx); err != nil {
			return roomdir.Room{}, false, err
		}
	case err != nil:
		return roomdir.Room{}, false, s.storeError("open the room", err)
	}
	rec, err = dir.Open(ctx, name, s.you.ID)
	if err == nil && rec.Kind == roomdir.Public && !creating {
		// One more room for the person, unless they are in it already
		// (a room just made was counted above).
		if member, merr := dir.IsMember(ctx, rec.ID, s.you.ID); merr != nil {
			err = merr
		} else if !member {
			err = s.roomsAllowed(ctx)
		}
	}
	if err == nil && rec.Kind == roomdir.Public {
		first, err = dir.Enter(ctx, rec.ID, s.you.ID)
	}
	return rec, first, s.storeError("open the room", err)
}

// storeError passes errors for people on and logs the others, which
// become an internal error.
func (s *session) storeError(doing string, err error) error {
	var perr *shared.Error
	if err == nil || errors.As(err, &perr) {
		return err
	}
	s.log.Error(doing, "err", err)
	return shared.Errorf(shared.CodeInternal, "the server could not %s now; try again", doing)
}

// leave ends the person's membership of a room: none of their
// connections here are in it any more.
func (s *session) leave(ctx context.Context, env shared.Envelope) error {
	var l shared.Leave
	if err := env.DecodePayload(&l); err != nil {
		return err
	}
	name, err := shared.CheckRoom(l.Room)
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	member, err := s.hub.dir.IsMember(dctx, name, s.you.ID)
	if err != nil {
		return s.storeError("leave the room", err)
	}
	if !member && s.membership(name) == nil {
		if err := s.visible(dctx, name); err != nil {
			return err
		}
		return shared.Errorf(shared.CodeNotJoined, "you are not in #%s", name)
	}
	if err := s.hub.dir.Leave(dctx, name, s.you.ID); err != nil {
		return s.storeError("leave the room", err)
	}
	s.hub.leftHere(s.you.ID, name, s)
	s.hub.notify(cluster.Notice{Kind: cluster.NoticeLeft, Account: s.you.ID, Room: name})
	s.send(shared.TypeLeft, env.ID, shared.Left{Room: name})
	return nil
}

// leftHere takes the connections here of the account id out of the room
// it left, telling each but from (which answers the request itself).
func (h *Hub) leftHere(id, room string, from *session) {
	for _, s := range h.sessionsOf(id) {
		if h.unsubscribe(s, room) && s != from {
			s.send(shared.TypeLeft, "", shared.Left{Room: room})
		}
	}
}

// joined returns the membership of s in the room a request names; or
// not_joined, if the person may join it; or not_found, the answer about
// a room they may not see.
func (s *session) joined(ctx context.Context, room, doing string) (*membership, error) {
	name, err := shared.CheckRoom(room)
	if err != nil {
		return nil, err
	}
	if m := s.membership(name); m != nil {
		return m, nil
	}
	if err := s.visible(ctx, name); err != nil {
		return nil, err
	}
	return nil, shared.Errorf(shared.CodeNotJoined, "join #%s before you %s", name, doing)
}

// visible returns nil if the person may see the room called name, or
// not_found (see room.Directory.Visible).
func (s *session) visible(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	_, err := s.hub.dir.Visible(ctx, name, s.you.ID)
	return s.storeError("find the room", err)
}

func (s *session) say(ctx context.Context, env shared.Envelope) error {
	var say shared.Say
	if err := env.DecodePayload(&say); err != nil {
		return err
	}
	if err := shared.CheckID(env.ID); err != nil {
		return err
	}
	m, err := s.joined(ctx, say.Room, "say anything there")
	if err != nil {
		return err
	}
	if err := shared.CheckText(say.Text); err != nil {
		return err
	}
	if err := s.maySay(ctx, m.r.name); err != nil {
		return err
	}
	msg := shared.Message{Text: say.Text}
	if say.ReplyTo != 0 {
		quote, err := s.hub.replyTo(ctx, m.r.name, say.ReplyTo)
		if err != nil {
			return s.storeError("find the message replied to", err)
		}
		msg.ReplyTo, msg.Quote = say.ReplyTo, quote
	}
	return s.hub.say(s, m, env.ID, msg)
}

func (s *session) history(ctx context.Context, env shared.Envelope) error {
	var req shared.HistoryRequest
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	m, err := s.joined(ctx, req.Room, "ask for its history")
	if err != nil {
		return err
	}
	if req.Before == 0 {
		return shared.Errorf(shared.CodeInvalidRequest, "a history request needs before: the id of the oldest message you have")
	}
	limit, err := shared.HistoryLimit("limit", req.Limit)
	if err != nil {
		return err
	}
	hist, err := s.hub.page(ctx, m.r.name, req, limit)
	if err != nil {
		s.log.Error("read history", "err", err)
		return shared.Errorf(shared.CodeInternal, "the history cannot be read now; try again")
	}
	s.hub.currentNames(ctx, hist.Messages)
	s.send(shared.TypeHistory, env.ID, hist)
	return nil
}

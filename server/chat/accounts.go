//go:build !js

package chat

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"livechat/server/account"
	"livechat/server/cluster"
	"livechat/shared"
)

// Requests about the sender's own account: devices, password, nickname.

func (s *session) account(ctx context.Context, env shared.Envelope) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	acct, err := s.hub.accounts.Get(ctx, s.you.ID)
	if err != nil {
		return s.storeError("read your account", err)
	}
	s.sendAccount(env.ID, acct)
	return nil
}

// sendAccount describes acct to s, answering the request id.
func (s *session) sendAccount(id string, acct account.Account) {
	info := shared.Account{
		You:      shared.Person{ID: acct.ID, Nickname: acct.Nickname},
		Admin:    acct.Admin,
		Password: acct.HasPassword(),
		Devices:  make([]shared.Device, 0, len(acct.Devices)),
	}
	for _, d := range acct.Devices {
		info.Devices = append(info.Devices, shared.Device{ID: d.ID, Name: d.Name, Created: d.Created, LastSeen: d.LastSeen, Current: d.ID == s.device})
	}
	info.Passkeys = make([]shared.Passkey, 0, len(acct.Passkeys))
	for _, p := range acct.Passkeys {
		info.Passkeys = append(info.Passkeys, shared.Passkey{ID: p.ID(), Name: p.Name, Created: p.Created, LastUsed: p.LastUsed})
	}
	s.send(shared.TypeAccountInfo, id, info)
}

func (s *session) password(ctx context.Context, env shared.Envelope) error {
	var p shared.Password
	if err := env.DecodePayload(&p); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	accounts := s.hub.accounts
	if err := accounts.SetPassword(ctx, s.you.ID, p.Password); err != nil {
		return s.storeError("set your password", err)
	}
	s.log.Info("password set")
	return s.account(ctx, env)
}

func (s *session) revoke(ctx context.Context, env shared.Envelope) error {
	var r shared.Revoke
	if err := env.DecodePayload(&r); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if r.Passkey != "" {
		acct, err := s.hub.accounts.RemovePasskey(ctx, s.you.ID, r.Passkey)
		if err != nil {
			return s.storeError("remove the passkey", err)
		}
		s.log.Info("passkey removed", "passkey", r.Passkey)
		s.sendAccount(env.ID, acct)
		return nil
	}
	acct, err := s.hub.accounts.Revoke(ctx, s.you.ID, r.Device)
	if err != nil {
		return s.storeError("sign the device out", err)
	}
	s.log.Info("device signed out", "device", r.Device, "own", r.Device == s.device)
	if r.Device != s.device {
		s.sendAccount(env.ID, acct)
	}
	s.hub.notify(cluster.Notice{Kind: cluster.NoticeRevoke, Account: s.you.ID, Device: r.Device})
	s.hub.signOutHere(s.you.ID, r.Device)
	return nil
}

// signOutHere closes the connections here of the device of the account id
// that was signed out.
func (h *Hub) signOutHere(id, device string) {
	bye := newCloseFrame(shared.StatusSignedOut, "this device was signed out")
	for _, s := range h.sessionsOf(id) {
		if s.device == device {
			s.stop(bye)
		}
	}
}

// passkey starts a passkey ceremony: signing in before hello, adding a
// passkey after it.
func (s *session) passkey(ctx context.Context, env shared.Envelope) error {
	var req shared.PasskeyRequest
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	var (
		c       *account.Ceremony
		options json.RawMessage
		err     error
	)
	switch {
	case req.Purpose == shared.PasskeySignIn && s.you.ID == "":
		c, options, err = s.hub.accounts.BeginPasskeySignIn(s.origin)
	case req.Purpose == shared.PasskeyAdd && s.you.ID != "":
		c, options, err = s.hub.accounts.BeginAddPasskey(ctx, s.you.ID, s.origin)
	case req.Purpose == shared.PasskeyAdd:
		return shared.Errorf(shared.CodeUnauthorized, "say hello first: sign in before adding a passkey")
	case req.Purpose == shared.PasskeySignIn:
		return shared.Errorf(shared.CodeInvalidRequest, "already signed in as %q", s.nickname())
	default:
		return shared.Errorf(shared.CodeInvalidRequest, "a passkey purpose is %q or %q", shared.PasskeySignIn, shared.PasskeyAdd)
	}
	if err != nil {
		return s.storeError("start the passkey ceremony", err)
	}
	s.ceremony = c
	s.send(shared.TypePasskeyOptions, env.ID, shared.PasskeyOptions{Purpose: req.Purpose, Options: options})
	return nil
}

// addPasskey finishes adding a passkey with the browser's answer.
func (s *session) addPasskey(ctx context.Context, env shared.Envelope) error {
	var req shared.AddPasskey
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	c := s.ceremony
	s.ceremony = nil
	acct, err := s.hub.accounts.AddPasskey(ctx, c, req.Credential, req.Name)
	if err != nil {
		return s.storeError("add the passkey", err)
	}
	s.log.Info("passkey added")
	s.sendAccount(env.ID, acct)
	return nil
}

func (s *session) rename(ctx context.Context, env shared.Envelope) error {
	var r shared.Rename
	if err := env.DecodePayload(&r); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	old := s.nickname()
	acct, err := s.hub.accounts.Rename(ctx, s.you.ID, r.Nickname)
	if err != nil {
		return s.storeError("rename you", err)
	}
	s.log.Info("renamed", "from", old, "to", acct.Nickname)
	s.hub.renamed(s.you.ID, acct.Nickname)
	s.hub.notify(cluster.Notice{Kind: cluster.NoticeRenamed, Account: s.you.ID})
	s.sendAccount(env.ID, acct)
	return nil
}

// settings reads the server's settings, or changes them (the admin).
func (s *session) settings(ctx context.Context, env shared.Envelope) error {
	var req shared.SettingsRequest
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	accounts := s.hub.accounts
	var settings account.Settings
	if req.InviteOnly != nil {
		// The settings are all written: they are the answer.
		settings = account.Settings{InviteOnly: *req.InviteOnly}
		if err := accounts.SetSettings(ctx, s.you.ID, settings); err != nil {
			return s.storeError("change the settings", err)
		}
		s.log.Info("settings changed", "invite_only", *req.InviteOnly)
	} else {
		var err error
		if settings, err = accounts.Settings(ctx); err != nil {
			return s.storeError("read the settings", err)
		}
	}
	s.send(shared.TypeSettingsInfo, env.ID, shared.Settings{InviteOnly: settings.InviteOnly})
	return nil
}

// signupInvite answers an invite request without a room: an invite to
// sign up, from the admin.
func (s *session) signupInvite(ctx context.Context, env shared.Envelope, uses int, ttl time.Duration) error {
	inv, err := s.hub.accounts.NewSignupInvite(ctx, s.you.ID, uses, ttl)
	if err != nil {
		return s.storeError("make an invite", err)
	}
	s.send(shared.TypeInviteCode, env.ID, shared.Invite{Code: inv.Code, Expires: inv.Expires, MaxUses: inv.MaxUses})
	return nil
}

// renamed takes a person's new nickname into their sessions, the rooms
// they are in (others see the old name leave and the new one come) and
// the names shown in history.
func (h *Hub) renamed(id, nickname string) {
	h.names.set(id, nickname, h.cfg.Now())
	for _, s := range h.sessionsOf(id) {
		s.nick.Store(&nickname)
	}
	for _, r := range h.openRooms() {
		r.mu.Lock()
		if p := r.people[id]; p != nil && p.nickname != nickname {
			r.announce(h, id+"\x00was", p.nickname, false)
			p.nickname, p.key = nickname, shared.NicknameKey(nickname)
			r.announce(h, id, nickname, true)
		}
		r.mu.Unlock()
	}
}

// nameTTL is how long a nickname read from the accounts is used for
// history before it is read again (a rename on another server shows
// after at most this).
const nameTTL = time.Minute

// names caches the nicknames of message authors, to show history under
// the names people have now. Safe for concurrent use.
type names struct {
	mu sync.Mutex
	m  map[string]nameEntry
}

type nameEntry struct {
	nickname string
	at       time.Time
}

func (n *names) get(id string, now time.Time) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.m[id]
	if !ok || now.Sub(e.at) > nameTTL {
		return "", false
	}
	return e.nickname, true
}

func (n *names) set(id, nickname string, now time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = make(map[string]nameEntry)
	}
	if len(n.m) > 100_000 {
		clear(n.m) // a bound, not a policy: entries are cheap to read again
	}
	n.m[id] = nameEntry{nickname, now}
}

// currentNames sets the From of messages with an author to the author's
// nickname now. A nickname that cannot be read is left as stored.
func (h *Hub) currentNames(ctx context.Context, msgs []shared.Message) {
	now := h.cfg.Now()
	for i := range msgs {
		id := msgs[i].Author
		if id == "" {
			continue
		}
		name, ok := h.names.get(id, now)
		if !ok {
			acct, err := h.accounts.Get(ctx, id)
			if err != nil {
				continue
			}
			name = acct.Nickname
			h.names.set(id, name, now)
		}
		msgs[i].From = name
	}
}

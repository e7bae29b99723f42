//go:build !js

package chat

import (
	"context"
	"net/netip"
	"time"

	"golang.org/x/time/rate"

	"livechat/server/limit"
	"livechat/shared"
)

// Limits are how much one connection, one account and one address may do
// (see limit.Rate), so that a script is told to wait (rate_limited, with
// retry_after) long before it slows anyone else down. A zero field is no
// limit; DefaultLimits are the ones a server starts with.
type Limits struct {
	// Messages, History, Joins, Creations and Requests bound, for each
	// connection and for each account, the messages sent, the history
	// pages asked for, the rooms joined, the rooms, conversations and
	// invites created (a join that creates a public room too), and every
	// other request.
	Messages, History, Joins, Creations, Requests limit.Rate
	// AddressFactor: one address may do this many times what one account
	// may, since people behind one NAT share it. 0: no limits per address
	// but SignIns and SignUps.
	AddressFactor int
	// SignIns bounds the sign-ins with a password or a passkey from one
	// address; SignUps, the accounts created from one address.
	SignIns, SignUps limit.Rate
	// ConnectionsPerAddress bounds the connections open at once from one
	// address (more are refused with HTTP 429).
	ConnectionsPerAddress int
	// OpenRoomsPerAddress bounds the rooms open on this server that the
	// connections of one address opened (were first in), so that one
	// address cannot take all of Config.MaxRooms.
	OpenRoomsPerAddress int
	// RoomsPerAccount bounds the rooms one account is a member of.
	RoomsPerAccount int
	// Exempt are addresses whose connections no limit applies to: a
	// load test's, or a trusted network's.
	Exempt []netip.Prefix
}

// DefaultLimits are limits a lively person never reaches and a script
// reaches within a second: 2 messages a second after a burst of 30 (an
// offline outbox sends its backlog at once), 600 joins at once for a
// person in 500 rooms who reconnects.
var DefaultLimits = Limits{
	Messages:              limit.Rate{Burst: 30, Per: 15 * time.Second},
	History:               limit.Rate{Burst: 60, Per: 30 * time.Second},
	Joins:                 limit.Rate{Burst: 600, Per: time.Minute},
	Creations:             limit.Rate{Burst: 10, Per: time.Minute},
	Requests:              limit.Rate{Burst: 200, Per: 10 * time.Second},
	AddressFactor:         4,
	SignIns:               limit.Rate{Burst: 30, Per: time.Minute},
	SignUps:               limit.Rate{Burst: 50, Per: time.Hour},
	ConnectionsPerAddress: 200,
	OpenRoomsPerAddress:   100,
	RoomsPerAccount:       1000,
}

// action is what a request does, for the limits.
type action int

const (
	actMessage action = iota
	actHistory
	actJoin
	actCreate
	actRequest
	numActions
)

// Names of the limits, as metrics and logs give them.
var actionNames = [numActions]string{"messages", "history", "joins", "creations", "requests"}

// tooFast says what a person did too fast.
var tooFast = [numActions]string{
	"you are sending messages too fast",
	"you are asking for history too fast",
	"you are joining rooms too fast",
	"you are creating rooms and invites too fast",
	"you are sending requests too fast",
}

// actionOf returns what a request of type t does.
func actionOf(t shared.Type) action {
	switch t {
	case shared.TypeSay, shared.TypeEdit, shared.TypeReact:
		return actMessage // each stores something in the room
	case shared.TypeHistory:
		return actHistory
	case shared.TypeJoin:
		return actJoin
	case shared.TypeCreateRoom, shared.TypeOpenDM, shared.TypeInvite:
		return actCreate
	}
	return actRequest
}

// limiters are the hub's buckets by account and by address; a session
// keeps its own. Safe for concurrent use.
type limiters struct {
	cfg              Limits
	account, address [numActions]*limit.Keyed
	signIns, signUps *limit.Keyed
}

func newLimiters(cfg Limits) *limiters {
	l := &limiters{cfg: cfg}
	rates := l.rates()
	for a, r := range rates {
		l.account[a] = limit.NewKeyed(r)
		if cfg.AddressFactor > 0 {
			l.address[a] = limit.NewKeyed(r.Times(cfg.AddressFactor))
		}
	}
	l.signIns, l.signUps = limit.NewKeyed(cfg.SignIns), limit.NewKeyed(cfg.SignUps)
	return l
}

func (l *limiters) rates() [numActions]limit.Rate {
	c := l.cfg
	return [numActions]limit.Rate{c.Messages, c.History, c.Joins, c.Creations, c.Requests}
}

// exempt reports whether no limit per address applies to a.
func (l *limiters) exempt(a netip.Addr) bool {
	for _, p := range l.cfg.Exempt {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// addrKey is the key of the limits per address of a: the address, or
// for IPv6 its /64, which one subscriber usually has whole.
func addrKey(a netip.Addr) string {
	if a.Is6() && !a.Is4In6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// allow takes a token for act from the session's, its account's and its
// address's buckets, or returns the rate_limited error to answer.
func (s *session) allow(act action) error {
	l := s.hub.limits
	if s.exempt {
		return nil
	}
	now := s.hub.cfg.Now()
	if act == actMessage && now.Before(s.heldUntil) {
		// Messages after a refused one wait too, so that they are not
		// stored before it: the client sends them again in order.
		return shared.RetryLater(s.heldUntil.Sub(now), "%s: try again in %s", tooFast[act], roundWait(s.heldUntil.Sub(now)))
	}
	var acct *rate.Limiter
	if s.you.ID != "" {
		acct = l.account[act].Get(s.you.ID, now)
	}
	wait := limit.Take(now, s.buckets[act], acct, l.address[act].Get(s.addrKey, now))
	if wait == 0 {
		return nil
	}
	if act == actMessage {
		s.heldUntil = now.Add(wait)
	}
	s.hub.limited(actionNames[act])
	return shared.RetryLater(wait, "%s: try again in %s", tooFast[act], roundWait(wait))
}

// allowSignIn takes a token for a sign-in (signUp false) or a new
// account from the session's address, or returns the error to answer.
func (s *session) allowSignIn(signUp bool) error {
	l := s.hub.limits
	if s.exempt {
		return nil
	}
	b, name, what := l.signIns, "sign_ins", "too many sign-ins"
	if signUp {
		b, name, what = l.signUps, "sign_ups", "too many new accounts"
	}
	now := s.hub.cfg.Now()
	wait := limit.Take(now, b.Get(s.addrKey, now))
	if wait == 0 {
		return nil
	}
	s.hub.limited(name)
	return shared.RetryLater(wait, "%s from your address: try again in %s", what, roundWait(wait))
}

// roundWait rounds a wait for people to read.
func roundWait(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// limited counts a request refused by the limit called name.
func (h *Hub) limited(name string) {
	h.cfg.Metrics.RateLimited(name)
}

// Admit counts a new connection from addr, or reports false if its
// address has as many as it may (see Limits.ConnectionsPerAddress). A
// connection admitted must be passed to Serve, or given back with
// Unadmit.
func (h *Hub) Admit(addr netip.Addr) bool {
	max := h.limits.cfg.ConnectionsPerAddress
	key := addrKey(addr)
	h.mu.Lock()
	defer h.mu.Unlock()
	if max > 0 && h.addrConns[key] >= max && !h.limits.exempt(addr) {
		h.limited("connections")
		return false
	}
	h.addrConns[key]++
	return true
}

// Unadmit gives back a connection Admit counted that never reached
// Serve.
func (h *Hub) Unadmit(addr netip.Addr) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unadmitLocked(addrKey(addr))
}

func (h *Hub) unadmitLocked(key string) {
	if h.addrConns[key]--; h.addrConns[key] <= 0 {
		delete(h.addrConns, key)
	}
}

// roomsAllowed returns nil if who may become a member of one more room,
// or the error to answer.
func (s *session) roomsAllowed(ctx context.Context) error {
	max := s.hub.limits.cfg.RoomsPerAccount
	if max <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rooms, err := s.hub.dir.RoomsOf(ctx, s.you.ID)
	if err != nil {
		return s.storeError("count your rooms", err)
	}
	if len(rooms) >= max {
		s.hub.limited("rooms_per_account")
		return shared.Errorf(shared.CodeForbidden, "you are in %d rooms, the most one person may be in: leave one first", len(rooms))
	}
	return nil
}

//go:build !js

package account

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"livechat/server/kv"
	"livechat/shared"
)

// Bans from the whole server, which its admin imposes: of an account,
// which then cannot sign in, and of an address, from which no account can
// be made (people who have one still sign in from it). Both end at a set
// time. Room bans and mutes are the rooms' (package room).

// Ban is an account's ban from the server.
type Ban struct {
	// Until is when it ends.
	Until time.Time `json:"until"`
	// By is the account id of the admin who imposed it.
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
}

// BannedUntil returns until when the account is banned from the server,
// if it is at now; zero otherwise.
func (a Account) BannedUntil(now time.Time) time.Time {
	if a.Ban == nil || !a.Ban.Until.After(now) {
		return time.Time{}
	}
	return a.Ban.Until
}

// ErrBanned returns the error that refuses the sign-in of an account
// banned until until.
func ErrBanned(until time.Time) error {
	return shared.Errorf(shared.CodeForbidden, "you are banned from this server until %s", shared.FormatUntil(until))
}

// Ban bans the account id from the server until b.Until (a zero Until
// lifts the ban), on behalf of b.By, who must be the admin. The admin
// cannot be banned.
func (a *Accounts) Ban(ctx context.Context, id string, b Ban) (Account, error) {
	if err := a.checkAdmin(ctx, b.By); err != nil {
		return Account{}, err
	}
	acct, err := a.update(ctx, id, func(acct *Account) error {
		if acct.Admin {
			return shared.Errorf(shared.CodeForbidden, "the admin of the server cannot be banned")
		}
		if b.Until.IsZero() {
			acct.Ban = nil
		} else {
			acct.Ban = &b
		}
		return nil
	})
	if err != nil {
		return Account{}, fmt.Errorf("ban %s: %w", id, err)
	}
	return acct, nil
}

// AddressPrefix returns the network an address ban of addr covers: an
// IPv4 address alone, or the /64 of an IPv6 address (the network one
// customer usually has). It is invalid if addr is.
func AddressPrefix(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap()
	switch {
	case addr.Is4():
		return netip.PrefixFrom(addr, 32)
	case addr.Is6():
		p, _ := addr.WithZone("").Prefix(64)
		return p
	}
	return netip.Prefix{}
}

// addressKey returns the key of the ban of the network p (see
// AddressPrefix).
func addressKey(p netip.Prefix) string {
	b := p.Addr().AsSlice()
	if p.Addr().Is6() {
		return "banaddr.6-" + hex.EncodeToString(b[:8])
	}
	return "banaddr.4-" + hex.EncodeToString(b)
}

// addressBan is the value of an address ban's key.
type addressBan struct {
	Network string    `json:"network"`
	Until   time.Time `json:"until"`
	By      string    `json:"by"`
	Reason  string    `json:"reason,omitempty"`
}

// BanAddress refuses new accounts from the network of addr (see
// AddressPrefix) until until (zero lifts the ban), on behalf of by, who
// must be the admin. It returns the network.
func (a *Accounts) BanAddress(ctx context.Context, addr netip.Addr, by string, until time.Time, reason string) (netip.Prefix, error) {
	if err := a.checkAdmin(ctx, by); err != nil {
		return netip.Prefix{}, err
	}
	p := AddressPrefix(addr)
	if !p.IsValid() {
		return p, shared.Errorf(shared.CodeInvalidRequest, "%q is not an IP address", addr)
	}
	key := addressKey(p)
	if until.IsZero() {
		if err := a.kv.Delete(ctx, key); err != nil {
			return p, fmt.Errorf("lift the ban of %s: %w", p, err)
		}
		return p, nil
	}
	value, _ := json.Marshal(addressBan{Network: p.String(), Until: until, By: by, Reason: reason})
	if err := kv.Put(ctx, a.kv, key, value); err != nil {
		return p, fmt.Errorf("ban %s: %w", p, err)
	}
	return p, nil
}

// AddressBannedUntil returns until when no account may be made from
// addr: a time past, or zero, if none is refused. An invalid addr (a
// connection whose address is unknown) is never banned.
func (a *Accounts) AddressBannedUntil(ctx context.Context, addr netip.Addr) (time.Time, error) {
	p := AddressPrefix(addr)
	if !p.IsValid() {
		return time.Time{}, nil
	}
	value, _, err := a.kv.Get(ctx, addressKey(p))
	if errors.Is(err, kv.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read the ban of %s: %w", p, err)
	}
	var b addressBan
	if err := json.Unmarshal(value, &b); err != nil {
		return time.Time{}, fmt.Errorf("read the ban of %s: %w", p, err)
	}
	return b.Until, nil
}

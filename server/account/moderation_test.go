//go:build !js

package account_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"livechat/server/account"
	"livechat/shared"
)

// TestServerBan: only the admin bans, never themselves; the ban shows in
// the account (also through a cached sign-in) until it ends or is lifted.
func TestServerBan(t *testing.T) {
	ctx := context.Background()
	a, clock := newAccounts(t)
	admin, _, err := a.Register(ctx, "admin", "")
	if err != nil {
		t.Fatal(err)
	}
	bob, cred, err := a.Register(ctx, "bob", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Authenticate(ctx, cred); err != nil { // cached from now on
		t.Fatal(err)
	}
	until := clock.now().Add(time.Hour)
	_, err = a.Ban(ctx, admin.ID, account.Ban{Until: until, By: bob.ID})
	wantCode(t, err, shared.CodeForbidden) // bob is not the admin
	_, err = a.Ban(ctx, admin.ID, account.Ban{Until: until, By: admin.ID})
	wantCode(t, err, shared.CodeForbidden) // the admin cannot be banned
	if _, err := a.Ban(ctx, bob.ID, account.Ban{Until: until, By: admin.ID, Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	acct, _, err := a.Authenticate(ctx, cred)
	if err != nil || !acct.BannedUntil(clock.now()).Equal(until) || acct.Ban.Reason != "spam" {
		t.Fatalf("after the ban: %+v, %v", acct.Ban, err)
	}
	if got := acct.BannedUntil(until); !got.IsZero() {
		t.Errorf("at its end the ban still holds: %v", got)
	}
	if _, err := a.Ban(ctx, bob.ID, account.Ban{By: admin.ID}); err != nil {
		t.Fatal(err)
	}
	if acct, _, _ := a.Authenticate(ctx, cred); acct.Ban != nil {
		t.Errorf("lifted, yet %+v", acct.Ban)
	}
	_, err = a.Ban(ctx, "nobody", account.Ban{Until: until, By: admin.ID})
	wantCode(t, err, shared.CodeNotFound)
}

// TestAddressBan: an IPv4 address is banned alone, an IPv6 one with its
// /64; the ban ends or is lifted.
func TestAddressBan(t *testing.T) {
	ctx := context.Background()
	a, clock := newAccounts(t)
	admin, _, _ := a.Register(ctx, "admin", "")
	until := clock.now().Add(time.Hour)
	for _, tt := range []struct{ ban, network string }{
		{"192.0.2.7", "192.0.2.7/32"},
		{"::ffff:198.51.100.1", "198.51.100.1/32"},
		{"2001:db8:1:2::7", "2001:db8:1:2::/64"},
	} {
		p, err := a.BanAddress(ctx, netip.MustParseAddr(tt.ban), admin.ID, until, "")
		if err != nil || p.String() != tt.network {
			t.Fatalf("BanAddress(%s) = %v, %v; want %s", tt.ban, p, err, tt.network)
		}
	}
	for _, tt := range []struct {
		addr   string
		banned bool
	}{
		{"192.0.2.7", true}, {"::ffff:192.0.2.7", true}, {"192.0.2.8", false}, {"198.51.100.1", true},
		{"2001:db8:1:2:ffff::1", true}, {"2001:db8:1:3::7", false},
	} {
		got, err := a.AddressBannedUntil(ctx, netip.MustParseAddr(tt.addr))
		if err != nil || got.Equal(until) != tt.banned {
			t.Errorf("AddressBannedUntil(%s) = %v, %v; want banned %v", tt.addr, got, err, tt.banned)
		}
	}
	if got, err := a.AddressBannedUntil(ctx, netip.Addr{}); !got.IsZero() || err != nil {
		t.Errorf("an unknown address: %v, %v", got, err)
	}
	if _, err := a.BanAddress(ctx, netip.MustParseAddr("2001:db8:1:2::1"), admin.ID, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.AddressBannedUntil(ctx, netip.MustParseAddr("2001:db8:1:2::7")); !got.IsZero() {
		t.Errorf("lifted, yet banned until %v", got)
	}
	_, err := a.BanAddress(ctx, netip.MustParseAddr("192.0.2.9"), "someone", until, "")
	wantCode(t, err, shared.CodeForbidden)
}

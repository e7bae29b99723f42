//go:build !js

package account_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"livechat/server/account"
	"livechat/server/kv"
	"livechat/server/store"
	"livechat/shared"
)

func TestSkeleton(t *testing.T) {
	same := []string{"alice", "Alice", "ALICE", "ａｌｉｃｅ", "аlice", "alıce", "aⅼice", "aIice", "a1ice", "alice"}
	for _, n := range same {
		if !account.LookAlike(n, "alice") {
			t.Errorf("%q does not look like alice (skeletons %q, %q)", n, account.Skeleton(n), account.SkeletonAsTyped(n))
		}
	}
	if !account.LookAlike("ⅽlice", "clice") {
		t.Errorf("ⅽlice (Roman numeral ⅽ) and clice differ")
	}
	// Characters whose skeleton has a skeleton of its own: Canadian
	// syllabics ᗰ (to M, then rn), the intersection ∩ (to Armenian ո,
	// then n), the per cent sign (to º/₀, then o/o).
	for _, pair := range [][2]string{{"ᗰike", "mike"}, {"∩ick", "nick"}, {"100%", "100o/0"}} {
		if !account.LookAlike(pair[0], pair[1]) {
			t.Errorf("%q and %q differ (skeletons %q, %q)", pair[0], pair[1], account.Skeleton(pair[0]), account.Skeleton(pair[1]))
		}
	}
	for _, n := range []string{"alicia", "bob", "alice2", "al ice", "clice"} {
		if account.LookAlike(n, "alice") {
			t.Errorf("%q and alice look different", n)
		}
	}
}

// clock is a settable time for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newAccounts(t *testing.T) (*account.Accounts, *clock) {
	c := &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	return account.New(&kv.Memory{}, account.Config{Now: c.now, Hold: 24 * time.Hour}), c
}

func wantCode(t *testing.T, err error, code shared.Code) {
	t.Helper()
	var perr *shared.Error
	if !errors.As(err, &perr) || perr.Code != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

func TestRegisterClaimsTheNickname(t *testing.T) {
	ctx := context.Background()
	a, _ := newAccounts(t)
	alice, cred, err := a.Register(ctx, "  alice ", "Chromium")
	if err != nil {
		t.Fatal(err)
	}
	if alice.Nickname != "alice" || !alice.Admin {
		t.Fatalf("first account = %+v, want alice, admin", alice)
	}
	for _, n := range []string{"alice", "ALICE", "аlice", "alıce", "aⅼice", "ａｌｉｃｅ", "aIice"} {
		_, _, err := a.Register(ctx, n, "")
		wantCode(t, err, shared.CodeNicknameTaken)
	}
	_, _, err = a.Register(ctx, "\u200balice", "")
	wantCode(t, err, shared.CodeNicknameInvalid)

	bob, _, err := a.Register(ctx, "bob", "")
	if err != nil || bob.Admin {
		t.Fatalf("second account = %+v, %v; want bob, not admin", bob, err)
	}
	got, device, err := a.Authenticate(ctx, cred)
	if err != nil || got.ID != alice.ID || device != alice.Devices[0].ID {
		t.Fatalf("Authenticate = %+v, %q, %v; want alice's first device", got, device, err)
	}
	if found, err := a.Lookup(ctx, "ALİCE"); err == nil {
		t.Logf("Lookup(ALİCE) finds %s", found.Nickname)
	}
	if found, err := a.Lookup(ctx, "Alice"); err != nil || found.ID != alice.ID {
		t.Fatalf("Lookup(Alice) = %+v, %v", found, err)
	}
}

func TestAuthenticateRefusesForgedCredentials(t *testing.T) {
	ctx := context.Background()
	a, _ := newAccounts(t)
	alice, cred, err := a.Register(ctx, "alice", "")
	if err != nil {
		t.Fatal(err)
	}
	bob, bobCred, _ := a.Register(ctx, "bob", "")
	parts := strings.Split(cred, ".")
	bobParts := strings.Split(bobCred, ".")
	for _, forged := range []string{
		"", ".", "..", "alice", alice.ID, alice.ID + "..",
		parts[0] + "." + parts[1] + ".WRONGSECRET",
		parts[0] + "." + parts[1] + "." + bobParts[2], // bob's secret on alice's device
		bob.ID + "." + parts[1] + "." + parts[2],      // alice's device under bob
		"*." + parts[1] + "." + parts[2],
		"nosuchaccount." + parts[1] + "." + parts[2],
	} {
		if _, _, err := a.Authenticate(ctx, forged); !errors.Is(err, account.ErrUnauthorized) {
			t.Errorf("Authenticate(%q) = %v, want unauthorized", forged, err)
		}
	}
}

func TestDevicesAndSignOut(t *testing.T) {
	ctx := context.Background()
	a, _ := newAccounts(t)
	alice, phone, _ := a.Register(ctx, "alice", "phone")
	if _, _, err := a.SignIn(ctx, "alice", "correct horse", "laptop"); !errors.Is(err, account.ErrUnauthorized) {
		t.Fatalf("password sign-in without a password = %v, want unauthorized", err)
	}
	wantCode(t, a.SetPassword(ctx, alice.ID, "short"), shared.CodeInvalidRequest)
	if err := a.SetPassword(ctx, alice.ID, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	for _, try := range [][2]string{{"alice", "wrong password"}, {"bob", "correct horse battery"}, {"alice", ""}} {
		if _, _, err := a.SignIn(ctx, try[0], try[1], "laptop"); !errors.Is(err, account.ErrUnauthorized) {
			t.Fatalf("SignIn(%q, %q) = %v, want unauthorized", try[0], try[1], err)
		}
	}
	got, laptop, err := a.SignIn(ctx, "ALICE", "correct horse battery", "laptop")
	if err != nil || got.ID != alice.ID || len(got.Devices) != 2 {
		t.Fatalf("SignIn = %+v, %v; want alice with two devices", got, err)
	}
	_, laptopDevice, err := a.Authenticate(ctx, laptop)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Revoke(ctx, alice.ID, laptopDevice); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Authenticate(ctx, laptop); !errors.Is(err, account.ErrUnauthorized) {
		t.Fatalf("revoked credential: %v, want unauthorized", err)
	}
	if _, _, err := a.Authenticate(ctx, phone); err != nil {
		t.Fatalf("the other device was signed out too: %v", err)
	}
	_, err = a.Revoke(ctx, alice.ID, laptopDevice)
	wantCode(t, err, shared.CodeNotFound)
}

func TestRenameHoldsTheOldNickname(t *testing.T) {
	ctx := context.Background()
	a, clk := newAccounts(t)
	alice, _, _ := a.Register(ctx, "alice", "")
	bob, _, _ := a.Register(ctx, "bob", "")
	if _, err := a.Rename(ctx, bob.ID, "Alice"); err == nil {
		t.Fatal("bob took alice's nickname")
	}
	renamed, err := a.Rename(ctx, alice.ID, "Alice Liddell")
	if err != nil || renamed.Nickname != "Alice Liddell" {
		t.Fatalf("Rename = %+v, %v", renamed, err)
	}
	_, _, err = a.Register(ctx, "alice", "")
	wantCode(t, err, shared.CodeNicknameTaken)
	// Its owner may take it back at any time...
	if _, err := a.Rename(ctx, alice.ID, "ALICE"); err != nil {
		t.Fatalf("alice taking her old nickname back: %v", err)
	}
	if _, err := a.Rename(ctx, alice.ID, "Alice Liddell"); err != nil {
		t.Fatal(err)
	}
	// ...others only after the hold.
	clk.add(23 * time.Hour)
	_, _, err = a.Register(ctx, "alice", "")
	wantCode(t, err, shared.CodeNicknameTaken)
	clk.add(2 * time.Hour)
	if _, _, err := a.Register(ctx, "alice", ""); err != nil {
		t.Fatalf("after the hold: %v", err)
	}
	// A case-only rename keeps the claim.
	if got, err := a.Rename(ctx, bob.ID, "Bob"); err != nil || got.Nickname != "Bob" {
		t.Fatalf("Rename(bob, Bob) = %+v, %v", got, err)
	}
	_, _, err = a.Register(ctx, "bob", "")
	wantCode(t, err, shared.CodeNicknameTaken)
}

func TestManyDevicesForgetTheLeastUsed(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Unix(0, 0)}
	a := account.New(&kv.Memory{}, account.Config{Now: c.now, MaxDevices: 3})
	alice, first, _ := a.Register(ctx, "alice", "")
	a.SetPassword(ctx, alice.ID, "0123456789")
	var last string
	for i := range 3 {
		c.add(time.Minute)
		_, last, _ = a.SignIn(ctx, "alice", "0123456789", fmt.Sprint("device ", i))
	}
	if _, _, err := a.Authenticate(ctx, first); !errors.Is(err, account.ErrUnauthorized) {
		t.Errorf("oldest device still signed in: %v", err)
	}
	if got, _, err := a.Authenticate(ctx, last); err != nil || len(got.Devices) != 3 {
		t.Errorf("newest device: %+v, %v; want signed in, 3 devices", got, err)
	}
}

// TestTwoServersOneBucket registers the same nickname from many
// goroutines through two Accounts on one JetStream bucket: exactly one
// wins, and both servers see the winner.
func TestTwoServersOneBucket(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var servers [2]*account.Accounts
	for i := range servers {
		b, err := st.Bucket(ctx, "accounts")
		if err != nil {
			t.Fatal(err)
		}
		servers[i] = account.New(b, account.Config{})
	}
	var wg sync.WaitGroup
	won := make(chan account.Account, 20)
	for i := range 20 {
		wg.Go(func() {
			acct, _, err := servers[i%2].Register(ctx, []string{"carol", "Carol", "сarol"}[i%3], "")
			var perr *shared.Error
			switch {
			case err == nil:
				won <- acct
			case errors.As(err, &perr) && perr.Code == shared.CodeNicknameTaken:
			default:
				t.Errorf("Register: %v", err)
			}
		})
	}
	wg.Wait()
	close(won)
	var winners []account.Account
	for a := range won {
		winners = append(winners, a)
	}
	if len(winners) != 1 {
		t.Fatalf("%d registrations of carol won, want 1", len(winners))
	}
	for i, s := range servers {
		got, err := s.Lookup(ctx, "CAROL")
		if err != nil || got.ID != winners[0].ID || !got.Admin {
			t.Errorf("server %d: Lookup = %+v, %v; want the winner, admin", i, got, err)
		}
	}
}

// TestSignInCache: a credential checked is trusted for Config.SignInCache
// without reading the account; a revocation on the same server takes
// effect at once, one on another server after at most that.
func TestSignInCache(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Unix(0, 0)}
	store := &kv.Memory{}
	here := account.New(store, account.Config{Now: c.now, SignInCache: 30 * time.Second})
	there := account.New(store, account.Config{Now: c.now, SignInCache: 30 * time.Second})
	alice, cred, _ := here.Register(ctx, "alice", "")
	_, device, err := there.Authenticate(ctx, cred)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := here.Revoke(ctx, alice.ID, device); err != nil {
		t.Fatal(err)
	}
	if _, _, err := here.Authenticate(ctx, cred); !errors.Is(err, account.ErrUnauthorized) {
		t.Fatalf("revoked here, still signs in here: %v", err)
	}
	if _, _, err := there.Authenticate(ctx, cred); err != nil {
		t.Fatalf("within the cache time, the other server should still trust it: %v", err)
	}
	c.add(31 * time.Second)
	if _, _, err := there.Authenticate(ctx, cred); !errors.Is(err, account.ErrUnauthorized) {
		t.Fatalf("after the cache time, the other server still signs it in: %v", err)
	}
}

func TestInviteOnlySignUp(t *testing.T) {
	ctx := context.Background()
	a, clk := newAccounts(t)
	admin, _, err := a.SignUp(ctx, "admin", "", "")
	if err != nil || !admin.Admin {
		t.Fatalf("the first account: %+v, %v", admin, err)
	}
	bob, _, _ := a.SignUp(ctx, "bob", "", "")
	wantCode(t, a.SetSettings(ctx, bob.ID, account.Settings{InviteOnly: true}), shared.CodeForbidden)
	if err := a.SetSettings(ctx, admin.ID, account.Settings{InviteOnly: true}); err != nil {
		t.Fatal(err)
	}
	_, _, err = a.SignUp(ctx, "carol", "", "")
	wantCode(t, err, shared.CodeForbidden)
	_, err = a.NewSignupInvite(ctx, bob.ID, 1, time.Hour)
	wantCode(t, err, shared.CodeForbidden)
	inv, err := a.NewSignupInvite(ctx, admin.ID, 2, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// A taken nickname does not use the invite up.
	_, _, err = a.SignUp(ctx, "BOB", "", inv.Code)
	wantCode(t, err, shared.CodeNicknameTaken)
	for _, n := range []string{"carol", "dave"} {
		if _, _, err := a.SignUp(ctx, n, "", inv.Code); err != nil {
			t.Fatalf("%s with the invite: %v", n, err)
		}
	}
	_, _, err = a.SignUp(ctx, "erin", "", inv.Code)
	wantCode(t, err, shared.CodeForbidden)
	late, _ := a.NewSignupInvite(ctx, admin.ID, 5, time.Hour)
	clk.add(2 * time.Hour)
	_, _, err = a.SignUp(ctx, "erin", "", late.Code)
	wantCode(t, err, shared.CodeForbidden)
	_, _, err = a.SignUp(ctx, "erin", "", "forged")
	wantCode(t, err, shared.CodeForbidden)
}

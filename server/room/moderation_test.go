//go:build !js

package room_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"livechat/server/kv"
	"livechat/server/room"
	"livechat/shared"
)

// TestLockAndSlowMode: the room's record carries them, bounded.
func TestLockAndSlowMode(t *testing.T) {
	ctx := context.Background()
	d, _ := newDirectory()
	if _, err := d.Open(ctx, "general", "alice"); err != nil {
		t.Fatal(err)
	}
	r, err := d.SetLocked(ctx, "general", true)
	if err != nil || !r.Locked {
		t.Fatalf("SetLocked = %+v, %v", r, err)
	}
	if r, err = d.SetSlowMode(ctx, "general", 30); err != nil || r.SlowMode != 30 || !r.Locked {
		t.Fatalf("SetSlowMode = %+v, %v", r, err)
	}
	if r, _ := d.Get(ctx, "general"); !r.Locked || r.SlowMode != 30 || r.Creator != "alice" {
		t.Errorf("record %+v", r)
	}
	for _, bad := range []int{-1, shared.MaxSlowModeSeconds + 1} {
		_, err := d.SetSlowMode(ctx, "general", bad)
		wantCode(t, "slow mode out of bounds", err, shared.CodeInvalidRequest)
	}
	_, err = d.SetLocked(ctx, "nowhere", true)
	wantCode(t, "lock a room that does not exist", err, shared.CodeNotFound)
}

// TestMuteAndBan: sanctions say until when; a ban ends the membership
// and refuses joins, invites and additions until it ends, or is lifted.
func TestMuteAndBan(t *testing.T) {
	ctx := context.Background()
	d, clock := newDirectory()
	if _, err := d.Open(ctx, "general", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Enter(ctx, "general", "bob"); err != nil {
		t.Fatal(err)
	}
	until := clock.now().Add(time.Hour)
	if err := d.Mute(ctx, "general", "bob", room.Sanction{Until: until, By: "alice"}); err != nil {
		t.Fatal(err)
	}
	if got, err := d.MutedUntil(ctx, "general", "bob"); !got.Equal(until) || err != nil {
		t.Errorf("MutedUntil = %v, %v; want %v", got, err, until)
	}
	if got, _ := d.MutedUntil(ctx, "random", "bob"); !got.IsZero() {
		t.Errorf("muted in another room until %v", got)
	}
	if err := d.Mute(ctx, "general", "bob", room.Sanction{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.MutedUntil(ctx, "general", "bob"); !got.IsZero() {
		t.Errorf("unmuted, yet muted until %v", got)
	}

	// A ban from a public room.
	if err := d.Ban(ctx, "general", "bob", room.Sanction{Until: until, By: "alice", Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	if member, _ := d.IsMember(ctx, "general", "bob"); member {
		t.Error("bob, banned, is still a member")
	}
	_, err := d.Open(ctx, "general", "bob")
	wantCode(t, "a banned person joins", err, shared.CodeForbidden)
	if !strings.Contains(err.Error(), "until 27 Nov 2026 13:00 UTC") {
		t.Errorf("the refusal does not say until when: %v", err)
	}
	_, err = d.Create(ctx, "bob", "general", room.Public, "")
	wantCode(t, "a banned person creates the room again", err, shared.CodeForbidden)
	_, err = d.Add(ctx, "general", "alice", "bob")
	wantCode(t, "a banned person is added", err, shared.CodeForbidden)
	if _, err := d.Open(ctx, "general", "carol"); err != nil {
		t.Errorf("carol, not banned: %v", err)
	}
	clock.add(time.Hour)
	if _, err := d.Open(ctx, "general", "bob"); err != nil {
		t.Errorf("the ban is over, yet: %v", err)
	}

	// A ban from a private room: no invite gets them back in.
	club, err := d.Create(ctx, "alice", "Book club", room.Private, "")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := d.NewInvite(ctx, club.ID, "alice", 5, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Redeem(ctx, inv.Code, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := d.Ban(ctx, club.ID, "bob", room.Sanction{Until: clock.now().Add(time.Minute), By: "alice"}); err != nil {
		t.Fatal(err)
	}
	_, err = d.Redeem(ctx, inv.Code, "bob")
	wantCode(t, "a banned person redeems an invite", err, shared.CodeForbidden)
	_, err = d.Open(ctx, club.ID, "bob")
	wantCode(t, "a banned person opens the private room", err, shared.CodeNotFound)
	if err := d.Ban(ctx, club.ID, "bob", room.Sanction{}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Redeem(ctx, inv.Code, "bob"); err != nil {
		t.Errorf("the ban is lifted, yet: %v", err)
	}
}

// TestSanctionsCachedAcrossDirectories: two directories on one KV (two
// servers): a mute made by one shows on the other once the cache expires,
// or at once after ForgetSanctions.
func TestSanctionsCachedAcrossDirectories(t *testing.T) {
	ctx := context.Background()
	store := &kv.Memory{}
	c := &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	a := room.New(store, room.Config{Now: c.now, Cache: time.Minute})
	b := room.New(store, room.Config{Now: c.now, Cache: time.Minute})
	if got, _ := b.MutedUntil(ctx, "general", "bob"); !got.IsZero() {
		t.Fatal(got)
	}
	until := c.now().Add(time.Hour)
	if err := a.Mute(ctx, "general", "bob", room.Sanction{Until: until, By: "alice"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.MutedUntil(ctx, "general", "bob"); !got.IsZero() {
		t.Errorf("cached: %v", got)
	}
	b.ForgetSanctions("general", "bob")
	if got, _ := b.MutedUntil(ctx, "general", "bob"); !got.Equal(until) {
		t.Errorf("after ForgetSanctions: %v", got)
	}
}

// TestReports: one report per person and message, a bound on the open
// reports of one person, newest first, closed one by one or all of a
// message at once.
func TestReports(t *testing.T) {
	ctx := context.Background()
	d, clock := newDirectory()
	r1 := room.Report{Room: "general", Message: 42, Reporter: "carol", Reason: "spam", At: clock.now()}
	if err := d.AddReport(ctx, r1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "the same report twice", d.AddReport(ctx, r1), shared.CodeInvalidRequest)
	clock.add(time.Second)
	r2 := room.Report{Room: "general", Message: 42, Reporter: "dave", Reason: "spam too", At: clock.now()}
	clock.add(time.Second)
	r3 := room.Report{Room: "random", Message: 7, Reporter: "carol", Reason: "rude", At: clock.now()}
	for _, r := range []room.Report{r2, r3} {
		if err := d.AddReport(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	list, err := d.Reports(ctx)
	if err != nil || len(list) != 3 || list[0].ID() != r3.ID() || list[2].ID() != r1.ID() {
		t.Fatalf("Reports = %+v, %v", list, err)
	}
	if got, err := d.GetReport(ctx, r2.ID()); err != nil || got.Reason != "spam too" {
		t.Errorf("GetReport = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "x", "general:42", "general:x:dave", "General:42:dave", "general:42:da.ve", "general:43:dave"} {
		_, err := d.GetReport(ctx, bad)
		wantCode(t, "GetReport("+bad+")", err, shared.CodeNotFound)
	}
	if err := d.CloseReports(ctx, "general", 42); err != nil {
		t.Fatal(err)
	}
	if list, _ := d.Reports(ctx); len(list) != 1 || list[0].ID() != r3.ID() {
		t.Errorf("after closing the reports of message 42: %+v", list)
	}
	if err := d.CloseReport(ctx, r3); err != nil {
		t.Fatal(err)
	}
	if list, _ := d.Reports(ctx); len(list) != 0 {
		t.Errorf("after closing the last: %+v", list)
	}

	for i := range room.MaxOpenReports {
		if err := d.AddReport(ctx, room.Report{Room: "general", Message: uint64(i + 1), Reporter: "eve", Reason: "x", At: clock.now()}); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "one report too many", d.AddReport(ctx, room.Report{Room: "general", Message: 999, Reporter: "eve", Reason: "x"}), shared.CodeForbidden)
}

// TestDeletionsUncounted: a deletion and the message it erased are not
// counted unread, and the deleted message no longer mentions anyone.
func TestDeletionsUncounted(t *testing.T) {
	ctx := context.Background()
	d, _ := newDirectory()
	if n, err := d.Uncounted(ctx, "general", 0); n != 0 || err != nil {
		t.Fatalf("no deletions: %d, %v", n, err)
	}
	// Message 3 deleted by 5, message 6 by 7: the erased messages are
	// not counted anyway; the deletions, stored as messages, are.
	if err := errors.Join(d.Deleted(ctx, "general", 5, 3), d.Deleted(ctx, "general", 7, 6)); err != nil {
		t.Fatal(err)
	}
	for read, want := range map[uint64]int{0: 2, 3: 2, 4: 2, 5: 1, 6: 1, 7: 0} {
		if n, _ := d.Uncounted(ctx, "general", read); n != want {
			t.Errorf("Uncounted after %d = %d, want %d", read, n, want)
		}
	}
	for _, id := range []uint64{3, 6} {
		if err := d.Mention(ctx, "bob", "general", id); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(d.Unmention(ctx, "bob", "general", 3), d.Unmention(ctx, "bob", "general", 99), d.Unmention(ctx, "carol", "general", 3)); err != nil {
		t.Fatal(err)
	}
	if n, _ := d.Mentions(ctx, "bob", "general", 0); n != 1 {
		t.Errorf("mentions after forgetting one: %d, want 1", n)
	}
}

// BenchmarkSayChecks measures what a say reads of the directory to check
// lock, slow mode and mute: the cached room and mute, from many
// goroutines at once.
func BenchmarkSayChecks(b *testing.B) {
	ctx := context.Background()
	d := room.New(&kv.Memory{}, room.Config{Cache: time.Hour})
	if _, err := d.Open(ctx, "general", "alice"); err != nil {
		b.Fatal(err)
	}
	d.MutedUntil(ctx, "general", "alice")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r, err := d.Get(ctx, "general"); err != nil || r.Locked {
				b.Fatal(r, err)
			}
			if until, err := d.MutedUntil(ctx, "general", "alice"); err != nil || !until.IsZero() {
				b.Fatal(until, err)
			}
		}
	})
}

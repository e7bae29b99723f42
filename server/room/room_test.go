//go:build !js

package room_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"livechat/server/kv"
	"livechat/server/room"
	"livechat/shared"
)

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

func newDirectory() (*room.Directory, *clock) {
	c := &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	return room.New(&kv.Memory{}, room.Config{Now: c.now}), c
}

func code(err error) shared.Code {
	var perr *shared.Error
	if errors.As(err, &perr) {
		return perr.Code
	}
	return ""
}

func wantCode(t *testing.T, what string, err error, want shared.Code) {
	t.Helper()
	if code(err) != want {
		t.Fatalf("%s: %v, want %s", what, err, want)
	}
}

func TestPublicRooms(t *testing.T) {
	ctx := context.Background()
	d, _ := newDirectory()
	// A public room named for the first time exists from then on.
	r, err := d.Open(ctx, "general", "alice")
	if err != nil || r.Kind != room.Public || r.Name != "general" {
		t.Fatalf("Open(general) = %+v, %v", r, err)
	}
	if _, err := d.Create(ctx, "bob", "go-lang", room.Public, "all things Go"); err != nil {
		t.Fatal(err)
	}
	if r, err := d.Open(ctx, "go-lang", "carol"); err != nil || r.Topic != "all things Go" {
		t.Fatalf("carol opens go-lang: %+v, %v", r, err)
	}
	ids, err := d.PublicRooms(ctx)
	if err != nil || !slices.Equal(ids, []string{"general", "go-lang"}) {
		t.Fatalf("PublicRooms = %v, %v", ids, err)
	}
	for _, bad := range []string{"p-abc", "dm-abc", "Upper", "../x", ""} {
		_, err := d.Create(ctx, "bob", bad, room.Public, "")
		if c := code(err); c != shared.CodeRoomInvalid {
			t.Errorf("Create(%q): %v, want room_invalid", bad, err)
		}
	}
	wantCode(t, "Open of a reserved name", func() error { _, err := d.Open(ctx, "p-nothere", "bob"); return err }(), shared.CodeNotFound)
}

// TestPrivateRoomIsInvisible: to someone outside it, a private room looks
// exactly like a room that does not exist.
func TestPrivateRoomIsInvisible(t *testing.T) {
	ctx := context.Background()
	d, _ := newDirectory()
	r, err := d.Create(ctx, "alice", "Secret plans", room.Private, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != room.Private || r.ID == "" || r.Name != "Secret plans" {
		t.Fatalf("private room %+v", r)
	}
	if _, err := d.Open(ctx, r.ID, "alice"); err != nil {
		t.Fatalf("the creator cannot open it: %v", err)
	}
	_, hidden := d.Open(ctx, r.ID, "carol")
	_, missing := d.Open(ctx, "p-0000000000000000", "carol")
	wantCode(t, "carol opens the private room", hidden, shared.CodeNotFound)
	if strings.ReplaceAll(hidden.Error(), r.ID, "ID") != strings.ReplaceAll(missing.Error(), "p-0000000000000000", "ID") {
		t.Fatalf("a hidden room (%v) and a missing one (%v) can be told apart", hidden, missing)
	}
	for what, err := range map[string]error{
		"carol adds herself": func() error { _, err := d.Add(ctx, r.ID, "carol", "carol"); return err }(),
		"carol invites":      func() error { _, err := d.NewInvite(ctx, r.ID, "carol", 5, time.Hour); return err }(),
		"carol sets a topic": func() error { _, err := d.SetTopic(ctx, r.ID, "carol", "mine now"); return err }(),
	} {
		wantCode(t, what, err, shared.CodeNotFound)
	}
	if ids, _ := d.PublicRooms(ctx); len(ids) != 0 {
		t.Errorf("the private room is listed: %v", ids)
	}

	// A member adds bob; bob sees it; after leaving, he does not.
	if _, err := d.Add(ctx, r.ID, "alice", "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(ctx, r.ID, "bob"); err != nil {
		t.Fatalf("bob, added: %v", err)
	}
	if ids, _ := d.RoomsOf(ctx, "bob"); !slices.Equal(ids, []string{r.ID}) {
		t.Fatalf("bob's rooms: %v", ids)
	}
	if ids, _ := d.Members(ctx, r.ID); !slices.Equal(ids, []string{"alice", "bob"}) {
		t.Fatalf("members: %v", ids)
	}
	if err := d.Leave(ctx, r.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	_, err = d.Open(ctx, r.ID, "bob")
	wantCode(t, "bob after leaving", err, shared.CodeNotFound)
	if ids, _ := d.RoomsOf(ctx, "bob"); len(ids) != 0 {
		t.Fatalf("bob's rooms after leaving: %v", ids)
	}
}

func TestInvites(t *testing.T) {
	ctx := context.Background()
	d, clk := newDirectory()
	r, _ := d.Create(ctx, "alice", "Book club", room.Private, "")
	inv, err := d.NewInvite(ctx, r.ID, "alice", 2, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := d.Redeem(ctx, inv.Code, "bob"); err != nil || got.ID != r.ID {
		t.Fatalf("bob redeems: %+v, %v", got, err)
	}
	// Redeeming again as a member uses nothing.
	if _, err := d.Redeem(ctx, inv.Code, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Redeem(ctx, inv.Code, "carol"); err != nil {
		t.Fatalf("carol, the second use: %v", err)
	}
	_, err = d.Redeem(ctx, inv.Code, "dave")
	wantCode(t, "a third use of a two-use invite", err, shared.CodeNotFound)

	late, _ := d.NewInvite(ctx, r.ID, "alice", 10, time.Hour)
	clk.add(time.Hour)
	_, err = d.Redeem(ctx, late.Code, "dave")
	wantCode(t, "an expired invite", err, shared.CodeNotFound)
	for _, forged := range []string{"", "nope", inv.Code + "x", "invite.x", "*", "a.b"} {
		_, err := d.Redeem(ctx, forged, "dave")
		wantCode(t, "forged invite "+forged, err, shared.CodeNotFound)
	}
	if ok, _ := d.IsMember(ctx, r.ID, "dave"); ok {
		t.Fatal("dave got in")
	}
	_, err = d.NewInvite(ctx, r.ID, "alice", 0, time.Hour)
	wantCode(t, "an invite for nobody", err, shared.CodeInvalidRequest)
}

func TestDirectConversations(t *testing.T) {
	ctx := context.Background()
	d, _ := newDirectory()
	a, err := d.Direct(ctx, "alice", []string{"bob"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Direct(ctx, "bob", []string{"alice", "bob"})
	if err != nil || b.ID != a.ID || !slices.Equal(a.People, []string{"alice", "bob"}) {
		t.Fatalf("the same two people have %+v and %+v", a, b)
	}
	for _, who := range []string{"alice", "bob"} {
		if _, err := d.Open(ctx, a.ID, who); err != nil {
			t.Errorf("%s cannot open their conversation: %v", who, err)
		}
	}
	_, err = d.Open(ctx, a.ID, "carol")
	wantCode(t, "carol opens alice and bob's conversation", err, shared.CodeNotFound)
	_, err = d.Add(ctx, a.ID, "alice", "carol")
	wantCode(t, "adding carol to a direct conversation", err, shared.CodeForbidden)
	_, err = d.NewInvite(ctx, a.ID, "alice", 1, time.Hour)
	wantCode(t, "an invite to a direct conversation", err, shared.CodeForbidden)

	group, err := d.Direct(ctx, "alice", []string{"bob", "carol", "dave"})
	if err != nil || group.ID == a.ID || len(group.People) != 4 {
		t.Fatalf("group %+v, %v", group, err)
	}
	_, err = d.Direct(ctx, "alice", []string{"b", "c", "d", "e", "f", "g", "h", "i", "j"})
	wantCode(t, "ten people", err, shared.CodeInvalidRequest)
	_, err = d.Direct(ctx, "alice", []string{"alice"})
	wantCode(t, "alone", err, shared.CodeInvalidRequest)
	_, err = d.Direct(ctx, "alice", []string{"x.y"})
	wantCode(t, "a forged id", err, shared.CodeNotFound)
}

func TestReadPositionsAndMentions(t *testing.T) {
	ctx := context.Background()
	d, _ := newDirectory()
	if pos, err := d.ReadPosition(ctx, "alice", "general"); pos != 0 || err != nil {
		t.Fatalf("first position %d, %v", pos, err)
	}
	for _, step := range []struct{ set, want uint64 }{{5, 5}, {3, 5}, {9, 9}} {
		if got, err := d.SetRead(ctx, "alice", "general", step.set); got != step.want || err != nil {
			t.Fatalf("SetRead(%d) = %d, %v; want %d", step.set, got, err, step.want)
		}
	}
	if pos, _ := d.ReadPosition(ctx, "alice", "general"); pos != 9 {
		t.Fatalf("position %d, want 9", pos)
	}
	for _, id := range []uint64{4, 8, 10, 12} {
		if err := d.Mention(ctx, "alice", "general", id); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := d.Mentions(ctx, "alice", "general", 9); n != 2 || err != nil {
		t.Fatalf("mentions after 9: %d, %v; want 2", n, err)
	}
	if n, _ := d.Mentions(ctx, "bob", "general", 0); n != 0 {
		t.Fatalf("bob has %d mentions", n)
	}
}

func TestForget(t *testing.T) {
	ctx := context.Background()
	store := &kv.Memory{}
	a := room.New(store, room.Config{Cache: time.Hour})
	b := room.New(store, room.Config{Cache: time.Hour}) // another server
	rec, err := a.Create(ctx, "alice", "Plans", room.Private, "")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.IsMember(ctx, rec.ID, "alice"); !ok {
		t.Fatal("alice is not a member on the other server")
	}
	if err := a.Leave(ctx, rec.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.IsMember(ctx, rec.ID, "alice"); !ok {
		t.Fatal("the other server did not cache the membership: this test shows nothing")
	}
	b.Forget(rec.ID, "alice")
	if ok, _ := b.IsMember(ctx, rec.ID, "alice"); ok {
		t.Error("told that alice left, the other server still lets her in")
	}
}

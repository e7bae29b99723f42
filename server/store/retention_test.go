//go:build !js

package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"livechat/server/store"
	"livechat/shared"
)

// big is a message of about 1 KiB.
func big(room string, i int) shared.Message {
	m := message(room, i)
	m.Text = fmt.Sprintf("%04d %s", i, strings.Repeat("x", 1000))
	return m
}

func usage(t *testing.T, s *store.Store, room string) store.RoomUsage {
	t.Helper()
	rooms, err := s.RoomUsages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rooms {
		if r.Room == room {
			return r
		}
	}
	t.Fatalf("no stream for #%s", room)
	return store.RoomUsage{}
}

func TestAbuseRoomKeepsItsNewestWithinItsBytes(t *testing.T) {
	ctx := context.Background()
	s := open(t, store.Config{Dir: t.TempDir(), RoomBytes: 256 << 10, TrimInterval: time.Hour})
	defer s.Close()
	for i := 1; i <= 600; i++ {
		if _, _, err := s.Append(ctx, big("chatty", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Append(ctx, big("quiet", 1), ""); err != nil {
		t.Fatal(err)
	}
	report, err := s.Trim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u := usage(t, s, "chatty")
	if u.Bytes > 256<<10 || u.Last != 600 || u.First <= 1 || report.Trimmed["chatty"] != u.First-1 {
		t.Fatalf("after trimming: %+v, report %+v; want at most 256 KiB ending at 600", u, report)
	}
	if q := usage(t, s, "quiet"); q.Messages != 1 || report.Trimmed["quiet"] != 0 {
		t.Fatalf("a small room was trimmed: %+v", q)
	}
	// What is left is the newest, in order.
	first, last, err := s.Bounds(ctx, "chatty")
	if err != nil || first != u.First || last != 600 {
		t.Fatalf("bounds %d..%d, %v; want %d..600", first, last, err, u.First)
	}
	ms, err := s.Range(ctx, "chatty", 1, 600)
	if err != nil || len(ms) != int(600-first+1) || ms[0].ID != first || !strings.HasPrefix(ms[len(ms)-1].Text, "0600") {
		t.Fatalf("range: %d messages from %d, %v", len(ms), first, err)
	}
}

func TestAbuseFullStoreDropsTheOldestInsteadOfRefusing(t *testing.T) {
	ctx := context.Background()
	const max = 4 << 20
	s := open(t, store.Config{Dir: t.TempDir(), MaxStore: max, RoomBytes: 1 << 20, TrimInterval: time.Hour})
	defer s.Close()
	// Eight rooms of about 600 KiB each: more than the store may hold.
	// Every message must be stored, maybe after the store made room.
	refusals := 0
	for i := 1; i <= 600; i++ {
		for r := range 8 {
			room := fmt.Sprint("room", r)
			deadline := time.Now().Add(timeout)
			for {
				_, _, err := s.Append(ctx, big(room, i), "")
				if err == nil {
					break
				}
				refusals++
				if time.Now().After(deadline) {
					t.Fatalf("message %d of #%s still refused: %v", i, room, err)
				}
				time.Sleep(10 * time.Millisecond) // the store trims on its own meanwhile
			}
		}
	}
	if _, err := s.Trim(ctx); err != nil {
		t.Fatal(err)
	}
	used, err := s.Used(ctx)
	if err != nil || used > max*9/10 {
		t.Fatalf("store uses %d bytes (%v), want at most 90%% of %d", used, err, max)
	}
	trimmed := 0
	for r := range 8 {
		u := usage(t, s, fmt.Sprint("room", r))
		if u.Last != 600 || u.Messages == 0 {
			t.Errorf("#room%d: %+v; want its newest messages up to 600", r, u)
		}
		if u.First > 1 {
			trimmed++
		}
	}
	if trimmed == 0 {
		t.Error("no room lost its oldest messages")
	}
	t.Logf("%d appends refused while the store made room", refusals)
}

const timeout = 20 * time.Second

func TestAbuseEmptyRoomGivesBackItsStream(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, store.Config{Dir: dir, EmptyRoomAfter: time.Millisecond, MaxAge: 100 * time.Millisecond, TrimInterval: time.Hour})
	for i := 1; i <= 3; i++ {
		if _, _, err := s.Append(ctx, message("fading", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	// A room open here keeps its stream, even empty.
	if err := s.EnsureRoom(ctx, "open"); err != nil {
		t.Fatal(err)
	}
	stop, err := s.Subscribe("open", func([]shared.Message) {})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	// The messages of #fading expire; then Trim retires its stream.
	deadline := time.Now().Add(timeout)
	for {
		report, err := s.Trim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(report.Retired) > 0 {
			if len(report.Retired) != 1 || report.Retired[0] != "fading" {
				t.Fatalf("retired %v, want [fading]", report.Retired)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the empty room kept its stream")
		}
		time.Sleep(20 * time.Millisecond)
	}
	rooms, err := s.RoomUsages(ctx)
	if err != nil || len(rooms) != 1 || rooms[0].Room != "open" {
		t.Fatalf("rooms %+v, %v; want #open alone", rooms, err)
	}
	first, last, err := s.Bounds(ctx, "fading")
	if err != nil || first != 4 || last != 3 {
		t.Fatalf("bounds of a retired room %d..%d, %v; want 4..3", first, last, err)
	}
	// Reopened, even by another process, it goes on from 4.
	s.Close()
	s = open(t, store.Config{Dir: dir, TrimInterval: time.Hour})
	defer s.Close()
	id, _, err := s.Append(ctx, message("fading", 4), "")
	if err != nil || id != 4 {
		t.Fatalf("append after retiring: id %d, %v; want 4", id, err)
	}
}

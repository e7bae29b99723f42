//go:build !js

package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"livechat/server/store"
	"livechat/shared"
)

// TestEraseAndTombstone: a message of kind delete is stored and read back
// with its kind; the message it removes is erased: Range skips it, the
// other ids stay, and its text is nowhere in the data directory.
func TestEraseAndTombstone(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := open(t, store.Config{Dir: dir})
	defer s.Close()
	if err := s.EnsureRoom(ctx, "general"); err != nil {
		t.Fatal(err)
	}
	const secret = "a very abusive sentence 7f3a"
	for i, text := range []string{"before", secret, "after"} {
		if _, _, err := s.Append(ctx, shared.Message{Room: "general", From: "bob", Text: text, At: time.Now().UTC()}, fmt.Sprint("c", i)); err != nil {
			t.Fatal(err)
		}
	}
	tomb := shared.Message{Room: "general", Author: "admin-id", From: "admin", At: time.Now().UTC(), Kind: shared.MessageDelete, Of: 2}
	if id, _, err := s.Append(ctx, tomb, "delete-2"); err != nil || id != 4 {
		t.Fatalf("tombstone: id %d, %v", id, err)
	}
	if err := s.Erase(ctx, "general", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, "general", 2); err != nil {
		t.Errorf("erasing again: %v", err)
	}
	if err := s.Erase(ctx, "never-written", 1); err != nil {
		t.Errorf("erasing in a room without a stream: %v", err)
	}
	msgs, err := s.Range(ctx, "general", 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []uint64{1, 3, 4}) {
		t.Fatalf("ids after the erase: %v, want 1, 3, 4", ids)
	}
	if m := msgs[2]; m.Kind != shared.MessageDelete || m.Of != 2 || m.Text != "" || m.Author != "admin-id" {
		t.Errorf("tombstone read back as %+v", m)
	}
	if first, last, err := s.Bounds(ctx, "general"); first != 1 || last != 4 || err != nil {
		t.Errorf("bounds %d..%d, %v", first, last, err)
	}
	s.Close()
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if data, _ := os.ReadFile(path); bytes.Contains(data, []byte(secret)) {
				t.Errorf("the erased text is still in %s", path)
			}
		}
		return nil
	})
}

// TestAuditLog: entries get increasing ids; all of them, or a room's,
// are read newest first, a page at a time.
func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	s := open(t, store.Config{Dir: t.TempDir()})
	defer s.Close()
	log, err := s.Audit(ctx, store.AuditConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got, more, err := log.Read(ctx, "", 0, 10); len(got) != 0 || more || err != nil {
		t.Fatalf("empty log: %v, %v, %v", got, more, err)
	}
	rooms := []string{"general", "", "random", "general", "general", "random", "general"}
	for i, room := range rooms {
		e, err := log.Append(ctx, shared.AuditEntry{At: time.Now().UTC(), Actor: shared.Person{ID: "a", Nickname: "admin"}, Action: shared.ActionLock, Room: room, Seconds: i})
		if err != nil || e.ID != uint64(i+1) {
			t.Fatalf("append %d: id %d, %v", i, e.ID, err)
		}
	}
	ids := func(es []shared.AuditEntry) []uint64 {
		var ids []uint64
		for _, e := range es {
			ids = append(ids, e.ID)
		}
		return ids
	}
	for _, tt := range []struct {
		room   string
		before uint64
		limit  int
		want   []uint64
		more   bool
	}{
		{"", 0, 3, []uint64{7, 6, 5}, true},
		{"", 5, 3, []uint64{4, 3, 2}, true},
		{"", 2, 3, []uint64{1}, false},
		{"", 1, 3, nil, false},
		{"", 100, 2, []uint64{7, 6}, true},
		{"general", 0, 2, []uint64{7, 5}, true},
		{"general", 5, 2, []uint64{4, 1}, false},
		{"general", 0, 10, []uint64{7, 5, 4, 1}, false},
		{"random", 0, 10, []uint64{6, 3}, false},
		{"nobody", 0, 10, nil, false},
	} {
		got, more, err := log.Read(ctx, tt.room, tt.before, tt.limit)
		if err != nil || !slices.Equal(ids(got), tt.want) || more != tt.more || got == nil {
			t.Errorf("Read(%q, %d, %d) = %v, more %v, %v; want %v, more %v", tt.room, tt.before, tt.limit, ids(got), more, err, tt.want, tt.more)
		}
	}
	got, _, _ := log.Read(ctx, "general", 0, 1)
	if e := got[0]; e.Room != "general" || e.Action != shared.ActionLock || e.Seconds != 6 || e.Actor.Nickname != "admin" {
		t.Errorf("entry read back as %+v", e)
	}
}

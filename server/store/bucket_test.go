//go:build !js

package store_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"livechat/server/kv"
	"livechat/server/store"
)

// TestBucket checks that a bucket keeps kv.KV's contract, and that each
// write is synced to disk before it returns.
func TestBucket(t *testing.T) {
	ctx := context.Background()
	s := open(t, store.Config{Dir: t.TempDir()})
	defer s.Close()
	var mu sync.Mutex
	var synced []string
	store.SetFsync(s, func(f *os.File) error {
		mu.Lock()
		synced = append(synced, f.Name())
		mu.Unlock()
		return f.Sync()
	})
	b, err := s.Bucket(ctx, "records")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Get(ctx, "a"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get of a missing key: %v, want ErrNotFound", err)
	}
	rev, err := b.Create(ctx, "a", []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	blockSynced := slices.ContainsFunc(synced, func(name string) bool {
		return strings.Contains(name, "KV_records") && strings.HasSuffix(name, ".blk")
	})
	mu.Unlock()
	if !blockSynced {
		t.Fatalf("Create returned before the bucket's files were synced (synced: %q)", synced)
	}
	if _, err := b.Create(ctx, "a", []byte("2")); !errors.Is(err, kv.ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	rev2, err := b.Update(ctx, "a", []byte("2"), rev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Update(ctx, "a", []byte("3"), rev); !errors.Is(err, kv.ErrConflict) {
		t.Fatalf("Update at an old revision: %v, want ErrConflict", err)
	}
	if v, r, err := b.Get(ctx, "a"); err != nil || string(v) != "2" || r != rev2 {
		t.Fatalf("Get = %q, %d, %v; want 2, %d", v, r, err, rev2)
	}
	if err := b.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Get(ctx, "a"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
	if _, err := b.Create(ctx, "a", []byte("4")); err != nil {
		t.Fatalf("Create after Delete: %v", err)
	}

	for _, k := range []string{"member.r1.x", "member.r1.y", "member.r2.x", "member.r10.z"} {
		if _, err := b.Create(ctx, k, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	b.Delete(ctx, "member.r1.y")
	keys, err := b.Keys(ctx, "member.r1.*")
	if slices.Sort(keys); err != nil || !slices.Equal(keys, []string{"member.r1.x"}) {
		t.Fatalf("Keys(member.r1.*) = %q, %v", keys, err)
	}
	keys, err = b.Keys(ctx, "member.*.x")
	if slices.Sort(keys); err != nil || !slices.Equal(keys, []string{"member.r1.x", "member.r2.x"}) {
		t.Fatalf("Keys(member.*.x) = %q, %v", keys, err)
	}
	if keys, err := b.Keys(ctx, "none.*"); err != nil || len(keys) != 0 {
		t.Fatalf("Keys(none.*) = %q, %v", keys, err)
	}
}

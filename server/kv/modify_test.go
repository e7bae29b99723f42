//go:build !js

package kv_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"livechat/server/kv"
)

// TestModifyUnderContention: writers adding one each to a counter at
// once lose none of their additions.
func TestModifyUnderContention(t *testing.T) {
	ctx := context.Background()
	m := &kv.Memory{}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			err := kv.Modify(ctx, m, "n", func(old []byte, exists bool) ([]byte, error) {
				n, _ := strconv.Atoi(string(old))
				if exists != (old != nil) {
					t.Errorf("exists %v with %q", exists, old)
				}
				return []byte(strconv.Itoa(n + 1)), nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if v, _, err := m.Get(ctx, "n"); err != nil || string(v) != "20" {
		t.Fatalf("n = %q, %v; want 20", v, err)
	}
	if err := kv.Put(ctx, m, "n", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := m.Get(ctx, "n"); string(v) != "x" {
		t.Fatalf("after Put: %q", v)
	}
}

//go:build !js

package kv_test

import (
	"context"
	"errors"
	"testing"

	"livechat/server/kv"
)

func TestValidKeyAndToken(t *testing.T) {
	for _, tt := range []struct {
		s            string
		token, isKey bool
	}{
		{"abc", true, true},
		{"A-Z_a=z/09", true, true},
		{"member.general.q2lmvkx7", false, true},
		{"", false, false},
		{".a", false, false},
		{"a.", false, false},
		{"a..b", false, false},
		{"a*", false, false},
		{"a>", false, false},
		{"a b", false, false},
		{"#", false, false},
		{"é", false, false},
		{"a\x00", false, false},
	} {
		if got := kv.ValidToken(tt.s); got != tt.token {
			t.Errorf("ValidToken(%q) = %v, want %v", tt.s, got, tt.token)
		}
		if got := kv.ValidKey(tt.s); got != tt.isKey {
			t.Errorf("ValidKey(%q) = %v, want %v", tt.s, got, tt.isKey)
		}
	}
}

// TestMemoryRefusesInvalidKeys: the fake refuses what a JetStream bucket
// refuses, so that tests against it catch keys made of bad input.
func TestMemoryRefusesInvalidKeys(t *testing.T) {
	ctx := context.Background()
	var m kv.Memory
	if _, err := m.Create(ctx, "invite.#", nil); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Create: %v", err)
	}
	if _, _, err := m.Get(ctx, "invite.é"); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Get: %v", err)
	}
	if _, err := m.Update(ctx, "a..b", nil, 1); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Update: %v", err)
	}
	if err := m.Delete(ctx, "a b"); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Delete: %v", err)
	}
	if _, err := m.Create(ctx, "invite.abc", []byte("x")); err != nil {
		t.Errorf("Create of a valid key: %v", err)
	}
}

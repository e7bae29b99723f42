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

// FuzzRedeem checks invite codes, which anyone can send in a join: only
// the real code of a private room lets a person in; any other code is
// not_found (never another error, which would be a storage failure, as
// for a code that makes an invalid key), and leaves the room unopened.
func FuzzRedeem(f *testing.F) {
	ctx := context.Background()
	d := room.New(&kv.Memory{}, room.Config{})
	r, err := d.Create(ctx, "alice", "Secret", room.Private, "")
	if err != nil {
		f.Fatal(err)
	}
	inv, err := d.NewInvite(ctx, r.ID, "alice", 1000, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{inv.Code, "", strings.ToUpper(inv.Code), inv.Code + ".x", "*", ">", "#", "é", "a b", strings.Repeat("a", 65), inv.Code[:len(inv.Code)-1]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		got, err := d.Redeem(ctx, code, "bob")
		if code == inv.Code {
			if err != nil || got.ID != r.ID {
				t.Fatalf("the real code: %+v, %v", got, err)
			}
			return
		}
		var perr *shared.Error
		if !errors.As(err, &perr) || perr.Code != shared.CodeNotFound {
			t.Fatalf("Redeem(%q) = %+v, %v; want not_found", code, got, err)
		}
	})
}

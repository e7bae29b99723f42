//go:build !js

package account

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"livechat/server/kv"
	"livechat/shared"
)

var claimKey = regexp.MustCompile(`^nickname\.[0-9a-f]{32}$`)

// FuzzNickname checks the look-alike rules that keep one nickname per
// person: every nickname looks like itself, like itself with other
// spaces around or inside, in its compatibility form and in other cases
// (for those CheckNickname accepts); its claim keys are well-formed KV
// keys, one or two, the same each time; and its skeleton is a fixed
// point.
func FuzzNickname(f *testing.F) {
	for _, s := range []string{"alice", "ALICE", "ａｌｉｃｅ", "аlice", "alıce", "aⅼice", "aIice", "Ada  Lovelace", "ß", "ǅungla", "ﬃ", "x\u0301", "\u0345", "İstanbul", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		keys := claimKeys(s)
		if len(keys) < 1 || len(keys) > 2 || len(keys) == 2 && keys[0] == keys[1] {
			t.Fatalf("claimKeys(%q) = %q", s, keys)
		}
		for _, k := range keys {
			if !claimKey.MatchString(k) || !kv.ValidKey(k) {
				t.Fatalf("claim key %q of %q", k, s)
			}
		}
		if again := claimKeys(s); strings.Join(again, " ") != strings.Join(keys, " ") {
			t.Fatalf("claimKeys(%q) = %q, then %q", s, keys, again)
		}
		if !LookAlike(s, s) {
			t.Fatalf("%q does not look like itself", s)
		}
		if sk := Skeleton(s); Skeleton(sk) != sk {
			t.Fatalf("Skeleton(%q) = %q, whose skeleton is %q", s, sk, Skeleton(sk))
		}
		nick, err := shared.CheckNickname(s)
		if err != nil {
			return
		}
		for _, other := range []string{" " + nick + "  ", strings.ReplaceAll(nick, " ", "   "), norm.NFKC.String(nick), norm.NFD.String(nick), cases.Upper(language.Und).String(nick), cases.Lower(language.Und).String(nick)} {
			if _, err := shared.CheckNickname(other); err == nil && !LookAlike(nick, other) {
				t.Fatalf("%q and %q can be told apart (skeletons %q and %q)", nick, other, Skeleton(nick), Skeleton(other))
			}
		}
	})
}

// FuzzAuthenticate checks credentials, which anyone can send: a
// credential signs in only as the account and device it was made for;
// anything else is refused with ErrUnauthorized, never another error,
// and never reaches the KV as an invalid key.
func FuzzAuthenticate(f *testing.F) {
	ctx := context.Background()
	accounts := New(&kv.Memory{}, Config{})
	acct, cred, err := accounts.Register(ctx, "alice", "test")
	if err != nil {
		f.Fatal(err)
	}
	id, device, secret, _ := parseCredential(cred)
	for _, s := range []string{cred, "", ".", "..", id + "." + device + ".", id + "." + device + "." + secret + "x", id + ".." + secret,
		"a.b.c", "#.b.c", id + "." + device + "." + secret + ".more", "é.b.c", "a b.c.d", "*.>.x", id[:len(id)-1] + "A." + device + "." + secret} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		i, d, sec, ok := parseCredential(c)
		if ok && (i+"."+d+"."+sec != c || strings.Contains(i, ".") || strings.Contains(d, ".") || i == "" || d == "" || sec == "") {
			t.Fatalf("parseCredential(%q) = %q, %q, %q", c, i, d, sec)
		}
		if DeviceOf(c) != d {
			t.Fatalf("DeviceOf(%q) = %q, want %q", c, DeviceOf(c), d)
		}
		got, dev, err := accounts.Authenticate(ctx, c)
		if c == cred {
			if err != nil || got.ID != acct.ID || dev != device {
				t.Fatalf("the real credential: %v, %q, %v", got.ID, dev, err)
			}
			return
		}
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("Authenticate(%q) = %q, %v; want ErrUnauthorized", c, got.ID, err)
		}
	})
}

// FuzzSignUp checks what a person signing up to an invite-only server
// sends, nickname and invite code: only a valid, free nickname with the
// real code makes an account; everything else gets a protocol error (a
// code and a message for the person), never a storage error.
func FuzzSignUp(f *testing.F) {
	ctx := context.Background()
	accounts := New(&kv.Memory{}, Config{})
	admin, _, err := accounts.Register(ctx, "admin", "test")
	if err != nil {
		f.Fatal(err)
	}
	if err := accounts.SetSettings(ctx, admin.ID, Settings{InviteOnly: true}); err != nil {
		f.Fatal(err)
	}
	inv, err := accounts.NewSignupInvite(ctx, admin.ID, 1000, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][2]string{{"bob", inv.Code}, {"bob", ""}, {"bob", "nope"}, {"ADMIN", inv.Code}, {"аdmin", inv.Code}, {" ", inv.Code},
		{"bob", inv.Code + "."}, {"bob", "#"}, {"bob", "é"}, {"bob", strings.Repeat("a", 65)}, {"bob", "*"}, {"bob", "a b"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, nickname, code string) {
		acct, cred, err := accounts.SignUp(ctx, nickname, "test", code)
		if err == nil {
			if code != inv.Code || acct.ID == "" || cred == "" {
				t.Fatalf("SignUp(%q, %q) made %+v", nickname, code, acct)
			}
			return
		}
		var perr *shared.Error
		if !errors.As(err, &perr) || perr.Message == "" {
			t.Fatalf("SignUp(%q, %q): %v, not an error for the person", nickname, code, err)
		}
	})
}

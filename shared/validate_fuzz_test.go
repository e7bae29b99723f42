package shared_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"livechat/shared"
)

// code returns the code of a protocol error, failing the test for any
// other error or one without a message.
func code(t *testing.T, err error) shared.Code {
	t.Helper()
	var perr *shared.Error
	if !errors.As(err, &perr) || perr.Message == "" {
		t.Fatalf("error %v is not a protocol error with a message", err)
	}
	return perr.Code
}

// FuzzCheckNickname checks the rules of nicknames, which every hello and
// rename is held to: what they accept is trimmed, of 1 to
// MaxNicknameChars characters, free of white space other than spaces
// and of control or invisible characters, accepted again as it is; and
// its key, which makes it unique in a room, ignores the spaces around it
// and is never empty.
func FuzzCheckNickname(f *testing.F) {
	for _, s := range []string{"alice", " Ada Lovelace ", "ａｌｉｃｅ", "аlice", "a\u200bb", "\u3164", "x\u0301", "ǅ", "ß", "\ufdfa", strings.Repeat("é", 33), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		nick, err := shared.CheckNickname(s)
		if err != nil {
			if c := code(t, err); c != shared.CodeNicknameInvalid {
				t.Fatalf("CheckNickname(%q): code %s", s, c)
			}
			return
		}
		if nick != strings.TrimSpace(s) {
			t.Fatalf("CheckNickname(%q) = %q, not the nickname trimmed", s, nick)
		}
		if n := utf8.RuneCountInString(nick); !utf8.ValidString(nick) || n < 1 || n > shared.MaxNicknameChars {
			t.Fatalf("CheckNickname accepted %q (%d characters)", nick, n)
		}
		for _, r := range nick {
			if r != ' ' && unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("CheckNickname accepted %q, with %U", nick, r)
			}
		}
		if again, err := shared.CheckNickname(nick); err != nil || again != nick {
			t.Fatalf("CheckNickname(%q) = %q, %v: not idempotent", nick, again, err)
		}
		key := shared.NicknameKey(nick)
		if key == "" {
			t.Fatalf("NicknameKey(%q) is empty", nick)
		}
		if spaced := shared.NicknameKey("  " + nick + " "); spaced != key {
			t.Fatalf("NicknameKey(%q) = %q, but with spaces around %q", nick, key, spaced)
		}
	})
}

// roomName is what a valid room name is: one token of a NATS subject and
// a stream name, without dots, wildcards, spaces or path separators.
var roomName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// FuzzCheckRoom checks room names, which go into NATS subjects, stream
// names and keys: what CheckRoom accepts is what it was given (or the
// default room for nothing), short, and of the safe alphabet only.
func FuzzCheckRoom(f *testing.F) {
	for _, s := range []string{"", "general", "p-0123456789abcdef", "dm-x", "a.b", "*", ">", "A", "-x", "é", strings.Repeat("a", 33), "a b", "a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		room, err := shared.CheckRoom(s)
		if err != nil {
			if c := code(t, err); c != shared.CodeRoomInvalid {
				t.Fatalf("CheckRoom(%q): code %s", s, c)
			}
			return
		}
		if s == "" && room != shared.DefaultRoom || s != "" && room != s {
			t.Fatalf("CheckRoom(%q) = %q", s, room)
		}
		if len(room) > shared.MaxRoomBytes || !roomName.MatchString(room) {
			t.Fatalf("CheckRoom accepted %q", room)
		}
		if again, err := shared.CheckRoom(room); err != nil || again != room {
			t.Fatalf("CheckRoom(%q) = %q, %v: not idempotent", room, again, err)
		}
	})
}

// FuzzCheckText checks message texts: what CheckText accepts is valid
// UTF-8 of at most MaxTextBytes with something visible and no control
// characters but tab and newlines; it crosses the wire byte for byte;
// and the say frame that carries it, with the longest request id, fits
// in MaxFrameBytes, as MaxFrameBytes promises.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"hello", " ", "\u200b", "a\x00b", "line\nline\r\n\ttab", "<b>&amp;</b>", strings.Repeat("\x7f", 10), strings.Repeat("\u2028", 1365), strings.Repeat("é", 2049), "\xff"} {
		f.Add(s)
	}
	id := strings.Repeat("~", shared.MaxIDBytes)
	f.Fuzz(func(t *testing.T, s string) {
		if err := shared.CheckText(s); err != nil {
			c := code(t, err)
			if c != shared.CodeTextInvalid && c != shared.CodeTextTooLong || (c == shared.CodeTextTooLong) != (len(s) > shared.MaxTextBytes) {
				t.Fatalf("CheckText(%d bytes): code %s", len(s), c)
			}
			return
		}
		if !utf8.ValidString(s) || len(s) > shared.MaxTextBytes {
			t.Fatalf("CheckText accepted %d bytes, valid UTF-8 %v", len(s), utf8.ValidString(s))
		}
		visible := false
		for _, r := range s {
			if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
				t.Fatalf("CheckText accepted %q, with %U", s, r)
			}
			visible = visible || !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r)
		}
		if !visible {
			t.Fatalf("CheckText accepted %q, with nothing to see", s)
		}
		frame, err := shared.Encode(shared.TypeSay, id, shared.Say{Room: strings.Repeat("r", shared.MaxRoomBytes), Text: s})
		if err != nil {
			t.Fatal(err)
		}
		if len(frame) > shared.MaxFrameBytes {
			t.Fatalf("a say frame of %d bytes of valid text takes %d bytes, more than MaxFrameBytes", len(s), len(frame))
		}
		env, err := shared.Decode(frame)
		if err != nil {
			t.Fatal(err)
		}
		var say shared.Say
		if err := env.DecodePayload(&say); err != nil || say.Text != s {
			t.Fatalf("text %q came back as %q, %v", s, say.Text, err)
		}
	})
}

// FuzzBatch checks batch frames: any frame, once decoded, unbatches
// without panicking or fails with a protocol error; and a batch of
// encoded envelopes unbatches into the same envelopes, in order, their
// texts intact.
func FuzzBatch(f *testing.F) {
	f.Add([]byte(`{"type":"batch","payload":[{"type":"pong"},{"type":"message","payload":{"text":"hi"}}]}`), "hi", "there")
	f.Add([]byte(`{"type":"batch","payload":[{"type":"batch","payload":[]}]}`), "", "]}")
	f.Add([]byte(`{"type":"batch","payload":{}}`), `","type":"x`, "\u2028")
	f.Fuzz(func(t *testing.T, frame []byte, a, b string) {
		if env, err := shared.Decode(frame); err == nil {
			if envs, err := env.Unbatch(); err != nil {
				code(t, err)
			} else {
				for _, e := range envs {
					if e.Type == shared.TypeBatch {
						t.Fatal("a batch inside a batch")
					}
				}
			}
		}

		texts := []string{a, b, a + b}
		var frames [][]byte
		for i, text := range texts {
			fr, err := shared.Encode(shared.TypeMessage, "", shared.Message{ID: uint64(i + 1), Room: "general", Text: text})
			if err != nil {
				t.Fatal(err)
			}
			frames = append(frames, fr)
		}
		batch := shared.AppendBatch(nil, frames)
		if len(batch) != shared.BatchOverhead+len(frames[0])+len(frames[1])+len(frames[2])+2 {
			t.Fatalf("batch of %d bytes: BatchOverhead is wrong", len(batch))
		}
		env, err := shared.Decode(batch)
		if err != nil || env.Type != shared.TypeBatch {
			t.Fatalf("Decode(batch) = %s, %v", env.Type, err)
		}
		envs, err := env.Unbatch()
		if err != nil || len(envs) != len(texts) {
			t.Fatalf("Unbatch = %d envelopes, %v", len(envs), err)
		}
		for i, e := range envs {
			var m shared.Message
			if err := e.DecodePayload(&m); err != nil || e.Type != shared.TypeMessage || m.ID != uint64(i+1) {
				t.Fatalf("envelope %d: %s %+v, %v", i, e.Type, m, err)
			}
			// Encoding replaces invalid UTF-8; valid text comes back as it was.
			if utf8.ValidString(texts[i]) && m.Text != texts[i] {
				t.Fatalf("text %q came back as %q", texts[i], m.Text)
			}
		}
	})
}

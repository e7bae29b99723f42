package shared_test

import (
	"errors"
	"strings"
	"testing"

	"livechat/shared"
)

func TestCheckNickname(t *testing.T) {
	tests := []struct {
		in, want string // want "" means invalid
	}{
		{"alice", "alice"},
		{"  Alice Smith \t", "Alice Smith"},
		{"Zoë", "Zoë"},
		{"李小龍", "李小龍"},
		{"🦊 fox", "🦊 fox"},
		{strings.Repeat("é", 32), strings.Repeat("é", 32)},
		{strings.Repeat("é", 33), ""},
		{"", ""},
		{"   ", ""},
		{"a\tb", ""},            // white space other than a space
		{"a\u00a0b", ""},        // no-break space
		{"bell\u0007", ""},      // control
		{"zero\u200bwidth", ""}, // zero-width space
		{"\u202eevil", ""},      // right-to-left override
		{"a\ufe0fb", ""},        // variation selector
		{"\u3164", ""},          // Hangul filler
		{"\ue000pua", ""},       // private use
		{"bad\xffutf8", ""},
	}
	for _, tt := range tests {
		got, err := shared.CheckNickname(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("CheckNickname(%q) = %q, want an error", tt.in, got)
		case tt.want == "" && !errors.Is(err, shared.ErrNicknameInvalid):
			t.Errorf("CheckNickname(%q) error %v, want code nickname_invalid", tt.in, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("CheckNickname(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNicknameKey(t *testing.T) {
	same := [][]string{
		{"alice", "Alice", "ALICE", "ａｌｉｃｅ", "aLiCe"},
		{"Zoë", "ZOË", "Zoe\u0308"}, // composed and decomposed
		{"bob smith", "Bob  Smith", "BOB   SMITH"},
		{"straße", "STRASSE"[:0] + "Straße"},
		{"ǅemal", "ǆemal", "Ǆemal"}, // title case
	}
	for _, group := range same {
		for _, n := range group[1:] {
			if a, b := shared.NicknameKey(group[0]), shared.NicknameKey(n); a != b {
				t.Errorf("NicknameKey(%q) = %q, NicknameKey(%q) = %q; want equal", group[0], a, n, b)
			}
		}
	}
	for _, pair := range [][2]string{{"alice", "alicia"}, {"bob", "bob2"}, {"zoe", "zoë"}} {
		if shared.NicknameKey(pair[0]) == shared.NicknameKey(pair[1]) {
			t.Errorf("NicknameKey(%q) == NicknameKey(%q)", pair[0], pair[1])
		}
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		in   string
		code shared.Code // "" means valid
	}{
		{"hello", ""},
		{"  spaced  out  ", ""},
		{"line one\nline two\r\n\ttabbed", ""},
		{"<script>alert(1)</script>", ""},
		{strings.Repeat("x", shared.MaxTextBytes), ""},
		{strings.Repeat("é", shared.MaxTextBytes/2), ""},
		{strings.Repeat("x", shared.MaxTextBytes+1), shared.CodeTextTooLong},
		{strings.Repeat("é", shared.MaxTextBytes/2) + "x", shared.CodeTextTooLong},
		{"", shared.CodeTextInvalid},
		{" \n\t ", shared.CodeTextInvalid},
		{"\u200b", shared.CodeTextInvalid},
		{"nul\x00", shared.CodeTextInvalid},
		{"esc\x1b[31m", shared.CodeTextInvalid},
		{"bad\xff", shared.CodeTextInvalid},
	}
	for _, tt := range tests {
		err := shared.CheckText(tt.in)
		if tt.code == "" {
			if err != nil {
				t.Errorf("CheckText(%.20q): %v", tt.in, err)
			}
			continue
		}
		if !errors.Is(err, &shared.Error{Code: tt.code}) {
			t.Errorf("CheckText(%.20q) = %v, want code %s", tt.in, err, tt.code)
		}
	}
}

func TestCheckRoom(t *testing.T) {
	for in, want := range map[string]string{
		"": "general", "general": "general", "go-dev_2": "go-dev_2", "9": "9",
		"General": "", "-x": "", "a b": "", "a.b": "", "a*": "", strings.Repeat("a", 33): "",
	} {
		got, err := shared.CheckRoom(in)
		if want == "" {
			if !errors.Is(err, shared.ErrRoomInvalid) {
				t.Errorf("CheckRoom(%q) = %q, %v; want room_invalid", in, got, err)
			}
		} else if got != want || err != nil {
			t.Errorf("CheckRoom(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestCheckID(t *testing.T) {
	for in, ok := range map[string]bool{
		"c-1": true, "0f8a9c2e-4b1d-4c5e-9a7b-1d2e3f4a5b6c": true, strings.Repeat("a", 64): true,
		"": false, "has space": false, "é": false, strings.Repeat("a", 65): false,
	} {
		if err := shared.CheckID(in); (err == nil) != ok || (err != nil && !errors.Is(err, shared.ErrInvalidRequest)) {
			t.Errorf("CheckID(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}

func TestErrorIs(t *testing.T) {
	err := error(shared.Errorf(shared.CodeNicknameTaken, "taken"))
	if !errors.Is(err, shared.ErrNicknameTaken) || errors.Is(err, shared.ErrNicknameInvalid) {
		t.Errorf("errors.Is does not match on codes")
	}
	if got := err.Error(); got != "nickname_taken: taken" {
		t.Errorf("Error() = %q", got)
	}
}

func TestHistoryLimit(t *testing.T) {
	for _, tt := range []struct {
		in   *int
		want int
		ok   bool
	}{
		{nil, shared.DefaultHistory, true},
		{new(0), 0, true},
		{new(1), 1, true},
		{new(shared.MaxHistory), shared.MaxHistory, true},
		{new(-1), 0, false},
		{new(shared.MaxHistory + 1), 0, false},
	} {
		got, err := shared.HistoryLimit("limit", tt.in)
		if (err == nil) != tt.ok || got != tt.want || (err != nil && !errors.Is(err, shared.ErrInvalidRequest)) {
			t.Errorf("HistoryLimit(%v) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

package shared_test

import (
	"slices"
	"strings"
	"testing"

	"livechat/shared"
)

func TestMentionCandidates(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"hi @ada", []string{"ada"}},
		{"@Ada Lovelace, look", []string{"Ada", "Ada Lovelace"}},
		{"@bob: ok", []string{"bob"}},
		{"mail ada@example.com", nil},
		{"@ @", nil},
		{"(@carol) and @dave!", []string{"carol", "dave"}},
		{"@a b c d", []string{"a", "a b", "a b c"}},
	} {
		if got := shared.MentionCandidates(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("MentionCandidates(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestMentions(t *testing.T) {
	for _, tt := range []struct {
		text, nickname string
		want           bool
	}{
		{"hi @ada", "Ada", true},
		{"hi @ＡＤＡ", "ada", true},
		{"hi @adam", "ada", false},
		{"@Ada Lovelace, look", "Ada Lovelace", true},
		{"ada@example.com", "example.com", false},
		{"no mention of ada", "ada", false},
		{"@ada", "", false},
	} {
		if got := shared.Mentions(tt.text, tt.nickname); got != tt.want {
			t.Errorf("Mentions(%q, %q) = %v, want %v", tt.text, tt.nickname, got, tt.want)
		}
	}
}

// FuzzMentions checks mentions: candidates are few, non-empty pieces of
// the text without the characters that end a mention; and a valid
// nickname of up to three words, without those characters, is found when
// written after an @, whatever else the text says.
func FuzzMentions(f *testing.F) {
	f.Add("hi @ada lovelace, @bob", "ada lovelace")
	f.Add("@@@ @a@b", "a")
	f.Add("x@y @ＡＤＡ!", "ada")
	f.Add("\xff@\xfe", "Ǆ  x")
	f.Fuzz(func(t *testing.T, text, nickname string) {
		cands := shared.MentionCandidates(text)
		if len(cands) > 30 {
			t.Fatalf("%d candidates", len(cands))
		}
		for _, c := range cands {
			if c == "" || !strings.Contains(text, c) || strings.ContainsAny(c, ",.!?:;()[]{}<>\"'@") {
				t.Fatalf("MentionCandidates(%q) gave %q", text, c)
			}
		}
		shared.Mentions(text, nickname)

		nick, err := shared.CheckNickname(nickname)
		if err != nil || len(strings.Fields(nick)) > 3 || strings.ContainsAny(nick, ",.!?:;()[]{}<>\"'@") {
			return
		}
		mention := "hey @" + nick + ", look"
		if !shared.Mentions(mention, nick) {
			t.Fatalf("%q does not mention %q (candidates %q)", mention, nick, shared.MentionCandidates(mention))
		}
	})
}

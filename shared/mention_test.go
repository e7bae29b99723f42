package shared_test

import (
	"slices"
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

func FuzzMentions(f *testing.F) {
	f.Add("hi @ada lovelace, @bob", "ada lovelace")
	f.Fuzz(func(t *testing.T, text, nickname string) {
		cands := shared.MentionCandidates(text)
		if len(cands) > 30 {
			t.Fatalf("%d candidates", len(cands))
		}
		shared.Mentions(text, nickname)
	})
}

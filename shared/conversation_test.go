package shared_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"livechat/shared"
)

var (
	alice = shared.Person{ID: "a11ce", Nickname: "alice"}
	bob   = shared.Person{ID: "b0bb0b", Nickname: "bob"}
	carol = shared.Person{ID: "c4r0l", Nickname: "carol"}
)

// said is message 7 of general as it was said.
func said() shared.Message {
	return shared.Message{ID: 7, Room: "general", Author: alice.ID, From: alice.Nickname, Text: "hello",
		At: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), ClientID: "c-1"}
}

// history makes the events a server would store about said(), in the
// order it stores them (ids 10, 11, ...): each carries the state after it.
func history(t *testing.T, steps ...func(m *shared.Message) string) []shared.Message {
	t.Helper()
	m := said()
	var events []shared.Message
	for i, step := range steps {
		kind := step(&m)
		e := m.State(kind)
		e.ID = uint64(10 + i)
		events = append(events, e)
		m.Rev = e.ID
	}
	return events
}

func edit(text string, at int) func(m *shared.Message) string {
	return func(m *shared.Message) string {
		m.Text, m.Edited = text, time.Date(2026, 11, 27, 9, at, 0, 0, time.UTC)
		return shared.MessageEdit
	}
}

func react(who shared.Person, emoji string, remove bool) func(m *shared.Message) string {
	return func(m *shared.Message) string {
		m.React(who, emoji, remove)
		return shared.MessageReact
	}
}

func reply(m *shared.Message) string { m.Replies++; return shared.MessageReply }

func del(m *shared.Message) string { m.Deleted = true; return shared.MessageDelete }

// TestFold checks that folding a message's events, in any order and any
// number of times, gives the state after the newest: events carry the
// whole state, and Fold skips those up to Rev.
func TestFold(t *testing.T) {
	for _, tt := range []struct {
		name   string
		events []shared.Message
		want   func(m *shared.Message)
	}{
		{"edit", history(t, edit("hello, world", 1)), func(m *shared.Message) {
			m.Text, m.Edited, m.Rev = "hello, world", time.Date(2026, 11, 27, 9, 1, 0, 0, time.UTC), 10
		}},
		{"edits, reactions and replies", history(t, react(bob, "👍", false), edit("hi", 1), reply, react(carol, "👍", false),
			react(bob, "❤️", false), edit("hi!", 2), react(bob, "👍", true), reply), func(m *shared.Message) {
			m.Text, m.Edited, m.Replies, m.Rev = "hi!", time.Date(2026, 11, 27, 9, 2, 0, 0, time.UTC), 2, 17
			m.Reactions = []shared.Reaction{{Emoji: "👍", People: []shared.Person{carol}}, {Emoji: "❤️", People: []shared.Person{bob}}}
		}},
		{"delete", history(t, edit("secret", 1), react(bob, "👍", false), reply, del), func(m *shared.Message) {
			m.Text, m.Deleted, m.Replies, m.Rev = "", true, 1, 13
		}},
		{"reply after a delete", history(t, reply, del, reply), func(m *shared.Message) {
			m.Text, m.Deleted, m.Replies, m.Rev = "", true, 2, 12
		}},
		// A deletion stored before deletions were events has no state:
		// only its kind says what it is.
		{"old delete", []shared.Message{{ID: 9, Room: "general", Author: bob.ID, From: bob.Nickname, Kind: shared.MessageDelete, Of: 7}},
			func(m *shared.Message) { m.Text, m.Deleted, m.Rev = "", true, 9 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := said()
			tt.want(&want)
			// In order, then every event again, then newest first.
			orders := [][]shared.Message{tt.events, append(append([]shared.Message{}, tt.events...), tt.events...)}
			reversed := make([]shared.Message, len(tt.events))
			for i, e := range tt.events {
				reversed[len(reversed)-1-i] = e
			}
			orders = append(orders, reversed)
			r := rand.New(rand.NewPCG(1, 2))
			for range 20 {
				shuffled := append([]shared.Message{}, tt.events...)
				r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				orders = append(orders, shuffled)
			}
			for _, events := range orders {
				m := said()
				for _, e := range events {
					m.Fold(e)
				}
				if !reflect.DeepEqual(m, want) {
					t.Fatalf("folded %v:\n got %+v\nwant %+v", ids(events), m, want)
				}
			}
			// History folds the newest event; live events that follow
			// change nothing.
			m := said()
			if !m.Fold(tt.events[len(tt.events)-1]) {
				t.Fatal("Fold of the newest event reported no change")
			}
			for _, e := range tt.events {
				if m.Fold(e) {
					t.Errorf("Fold of event %d after the newest reported a change", e.ID)
				}
			}
			if !reflect.DeepEqual(m, want) {
				t.Errorf("newest folded first:\n got %+v\nwant %+v", m, want)
			}
		})
	}
}

func ids(events []shared.Message) []uint64 {
	out := make([]uint64, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// TestFoldSkips checks what Fold leaves alone: events about another
// message, kinds it does not know, and events up to Rev.
func TestFoldSkips(t *testing.T) {
	e := history(t, edit("changed", 1))[0]
	for _, tt := range []struct {
		name string
		m    func() shared.Message
		e    func() shared.Message
	}{
		{"another message", said, func() shared.Message { e := e; e.Of = 8; return e }},
		{"a message said", said, func() shared.Message { e := e; e.Kind = ""; return e }},
		{"an unknown kind", said, func() shared.Message { e := e; e.Kind = "pin"; return e }},
		{"an event the message has", func() shared.Message { m := said(); m.Rev = e.ID; return m }, func() shared.Message { return e }},
		{"an older event", func() shared.Message { m := said(); m.Rev = e.ID + 1; return m }, func() shared.Message { return e }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m()
			before := m
			if m.Fold(tt.e()) || !reflect.DeepEqual(m, before) {
				t.Errorf("Fold changed the message: %+v", m)
			}
		})
	}
}

// TestState checks that State carries what Fold copies, and nothing of a
// deleted message but that it is deleted and its replies.
func TestState(t *testing.T) {
	m := said()
	m.Text, m.Edited, m.Replies = "edited", time.Date(2026, 11, 27, 9, 1, 0, 0, time.UTC), 3
	m.React(bob, "👍", false)
	e := m.State(shared.MessageReact)
	if e.Kind != shared.MessageReact || e.Of != 7 || e.Room != "general" || e.Text != "edited" || e.Edited != m.Edited ||
		e.Replies != 3 || len(e.Reactions) != 1 || e.Deleted || e.ID != 0 || e.Author != "" || e.ClientID != "" {
		t.Errorf("State = %+v", e)
	}
	if e := said().State(shared.MessageReply); e.Text != "" {
		t.Errorf("State of a message never edited carries its text %q", e.Text)
	}
	m.Deleted = true
	e = m.State(shared.MessageDelete)
	if want := (shared.Message{Room: "general", Kind: shared.MessageDelete, Of: 7, Deleted: true, Replies: 3}); !reflect.DeepEqual(e, want) {
		t.Errorf("State of a deleted message = %+v, want %+v", e, want)
	}
}

// TestReact checks that reactions toggle per person and emoji, keep the
// order they were given in, and stop at the limits.
func TestReact(t *testing.T) {
	m := said()
	for _, step := range []struct {
		who     shared.Person
		emoji   string
		remove  bool
		changed bool
		want    string // emoji:people;...
	}{
		{bob, "👍", false, true, "👍:bob"},
		{bob, "👍", false, false, "👍:bob"}, // twice: no change
		{carol, "👍", false, true, "👍:bob,carol"},
		{alice, "❤️", false, true, "👍:bob,carol;❤️:alice"},
		{alice, "👍", true, false, "👍:bob,carol;❤️:alice"}, // not hers
		{alice, "🎉", true, false, "👍:bob,carol;❤️:alice"}, // not there
		{bob, "👍", true, true, "👍:carol;❤️:alice"},
		{carol, "👍", true, true, "❤️:alice"}, // the last one: the emoji goes
		{carol, "👍", false, true, "❤️:alice;👍:carol"},
	} {
		changed, err := m.React(step.who, step.emoji, step.remove)
		if err != nil || changed != step.changed || reactions(m) != step.want {
			t.Fatalf("React(%s, %s, remove %v) = %v, %v: %s; want %v: %s", step.who.Nickname, step.emoji, step.remove,
				changed, err, reactions(m), step.changed, step.want)
		}
	}

	// Limits: MaxReactionKinds different emoji, MaxReactions in all.
	m = said()
	for i := range shared.MaxReactionKinds {
		if _, err := m.React(person(0), emoji(i), false); err != nil {
			t.Fatal(err)
		}
	}
	_, err := m.React(person(0), emoji(shared.MaxReactionKinds), false)
	if perr := (*shared.Error)(nil); !errors.As(err, &perr) || perr.Code != shared.CodeForbidden {
		t.Errorf("reaction of kind %d: %v, want forbidden", shared.MaxReactionKinds+1, err)
	}
	for p := 1; countReactions(m) < shared.MaxReactions; p++ {
		if _, err := m.React(person(p), emoji(p%shared.MaxReactionKinds), false); err != nil {
			t.Fatalf("reaction %d: %v", countReactions(m)+1, err)
		}
	}
	_, err = m.React(person(1000), emoji(0), false)
	if perr := (*shared.Error)(nil); !errors.As(err, &perr) || perr.Code != shared.CodeForbidden {
		t.Errorf("reaction %d: %v, want forbidden", shared.MaxReactions+1, err)
	}
	// At the limits, removing still works, and adding one given
	// already changes nothing without an error.
	if changed, err := m.React(person(0), emoji(0), false); changed || err != nil {
		t.Errorf("a reaction given again at the limit = %v, %v", changed, err)
	}
	if changed, err := m.React(person(0), emoji(0), true); !changed || err != nil {
		t.Errorf("removing a reaction at the limit = %v, %v", changed, err)
	}
	if _, err := m.React(person(1000), emoji(0), false); err != nil {
		t.Errorf("a reaction after one was removed: %v", err)
	}
}

// TestReactCopies checks that React leaves copies of the message alone:
// the server makes each event from a copy of the stored state, and
// clients keep the messages they showed.
func TestReactCopies(t *testing.T) {
	base := said()
	base.React(bob, "👍", false)
	base.React(carol, "👍", false)
	base.React(bob, "❤️", false)
	for _, tt := range []struct {
		name   string
		who    shared.Person
		emoji  string
		remove bool
	}{
		{"add to an emoji", alice, "👍", false},
		{"add an emoji", alice, "🎉", false},
		{"remove one of several", bob, "👍", true},
		{"remove the last of an emoji", bob, "❤️", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := base
			m.Reactions = append([]shared.Reaction(nil), base.Reactions...)
			// Room to grow in place, where an append could write.
			m.Reactions = append(m.Reactions, shared.Reaction{})[:len(m.Reactions)]
			for i := range m.Reactions {
				m.Reactions[i].People = append(append([]shared.Person(nil), m.Reactions[i].People...), shared.Person{})[:len(m.Reactions[i].People)]
			}
			want := reactions(m)
			wantSpare := m.Reactions[:cap(m.Reactions)]
			spare := wantSpare[len(wantSpare)-1]

			m2 := m
			if changed, err := m2.React(tt.who, tt.emoji, tt.remove); !changed || err != nil {
				t.Fatalf("React = %v, %v", changed, err)
			}
			if got := reactions(m); got != want {
				t.Errorf("the copy's React changed the original: %s, was %s", got, want)
			}
			if got := m.Reactions[:cap(m.Reactions)][len(wantSpare)-1]; !reflect.DeepEqual(got, spare) {
				t.Errorf("the copy's React wrote past the original's reactions: %+v", got)
			}
			for i, r := range m.Reactions {
				if cap(r.People) == len(r.People) {
					continue // replaced: reported above
				}
				if extra := r.People[:cap(r.People)][len(r.People)]; extra != (shared.Person{}) {
					t.Errorf("the copy's React wrote past the people of reaction %d: %+v", i, extra)
				}
			}
			if reactions(m2) == want {
				t.Errorf("the copy did not change")
			}
		})
	}
}

func person(i int) shared.Person {
	return shared.Person{ID: "p" + strconv.Itoa(i), Nickname: "p" + strconv.Itoa(i)}
}

// emoji returns the i-th of several emoji.
func emoji(i int) string { return string(rune(0x1F600 + i)) }

func reactions(m shared.Message) string {
	var b strings.Builder
	for i, r := range m.Reactions {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(r.Emoji + ":")
		for j, p := range r.People {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(p.Nickname)
		}
	}
	return b.String()
}

func countReactions(m shared.Message) int {
	n := 0
	for _, r := range m.Reactions {
		n += len(r.People)
	}
	return n
}

func TestCheckEmoji(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"\U0001F44D", true},                                 // 👍
		{"\u2764\uFE0F", true},                               // ❤️ with a variation selector
		{"\u2764", true},                                     // ❤ without
		{"\U0001F44D\U0001F3FD", true},                       // 👍🏽 a skin tone
		{"\U0001F1EB\U0001F1F7", true},                       // 🇫🇷 a flag: two regional indicators
		{"1\uFE0F\u20E3", true},                              // 1️⃣ a keycap
		{"#\u20E3", true},                                    // #⃣ a keycap without the selector
		{"\U0001F3F3\uFE0F\u200D\U0001F308", true},           // 🏳️‍🌈 joined, with a selector
		{"\U0001F468\u200D\U0001F469\u200D\U0001F467", true}, // 👨‍👩‍👧 three joined
		{"\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", true}, // 🏴 of Scotland, with tags
		{"\u00A9\uFE0F", true},                   // ©️ a letter-like symbol
		{"\u203C\uFE0F", true},                   // ‼️ punctuation with an emoji form
		{"\u2B50", true},                         // ⭐
		{"", false},                              // nothing
		{"a", false},                             // text
		{"ab", false},                            //
		{"ok\U0001F44D", false},                  // text with an emoji
		{"\u00E9", false},                        // é
		{"\U0001F44D\n", false},                  // a control character
		{"\x00", false},                          //
		{"\u202E\U0001F44D", false},              // a bidi override
		{"\U0001F44D ", false},                   // a space
		{"\xff", false},                          // not UTF-8
		{strings.Repeat("\U0001F44D", 2), false}, // two emoji side by side
		{"\U0001F1EB\U0001F1F7\U0001F1E9\U0001F1EA", false},          // two flags
		{"\U0001F1EB\U0001F1F7\U0001F44D", false},                    // a flag and an emoji
		{strings.Repeat("\U0001F468\u200D", 7) + "\U0001F467", true}, // 8 pictures joined
		{strings.Repeat("\U0001F468\u200D", 8) + "\U0001F467", false},
		{strings.Repeat("\u200D", 3), false},                           // joiners alone
		{"\U0001F468" + strings.Repeat("\u200D\U0001F3FB", 14), false}, // more than MaxEmojiBytes
		{"1", false},          // a digit alone is text
		{"42", false},         //
		{"#", false},          //
		{"1\uFE0F", false},    // a keycap without its mark
		{"\u20E3", false},     // the mark alone
		{"\U0001F1EB", false}, // half a flag
		{"\U0001F1EB\U0001F1F7\U0001F1E9", false}, // a flag and a half
	} {
		err := shared.CheckEmoji(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("CheckEmoji(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
		if perr := (*shared.Error)(nil); err != nil && (!errors.As(err, &perr) || perr.Code != shared.CodeInvalidRequest) {
			t.Errorf("CheckEmoji(%q) = %v, want invalid_request", tt.in, err)
		}
	}
}

func TestQuoteOf(t *testing.T) {
	long := strings.Repeat("é", shared.MaxQuoteChars)
	for _, tt := range []struct {
		text, want string
	}{
		{"hello", "hello"},
		{"", ""},
		{long, long},             // exactly as long as a quote: whole
		{long + "x", long + "…"}, // one more: cut
		{strings.Repeat("a", 500), strings.Repeat("a", shared.MaxQuoteChars) + "…"},
		{strings.Repeat("👍", 100), strings.Repeat("👍", 100)}, // 400 bytes, 100 characters
	} {
		q := shared.QuoteOf(shared.Message{From: "alice", Text: tt.text})
		if q.From != "alice" || q.Text != tt.want {
			t.Errorf("QuoteOf(%d characters) = %q, %q; want %q", utf8.RuneCountInString(tt.text), q.From, q.Text, tt.want)
		}
		if n := utf8.RuneCountInString(q.Text); n > shared.MaxQuoteChars+1 {
			t.Errorf("quote of %d characters", n)
		}
	}
}

// FuzzFold makes a message's events from ops (each byte an edit, a
// reaction given or taken back, a reply or a deletion), as the server
// does from the state of the one before, then folds some of them, in the
// order and with the repeats order picks. The result is always the
// state after the newest event folded, and making later events never
// changed earlier ones.
func FuzzFold(f *testing.F) {
	f.Add([]byte{0, 1, 2, 6, 11, 3, 4}, []byte{6, 5, 4, 3, 2, 1, 0, 0})
	f.Add([]byte{1, 6, 11, 16, 2, 7}, []byte{3, 1, 4, 1, 5, 9, 2, 6})
	f.Fuzz(func(t *testing.T, ops, order []byte) {
		m := said()
		var events []shared.Message
		var snapshots []string
		for i, op := range ops {
			if m.Deleted || i >= 64 {
				break
			}
			who := []shared.Person{alice, bob, carol}[int(op/5)%3]
			var kind string
			switch op % 5 {
			case 0:
				kind = edit("text "+strconv.Itoa(int(op)), i)(&m)
			case 1, 2:
				if changed, _ := m.React(who, emoji(int(op/15)%4), op%5 == 2); !changed {
					continue
				}
				kind = shared.MessageReact
			case 3:
				kind = reply(&m)
			case 4:
				kind = del(&m)
			}
			e := m.State(kind)
			e.ID = uint64(100 + i)
			m.Rev = e.ID
			events = append(events, e)
			snapshots = append(snapshots, reactions(e))
		}
		if len(events) == 0 {
			return
		}
		got := said()
		var newest shared.Message
		for _, k := range order {
			e := events[int(k)%len(events)]
			got.Fold(e)
			if e.ID > newest.ID {
				newest = e
			}
		}
		if newest.ID != 0 {
			want := said()
			want.Fold(newest)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("folded %v:\n got %+v\nwant %+v", order, got, want)
			}
			if newest.ID == m.Rev && !m.Deleted && (got.Text != m.Text || reactions(got) != reactions(m) || got.Replies != m.Replies) {
				t.Fatalf("folded the last event: %+v, the message is %+v", got, m)
			}
		}
		for i, e := range events {
			if reactions(e) != snapshots[i] {
				t.Fatalf("event %d changed after it was made: %s, was %s", e.ID, reactions(e), snapshots[i])
			}
		}
	})
}

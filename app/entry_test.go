package app

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// These tests check how the message list lays out its entries, natively.

// kinds describes lines for a failure message and a comparison: "day
// Today", "msg a first", "msg b", "unread", "notices 2".
func kinds(lines []line) string {
	var out []string
	for _, l := range lines {
		switch l.Kind {
		case lineDay:
			out = append(out, "day "+l.Day)
		case lineUnread:
			out = append(out, "unread")
		case lineNotices:
			out = append(out, fmt.Sprint("notices ", len(l.Entries)))
		default:
			s := "msg " + l.Entries[0].Text
			if l.First {
				s += " first"
			}
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

func TestLayoutGroups(t *testing.T) {
	loc := time.FixedZone("here", 3600)
	now := time.Date(2026, 11, 27, 22, 8, 5, 0, loc)
	at := func(d time.Duration) time.Time { return now.Add(-time.Hour).Add(d).UTC() }
	m := func(author, from, text string, d time.Duration) Entry {
		return Entry{Kind: EntryMessage, Author: author, From: from, Text: text, At: at(d)}
	}
	own := func(text string, d time.Duration) Entry {
		e := m("me-id", "me", text, d)
		e.Own = true
		return e
	}
	joined := func(name string, d time.Duration) Entry {
		return Entry{Kind: EntryNotice, From: name, Joined: true, Text: name + " joined", At: at(d)}
	}
	left := func(name string, d time.Duration) Entry {
		return Entry{Kind: EntryNotice, From: name, Left: true, Text: name + " left", At: at(d)}
	}
	yesterday := func(text string) Entry {
		return Entry{Kind: EntryMessage, Author: "b", From: "bob", Text: text, At: now.AddDate(0, 0, -1).UTC()}
	}
	for _, tt := range []struct {
		name     string
		entries  []Entry
		pending  []Entry
		unreadAt int
		want     string
	}{
		{"one person within five minutes", []Entry{m("b", "bob", "a", 0), m("b", "bob", "b", 4*time.Minute), m("b", "bob", "c", 8*time.Minute)}, nil, -1,
			"day Today, msg a first, msg b, msg c"},
		{"a pause over five minutes", []Entry{m("b", "bob", "a", 0), m("b", "bob", "b", 5*time.Minute+time.Second)}, nil, -1,
			"day Today, msg a first, msg b first"},
		{"another person", []Entry{m("b", "bob", "a", 0), m("c", "carol", "b", time.Minute), m("b", "bob", "c", 2*time.Minute)}, nil, -1,
			"day Today, msg a first, msg b first, msg c first"},
		{"one account, a new nickname", []Entry{m("b", "bob", "a", 0), m("b", "Robert", "b", time.Minute)}, nil, -1,
			"day Today, msg a first, msg b"},
		{"no accounts: the nickname", []Entry{m("", "bob", "a", 0), m("", "bob", "b", time.Minute), m("", "carol", "c", time.Minute)}, nil, -1,
			"day Today, msg a first, msg b, msg c first"},
		{"a notice ends a group", []Entry{m("b", "bob", "a", 0), joined("carol", time.Minute), m("b", "bob", "b", time.Minute)}, nil, -1,
			"day Today, msg a first, notices 1, msg b first"},
		{"the unread line ends a group", []Entry{m("b", "bob", "a", 0), m("b", "bob", "b", time.Minute)}, nil, 1,
			"day Today, msg a first, unread, msg b first"},
		{"a new day ends a group", []Entry{yesterday("a"), yesterday("b"), m("b", "bob", "c", 0)}, nil, -1,
			"day Yesterday, msg a first, msg b, day Today, msg c first"},
		{"pending messages join the reader's", []Entry{own("a", 0)}, []Entry{{Kind: EntryMessage, From: "me", Text: "b", At: at(time.Minute), Own: true, Pending: true}}, -1,
			"day Today, msg a first, msg b"},
		{"join and leave notices run together", []Entry{joined("a", 0), left("b", time.Minute), joined("c", 2*time.Minute), m("b", "bob", "x", 3*time.Minute), joined("d", 4*time.Minute)}, nil, -1,
			"day Today, notices 3, msg x first, notices 1"},
		{"other notices stand alone", []Entry{joined("a", 0), {Kind: EntryNotice, Text: "Some messages are gone.", At: at(0)}, joined("c", 0)}, nil, -1,
			"day Today, notices 1, notices 1, notices 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := kinds(layout(tt.entries, tt.pending, tt.unreadAt, now)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDayLabel(t *testing.T) {
	loc := time.FixedZone("here", -5*3600)
	now := time.Date(2026, 11, 27, 0, 30, 0, 0, loc) // just after midnight, here
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{now, "Today"},
		{time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC), "Today"},      // midnight here
		{time.Date(2026, 11, 27, 4, 59, 0, 0, time.UTC), "Yesterday"}, // 23:59 here, the day before
		{time.Date(2026, 11, 26, 5, 0, 0, 0, loc), "Yesterday"},
		{time.Date(2026, 11, 23, 12, 0, 0, 0, loc), "Monday 23 November"},
		{time.Date(2025, 11, 24, 12, 0, 0, 0, loc), "Monday 24 November 2025"},
	} {
		if got := dayLabel(tt.at, now); got != tt.want {
			t.Errorf("dayLabel(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
	if got := fullTime(time.Date(2026, 11, 27, 22, 8, 5, 0, loc)); got != "Friday 27 November 2026 at 22:08:05" {
		t.Errorf("fullTime = %q", got)
	}
}

func TestNoticesText(t *testing.T) {
	n := func(name string, joined bool) Entry {
		return Entry{Kind: EntryNotice, From: name, Joined: joined, Left: !joined}
	}
	for _, tt := range []struct {
		run         []Entry
		short, full string
	}{
		{[]Entry{{Kind: EntryNotice, Text: "Some messages are gone."}}, "Some messages are gone.", ""},
		{[]Entry{n("alice", true)}, "alice joined", ""},
		{[]Entry{n("alice", true), n("bob", true)}, "alice and bob joined", ""},
		{[]Entry{n("alice", true), n("bob", true), n("carol", true)}, "alice, bob and carol joined", ""},
		{[]Entry{n("alice", true), n("bob", true), n("carol", true), n("dan", true)},
			"alice and 3 others joined", "Joined: alice, bob, carol, dan."},
		{[]Entry{n("alice", true), n("bob", false)}, "alice joined, bob left", ""},
		{[]Entry{n("bob", false), n("alice", true)}, "alice joined, bob left", ""},
		// Each person where they ended up.
		{[]Entry{n("alice", true), n("alice", false), n("bob", true)}, "bob joined, alice left", ""},
		{[]Entry{n("a", false), n("b", false), n("c", false), n("d", false), n("e", false), n("f", true)},
			"f joined, a and 4 others left", "Joined: f. Left: a, b, c, d, e."},
	} {
		short, full := noticesText(tt.run)
		if short != tt.short || full != tt.full {
			t.Errorf("noticesText(%v) = %q, %q; want %q, %q", tt.run, short, full, tt.short, tt.full)
		}
	}
}

func TestInitials(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"alice", "A"},
		{"Bob Smith", "BS"},
		{"jean-luc picard", "JP"},
		{"émile", "É"},
		{"  x_y ", "XY"},
		{"42", "4"},
		{"☕", "☕"},
		{"", "?"},
	} {
		if got := initials(tt.name); got != tt.want {
			t.Errorf("initials(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestAvatarColour: one colour per account, the same every time, with
// white initials readable on every one, and web/app.css giving each class
// its colour.
func TestAvatarColour(t *testing.T) {
	if avatarClass("acct-1") != avatarClass("acct-1") {
		t.Error("the colour of an account changes")
	}
	seen := make(map[string]bool)
	for i := range 50 {
		seen[avatarClass(fmt.Sprint("acct-", i))] = true
	}
	if len(seen) < 15 {
		t.Errorf("50 accounts share %d colours", len(seen))
	}
	css, err := os.ReadFile("../web/app.css")
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	missing := false
	for i := range avatarHues {
		c := avatarColour(i)
		var r, g, b uint8
		if _, err := fmt.Sscanf(c, "#%02x%02x%02x", &r, &g, &b); err != nil || contrastWithWhite(r, g, b) < 4.5 {
			t.Errorf("avatarColour(%d) = %s: contrast %.2f", i, c, contrastWithWhite(r, g, b))
		}
		rule := fmt.Sprintf(".avatar-%d { background: %s; }", i, c)
		rules = append(rules, rule)
		missing = missing || !strings.Contains(string(css), rule)
	}
	if missing {
		t.Errorf("web/app.css lacks avatar colours; want:\n%s", strings.Join(rules, "\n"))
	}
}

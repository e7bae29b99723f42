package app

import (
	"hash/fnv"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"livechat/shared"
)

// EntryKind says what a line of the message list is.
type EntryKind int

const (
	// EntryMessage is something someone said.
	EntryMessage EntryKind = iota
	// EntryNotice is a line about the room: who joined or left.
	EntryNotice
)

// Entry is one line of the message list.
type Entry struct {
	Kind EntryKind
	// ID is the server's message id (messages only).
	ID     uint64
	From   string
	Author string // the sender's account id, if known
	// ReplyTo is the message this one answers, and Quote what it showed
	// of it; Edited, Reactions, Replies and Rev are the state the events
	// about the message gave it (see shared.Message.Fold).
	ReplyTo   uint64
	Quote     *shared.Quote
	Edited    time.Time
	Reactions []shared.Reaction
	Replies   int
	Rev       uint64
	Text      string
	At        time.Time
	// Own marks the reader's own messages; Mention, others' messages that
	// mention the reader.
	Own, Mention bool
	// Me is the reader's nickname when the entry was made: the text's
	// mentions of it are highlighted.
	Me string
	// ClientID is the client message id (messages).
	ClientID string
	// Pending marks a message the server has not stored yet; Sent, one it
	// has acknowledged but not yet delivered back.
	Pending, Sent bool
	// Deleted marks a message a moderator or its author deleted: its text
	// is gone, and the line says so.
	Deleted bool
	// Joined and Left mark a notice that From came into the room or left
	// it: the list shows a run of them as one line.
	Joined, Left bool
}

// maxEntries bounds the message list; older lines are dropped in chunks of
// trimEntries so that the list is not rebuilt for every new message.
const (
	maxEntries  = 5000
	trimEntries = 500
)

// appendEntry adds e to entries, dropping the oldest lines when the list
// is full.
func appendEntry(entries []Entry, e Entry) []Entry {
	if len(entries) >= maxEntries {
		entries = append(entries[:0], entries[trimEntries:]...)
	}
	return append(entries, e)
}

// messageEntry turns a message event into a list entry for the reader.
func messageEntry(m shared.Message, me reader) Entry {
	own := me.own(m)
	return Entry{Kind: EntryMessage, ID: m.ID, From: m.From, Author: m.Author, Text: m.Text, At: m.At,
		Own: own, Mention: !own && !m.Deleted && shared.Mentions(m.Text, me.Nickname), ClientID: m.ClientID, Me: me.Nickname,
		ReplyTo: m.ReplyTo, Quote: m.Quote, Edited: m.Edited, Deleted: m.Deleted, Reactions: m.Reactions,
		Replies: m.Replies, Rev: m.Rev}
}

// How the message list lays out its entries: in groups of one person's
// lines, under the name of their day, with runs of join and leave notices
// as one line. Pure functions of the entries and the time, so that native
// tests check them; the list only renders what they decide.

// groupGap is the longest pause after which a person's next message still
// continues their group: it shows no name or avatar of its own.
const groupGap = 5 * time.Minute

// lineKind says what a row of the message list is.
type lineKind int

const (
	// lineMessage is one message.
	lineMessage lineKind = iota
	// lineNotices is a run of notices shown as one line.
	lineNotices
	// lineDay begins the lines of a day, with its name.
	lineDay
	// lineUnread is where the unread messages begin.
	lineUnread
)

// line is one row of the message list.
type line struct {
	Kind lineKind
	// Entries holds the message of a message line, or the run of notices.
	Entries []Entry
	// Day names the day of a day line.
	Day string
	// First marks a message that begins a group: it shows its author's
	// name and avatar; the others of the group show only their text.
	First bool
}

// layout arranges entries, then pending (the reader's messages not yet
// stored), into the rows of the list: a day line before the first entry
// of each day (in now's location), the unread line before
// entries[unreadAt] (none if unreadAt < 0), and each message marked as
// beginning a group or continuing one. A group is the consecutive
// messages of one person, each within groupGap of the one before; a
// notice, a day line or the unread line ends it.
func layout(entries, pending []Entry, unreadAt int, now time.Time) []line {
	lines := make([]line, 0, len(entries)+len(pending)+2)
	var prev *Entry // the last message of the open group
	var lastDay time.Time
	add := func(e *Entry, unread bool) {
		day := dayOf(e.At.In(now.Location()))
		if len(lines) == 0 || !day.Equal(lastDay) {
			lines = append(lines, line{Kind: lineDay, Day: dayLabel(e.At, now)})
			lastDay, prev = day, nil
		}
		if unread {
			lines = append(lines, line{Kind: lineUnread})
			prev = nil
		}
		if e.Kind == EntryNotice {
			prev = nil
			if n := len(lines) - 1; e.presence() && lines[n].Kind == lineNotices && lines[n].Entries[0].presence() {
				lines[n].Entries = append(lines[n].Entries, *e)
				return
			}
			lines = append(lines, line{Kind: lineNotices, Entries: []Entry{*e}})
			return
		}
		first := prev == nil || !sameAuthor(*prev, *e) || e.At.Sub(prev.At) > groupGap
		lines = append(lines, line{Kind: lineMessage, Entries: []Entry{*e}, First: first})
		prev = e
	}
	for i := range entries {
		add(&entries[i], i == unreadAt)
	}
	for i := range pending {
		add(&pending[i], false)
	}
	return lines
}

// presence reports whether e is a notice that someone came or went.
func (e Entry) presence() bool { return e.Kind == EntryNotice && (e.Joined || e.Left) }

// sameAuthor reports whether a and b were said by one person: the reader
// (also their messages not yet stored, which have no account id yet), or
// one account, or, for messages from before accounts, one nickname.
func sameAuthor(a, b Entry) bool {
	if a.Own || b.Own {
		return a.Own && b.Own
	}
	if a.Author != "" && b.Author != "" {
		return a.Author == b.Author
	}
	return a.From == b.From
}

// dayOf returns the midnight that begins t's day, in t's location.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// dayLabel names the day of t as seen at now, in now's location: "Today",
// "Yesterday", or its date ("Monday 23 November"), with the year if it is
// not now's year.
func dayLabel(t, now time.Time) string {
	t = t.In(now.Location())
	day, today := dayOf(t), dayOf(now)
	switch {
	case day.Equal(today):
		return "Today"
	case day.Equal(dayOf(today.AddDate(0, 0, -1))):
		return "Yesterday"
	case t.Year() == now.Year():
		return t.Format("Monday 2 January")
	}
	return t.Format("Monday 2 January 2006")
}

// fullTime says t in full, for the tooltip of a message's time: "Friday
// 27 November 2026 at 22:08:05".
func fullTime(t time.Time) string { return t.Format("Monday 2 January 2006 at 15:04:05") }

// noticesText returns what a run of notices says as one line, and, when
// that line shortens it, the full list ("" if not). A run of join and
// leave notices says where each person ended up, in the order they first
// came or went: "alice joined, bob left", "alice and 3 others joined".
func noticesText(run []Entry) (short, full string) {
	if len(run) == 1 && !run[0].presence() {
		return run[0].Text, ""
	}
	var order []string
	joined := make(map[string]bool, len(run))
	for _, e := range run {
		if _, ok := joined[e.From]; !ok {
			order = append(order, e.From)
		}
		joined[e.From] = e.Joined
	}
	var in, out []string
	for _, name := range order {
		if joined[name] {
			in = append(in, name)
		} else {
			out = append(out, name)
		}
	}
	var parts, all []string
	if len(in) > 0 {
		parts = append(parts, names(in)+" joined")
		all = append(all, "Joined: "+strings.Join(in, ", ")+".")
	}
	if len(out) > 0 {
		parts = append(parts, names(out)+" left")
		all = append(all, "Left: "+strings.Join(out, ", ")+".")
	}
	short = strings.Join(parts, ", ")
	if len(in) > maxNamed || len(out) > maxNamed {
		full = strings.Join(all, " ")
	}
	return short, full
}

// maxNamed is how many people a notice line names before it counts the
// others.
const maxNamed = 3

// names lists people for a notice line: "alice", "alice and bob", "alice,
// bob and carol", "alice and 3 others".
func names(people []string) string {
	switch n := len(people); {
	case n > maxNamed:
		return people[0] + " and " + strconv.Itoa(n-1) + " others"
	case n == 1:
		return people[0]
	default:
		return strings.Join(people[:n-1], ", ") + " and " + people[n-1]
	}
}

// initials returns the one or two letters of an avatar for nickname: the
// first letter of its first and last words ("Bob Smith": "BS"), or of its
// one word ("alice": "A").
func initials(nickname string) string {
	words := strings.FieldsFunc(nickname, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	first := func(s string) string {
		r, _ := utf8.DecodeRuneInString(s)
		return string(unicode.ToUpper(r))
	}
	switch len(words) {
	case 0:
		if nickname == "" {
			return "?"
		}
		return first(nickname)
	case 1:
		return first(words[0])
	}
	return first(words[0]) + first(words[len(words)-1])
}

// avatarHues is how many colours avatars have: web/app.css gives each
// its class, avatar-0 to avatar-23 (the page's Content-Security-Policy
// allows no style attributes), with the colours avatarColour (in the
// tests, which check the stylesheet) returns.
const avatarHues = 24

// avatarClass returns the class of the avatar of the person with key (an
// account id, or a nickname): the same for them every time, one of
// avatarHues, from a hash of key.
func avatarClass(key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	return "avatar-" + strconv.Itoa(int(h.Sum32()%avatarHues))
}

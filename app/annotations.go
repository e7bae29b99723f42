package app

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"livechat/shared"
)

// How events about messages (edits, reactions, reply counts, deletions),
// typing and read receipts change the view state of a conversation.

// message returns the message e shows, with the state events folded onto
// it.
func (e Entry) message() shared.Message {
	return shared.Message{ID: e.ID, Author: e.Author, From: e.From, Text: e.Text, At: e.At, ClientID: e.ClientID,
		ReplyTo: e.ReplyTo, Quote: e.Quote, Edited: e.Edited, Deleted: e.Deleted, Reactions: e.Reactions,
		Replies: e.Replies, Rev: e.Rev}
}

// fold applies ev, an event about e's message, to e (see
// shared.Message.Fold) for the reader me, and reports whether it changed
// anything.
func (e *Entry) fold(ev shared.Message, me reader) bool {
	m := e.message()
	if !m.Fold(ev) {
		return false
	}
	e.Text, e.Edited, e.Deleted, e.Reactions, e.Replies, e.Rev, e.Quote = m.Text, m.Edited, m.Deleted, m.Reactions, m.Replies, m.Rev, m.Quote
	e.Mention = !e.Own && !e.Deleted && shared.Mentions(e.Text, me.Nickname)
	return true
}

// maxOrphans bounds the events kept about messages not loaded yet.
const maxOrphans = 500

// foldEvent applies ev, an event about an earlier message, to the entry
// of that message; if the list does not have it (older than those
// loaded), ev is kept until a page of history brings it, in case the
// page was read before ev was stored.
func (c *conversation) foldEvent(ev shared.Message, me reader) {
	if ev.Kind == shared.MessageDelete || ev.Deleted {
		// Replies quote nothing of a deleted text.
		for i, e := range c.Entries {
			if e.ReplyTo == ev.Of && e.Quote != nil && e.Quote.Text != "" {
				c.Entries = slices.Clone(c.Entries)
				c.Entries[i].Quote = &shared.Quote{From: e.Quote.From}
			}
		}
	}
	for i := len(c.Entries) - 1; i >= 0; i-- {
		if e := c.Entries[i]; e.Kind == EntryMessage && e.ID == ev.Of {
			c.Entries = slices.Clone(c.Entries)
			c.Entries[i].fold(ev, me)
			return
		}
	}
	if c.FirstID != 0 && ev.Of >= c.FirstID {
		return // erased, or a pending message's: nothing to keep it for
	}
	if c.orphans == nil {
		c.orphans = make(map[uint64]shared.Message)
	}
	if old, ok := c.orphans[ev.Of]; !ok || old.ID < ev.ID {
		if !ok && len(c.orphans) >= maxOrphans {
			for id := range c.orphans {
				delete(c.orphans, id) // any: a page read later has them
				break
			}
		}
		c.orphans[ev.Of] = ev
	}
}

// adopt folds onto older, entries a page of history brought, the events
// kept about them.
func (c *conversation) adopt(older []Entry, me reader) {
	if len(c.orphans) == 0 {
		return
	}
	for i := range older {
		if ev, ok := c.orphans[older[i].ID]; ok && older[i].Kind == EntryMessage {
			older[i].fold(ev, me)
			delete(c.orphans, older[i].ID)
		}
	}
}

// typingNow notes that who is typing, as of now.
func (c *conversation) typingNow(who shared.Person, now time.Time) {
	if c.typing == nil {
		c.typing = make(map[string]typist)
	}
	c.typing[who.ID] = typist{name: who.Nickname, until: now.Add(shared.TypingLasts)}
}

// typist is someone typing, until a time.
type typist struct {
	name  string
	until time.Time
}

// stopTyping notes that the person with account id stopped typing: their
// message arrived.
func (c *conversation) stopTyping(id string) { delete(c.typing, id) }

// typingText says who is typing at now: "bob is typing…", "bob and carol
// are typing…", "bob, carol and 2 others are typing…"; "" for nobody.
func (c *conversation) typingText(now time.Time) string {
	var names []string
	for id, t := range c.typing {
		if now.Before(t.until) {
			names = append(names, t.name)
		} else {
			delete(c.typing, id)
		}
	}
	sort.Strings(names)
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0] + " is typing…"
	case 2:
		return names[0] + " and " + names[1] + " are typing…"
	case 3:
		return names[0] + ", " + names[1] + " and " + names[2] + " are typing…"
	}
	return fmt.Sprintf("%s, %s and %d others are typing…", names[0], names[1], len(names)-2)
}

// typingEnds returns when the first person typing stops showing, or the
// zero time.
func (c *conversation) typingEnds() time.Time {
	var first time.Time
	for _, t := range c.typing {
		if first.IsZero() || t.until.Before(first) {
			first = t.until
		}
	}
	return first
}

// applySeen keeps the read positions of s.
func (c *conversation) applySeen(s shared.Seen) {
	if c.readers == nil {
		c.readers = make(map[string]shared.Reader)
	}
	for _, r := range s.Readers {
		if r.ID > c.readers[r.Person.ID].ID {
			c.readers[r.Person.ID] = r
		}
	}
}

// lastSaid returns the newest message of the list that is not deleted,
// or nil.
func (c *conversation) lastSaid() *Entry {
	for i := len(c.Entries) - 1; i >= 0; i-- {
		if e := &c.Entries[i]; e.Kind == EntryMessage && !e.Deleted {
			return e
		}
	}
	return nil
}

// seenBy says who has read what, and under which message (at) to say
// it: in a direct conversation between two, "Seen" under the last of the
// reader's messages the other person has read; elsewhere "Seen by
// alice, bob +3" under the newest message, naming those who read it but
// its author and the reader. It returns 0 and "" when nobody has.
func (c *conversation) seenBy(me reader) (at uint64, text string) {
	if c.Info.Kind == shared.KindDirect && len(c.Info.People) == 2 {
		var read uint64
		for id, r := range c.readers {
			if id != me.ID {
				read = max(read, r.ID)
			}
		}
		for i := len(c.Entries) - 1; i >= 0; i-- {
			if e := c.Entries[i]; e.Kind == EntryMessage && !e.Deleted && e.Own && e.ID != 0 && e.ID <= read {
				return e.ID, "Seen"
			}
		}
		return 0, ""
	}
	last := c.lastSaid()
	if last == nil {
		return 0, ""
	}
	var names []string
	for id, r := range c.readers {
		if id != me.ID && id != last.Author && r.ID >= last.ID {
			names = append(names, r.Nickname)
		}
	}
	if len(names) == 0 {
		return 0, ""
	}
	sort.Strings(names)
	const shown = 3
	if len(names) <= shown {
		return last.ID, "Seen by " + strings.Join(names, ", ")
	}
	return last.ID, fmt.Sprintf("Seen by %s +%d", strings.Join(names[:shown], ", "), len(names)-shown)
}

// ownLast returns the reader's newest message that may be edited, or
// nil.
func (c *conversation) ownLast() *Entry {
	for i := len(c.Entries) - 1; i >= 0; i-- {
		if e := &c.Entries[i]; e.Kind == EntryMessage && e.Own && !e.Deleted && e.ID != 0 {
			return e
		}
	}
	return nil
}

// entry returns the entry of the message id, or nil.
func (c *conversation) entry(id uint64) *Entry {
	for i := len(c.Entries) - 1; i >= 0; i-- {
		if e := &c.Entries[i]; e.Kind == EntryMessage && e.ID == id {
			return e
		}
	}
	return nil
}

// reactionLabel describes a reaction for screen readers and the hover
// title: "👍 2: alice and bob".
func reactionLabel(r shared.Reaction, me string) string {
	names := make([]string, 0, len(r.People))
	for _, p := range r.People {
		if p.ID == me {
			names = append(names, "you")
		} else {
			names = append(names, p.Nickname)
		}
	}
	who := ""
	switch n := len(names); n {
	case 0:
		return r.Emoji
	case 1:
		who = names[0]
	default:
		who = strings.Join(names[:n-1], ", ") + " and " + names[n-1]
	}
	return fmt.Sprintf("%s %d: %s", r.Emoji, len(r.People), who)
}

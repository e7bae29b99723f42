package app

import (
	"time"

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

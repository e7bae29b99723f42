//go:build !js

package store

import (
	"livechat/shared"

	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// ExportedMessage is one line of an export (see Export).
type ExportedMessage struct {
	Room string `json:"room"`
	ID   uint64 `json:"id"`
	// Author is the sender's account id; empty for a message from before
	// accounts.
	Author string `json:"author"`
	// From is the sender's nickname when the message was sent.
	From string    `json:"from"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
	// ReplyTo is the message this one answers.
	ReplyTo uint64 `json:"reply_to,omitempty"`
	// Kind, for an event about the earlier message Of (an edit, a
	// reaction, a reply count, a deletion; see shared.Message), is its
	// kind; the event's Author and From made it, at At, and Text,
	// Edited, Deleted, Reactions and Replies are the state of Of after
	// it.
	Kind      string            `json:"kind,omitempty"`
	Of        uint64            `json:"of,omitempty"`
	Edited    time.Time         `json:"edited,omitzero"`
	Deleted   bool              `json:"deleted,omitempty"`
	Reactions []shared.Reaction `json:"reactions,omitempty"`
	Replies   int               `json:"replies,omitempty"`
}

// Rooms returns the ids of the rooms whose messages the store keeps
// (every room written to: public, private and direct), sorted.
func (s *Store) Rooms(ctx context.Context) ([]string, error) {
	lister := s.js.StreamNames(ctx)
	var rooms []string
	for name := range lister.Name() {
		if room, ok := strings.CutPrefix(name, roomStreamPrefix); ok && backedUp(name) {
			rooms = append(rooms, room)
		}
	}
	if err := lister.Err(); err != nil {
		return nil, fmt.Errorf("list rooms on %s: %w", s.where(), err)
	}
	slices.Sort(rooms)
	return rooms, nil
}

// exportPage is how many messages Export reads at once.
const exportPage = 1024

// Export writes the messages of rooms (all of them, as Rooms lists them,
// if rooms is nil) to w as JSON lines, one ExportedMessage per line:
// room after room, oldest message first. It reads a page of messages at
// a time, so an export of any size takes little memory. It returns how
// many messages it wrote.
func (s *Store) Export(ctx context.Context, w io.Writer, rooms []string) (n int64, err error) {
	if rooms == nil {
		if rooms, err = s.Rooms(ctx); err != nil {
			return 0, err
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, room := range rooms {
		first, last, err := s.Bounds(ctx, room)
		if err != nil {
			return n, fmt.Errorf("export #%s: %w", room, err)
		}
		for from := first; from <= last; from += exportPage {
			msgs, err := s.Range(ctx, room, from, min(from+exportPage-1, last))
			if err != nil {
				return n, fmt.Errorf("export #%s: %w", room, err)
			}
			for _, m := range msgs {
				line := ExportedMessage{Room: m.Room, ID: m.ID, Author: m.Author, From: m.From, Text: m.Text, At: m.At,
					ReplyTo: m.ReplyTo, Kind: m.Kind, Of: m.Of, Edited: m.Edited, Deleted: m.Deleted, Reactions: m.Reactions, Replies: m.Replies}
				if err := enc.Encode(line); err != nil {
					return n, fmt.Errorf("export #%s: %w", room, err)
				}
				n++
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

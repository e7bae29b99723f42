//go:build !js

package chat

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"livechat/server/kv"
	"livechat/shared"
)

// Events about messages: edits, reactions, reply counts and deletions.
// Each is stored in the room's stream, in the room's order, carrying the
// whole state of its message after it (see shared.Message.Fold and
// store.AppendEvent); history and paging fold the newest one onto each
// message they deliver, and resume delivers those about messages the
// client already has.

// eventPause is the longest pause annotate takes before it makes an
// event again, after another event about the message came first: writers
// racing on one message (a room reacting at once) spread out rather than
// collide again.
const eventPause = 20 * time.Millisecond

// annotate stores an event of kind about the message of in room, made by
// by, from the message's state now changed by change, and returns its
// id. If change reports no change, nothing is stored and annotate returns
// the message's current state's id and duplicate true. Writers about one
// message take turns: an event made from a state that is no longer the
// newest is made again, after a short random pause, until ctx ends (each
// conflict means another writer's event was stored: a fixed number of
// tries would fail people for no fault when many react at once).
// dedupeID makes a resent request store nothing new. The event an event
// replaces is erased, so that the room keeps only the first text of an
// edited message (the message itself) and the newest. It returns
// not_found for a message never said, deleted or removed.
func (h *Hub) annotate(ctx context.Context, room string, of uint64, kind string, by shared.Person, dedupeID string,
	change func(m *shared.Message) (bool, error)) (id uint64, dup bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	orig, err := h.stored(ctx, room, of, "this room")
	if err != nil {
		return 0, false, err
	}
	// Writers here take turns; compare-and-set settles races with other
	// servers.
	mu := &h.events[eventLock(room, of)]
	mu.Lock()
	defer mu.Unlock()
	for try := 0; ; try++ {
		if try > 0 {
			select {
			case <-ctx.Done():
				return 0, false, fmt.Errorf("store an event about message %d of #%s: others kept coming first: %w", of, room, ctx.Err())
			case <-time.After(rand.N(min(time.Duration(try)*2*time.Millisecond, eventPause))):
			}
		}
		m, err := h.current(ctx, orig)
		if err != nil {
			return 0, false, err
		}
		if m.Deleted && kind != shared.MessageDelete {
			return 0, false, shared.Errorf(shared.CodeNotFound, "message %d was deleted", of)
		}
		changed, err := change(&m)
		if err != nil || !changed {
			return m.Rev, true, err
		}
		e := m.State(kind)
		e.Author, e.From, e.At = by.ID, by.Nickname, h.now()
		id, dup, err := h.store.AppendEvent(ctx, e, m.Rev, dedupeID)
		if errors.Is(err, kv.ErrConflict) {
			continue
		}
		if err != nil {
			return 0, false, err
		}
		if prev := m.Rev; !dup && prev != 0 {
			h.later(func() {
				ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
				defer cancel()
				if err := h.store.Erase(ctx, room, prev); err != nil {
					h.log.Warn("erase an event replaced by a newer one", "room", room, "id", prev, "err", err)
				}
			})
		}
		return id, dup, nil
	}
}

// eventLock returns the index of the lock of Hub.events that the writers
// of events about the message of in room take.
func eventLock(room string, of uint64) int {
	h := fnv.New32a()
	h.Write([]byte(room))
	return int((h.Sum32() ^ uint32(of) ^ uint32(of>>32)) % eventLocks)
}

// eventLocks is how many locks Hub.events has.
const eventLocks = 64

// edit replaces the text of one of the sender's messages.
func (s *session) edit(ctx context.Context, env shared.Envelope) error {
	var req shared.Edit
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	at := s.hub.now()
	return s.change(ctx, env, req.Room, req.ID, shared.MessageEdit, "edit", shared.CheckText(req.Text),
		func(msg *shared.Message) (bool, error) {
			if msg.Author != s.you.ID {
				return false, shared.Errorf(shared.CodeForbidden, "you can edit only your own messages")
			}
			if msg.Text == req.Text {
				return false, nil
			}
			msg.Text, msg.Edited = req.Text, at
			return true, nil
		})
}

// react adds or removes the sender's reaction to a message.
func (s *session) react(ctx context.Context, env shared.Envelope) error {
	var req shared.React
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	return s.change(ctx, env, req.Room, req.ID, shared.MessageReact, "react to", shared.CheckEmoji(req.Emoji),
		func(msg *shared.Message) (bool, error) {
			return msg.React(s.person(), req.Emoji, req.Remove)
		})
}

// change answers env, a request to change the message id of room with an
// event of kind made by change, once the request is found valid (invalid
// is what checking its payload found): stored, it is acknowledged like a
// say, its envelope id the client id. doing names it for errors ("edit").
func (s *session) change(ctx context.Context, env shared.Envelope, room string, id uint64, kind, doing string, invalid error,
	change func(*shared.Message) (bool, error)) error {
	if err := shared.CheckID(env.ID); err != nil {
		return err
	}
	m, err := s.joined(ctx, room, doing+" a message there")
	if err != nil {
		return err
	}
	if invalid != nil {
		return invalid
	}
	if err := s.mayWrite(ctx, m.r.name, false); err != nil {
		return err
	}
	stored, dup, err := s.hub.annotate(ctx, m.r.name, id, kind, s.person(), s.you.ID+"\x00"+env.ID, change)
	if err != nil {
		return s.storeError(doing+" the message", err)
	}
	s.send(shared.TypeAck, "", shared.Ack{ClientID: env.ID, ID: stored, Duplicate: dup})
	return nil
}

// replyTo returns the quote of the message of room that a reply answers,
// or not_found.
func (h *Hub) replyTo(ctx context.Context, room string, of uint64) (*shared.Quote, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	m, err := h.stored(ctx, room, of, "this room")
	if err != nil {
		return nil, err
	}
	if m, err = h.current(ctx, m); err != nil {
		return nil, err
	}
	if m.Deleted {
		return nil, shared.Errorf(shared.CodeNotFound, "message %d was deleted", of)
	}
	named := []shared.Message{m}
	h.currentNames(ctx, named)
	return shared.QuoteOf(named[0]), nil
}

// current returns m, as stored, with the newest event about it folded
// on: its state now.
func (h *Hub) current(ctx context.Context, m shared.Message) (shared.Message, error) {
	last, ok, err := h.store.LastEvent(ctx, m.Room, m.ID)
	if ok {
		m.Fold(last)
	}
	return m, err
}

// replied counts the reply id on the message it answers. It runs off
// the request's path, after the reply is stored.
func (h *Hub) replied(reply shared.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	by := shared.Person{ID: reply.Author, Nickname: reply.From}
	_, _, err := h.annotate(ctx, reply.Room, reply.ReplyTo, shared.MessageReply, by, fmt.Sprintf("reply\x00%d", reply.ID),
		func(m *shared.Message) (bool, error) {
			m.Replies++
			return true, nil
		})
	var perr *shared.Error
	if err != nil && !errors.As(err, &perr) {
		h.log.Error("count a reply", "room", reply.Room, "message", reply.ReplyTo, "err", err)
	}
}

// fold folds onto the messages said among msgs (of room, in id order) the
// newest event about each, as stored now, and leaves out the events about
// messages from first on: they are folded onto them, or about messages
// that are gone. Events about older messages stay, for a client that has
// those (resuming after them).
func (h *Hub) fold(ctx context.Context, room string, msgs []shared.Message, first uint64) ([]shared.Message, error) {
	ids := make([]uint64, 0, len(msgs))
	for _, m := range msgs {
		if m.Kind == "" {
			ids = append(ids, m.ID)
			if m.ReplyTo != 0 {
				ids = append(ids, m.ReplyTo) // its quote goes if it was deleted
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 && !slices.ContainsFunc(msgs, func(m shared.Message) bool { return m.Of >= first }) {
		return msgs, nil
	}
	events, err := h.store.Events(ctx, room, ids)
	if err != nil {
		return nil, err
	}
	out := msgs[:0]
	for _, m := range msgs {
		switch {
		case m.Kind == "":
			if e, ok := events[m.ID]; ok {
				m.Fold(e)
			}
			if e, ok := events[m.ReplyTo]; ok && m.Quote != nil && (e.Deleted || e.Kind == shared.MessageDelete) {
				m.Quote = &shared.Quote{From: m.Quote.From} // nothing of a deleted text
			}
		case m.Of >= first:
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

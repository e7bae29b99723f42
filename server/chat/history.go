//go:build !js

package chat

import (
	"context"

	"livechat/shared"
)

// historyChunkBytes bounds the text carried by one History event, to stay
// well under shared.MaxServerFrameBytes; historyReadBatch is how many
// messages a join's catch-up reads from the store at a time.
const (
	historyChunkBytes = 256 << 10
	historyReadBatch  = 256
)

// catchUp queues for s what its join asks for, up to the message last, as
// History events; the last one is marked Live. It reads and queues a batch
// at a time, waiting while more than half of s's queue is full, so that a
// client resuming after a long absence gets all it missed at the pace it
// reads, and the server holds one batch of it at a time. n is how many
// recent messages a join without Since gets.
//
// It reads one message before the first one wanted: whether older ones
// exist shows in that one being there, and whether some were removed, in
// a missing first id.
func (h *Hub) catchUp(ctx context.Context, s *session, room string, j shared.Join, n int, last uint64) error {
	head := shared.History{Room: room}
	resume := j.Since != nil && *j.Since <= last
	var want uint64 // the first id wanted; none if want > last
	probe := true   // read the message before want, to learn head.More
	switch {
	case resume:
		// Everything after since.
		want = *j.Since + 1
	case n > 0:
		// Recent history, or, when the client knows ids this room never
		// had (its store was reset), recent history marked Reset.
		head.Reset = j.Since != nil
		want = max(last, uint64(n)) - uint64(n) + 1
	default:
		head.Reset = j.Since != nil
		want, probe = last+1, false
		head.More = last > 0
	}

	// Events about messages before want are for a client resuming, which
	// has those; a client joining without Since has none of them.
	keep := uint64(0)
	if resume {
		keep = want
	}
	out := newHistoryWriter(s, head)
	from := want
	if probe && want > 1 {
		from = want - 1
	}
	for first := true; from <= last; first = false {
		to := min(from+historyReadBatch-1, last)
		rctx, cancel := context.WithTimeout(ctx, storeTimeout)
		msgs, err := h.store.Range(rctx, room, from, to)
		cancel()
		if err != nil {
			return err
		}
		if first {
			probed := from < want && len(msgs) > 0 && msgs[0].ID == from
			if probed {
				out.head.More = true
				msgs = msgs[1:]
			}
			holey := resume && want <= last && (len(msgs) == 0 || msgs[0].ID > want)
			if holey || from < want && !probed {
				// A message missing there was removed by retention, or
				// erased (deleted by a moderator): only the room's
				// first id tells which.
				bctx, cancel := context.WithTimeout(ctx, storeTimeout)
				kept, _, err := h.store.Bounds(bctx, room)
				cancel()
				if err != nil {
					return err
				}
				out.head.More = kept < want
				out.head.Truncated = holey && kept > want
			}
		}
		fctx, cancel := context.WithTimeout(ctx, storeTimeout)
		msgs, err = h.fold(fctx, room, msgs, keep)
		cancel()
		if err != nil {
			return err
		}
		for _, m := range msgs {
			out.add(m)
		}
		from = to + 1
	}
	out.finish()
	return nil
}

// historyWriter splits a run of messages into History events of at most
// historyChunkBytes and queues them for a session, waiting for room in its
// queue before each.
type historyWriter struct {
	s    *session
	head shared.History // flags of the first event
	cur  shared.History
	size int
	sent bool // the first event went out
}

func newHistoryWriter(s *session, head shared.History) *historyWriter {
	return &historyWriter{s: s, head: head, cur: shared.History{Room: head.Room}}
}

func (w *historyWriter) add(m shared.Message) {
	cost := len(m.Text) + 256
	if m.Quote != nil {
		cost += len(m.Quote.Text) + len(m.Quote.From) + 32
	}
	for _, r := range m.Reactions {
		cost += len(r.Emoji) + 16
		for _, p := range r.People {
			cost += len(p.ID) + len(p.Nickname) + 32
		}
	}
	if w.size > 0 && w.size+cost > historyChunkBytes {
		w.flush(false)
	}
	w.cur.Messages = append(w.cur.Messages, m)
	w.size += cost
}

// finish queues the last event, marked Live.
func (w *historyWriter) finish() { w.flush(true) }

func (w *historyWriter) flush(live bool) {
	ev := w.cur
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	w.s.hub.currentNames(ctx, ev.Messages)
	cancel()
	if !w.sent {
		ev.More, ev.Truncated, ev.Reset = w.head.More, w.head.Truncated, w.head.Reset
		w.sent = true
	}
	if ev.Messages == nil {
		ev.Messages = []shared.Message{}
	}
	ev.Live = live
	w.s.out.waitRoom()
	w.s.send(shared.TypeHistory, "", ev)
	w.cur, w.size = shared.History{Room: w.head.Room}, 0
}

// page answers a history request: the messages just before req.Before.
func (h *Hub) page(ctx context.Context, room string, req shared.HistoryRequest, limit int) (shared.History, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	hist := shared.History{Room: room, Before: req.Before, Messages: []shared.Message{}}
	first, last, err := h.store.Bounds(ctx, room)
	if err != nil || req.Before <= first {
		return hist, err
	}
	before := min(req.Before, last+1)
	hist.More = before > first
	if limit == 0 {
		return hist, nil
	}
	// The client has everything newer: the events among these ids are
	// about messages it gets folded now or got already, and are left
	// out. Ids taken by events, or erased, are read past, a window at a
	// time (wider while windows come back nearly empty), until limit
	// messages are found, or the room's first id, or, after reading
	// pageScan records that are all events, the page holds the oldest
	// of them alone, for the client to ask again before it.
	var found []shared.Message
	from, oldest, read := before, uint64(0), 0
	window := uint64(limit)
	for len(found) < limit && from > first {
		to := from - 1
		from = first
		if to+1-first > window {
			from = to + 1 - window
		}
		msgs, err := h.store.Range(ctx, room, from, to)
		if err != nil {
			return hist, err
		}
		if len(msgs) > 0 {
			oldest = msgs[0].ID
		}
		read += len(msgs)
		if len(msgs) < limit/2+1 {
			window = min(2*window, maxPageWindow)
		}
		older, err := h.fold(ctx, room, msgs, 0)
		if err != nil {
			return hist, err
		}
		found = append(older, found...)
		if len(found) == 0 && read >= max(8*limit, pageScan) {
			marker, err := h.store.Range(ctx, room, oldest, oldest)
			if err != nil {
				return hist, err
			}
			found, from = marker, oldest
			break
		}
	}
	if len(found) > limit {
		found = found[len(found)-limit:]
		from = found[0].ID
	}
	if len(found) > 0 {
		hist.Messages = found
	}
	hist.More = from > first
	return hist, nil
}

// A history page reads windows of at most maxPageWindow ids, and gives up
// looking for a message after pageScan records (or 8 pages' worth) that
// were all events.
const (
	maxPageWindow = 4096
	pageScan      = 256
)

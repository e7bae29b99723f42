//go:build !js

package chat

import (
	"context"
	"time"

	"livechat/shared"
)

// deliver fans stored messages out to the room's members, in id order:
// repeats are dropped, and gaps (messages the live feed skipped) are read
// back from the store first, without holding the room's lock. If a gap
// cannot be read even after retrying, nobody may silently miss it: the
// members are told to reconnect, which resumes each of them exactly.
func (h *Hub) deliver(r *room, ms []shared.Message) {
	r.feed.Lock()
	defer r.feed.Unlock()
	r.mu.Lock()
	if !r.ready {
		r.early = append(r.early, ms...)
		r.mu.Unlock()
		return
	}
	last := r.last
	r.mu.Unlock()

	ms, rest, err := h.fillGaps(r, last, ms)
	r.mu.Lock()
	defer r.mu.Unlock()
	h.deliverLocked(r, ms)
	if err != nil {
		h.resync(r, rest, err)
	}
}

// gapRetries are the waits between attempts to read a gap.
var gapRetries = []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}

// fillGaps returns ms in order after last without repeats, with the
// messages missing between them read from the store. If a gap cannot be
// read, it returns the messages before it, the rest, and the error.
func (h *Hub) fillGaps(r *room, last uint64, ms []shared.Message) (ok, rest []shared.Message, err error) {
	if contiguous(last, ms) {
		return ms, nil, nil
	}
	ok = make([]shared.Message, 0, len(ms))
	prev := last
	for i, m := range ms {
		if m.ID <= prev {
			continue
		}
		if m.ID > prev+1 {
			missed, err := h.readGap(r, prev+1, m.ID-1)
			if err != nil {
				return ok, ms[i:], err
			}
			ok = append(ok, missed...)
		}
		ok = append(ok, m)
		prev = m.ID
	}
	return ok, nil, nil
}

// contiguous reports whether ms are the messages right after last, in
// order, with no gap and no repeat: the usual case.
func contiguous(last uint64, ms []shared.Message) bool {
	for _, m := range ms {
		if m.ID != last+1 {
			return false
		}
		last = m.ID
	}
	return true
}

// readGap reads the messages from..to, retrying a failing store a few
// times.
func (h *Hub) readGap(r *room, from, to uint64) ([]shared.Message, error) {
	var err error
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		var missed []shared.Message
		missed, err = h.store.Range(ctx, r.name, from, to)
		cancel()
		if err == nil {
			return missed, nil
		}
		if attempt == len(gapRetries) || h.closing.Load() {
			return nil, err
		}
		h.log.Warn("read missed messages; retrying", "room", r.name, "from", from, "to", to, "err", err)
		time.Sleep(gapRetries[attempt])
	}
}

// resync gives up on delivering a gap: every member is told to reconnect
// (status 1013) once what was queued for them is written, which resumes
// each of them from their last message, and the room goes on after ms.
// The caller holds r.mu.
func (h *Hub) resync(r *room, ms []shared.Message, err error) {
	h.log.Error("missed messages cannot be read; members must resume", "room", r.name, "connections", len(r.conns), "err", err)
	again := newCloseFrame(shared.StatusTryAgain, "some messages could not be read; reconnect to get them")
	for m := range r.conns {
		m.s.stop(again)
	}
	for _, m := range ms {
		r.last = max(r.last, m.ID)
	}
}

// deliverLocked encodes each new message once and queues them all for
// every member at once, and reports them to the metrics once for all.
// ms is in id order with no gap after r.last. The caller holds r.mu.
func (h *Hub) deliverLocked(r *room, ms []shared.Message) {
	frames, n := make([][]byte, 0, len(ms)), 0
	var oldest time.Time
	for _, m := range ms {
		if m.ID <= r.last {
			continue
		}
		if !m.At.IsZero() && (oldest.IsZero() || m.At.Before(oldest)) {
			oldest = m.At
		}
		frame, err := shared.Encode(shared.TypeMessage, "", m)
		if err != nil {
			h.log.Error("encode message", "room", r.name, "err", err)
			continue
		}
		frames, n = append(frames, frame), n+len(frame)
		r.last = m.ID
		if m.Kind == "" {
			r.said(m.Author) // on every server: their typing ends with it
		}
	}
	if len(frames) == 0 {
		return
	}
	r.flushPresence(h) // keep presence and messages in order
	for m := range r.conns {
		m.pushLive(n, frames...)
	}
	latency := time.Duration(-1) // unknown: no message says when it was sent
	if !oldest.IsZero() {
		latency = max(h.cfg.Now().Sub(oldest), 0) // another server's clock may be ahead
	}
	h.cfg.Metrics.Delivered(len(frames), len(r.conns), latency)
}

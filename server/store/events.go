//go:build !js

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"livechat/server/kv"
	"livechat/shared"
)

// Events about messages (edits, reactions, reply counts, deletions: the
// kinds shared.Folded knows) are stored in the room's stream like any
// message, in the room's order, each on a subject of its own message,
// livechat.msg.<room>.<of>. Each carries the whole state of its message
// after it, so the newest event of a message is its current state:
// JetStream's last message of that subject. Writers take turns with
// JetStream's expected last subject sequence: an event is stored only if
// the one it was made from is still the newest (see AppendEvent).

// ErrConflict is returned by AppendEvent when another event about the
// message was stored after the one given as prev: read it and try again.
// It is kv.ErrConflict, which the chat package knows.
var ErrConflict = kv.ErrConflict

// LastEvent returns the newest event about the message of in room, or ok
// false if it has none.
func (s *Store) LastEvent(ctx context.Context, room string, of uint64) (e shared.Message, ok bool, err error) {
	events, err := s.Events(ctx, room, []uint64{of})
	if err != nil {
		return shared.Message{}, false, err
	}
	e, ok = events[of]
	return e, ok, nil
}

// AppendEvent stores e, an event about the message e.Of, if the newest
// event about that message is still prev (0: it has none), and returns
// its id; else it returns ErrConflict. dedupeID works as for Append.
func (s *Store) AppendEvent(ctx context.Context, e shared.Message, prev uint64, dedupeID string) (id uint64, duplicate bool, err error) {
	if !shared.Folded(e.Kind) || e.Of == 0 {
		return 0, false, fmt.Errorf("store an event of kind %q about %d: not an event about a message", e.Kind, e.Of)
	}
	msg, err := newMsg(e, dedupeID)
	if err != nil {
		return 0, false, err
	}
	msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(prev, 10))
	if err := s.ensureKnown(e.Room); err != nil {
		return 0, false, err
	}
	ack, err := s.js.PublishMsg(ctx, msg)
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
		return 0, false, ErrConflict
	}
	if err != nil {
		s.failed(e.Room, err)
		return 0, false, fmt.Errorf("store an event about message %d of #%s: %w", e.Of, e.Room, err)
	}
	if err := s.ensureDurable(e.Room, ack.Sequence); err != nil {
		return 0, false, err
	}
	return ack.Sequence, ack.Duplicate, nil
}

// maxEventsAsked is how many messages one Events request asks about; the
// stream answers at most 1,024 at once.
const maxEventsAsked = 256

// Events returns the newest event about each of the messages ids of room
// that have one, by message id: their current state, to fold onto them.
func (s *Store) Events(ctx context.Context, room string, ids []uint64) (map[uint64]shared.Message, error) {
	out := make(map[uint64]shared.Message)
	for len(ids) > 0 {
		n := min(len(ids), maxEventsAsked)
		err := s.lastEvents(ctx, room, ids[:n], out)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// lastEvents asks the stream for the last message of each event subject
// of ids, in one direct get, and adds them to out.
func (s *Store) lastEvents(ctx context.Context, room string, ids []uint64, out map[uint64]shared.Message) error {
	subjects := make([]string, len(ids))
	for i, id := range ids {
		subjects[i] = eventSubject(room, id)
	}
	req, _ := json.Marshal(struct {
		MultiLast []string `json:"multi_last"`
		Batch     int      `json:"batch"`
	}{subjects, len(ids)})
	_, err := s.direct(ctx, streamName(room), "#"+room, req, func(msg *nats.Msg) error {
		e, err := decode(room, msg)
		if err != nil {
			return err
		}
		if shared.Folded(e.Kind) {
			out[e.Of] = e
		}
		return nil
	})
	return err
}

// CountSaid returns how many messages said (not events about them) room
// keeps after the id after: what a reader who read up to it has not.
func (s *Store) CountSaid(ctx context.Context, room string, after uint64) (int, error) {
	req, _ := json.Marshal(struct {
		Seq     uint64 `json:"seq"`
		Batch   int    `json:"batch"`
		Subject string `json:"next_by_subj"`
	}{after + 1, 1, msgSubject(room)})
	n := 0
	_, err := s.direct(ctx, streamName(room), "#"+room, req, func(msg *nats.Msg) error {
		pending, err := strconv.Atoi(msg.Header.Get("Nats-Num-Pending"))
		if err != nil {
			return fmt.Errorf("count the messages of #%s: %w", room, err)
		}
		n = pending + 1
		return nil
	})
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return 0, nil
	}
	return n, err
}

//go:build !js

package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Retention keeps the store within its bounds: every room within
// Config.RoomBytes, and all of them within Config.MaxStore, by removing
// the oldest messages (of the biggest rooms first, when the total is
// over), so that a full store drops old messages rather than refusing new
// ones. It also removes the streams of rooms that have had no messages
// for Config.EmptyRoomAfter and are not open on this server; such a room's
// numbering goes on where it stopped when someone writes in it again.
//
// A client that resumes after messages it had not seen were removed is
// told so (shared.History.Truncated), as with any removal.

// retiredBucket keeps the last message id of each room whose stream was
// removed, so that a new stream for it continues the numbering.
const retiredBucket = "livechat_retired"

// The fractions of a bound trimming aims at: a room over RoomBytes is
// trimmed to 90% of it; a store over 90% of MaxStore, to 80%.
const (
	roomTrimTo  = 0.9
	totalHigh   = 0.9
	totalTrimTo = 0.8
)

// RoomUsage is what one room's stream holds.
type RoomUsage struct {
	Room     string
	Messages uint64
	Bytes    uint64
	// First and Last are the ids of the oldest and newest messages kept
	// (First is Last+1 when there are none).
	First, Last uint64
	// Active is when the room last had a message written (or its
	// stream was made).
	Active time.Time
}

// RoomUsages returns the rooms that have a stream, and what each holds.
func (s *Store) RoomUsages(ctx context.Context) ([]RoomUsage, error) {
	lister := s.js.ListStreams(ctx, jetstream.WithStreamListSubject(msgSubject("*")))
	var rooms []RoomUsage
	for info := range lister.Info() {
		room, ok := strings.CutPrefix(info.Config.Name, roomStreamPrefix)
		if !ok {
			continue
		}
		st := info.State
		active := st.LastTime
		if active.Before(info.Created) {
			active = info.Created
		}
		first := st.FirstSeq
		if st.Msgs == 0 {
			first = st.LastSeq + 1
		}
		rooms = append(rooms, RoomUsage{Room: room, Messages: st.Msgs, Bytes: st.Bytes, First: first, Last: st.LastSeq, Active: active})
	}
	if err := lister.Err(); err != nil {
		return nil, fmt.Errorf("list rooms: %w", err)
	}
	return rooms, nil
}

// Used returns the bytes the store's messages and records take.
func (s *Store) Used(ctx context.Context) (uint64, error) {
	info, err := s.js.AccountInfo(ctx)
	if err != nil {
		return 0, fmt.Errorf("message store usage: %w", err)
	}
	return info.Store, nil
}

// TrimReport says what a Trim removed.
type TrimReport struct {
	// Trimmed are the messages removed from each room.
	Trimmed map[string]uint64
	// Retired are the rooms whose empty streams were removed.
	Retired []string
}

// Trim brings the store within its bounds now (see Retention). The store
// also trims on its own, every Config.TrimInterval and whenever a message
// could not be stored for lack of room.
func (s *Store) Trim(ctx context.Context) (TrimReport, error) {
	s.trimMu.Lock()
	defer s.trimMu.Unlock()
	report := TrimReport{Trimmed: make(map[string]uint64)}
	rooms, err := s.RoomUsages(ctx)
	if err != nil {
		return report, err
	}
	var errs []error
	purge := func(r *RoomUsage, keep uint64) {
		if keep >= r.Messages {
			return
		}
		st, err := s.js.Stream(ctx, streamName(r.Room))
		if err == nil {
			err = st.Purge(ctx, jetstream.WithPurgeKeep(keep))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("trim #%s: %w", r.Room, err))
			return
		}
		removed := r.Messages - keep
		report.Trimmed[r.Room] += removed
		r.Bytes = uint64(float64(r.Bytes) * float64(keep) / float64(r.Messages))
		r.First += removed
		r.Messages = keep
	}

	// Each room within its own bound.
	limit := uint64(s.cfg.RoomBytes)
	for i := range rooms {
		if r := &rooms[i]; r.Bytes > limit && r.Messages > 0 {
			purge(r, uint64(float64(r.Messages)*roomTrimTo*float64(limit)/float64(r.Bytes)))
		}
	}

	// All of them within the store's: halve the biggest rooms, oldest
	// messages first, until the estimate is low enough.
	used, err := s.Used(ctx)
	if err != nil {
		return report, errors.Join(append(errs, err)...)
	}
	total := float64(s.cfg.MaxStore)
	if float64(used) > totalHigh*total {
		need := float64(used) - totalTrimTo*total
		slices.SortFunc(rooms, func(a, b RoomUsage) int { return cmp.Compare(b.Bytes, a.Bytes) })
		for i := 0; need > 0 && i < len(rooms); i++ {
			r := &rooms[i]
			for need > 0 && r.Messages > 1 {
				before := r.Bytes
				purge(r, r.Messages/2)
				if r.Bytes == before {
					break // the purge failed
				}
				need -= float64(before - r.Bytes)
			}
		}
		s.log.Warn("message store nearly full: removed the oldest messages of its biggest rooms", "used_bytes", used, "max_bytes", s.cfg.MaxStore)
	}

	// Rooms long empty and open nowhere here give their streams back.
	now := time.Now()
	for _, r := range rooms {
		if r.Messages > 0 || now.Sub(r.Active) < s.cfg.EmptyRoomAfter || s.subscribed(r.Room) {
			continue
		}
		if err := s.retire(ctx, r.Room, r.Last); err != nil {
			errs = append(errs, err)
			continue
		}
		report.Retired = append(report.Retired, r.Room)
	}
	for room, n := range report.Trimmed {
		s.log.Info("removed the oldest messages of a room", "room", room, "messages", n)
	}
	return report, errors.Join(errs...)
}

// retire removes the stream of room, whose last message id was last,
// keeping last so that a new stream goes on from it.
func (s *Store) retire(ctx context.Context, room string, last uint64) error {
	if last > 0 {
		b, err := s.retired(ctx)
		if err != nil {
			return err
		}
		if _, err := b.kv.Put(ctx, room, []byte(strconv.FormatUint(last, 10))); err != nil {
			return fmt.Errorf("retire #%s: keep its last id: %w", room, err)
		}
	}
	s.forgetStream(room)
	if err := s.js.DeleteStream(ctx, streamName(room)); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("retire #%s: %w", room, err)
	}
	s.log.Info("removed the stream of a room long empty", "room", room, "last_id", last)
	return nil
}

// retiredLast returns the last message id of room when its stream was
// removed, or 0.
func (s *Store) retiredLast(ctx context.Context, room string) (uint64, error) {
	b, err := s.retired(ctx)
	if err != nil {
		return 0, err
	}
	e, err := b.kv.Get(ctx, room)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last id of #%s: %w", room, err)
	}
	last, err := strconv.ParseUint(string(e.Value()), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("last id of #%s: %q: %w", room, e.Value(), err)
	}
	return last, nil
}

// retired returns the bucket of retiredBucket, opening it once.
func (s *Store) retired(ctx context.Context) (*Bucket, error) {
	s.mu.Lock()
	b := s.retiredKV
	s.mu.Unlock()
	if b != nil {
		return b, nil
	}
	b, err := s.Bucket(ctx, retiredBucket)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.retiredKV = b
	s.mu.Unlock()
	return b, nil
}

// subscribed reports whether room is open here: Subscribe was called for
// it and not stopped.
func (s *Store) subscribed(room string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subscribers[room] > 0
}

// trimLoop trims every TrimInterval, and when trimSoon is called, until
// Close.
func (s *Store) trimLoop() {
	defer close(s.trimDone)
	t := time.NewTicker(s.cfg.TrimInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ackStop:
			return
		case <-t.C:
		case <-s.trimWake:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if _, err := s.Trim(ctx); err != nil {
			s.log.Error("keep the message store within its bounds", "err", err)
		}
		cancel()
	}
}

// trimSoon asks trimLoop to trim now: a message could not be stored for
// lack of room.
func (s *Store) trimSoon() {
	select {
	case s.trimWake <- struct{}{}:
	default:
	}
}

// isFull reports whether err says the store has no room left.
func isFull(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == 10023 || apiErr.ErrorCode == 10047 || apiErr.ErrorCode == 10028) {
		return true // insufficient (storage) resources; maximum bytes exceeded
	}
	return err != nil && strings.Contains(err.Error(), "resources exceeded")
}

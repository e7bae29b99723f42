//go:build !js

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"livechat/shared"
)

// The audit log of moderation is one stream for all rooms, with a subject
// per room (and one for what concerns the whole server), so that a room's
// owner can read the entries of their room.
const (
	auditStream        = "LIVECHAT_AUDIT"
	auditSubjectPrefix = "livechat.audit."
	// auditServerToken is the subject token of entries without a room;
	// no room name starts with "_".
	auditServerToken = "_"
	// maxAuditEntryBytes bounds one entry (a reason has at most
	// shared.MaxReasonChars characters).
	maxAuditEntryBytes = 8 << 10
)

// AuditConfig bounds the audit log. The zero value of each field selects
// the default in its comment.
type AuditConfig struct {
	// MaxBytes bounds the log on disk; past it, the oldest entries go.
	// Default: 64 MiB (some 200,000 entries).
	MaxBytes int64
	// MaxAge removes entries older than this. Default: 400 days.
	MaxAge time.Duration
}

// Audit is the append-only log of moderation actions, a JetStream stream
// (LIVECHAT_AUDIT, file storage) shared by every server on the same NATS.
// An entry's id is its stream sequence: ids increase, and only the oldest
// entries are ever removed (by the bounds of AuditConfig). Safe for
// concurrent use.
type Audit struct {
	s *Store
}

// Audit opens the audit log, creating its stream or updating its bounds.
func (s *Store) Audit(ctx context.Context, cfg AuditConfig) (*Audit, error) {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 64 << 20
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 400 * 24 * time.Hour
	}
	_, err := s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        auditStream,
		Description: "livechat moderation audit log",
		Subjects:    []string{auditSubjectPrefix + ">"},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxBytes:    cfg.MaxBytes,
		MaxAge:      cfg.MaxAge,
		MaxMsgSize:  maxAuditEntryBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    s.cfg.Replicas,
		AllowDirect: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open the audit log on %s: %w", s.where(), err)
	}
	return &Audit{s: s}, nil
}

func auditSubject(room string) string {
	if room == "" {
		return auditSubjectPrefix + auditServerToken
	}
	return auditSubjectPrefix + room
}

// Append records e and returns it with its id, once it is stored (and,
// with the embedded server, on disk).
func (a *Audit) Append(ctx context.Context, e shared.AuditEntry) (shared.AuditEntry, error) {
	e.ID = 0
	data, err := json.Marshal(e)
	if err != nil {
		return e, fmt.Errorf("encode audit entry: %w", err)
	}
	ack, err := a.s.js.Publish(ctx, auditSubject(e.Room), data)
	if err != nil {
		return e, fmt.Errorf("append to the audit log: %w", err)
	}
	if a.s.durable != nil {
		if err := a.s.durable.ensure(auditStream, ack.Sequence); err != nil {
			return e, fmt.Errorf("append to the audit log: %w", err)
		}
	}
	e.ID = ack.Sequence
	return e, nil
}

// Read returns up to limit entries before the id before (0: the newest),
// newest first, and whether older ones exist; with room set, only the
// entries about that room. Reading a room's entries passes over all of
// them (JetStream filters by subject, forwards only): the log of one room
// is small.
func (a *Audit) Read(ctx context.Context, room string, before uint64, limit int) (entries []shared.AuditEntry, more bool, err error) {
	st, err := a.s.js.Stream(ctx, auditStream)
	if err != nil {
		return nil, false, fmt.Errorf("read the audit log: %w", err)
	}
	info := st.CachedInfo() // as Stream just read it
	first, last := info.State.FirstSeq, info.State.LastSeq
	if info.State.Msgs == 0 || limit <= 0 {
		return []shared.AuditEntry{}, false, nil
	}
	end := last // the newest id wanted
	if before != 0 {
		if before <= first {
			return []shared.AuditEntry{}, false, nil
		}
		end = min(before-1, last)
	}
	if room == "" {
		// Only the oldest entries are removed: first..last has no gap.
		from := first
		if end-first+1 > uint64(limit) {
			from = end - uint64(limit) + 1
		}
		for seq := from; seq <= end; {
			msgs, err := a.s.directBatch(ctx, auditStream, seq, int(min(end-seq+1, rangeBatch)), "")
			if err != nil {
				return nil, false, err
			}
			for _, m := range msgs {
				if m.seq <= end {
					entries = append(entries, m.entry)
				}
				seq = m.seq + 1
			}
			if len(msgs) == 0 {
				break
			}
		}
		slices.Reverse(entries)
		return entries, from > first, nil
	}
	// A room's entries: the newest limit of those up to end, and whether
	// there was one more.
	var kept []shared.AuditEntry
	for seq := first; seq <= end; {
		msgs, err := a.s.directBatch(ctx, auditStream, seq, rangeBatch, auditSubject(room))
		if err != nil {
			return nil, false, err
		}
		for _, m := range msgs {
			if m.seq > end {
				seq = end + 1
				break
			}
			kept = append(kept, m.entry)
			if len(kept) > limit {
				kept, more = kept[1:], true
			}
			seq = m.seq + 1
		}
		if len(msgs) == 0 {
			break
		}
	}
	slices.Reverse(kept)
	if kept == nil {
		kept = []shared.AuditEntry{}
	}
	return kept, more, nil
}

// auditMsg is an entry read back, with its sequence.
type auditMsg struct {
	seq   uint64
	entry shared.AuditEntry
}

// directBatch reads up to batch entries of the stream from seq on, those
// of subject only if it is set.
func (s *Store) directBatch(ctx context.Context, stream string, seq uint64, batch int, subject string) ([]auditMsg, error) {
	req, _ := json.Marshal(struct {
		Seq     uint64 `json:"seq"`
		Batch   int    `json:"batch"`
		Subject string `json:"next_by_subj,omitempty"`
	}{seq, batch, subject})
	var out []auditMsg
	_, err := s.direct(ctx, stream, stream, req, func(msg *nats.Msg) error {
		m, err := decodeAudit(msg)
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("from %d: %w", seq, err)
	}
	return out, nil
}

func decodeAudit(msg *nats.Msg) (auditMsg, error) {
	seq, err := strconv.ParseUint(msg.Header.Get("Nats-Sequence"), 10, 64)
	if err != nil {
		return auditMsg{}, errors.New("an audit entry without a sequence")
	}
	var e shared.AuditEntry
	if err := json.Unmarshal(msg.Data, &e); err != nil {
		return auditMsg{}, fmt.Errorf("audit entry %d: %w", seq, err)
	}
	e.ID = seq
	return auditMsg{seq, e}, nil
}

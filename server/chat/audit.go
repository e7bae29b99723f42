//go:build !js

package chat

import (
	"context"

	"livechat/shared"
)

// AuditLog keeps the record of moderation actions; *store.Audit is the
// one livechat uses.
type AuditLog interface {
	// Append records e and returns it with its id.
	Append(ctx context.Context, e shared.AuditEntry) (shared.AuditEntry, error)
	// Read returns up to limit entries before the id before (0: the
	// newest), newest first, those of room only if it is set, and whether
	// older ones exist.
	Read(ctx context.Context, room string, before uint64, limit int) ([]shared.AuditEntry, bool, error)
}

// record writes the audit entry of an action of s, with its time and
// actor, to the audit log and the server's log. An action whose entry
// cannot be written is answered with an error (it was done, and may be
// done again).
func (s *session) record(ctx context.Context, e shared.AuditEntry) (shared.AuditEntry, error) {
	h := s.hub
	e.At, e.Actor = h.now(), s.person()
	attrs := []any{"action", e.Action, "room", e.Room, "message", e.Message, "address", e.Address, "seconds", e.Seconds}
	if e.Target != nil {
		attrs = append(attrs, "target", e.Target.ID)
	}
	if h.audit != nil {
		var err error
		if e, err = h.audit.Append(ctx, e); err != nil {
			s.log.Error("record a moderation action", append(attrs, "err", err)...)
			return e, shared.Errorf(shared.CodeInternal, "this was done but could not be recorded in the audit log; do it again")
		}
	}
	s.log.Info("moderation", append(attrs, "entry", e.ID)...)
	return e, nil
}

// audit answers an audit request: the whole log for an admin, a room's
// entries for its owner too (without the reports, which are the admins').
func (s *session) audit(ctx context.Context, env shared.Envelope) error {
	var req shared.AuditRequest
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	limit, err := shared.AuditLimit(req.Limit)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	switch {
	case req.Room != "":
		rec, err := s.roomNamed(ctx, req.Room)
		if err != nil {
			return err
		}
		if !s.moderates(rec) {
			return shared.Errorf(shared.CodeForbidden, "only the owner of %s and the admins read its audit log", rec.Label())
		}
		req.Room = rec.ID
	case !s.admin:
		return shared.Errorf(shared.CodeForbidden, "only the admins read the whole audit log: name a room you own")
	}
	page := shared.Audit{Room: req.Room, Entries: []shared.AuditEntry{}}
	if s.hub.audit != nil {
		entries, more, err := s.hub.audit.Read(ctx, req.Room, req.Before, limit)
		if err != nil {
			return s.storeError("read the audit log", err)
		}
		for _, e := range entries {
			if s.admin || e.Action != shared.ActionReport {
				page.Entries = append(page.Entries, e)
			}
		}
		page.More = more
	}
	s.send(shared.TypeAuditLog, env.ID, page)
	return nil
}

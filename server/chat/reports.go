//go:build !js

package chat

import (
	"context"

	roomdir "livechat/server/room"
	"livechat/shared"
)

// Reports: anyone who can read a message may report it to the admins,
// who list the open reports and close them, dismissed or with the message
// deleted. Room owners do not see reports: a report may be about them.

func (s *session) report(ctx context.Context, env shared.Envelope) error {
	var req shared.Report
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	if err := shared.CheckReason(req.Reason, true); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if req.Room == "" {
		return shared.Errorf(shared.CodeInvalidRequest, "name the room")
	}
	if _, err := shared.CheckRoom(req.Room); err != nil {
		return err
	}
	h := s.hub
	rec, err := h.dir.Visible(ctx, req.Room, s.you.ID)
	if err != nil {
		return s.storeError("find the room", err)
	}
	m, err := h.message(ctx, rec, req.ID)
	if err != nil {
		return s.storeError("find the message", err)
	}
	if m.Author == s.you.ID {
		return shared.Errorf(shared.CodeInvalidRequest, "this message is yours: delete it rather than report it")
	}
	r := roomdir.Report{Room: rec.ID, Message: m.ID, Reporter: s.you.ID, Reason: req.Reason, At: h.now()}
	if err := h.dir.AddReport(ctx, r); err != nil {
		return s.storeError("report the message", err)
	}
	return s.done(ctx, env, shared.AuditEntry{Action: shared.ActionReport, Room: rec.ID, Target: h.author(ctx, m), Message: m.ID, Reason: req.Reason})
}

func (s *session) reports(ctx context.Context, env shared.Envelope) error {
	if !s.admin {
		return shared.Errorf(shared.CodeForbidden, "only the admins see the reports")
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	h := s.hub
	open, err := h.dir.Reports(ctx)
	if err != nil {
		return s.storeError("list the reports", err)
	}
	list := shared.Reports{Reports: make([]shared.ReportInfo, 0, len(open))}
	for _, r := range open {
		info := shared.ReportInfo{ID: r.ID(), Room: r.Room, Reason: r.Reason, At: r.At, Reporter: shared.Person{ID: r.Reporter}}
		if acct, err := h.accounts.Get(ctx, r.Reporter); err == nil {
			info.Reporter.Nickname = acct.Nickname
		}
		m, err := h.message(ctx, roomdir.Room{ID: r.Room}, r.Message)
		switch {
		case isNotFound(err):
			info.Message, info.Gone = shared.Message{ID: r.Message, Room: r.Room}, true
		case err != nil:
			return s.storeError("read the reported messages", err)
		default:
			info.Message = m
		}
		list.Reports = append(list.Reports, info)
	}
	msgs := make([]shared.Message, len(list.Reports))
	for i, r := range list.Reports {
		msgs[i] = r.Message
	}
	h.currentNames(ctx, msgs)
	for i := range list.Reports {
		list.Reports[i].Message.From = msgs[i].From
	}
	s.send(shared.TypeReportsList, env.ID, list)
	return nil
}

func (s *session) resolveReport(ctx context.Context, env shared.Envelope) error {
	var req shared.ResolveReport
	if err := env.DecodePayload(&req); err != nil {
		return err
	}
	if !s.admin {
		return shared.Errorf(shared.CodeForbidden, "only the admins resolve reports")
	}
	if req.Action != shared.ResolveDismiss && req.Action != shared.ResolveDelete {
		return shared.Errorf(shared.CodeInvalidRequest, "a report is resolved with %q or %q, not %q", shared.ResolveDismiss, shared.ResolveDelete, req.Action)
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	h := s.hub
	r, err := h.dir.GetReport(ctx, req.ID)
	if err != nil {
		return s.storeError("find the report", err)
	}
	rec, err := h.dir.Get(ctx, r.Room)
	if isNotFound(err) {
		rec = roomdir.Room{ID: r.Room, Kind: roomdir.Public} // deleted since
	} else if err != nil {
		return s.storeError("find the room", err)
	}
	m, err := h.message(ctx, rec, r.Message)
	if err != nil && !isNotFound(err) {
		return s.storeError("find the message", err)
	}
	if req.Action == shared.ResolveDelete && err == nil {
		if err := h.deleteMessage(ctx, s.person(), rec.ID, m); err != nil {
			return err
		}
		return s.done(ctx, env, shared.AuditEntry{Action: shared.ActionDelete, Room: r.Room, Target: h.author(ctx, m), Message: m.ID, Reason: "reported: " + r.Reason})
	}
	// Dismissed, or the message is gone already: the report is closed.
	if req.Action == shared.ResolveDelete {
		err = h.dir.CloseReports(ctx, r.Room, r.Message)
	} else {
		err = h.dir.CloseReport(ctx, r)
	}
	if err != nil {
		return s.storeError("close the report", err)
	}
	reporter := &shared.Person{ID: r.Reporter}
	if acct, err := h.accounts.Get(ctx, r.Reporter); err == nil {
		reporter = person(acct)
	}
	return s.done(ctx, env, shared.AuditEntry{Action: shared.ActionDismissReport, Room: r.Room, Target: reporter, Message: r.Message, Reason: r.Reason})
}

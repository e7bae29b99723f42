package app

import (
	"slices"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// The page's side of moderation: what it shows (the dialogs, one at a
// time, and a notice line), the requests it sends, and the events that
// answer them.

// The moderation dialogs of the page.
const (
	dialogReport = "report" // report a message
	dialogPerson = "person" // mute, remove or ban someone
	dialogRoom   = "room"   // lock the room, its slow mode
	dialogAdmin  = "admin"  // reports and the audit log
)

// modState is what the page shows of moderation.
type modState struct {
	// admin: the reader administers the server (from the welcome).
	admin bool
	// dialog is the dialog open ("" none); request, the id of the last
	// moderation request, whose answer shows as status (or err) in that
	// dialog, or as the notice when none is open.
	dialog      string
	request     string
	status, err string
	notice      string
	noticeError bool
	// The message reported (in reportRoom), or the person moderated.
	report     Entry
	reportRoom string
	person     string
	// The admin panel: its view, the room of an owner's audit log, the
	// reports and the audit entries listed; auditRequest is the request
	// for older entries, whose answer adds to the list.
	adminView    string
	adminRoom    string
	reports      []shared.ReportInfo
	reportsIn    bool
	audit        []shared.AuditEntry
	auditIn      bool
	auditMore    bool
	auditRequest string
}

// moderator reports whether the reader moderates the room shown.
func (p *Page) moderator() bool {
	return moderates(p.rooms.current().Info, p.reader(), p.mod.admin)
}

// sendModeration sends a moderation request; its answer or error shows
// where it was made.
func (p *Page) sendModeration(ctx app.Context, typ shared.Type, payload any) string {
	p.mod.request, p.mod.status, p.mod.err = NewMessageID(), "", ""
	if p.client == nil || p.client.Send(ctx, typ, p.mod.request, payload) != nil {
		p.moderationFailed("Not connected: try again once online.")
	}
	return p.mod.request
}

// moderationFailed shows why a moderation request failed: in its dialog,
// or as the notice.
func (p *Page) moderationFailed(msg string) {
	if p.mod.dialog != "" {
		p.mod.err = msg
		return
	}
	p.mod.notice, p.mod.noticeError = msg, true
}

// closeModeration closes the dialog open, and moves the focus back.
func (p *Page) closeModeration(ctx app.Context) {
	back := map[string]string{dialogRoom: "room-settings", dialogAdmin: "account"}[p.mod.dialog]
	p.mod.dialog, p.mod.status, p.mod.err = "", "", ""
	if back != "" {
		ctx.Defer(func(app.Context) { focus(back) })
	}
}

// deleteMessage deletes the message id of the room shown.
func (p *Page) deleteMessage(ctx app.Context, id uint64) {
	p.sendModeration(ctx, shared.TypeDelete, shared.Delete{Room: p.rooms.Current, ID: id})
}

// reportMessage opens the report dialog for the message id of the room
// shown.
func (p *Page) reportMessage(ctx app.Context, id uint64) {
	c := p.rooms.current()
	i := slices.IndexFunc(c.Entries, func(e Entry) bool { return e.Kind == EntryMessage && e.ID == id })
	if i < 0 {
		return
	}
	p.mod.dialog, p.mod.report, p.mod.reportRoom, p.mod.err, p.mod.status = dialogReport, c.Entries[i], p.rooms.Current, "", ""
}

func (p *Page) submitReport(ctx app.Context, reason string) {
	p.sendModeration(ctx, shared.TypeReport, shared.Report{Room: p.mod.reportRoom, ID: p.mod.report.ID, Reason: reason})
}

// moderatePerson opens what may be done to the person called nickname in
// the room shown.
func (p *Page) moderatePerson(ctx app.Context, nickname string) {
	p.mod.dialog, p.mod.person, p.mod.err, p.mod.status = dialogPerson, nickname, "", ""
}

// personAction mutes, kicks or bans the person of the dialog, for
// seconds.
func (p *Page) personAction(ctx app.Context, typ shared.Type, seconds int) {
	room, name := p.rooms.Current, p.mod.person
	var payload any
	switch typ {
	case shared.TypeMute:
		payload = shared.Mute{Room: room, Nickname: name, Seconds: seconds}
	case shared.TypeKick:
		payload = shared.Kick{Room: room, Nickname: name}
	case shared.TypeBan:
		payload = shared.Ban{Room: room, Nickname: name, Seconds: seconds}
	default:
		return
	}
	p.sendModeration(ctx, typ, payload)
}

// openAdmin opens the admin panel on view, for room's audit log if room
// is set.
func (p *Page) openAdmin(ctx app.Context, view, room string) {
	p.showAccount = false
	p.mod.dialog, p.mod.adminView, p.mod.adminRoom, p.mod.err, p.mod.status = dialogAdmin, view, room, "", ""
	p.refreshAdmin(ctx)
}

// refreshAdmin asks for what the admin panel shows.
func (p *Page) refreshAdmin(ctx app.Context) {
	if p.mod.adminView == "audit" {
		p.mod.auditIn, p.mod.auditRequest = false, ""
		p.sendModeration(ctx, shared.TypeAudit, shared.AuditRequest{Room: p.mod.adminRoom})
		return
	}
	p.mod.reportsIn = false
	p.sendModeration(ctx, shared.TypeReports, nil)
}

func (p *Page) olderAudit(ctx app.Context) {
	if len(p.mod.audit) == 0 {
		return
	}
	before := p.mod.audit[len(p.mod.audit)-1].ID
	p.mod.auditRequest = p.sendModeration(ctx, shared.TypeAudit, shared.AuditRequest{Room: p.mod.adminRoom, Before: before})
}

// applyModeration handles the events that answer moderation requests,
// and reports whether ev was one.
func (p *Page) applyModeration(ctx app.Context, ev Event) bool {
	m := &p.mod
	switch ev.Type {
	case shared.TypeModerated:
		if ev.ID != m.request {
			return true
		}
		e := *ev.Moderated
		switch {
		case e.Action == shared.ActionReport:
			m.dialog, m.notice, m.noticeError = "", "Thank you: the admins will look at the message.", false
		case m.dialog == dialogAdmin:
			m.status = describeEntry(e)
			m.reports = slices.DeleteFunc(slices.Clone(m.reports), func(r shared.ReportInfo) bool {
				return r.Room == e.Room && r.Message.ID == e.Message && (e.Action == shared.ActionDelete || e.Target != nil && r.Reporter.ID == e.Target.ID)
			})
		case m.dialog != "":
			m.status = describeEntry(e)
		default:
			m.notice, m.noticeError = describeEntry(e), false
		}
	case shared.TypeReportsList:
		m.reports, m.reportsIn = ev.Reports.Reports, true
	case shared.TypeAuditLog:
		if ev.ID != "" && ev.ID == m.auditRequest {
			m.audit = append(slices.Clone(m.audit), ev.Audit.Entries...)
		} else {
			m.audit = ev.Audit.Entries
		}
		m.auditIn, m.auditMore = true, ev.Audit.More
	case shared.TypeError:
		e := ev.Error
		if e.Ref == "" || e.Ref != m.request && !isModeration(e.Request) {
			return false
		}
		p.moderationFailed(e.Message)
	default:
		return false
	}
	return true
}

// isModeration reports whether t is a moderation request.
func isModeration(t shared.Type) bool {
	switch t {
	case shared.TypeDelete, shared.TypeMute, shared.TypeKick, shared.TypeBan, shared.TypeBanAddress, shared.TypeLock,
		shared.TypeSlowMode, shared.TypeReport, shared.TypeReports, shared.TypeResolveReport, shared.TypeAudit:
		return true
	}
	return false
}

// roomBadges shows a room's lock and slow mode next to its title.
func roomBadges(info shared.RoomInfo) app.UI {
	var badges []app.UI
	if info.Locked {
		badges = append(badges, app.Span().ID("room-locked-badge").Class("state-badge").Title("Only the room's moderators write in it now").Text("Locked"))
	}
	if info.SlowMode > 0 {
		badges = append(badges, app.Span().ID("room-slow-badge").Class("state-badge").Title("Each person writes at most once per "+durationText(info.SlowMode)).Text(slowModeLabel(info.SlowMode)))
	}
	if len(badges) == 0 {
		return app.If(false)
	}
	return app.Span().Class("room-badges").Body(badges...)
}

// moderationUI renders the notice line and the moderation dialog open.
func (p *Page) moderationUI() app.UI {
	m := &p.mod
	cur := p.rooms.current()
	var dialog app.UI = app.If(false)
	switch m.dialog {
	case dialogReport:
		dialog = &reportDialog{
			From: m.report.From, Text: m.report.Text, Error: m.err,
			OnSubmit: func(_ app.Context, reason string) {
				p.ctx.Dispatch(func(ctx app.Context) { p.submitReport(ctx, reason) })
			},
			OnCancel: func(app.Context) { p.ctx.Dispatch(p.closeModeration) },
		}
	case dialogPerson:
		dialog = &moderateDialog{
			Name: m.person, Room: cur.title(p.reader()), Direct: cur.Info.Kind == shared.KindDirect,
			Status: m.status, Error: m.err,
			OnAction: func(_ app.Context, typ shared.Type, seconds int) {
				p.ctx.Dispatch(func(ctx app.Context) { p.personAction(ctx, typ, seconds) })
			},
			OnClose: func(app.Context) { p.ctx.Dispatch(p.closeModeration) },
		}
	case dialogRoom:
		dialog = &roomSettings{
			Room: cur.title(p.reader()), Locked: cur.Info.Locked, SlowMode: cur.Info.SlowMode,
			Status: m.status, Error: m.err,
			OnLock: func(_ app.Context, locked bool) {
				p.ctx.Dispatch(func(ctx app.Context) {
					p.sendModeration(ctx, shared.TypeLock, shared.Lock{Room: p.rooms.Current, Locked: locked})
				})
			},
			OnSlowMode: func(_ app.Context, seconds int) {
				p.ctx.Dispatch(func(ctx app.Context) {
					p.sendModeration(ctx, shared.TypeSlowMode, shared.SlowMode{Room: p.rooms.Current, Seconds: seconds})
				})
			},
			OnAudit: func(app.Context) {
				p.ctx.Dispatch(func(ctx app.Context) { p.openAdmin(ctx, "audit", p.rooms.Current) })
			},
			OnClose: func(app.Context) { p.ctx.Dispatch(p.closeModeration) },
		}
	case dialogAdmin:
		dialog = &adminPanel{
			View: m.adminView, Room: m.adminRoom, Admin: m.admin,
			Reports: m.reports, ReportsIn: m.reportsIn, Audit: m.audit, AuditIn: m.auditIn, More: m.auditMore,
			Status: m.status, Error: m.err,
			OnView: func(_ app.Context, view string) {
				p.ctx.Dispatch(func(ctx app.Context) { p.openAdmin(ctx, view, "") })
			},
			OnResolve: func(_ app.Context, report, action string) {
				p.ctx.Dispatch(func(ctx app.Context) {
					p.sendModeration(ctx, shared.TypeResolveReport, shared.ResolveReport{ID: report, Action: action})
				})
			},
			OnOlder: func(app.Context) { p.ctx.Dispatch(p.olderAudit) },
			OnClose: func(app.Context) { p.ctx.Dispatch(p.closeModeration) },
		}
	}
	var notice app.UI = app.If(false)
	if m.notice != "" {
		role, class := "status", "banner notice"
		if m.noticeError {
			role, class = "alert", "banner notice error"
		}
		notice = app.Div().ID("moderation-notice").Class(class).Role(role).Body(
			app.Span().Text(m.notice),
			app.Button().Type("button").Text("Close").Aria("label", "Close the notice").OnClick(func(ctx app.Context, e app.Event) {
				p.mod.notice = ""
			}),
		)
	}
	return app.Div().Class("moderation").Body(notice, dialog)
}

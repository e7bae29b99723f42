package app

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// adminPanel shows the admins the open reports, each of which they
// dismiss or act on by deleting the message, and the audit log, a page
// at a time; a room's owner sees their room's audit log in it.
type adminPanel struct {
	app.Compo

	// View is "reports" or "audit".
	View string
	// Room, if set, is the room whose audit log is shown (to its owner).
	Room string
	// Admin shows the switch between the two views.
	Admin bool
	// Reports are the open reports, once ReportsIn.
	Reports   []shared.ReportInfo
	ReportsIn bool
	// Audit are the audit entries listed so far, once AuditIn; More,
	// that older ones exist.
	Audit   []shared.AuditEntry
	AuditIn bool
	More    bool
	// Status says what was done; Error, why it was not.
	Status, Error string

	OnView    func(ctx app.Context, view string)
	OnResolve func(ctx app.Context, report, action string)
	OnOlder   func(ctx app.Context)
	OnClose   func(ctx app.Context)
}

func (a *adminPanel) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) { focus("admin-panel-close") })
}

func (a *adminPanel) Render() app.UI {
	title := "Reports"
	var body app.UI
	if a.View == "audit" {
		title = "Audit log"
		if a.Room != "" {
			title = "Audit log of #" + a.Room
		}
		body = a.audit()
	} else {
		body = a.reports()
	}
	var tabs app.UI = app.If(false)
	if a.Admin && a.Room == "" {
		tab := func(view, label string) app.UI {
			return app.Button().ID("admin-view-"+view).Type("button").Aria("pressed", a.View == view).Text(label).
				OnClick(func(ctx app.Context, e app.Event) { call2(a.OnView, ctx, view) })
		}
		tabs = app.Div().Class("choices tabs").Body(tab("reports", "Reports"), tab("audit", "Audit log"))
	}
	return modal("admin-panel", "admin-panel-title", a.OnClose,
		app.H2().ID("admin-panel-title").Text(title),
		tabs,
		body,
		app.P().ID("admin-status").Class("muted").Role("status").Text(a.Status),
		app.If(a.Error != "", app.P().Class("error").Role("alert").Text(a.Error)),
		app.Div().Class("buttons").Body(
			app.Button().ID("admin-panel-close").Type("button").Text("Close").OnClick(func(ctx app.Context, e app.Event) { call(a.OnClose, ctx) }),
		),
	)
}

// reports lists the open reports, newest first.
func (a *adminPanel) reports() app.UI {
	switch {
	case !a.ReportsIn:
		return app.P().Class("muted").Text("Loading…")
	case len(a.Reports) == 0:
		return app.P().ID("no-reports").Class("muted").Text("No open reports.")
	}
	return app.Ul().ID("reports").Class("mod-list").Body(
		app.Range(a.Reports).Slice(func(i int) app.UI {
			r := a.Reports[i]
			text := r.Message.Text
			if r.Gone {
				text = "(this message is no longer kept)"
			}
			resolve := func(action, label, class string) app.UI {
				return app.Button().Class(class).Type("button").DataSet("report", r.ID).DataSet("action", action).
					Aria("label", label+": the report by "+r.Reporter.Nickname+" of "+r.Message.From+"'s message").Text(label).
					OnClick(func(ctx app.Context, e app.Event) {
						if a.OnResolve != nil {
							a.OnResolve(ctx, dataOf(ctx, "report"), dataOf(ctx, "action"))
						}
					})
			}
			return app.Li().DataSet("report", r.ID).Body(
				app.P().Class("where muted").Text("#"+r.Room+", "+r.Message.At.Local().Format("2 Jan 15:04")),
				app.Blockquote().Class("reported").Body(app.Span().Class("from").Text(r.Message.From+": "), app.Text(text)),
				app.P().Class("reason").Text("Reported by "+r.Reporter.Nickname+" ("+r.At.Local().Format("2 Jan 15:04")+"): "+r.Reason),
				app.Div().Class("choices").Body(
					resolve(shared.ResolveDismiss, "Dismiss", "dismiss"),
					resolve(shared.ResolveDelete, "Delete message", "delete danger"),
				),
			)
		}),
	)
}

// audit lists the audit log, newest first, with a button for older
// entries.
func (a *adminPanel) audit() app.UI {
	switch {
	case !a.AuditIn:
		return app.P().Class("muted").Text("Loading…")
	case len(a.Audit) == 0:
		return app.P().ID("no-audit").Class("muted").Text("Nothing yet.")
	}
	return app.Div().Body(
		app.Ul().ID("audit-log").Class("mod-list").Body(
			app.Range(a.Audit).Slice(func(i int) app.UI {
				e := a.Audit[i]
				return app.Li().Body(
					app.Time().DateTime(e.At.Format("2006-01-02T15:04:05Z07:00")).Text(e.At.Local().Format("2 Jan 15:04")),
					app.Text(" "+describeEntry(e)),
				)
			}),
		),
		app.If(a.More, app.Button().ID("audit-older").Class("link").Type("button").Text("Older entries").
			OnClick(func(ctx app.Context, e app.Event) { call(a.OnOlder, ctx) })),
	)
}

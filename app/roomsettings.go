package app

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// roomSettings lets a room's moderators lock it and set its slow mode,
// and open its audit log. The controls show the room as the server
// last described it; a change is sent at once.
type roomSettings struct {
	app.Compo

	// Room names the room for people.
	Room     string
	Locked   bool
	SlowMode int
	// Status says what was done; Error, why it was not.
	Status, Error string
	OnLock        func(ctx app.Context, locked bool)
	OnSlowMode    func(ctx app.Context, seconds int)
	OnAudit       func(ctx app.Context)
	OnClose       func(ctx app.Context)
}

func (r *roomSettings) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) { focus("room-locked") })
}

func (r *roomSettings) Render() app.UI {
	locked := app.Input().ID("room-locked").Type("checkbox").Aria("describedby", "room-locked-hint").OnChange(func(ctx app.Context, e app.Event) {
		call2(r.OnLock, ctx, e.Get("target").Get("checked").Bool())
	})
	if r.Locked {
		locked = locked.Checked(true)
	}
	return modal("room-settings-dialog", "room-settings-title", r.OnClose,
		app.H2().ID("room-settings-title").Text("Moderate "+r.Room),
		app.Label().Body(locked, app.Text(" Locked")),
		app.P().ID("room-locked-hint").Class("muted").Text("While it is locked, only the room's owner and the admins write in it."),
		app.Label().For("room-slow-mode").Text("Slow mode: each person writes at most once per"),
		app.Select().ID("room-slow-mode").OnChange(func(ctx app.Context, e app.Event) {
			if seconds, err := strconv.Atoi(e.Get("target").Get("value").String()); err == nil {
				call2(r.OnSlowMode, ctx, seconds)
			}
		}).Body(
			app.Range(slowModeChoices).Slice(func(i int) app.UI {
				c := slowModeChoices[i]
				o := app.Option().Value(c.Seconds).Text(c.Label)
				if c.Seconds == r.SlowMode {
					o = o.Selected(true)
				}
				return o
			}),
		),
		app.P().ID("room-settings-status").Class("muted").Role("status").Text(r.Status),
		app.If(r.Error != "", app.P().Class("error").Role("alert").Text(r.Error)),
		app.Div().Class("buttons").Body(
			app.Button().ID("room-audit").Type("button").Text("Audit log of the room").OnClick(func(ctx app.Context, e app.Event) { call(r.OnAudit, ctx) }),
			app.Button().ID("room-settings-close").Type("button").Text("Close").OnClick(func(ctx app.Context, e app.Event) { call(r.OnClose, ctx) }),
		),
	)
}

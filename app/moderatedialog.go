package app

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// moderateDialog offers a moderator what may be done to a person in a
// room: mute or ban them for a while (chosen in a menu, read from the DOM
// when a button is pressed), lift that, or remove them from the room.
type moderateDialog struct {
	app.Compo

	// Name is the person's nickname; Room names the room for people.
	Name, Room string
	// Direct is set for a direct conversation, where only muting is
	// possible.
	Direct bool
	// Status says what was done; Error, why it was not.
	Status, Error string
	// OnAction receives a request type (mute, kick, ban) and the
	// seconds it lasts (0 lifts a mute or ban).
	OnAction func(ctx app.Context, typ shared.Type, seconds int)
	OnClose  func(ctx app.Context)
}

func (d *moderateDialog) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) { focus("moderate-duration") })
}

func (d *moderateDialog) Render() app.UI {
	act := func(id, label string, typ shared.Type, lift bool) app.UI {
		return app.Button().ID(id).Type("button").Text(label).OnClick(func(ctx app.Context, e app.Event) {
			seconds := 0
			if !lift {
				seconds, _ = strconv.Atoi(app.Window().GetElementByID("moderate-duration").Get("value").String())
			}
			if d.OnAction != nil {
				d.OnAction(ctx, typ, seconds)
			}
		})
	}
	var roomActions app.UI = app.If(false)
	if !d.Direct {
		roomActions = app.Div().Class("choices").Body(
			act("moderate-ban", "Ban from the room", shared.TypeBan, false),
			act("moderate-unban", "Lift the ban", shared.TypeBan, true),
			act("moderate-kick", "Remove from the room", shared.TypeKick, true),
		)
	}
	return modal("moderate-dialog", "moderate-title", d.OnClose,
		app.H2().ID("moderate-title").Text("Moderate "+d.Name+" in "+d.Room),
		app.Label().For("moderate-duration").Text("For how long (mute and ban)"),
		app.Select().ID("moderate-duration").Body(
			app.Range(sanctionChoices).Slice(func(i int) app.UI {
				c := sanctionChoices[i]
				return app.Option().Value(c.Seconds).Text(c.Label)
			}),
		),
		app.Div().Class("choices").Body(
			act("moderate-mute", "Mute", shared.TypeMute, false),
			act("moderate-unmute", "Unmute", shared.TypeMute, true),
		),
		roomActions,
		app.P().ID("moderate-status").Class("muted").Role("status").Text(d.Status),
		app.If(d.Error != "", app.P().Class("error").Role("alert").Text(d.Error)),
		app.Div().Class("buttons").Body(
			app.Button().ID("moderate-close").Type("button").Text("Close").OnClick(func(ctx app.Context, e app.Event) { call(d.OnClose, ctx) }),
		),
	)
}

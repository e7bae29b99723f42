package app

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// userList shows who is in the room.
type userList struct {
	app.Compo

	Users []string
	// Known reports that Users came from the server: until then the list
	// says it is connecting, never that nobody is online.
	Known bool
	// Self is the reader's nickname.
	Self string
	// Counted is set for a room too big to name everyone: Online says how
	// many are here.
	Counted bool
	Online  int
	// Open shows the list on narrow screens.
	Open bool
}

func (u *userList) Render() app.UI {
	class := "users"
	if u.Open {
		class += " open"
	}
	heading := "Online"
	switch {
	case u.Known && u.Counted:
		heading = fmt.Sprintf("Online (%d)", u.Online)
	case u.Known:
		heading = fmt.Sprintf("Online (%d)", len(u.Users))
	}
	return app.Aside().ID("users").Class(class).Aria("label", "Online users").Body(
		app.H2().Text(heading),
		app.If(!u.Known, app.P().Class("muted").Text("Connecting…")),
		app.If(u.Known && u.Counted, app.P().Class("muted").Text(fmt.Sprintf("%d people are here: too many to list.", u.Online))),
		app.Ul().Body(
			app.Range(u.Users).Slice(func(i int) app.UI {
				name := u.Users[i]
				if name == u.Self {
					return app.Li().Class("self").Body(app.Text(name), app.Span().Class("you").Text(" (you)"))
				}
				return app.Li().Text(name)
			}),
		),
	)
}

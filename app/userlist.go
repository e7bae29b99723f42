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
	// Open shows the list on narrow screens.
	Open bool
}

func (u *userList) Render() app.UI {
	class := "users"
	if u.Open {
		class += " open"
	}
	heading := "Online"
	if u.Known {
		heading = fmt.Sprintf("Online (%d)", len(u.Users))
	}
	return app.Aside().ID("users").Class(class).Aria("label", "Online users").Body(
		app.H2().Text(heading),
		app.If(!u.Known, app.P().Class("muted").Text("Connecting…")),
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

package app

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// joinForm asks for a nickname. The field is not controlled: its text is
// read from the DOM on submit, so it keeps exactly what was typed, also
// after an error.
type joinForm struct {
	app.Compo

	// Nickname pre-fills the field.
	Nickname string
	// Error explains why the last try failed.
	Error string
	// Busy disables the form while a join is under way.
	Busy bool
	// OnJoin receives the nickname as typed.
	OnJoin func(ctx app.Context, nickname string)
}

func (f *joinForm) Render() app.UI {
	label := "Join"
	if f.Busy {
		label = "Joining…"
	}
	return app.Main().Class("join").Body(
		app.Form().Class("join-card").OnSubmit(f.submit).Body(
			app.H1().Body(app.Img().Src(asset("icon.svg")).Alt("").Width(40).Height(40), app.Text("livechat")),
			app.P().Class("tagline").Text("Pick a nickname and start talking."),
			app.Label().For("nickname").Text("Nickname"),
			app.Input().
				ID("nickname").
				Type("text").
				Name("nickname").
				Attr("autocomplete", "nickname").
				Attr("enterkeyhint", "go").
				Attr("aria-describedby", "join-error").
				Aria("invalid", f.Error != "").
				MaxLength(shared.MaxNicknameChars*2).
				Required(true).
				AutoFocus(true).
				Value(f.Nickname).
				Disabled(f.Busy),
			app.P().ID("join-error").Class("error").Role("alert").Text(f.Error),
			app.Button().Type("submit").Disabled(f.Busy).Text(label),
		),
	)
}

func (f *joinForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.OnJoin == nil || f.Busy {
		return
	}
	form := e.Get("target")
	f.OnJoin(ctx, form.Get("elements").Get("nickname").Get("value").String())
}

package app

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// joinForm asks for a nickname. The field is not controlled: its text is
// read from the DOM on submit, so it keeps exactly what was typed, also
// after an error.
//
// The server pre-renders it, and the page shows it before the app has
// loaded: it must take input from the first paint. boot.js keeps what is
// typed or submitted until then, and the page carries it over (see
// Page.OnMount). Attributes such as disabled are therefore set only when
// true: go-app would write disabled="false", which disables.
type joinForm struct {
	app.Compo

	// Nickname pre-fills the field.
	Nickname string
	// Error explains why the last try failed.
	Error string
	// Busy disables the form while a join is under way.
	Busy bool
	// Status, if set, shows the connection while joining.
	Status app.UI
	// OnJoin receives the nickname and the password (empty: none) as
	// typed.
	OnJoin func(ctx app.Context, nickname, password string)
	// OnPasskey signs in with a passkey instead.
	OnPasskey func(ctx app.Context)
}

func (f *joinForm) Render() app.UI {
	label := "Join"
	if f.Busy {
		label = "Joining…"
	}
	input := app.Input().
		ID("nickname").
		Type("text").
		Name("nickname").
		Attr("autocomplete", "nickname").
		Attr("enterkeyhint", "go").
		Attr("aria-describedby", "join-error").
		Aria("invalid", f.Error != "").
		MaxLength(shared.MaxNicknameChars * 2).
		Required(true).
		AutoFocus(true).
		Value(f.Nickname)
	button := app.Button().Type("submit").Text(label)
	passkey := app.Button().ID("passkey-signin").Class("link").Type("button").Text("Sign in with a passkey").OnClick(func(ctx app.Context, e app.Event) {
		if f.OnPasskey != nil && !f.Busy {
			f.OnPasskey(ctx)
		}
	})
	if f.Busy {
		input = input.Disabled(true)
		button = button.Disabled(true)
		passkey = passkey.Disabled(true)
	}
	status := f.Status
	if status == nil {
		status = app.If(false)
	}
	return app.Main().ID("main").Class("join").Body(
		app.Form().Class("join-card").OnSubmit(f.submit).Body(
			app.H1().Body(app.Img().Src(asset("icon.svg")).Alt("").Width(40).Height(40), app.Text("livechat")),
			app.P().Class("tagline").Text("Pick a nickname and start talking."),
			app.Label().For("nickname").Text("Nickname"),
			input,
			app.Details().Class("password").Body(
				app.Summary().Text("I have a password (signing in on another device)"),
				app.Label().For("join-password").Text("Password"),
				app.Input().ID("join-password").Type("password").Name("password").Attr("autocomplete", "current-password"),
			),
			app.P().ID("join-error").Class("error").Role("alert").Text(f.Error),
			button,
			passkey,
		),
		status,
		// Shown instead of the form, by app.css, when boot.js finds that
		// this browser has joined before: the app is about to rejoin.
		app.P().Class("resuming").Text("Connecting…"),
	)
}

func (f *joinForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.OnJoin == nil || f.Busy {
		return
	}
	fields := e.Get("target").Get("elements")
	password := ""
	if pw := fields.Get("password"); pw.Truthy() {
		password = pw.Get("value").String()
	}
	f.OnJoin(ctx, fields.Get("nickname").Get("value").String(), password)
}

package app

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// leaveDialog asks what to do with messages not sent yet when the user
// leaves: send them first (the page leaves once they are), discard them,
// or stay.
type leaveDialog struct {
	app.Compo

	// Unsent is how many messages are not sent yet.
	Unsent int
	// Leaving reports that the user chose to send them first.
	Leaving bool
	// Online reports that the connection is up: they are on their way.
	Online bool
	// OnSend, OnDrop and OnStay are the choices.
	OnSend, OnDrop, OnStay func(ctx app.Context)
}

// OnMount moves the focus into the dialog.
func (d *leaveDialog) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) { focus("leave-send") })
}

func (d *leaveDialog) Render() app.UI {
	messages := "1 message is"
	if d.Unsent != 1 {
		messages = fmt.Sprintf("%d messages are", d.Unsent)
	}
	text := messages + " not sent yet. Leaving now would discard them."
	switch {
	case d.Leaving && d.Online:
		text = "Sending, then leaving…"
	case d.Leaving:
		text = messages + " waiting for the connection; you will leave once they are sent."
	}
	send := app.Button().ID("leave-send").Type("button").OnClick(func(ctx app.Context, e app.Event) { call(d.OnSend, ctx) })
	if d.Leaving {
		send = send.Disabled(true).Text("Sending…")
	} else {
		send = send.Text("Send, then leave")
	}
	return app.Div().Class("overlay").Body(
		app.Div().
			ID("leave-dialog").
			Class("dialog").
			Role("alertdialog").
			Aria("modal", true).
			Aria("labelledby", "leave-title").
			Aria("describedby", "leave-text").
			OnKeyDown(func(ctx app.Context, e app.Event) {
				if e.Get("key").String() == "Escape" {
					e.PreventDefault() // handled: the page keeps its panels
					call(d.OnStay, ctx)
				}
			}).
			Body(
				app.H2().ID("leave-title").Text("Leave the chat?"),
				app.P().ID("leave-text").Text(text),
				app.Div().Class("choices").Body(
					send,
					app.Button().ID("leave-discard").Type("button").Class("danger").Text("Discard and leave").
						OnClick(func(ctx app.Context, e app.Event) { call(d.OnDrop, ctx) }),
					app.Button().ID("leave-stay").Type("button").Text("Stay").
						OnClick(func(ctx app.Context, e app.Event) { call(d.OnStay, ctx) }),
				),
			),
	)
}

// call calls fn, if set.
func call(fn func(app.Context), ctx app.Context) {
	if fn != nil {
		fn(ctx)
	}
}

// modal is a modal dialog over the page: the element id, labelled by the
// element labelledby among body, which Escape closes through onClose.
func modal(id, labelledby string, onClose func(app.Context), body ...app.UI) app.UI {
	return app.Div().Class("overlay").Body(
		app.Div().ID(id).Class("dialog").Role("dialog").Aria("modal", true).Aria("labelledby", labelledby).
			OnKeyDown(func(ctx app.Context, e app.Event) {
				if e.Get("key").String() == "Escape" {
					e.PreventDefault() // handled: the page keeps its panels
					call(onClose, ctx)
				}
			}).
			Body(body...),
	)
}

// call2 calls fn with ctx and v, if fn is set.
func call2[T any](fn func(app.Context, T), ctx app.Context, v T) {
	if fn != nil {
		fn(ctx, v)
	}
}

package app

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// composerWarnBytes is how close to the limit the remaining count appears.
const composerWarnBytes = 500

// composer is where messages are written: Enter sends, Shift+Enter starts
// a new line. The text area is not controlled; its value is read from the
// DOM so that nothing the user typed is trimmed.
type composer struct {
	app.Compo

	// Disabled turns the composer off.
	Disabled bool
	// Status is the connection's: it says when messages will go out.
	Status Status
	// Error is shown under the text area (a refused message).
	Error string
	// OnSend receives the text; it returns an error to keep the text and
	// show why it was not sent.
	OnSend func(ctx app.Context, text string) error

	used   int // bytes typed
	failed string
}

func (c *composer) Render() app.UI {
	left := shared.MaxTextBytes - c.used
	errText := c.failed
	if errText == "" {
		errText = c.Error
	}
	placeholder := "Write a message"
	switch c.Status {
	case StatusOffline:
		placeholder = "Offline: messages will be sent when you are back"
	case StatusConnecting, StatusReconnecting:
		placeholder = "Write a message (sent once connected)"
	}
	area := app.Textarea().
		ID("composer-text").
		Aria("label", "Message").
		Aria("describedby", "composer-help").
		Placeholder(placeholder).
		Rows(1).
		Attr("enterkeyhint", "send").
		OnKeyDown(c.keyDown).
		OnInput(c.input)
	send := app.Button().Type("submit").Text("Send")
	if c.Disabled {
		area = area.Disabled(true)
	}
	if c.Disabled || left < 0 {
		send = send.Disabled(true)
	}
	return app.Form().Class("composer").Aria("label", "Write a message").OnSubmit(c.submit).Body(
		area,
		send,
		app.Div().ID("composer-help").Class("composer-help").Body(
			app.If(left < composerWarnBytes, app.Span().
				Class("left").
				DataSet("over", left < 0).
				Text(fmt.Sprintf("%d bytes left", left))),
			app.If(errText != "", app.Span().Class("error").Role("alert").Text(errText)),
		),
	)
}

func (c *composer) keyDown(ctx app.Context, e app.Event) {
	if e.Get("key").String() != "Enter" || e.Get("shiftKey").Bool() || e.Get("isComposing").Bool() {
		return
	}
	e.PreventDefault()
	c.send(ctx, ctx.JSSrc())
}

func (c *composer) input(ctx app.Context, e app.Event) {
	c.used = len(ctx.JSSrc().Get("value").String())
	c.failed = ""
}

func (c *composer) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	c.send(ctx, e.Get("target").Call("querySelector", "textarea"))
}

// send sends the text of the text area el.
func (c *composer) send(ctx app.Context, el app.Value) {
	text := el.Get("value").String()
	if c.Disabled || c.OnSend == nil || strings.TrimSpace(text) == "" {
		return
	}
	if err := shared.CheckText(text); err != nil {
		c.failed = err.(*shared.Error).Message
		return
	}
	if err := c.OnSend(ctx, text); err != nil {
		c.failed = err.Error()
		return
	}
	el.Set("value", "")
	c.used = 0
	c.failed = ""
	el.Call("focus")
}

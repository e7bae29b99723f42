package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// reportDialog asks why a message is reported to the admins. The reason
// is read from the DOM on submit.
type reportDialog struct {
	app.Compo

	// From and Text are the message's.
	From, Text string
	Error      string
	// OnSubmit receives the reason; OnCancel closes the dialog.
	OnSubmit func(ctx app.Context, reason string)
	OnCancel func(ctx app.Context)
}

func (d *reportDialog) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) { focus("report-reason") })
}

func (d *reportDialog) Render() app.UI {
	quote := d.Text
	if r := []rune(quote); len(r) > 200 {
		quote = string(r[:200]) + "…"
	}
	return modal("report-dialog", "report-title", d.OnCancel,
		app.H2().ID("report-title").Text("Report a message"),
		app.Blockquote().Class("reported").Body(
			app.Span().Class("from").Text(d.From+": "),
			app.Text(quote),
		),
		app.Form().OnSubmit(d.submit).Body(
			app.Label().For("report-reason").Text("Why should the admins look at it?"),
			app.Textarea().ID("report-reason").Name("reason").Required(true).Rows(3).
				MaxLength(shared.MaxReasonChars).Aria("describedby", "report-hint"),
			app.P().ID("report-hint").Class("muted").Text("Only the admins see your report and who made it."),
			app.If(d.Error != "", app.P().Class("error").Role("alert").Text(d.Error)),
			app.Div().Class("buttons").Body(
				app.Button().ID("report-submit").Type("submit").Text("Report"),
				app.Button().Type("button").Text("Cancel").OnClick(func(ctx app.Context, e app.Event) { call(d.OnCancel, ctx) }),
			),
		),
	)
}

func (d *reportDialog) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	reason := e.Get("target").Get("elements").Get("reason").Get("value").String()
	if err := shared.CheckReason(reason, true); err != nil {
		d.Error = err.(*shared.Error).Message
		return
	}
	call2(d.OnSubmit, ctx, strings.TrimSpace(reason))
}

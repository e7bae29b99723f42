package app

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// messageList shows the conversation. It keeps the newest line in view
// unless the reader has scrolled up; then it offers a "new messages" pill
// instead of moving the text under their eyes.
type messageList struct {
	app.Compo

	Entries []Entry

	atBottom bool // the reader is at the end of the list
	pill     bool // new messages arrived below the reader
	shown    int  // len(Entries) when last rendered
	lastID   uint64
}

func (l *messageList) OnMount(ctx app.Context) {
	l.atBottom = true
	l.remember()
	l.scrollToEnd()
}

// OnUpdate runs after the parent passed new entries and the list was
// rendered with them.
func (l *messageList) OnUpdate(ctx app.Context) {
	if l.shown == len(l.Entries) && (len(l.Entries) == 0 || l.lastID == l.Entries[len(l.Entries)-1].ID) {
		return
	}
	own := len(l.Entries) > 0 && l.Entries[len(l.Entries)-1].Own
	l.remember()
	if l.atBottom || own {
		l.scrollToEnd()
		l.pill = false
		return
	}
	l.pill = true
}

func (l *messageList) remember() {
	l.shown = len(l.Entries)
	if n := len(l.Entries); n > 0 {
		l.lastID = l.Entries[n-1].ID
	}
}

func (l *messageList) Render() app.UI {
	return app.Section().Class("messages").Body(
		app.Ol().
			ID("message-log").
			Class("log").
			Role("log").
			Aria("label", "Messages").
			Aria("live", "polite").
			TabIndex(0).
			OnScroll(l.onScroll).
			Body(
				app.If(len(l.Entries) == 0, app.Li().Class("empty").Text("No messages yet. Say hello!")),
				app.Range(l.Entries).Slice(func(i int) app.UI { return renderEntry(l.Entries[i]) }),
			),
		app.If(l.pill, app.Button().Class("pill").Text("New messages ↓").OnClick(l.jumpToEnd)),
	)
}

func renderEntry(e Entry) app.UI {
	if e.Kind == EntryNotice {
		return app.Li().Class("notice").Body(
			app.Text(e.Text+" "),
			app.Time().DateTime(e.At.Format("2006-01-02T15:04:05Z07:00")).Text(e.At.Local().Format("15:04")),
		)
	}
	class := "message"
	if e.Own {
		class += " own"
	}
	return app.Li().Class(class).DataSet("id", e.ID).Body(
		app.Div().Class("meta").Body(
			app.Span().Class("from").Text(e.From),
			app.Time().DateTime(e.At.Format("2006-01-02T15:04:05Z07:00")).Title(e.At.Local().Format("Mon 2 Jan 2006 15:04:05")).Text(e.At.Local().Format("15:04")),
		),
		app.P().Class("text").Body(linkify(e.Text)...),
	)
}

func (l *messageList) onScroll(ctx app.Context, e app.Event) {
	el := ctx.JSSrc()
	gap := el.Get("scrollHeight").Int() - el.Get("scrollTop").Int() - el.Get("clientHeight").Int()
	l.atBottom = gap < 48
	if l.atBottom {
		l.pill = false
	}
}

func (l *messageList) jumpToEnd(ctx app.Context, e app.Event) {
	l.pill = false
	l.atBottom = true
	l.scrollToEnd()
}

func (l *messageList) scrollToEnd() {
	if el := app.Window().GetElementByID("message-log"); el.Truthy() {
		el.Set("scrollTop", el.Get("scrollHeight"))
	}
}

package app

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// sidebarItem is one room in the sidebar.
type sidebarItem struct {
	ID       string
	Title    string
	Kind     string
	Unread   int
	Mentions int
	Current  bool
}

// sidebar lists the reader's rooms and direct conversations with their
// unread and mention badges, the public rooms they may join, and the
// buttons that make a room or start a conversation. On phones it is a
// drawer (Open).
type sidebar struct {
	app.Compo

	Items     []sidebarItem
	Directory []sidebarItem
	// Listed reports that the lists came from the server.
	Listed bool
	Open   bool
	// OnOpen shows a room; OnForm opens the "room" or "dm" form.
	OnOpen func(ctx app.Context, id string)
	OnForm func(ctx app.Context, form string)
}

func (s *sidebar) Render() app.UI {
	class := "sidebar"
	if s.Open {
		class += " open"
	}
	var rooms, direct []sidebarItem
	for _, it := range s.Items {
		if it.Kind == shared.KindDirect {
			direct = append(direct, it)
		} else {
			rooms = append(rooms, it)
		}
	}
	return app.Nav().ID("sidebar").Class(class).Aria("label", "Rooms and conversations").Body(
		app.H2().Text("Rooms"),
		s.list("rooms", rooms),
		app.Button().ID("new-room").Class("new").Text("New room").OnClick(func(ctx app.Context, e app.Event) { call2(s.OnForm, ctx, "room") }),
		app.H2().Text("Direct messages"),
		s.list("direct", direct),
		app.Button().ID("new-dm").Class("new").Text("New message").OnClick(func(ctx app.Context, e app.Event) { call2(s.OnForm, ctx, "dm") }),
		app.If(len(s.Directory) > 0,
			app.H2().Text("More rooms"),
			s.list("directory", s.Directory),
		),
		app.If(!s.Listed, app.P().Class("muted").Text("Connecting…")),
	)
}

func (s *sidebar) list(id string, items []sidebarItem) app.UI {
	return app.Ul().ID(id).Body(
		app.Range(items).Slice(func(i int) app.UI {
			it := items[i]
			label := it.Title
			if it.Unread > 0 {
				label += fmt.Sprintf(", %d unread", it.Unread)
			}
			if it.Mentions > 0 {
				label += fmt.Sprintf(", %d mentioning you", it.Mentions)
			}
			b := app.Button().
				Class("room-link").
				DataSet("room", it.ID).
				Aria("label", label).
				OnClick(func(ctx app.Context, e app.Event) { call2(s.OnOpen, ctx, it.ID) }).
				Body(
					app.Span().Class("name").Text(it.Title),
					app.If(it.Mentions > 0, app.Span().Class("badge mention").Aria("hidden", true).Text(fmt.Sprintf("@%d", it.Mentions))),
					app.If(it.Unread > 0 && it.Mentions == 0, app.Span().Class("badge").Aria("hidden", true).Text(fmt.Sprint(it.Unread))),
				)
			if it.Current {
				b = b.Aria("current", "page")
			}
			return app.Li().Body(b)
		}),
	)
}

// call2 calls fn with ctx and v, if fn is set.
func call2[T any](fn func(app.Context, T), ctx app.Context, v T) {
	if fn != nil {
		fn(ctx, v)
	}
}

// roomForm asks for a new room's name ("room") or for the people of a
// new direct conversation ("dm").
type roomForm struct {
	app.Compo

	// Form is "room" or "dm".
	Form  string
	Error string
	// OnSubmit receives the name (or the nicknames, separated by
	// commas) as typed, and whether the room is private.
	OnSubmit func(ctx app.Context, text string, private bool)
	OnCancel func(ctx app.Context)
}

func (f *roomForm) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) { focus("room-form-text") })
}

func (f *roomForm) Render() app.UI {
	title, label, hint := "New room", "Name", "Public rooms: a-z, 0-9, - and _. Private rooms: any name."
	if f.Form == "dm" {
		title, label, hint = "New message", "To", "Nicknames, separated by commas (up to 8)."
	}
	return app.Div().Class("overlay").Body(
		app.Div().ID("room-form").Class("dialog").Role("dialog").Aria("modal", true).Aria("labelledby", "room-form-title").
			OnKeyDown(func(ctx app.Context, e app.Event) {
				if e.Get("key").String() == "Escape" {
					call(f.OnCancel, ctx)
				}
			}).
			Body(
				app.H2().ID("room-form-title").Text(title),
				app.Form().OnSubmit(f.submit).Body(
					app.Label().For("room-form-text").Text(label),
					app.Input().ID("room-form-text").Name("text").Type("text").Required(true).Aria("describedby", "room-form-hint"),
					app.P().ID("room-form-hint").Class("muted").Text(hint),
					app.If(f.Form == "room", app.Label().Body(
						app.Input().ID("room-form-private").Name("private").Type("checkbox"),
						app.Text(" Private: only people invited or added see it"),
					)),
					app.If(f.Error != "", app.P().Class("error").Role("alert").Text(f.Error)),
					app.Div().Class("buttons").Body(
						app.Button().ID("room-form-submit").Type("submit").Text(map[bool]string{true: "Start", false: "Create"}[f.Form == "dm"]),
						app.Button().Type("button").Text("Cancel").OnClick(func(ctx app.Context, e app.Event) { call(f.OnCancel, ctx) }),
					),
				),
			),
	)
}

// submit reads the form from the DOM (go-app trims attribute values).
func (f *roomForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	form := e.Get("target").Get("elements")
	private := false
	if box := form.Get("private"); box.Truthy() {
		private = box.Get("checked").Bool()
	}
	if f.OnSubmit != nil {
		f.OnSubmit(ctx, form.Get("text").Get("value").String(), private)
	}
}

package app

import (
	"strconv"

	"fmt"
	"slices"
	"strings"

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
	// Here is how many others are in the room now, once HereKnown.
	Here      int
	HereKnown bool
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
	// Open shows the drawer on phones; OnClose, Escape in it, closes it.
	Open    bool
	OnClose func(ctx app.Context)
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
	return app.Nav().ID("sidebar").Class(class).Aria("label", "Rooms and conversations").OnKeyDown(func(ctx app.Context, e app.Event) {
		if s.Open {
			escapeCloses(ctx, e, s.OnClose)
		}
	}).Body(
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
			// Presence: a dot for a direct conversation; for a room, the
			// count, said and shown on hover (a second number next to the
			// unread badge would confuse).
			var dot app.UI = app.If(false)
			here := ""
			switch {
			case !it.HereKnown:
			case it.Kind == shared.KindDirect && it.Here > 0:
				label += ", online"
				dot = app.Span().Class("presence on").Aria("hidden", true)
			case it.Kind == shared.KindDirect:
				label += ", offline"
				dot = app.Span().Class("presence").Aria("hidden", true)
			case it.Here > 0:
				here = fmt.Sprintf("%d online", it.Here)
				label += ", " + here
			}
			b := app.Button().
				Class("room-link").
				DataSet("room", it.ID).
				Aria("label", label).
				OnClick(func(ctx app.Context, e app.Event) { call2(s.OnOpen, ctx, dataOf(ctx, "room")) }).
				Body(
					dot,
					app.Span().Class("name").Text(it.Title),
					app.If(it.Mentions > 0, app.Span().Class("badge mention").Aria("hidden", true).Text(fmt.Sprintf("@%d", it.Mentions))),
					app.If(it.Unread > 0 && it.Mentions == 0, app.Span().Class("badge").Aria("hidden", true).Text(fmt.Sprint(it.Unread))),
				)
			if it.Current {
				b = b.Aria("current", "page")
			}
			if here != "" {
				b = b.Title(here)
			}
			return app.Li().Body(b)
		}),
	)
}

// dataOf returns the data attribute name of the element whose handler
// runs. Handlers of the items of a list read what they are about from
// the DOM: go-app v9 keeps an element's first handler when the list
// renders again with the same code, so a value the handler captured
// would be the one of the item first rendered there, not of the item
// there now. The element is the context's source: the event's
// currentTarget is gone once the browser has dispatched it, which may be
// before the handler runs.
func dataOf(ctx app.Context, name string) string {
	return ctx.JSSrc().Get("dataset").Get(name).String()
}

// idOf returns the message id in the data-id of the element whose
// handler runs.
func idOf(ctx app.Context) uint64 {
	id, _ := strconv.ParseUint(dataOf(ctx, "id"), 10, 64)
	return id
}

// roomForm asks for a new room's name ("room") or for the people of a
// new direct conversation ("dm"): typed, or picked among the people the
// reader shares a room with.
type roomForm struct {
	app.Compo

	// Form is "room" or "dm".
	Form  string
	Error string
	// People are those to pick from for a direct conversation.
	People []knownPerson
	// OnSubmit receives the name (or the nicknames, separated by
	// commas: those typed, then those picked) and whether the room is
	// private.
	OnSubmit func(ctx app.Context, text string, private bool)
	OnCancel func(ctx app.Context)

	picked []string // the names checked
	filter string   // what is typed, to narrow the list down
}

// knownPerson is someone the reader shares a room with.
type knownPerson struct {
	Name   string
	Online bool
}

// maxPickable is how many people the picker lists at once.
const maxPickable = 50

// pickable returns the people to list: those matching what is typed (its
// last name after a comma), online first, and those picked.
func (f *roomForm) pickable() []knownPerson {
	last := strings.ToLower(strings.TrimSpace(f.filter[strings.LastIndexByte(f.filter, ',')+1:]))
	var list []knownPerson
	for _, p := range f.People {
		if slices.Contains(f.picked, p.Name) || last == "" || strings.Contains(strings.ToLower(p.Name), last) {
			list = append(list, p)
		}
	}
	slices.SortStableFunc(list, func(a, b knownPerson) int {
		if a.Online != b.Online {
			if a.Online {
				return -1
			}
			return 1
		}
		return compareNames(a.Name, b.Name)
	})
	if len(list) > maxPickable {
		list = list[:maxPickable]
	}
	return list
}

func (f *roomForm) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) { focus("room-form-text") })
}

func (f *roomForm) Render() app.UI {
	title, label, hint := "New room", "Name", "Public rooms: a-z, 0-9, - and _. Private rooms: any name."
	if f.Form == "dm" {
		title, label, hint = "New message", "To", "Nicknames, separated by commas (up to 8)."
	}
	return modal("room-form", "room-form-title", f.OnCancel,
		app.H2().ID("room-form-title").Text(title),
		app.Form().OnSubmit(f.submit).Body(
			app.Label().For("room-form-text").Text(label),
			f.textInput(),
			app.P().ID("room-form-hint").Class("muted").Text(hint),
			app.If(f.Form == "dm" && len(f.People) > 0, f.picker()),
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
	)
}

// textInput is the name field; for a direct conversation it may stay
// empty when people are picked.
func (f *roomForm) textInput() app.UI {
	in := app.Input().ID("room-form-text").Name("text").Type("text").Aria("describedby", "room-form-hint").Attr("autocomplete", "off")
	if f.Form != "dm" || len(f.picked) == 0 {
		in = in.Required(true)
	}
	if f.Form == "dm" {
		in = in.OnInput(func(ctx app.Context, e app.Event) { f.filter = e.Get("target").Get("value").String() })
	}
	return in
}

// picker lists people to check.
func (f *roomForm) picker() app.UI {
	list := f.pickable()
	return app.FieldSet().ID("people-picker").Body(
		app.Legend().Text("Or pick people"),
		app.If(len(list) == 0, app.P().Class("muted").Text("Nobody you know matches.")),
		app.Ul().Body(
			app.Range(list).Slice(func(i int) app.UI {
				p := list[i]
				box := app.Input().Type("checkbox").Value(p.Name).OnChange(func(ctx app.Context, e app.Event) {
					name := e.Get("target").Get("value").String() // not p: see dataOf
					if e.Get("target").Get("checked").Bool() {
						if !slices.Contains(f.picked, name) {
							f.picked = append(f.picked, name)
						}
					} else {
						f.picked = slices.DeleteFunc(f.picked, func(n string) bool { return n == name })
					}
				})
				if slices.Contains(f.picked, p.Name) {
					box = box.Checked(true)
				}
				status := "offline"
				if p.Online {
					status = "online"
				}
				return app.Li().Body(app.Label().Class(status).Body(
					box,
					app.Span().Class("presence "+map[bool]string{true: "on", false: ""}[p.Online]).Aria("hidden", true),
					app.Text(p.Name),
					app.Span().Class("visually-hidden").Text(", "+status),
				))
			}),
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
	text := form.Get("text").Get("value").String()
	if f.Form == "dm" {
		var names []string
		for name := range strings.SplitSeq(text, ",") {
			if name = strings.TrimSpace(name); name != "" && !slices.Contains(f.picked, name) {
				names = append(names, name)
			}
		}
		text = strings.Join(append(names, f.picked...), ",")
	}
	if f.OnSubmit != nil {
		f.OnSubmit(ctx, text, private)
	}
}

package app

import (
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// messageList shows the conversation. It opens at the first unread
// message, under a "New messages" line, or at the end; it keeps the
// newest line in view unless the reader has scrolled up; then it offers
// a "new messages" pill instead of moving the text under their eyes.
type messageList struct {
	app.Compo

	// Room is the room shown. UnreadKey names where its unread messages
	// began when it was opened ("": none), and UnreadAt is the index in
	// Entries of the first of them (-1: not among them): the list opens
	// there, once per key.
	Room      string
	UnreadAt  int
	UnreadKey string

	Entries []Entry
	// Pending are the reader's messages not yet stored, shown last.
	Pending []Entry
	// More reports that older messages can be loaded; Loading, that they
	// are on their way.
	More, Loading bool
	// Ready reports that Entries hold the room's recent history: until
	// then the list says it is loading, never that there are no messages.
	Ready bool
	// OnTop asks for older messages: the reader reached the top.
	OnTop func(ctx app.Context)
	// Moderator reports that the reader moderates the room: every
	// message's menu offers Delete (their own messages' always does).
	// OnDelete and OnReport act on the message with an id.
	Moderator bool
	OnDelete  func(ctx app.Context, id uint64)
	OnReport  func(ctx app.Context, id uint64)
	// Self is the reader's account id: the colour of their avatar also on
	// their messages not yet stored, and which reactions are theirs.
	Self string
	// OnReply, OnEdit and OnReact act on the message with an id: reply
	// to it, edit it (the reader's own), toggle the reader's reaction
	// emoji. OnJump shows the message with an id, loading older history
	// if it must (a reply's quote).
	OnReply, OnEdit func(ctx app.Context, id uint64)
	OnReact         func(ctx app.Context, id uint64, emoji string)
	OnJump          func(ctx app.Context, id uint64)
	// Seen says who has read what ("Seen", "Seen by alice, bob +3"),
	// under the message SeenAt.
	SeenAt uint64
	Seen   string

	atBottom bool // the reader is at the end of the list
	pill     bool // new messages arrived below the reader
	shown    int  // len(Entries) when last rendered
	firstID  uint64
	lastID   uint64
	pending  int
	height   int // scrollHeight when last rendered
	room     string
	// scrolledTo is the UnreadKey the list was opened at.
	scrolledTo string
	// menu is the id of the message whose actions menu is open (0: none);
	// picking, the one whose emoji picker is open.
	menu, picking uint64
}

func (l *messageList) OnMount(ctx app.Context) {
	l.atBottom = true
	l.room = l.Room
	l.remember()
	if !l.toUnread() {
		l.scrollToEnd()
	}
}

// toUnread scrolls the first unread message to the top of the list, once
// per mark, and reports whether it did.
func (l *messageList) toUnread() bool {
	if l.UnreadAt < 0 || l.UnreadKey == "" || l.UnreadKey == l.scrolledTo {
		return false
	}
	line := app.Window().GetElementByID("unread-divider")
	if !line.Truthy() {
		return false
	}
	l.scrolledTo = l.UnreadKey
	opts := app.Window().Get("Object").New()
	opts.Set("block", "start")
	line.Call("scrollIntoView", opts)
	if el := l.log(); el.Truthy() {
		l.atBottom = nearEnd(el)
	}
	return true
}

// nearEnd reports whether the list el is scrolled to its end, or nearly.
func nearEnd(el app.Value) bool {
	return el.Get("scrollHeight").Int()-el.Get("scrollTop").Int()-el.Get("clientHeight").Int() < 48
}

// OnUpdate runs after the parent passed new entries and the list was
// rendered with them.
func (l *messageList) OnUpdate(ctx app.Context) {
	n := len(l.Entries)
	var first, last uint64
	if n > 0 {
		first, last = l.Entries[0].ID, l.Entries[n-1].ID
	}
	prepended := first != 0 && l.firstID != 0 && first < l.firstID
	appended := n != l.shown && !prepended || last != l.lastID || len(l.Pending) > l.pending
	own := len(l.Pending) > l.pending || n > 0 && l.Entries[n-1].Own && last != l.lastID
	oldHeight := l.height
	l.remember()
	if l.Room != l.room {
		// Another room: it opens at its first unread message, or at the
		// end.
		l.room, l.atBottom, l.pill = l.Room, true, false
		l.menu, l.picking = 0, 0 // ids of the room left: another message here
		if !l.toUnread() {
			l.scrollToEnd()
		}
		return
	}
	if l.toUnread() {
		return // the unread messages came in: open there
	}
	switch {
	case prepended:
		// Older messages came in above: keep what the reader sees in place.
		if el := l.log(); el.Truthy() {
			el.Set("scrollTop", el.Get("scrollTop").Int()+el.Get("scrollHeight").Int()-oldHeight)
			l.height = el.Get("scrollHeight").Int()
		}
	case appended && (l.atBottom || own):
		l.scrollToEnd()
		l.pill = false
	case appended:
		l.pill = true
	case l.atBottom && l.height > oldHeight:
		// A line grew at the end (reactions, who has seen it): the
		// reader at the end keeps seeing the end.
		l.scrollToEnd()
	}
}

func (l *messageList) remember() {
	l.shown, l.pending = len(l.Entries), len(l.Pending)
	if n := len(l.Entries); n > 0 {
		l.firstID, l.lastID = l.Entries[0].ID, l.Entries[n-1].ID
	}
	if el := l.log(); el.Truthy() {
		l.height = el.Get("scrollHeight").Int()
	}
}

func (l *messageList) log() app.Value {
	return app.Window().GetElementByID("message-log")
}

func (l *messageList) Render() app.UI {
	older := app.Button().Class("link").OnClick(l.top)
	if l.Loading {
		older = older.Disabled(true).Text("Loading older messages…")
	} else {
		older = older.Text("Load older messages")
	}
	empty := ""
	switch {
	case len(l.Entries) > 0 || len(l.Pending) > 0:
	case l.Ready:
		empty = "No messages yet. Say hello!"
	default:
		empty = "Loading messages…"
	}
	// The scrolling log (a live region announcing new lines politely)
	// holds a list, so that screen readers keep its list semantics.
	return app.Section().Class("messages").Aria("label", "Conversation").Body(
		app.Div().
			ID("message-log").
			Class("log").
			Role("log").
			Aria("label", "Messages").
			Aria("live", "polite").
			TabIndex(0).
			OnScroll(l.onScroll).
			Body(
				app.If(l.More, app.Div().Class("older").Body(older)),
				app.If(empty != "", app.P().Class("empty").Text(empty)),
				app.Ol().Class("lines").Body(l.lines()...),
			),
		app.If(l.pill, app.Button().Class("pill").Text("New messages ↓").OnClick(l.jumpToEnd)),
	)
}

// lines renders the entries as layout arranges them: a line naming each
// day, the "New messages" line before the first unread one, groups of one
// person's messages, runs of notices as one line; then the pending ones.
func (l *messageList) lines() []app.UI {
	unreadAt := -1
	if l.UnreadKey != "" {
		unreadAt = l.UnreadAt
	}
	rows := layout(l.Entries, l.Pending, unreadAt, time.Now())
	lines := make([]app.UI, 0, len(rows))
	for _, r := range rows {
		switch r.Kind {
		case lineDay:
			// A heading in the list, so that screen readers can move
			// from day to day.
			lines = append(lines, app.Li().Class("day").Body(app.H2().Text(r.Day)))
		case lineUnread:
			lines = append(lines, app.Li().ID("unread-divider").Class("unread-divider").Body(app.Span().Text("New messages")))
		case lineNotices:
			lines = append(lines, renderNotices(r.Entries))
		default:
			e := r.Entries[0]
			lines = append(lines, l.renderEntry(e, r.First))
			if l.Seen != "" && e.ID == l.SeenAt && !e.Pending && !e.Sent {
				// Not announced by the log: who read what is no news
				// worth interrupting for.
				lines = append(lines, app.Li().ID("seen").Class("seen").Aria("live", "off").Text(l.Seen))
			}
		}
	}
	return lines
}

// renderNotices renders a run of notices as one line, with the full list
// behind a disclosure when the line counts people rather than naming
// them.
func renderNotices(run []Entry) app.UI {
	short, full := noticesText(run)
	at := run[len(run)-1].At
	when := app.Time().DateTime(at.Format(time.RFC3339)).Title(fullTime(at.Local())).Text(at.Local().Format("15:04"))
	if full == "" {
		return app.Li().Class("notice").Body(app.Text(short+" "), when)
	}
	return app.Li().Class("notice").Body(app.Details().Body(
		app.Summary().Body(app.Text(short+" "), when),
		app.P().Text(full),
	))
}

// renderEntry renders a message. The first of a group shows its author's
// avatar and name; the others show only their text, with their time in
// the margin on hover and focus, and their author's name for screen
// readers only, so that every message still says who wrote it.
func (l *messageList) renderEntry(e Entry, first bool) app.UI {
	class := "message"
	if first {
		class += " first"
	} else {
		class += " cont"
	}
	if e.Own {
		class += " own"
	}
	if e.Deleted {
		class += " deleted"
	}
	if e.Mention {
		class += " mention"
	}
	state := ""
	switch {
	case e.Sent:
		class += " pending"
		state = "Sent"
	case e.Pending:
		class += " pending"
		state = "Not sent yet"
	}
	hm := e.At.Local().Format("15:04")
	from := app.Span().Class("from").Text(e.From)
	var avatar app.UI = app.If(false)
	if first {
		key := e.Author
		if key == "" && e.Own {
			key = l.Self
		}
		if key == "" {
			key = e.From
		}
		avatar = app.Span().Class("avatar", avatarClass(key)).Aria("hidden", true).Text(initials(e.From))
	} else {
		from = from.Class("visually-hidden")
	}
	var edited app.UI = app.If(false)
	if !e.Edited.IsZero() && !e.Deleted {
		edited = app.Span().Class("edited").Title("Edited " + fullTime(e.Edited.Local())).Text("(edited)")
	}
	meta := app.Div().Class("meta").Body(
		from,
		stamp(e, hm),
		edited,
		app.If(state != "", app.Span().Class("state").Text(state)),
	)
	li := app.Li().Class(class).DataSet("id", e.ID)
	if e.ID != 0 {
		li = li.ID(messageElementID(e.ID)).TabIndex(-1) // a reply's quote moves the focus here
	}
	if e.Deleted {
		return li.Body(avatar, meta, app.P().Class("text").Text("Message deleted"), l.replies(e))
	}
	var actions, picker app.UI = app.If(false), app.If(false)
	if e.ID != 0 && !e.Pending && !e.Sent {
		actions = l.actions(e, hm)
		if l.picking == e.ID {
			// Not announced by the log around it: the picker is no news.
			picker = app.Div().Class("msg-picker").Aria("live", "off").Body(&emojiPicker{
				ID: "react-emoji",
				OnPick: func(ctx app.Context, emoji string) {
					id := l.picking
					l.picking = 0
					call3(l.OnReact, ctx, id, emoji)
					ctx.Defer(func(app.Context) { focus("actions-" + strconv.FormatUint(id, 10)) })
				},
				OnClose: func(ctx app.Context) {
					id := l.picking
					l.picking = 0
					ctx.Defer(func(app.Context) { focus("actions-" + strconv.FormatUint(id, 10)) })
				},
			})
		}
	}
	return li.DataSet("client-id", e.ClientID).Body(
		avatar,
		meta,
		l.quote(e),
		l.text(e),
		l.reactions(e),
		l.replies(e),
		actions,
		picker,
	)
}

// messageElementID is the element id of the message id in the list.
func messageElementID(id uint64) string { return "msg-" + strconv.FormatUint(id, 10) }

// quote renders what a reply answers: the original's author and the
// start of its text (as it is now if the list has it), a button that
// shows the original.
func (l *messageList) quote(e Entry) app.UI {
	if e.ReplyTo == 0 {
		return app.If(false)
	}
	from, text := "", "a message"
	if e.Quote != nil {
		from, text = e.Quote.From, e.Quote.Text
		if text == "" {
			text = "Message deleted"
		}
	}
	for i := len(l.Entries) - 1; i >= 0; i-- {
		if o := l.Entries[i]; o.Kind == EntryMessage && o.ID == e.ReplyTo {
			from, text = o.From, shared.QuoteOf(o.message()).Text
			if o.Deleted {
				text = "Message deleted"
			}
			break
		}
	}
	return app.Button().Class("reply-quote").Type("button").DataSet("id", e.ReplyTo).
		Aria("label", "Reply to "+from+": "+shared.PlainText(text)+". Show the message").
		OnClick(func(ctx app.Context, ev app.Event) { call2(l.OnJump, ctx, idOf(ctx)) }).
		Body(app.Span().Class("reply-from").Text(from), app.Span().Class("reply-text").Text(shared.PlainText(text)))
}

// reactions renders the reactions to a message: one toggle button per
// emoji with its count, pressed if the reader gave it, naming who did
// on hover and to screen readers; and a button to add another.
func (l *messageList) reactions(e Entry) app.UI {
	if len(e.Reactions) == 0 {
		return app.If(false)
	}
	id := strconv.FormatUint(e.ID, 10)
	buttons := make([]app.UI, 0, len(e.Reactions))
	for _, r := range e.Reactions {
		label := reactionLabel(r, l.Self)
		buttons = append(buttons, app.Button().Class("reaction").Type("button").
			DataSet("id", id).DataSet("emoji", r.Emoji).
			Aria("pressed", r.Reacted(l.Self)).Aria("label", label).Title(label).
			OnClick(func(ctx app.Context, ev app.Event) { call3(l.OnReact, ctx, idOf(ctx), dataOf(ctx, "emoji")) }).
			Body(app.Span().Aria("hidden", true).Text(r.Emoji), app.Span().Class("count").Aria("hidden", true).Text(strconv.Itoa(len(r.People)))))
	}
	buttons = append(buttons, app.Button().Class("reaction add").Type("button").DataSet("id", id).
		Aria("label", "Add a reaction").Title("Add a reaction").Text("+").
		OnClick(l.openPicker))
	return app.Div().Class("reactions").Role("group").Aria("label", "Reactions").Body(buttons...)
}

// replies renders how many messages answer this one.
func (l *messageList) replies(e Entry) app.UI {
	switch e.Replies {
	case 0:
		return app.If(false)
	case 1:
		return app.P().Class("replies").Text("1 reply")
	}
	return app.P().Class("replies").Text(strconv.Itoa(e.Replies) + " replies")
}

// openPicker opens the emoji picker of the message whose button was
// pressed, to react with any emoji.
func (l *messageList) openPicker(ctx app.Context, e app.Event) {
	l.menu, l.picking = 0, idOf(ctx)
}

// call3 calls fn with ctx, id and s if it is set.
func call3(fn func(app.Context, uint64, string), ctx app.Context, id uint64, s string) {
	if fn != nil {
		fn(ctx, id, s)
	}
}

// text renders what a message says.
func (l *messageList) text(e Entry) app.UI {
	return app.Div().Class("text").Body(formatted(e.Text, e.Me)...)
}

// stamp renders the time of a message, hh:mm, with its full date in a
// tooltip shown on hover, on focus (the time is focusable) and, on touch
// screens, on a long press; a tap on the time, or leaving it, hides it
// again.
func stamp(e Entry, hm string) app.UI {
	tip := "tip-" + strconv.FormatUint(e.ID, 10)
	if e.ID == 0 {
		tip = "tip-c-" + e.ClientID
	}
	return app.Time().Class("stamp").DateTime(e.At.Format(time.RFC3339)).TabIndex(0).Aria("describedby", tip).
		OnContextMenu(func(ctx app.Context, ev app.Event) {
			ev.PreventDefault() // the tooltip rather than the menu
			showTip(ctx.JSSrc(), true)
		}).
		On("pointerdown", pressTip).
		On("pointerup", endPress).
		On("pointercancel", endPress).
		OnBlur(func(ctx app.Context, ev app.Event) { showTip(ctx.JSSrc(), false) }).
		Body(
			app.Text(hm),
			app.Span().ID(tip).Class("tip").Role("tooltip").Text(fullTime(e.At.Local())),
		)
}

// longPress is how long a touch on a message's time lasts before its
// tooltip shows (where the browser shows no context menu for it, as
// Safari on iOS).
const longPress = 500 * time.Millisecond

// pressTip hides the tooltip of the time touched, if shown; otherwise a
// touch that lasts longPress shows it. The element remembers the press,
// since a list's handlers do not (see dataOf).
func pressTip(ctx app.Context, e app.Event) {
	el := ctx.JSSrc()
	if el.Get("classList").Call("contains", "open").Bool() {
		showTip(el, false)
		return
	}
	if e.Get("pointerType").String() != "touch" {
		return
	}
	press := strconv.FormatFloat(e.Get("timeStamp").Float(), 'f', -1, 64)
	el.Get("dataset").Set("press", press)
	ctx.After(longPress, func(ctx app.Context) {
		if el.Get("dataset").Get("press").String() == press {
			showTip(el, true)
		}
	})
}

// endPress ends a press: lifted before longPress, it shows no tooltip.
func endPress(ctx app.Context, e app.Event) {
	ctx.JSSrc().Get("dataset").Delete("press")
}

// showTip shows or hides the tooltip of the time el.
func showTip(el app.Value, show bool) {
	el.Get("classList").Call("toggle", "open", show)
}

// actions is the menu of a stored message: Report, for others'
// messages; Delete, for one's own and for moderators. A disclosure: a
// button that shows or hides the list of actions, all reachable by the
// keyboard; Escape closes it.
func (l *messageList) actions(e Entry, hm string) app.UI {
	id := strconv.FormatUint(e.ID, 10)
	open := l.menu == e.ID
	toggle := app.Button().ID("actions-"+id).Class("msg-actions").Type("button").DataSet("id", id).
		Aria("label", "Actions for the message of "+e.From+" at "+hm).
		Aria("expanded", open).Title("Actions").Text("⋯").
		OnClick(l.toggleMenu)
	var menu app.UI = app.If(false)
	if open {
		toggle = toggle.Aria("controls", "menu-"+id) // only while the menu is there
		item := func(class, label string, fn func(app.Context, uint64)) app.UI {
			return app.Li().Body(app.Button().Class(class).Type("button").DataSet("id", id).Text(label).
				OnClick(func(ctx app.Context, ev app.Event) {
					l.menu = 0
					call2(fn, ctx, idOf(ctx))
				}))
		}
		items := []app.UI{
			item("reply", "Reply", l.OnReply),
			app.Li().Body(app.Button().Class("react").Type("button").DataSet("id", id).Text("React…").OnClick(l.openPicker)),
		}
		if e.Own {
			items = append(items, item("edit", "Edit", l.OnEdit))
		}
		if !e.Own {
			items = append(items, item("report", "Report…", l.OnReport))
		}
		if e.Own || l.Moderator {
			items = append(items, item("delete danger", "Delete", l.OnDelete))
		}
		menu = app.Ul().ID("menu-"+id).Class("msg-menu").Aria("label", "Message actions").Body(items...).
			OnKeyDown(func(ctx app.Context, ev app.Event) {
				if ev.Get("key").String() == "Escape" {
					ev.PreventDefault() // handled: the page keeps its panels
					toggle := "actions-" + strconv.FormatUint(l.menu, 10)
					l.menu = 0
					ctx.Defer(func(app.Context) { focus(toggle) })
				}
			})
	}
	return app.Div().Class("msg-tools").Body(toggle, menu)
}

// toggleMenu opens or closes the actions menu of the message whose
// button was pressed (read from the DOM: see dataOf).
func (l *messageList) toggleMenu(ctx app.Context, e app.Event) {
	id := idOf(ctx)
	if l.menu == id {
		l.menu = 0
		return
	}
	l.menu = id
}

func (l *messageList) onScroll(ctx app.Context, e app.Event) {
	el := ctx.JSSrc()
	l.atBottom = nearEnd(el)
	if l.atBottom {
		l.pill = false
	}
	if el.Get("scrollTop").Int() < 64 {
		l.top(ctx, e)
	}
}

// top asks for older messages, once at a time.
func (l *messageList) top(ctx app.Context, e app.Event) {
	if l.More && !l.Loading && l.OnTop != nil {
		l.OnTop(ctx)
	}
}

func (l *messageList) jumpToEnd(ctx app.Context, e app.Event) {
	l.pill = false
	l.atBottom = true
	l.scrollToEnd()
}

func (l *messageList) scrollToEnd() {
	if el := l.log(); el.Truthy() {
		el.Set("scrollTop", el.Get("scrollHeight"))
		l.height = el.Get("scrollHeight").Int()
	}
}

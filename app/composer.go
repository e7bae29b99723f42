package app

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

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

	// Disabled turns the composer off; Why, if set, says why in its
	// place (a locked room).
	Disabled bool
	Why      string
	// Status is the connection's: it says when messages will go out.
	Status Status
	// Error is shown under the text area (a refused message).
	Error string
	// OnSend receives the text; it returns an error to keep the text and
	// show why it was not sent.
	OnSend func(ctx app.Context, text string) error
	// Names are the nicknames an @ may complete to.
	Names []string
	// Replying is the message the next one answers; Editing, the
	// reader's message whose text is being changed (at most one is set).
	// OnCancel stops replying or editing (Escape, or the Cancel button).
	Replying, Editing *Entry
	OnCancel          func(ctx app.Context)
	// OnEditLast is called by Up in an empty composer: it starts editing
	// the reader's last message (putting its text in the composer), and
	// reports whether there is one.
	OnEditLast func(ctx app.Context) bool
	// OnTyping is called while the reader types, at most once per
	// shared.TypingEvery.
	OnTyping func(ctx app.Context)

	typed   time.Time // when OnTyping was last called
	picking bool      // the emoji picker is open
	used    int       // bytes typed
	failed  string
	// While an @mention is being typed: the names it may complete to, the
	// one chosen by the arrow keys, and where the @ is in the text.
	suggest []string
	active  int
	at      int
}

// maxSuggestions is how many names the @ completion offers.
const maxSuggestions = 6

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
	if c.Disabled && c.Why != "" {
		placeholder = c.Why
	}
	area := app.Textarea().
		ID("composer-text").
		Aria("label", "Message").
		Aria("describedby", c.describedBy()).
		Aria("autocomplete", "list").
		Aria("controls", "mention-list").
		Placeholder(placeholder).
		Rows(1).
		Attr("enterkeyhint", "send").
		OnKeyDown(c.keyDown).
		OnInput(c.input)
	if len(c.suggest) > 0 {
		area = area.Aria("activedescendant", fmt.Sprint("mention-", c.active))
	}
	send := app.Button().Type("submit").Text("Send")
	if c.Disabled {
		area = area.Disabled(true)
	}
	if c.Disabled || left < 0 {
		send = send.Disabled(true)
	}
	list := app.Ul().ID("mention-list").Class("mentions").Role("listbox").Aria("label", "People")
	if len(c.suggest) == 0 {
		list = list.Hidden(true) // only when true: go-app writes hidden="false"
	}
	return app.Form().Class("composer").Aria("label", "Write a message").OnSubmit(c.submit).Body(
		c.mode(),
		list.Body(
			app.Range(c.suggest).Slice(func(i int) app.UI {
				name := c.suggest[i]
				return app.Li().ID(fmt.Sprint("mention-", i)).Role("option").Aria("selected", i == c.active).DataSet("name", name).Text(name).
					OnMouseDown(func(ctx app.Context, e app.Event) {
						e.PreventDefault() // keep the focus in the text
						c.pick(ctx, app.Window().GetElementByID("composer-text"), dataOf(ctx, "name"))
					})
			}),
		),
		area,
		c.emojiButton(),
		send,
		c.picker(),
		app.Div().ID("composer-help").Class("composer-help").Body(
			app.If(left < composerWarnBytes, app.Span().
				Class("left").
				DataSet("over", left < 0).
				Text(fmt.Sprintf("%d bytes left", left))),
			app.If(errText != "", app.Span().Class("error").Role("alert").Text(errText)),
		),
	)
}

// emojiButton opens and closes the emoji picker that inserts an emoji
// where the caret is.
func (c *composer) emojiButton() app.UI {
	b := app.Button().ID("composer-emoji").Class("composer-emoji").Type("button").
		Aria("label", "Insert an emoji").Title("Insert an emoji").Aria("expanded", c.picking).Text("☺").
		OnClick(func(ctx app.Context, e app.Event) { c.picking = !c.picking })
	if c.Disabled {
		b = b.Disabled(true)
	}
	return b
}

// picker is the emoji picker of the composer, while it is open.
func (c *composer) picker() app.UI {
	if !c.picking {
		return app.If(false)
	}
	return app.Div().Class("composer-picker").Body(&emojiPicker{
		ID: "insert-emoji",
		OnPick: func(ctx app.Context, emoji string) {
			c.picking = false
			el := ctx.JSSrc().Call("closest", "form").Call("querySelector", "textarea")
			c.insert(el, emoji)
		},
		OnClose: func(ctx app.Context) {
			c.picking = false
			focus("composer-emoji")
		},
	})
}

// insert puts s in the text area el where its caret is (replacing the
// selection), leaves the caret after it, and moves the focus there.
func (c *composer) insert(el app.Value, s string) {
	if !el.Truthy() {
		return
	}
	text := el.Get("value").String()
	start := min(max(utf16ToByte(text, el.Get("selectionStart").Int()), 0), len(text))
	end := min(max(utf16ToByte(text, el.Get("selectionEnd").Int()), start), len(text))
	text = text[:start] + s + text[end:]
	el.Set("value", text)
	pos := len(utf16.Encode([]rune(text[:start+len(s)])))
	el.Call("focus")
	el.Call("setSelectionRange", pos, pos)
	c.used = len(text)
}

// describedBy names what describes the text area: the mode, while it
// replies or edits (so that a screen reader says so), and the help.
func (c *composer) describedBy() string {
	if c.Editing != nil || c.Replying != nil {
		return "composer-mode composer-help"
	}
	return "composer-help"
}

// mode says what the composer does besides writing a new message:
// replying to one, with a quote of it, or editing one; with a button
// that stops it (as Escape does).
func (c *composer) mode() app.UI {
	var label, cancel string
	var quote app.UI = app.If(false)
	switch {
	case c.Editing != nil:
		label, cancel = "Editing your message", "Cancel the edit (Escape)"
	case c.Replying != nil:
		label, cancel = "Replying to "+c.Replying.From, "Cancel the reply (Escape)"
		quote = app.Span().Class("composer-quote").Text(shared.PlainText(shared.QuoteOf(c.Replying.message()).Text))
	default:
		return app.If(false)
	}
	return app.Div().ID("composer-mode").Class("composer-mode").Body(
		app.Span().Class("composer-mode-label").Text(label),
		quote,
		app.Button().Type("button").Class("link").Aria("label", cancel).Text("Cancel").
			OnClick(func(ctx app.Context, e app.Event) {
				c.cancel(ctx, ctx.JSSrc().Call("closest", "form").Call("querySelector", "textarea"))
			}),
	)
}

// cancel stops replying or editing: an edit's text goes from the text
// area el, a reply's stays to be sent as a message of its own.
func (c *composer) cancel(ctx app.Context, el app.Value) {
	if c.Editing != nil && el.Truthy() {
		el.Set("value", "")
		c.used = 0
	}
	call(c.OnCancel, ctx)
	if el.Truthy() {
		el.Call("focus")
	}
}

func (c *composer) keyDown(ctx app.Context, e app.Event) {
	key := e.Get("key").String()
	if len(c.suggest) == 0 {
		switch {
		case key == "Escape" && (c.Editing != nil || c.Replying != nil): // before the page's panels
			e.PreventDefault()
			c.cancel(ctx, ctx.JSSrc())
			return
		case key == "ArrowUp" && c.Editing == nil && c.OnEditLast != nil && ctx.JSSrc().Get("value").String() == "":
			if c.OnEditLast(ctx) {
				e.PreventDefault()
			}
			return
		}
	}
	if len(c.suggest) > 0 {
		switch key {
		case "ArrowDown":
			c.active = (c.active + 1) % len(c.suggest)
		case "ArrowUp":
			c.active = (c.active + len(c.suggest) - 1) % len(c.suggest)
		case "Enter", "Tab":
			c.pick(ctx, ctx.JSSrc(), c.suggest[c.active])
		case "Escape":
			c.suggest = nil
		default:
			return
		}
		e.PreventDefault()
		return
	}
	if key != "Enter" || e.Get("shiftKey").Bool() || e.Get("isComposing").Bool() {
		return
	}
	e.PreventDefault()
	c.send(ctx, ctx.JSSrc())
}

func (c *composer) input(ctx app.Context, e app.Event) {
	el := ctx.JSSrc()
	text := el.Get("value").String()
	c.used = len(text)
	// Only what a person types says they type: not a text given back.
	if now := time.Now(); c.OnTyping != nil && c.Editing == nil && e.Get("isTrusted").Bool() && strings.TrimSpace(text) != "" && now.Sub(c.typed) >= shared.TypingEvery {
		c.typed = now
		c.OnTyping(ctx)
	}
	c.failed = ""
	c.suggest, c.active = nil, 0
	// The text from the @ being typed, if any, to the cursor.
	cursor := min(max(utf16ToByte(text, el.Get("selectionStart").Int()), 0), len(text))
	at := strings.LastIndexByte(text[:cursor], '@')
	if at < 0 || (at > 0 && !strings.ContainsAny(text[at-1:at], " \n\t([")) {
		return
	}
	query := text[at+1 : cursor]
	if strings.ContainsAny(query, "\n@") || len(query) > 4*shared.MaxNicknameChars {
		return
	}
	key := shared.NicknameKey(query)
	for _, name := range c.Names {
		if strings.HasPrefix(shared.NicknameKey(name), key) {
			c.suggest = append(c.suggest, name)
			if len(c.suggest) == maxSuggestions {
				break
			}
		}
	}
	c.at = at
}

// pick completes the @mention being typed in the text area el to name.
func (c *composer) pick(ctx app.Context, el app.Value, name string) {
	text := el.Get("value").String()
	cursor := min(max(utf16ToByte(text, el.Get("selectionStart").Int()), c.at), len(text))
	if c.at >= len(text) || text[c.at] != '@' {
		c.suggest = nil
		return
	}
	done := "@" + name + " "
	text = text[:c.at] + done + text[cursor:]
	el.Set("value", text)
	pos := len(utf16.Encode([]rune(text[:c.at+len(done)])))
	el.Call("setSelectionRange", pos, pos)
	c.used = len(text)
	c.suggest, c.active = nil, 0
}

// utf16ToByte turns an offset in UTF-16 code units, as the DOM counts, into
// one in bytes of s.
func utf16ToByte(s string, units int) int {
	n := 0
	for i, r := range s {
		if n >= units {
			return i
		}
		n += utf16.RuneLen(r)
	}
	return len(s)
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
	c.typed = time.Time{} // the message ends the typing: the next one is news
	el.Call("focus")
}

package app

import (
	"slices"
	"time"
	"unicode/utf16"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// The page's part of a conversation beyond writing: replying to a
// message, editing one's own, reacting, and saying that one types.

// composeMode is what the composer does besides writing a new message:
// replying to a message of a room, or editing one of the reader's. It
// holds copies of the entries, so that the mode does not depend on the
// message staying in the list (a long list drops its oldest lines).
type composeMode struct {
	room  string
	reply *Entry
	edit  *Entry
	// draft is what the composer held when the edit began: it comes
	// back when the edit ends.
	draft string
}

// modeEntries returns the entries the composer replies to and edits in
// the room shown, if any.
func (p *Page) modeEntries() (replying, editing *Entry) {
	if p.mode.room != p.rooms.Current {
		return nil, nil
	}
	return p.mode.reply, p.mode.edit
}

// startReply makes the next message a reply to the message id; what the
// composer holds stays, to be the reply (an edit under way ends first).
func (p *Page) startReply(ctx app.Context, id uint64) {
	e := p.rooms.current().entry(id)
	if e == nil || e.Deleted || e.ID == 0 {
		return
	}
	reply := *e
	p.cancelMode(ctx)
	p.mode = composeMode{room: p.rooms.Current, reply: &reply}
	ctx.Defer(func(app.Context) { focus("composer-text") })
}

// startEdit puts the text of the reader's message id in the composer to
// edit it, keeping what the composer held to give it back when the edit
// ends.
func (p *Page) startEdit(ctx app.Context, id uint64) {
	e := p.rooms.current().entry(id)
	if e == nil || !e.Own || e.Deleted || e.ID == 0 {
		return
	}
	edit := *e
	draft := ""
	if p.mode.edit != nil {
		draft = p.mode.draft // editing another: the draft is still the one before
	} else if el := app.Window().GetElementByID("composer-text"); el.Truthy() {
		draft = el.Get("value").String()
	}
	p.mode = composeMode{room: p.rooms.Current, edit: &edit, draft: draft}
	setComposer(ctx, edit.Text)
}

// cancelMode stops replying and editing; an edit gives back the draft it
// replaced.
func (p *Page) cancelMode(ctx app.Context) {
	if p.mode.edit != nil {
		setComposer(ctx, p.mode.draft)
	}
	p.mode = composeMode{}
}

// setComposer puts text in the composer once the page is rendered, as if
// typed (the composer counts its bytes), with the caret at its end and
// the focus there.
func setComposer(ctx app.Context, text string) {
	ctx.Defer(func(app.Context) {
		el := app.Window().GetElementByID("composer-text")
		if !el.Truthy() {
			return
		}
		if el.Get("value").String() != text {
			el.Set("value", text)
			el.Call("dispatchEvent", app.Window().Get("Event").New("input", map[string]any{"bubbles": true}))
		}
		el.Call("focus")
		n := len(utf16.Encode([]rune(text))) // the DOM counts UTF-16 units
		el.Call("setSelectionRange", n, n)
	})
}

// toggleReaction adds the reader's reaction emoji to the message id of
// the room shown, or takes it back if they gave it: as the server has
// it, changed by the reactions to it still in the outbox (a second tap
// before the first is stored takes the first back).
func (p *Page) toggleReaction(ctx app.Context, id uint64, emoji string) {
	e := p.rooms.current().entry(id)
	if e == nil || e.Deleted || p.client == nil {
		return
	}
	given := slices.ContainsFunc(e.Reactions, func(r shared.Reaction) bool { return r.Emoji == emoji && r.Reacted(p.me) })
	for _, q := range p.outbox.Items() {
		if q.Type == shared.TypeReact && q.In() == p.rooms.Current && q.Of == id && q.Emoji == emoji {
			given = !q.Remove
		}
	}
	if _, err := p.client.React(p.ctx, p.rooms.Current, id, emoji, given); err != nil {
		p.sayError = err.Error()
	}
}

// typing tells the room shown that the reader is typing.
func (p *Page) typing(ctx app.Context) {
	if p.client != nil {
		p.client.Typing(p.ctx, p.rooms.Current)
	}
}

// typingChanged re-renders the page when the people a typing event
// named stop showing, so that "is typing…" goes away by itself.
func (p *Page) typingChanged(ctx app.Context, room string) {
	ctx.After(shared.TypingLasts+10*time.Millisecond, func(app.Context) {})
}

// escapeCloses calls close for the Escape key e, unless something inside
// the panel it was pressed in handled it first (a menu, a picker, a
// dialog).
func escapeCloses(ctx app.Context, e app.Event, close func(app.Context)) {
	if e.Get("key").String() == "Escape" && !e.Get("defaultPrevented").Bool() {
		e.PreventDefault()
		call(close, ctx)
	}
}

// closePanel closes the member list (users) or the rooms drawer, and
// gives the focus back to the button that opened it.
func (p *Page) closePanel(ctx app.Context, users bool) {
	toggle := ".rooms-toggle"
	if users {
		p.showUsers, toggle = false, ".users-toggle"
	} else {
		p.showRooms = false
	}
	ctx.Defer(func(app.Context) { focusFirst(toggle) })
}

// focusFirst moves the focus to the first element matching selector.
func focusFirst(selector string) {
	if el := app.Window().Get("document").Call("querySelector", selector); el.Truthy() {
		el.Call("focus")
	}
}

// maxJumpPages is how many older pages jump loads to find a message.
const maxJumpPages = 25

// jump shows the message id of the room shown: it scrolls it into view
// and moves the focus to it, loading older pages until the list has it
// (or the room has none older, or maxJumpPages were loaded for it).
func (p *Page) jump(ctx app.Context, id uint64) {
	c := p.rooms.current()
	if c.entry(id) != nil {
		p.jumpTo, p.jumpPages = 0, 0
		ctx.Defer(func(app.Context) {
			el := app.Window().GetElementByID(messageElementID(id))
			if !el.Truthy() {
				return
			}
			opts := app.Window().Get("Object").New()
			opts.Set("block", "center")
			el.Call("scrollIntoView", opts)
			el.Call("focus", map[string]any{"preventScroll": true})
		})
		return
	}
	switch {
	case !c.More || c.FirstID != 0 && id >= c.FirstID:
		p.sayError = "That message is no longer here."
	case p.jumpTo == id && p.jumpPages >= maxJumpPages:
		p.sayError = "That message is far back: scroll up to find it."
	default:
		if p.jumpTo != id {
			p.jumpPages = 0
		}
		if c.Loading || p.loadOlder(ctx) {
			p.jumpTo = id
			p.jumpPages++
			return
		}
		p.sayError = "Older messages cannot be loaded now."
	}
	p.jumpTo, p.jumpPages = 0, 0
}

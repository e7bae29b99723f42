package app

import (
	"slices"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// The page's part of a conversation beyond writing: replying to a
// message, editing one's own, reacting, and saying that one types.

// modeEntries returns the entries the composer replies to and edits in
// the room shown, if any.
func (p *Page) modeEntries() (replying, editing *Entry) {
	c := p.rooms.current()
	if p.replyTo != 0 {
		replying = c.entry(p.replyTo)
	}
	if p.editing != 0 {
		editing = c.entry(p.editing)
	}
	return replying, editing
}

// startReply makes the next message a reply to the message id.
func (p *Page) startReply(ctx app.Context, id uint64) {
	if e := p.rooms.current().entry(id); e == nil || e.Deleted {
		return
	}
	if p.editing != 0 {
		p.cancelMode(ctx)
	}
	p.replyTo = id
	ctx.Defer(func(app.Context) { focus("composer-text") })
}

// startEdit puts the text of the reader's message id in the composer to
// edit it, and returns the text ("" if it cannot be edited).
func (p *Page) startEdit(ctx app.Context, id uint64) string {
	e := p.rooms.current().entry(id)
	if e == nil || !e.Own || e.Deleted {
		return ""
	}
	p.replyTo, p.editing = 0, id
	text := e.Text
	ctx.Defer(func(app.Context) {
		if el := app.Window().GetElementByID("composer-text"); el.Truthy() && el.Get("value").String() != text {
			el.Set("value", text)
		}
		focus("composer-text")
	})
	return text
}

// editLast starts editing the reader's newest message (Up in an empty
// composer) and returns its text.
func (p *Page) editLast(ctx app.Context) string {
	if e := p.rooms.current().ownLast(); e != nil {
		return p.startEdit(ctx, e.ID)
	}
	return ""
}

// cancelMode stops replying and editing.
func (p *Page) cancelMode(ctx app.Context) { p.replyTo, p.editing = 0, 0 }

// toggleReaction adds the reader's reaction emoji to the message id of
// the room shown, or takes it back if they gave it.
func (p *Page) toggleReaction(ctx app.Context, id uint64, emoji string) {
	e := p.rooms.current().entry(id)
	if e == nil || e.Deleted || p.client == nil {
		return
	}
	remove := slices.ContainsFunc(e.Reactions, func(r shared.Reaction) bool { return r.Emoji == emoji && r.Reacted(p.me) })
	if _, err := p.client.React(p.ctx, p.rooms.Current, id, emoji, remove); err != nil {
		p.sayError = err.Error()
	}
}

// typing tells the room shown that the reader is typing.
func (p *Page) typing(ctx app.Context) {
	if p.client != nil {
		p.client.Typing(p.ctx, p.rooms.Current)
	}
}

// typingChanged re-renders the page when the first person shown typing
// stops showing, so that "is typing…" goes away by itself.
func (p *Page) typingChanged(ctx app.Context, room string) {
	c := p.rooms.get(room)
	if ends := c.typingEnds(); !ends.IsZero() {
		ctx.After(time.Until(ends)+10*time.Millisecond, func(app.Context) {})
	}
}

// escape closes the member list and the rooms drawer on Escape, unless
// something inside handled it first (a menu, the picker, the composer
// stopping a reply), and gives the focus back to the button that opened
// the panel.
func (p *Page) escape(ctx app.Context, e app.Event) {
	if e.Get("key").String() != "Escape" || e.Get("defaultPrevented").Bool() {
		return
	}
	switch {
	case p.showUsers:
		p.showUsers = false
		ctx.Defer(func(app.Context) { focusFirst(".users-toggle") })
	case p.showRooms:
		p.showRooms = false
		ctx.Defer(func(app.Context) { focusFirst(".rooms-toggle") })
	}
}

// focusFirst moves the focus to the first element matching selector.
func focusFirst(selector string) {
	if el := app.Window().Get("document").Call("querySelector", selector); el.Truthy() {
		el.Call("focus")
	}
}

// jump shows the message id of the room shown: it scrolls it into view
// and moves the focus to it, loading older pages until the list has it
// (or the room has none older).
func (p *Page) jump(ctx app.Context, id uint64) {
	c := p.rooms.current()
	if c.entry(id) != nil {
		p.jumpTo = 0
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
	if !c.More || c.FirstID != 0 && id >= c.FirstID {
		p.jumpTo = 0
		p.sayError = "That message is no longer here."
		return
	}
	p.jumpTo = id
	if !c.Loading {
		p.loadOlder(ctx)
	}
}

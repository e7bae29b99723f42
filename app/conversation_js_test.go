package app

import (
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// TestMessageConversationControls: a reply shows what it answers as a
// button that asks to show it; reactions are toggles that say who gave
// them; the menu replies, reacts, edits; reply counts and the edited mark
// show.
func TestMessageConversationControls(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.Local)
	var jumped, replied, edited uint64
	var reacted string
	l := &messageList{
		Self: "a",
		Entries: []Entry{
			{Kind: EntryMessage, ID: 1, Author: "b", From: "bob", Text: "lunch at **noon**?", At: at, Replies: 2,
				Edited:    at.Add(time.Minute),
				Reactions: []shared.Reaction{{Emoji: "👍", People: []shared.Person{{ID: "a", Nickname: "ada"}, {ID: "c", Nickname: "carol"}}}}},
			{Kind: EntryMessage, ID: 2, Author: "a", From: "ada", Text: "yes", At: at, Own: true, ReplyTo: 1,
				Quote: &shared.Quote{From: "bob", Text: "lunch at **noon**?"}},
		},
		OnJump:  func(_ app.Context, id uint64) { jumped = id },
		OnReply: func(_ app.Context, id uint64) { replied = id },
		OnEdit:  func(_ app.Context, id uint64) { edited = id },
		OnReact: func(_ app.Context, id uint64, emoji string) { reacted = emoji },
	}
	root, d := mount(t, l)
	click := func(selector string) {
		t.Helper()
		el := root.Call("querySelector", selector)
		if !el.Truthy() {
			t.Fatalf("no %s in %s", selector, root.Get("outerHTML").String())
		}
		el.Call("click")
		d.Consume()
	}

	quote := root.Call("querySelector", "#msg-2 .reply-quote")
	if !quote.Truthy() || quote.Get("tagName").String() != "BUTTON" || !strings.Contains(quote.Get("textContent").String(), "lunch at noon?") {
		t.Fatalf("the reply's quote: %s", root.Get("outerHTML").String())
	}
	click("#msg-2 .reply-quote")
	if jumped != 1 {
		t.Errorf("the quote asks to show %d, want 1", jumped)
	}

	thumbs := root.Call("querySelector", "#msg-1 .reaction")
	if got := thumbs.Call("getAttribute", "aria-label").String(); got != "👍 2: you and carol" {
		t.Errorf("reaction label %q", got)
	}
	if thumbs.Call("getAttribute", "aria-pressed").String() != "true" {
		t.Errorf("the reader's own reaction is not pressed")
	}
	click("#msg-1 .reaction")
	if reacted != "👍" {
		t.Errorf("toggling reacted %q", reacted)
	}
	if got := texts(root, "#msg-1 .replies"); len(got) != 1 || got[0] != "2 replies" {
		t.Errorf("reply count %q", got)
	}
	if got := texts(root, "#msg-1 .edited"); len(got) != 1 || got[0] != "(edited)" {
		t.Errorf("edited mark %q", got)
	}
	if n := root.Call("querySelectorAll", "#msg-1 .text strong").Length(); n != 1 {
		t.Errorf("the text is not formatted: %s", root.Call("querySelector", "#msg-1 .text").Get("outerHTML").String())
	}

	// Others' messages: Reply, React…, Report; one's own: Edit too.
	click("#actions-1")
	if got := texts(root, "#menu-1 button"); strings.Join(got, ",") != "Reply,React…,Report…" {
		t.Errorf("menu of another's message: %q", got)
	}
	click("#menu-1 .reply")
	if replied != 1 {
		t.Errorf("Reply replied to %d", replied)
	}
	click("#actions-2")
	if got := texts(root, "#menu-2 button"); strings.Join(got, ",") != "Reply,React…,Edit,Delete" {
		t.Errorf("menu of one's own message: %q", got)
	}
	click("#menu-2 .edit")
	if edited != 2 {
		t.Errorf("Edit edited %d", edited)
	}
	// React… opens the picker; picking reacts.
	click("#actions-1")
	click("#menu-1 .react")
	click("#msg-1 .emoji-picker button.emoji")
	if reacted == "👍" || reacted == "" {
		t.Errorf("the picker reacted %q", reacted)
	}
	if root.Call("querySelector", ".emoji-picker").Truthy() {
		t.Errorf("the picker stays open after a pick")
	}
}

// TestComposerModes: replying shows what is answered, editing says so;
// Escape and Cancel stop either; Up in an empty composer edits the last
// message.
func TestComposerModes(t *testing.T) {
	cancelled, edits := 0, 0
	c := &composer{
		Replying:   &Entry{Kind: EntryMessage, ID: 1, From: "bob", Text: "lunch?"},
		OnCancel:   func(app.Context) { cancelled++ },
		OnEditLast: func(app.Context) bool { edits++; return true },
	}
	root, d := mount(t, c)
	if got := texts(root, "#composer-mode"); len(got) != 1 || !strings.Contains(got[0], "Replying to bob") || !strings.Contains(got[0], "lunch?") {
		t.Fatalf("replying: %q", got)
	}
	area := root.Call("querySelector", "textarea")
	key := func(k string) {
		area.Call("dispatchEvent", app.Window().Get("KeyboardEvent").New("keydown", map[string]any{"key": k, "bubbles": true, "cancelable": true}))
		d.Consume()
	}
	key("Escape")
	if cancelled != 1 {
		t.Errorf("Escape cancelled %d times", cancelled)
	}
	c.Replying = nil
	key("ArrowUp")
	if edits != 1 {
		t.Errorf("Up in the empty composer asked %d times to edit the last message", edits)
	}
	area.Set("value", "not empty")
	key("ArrowUp")
	if edits != 1 {
		t.Errorf("Up in a composer with text asked to edit")
	}

	// Editing: Cancel clears the text being edited.
	e := &composer{Editing: &Entry{Kind: EntryMessage, ID: 2, Text: "my last words", Own: true}, OnCancel: func(app.Context) { cancelled++ }}
	root, d = mount(t, e)
	if got := texts(root, "#composer-mode"); len(got) != 1 || !strings.Contains(got[0], "Editing your message") {
		t.Fatalf("editing: %q", got)
	}
	area = root.Call("querySelector", "textarea")
	area.Set("value", "my last words, edited")
	root.Call("querySelector", "#composer-mode button").Call("click")
	d.Consume()
	if cancelled != 2 || area.Get("value").String() != "" {
		t.Errorf("Cancel of an edit: %d cancels, text %q", cancelled, area.Get("value").String())
	}
}

// TestComposerInsertsEmoji: the emoji button opens the picker; a pick
// goes where the caret is, and the picker closes.
func TestComposerInsertsEmoji(t *testing.T) {
	c := &composer{}
	root, d := mount(t, c)
	area := root.Call("querySelector", "textarea")
	area.Set("value", "see you !")
	area.Call("setSelectionRange", 8, 8)
	root.Call("querySelector", "#composer-emoji").Call("click")
	d.Consume()
	if root.Call("querySelector", "#composer-emoji").Call("getAttribute", "aria-expanded").String() != "true" {
		t.Fatalf("the picker is not open: %s", root.Get("outerHTML").String())
	}
	first := root.Call("querySelector", ".composer-picker button.emoji")
	emoji := first.Get("textContent").String()
	first.Call("click")
	d.Consume()
	if got := area.Get("value").String(); got != "see you "+emoji+"!" {
		t.Errorf("the composer has %q, want the emoji %q at the caret", got, emoji)
	}
	if root.Call("querySelector", ".composer-picker").Truthy() {
		t.Errorf("the picker stays open")
	}
}

// TestSeenUnderItsMessage: who has seen what shows under that message,
// not announced by the log.
func TestSeenUnderItsMessage(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.Local)
	root, _ := mount(t, &messageList{
		Entries: []Entry{
			{Kind: EntryMessage, ID: 1, Author: "a", From: "ada", Text: "one", At: at, Own: true},
			{Kind: EntryMessage, ID: 2, Author: "a", From: "ada", Text: "two", At: at, Own: true},
		},
		SeenAt: 1,
		Seen:   "Seen",
	})
	seen := root.Call("querySelector", "#seen")
	if !seen.Truthy() || seen.Get("textContent").String() != "Seen" || seen.Call("getAttribute", "aria-live").String() != "off" {
		t.Fatalf("no seen line: %s", root.Get("outerHTML").String())
	}
	if prev := seen.Get("previousElementSibling"); prev.Get("id").String() != "msg-1" {
		t.Errorf("the seen line follows %s, want message 1", prev.Get("id").String())
	}
}

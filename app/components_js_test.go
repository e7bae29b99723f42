package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// mount renders c in the browser's DOM and returns its root element, and
// the dispatcher that runs its UI work.
func mount(t *testing.T, c app.UI) (app.Value, app.ClientDispatcher) {
	t.Helper()
	d := app.NewClientTester(c)
	d.Consume()
	// Attached to the document, as on the page: forms submit only then.
	root := c.JSValue()
	app.Window().Get("document").Get("body").Call("appendChild", root)
	// The tester runs event handlers only at Consume, after the browser's
	// default action, where the app's loop runs them before it: prevent
	// form submission here as the handlers do on the page.
	noSubmit := app.FuncOf(func(this app.Value, args []app.Value) any {
		args[0].Call("preventDefault")
		return nil
	})
	root.Call("addEventListener", "submit", noSubmit, true)
	t.Cleanup(func() {
		root.Call("remove")
		noSubmit.Release()
		d.Close()
	})
	return root, d
}

// texts returns the text of every element under root matching selector.
func texts(root app.Value, selector string) []string {
	nodes := root.Call("querySelectorAll", selector)
	out := make([]string, nodes.Length())
	for i := range out {
		out[i] = nodes.Index(i).Get("textContent").String()
	}
	return out
}

func TestMessageListRenders(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.Local)
	root, _ := mount(t, &messageList{Entries: []Entry{
		{Kind: EntryNotice, Text: "bob joined", At: at},
		{Kind: EntryMessage, ID: 1, From: "bob", Text: "hi <b>all</b> <img src=x onerror=alert(1)>", At: at},
		{Kind: EntryMessage, ID: 2, From: "alice", Text: "see https://go.dev/doc, ok?", At: at, Own: true},
	}})

	// A log named Messages (a live region) holding a list of the lines,
	// so that screen readers keep the list semantics.
	log := root.Call("querySelector", `[role="log"]`)
	if !log.Truthy() || log.Call("getAttribute", "aria-label").String() != "Messages" || log.Get("tagName").String() == "OL" {
		t.Fatalf("no log named Messages: %s", root.Get("outerHTML").String())
	}
	if n := log.Call("querySelectorAll", "ol > li").Length(); n != 4 {
		t.Errorf("the log lists %d lines, want 4 (the day, a notice, two messages)", n)
	}
	if got := texts(root, ".message .from"); strings.Join(got, ",") != "bob,alice" {
		t.Errorf("senders %q", got)
	}
	if got := texts(root, ".message .text"); got[0] != "hi <b>all</b> <img src=x onerror=alert(1)>" {
		t.Errorf("text %q, want it literal", got[0])
	}
	if n := root.Call("querySelectorAll", ".message b, .message img").Length(); n != 0 {
		t.Errorf("the message text made %d elements", n)
	}
	if hm := root.Call("querySelector", ".message time").Get("firstChild").Get("textContent").String(); hm != "09:30" {
		t.Errorf("time %q, want local 09:30", hm)
	}
	if got := texts(root, ".notice"); len(got) != 1 || !strings.HasPrefix(got[0], "bob joined") {
		t.Errorf("notices %q", got)
	}
	own := root.Call("querySelectorAll", ".message.own")
	if own.Length() != 1 || !strings.Contains(own.Index(0).Get("textContent").String(), "see") {
		t.Errorf("own messages are not set apart")
	}
	link := root.Call("querySelector", ".message a")
	if link.Get("href").String() != "https://go.dev/doc" || link.Get("rel").String() != "noopener noreferrer" {
		t.Errorf("link %s", link.Get("outerHTML").String())
	}
}

// TestMessageListGroups: one person's messages in a row show the name and
// avatar once, the others say the name to screen readers only; a day
// line names the day; join and leave notices in a row are one line.
func TestMessageListGroups(t *testing.T) {
	now := time.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 9, 30, 0, 0, time.Local)
	before := today.AddDate(0, 0, -1)
	var joins []Entry
	for _, name := range []string{"carol", "dan", "erin", "finn"} {
		joins = append(joins, Entry{Kind: EntryNotice, From: name, Joined: true, Text: name + " joined", At: before})
	}
	entries := append(joins,
		Entry{Kind: EntryMessage, ID: 1, Author: "b", From: "Bob Smith", Text: "one", At: before},
		Entry{Kind: EntryMessage, ID: 2, Author: "b", From: "Bob Smith", Text: "two", At: before.Add(time.Minute)},
		Entry{Kind: EntryMessage, ID: 3, Author: "b", From: "Bob Smith", Text: "three", At: today},
		Entry{Kind: EntryMessage, ID: 4, Author: "a", From: "alice", Text: "four", At: today.Add(time.Minute), Own: true},
	)
	root, _ := mount(t, &messageList{Ready: true, UnreadAt: -1, Self: "a", Entries: entries, Pending: []Entry{
		{Kind: EntryMessage, ClientID: "c-1", From: "alice", Text: "five", At: today.Add(2 * time.Minute), Own: true, Pending: true},
	}})
	if got := texts(root, ".day h2"); strings.Join(got, ",") != "Yesterday,Today" {
		t.Errorf("days %q", got)
	}
	if got := texts(root, ".notice summary"); len(got) != 1 || !strings.HasPrefix(got[0], "carol and 3 others joined") {
		t.Errorf("notices %q", texts(root, ".notice"))
	}
	if got := texts(root, ".notice details p"); len(got) != 1 || got[0] != "Joined: carol, dan, erin, finn." {
		t.Errorf("the full list %q", got)
	}
	// Who wrote each message, shown or not.
	if got := texts(root, ".message .from"); strings.Join(got, ",") != "Bob Smith,Bob Smith,Bob Smith,alice,alice" {
		t.Errorf("senders %q", got)
	}
	if got := texts(root, ".message.first .text"); strings.Join(got, ",") != "one,three,four" {
		t.Errorf("groups begin with %q", got)
	}
	if got := texts(root, ".message.cont .from.visually-hidden"); strings.Join(got, ",") != "Bob Smith,alice" {
		t.Errorf("names for screen readers only %q", got)
	}
	avatars := root.Call("querySelectorAll", ".message .avatar")
	if avatars.Length() != 3 || avatars.Index(0).Get("textContent").String() != "BS" || avatars.Index(0).Call("getAttribute", "aria-hidden").String() != "true" {
		t.Fatalf("avatars: %d, the first %s", avatars.Length(), avatars.Index(0).Get("outerHTML").String())
	}
	if a, b := avatars.Index(0).Get("className").String(), avatars.Index(1).Get("className").String(); a != b || a != "avatar "+avatarClass("b") {
		t.Errorf("one person's avatars in %q and %q", a, b)
	}
	if a := avatars.Index(2).Get("className").String(); a != "avatar "+avatarClass("a") {
		t.Errorf("the reader's avatar in %q", a)
	}
	if got := texts(root, ".message.pending .text"); len(got) != 1 || got[0] != "five" || root.Call("querySelector", ".message.pending").Get("classList").Call("contains", "cont").Bool() != true {
		t.Errorf("the pending message does not continue the reader's group")
	}
}

// TestMessageTimeTooltip: each message's time is focusable and described
// by its full date; a long press (a context menu) shows it, a tap or
// leaving hides it.
func TestMessageTimeTooltip(t *testing.T) {
	at := time.Date(2026, 11, 27, 22, 8, 5, 0, time.Local)
	root, d := mount(t, &messageList{Ready: true, UnreadAt: -1, Entries: []Entry{
		{Kind: EntryMessage, ID: 7, Author: "b", From: "bob", Text: "hi", At: at},
		{Kind: EntryMessage, ID: 8, Author: "b", From: "bob", Text: "again", At: at.Add(time.Second)},
	}})
	times := root.Call("querySelectorAll", ".message time")
	if times.Length() != 2 {
		t.Fatalf("%d times", times.Length())
	}
	el := times.Index(1)
	if el.Get("tabIndex").Int() != 0 {
		t.Errorf("the time is not focusable: %s", el.Get("outerHTML").String())
	}
	tip := app.Window().GetElementByID(el.Call("getAttribute", "aria-describedby").String())
	if !tip.Truthy() || tip.Call("getAttribute", "role").String() != "tooltip" || tip.Get("textContent").String() != "Friday 27 November 2026 at 22:08:06" {
		t.Fatalf("the time is not described by its full date: %s", el.Get("outerHTML").String())
	}
	open := func() bool { return el.Get("classList").Call("contains", "open").Bool() }
	// dispatch fires events at the time; the tester runs their handlers,
	// and waits for what they started, at Consume.
	dispatch := func(types ...string) {
		for _, typ := range types {
			el.Call("dispatchEvent", app.Window().Get("PointerEvent").New(typ, map[string]any{"bubbles": true, "cancelable": true, "pointerType": "touch"}))
		}
		d.Consume()
	}
	dispatch("contextmenu")
	if !open() {
		t.Fatal("a long press (context menu) does not show the full date")
	}
	dispatch("pointerdown", "pointerup")
	if open() {
		t.Fatal("a tap does not hide it")
	}
	// A touch held without a context menu (Safari on iOS).
	dispatch("pointerdown")
	if !open() {
		t.Fatal("a touch held does not show the full date")
	}
	dispatch("pointerup")
	el.Call("dispatchEvent", app.Window().Get("FocusEvent").New("blur"))
	d.Consume()
	if open() {
		t.Error("leaving the time does not hide it")
	}
	// A touch lifted before longPress shows nothing.
	dispatch("pointerdown", "pointerup")
	if open() {
		t.Error("a short touch shows the full date")
	}
}

// TestListsBeforeTheServerAnswers: until the server has sent them, the
// message list says it is loading and the user list that it connects;
// neither claims the room is empty.
func TestListsBeforeTheServerAnswers(t *testing.T) {
	root, _ := mount(t, &messageList{})
	if got := texts(root, ".empty"); len(got) != 1 || got[0] != "Loading messages…" {
		t.Errorf("an unloaded list says %q", got)
	}
	root, _ = mount(t, &messageList{Ready: true})
	if got := texts(root, ".empty"); len(got) != 1 || got[0] != "No messages yet. Say hello!" {
		t.Errorf("an empty room says %q", got)
	}
	root, _ = mount(t, &memberList{Self: "bob"})
	if got := texts(root, "h2"); got[0] != "Online" || strings.Contains(root.Get("textContent").String(), "(0)") {
		t.Errorf("an unknown user list says %q", root.Get("textContent").String())
	}
}

func TestMemberListRenders(t *testing.T) {
	members := []shared.Member{{ID: "1", Nickname: "alice", Online: false}, {ID: "2", Nickname: "dan"}, {ID: "3", Nickname: "Carol", Online: true}, {ID: "4", Nickname: "bob"}}
	root, _ := mount(t, &memberList{Users: []string{"alice", "bob", "Zoë"}, Known: true, Self: "bob", Members: members, MembersIn: true})
	if root.Call("getAttribute", "aria-label").String() != "People in the room" {
		t.Errorf("the list is not named People in the room")
	}
	if got := texts(root, "h2"); strings.Join(got, ",") != "Online (3),Offline (2)" {
		t.Errorf("headings %q", got)
	}
	// Presence decides who is online; the members list, who else is a
	// member.
	if got := texts(root, "#online-users li"); strings.Join(got, ",") != "alice,bob (you),Zoë" {
		t.Errorf("online %q", got)
	}
	if got := texts(root, "#offline-users li"); strings.Join(got, ",") != "Carol,dan" {
		t.Errorf("offline %q", got)
	}
	// A room too big to list: the count, and the members' own flags.
	root, _ = mount(t, &memberList{Known: true, Counted: true, Online: 250, Self: "bob", Members: members, MembersIn: true, More: true})
	if got := texts(root, "h2"); strings.Join(got, ",") != "Online (250),Offline (3+)" {
		t.Errorf("headings of a big room %q", got)
	}
	if got := texts(root, "#offline-users li"); strings.Join(got, ",") != "alice,bob,dan" {
		t.Errorf("offline in a big room %q", got)
	}
	if got := texts(root, "#more-members"); len(got) != 1 {
		t.Errorf("no button to list more members")
	}
}

// TestJoinFormIsLive: the form is enabled unless a join is under way; go-app
// would render Disabled(false) as disabled="false", which disables.
func TestJoinFormIsLive(t *testing.T) {
	root, _ := mount(t, &joinForm{})
	for _, sel := range []string{"input#nickname", "button"} {
		if el := root.Call("querySelector", sel); el.Call("hasAttribute", "disabled").Bool() {
			t.Errorf("%s: %s", sel, el.Get("outerHTML").String())
		}
	}
	root, _ = mount(t, &joinForm{Busy: true})
	if !root.Call("querySelector", "button").Get("disabled").Bool() {
		t.Errorf("the button works while joining")
	}
}

func TestJoinFormShowsErrors(t *testing.T) {
	var joined string
	form := &joinForm{Nickname: "  alice ", Error: `"alice" is already taken in #general`, OnJoin: func(_ app.Context, n, _ string) { joined = n }}
	root, d := mount(t, form)
	input := root.Call("querySelector", "input#nickname")
	if input.Call("getAttribute", "aria-invalid").String() != "true" {
		t.Error("the field is not marked invalid")
	}
	if got := texts(root, "#join-error"); got[0] != `"alice" is already taken in #general` {
		t.Errorf("error %q", got)
	}
	if got := texts(root, "label"); got[0] != "Nickname" || root.Call("querySelector", "label").Get("htmlFor").String() != "nickname" {
		t.Errorf("the field's label is %q", got)
	}
	// The button submits what is in the field, spaces included.
	input.Set("value", "  bob  smith ")
	root.Call("querySelector", "button").Call("click")
	d.Consume()
	if joined != "  bob  smith " {
		t.Errorf("joined with %q", joined)
	}
}

func TestComposerCountsDown(t *testing.T) {
	var sent []string
	c := &composer{OnSend: func(_ app.Context, text string) error { sent = append(sent, text); return nil }}
	root, d := mount(t, c)
	if n := root.Call("querySelectorAll", ".left").Length(); n != 0 {
		t.Errorf("the count shows far from the limit")
	}
	area := root.Call("querySelector", "textarea")
	area.Set("value", strings.Repeat("é", 2000))
	area.Call("dispatchEvent", app.Window().Get("Event").New("input"))
	d.Consume()
	if got := texts(root, ".left"); len(got) != 1 || got[0] != "96 bytes left" {
		t.Errorf("count %q", got)
	}

	// Enter sends exactly what was typed; Shift+Enter does not send.
	area.Set("value", "  two  spaces\nand a line ")
	key := func(shift bool) {
		opts := app.Window().Get("Object").New()
		opts.Set("key", "Enter")
		opts.Set("shiftKey", shift)
		opts.Set("cancelable", true)
		area.Call("dispatchEvent", app.Window().Get("KeyboardEvent").New("keydown", opts))
		d.Consume()
	}
	key(true)
	if len(sent) != 0 {
		t.Fatalf("Shift+Enter sent %q", sent)
	}
	key(false)
	if len(sent) != 1 || sent[0] != "  two  spaces\nand a line " || area.Get("value").String() != "" {
		t.Fatalf("Enter sent %q and left %q", sent, area.Get("value").String())
	}

	c.Disabled = true
	c.Update()
	d.Consume()
	if !root.Call("querySelector", "textarea").Get("disabled").Bool() {
		t.Error("the text area is enabled while disconnected")
	}
	if root.Call("querySelector", "textarea").Call("getAttribute", "aria-label").String() != "Message" {
		t.Error("the text area is not named Message")
	}
}

func TestStatusBarLabels(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		state State
		want  string
	}{
		{State{Status: StatusConnecting}, "Connecting…"},
		{State{Status: StatusOnline}, "Online"},
		{State{Status: StatusReconnecting, RetryAt: now.Add(2500 * time.Millisecond)}, "Reconnecting in 3 s"},
		{State{Status: StatusReconnecting, Attempt: 2}, "Reconnecting…"},
		{State{Status: StatusOffline, RetryAt: now.Add(9 * time.Second), Attempt: 1}, "Offline: retrying in 9 s"},
		{State{Status: StatusOffline, NoNetwork: true}, "Offline: no network"},
	} {
		s := &statusBar{State: tt.state, Now: func() time.Time { return now }}
		root, _ := mount(t, s)
		if got := texts(root, ".label"); got[0] != tt.want {
			t.Errorf("%+v: label %q, want %q", tt.state, got[0], tt.want)
		}
		if root.Call("getAttribute", "role").String() != "status" || root.Get("dataset").Get("status").String() != tt.state.Status.String() {
			t.Errorf("%+v: %s", tt.state, root.Get("outerHTML").String())
		}
	}
}

// TestUnreadCountInTitle: while the tab is hidden, messages from others
// count in the title; coming back marks the room read and clears it.
func TestUnreadCountInTitle(t *testing.T) {
	p := &Page{}
	_, d := mount(t, p)
	defer setTitle(0)
	say := func(from string, id uint64) {
		m := shared.Message{ID: id, Room: "general", Author: from + "-id", From: from, Text: "hi", At: time.Now()}
		p.ctx.Dispatch(func(ctx app.Context) { p.apply(ctx, Event{Type: shared.TypeMessage, Message: &m}) })
		d.Consume()
	}
	p.nickname, p.me, p.joined = "me", "me-id", true
	p.rooms.Mine = []string{"general"}
	p.hidden = true
	say("bob", 1)
	say("me", 2) // one's own messages do not count
	say("carol", 3)
	if title := app.Window().Get("document").Get("title").String(); p.rooms.unread() != 2 || title != "(2) livechat" {
		t.Errorf("unread %d, title %q; want 2", p.rooms.unread(), title)
	}
	// The tab is visible again (the test page is): the room is read a
	// moment later.
	p.ctx.Dispatch(func(ctx app.Context) { p.visibilityChanged(ctx, app.Event{}) })
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		d.Consume()
		if app.Window().Get("document").Get("title").String() == "livechat" && p.rooms.unread() == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unread %d, title %q after coming back", p.rooms.unread(), app.Window().Get("document").Get("title").String())
		}
	}
}

// TestLeaveAsksAboutUnsentMessages: leaving with messages not yet sent
// opens a dialog; Stay keeps everything, Discard forgets them.
func TestLeaveAsksAboutUnsentMessages(t *testing.T) {
	p := &Page{}
	root, d := mount(t, p)
	app.Window().Get("localStorage").Call("removeItem", outboxKey)
	defer app.Window().Get("localStorage").Call("removeItem", outboxKey)
	p.ctx.Dispatch(func(ctx app.Context) {
		p.nickname, p.joined = "me", true
		p.rooms.current().HistoryIn = true
		p.outbox = LoadOutbox(ctx.LocalStorage(), outboxKey)
		p.outbox.Add(Pending{ClientID: "c-1", Text: "not sent", At: time.Now()})
		p.rooms.current().Pending = []Entry{{Kind: EntryMessage, ClientID: "c-1", Text: "not sent", Own: true, Pending: true}}
	})
	d.Consume()
	click := func(id string) {
		t.Helper()
		el := root.Call("querySelector", "#"+id)
		if !el.Truthy() {
			t.Fatalf("no #%s in %s", id, root.Get("textContent").String())
		}
		el.Call("click")
		d.Consume()
	}
	click("leave")
	dialog := root.Call("querySelector", `[role="alertdialog"]`)
	if !dialog.Truthy() || !strings.Contains(dialog.Get("textContent").String(), "1 message is not sent yet") {
		t.Fatalf("no dialog about the unsent message: %s", root.Get("textContent").String())
	}
	if dialog.Call("getAttribute", "aria-modal").String() != "true" || !root.Call("querySelector", "#leave-title").Truthy() {
		t.Errorf("the dialog is not a labelled modal: %s", dialog.Get("outerHTML").String())
	}
	click("leave-stay")
	if root.Call("querySelector", `[role="alertdialog"]`).Truthy() || !p.joined || len(p.outbox.Items()) != 1 {
		t.Fatalf("Stay did not keep everything")
	}
	click("leave")
	click("leave-discard")
	if p.joined || len(LoadOutbox(p.ctx.LocalStorage(), outboxKey).Items()) != 0 {
		t.Fatalf("Discard did not leave and forget the message")
	}
}

// TestAccountPanelShowsTheAccount: the account event fills the panel.
func TestAccountPanelShowsTheAccount(t *testing.T) {
	p := &Page{}
	root, d := mount(t, p)
	p.ctx.Dispatch(func(ctx app.Context) {
		p.nickname, p.me, p.joined, p.showAccount = "bob", "b", true, true
	})
	d.Consume()
	acct := &shared.Account{You: shared.Person{ID: "b", Nickname: "bob"}, Devices: []shared.Device{{ID: "d1", Name: "Chrome on Linux", Current: true}}}
	p.ctx.Dispatch(func(ctx app.Context) { p.apply(ctx, Event{Type: shared.TypeAccountInfo, Account: acct}) })
	d.Consume()
	if got := texts(root, "#account-who"); len(got) != 1 || got[0] != "Signed in as bob" {
		t.Fatalf("panel: %s", root.Call("querySelector", "#account-panel").Get("textContent").String())
	}
}

// TestMentionCompletion: typing @ and the start of a nickname offers the
// matching names; the arrow keys choose, Enter completes.
func TestMentionCompletion(t *testing.T) {
	c := &composer{Names: []string{"alice", "Alan Kay", "bob"}}
	root, d := mount(t, c)
	area := root.Call("querySelector", "textarea")
	typeText := func(text string) {
		area.Set("value", text)
		area.Call("setSelectionRange", len(text), len(text))
		area.Call("dispatchEvent", app.Window().Get("Event").New("input", map[string]any{"bubbles": true}))
		d.Consume()
	}
	key := func(k string) {
		area.Call("dispatchEvent", app.Window().Get("KeyboardEvent").New("keydown", map[string]any{"key": k, "bubbles": true, "cancelable": true}))
		d.Consume()
	}
	typeText("hi @AL")
	if got := texts(root, "#mention-list li"); strings.Join(got, ",") != "alice,Alan Kay" {
		t.Fatalf("suggestions %q", got)
	}
	if root.Call("querySelector", "#mention-list").Call("hasAttribute", "hidden").Bool() {
		t.Errorf("the list is not shown as open")
	}
	key("ArrowDown")
	if area.Call("getAttribute", "aria-activedescendant").String() != "mention-1" {
		t.Errorf("active %s", area.Call("getAttribute", "aria-activedescendant").String())
	}
	key("Enter")
	if got := area.Get("value").String(); got != "hi @Alan Kay " {
		t.Errorf("completed to %q", got)
	}
	if n := len(texts(root, "#mention-list li")); n != 0 {
		t.Errorf("%d suggestions left", n)
	}
	typeText("mail me@al")
	if n := len(texts(root, "#mention-list li")); n != 0 {
		t.Errorf("an @ inside a word suggests %d names", n)
	}
}

// TestMessageListOpensAtFirstUnread: a room opened with unread messages
// shows the "New messages" line before the first, scrolled into view;
// another room opens at its end.
func TestMessageListOpensAtFirstUnread(t *testing.T) {
	entries := func(n int) []Entry {
		var es []Entry
		for i := range n {
			es = append(es, Entry{Kind: EntryMessage, ID: uint64(i + 1), From: "bob", Text: fmt.Sprint("line ", i+1), At: time.Now()})
		}
		return es
	}
	l := &listHolder{list: messageList{Room: "a", UnreadAt: -1, Entries: entries(3), Ready: true}}
	root, d := mount(t, l)
	// The list scrolls in a box, as app.css makes it.
	root.Call("querySelector", "#message-log").Get("style").Set("height", "300px")
	root.Call("querySelector", "#message-log").Get("style").Set("overflowY", "auto")
	if root.Call("querySelector", "#unread-divider").Truthy() {
		t.Fatal("a line with nothing unread")
	}
	l.list.Room, l.list.Entries, l.list.UnreadAt, l.list.UnreadKey = "b", entries(60), 20, "b@20"
	l.Update()
	d.Consume()
	d.Consume() // the list's OnUpdate, dispatched by the update
	line := root.Call("querySelector", "#unread-divider")
	if !line.Truthy() || line.Get("nextElementSibling").Call("querySelector", ".text").Get("textContent").String() != "line 21" {
		t.Fatalf("no line before the first unread message")
	}
	log := root.Call("querySelector", "#message-log")
	top, max := log.Get("scrollTop").Int(), log.Get("scrollHeight").Int()-log.Get("clientHeight").Int()
	if max <= 0 || top == 0 || top >= max {
		t.Errorf("scrolled to %d of %d: want the unread line in view, not the top or the end", top, max)
	}
	l.list.Room, l.list.Entries, l.list.UnreadAt, l.list.UnreadKey = "c", entries(60), -1, ""
	l.Update()
	d.Consume()
	d.Consume()
	if top, max := log.Get("scrollTop").Int(), log.Get("scrollHeight").Int()-log.Get("clientHeight").Int(); top < max-1 {
		t.Errorf("another room opened at %d of %d, not at its end", top, max)
	}
}

// listHolder renders a messageList as the page does: its fields change
// when the holder renders again.
type listHolder struct {
	app.Compo
	list messageList
}

func (h *listHolder) Render() app.UI {
	l := h.list
	return app.Div().Body(&l)
}

//go:build !js

package main

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// roomNames is a JavaScript expression: the names of the rooms in the
// sidebar's list with id list, joined by commas.
func roomNames(list string) string {
	return `[...document.querySelectorAll("#` + list + ` .room-link .name")].map(n => n.textContent).join(",")`
}

// hide minimises p's window, as switching to another application does:
// the page is hidden. front shows it again.
func (p *person) hide() {
	p.t.Helper()
	p.setWindow(browser.WindowStateMinimized)
}

// setWindow sets the state of p's window.
func (p *person) setWindow(state browser.WindowState) {
	p.t.Helper()
	// Without a target id, the window of the tab the call is made in.
	w, err := chromedp.Call(p.ctx, browser.GetWindowForTarget, browser.GetWindowForTargetParams{})
	if err != nil {
		p.t.Fatalf("%s: window: %v", p.name, err)
	}
	if _, err := chromedp.Call(p.ctx, browser.SetWindowBounds, browser.SetWindowBoundsParams{WindowID: w.WindowID, Bounds: &browser.Bounds{WindowState: state}}); err != nil {
		p.t.Fatalf("%s: window %s: %v", p.name, state, err)
	}
}

// openRoom clicks the room called title in the sidebar and waits until
// it is shown.
func (p *person) openRoom(title string) {
	p.t.Helper()
	p.do("open "+title, chromedp.Click(chromedp.Search(`//nav[@id="sidebar"]//button[contains(@class,"room-link")][span[@class="name" and text()="`+title+`"]]`)))
	p.waitUntil("the room "+title, `document.getElementById("room-title")?.textContent === "`+title+`"`)
}

// submitRoomForm fills the new room or new message form and submits it.
func (p *person) submitRoomForm(button, text string, private bool) {
	p.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.ID(button)),
		chromedp.WaitVisible(chromedp.ID("room-form-text")),
		chromedp.SendKeys(chromedp.ID("room-form-text"), text),
	}
	if private {
		steps = append(steps, chromedp.Click(chromedp.ID("room-form-private")))
	}
	steps = append(steps, chromedp.Click(chromedp.ID("room-form-submit")))
	p.do("submit "+button, steps...)
}

// TestJourneyRoomsAndDirectMessages: alice makes a private room and
// invites bob by link; carol, in the same public room, never sees it.
// alice and bob write to each other directly; bob, in another room, sees
// the unread badges, and an @mention counted as one. A nickname that
// looks like alice's is refused.
func TestJourneyRoomsAndDirectMessages(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	people := chatting(t, server.URL, "alice", "bob", "carol")
	alice, bob, carol := people[0], people[1], people[2]

	// The private room, and its invite link.
	alice.submitRoomForm("new-room", "Secret plans", true)
	alice.waitUntil("the private room shown", `document.getElementById("room-title")?.textContent === "Secret plans"`)
	alice.say("the plan is ready")
	alice.waitMessage("alice", "the plan is ready")
	alice.do("ask for an invite", chromedp.Click(chromedp.ID("invite")))
	alice.waitUntil("the invite link", `document.getElementById("invite-url")?.value.includes("invite=")`)
	link := eval[string](alice, `document.getElementById("invite-url").value`)
	alice.screenshot("invite")
	if !strings.HasPrefix(link, server.URL) {
		t.Fatalf("invite link %q is not on %s", link, server.URL)
	}

	bob.do("follow the invite", chromedp.Navigate(link))
	bob.waitUntil("the private room, by invite", `document.getElementById("room-title")?.textContent === "Secret plans"`)
	bob.waitMessage("alice", "the plan is ready")
	bob.waitUntil("the room in the sidebar", roomNames("rooms")+`.includes("Secret plans")`)

	// Carol sees neither the room nor its message.
	carol.say("anyone here?")
	bob.openRoom("#general")
	bob.waitMessage("carol", "anyone here?")
	for _, list := range []string{"rooms", "directory", "direct"} {
		if names := eval[string](carol, roomNames(list)); strings.Contains(names, "Secret") {
			t.Errorf("carol's %s list shows %q", list, names)
		}
	}
	if eval[bool](carol, `document.body.textContent.includes("the plan is ready")`) {
		t.Error("carol's page shows the private message")
	}

	// bob allows notifications; the browser's notifications are recorded
	// as they are made.
	bobContext := chromedp.FromContext(bob.ctx).BrowserContextID
	if _, err := chromedp.Call(bob.ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingGranted,
		Origin: server.URL, BrowserContextID: bobContext,
	}); err != nil {
		t.Fatal(err)
	}
	bob.do("enable notifications", chromedp.Click(chromedp.ID("notifications")))
	bob.waitUntil("notifications on", `!document.getElementById("notifications") && Notification.permission === "granted"`)
	eval[bool](bob, `(() => {
		window.notified = [];
		const Real = window.Notification;
		window.Notification = class extends Real {
			constructor(title, options) { super(title, options); window.notified.push(title + ": " + options.body); }
		};
		return true;
	})()`)

	// A direct conversation: bob, in #general but in a tab behind
	// another, gets the badges, and a notification of the mention.
	bob.front()
	bob.waitUntil("#general read", `!document.querySelector("#rooms .badge")`)
	alice.front()
	bob.hide()
	bob.waitUntil("bob's tab hidden", `document.visibilityState === "hidden"`)
	// alice picks bob among the people she shares a room with.
	alice.do("new message", chromedp.Click(chromedp.ID("new-dm")), chromedp.WaitVisible(chromedp.ID("people-picker")))
	alice.waitUntil("bob and carol to pick, online", `[...document.querySelectorAll("#people-picker label.online")].map(l => l.textContent).join(",") === "bob, online,carol, online"`)
	alice.screenshot("pick-people")
	alice.do("pick bob", chromedp.Click(chromedp.Search(`//fieldset[@id="people-picker"]//label[contains(., "bob")]/input`)), chromedp.Click(chromedp.ID("room-form-submit")))
	alice.waitUntil("the conversation with bob", `document.getElementById("room-title")?.textContent === "bob"`)
	alice.say("just between us")
	alice.say("@bob are you there?")
	bob.waitUntil("a notification of the mention", `window.notified.includes("alice: @bob are you there?")`)
	if n := eval[int](bob, `window.notified.length`); n != 2 {
		t.Errorf("bob got %d notifications, want one per message: %s", n, eval[string](bob, `window.notified.join(" | ")`))
	}
	bob.waitUntil("the conversation in the sidebar", roomNames("direct")+` === "alice"`)
	bob.waitUntil("two unread, one mention", `(() => {
		const b = [...document.querySelectorAll("#direct .room-link")].find(l => l.textContent.startsWith("alice"));
		return b && b.getAttribute("aria-label").startsWith("alice, 2 unread, 1 mentioning you") && b.querySelector(".badge.mention")?.textContent === "@1";
	})()`)
	bob.front()
	bob.waitUntil("the title counting them", `document.title === "(2) livechat"`)
	bob.screenshot("badges")
	bob.openRoom("alice")
	bob.waitMessage("alice", "just between us")
	bob.waitUntil("the mention set apart", `!!document.querySelector("#message-log .message.mention")`)
	bob.waitUntil("read: no badge, plain title", `!document.querySelector("#direct .badge") && document.title === "livechat"`)
	bob.say("here!")
	alice.waitMessage("bob", "here!")

	// The member list: who is online, and the members who are not.
	alice.openRoom("#general")
	alice.waitUntil("everyone online", users+` === "alice,bob,carol"`)
	if err := chromedp.Cancel(carol.ctx); err != nil { // carol closes her tab
		t.Fatal(err)
	}
	alice.waitUntil("carol offline", users+` === "alice,bob" && [...document.querySelectorAll("#offline-users li")].map(l => l.textContent).join(",") === "carol"`)
	alice.waitUntil("bob's conversation marked online", `[...document.querySelectorAll("#direct .room-link")].find(l => l.textContent.includes("bob"))?.getAttribute("aria-label").endsWith(", online")`)
	alice.screenshot("members")

	// A look-alike of alice's nickname (Cyrillic а) is refused.
	browser := newBrowser(t)
	mallory := newPerson(t, browser, "аlice")
	mallory.open(server.URL)
	mallory.do("join as a look-alike",
		chromedp.WaitEnabled(chromedp.ID("nickname")),
		chromedp.SendKeys(chromedp.ID("nickname"), "аlice"),
		chromedp.Click(chromedp.CSS(`form.join-card button[type="submit"]`)),
	)
	mallory.waitUntil("the refusal", `document.querySelector("form.join-card")?.textContent.includes("looks too much like")`)
	mallory.screenshot("look-alike")
}

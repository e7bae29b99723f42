//go:build !js

package main

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyAccountOnTwoDevices: bob sets a password and signs in with
// it in a second browser, whose unread counts match the first's; he sees
// both devices, signs the first one out (it goes back to the join form),
// and renames himself.
func TestJourneyAccountOnTwoDevices(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	people := chatting(t, server.URL, "alice", "bob")
	alice, bob := people[0], people[1]

	// A room bob is in but not looking at, where alice writes.
	alice.submitRoomForm("new-room", "book", false)
	alice.waitUntil("the book room", `document.getElementById("room-title")?.textContent === "#book"`)
	bob.waitUntil("book among the rooms to join", roomNames("directory")+`.includes("#book")`)
	bob.openRoom("#book")
	bob.openRoom("#general")
	alice.say("chapter one")
	alice.say("chapter two")
	const bookBadge = `[...document.querySelectorAll("#rooms .room-link")].find(l => l.textContent.startsWith("#book"))?.getAttribute("aria-label") === "#book, 2 unread"`
	bob.waitUntil("two unread in book", bookBadge)

	// A password, from the account panel.
	bob.do("set a password",
		chromedp.Click(chromedp.ID("account")),
		chromedp.WaitVisible(chromedp.ID("password-text")),
		chromedp.SendKeys(chromedp.ID("password-text"), "correct horse battery"),
		chromedp.Click(chromedp.ID("password-submit")),
	)
	bob.waitUntil("the password kept", `document.getElementById("password-hint")?.textContent.startsWith("A password is set")`)
	bob.screenshot("account")
	bob.do("close the panel", chromedp.Click(chromedp.ID("account-close")))

	// A second browser: sign in with the password.
	laptop := newPerson(t, newBrowser(t), "bob (laptop)")
	laptop.open(server.URL)
	laptop.do("sign in with the password",
		chromedp.WaitEnabled(chromedp.ID("nickname")),
		chromedp.SendKeys(chromedp.ID("nickname"), "BOB"),
		chromedp.Click(chromedp.CSS("details.password summary")),
		chromedp.SendKeys(chromedp.ID("join-password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`form.join-card button[type="submit"]`)),
	)
	laptop.waitUntil("the chat", online)
	laptop.waitUntil("the same unread count", bookBadge)

	// Both devices are listed; the laptop signs the first one out.
	laptop.do("open the account", chromedp.Click(chromedp.ID("account")))
	laptop.waitUntil("two devices", `document.querySelectorAll("#devices li").length === 2`)
	laptop.do("sign the other device out", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("#devices li")].find(li => !li.textContent.includes("(this device)")).querySelector(".revoke")`)))
	bob.waitUntil("the first browser signed out", `!!document.querySelector("form.join-card") && document.querySelector("form.join-card").textContent.includes("You are signed out")`)
	laptop.waitUntil("one device left", `document.querySelectorAll("#devices li").length === 1 && document.querySelector("#devices li").textContent.includes("(this device)")`)

	// A new name: others see messages under it.
	eval[bool](laptop, `(() => { document.getElementById("rename-text").value = ""; return true })()`)
	laptop.do("rename",
		chromedp.SendKeys(chromedp.ID("rename-text"), "Robert"),
		chromedp.Click(chromedp.ID("rename-submit")),
	)
	laptop.waitUntil("the new name", `document.getElementById("account-who")?.textContent === "Signed in as Robert"`)
	laptop.do("close the panel", chromedp.Click(chromedp.ID("account-close")))
	laptop.say("call me Robert")
	alice.openRoom("#general")
	alice.waitMessage("Robert", "call me Robert")
}

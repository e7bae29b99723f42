//go:build !js

package main

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// TestJourneyAccountOnTwoDevices: bob sets a password and adds a passkey
// (a virtual authenticator of the browser), and signs in with the passkey
// in a second browser the passkey is synced to, whose unread counts match
// the first's; he sees both devices, signs the first one out (it goes
// back to the join form), renames himself, and signs the first browser in
// again with his password.
func TestJourneyAccountOnTwoDevices(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	// Passkeys need a domain: WebAuthn refuses IP addresses.
	url := strings.Replace(server.URL, "127.0.0.1", "localhost", 1)
	people := chatting(t, url, "alice", "bob")
	alice, bob := people[0], people[1]

	// A room bob is in but not looking at, where alice writes.
	alice.submitRoomForm("new-room", "book", false)
	alice.waitUntil("the book room", `document.getElementById("room-title")?.textContent === "#book"`)
	bob.waitUntil("book among the rooms to join", roomNames("directory")+`.includes("#book")`)
	bob.openRoom("#book")
	bob.openRoom("#general")
	alice.say("chapter one")
	alice.say("chapter two")
	const bookBadge = `[...document.querySelectorAll("#rooms .room-link")].find(l => l.textContent.startsWith("#book"))?.getAttribute("aria-label").startsWith("#book, 2 unread")`
	bob.waitUntil("two unread in book", bookBadge)

	// A password, from the account panel.
	bob.do("set a password",
		chromedp.Click(chromedp.ID("account")),
		chromedp.WaitVisible(chromedp.ID("password-text")),
		chromedp.SendKeys(chromedp.ID("password-text"), "correct horse battery"),
		chromedp.Click(chromedp.ID("password-submit")),
	)
	bob.waitUntil("the password kept", `document.getElementById("password-hint")?.textContent.startsWith("A password is set")`)

	// A passkey, made by the browser's authenticator.
	phoneKeys := addAuthenticator(bob)
	bob.do("add a passkey", chromedp.Click(chromedp.ID("passkey-add")))
	bob.waitUntil("the passkey listed", `document.querySelectorAll("#passkeys li").length === 1 && document.querySelector("#passkeys li").textContent.includes("never used")`)
	bob.screenshot("account")
	bob.do("close the panel", chromedp.Click(chromedp.ID("account-close")))

	// A second browser, to which the passkey is synced: sign in with it,
	// without typing anything.
	laptop := newPerson(t, newBrowser(t), "bob (laptop)")
	laptopKeys := addAuthenticator(laptop)
	creds, err := chromedp.Call(bob.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: phoneKeys})
	if err != nil || len(creds.Credentials) != 1 || !creds.Credentials[0].IsResidentCredential {
		t.Fatalf("the passkey in bob's first browser: %+v, %v", creds, err)
	}
	synced := *creds.Credentials[0]
	synced.CmtgKeys, synced.ActiveCmtgKeyIndex = nil, nil // none were made
	if _, err := chromedp.Call(laptop.ctx, webauthn.AddCredential, webauthn.AddCredentialParams{AuthenticatorID: laptopKeys, Credential: &synced}); err != nil {
		t.Fatal(err)
	}
	laptop.open(url)
	laptop.do("sign in with the passkey",
		chromedp.WaitEnabled(chromedp.ID("passkey-signin")),
		chromedp.Click(chromedp.ID("passkey-signin")),
	)
	laptop.waitUntil("the chat", online)
	if name := eval[string](laptop, `document.getElementById("account").textContent`); name != "bob" {
		t.Fatalf("the passkey signed in %q", name)
	}
	laptop.waitUntil("the same unread count", bookBadge)
	// The room opens at its first unread message, under a line.
	laptop.openRoom("#book")
	laptop.waitUntil("the unread line before chapter one", `document.getElementById("unread-divider")?.nextElementSibling?.querySelector(".text")?.textContent === "chapter one"`)
	laptop.screenshot("first-unread")
	laptop.openRoom("#general")

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
	// The focus goes back to the account button: typing before it does
	// would lose the keys after it.
	laptop.waitUntil("the focus back on the account button", `document.activeElement?.id === "account"`)
	laptop.say("call me Robert")
	alice.openRoom("#general")
	alice.waitMessage("Robert", "call me Robert")

	// The first browser signs in again, with the password, under the new
	// name.
	eval[bool](bob, `(() => { document.getElementById("nickname").value = ""; return true })()`)
	bob.do("sign in with the password",
		chromedp.WaitEnabled(chromedp.ID("nickname")),
		chromedp.SendKeys(chromedp.ID("nickname"), "ROBERT"),
		chromedp.Click(chromedp.CSS("details.password summary")),
		chromedp.SendKeys(chromedp.ID("join-password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`form.join-card button[type="submit"]`)),
	)
	bob.waitUntil("the chat", online)
	bob.waitMessage("Robert", "call me Robert")
}

// addAuthenticator gives p's tab a virtual platform authenticator that
// keeps passkeys and verifies its user at once, as a phone's screen lock
// would.
func addAuthenticator(p *person) webauthn.AuthenticatorID {
	p.t.Helper()
	if _, err := chromedp.Call(p.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		p.t.Fatal(err)
	}
	res, err := chromedp.Call(p.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		// cdproto always sends generateCmtgKeyOnNextOperation, which only
		// an authenticator with CMTG takes.
		HasCmtgKey: true,
	}})
	if err != nil {
		p.t.Fatal(err)
	}
	return res.AuthenticatorID
}

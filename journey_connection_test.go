//go:build !js

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"livechat/shared"
)

// TestJourneyServerRestart: the server restarts; both pages reconnect by
// themselves and can chat again. A message written while the server is
// down waits, survives a reload of the page, and is delivered once.
func TestJourneyServerRestart(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	people := chatting(t, server.URL, "alice", "bob")
	alice, bob := people[0], people[1]
	alice.say("before the restart")
	bob.waitMessage("alice", "before the restart")
	// The service worker takes control, as on any later visit, so that the
	// page can be reloaded while the server is down.
	alice.waitUntil("the service worker", `navigator.serviceWorker.ready.then(() => true)`)
	alice.do("reload", chromedp.Reload())
	alice.waitUntil("the service worker in control", `!!navigator.serviceWorker.controller`)
	alice.waitUntil("online", online)
	alice.waitMessage("alice", "before the restart") // history after a reload

	server.stop()
	for _, p := range []*person{alice, bob} {
		p.waitUntil("the status to show the loss", statusIs("reconnecting"))
	}
	alice.say("written while the server was down")
	pending := `[...document.querySelectorAll("#message-log .message.pending")].some(m => m.querySelector(".text").textContent === "written while the server was down" && m.querySelector(".state").textContent === "Not sent yet")`
	alice.waitUntil("the message shown as not sent", pending)
	alice.screenshot("reconnecting")
	alice.do("reload while down", chromedp.Reload())
	alice.waitUntil("the message still waiting after a reload", pending)
	// The conversation is still there, from the browser's own copy.
	alice.waitMessage("alice", "before the restart")

	startLivechat(t, server.addr)
	for _, p := range []*person{alice, bob} {
		p.waitUntil("reconnected", online)
	}
	bob.waitMessage("alice", "written while the server was down")
	alice.waitUntil("the message delivered", `!document.querySelector("#message-log .message.pending")`)
	alice.waitMessage("alice", "written while the server was down")
	alice.say("still there?")
	bob.waitMessage("alice", "still there?")
	bob.say("yes")
	alice.waitMessage("bob", "yes")
	for _, p := range []*person{alice, bob} {
		n := eval[int](p, `[...document.querySelectorAll("#message-log .message .text")].filter(e => e.textContent === "written while the server was down").length`)
		if n != 1 {
			t.Errorf("%s shows the message written offline %d times", p.name, n)
		}
	}
}

// setNetwork takes the browser's network away (or gives it back), as
// airplane mode does: the page gets an offline (online) event.
func (p *person) setNetwork(up bool) {
	p.t.Helper()
	if _, err := chromedp.Call(p.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: !up, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		p.t.Fatal(err)
	}
}

// TestJourneyReloadOffline: alice's device loses its network; she is
// shown offline at once and leaves the room for the others, writes a
// message and reloads the page, still offline. The page shows the
// conversation and her message waiting; when the network is back it gets
// exactly what was said meanwhile, sends her message once, and older
// messages can still be loaded.
func TestJourneyReloadOffline(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0", "-ping-interval", "1m", seeding)
	c := dialChatter(t, server.URL, "carol")
	c.sayAll(120, "earlier")

	people := chatting(t, server.URL, "alice", "bob")
	alice, bob := people[0], people[1]
	alice.waitMessage("carol", "earlier 119")
	bob.waitUntil("alice, bob and carol listed", users+` === "alice,bob,carol"`)
	alice.waitUntil("the service worker in control", `navigator.serviceWorker.ready.then(() => true)`)

	alice.setNetwork(false)
	took := alice.waitWithin(5*time.Second, "offline at once", `document.querySelector("#status .label")?.textContent === "Offline: no network"`)
	t.Logf("alice was shown offline %v after the network went", took)
	bob.waitWithin(5*time.Second, "alice gone", users+` === "bob,carol"`)
	for i := range 3 {
		bob.say(fmt.Sprintf("missed %d", i))
	}
	bob.waitMessage("bob", "missed 2")
	alice.say("written offline")
	alice.do("reload offline", chromedp.Reload())
	alice.waitUntil("the app", `performance.getEntriesByName("livechat:interactive").length > 0`)
	alice.waitMessage("carol", "earlier 119") // the conversation, kept by the browser
	alice.waitUntil("the message waiting", `[...document.querySelectorAll("#message-log .message.pending .text")].some(e => e.textContent === "written offline")`)
	if eval[bool](alice, `!!document.querySelector(".join-card") || document.body.innerText.includes("No messages yet")`) {
		t.Error("the reloaded page shows the join form or an empty room")
	}
	alice.screenshot("reloaded-offline")

	alice.setNetwork(true)
	alice.waitUntil("online again", online)
	bob.waitMessage("alice", "written offline")
	alice.waitMessage("alice", "written offline")
	texts := eval[[]string](alice, `[...document.querySelectorAll("#message-log .message .text")].map(e => e.textContent)`)
	if got, want := texts[len(texts)-5:], []string{"earlier 119", "missed 0", "missed 1", "missed 2", "written offline"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after reconnecting the page ends with %q, want %q", got, want)
	}
	first := eval[string](alice, `document.querySelector("#message-log .message .text").textContent`)
	alice.do("load older messages", chromedp.Click(chromedp.CSS("#message-log .older button")))
	alice.waitUntil("older messages", fmt.Sprintf(`document.querySelector("#message-log .message .text").textContent !== %q`, first))
}

// back goes back in the tab's history, as the Back button does, without
// waiting for a load: a page restored from the back/forward cache does
// not load.
func (p *person) back() {
	p.t.Helper()
	h, err := chromedp.Call(p.ctx, page.GetNavigationHistory, struct{}{})
	if err != nil || h.CurrentIndex < 1 {
		p.t.Fatalf("%s: history %+v: %v", p.name, h, err)
	}
	if _, err := chromedp.Call(p.ctx, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[h.CurrentIndex-1].ID}); err != nil {
		p.t.Fatalf("%s: back: %v", p.name, err)
	}
}

// front shows the person's window and brings their tab to its front, as
// a click on the tab does.
func (p *person) front() {
	p.t.Helper()
	p.setWindow(browser.WindowStateNormal)
	if _, err := chromedp.Call(p.ctx, page.BringToFront, struct{}{}); err != nil {
		p.t.Fatalf("%s: bring to front: %v", p.name, err)
	}
	if _, err := chromedp.Call(p.ctx, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: page.SetWebLifecycleStateStateActive}); err != nil {
		p.t.Fatalf("%s: activate: %v", p.name, err)
	}
}

// TestJourneyLeave: people who go to another page, or close the tab,
// leave the online list within seconds, even though the server pings only
// once a minute (a page kept in the back/forward cache keeps its socket
// unless it closes it); one who comes back with the Back button is online
// again and has what was said meanwhile.
func TestJourneyLeave(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0", "-ping-interval", "1m")
	people := chatting(t, server.URL, "alice", "bob", "carol")
	alice, bob, carol := people[0], people[1], people[2]
	alice.waitUntil("everyone listed", users+` === "alice,bob,carol"`)

	bob.do("go elsewhere", chromedp.Navigate("about:blank"))
	took := alice.waitWithin(5*time.Second, "bob gone", users+` === "alice,carol"`)
	t.Logf("bob left the list %v after going to another page", took)
	alice.say("while bob was away")

	bob.back()
	bob.waitUntil("bob online again", online)
	bob.waitMessage("alice", "while bob was away")
	restored := eval[bool](bob, `performance.getEntriesByName("livechat:restored").length > 0`)
	t.Logf("bob's page came back from the back/forward cache: %v", restored)
	alice.waitUntil("bob back", users+` === "alice,bob,carol"`)

	start := time.Now()
	if _, err := chromedp.Call(carol.ctx, page.Close, struct{}{}); err != nil {
		t.Fatal(err)
	}
	alice.waitWithin(5*time.Second, "carol gone", users+` === "alice,bob"`)
	t.Logf("carol left the list %v after closing her tab", time.Since(start))
}

// TestJourneyDeadConnection: the network path between alice and the server
// dies without closing anything. Her page notices within 20 seconds (it
// pings when it has heard nothing), says so, and once the path is back
// reconnects and gets what was said meanwhile, once.
func TestJourneyDeadConnection(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	path := startProxy(t, server.addr)
	browser := newBrowser(t)
	alice := newPerson(t, browser, "alice")
	bob := newPerson(t, browser, "bob")
	alice.open(path.URL())
	alice.join()
	bob.open(server.URL)
	bob.join()

	path.freeze()
	start := time.Now()
	bob.say("while the path was dead")
	took := alice.waitWithin(25*time.Second, "the loss noticed", statusIs("reconnecting"))
	t.Logf("alice's page noticed the dead connection after %v", took)
	if took > 20*time.Second {
		t.Errorf("the dead connection was noticed after %v, more than 20 s", took)
	}
	alice.screenshot("dead-connection")
	path.thaw()
	alice.waitUntil("online again", online)
	alice.waitMessage("bob", "while the path was dead")
	n := eval[int](alice, `[...document.querySelectorAll("#message-log .message .text")].filter(e => e.textContent === "while the path was dead").length`)
	if n != 1 {
		t.Errorf("the message shows %d times", n)
	}
	t.Logf("dead for %v in all", time.Since(start))
}

// TestJourneyTwoTabs: the same person opens the chat in a second tab.
// Both tabs chat, each sees everything, and the others see the person
// once, online until the last tab goes.
func TestJourneyTwoTabs(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	browser := newBrowser(t)
	first := newPerson(t, browser, "alice")
	first.open(server.URL)
	first.join()
	// A second tab of the same profile: it signs in with the credential
	// the first one got.
	ctx, cancel := chromedp.NewContext(first.ctx)
	t.Cleanup(cancel)
	second := &person{t: t, name: "alice (second tab)", ctx: ctx}
	second.front()
	second.open(server.URL)
	second.waitUntil("the second tab online", online)

	bob := newPerson(t, browser, "bob")
	bob.open(server.URL)
	bob.join()
	second.say("from the second tab")
	bob.waitMessage("alice", "from the second tab")
	first.waitMessage("alice", "from the second tab")
	first.front()
	first.say("from the first tab")
	second.waitMessage("alice", "from the first tab")
	if got := eval[string](bob, users); got != "alice,bob" {
		t.Errorf("bob sees %q online", got)
	}

	// The second tab closes: alice is still here.
	if err := chromedp.Cancel(second.ctx); err != nil {
		t.Fatal(err)
	}
	first.say("still here")
	bob.waitMessage("alice", "still here")
	if got := eval[string](bob, users); got != "alice,bob" {
		t.Errorf("with one tab closed, bob sees %q online", got)
	}
	first.do("leave the page", chromedp.Navigate("about:blank"))
	bob.waitUntil("alice gone", users+` === "bob"`)
}

// TestJourneyLeaveWithUnsent: leaving with messages not sent yet asks
// first; "Send, then leave" sends them when the server is back, then
// leaves.
func TestJourneyLeaveWithUnsent(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	people := chatting(t, server.URL, "alice", "bob")
	alice, bob := people[0], people[1]
	server.stop()
	alice.waitUntil("the loss", statusIs("reconnecting"))
	alice.say("do not lose me")
	alice.do("leave", chromedp.Click(chromedp.ID("leave")))
	alice.waitUntil("the question", `document.querySelector('[role="alertdialog"]')?.textContent.includes("1 message is not sent yet")`)
	alice.screenshot("leave-dialog")
	alice.do("stay", chromedp.Click(chromedp.ID("leave-stay")))
	alice.waitUntil("the chat, message waiting", `!document.querySelector('[role="alertdialog"]') && !!document.querySelector("#message-log .message.pending")`)

	alice.do("leave", chromedp.Click(chromedp.ID("leave")))
	alice.do("send, then leave", chromedp.Click(chromedp.ID("leave-send")))
	alice.waitUntil("waiting to send", `document.querySelector('[role="alertdialog"]')?.textContent.includes("you will leave once they are sent")`)
	startLivechat(t, server.addr)
	bob.waitMessage("alice", "do not lose me")
	alice.waitUntil("the join form", `!!document.querySelector("form.join-card") && !document.querySelector('[role="alertdialog"]')`)
	bob.waitUntil("alice gone", users+` === "bob"`)
}

// sayAll sends n messages, "prefix 0" to "prefix n-1", and waits for
// their acks.
func (c *chatter) sayAll(n int, prefix string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range n {
		if err := c.conn.Write(ctx, shared.TypeSay, fmt.Sprintf("%s-%d", prefix, i), shared.Say{Text: fmt.Sprintf("%s %d", prefix, i)}); err != nil {
			c.t.Fatal(err)
		}
	}
	for acks := 0; acks < n; {
		if env := c.read(); env.Type == shared.TypeAck {
			acks++
		}
	}
}

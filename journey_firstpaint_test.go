//go:build !js

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// holdWasm holds the page's requests for app.wasm until release: until
// then the page shows what the server pre-rendered, as on a slow network.
func (p *person) holdWasm() (release func()) {
	p.t.Helper()
	paused := make(chan fetch.RequestID, 4)
	go func() {
		for ev, err := range chromedp.Events(p.ctx, fetch.RequestPaused) {
			if err != nil {
				return
			}
			paused <- ev.RequestID
		}
	}()
	if _, err := chromedp.Call(p.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*app.wasm*"}}}); err != nil {
		p.t.Fatal(err)
	}
	return func() {
		p.t.Helper()
		select {
		case id := <-paused:
			if _, err := chromedp.Call(p.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id}); err != nil {
				p.t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			p.t.Fatal("the page never asked for app.wasm")
		}
		if _, err := chromedp.Call(p.ctx, fetch.Disable, struct{}{}); err != nil {
			p.t.Fatal(err)
		}
	}
}

// TestJourneyFirstPaint: a newcomer on a slow network types a nickname
// and presses Join while the app is still loading. The pre-rendered form
// takes the input at once, and the app, once loaded, joins with it.
// Later, a returning visitor sees "Connecting…" from the first paint,
// never the join form.
func TestJourneyFirstPaint(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	ada := newPerson(t, newBrowser(t), "ada")
	release := ada.holdWasm()
	ada.do("open", chromedp.Navigate(server.URL))
	ada.waitUntil("the pre-rendered form", `!!document.querySelector("form.join-card")`)
	if eval[bool](ada, `performance.getEntriesByName("livechat:interactive").length > 0`) {
		t.Fatal("the app runs without app.wasm")
	}
	if eval[bool](ada, `document.getElementById("nickname").disabled || document.querySelector("form.join-card button").disabled`) {
		t.Fatal("the pre-rendered form is disabled")
	}
	ada.do("type and join while loading",
		chromedp.SendKeys(chromedp.ID("nickname"), "Ada L"),
		chromedp.Click(chromedp.CSS(`form.join-card button[type="submit"]`)),
	)
	ada.waitUntil("Join acknowledged", `document.querySelector("form.join-card button").textContent === "Joining…"`)
	ada.screenshot("joining-while-loading")
	release()
	ada.waitUntil("joined with what was typed", online+` && `+users+` === "Ada L"`)

	// The visitor returns (a reload that skips the service worker, so that
	// the page is again slow to load).
	if _, err := chromedp.Call(ada.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ada.ctx, network.SetBypassServiceWorker, network.SetBypassServiceWorkerParams{Bypass: true}); err != nil {
		t.Fatal(err)
	}
	release = ada.holdWasm()
	ada.do("reload", chromedp.Reload())
	ada.waitUntil("the pre-rendered page", `!!document.querySelector("main.join")`)
	if !eval[bool](ada, `document.documentElement.classList.contains("returning") &&
		getComputedStyle(document.querySelector(".join-card")).display === "none" &&
		getComputedStyle(document.querySelector(".resuming")).display !== "none"`) {
		t.Errorf("a returning visitor is offered the join form: %s", eval[string](ada, `document.body.innerText`))
	}
	ada.screenshot("returning-first-paint")
	release()
	ada.waitUntil("online again", online)
}

// TestJourneyReturningUser: while a returning user's page connects, it
// shows the conversation kept from the last visit and says it is
// connecting; it never claims the room is empty, that nobody is online,
// or that the device is offline.
func TestJourneyReturningUser(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	path := startProxy(t, server.addr)
	alice := newPerson(t, newBrowser(t), "alice")
	alice.open(path.URL())
	alice.join()
	alice.say("kept from last time")
	alice.waitMessage("alice", "kept from last time")
	alice.waitUntil("the service worker", `navigator.serviceWorker.ready.then(() => true)`)

	path.holdSockets()
	alice.do("reload", chromedp.Reload())
	alice.waitUntil("the app", `performance.getEntriesByName("livechat:interactive").length > 0`)
	alice.waitMessage("alice", "kept from last time")
	state := eval[map[string]any](alice, `({
		status: document.querySelector("#status")?.dataset.status,
		label: document.querySelector("#status .label")?.textContent,
		form: !!document.querySelector(".join-card"),
		text: document.body.innerText,
		placeholder: document.getElementById("composer-text")?.placeholder,
	})`)
	alice.screenshot("connecting")
	if state["status"] != "connecting" || state["label"] != "Connecting…" || state["form"] != false {
		t.Errorf("while connecting: %v", state)
	}
	text, _ := state["text"].(string)
	for _, claim := range []string{"No messages yet", "(0)", "Offline"} {
		if strings.Contains(text, claim) {
			t.Errorf("while connecting, the page says %q:\n%s", claim, text)
		}
	}
	if ph, _ := state["placeholder"].(string); strings.Contains(ph, "Offline") {
		t.Errorf("while connecting, the composer says %q", ph)
	}
	path.releaseSockets()
	alice.waitUntil("online", online+` && `+users+` === "alice"`)
}

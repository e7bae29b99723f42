//go:build !js

package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestJourneyChat: alice and bob join from two browsers, see each other,
// talk, and a script sent as a message, plain or formatted, shows as text.
func TestJourneyChat(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	browser := newBrowser(t)
	alice := newPerson(t, browser, "alice")
	bob := newPerson(t, browser, "bob")

	// Any dialog (an alert from injected script) fails the test.
	dialogs := make(chan string, 10)
	for _, p := range []*person{alice, bob} {
		go func() {
			for ev, err := range chromedp.Events(p.ctx, page.JavascriptDialogOpening) {
				if err != nil {
					return
				}
				dialogs <- p.name + ": " + ev.Message
				chromedp.Call(p.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}
		}()
	}

	alice.open(server.URL)
	alice.screenshot("join")
	alice.join()
	bob.open(server.URL)
	bob.join()

	for _, p := range []*person{alice, bob} {
		p.waitUntil("both users listed", users+` === "alice,bob"`)
	}
	alice.waitUntil("bob's join notice", `[...document.querySelectorAll("#message-log .notice")].some(n => n.textContent.startsWith("bob joined"))`)

	// The page runs under a Content-Security-Policy: injected inline
	// script does not run, and is reported (then forgotten, so that the
	// check at the end of the test sees only the app's own violations).
	if got := eval[string](bob, `new Promise(r => {
		document.addEventListener("securitypolicyviolation", e => r(e.violatedDirective), {once: true});
		const s = document.createElement("script");
		s.textContent = "window.injected = true";
		document.head.appendChild(s);
	}).then(d => {
		const recorded = window.cspViolations.length > 0; // watchCSP's record
		window.cspViolations = [];
		return d + (window.injected ? " but it ran" : "") + (recorded ? "" : " but it was not recorded");
	})`); !strings.HasPrefix(got, "script-src") || strings.Contains(got, " but ") {
		t.Errorf("inline script under the policy: %q", got)
	}
	alice.say("hello bob, see https://example.com/docs.")
	bob.waitMessage("alice", "hello bob, see https://example.com/docs.")
	link := eval[string](bob, `(() => { const a = document.querySelector("#message-log .message a"); return a.href + " " + a.rel + " " + a.target })()`)
	if link != "https://example.com/docs noopener noreferrer _blank" {
		t.Errorf("link = %q", link)
	}
	alice.waitUntil("own message set apart", `!!document.querySelector("#message-log .message.own")`)
	bob.say("hi alice")
	alice.waitMessage("bob", "hi alice")

	const xss = `<img src=x onerror=alert(1)><script>alert(2)</script>`
	alice.say(xss)
	bob.waitMessage("alice", xss)
	alice.waitMessage("alice", xss)
	for _, p := range []*person{alice, bob} {
		if n := eval[int](p, `document.querySelectorAll("#message-log img, #message-log script").length`); n != 0 {
			t.Errorf("%s: the message created %d elements", p.name, n)
		}
	}

	// Formatting keeps markup inert: every construct, with HTML and
	// script inside, renders as text, and links go only to http(s).
	formatted := strings.Join([]string{
		"**<img src=x onerror=alert(3)>** _<b>i</b>_ ~~<i>s</i>~~ `<script>alert(4)</script>`",
		"[x](javascript:alert(5)) javascript:alert(6) https://example.com/?q=<svg/onload=alert(7)>",
		"> <svg onload=alert(8)>",
		"- <iframe src=javascript:alert(9)>",
		"1. <a href=javascript:alert(10)>x</a>",
		"```html",
		"<script>alert(11)</script>",
		"```",
	}, "\n")
	alice.do("say a formatted message", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const a = document.getElementById("composer-text");
		a.value = %q;
		a.focus();
		a.dispatchEvent(new Event("input", {bubbles: true}));
	})()`, formatted)), pressEnter)
	for _, p := range []*person{alice, bob} {
		p.waitUntil("the formatted message", `[...document.querySelectorAll("#message-log .message .text pre code")].some(c => c.textContent === "<script>alert(11)</script>")`)
		got := eval[string](p, `(() => {
			const m = [...document.querySelectorAll("#message-log .message .text")].find(t => t.querySelector("pre"));
			const text = s => [...m.querySelectorAll(s)].map(e => e.textContent).join("|");
			return [
				m.querySelectorAll("img, script, svg, iframe, b, i, [onerror], [onload]").length,
				[...document.querySelectorAll("#message-log a")].filter(a => !/^https?:\/\//.test(a.href)).length,
				text(":scope > p > strong"), text(":scope > p > em"), text(":scope > p > del"), text(":scope > p > code"),
				text("a"), text("blockquote"), text("ul > li"), text("ol > li"), text("pre > code"),
			].join("\n");
		})()`)
		want := strings.Join([]string{"0", "0",
			"<img src=x onerror=alert(3)>", "<b>i</b>", "<i>s</i>", "<script>alert(4)</script>",
			"https://example.com/?q=", "<svg onload=alert(8)>", "<iframe src=javascript:alert(9)>",
			"<a href=javascript:alert(10)>x</a>", "<script>alert(11)</script>"}, "\n")
		if got != want {
			t.Errorf("%s: the formatted message renders as\n%s\nwant\n%s", p.name, got, want)
		}
	}
	alice.screenshot("chat")
	bob.screenshot("chat")
	select {
	case d := <-dialogs:
		t.Errorf("a dialog opened: %s", d)
	default:
	}

	// A reader who scrolled up is not moved; a pill offers the news.
	for i := range 30 {
		bob.say(fmt.Sprintf("filler %d", i))
	}
	alice.waitMessage("bob", "filler 29")
	alice.waitUntil("the log at its end", `(() => { const l = document.getElementById("message-log"); return l.scrollHeight - l.scrollTop - l.clientHeight < 48 })()`)
	alice.do("scroll up", chromedp.Evaluate[chromedp.Void](`document.getElementById("message-log").scrollTop = 0; document.getElementById("message-log").dispatchEvent(new Event("scroll"))`))
	bob.say("news below")
	alice.waitMessage("bob", "news below")
	alice.waitUntil("the new messages pill", `!!document.querySelector(".pill")`)
	if top := eval[int](alice, `document.getElementById("message-log").scrollTop`); top != 0 {
		t.Errorf("the log moved under the reader to %d", top)
	}
	alice.screenshot("pill")
	alice.do("follow the pill", chromedp.Click(chromedp.CSS(".pill")))
	alice.waitUntil("the log at its end, pill gone", `(() => { const l = document.getElementById("message-log"); return !document.querySelector(".pill") && l.scrollHeight - l.scrollTop - l.clientHeight < 48 })()`)

	// On a phone, in dark mode: the page fits, the user list folds away
	// behind a button.
	if err := chromedp.Do(bob.ctx,
		chromedp.EmulateViewport(360, 740),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
			})
			return err
		}),
	); err != nil {
		t.Fatal(err)
	}
	bob.waitUntil("the phone layout", `document.documentElement.scrollWidth <= 360 &&
		getComputedStyle(document.getElementById("users")).display === "none" &&
		getComputedStyle(document.querySelector(".users-toggle")).display !== "none"`)
	if bg := eval[string](bob, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(13, 17, 23)" {
		t.Errorf("dark mode background %s", bg)
	}
	bob.do("open the user list", chromedp.Click(chromedp.CSS(".users-toggle")))
	bob.waitUntil("the user list", `getComputedStyle(document.getElementById("users")).display !== "none"`)
	bob.screenshot("phone-dark")

	// Leaving: bob goes to another page; alice sees him go.
	bob.do("go elsewhere", chromedp.Navigate("about:blank"))
	alice.waitUntil("bob gone from the list", users+` === "alice"`)
}

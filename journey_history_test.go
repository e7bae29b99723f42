//go:build !js

package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"livechat/shared"
)

// TestJourneyHistory: a newcomer sees the recent history, loads older
// messages by scrolling to the top, and a reload shows the history again,
// from what the browser kept.
func TestJourneyHistory(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0", seeding)
	c := dialChatter(t, server.URL, "alice")
	const n = 120
	for i := 1; i <= n; i++ {
		c.conn.Write(context.Background(), shared.TypeSay, fmt.Sprintf("h%03d", i), shared.Say{Text: fmt.Sprintf("history %d", i)})
	}
	for acks := 0; acks < n; {
		if env := c.read(); env.Type == shared.TypeAck {
			acks++
		}
	}

	bob := newPerson(t, newBrowser(t), "bob")
	bob.open(server.URL)
	bob.join()
	count := `document.querySelectorAll("#message-log .message").length`
	bob.waitUntil("the last 50 messages", count+` === 50`)
	if first := eval[string](bob, `document.querySelector("#message-log .message .text").textContent`); first != "history 71" {
		t.Errorf("the oldest message shown is %q", first)
	}
	bob.do("scroll to the top", chromedp.Evaluate[chromedp.Void](`document.getElementById("message-log").scrollTop = 0; document.getElementById("message-log").dispatchEvent(new Event("scroll"))`))
	bob.waitUntil("older messages", count+` === 100`)
	bob.do("scroll to the top", chromedp.Evaluate[chromedp.Void](`document.getElementById("message-log").scrollTop = 0; document.getElementById("message-log").dispatchEvent(new Event("scroll"))`))
	bob.waitUntil("all messages", count+` === 120 && !document.querySelector("#message-log .older")`)
	texts := eval[[]string](bob, `[...document.querySelectorAll("#message-log .message .text")].map(e => e.textContent)`)
	for i, text := range texts {
		if text != fmt.Sprintf("history %d", i+1) {
			t.Fatalf("message %d is %q", i, text)
		}
	}
	bob.screenshot("history")

	// A reload shows the newest messages the browser kept (100), and older
	// ones can still be loaded.
	bob.do("reload", chromedp.Reload())
	bob.waitUntil("the kept history after a reload", count+` === 100 && `+online+` && !!document.querySelector("#message-log .older")`)
	if first := eval[string](bob, `document.querySelector("#message-log .message .text").textContent`); first != "history 21" {
		t.Errorf("after a reload the oldest message shown is %q", first)
	}
}

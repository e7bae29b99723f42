//go:build !js

package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestJourneyTooFast: alice types faster than the server takes messages
// (4 at once, then 1 a second). The app tells her to slow down, keeps
// what was refused and sends it again when the server says, and bob gets
// every message once, in the order she wrote them.
func TestJourneyTooFast(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0", "-limit-messages", "4/4s")
	people := chatting(t, server.URL, "alice", "bob")
	alice, bob := people[0], people[1]
	eval[bool](alice, `(() => {
		window.sawSlowDown = false;
		new MutationObserver(() => {
			if (document.body.innerText.includes("Slow down")) window.sawSlowDown = true;
		}).observe(document.body, {subtree: true, childList: true, characterData: true});
		return true;
	})()`)
	const n = 12
	var want []string
	for i := 1; i <= n; i++ {
		text := fmt.Sprintf("quick %02d", i)
		want = append(want, text)
		alice.say(text)
	}
	const fromAlice = `[...document.querySelectorAll('#message-log .message')].filter(m => m.querySelector('.from').textContent === 'alice').map(m => m.querySelector('.text').textContent).join(',')`
	bob.waitUntil("all of alice's messages", fromAlice+` === `+fmt.Sprintf("%q", strings.Join(want, ",")))
	alice.waitUntil("her outbox empty", `document.querySelectorAll('#message-log .message.pending').length === 0`)
	if !eval[bool](alice, `window.sawSlowDown`) {
		t.Error("alice was never told to slow down")
	}
	if got := eval[string](bob, fromAlice); got != strings.Join(want, ",") {
		t.Errorf("bob has %s", got)
	}
}

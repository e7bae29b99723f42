//go:build !js

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"livechat/shared"
)

// pressKey presses key (a KeyboardEvent key and code, and its virtual
// key code) as a keyboard does.
func pressKey(key, code string, vk int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
			params := input.DispatchKeyEventParams{Type: typ, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk}
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, params); err != nil {
				return err
			}
		}
		return nil
	})
}

var (
	pressEscape  = pressKey("Escape", "Escape", 27)
	pressArrowUp = pressKey("ArrowUp", "ArrowUp", 38)
)

// messageWith is a JavaScript expression: the message of the log whose
// text contains text.
func messageWith(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("#message-log .message")].find(m => m.querySelector(".text")?.textContent.includes(%q))`, text)
}

// TestJourneyConversation: alice, bob and carol talk as people do in a
// modern chat, each feature by keyboard where it has a key: formatting,
// who is typing, a reply that shows what it answers, reactions with any
// emoji, an edit (Up in the composer) and a deletion, who has seen the
// newest message, an edit and a reaction made while bob is offline, and
// a quote that finds its original among older history. Every state
// passes axe-core in light and dark, on a phone and a desktop, with
// screenshots.
func TestJourneyConversation(t *testing.T) {
	axe, err := os.ReadFile(npmTool(t, filepath.Join("axe-core", "axe.min.js")))
	if err != nil {
		t.Fatal(err)
	}
	source := string(axe)
	server := startLivechat(t, "127.0.0.1:0", seeding)
	people := chatting(t, server.URL, "alice", "bob", "carol")
	alice, bob, carol := people[0], people[1], people[2]

	// Formatting, parsed alike everywhere, rendered as elements.
	alice.say("lunch at **noon**? menu on www.example.com :tada:")
	for _, p := range people {
		p.waitUntil("alice's formatted message", `(() => {
			const m = `+messageWith("lunch at noon?")+`;
			return m && m.querySelector(".text strong")?.textContent === "noon" &&
				m.querySelector(".text a")?.href === "https://www.example.com/" && m.querySelector(".text").textContent.includes("🎉");
		})()`)
	}

	// bob types: alice and carol see it, politely announced; it goes
	// when his message arrives.
	bob.do("type", chromedp.SendKeys(chromedp.ID("composer-text"), "sounds good"))
	for _, p := range []*person{alice, carol} {
		p.waitUntil("bob typing", `document.getElementById("typing").textContent === "bob is typing…" &&
			document.getElementById("typing").getAttribute("aria-live") === "polite"`)
	}
	alice.screenshot("typing")
	bob.do("send", pressEnter)
	alice.waitUntil("bob no longer typing", `document.getElementById("typing").textContent === ""`)

	// bob replies to alice's message, by keyboard: its actions, Reply.
	bob.do("open the actions of alice's message",
		chromedp.Focus(chromedp.Search(messageActions("lunch at noon?"))),
		pressEnter,
	)
	bob.waitUntil("the actions menu", `!!document.querySelector(".msg-menu button.reply")`)
	bob.checkAxe(source, "conversation-menu")
	bob.do("reply", chromedp.Focus(chromedp.CSS(".msg-menu button.reply")), pressEnter)
	bob.waitUntil("the composer replying", `document.getElementById("composer-mode")?.textContent.includes("Replying to alice") &&
		document.activeElement?.id === "composer-text"`)
	// Escape stops replying; Reply again, and send.
	bob.do("cancel", pressEscape)
	bob.waitUntil("no longer replying", `!document.getElementById("composer-mode")`)
	bob.do("reply again",
		chromedp.Focus(chromedp.Search(messageActions("lunch at noon?"))),
		pressEnter,
		chromedp.WaitVisible(chromedp.CSS(".msg-menu button.reply")),
		chromedp.Focus(chromedp.CSS(".msg-menu button.reply")),
		pressEnter,
		chromedp.WaitVisible(chromedp.ID("composer-mode")),
	)
	bob.say("count me in")
	for _, p := range people {
		p.waitUntil("the reply with its quote, and the count", `(() => {
			const r = `+messageWith("count me in")+`;
			const o = `+messageWith("lunch at noon?")+`;
			return r && r.querySelector(".reply-quote")?.textContent.startsWith("alice") &&
				o && o.querySelector(".replies")?.textContent === "1 reply";
		})()`)
	}

	// carol reacts with the picker, by keyboard.
	carol.do("open the actions of alice's message",
		chromedp.Focus(chromedp.Search(messageActions("lunch at noon?"))),
		pressEnter,
		chromedp.WaitVisible(chromedp.CSS(".msg-menu button.react")),
		chromedp.Focus(chromedp.CSS(".msg-menu button.react")),
		pressEnter,
	)
	carol.waitUntil("the picker, focused", `!!document.querySelector(".msg-picker .emoji-picker") && !!document.activeElement?.closest(".emoji-picker")`)
	carol.checkAxe(source, "conversation-picker")
	carol.do("pick an emoji", chromedp.Focus(chromedp.CSS(".msg-picker button.emoji")), pressEnter)
	emoji := eval[string](carol, `(() => { const b = `+messageWith("lunch at noon?")+`?.querySelector(".reaction:not(.add)"); return b ? b.firstChild.textContent : ""; })()`)
	if emoji == "" {
		carol.waitUntil("her reaction", messageWith("lunch at noon?")+`?.querySelector(".reaction:not(.add)")`)
		emoji = eval[string](carol, messageWith("lunch at noon?")+`.querySelector(".reaction:not(.add)").firstChild.textContent`)
	}
	reaction := func(count int, who string) string {
		return fmt.Sprintf(`(() => {
			const b = %s?.querySelector(".reaction:not(.add)");
			return !!b && b.querySelector(".count").textContent === "%d" && b.getAttribute("aria-label").includes(%q);
		})()`, messageWith("lunch at noon?"), count, who)
	}
	alice.waitUntil("carol's reaction", reaction(1, "carol"))
	// alice adds the same one with a click, then takes it back.
	alice.do("react too", chromedp.Click(chromedp.Search(`//li[contains(@class,"message")][*[@class="text" and contains(., "lunch at noon?")]]//button[contains(@class,"reaction") and not(contains(@class,"add"))]`)))
	bob.waitUntil("two reactions", reaction(2, "carol and alice"))
	alice.waitUntil("hers pressed", messageWith("lunch at noon?")+`.querySelector(".reaction:not(.add)").getAttribute("aria-pressed") === "true"`)
	alice.checkAxe(source, "conversation")
	alice.do("take it back", chromedp.Click(chromedp.Search(`//li[contains(@class,"message")][*[@class="text" and contains(., "lunch at noon?")]]//button[contains(@class,"reaction") and not(contains(@class,"add"))]`)))
	bob.waitUntil("one reaction again", reaction(1, "carol"))

	// alice edits her last message: Up in the empty composer.
	alice.say("see you tomorow")
	bob.waitMessage("alice", "see you tomorow")
	alice.do("edit the last message", chromedp.Focus(chromedp.ID("composer-text")), pressArrowUp)
	alice.waitUntil("the composer editing it", `document.getElementById("composer-text").value === "see you tomorow" &&
		document.getElementById("composer-mode")?.textContent.includes("Editing")`)
	alice.do("fix the typo",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("composer-text").value = ""`),
		chromedp.SendKeys(chromedp.ID("composer-text"), "see you tomorrow"),
		pressEnter,
	)
	for _, p := range people {
		p.waitUntil("the edit", `(() => {
			const m = `+messageWith("see you tomorrow")+`;
			return m && m.querySelector(".edited")?.textContent === "(edited)" && !document.getElementById("message-log").textContent.includes("tomorow");
		})()`)
	}

	// Who has seen alice's newest message.
	alice.waitUntil("seen by bob and carol, under the newest message", `document.getElementById("seen")?.textContent === "Seen by bob, carol" &&
		document.getElementById("seen").previousElementSibling === `+messageWith("see you tomorrow")+``)
	alice.screenshot("seen")

	// While bob is offline, alice starts an edit and thinks better of it
	// (Escape), deletes a message of hers, and carol reacts to another.
	// Back online, bob has it all.
	alice.say("oops, wrong room")
	bob.waitMessage("alice", "oops, wrong room")
	bob.setNetwork(false)
	bob.waitUntil("bob offline", `document.querySelector("#status")?.dataset.status !== "online"`)
	alice.do("edit again", chromedp.Focus(chromedp.ID("composer-text")), pressArrowUp)
	alice.waitUntil("editing", `document.getElementById("composer-text").value === "oops, wrong room" &&
		document.getElementById("composer-mode")?.textContent.includes("Editing")`)
	alice.do("cancel the edit", pressEscape)
	alice.waitUntil("not editing", `!document.getElementById("composer-mode") && document.getElementById("composer-text").value === ""`)
	alice.do("delete it",
		chromedp.Click(chromedp.Search(messageActions("oops, wrong room"))),
		chromedp.WaitVisible(chromedp.CSS(".msg-menu button.delete")),
		chromedp.Click(chromedp.CSS(".msg-menu button.delete")),
	)
	alice.waitUntil("deleted", `!document.getElementById("message-log").textContent.includes("oops, wrong room")`)
	carol.do("react to the edited message", chromedp.Click(chromedp.Search(messageActions("see you tomorrow"))),
		chromedp.WaitVisible(chromedp.CSS(".msg-menu button.react")), chromedp.Click(chromedp.CSS(".msg-menu button.react")),
		chromedp.WaitVisible(chromedp.CSS(".msg-picker button.emoji")), chromedp.Click(chromedp.CSS(".msg-picker button.emoji")))
	alice.waitUntil("carol's second reaction", messageWith("see you tomorrow")+`?.querySelector(".reaction:not(.add)")?.getAttribute("aria-label").includes("carol")`)
	bob.setNetwork(true)
	bob.waitUntil("everything made while offline", online+` && !document.getElementById("message-log").textContent.includes("oops, wrong room") &&
		[...document.querySelectorAll("#message-log .message.deleted")].length === 1 &&
		`+messageWith("see you tomorrow")+`?.querySelector(".reaction:not(.add)")?.getAttribute("aria-label").includes("carol")`)
	bob.screenshot("resumed")

	// A quote finds its original among older history: 120 messages later
	// carol quotes alice's first message; a newcomer opens the room and
	// follows the quote.
	c := dialChatter(t, server.URL, "dave")
	c.sayAll(120, "filler")
	original := eval[float64](carol, `Number(`+messageWith("lunch at noon?")+`.dataset.id)`)
	c.conn.Write(context.Background(), shared.TypeSay, "quote", shared.Say{Text: "was it noon?", ReplyTo: uint64(original)})
	erin := newPerson(t, newBrowser(t), "erin")
	erin.open(server.URL)
	erin.join()
	erin.waitUntil("the reply, without its original", messageWith("was it noon?")+`?.querySelector(".reply-quote") && !`+messageWith("lunch at noon?"))
	erin.do("follow the quote", chromedp.Click(chromedp.Search(`//li[contains(@class,"message")][*[@class="text" and contains(., "was it noon?")]]//button[@class="reply-quote"]`)))
	erin.waitUntil("the original shown and focused", `(() => {
		const m = `+messageWith("lunch at noon?")+`;
		return !!m && document.activeElement === m;
	})()`)
	erin.screenshot("quote-followed")

	// Escape closes a panel, and the focus goes back to its button.
	erin.show(layouts[2])
	erin.do("open the member list", chromedp.Click(chromedp.CSS(".users-toggle")))
	erin.waitUntil("the list open", `document.querySelector(".users-toggle").getAttribute("aria-expanded") === "true"`)
	erin.do("press Escape", pressEscape)
	erin.waitUntil("the list closed, the focus on its button", `document.querySelector(".users-toggle").getAttribute("aria-expanded") === "false" &&
		document.activeElement === document.querySelector(".users-toggle")`)
}

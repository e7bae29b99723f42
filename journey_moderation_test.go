//go:build !js

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// messageActions is the XPath of the actions button of the message whose
// text contains text.
func messageActions(text string) string {
	return fmt.Sprintf(`//ol[@class="lines"]/li[contains(@class,"message")][*[@class="text" and contains(., %q)]]//button[contains(@class,"msg-actions")]`, text)
}

// TestJourneyModeration: carol reports bob's spam, with the keyboard;
// the admin (the first account) finds it among the reports, deletes it
// from the conversation, and carol sees it go; the admin mutes bob, whose
// next message is refused with the reason; the admin locks the room and
// slows it down, and carol sees it. Every menu and dialog passes
// axe-core, in light and dark, on a phone and a desktop.
func TestJourneyModeration(t *testing.T) {
	axe, err := os.ReadFile(npmTool(t, filepath.Join("axe-core", "axe.min.js")))
	if err != nil {
		t.Fatal(err)
	}
	source := string(axe)
	server := startLivechat(t, "127.0.0.1:0")
	people := chatting(t, server.URL, "admin", "bob", "carol")
	admin, bob, carol := people[0], people[1], people[2]

	bob.say("buy cheap pills at example.com")
	for _, p := range people {
		p.waitMessage("bob", "buy cheap pills at example.com")
	}

	// carol reports it, with the keyboard: the actions button, Report,
	// the reason, Enter.
	carol.do("open the message's actions",
		chromedp.Focus(chromedp.Search(messageActions("buy cheap pills"))),
		pressEnter,
	)
	carol.waitUntil("the actions menu", `!!document.querySelector(".msg-menu button.report")`)
	carol.checkAxe(source, "actions")
	carol.do("report",
		chromedp.Focus(chromedp.CSS(".msg-menu button.report")),
		pressEnter,
		chromedp.WaitVisible(chromedp.ID("report-reason")),
	)
	carol.waitUntil("the focus in the reason", `document.activeElement?.id === "report-reason"`)
	carol.checkAxe(source, "report")
	carol.do("say why", chromedp.SendKeys(chromedp.ID("report-reason"), "spam"), chromedp.Click(chromedp.ID("report-submit")))
	carol.waitUntil("the thanks", `document.getElementById("moderation-notice")?.textContent.includes("the admins will look at the message")`)
	carol.screenshot("reported")

	// The admin finds it among the reports.
	admin.do("open the reports",
		chromedp.Click(chromedp.ID("account")),
		chromedp.WaitVisible(chromedp.ID("admin-reports")),
		chromedp.Click(chromedp.ID("admin-reports")),
	)
	admin.waitUntil("carol's report", `(() => {
		const r = document.querySelector("#reports li");
		return r && r.textContent.includes("buy cheap pills at example.com") && r.textContent.includes("Reported by carol") && r.textContent.includes("spam");
	})()`)
	admin.checkAxe(source, "reports")
	admin.do("close the reports", chromedp.Click(chromedp.ID("admin-panel-close")))

	// The admin deletes it from the conversation; carol sees it go.
	admin.do("delete the message",
		chromedp.Click(chromedp.Search(messageActions("buy cheap pills"))),
		chromedp.WaitVisible(chromedp.CSS(".msg-menu button.delete")),
		chromedp.Click(chromedp.CSS(".msg-menu button.delete")),
	)
	for _, p := range []*person{carol, admin, bob} {
		p.waitUntil("the message deleted", `!document.getElementById("message-log").textContent.includes("cheap pills") &&
			[...document.querySelectorAll("#message-log .message.deleted")].some(m => m.querySelector(".from").textContent === "bob" && m.querySelector(".text").textContent === "Message deleted")`)
	}
	carol.screenshot("deleted")
	admin.do("open the reports again", chromedp.Click(chromedp.ID("account")), chromedp.WaitVisible(chromedp.ID("admin-reports")), chromedp.Click(chromedp.ID("admin-reports")))
	admin.waitUntil("no open reports", `!!document.getElementById("no-reports")`)
	admin.do("look at the audit log", chromedp.Click(chromedp.ID("admin-view-audit")))
	admin.waitUntil("the deletion and the report in the audit log", `(() => {
		const items = [...document.querySelectorAll("#audit-log li")].map(li => li.textContent);
		return items.length === 2 && items[0].includes("admin deleted a message of bob in #general") && items[1].includes("carol reported a message of bob in #general (spam)");
	})()`)
	admin.checkAxe(source, "audit")
	admin.do("close the audit log", chromedp.Click(chromedp.ID("admin-panel-close")))

	// The admin mutes bob from the member list; bob's next message is
	// refused, and he is told until when.
	admin.do("moderate bob",
		chromedp.Click(chromedp.Search(`//ul[@id="online-users"]//button[@aria-label="Moderate bob"]`)),
		chromedp.WaitVisible(chromedp.ID("moderate-dialog")),
	)
	admin.waitUntil("the focus in the dialog", `document.activeElement?.id === "moderate-duration"`)
	admin.checkAxe(source, "moderate")
	admin.do("mute bob", chromedp.Click(chromedp.ID("moderate-mute")))
	admin.waitUntil("bob muted", `document.getElementById("moderate-status")?.textContent === "admin muted bob in #general for 10 minutes"`)
	admin.screenshot("muted")
	admin.do("close the dialog", chromedp.Click(chromedp.ID("moderate-close")))
	bob.say("why was that deleted?")
	bob.waitUntil("the refusal", `document.querySelector(".composer-help .error")?.textContent.includes("you are muted in #general until")`)
	bob.waitUntil("the message not kept as pending", `![...document.querySelectorAll("#message-log .message")].some(m => m.querySelector(".text")?.textContent === "why was that deleted?")`)
	// Nothing he typed is lost: the text is back in the composer.
	bob.waitUntil("his text given back", `document.getElementById("composer-text").value === "why was that deleted?"`)
	bob.screenshot("refused")
	if eval[bool](carol, `document.getElementById("message-log").textContent.includes("why was that deleted?")`) {
		t.Error("carol sees the message of bob, muted")
	}

	// The admin locks the room and sets a slow mode: everyone sees both,
	// and the others' composer is closed while it is locked.
	admin.do("open the room's moderation", chromedp.Click(chromedp.ID("room-settings")), chromedp.WaitVisible(chromedp.ID("room-settings-dialog")))
	admin.do("lock the room", chromedp.Click(chromedp.ID("room-locked")))
	admin.waitUntil("the room locked", `document.getElementById("room-settings-status")?.textContent === "admin locked #general"`)
	eval[bool](admin, `(() => {
		const s = document.getElementById("room-slow-mode");
		s.value = "30";
		return s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`)
	admin.waitUntil("the slow mode set", `document.getElementById("room-settings-status")?.textContent === "admin set the slow mode of #general to 30 seconds"`)
	admin.checkAxe(source, "room-settings")
	carol.waitUntil("the room shown locked, in slow mode, the composer closed", `document.getElementById("room-locked-badge")?.textContent === "Locked" &&
		document.getElementById("room-slow-badge")?.textContent === "Slow mode: 30 s" &&
		document.getElementById("composer-text").disabled && document.getElementById("composer-text").placeholder.startsWith("This room is locked")`)
	carol.checkAxe(source, "locked")
	if eval[bool](admin, `document.getElementById("composer-text").disabled`) {
		t.Error("the admin's composer is closed in the locked room")
	}
	admin.do("unlock the room", chromedp.Click(chromedp.ID("room-locked")), chromedp.Click(chromedp.ID("room-settings-close")))
	carol.waitUntil("the composer open again", `!document.getElementById("room-locked-badge") && !document.getElementById("composer-text").disabled`)
	carol.say("thanks for cleaning up")
	admin.waitMessage("carol", "thanks for cleaning up")
}

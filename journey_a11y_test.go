//go:build !js

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The accessibility journeys use axe-core and Lighthouse from bin/npm,
// where `make test` installs them (make npm-tools).
var npmTools = filepath.Join("bin", "npm", "node_modules")

// npmTool returns the path of a file of an npm package in bin/npm, failing
// the test if it is not installed.
func npmTool(t testing.TB, file string) string {
	t.Helper()
	path := filepath.Join(npmTools, file)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%v: run `make test` (or `make npm-tools`), which installs the accessibility tools", err)
	}
	return path
}

// violation is what axe-core reports of a failed rule.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axe runs axe-core on the page as it is and returns the serious and
// critical violations, and how many lesser ones there are.
func (p *person) axe(source string) (serious []violation, lesser int) {
	p.t.Helper()
	if !eval[bool](p, `typeof axe !== "undefined"`) {
		ctx, cancel := context.WithTimeout(p.ctx, 30*chromedpSecond)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](source)); err != nil {
			p.t.Fatalf("%s: load axe-core: %v", p.name, err)
		}
	}
	out := eval[string](p, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary),
	}))))`)
	var all []violation
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		p.t.Fatalf("axe-core's report %q: %v", out, err)
	}
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			serious = append(serious, v)
		} else {
			lesser++
		}
	}
	return serious, lesser
}

// chromedpSecond keeps the deadline above readable.
const chromedpSecond = 1_000_000_000

// layout is a way of showing the page: a viewport and a colour scheme.
type layout struct {
	name          string
	width, height int64
	dark          bool
}

var layouts = []layout{
	{"desktop-light", 1200, 800, false},
	{"desktop-dark", 1200, 800, true},
	{"phone-light", 360, 740, false},
	{"phone-dark", 360, 740, true},
}

// show applies a layout to the page.
func (p *person) show(l layout) {
	p.t.Helper()
	scheme := "light"
	if l.dark {
		scheme = "dark"
	}
	p.do("show "+l.name,
		chromedp.EmulateViewport(l.width, l.height),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}),
	)
}

// checkAxe runs axe-core on the page in every layout, failing the test
// for each serious or critical violation.
func (p *person) checkAxe(source, what string) {
	p.t.Helper()
	for _, l := range layouts {
		p.show(l)
		serious, lesser := p.axe(source)
		p.screenshot(what + "-" + l.name)
		for _, v := range serious {
			p.t.Errorf("%s, %s: %s (%s): %s\n\t%s", what, l.name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
		}
		p.t.Logf("%s, %s: %d serious or critical violations, %d lesser", what, l.name, len(serious), lesser)
	}
	p.show(layouts[0])
}

// TestJourneyAccessibility checks the join form, the chat, the user list
// and the leave dialog with axe-core, in light and dark, on a phone and a
// desktop: no serious or critical violation.
func TestJourneyAccessibility(t *testing.T) {
	source, err := os.ReadFile(npmTool(t, filepath.Join("axe-core", "axe.min.js")))
	if err != nil {
		t.Fatal(err)
	}
	server := startLivechat(t, "127.0.0.1:0")
	browser := newBrowser(t)
	alice := newPerson(t, browser, "alice")
	bob := newPerson(t, browser, "bob")

	alice.open(server.URL)
	alice.checkAxe(string(source), "join")
	alice.join()
	bob.open(server.URL)
	bob.join()
	bob.say("hello alice, the notes are at https://example.com/notes")
	alice.say("thanks! see also https://go.dev/doc")
	alice.waitMessage("bob", "hello alice, the notes are at https://example.com/notes")
	alice.waitMessage("alice", "thanks! see also https://go.dev/doc")
	alice.checkAxe(string(source), "chat")

	alice.show(layouts[2])
	alice.do("open the user list", chromedp.Click(chromedp.CSS(".users-toggle")))
	alice.waitUntil("the user list", `getComputedStyle(document.getElementById("users")).display !== "none"`)
	serious, _ := alice.axe(string(source))
	for _, v := range serious {
		t.Errorf("user list on a phone: %s (%s): %s\n\t%s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
	alice.do("close the user list", chromedp.Click(chromedp.CSS(".users-toggle")))
	// The rooms are a drawer on a phone: it opens, passes axe, and closes
	// once a room is picked.
	alice.waitUntil("the drawer closed", `getComputedStyle(document.getElementById("sidebar")).display === "none"`)
	alice.do("open the rooms", chromedp.Click(chromedp.CSS(".rooms-toggle")))
	alice.waitUntil("the drawer", `getComputedStyle(document.getElementById("sidebar")).display !== "none" && document.querySelector(".rooms-toggle").getAttribute("aria-expanded") === "true"`)
	serious, _ = alice.axe(string(source))
	for _, v := range serious {
		t.Errorf("rooms drawer on a phone: %s (%s): %s\n\t%s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
	alice.screenshot("phone-drawer")
	alice.do("pick #general", chromedp.Click(chromedp.CSS(`#sidebar .room-link[data-room="general"]`)))
	alice.waitUntil("the drawer closed again", `getComputedStyle(document.getElementById("sidebar")).display === "none"`)
	alice.show(layouts[0])

	server.stop()
	alice.waitUntil("the loss", statusIs("reconnecting"))
	alice.say("not sent yet")
	alice.do("leave", chromedp.Click(chromedp.ID("leave")))
	alice.waitUntil("the leave dialog", `!!document.querySelector('[role="alertdialog"]') && document.activeElement?.id === "leave-send"`)
	alice.checkAxe(string(source), "leave-dialog")
}

// startChromium runs a headless Chromium on the profile in dir, for
// Lighthouse to drive, until the test ends, and returns the port of its
// DevTools endpoint.
func startChromium(t *testing.T, profile string) int {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--remote-debugging-port=0", "--user-data-dir="+profile, "about:blank")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Chromium writes the port it chose into the profile.
	active := filepath.Join(profile, "DevToolsActivePort")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(active); err == nil {
			if port, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0]); err == nil {
				return port
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium did not start on %s", profile)
		}
		time.Sleep(50 * time.Millisecond) // polling for the file, with a deadline
	}
}

// lighthouse runs Lighthouse's accessibility audit of url (desktop or
// phone) in a Chromium on the profile in dir, which keeps the site's
// storage, and returns the score (0 to 1) and the audits that failed.
func lighthouse(t *testing.T, url, profile string, desktop bool) (float64, []string) {
	t.Helper()
	cli := npmTool(t, filepath.Join("lighthouse", "cli", "index.js"))
	port := startChromium(t, profile)
	report := filepath.Join(t.TempDir(), "report.json")
	args := []string{cli, url, "--port=" + strconv.Itoa(port),
		"--only-categories=accessibility", "--output=json", "--output-path=" + report, "--quiet",
		"--disable-storage-reset",
	}
	if desktop {
		args = append(args, "--preset=desktop")
	}
	cmd := exec.Command("node", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lighthouse %s: %v\n%s", url, err, out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Categories struct {
			Accessibility struct {
				Score     float64 `json:"score"`
				AuditRefs []struct {
					ID     string  `json:"id"`
					Weight float64 `json:"weight"`
				} `json:"auditRefs"`
			} `json:"accessibility"`
		} `json:"categories"`
		Audits map[string]struct {
			Title string   `json:"title"`
			Score *float64 `json:"score"`
		} `json:"audits"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, ref := range r.Categories.Accessibility.AuditRefs {
		if a := r.Audits[ref.ID]; ref.Weight > 0 && a.Score != nil && *a.Score < 1 {
			failed = append(failed, fmt.Sprintf("%s (%s)", ref.ID, a.Title))
		}
	}
	return r.Categories.Accessibility.Score, failed
}

// TestLighthouseAccessibility: Lighthouse scores the join form, and the
// chat of a returning user, 1.0 for accessibility, on a phone and on a
// desktop.
func TestLighthouseAccessibility(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	newcomer := t.TempDir()
	returning := t.TempDir()
	// The returning user joined once and said something.
	ctx, stop := newBrowserIn(t, returning)
	alice := &person{t: t, name: "alice", ctx: ctx}
	alice.open(server.URL)
	alice.join()
	alice.say("hello, see https://example.com")
	alice.waitMessage("alice", "hello, see https://example.com")
	alice.waitUntil("the service worker", `navigator.serviceWorker.ready.then(() => true)`)
	stop()

	for _, tt := range []struct {
		name    string
		profile string
		desktop bool
	}{
		{"join form, phone", newcomer, false},
		{"join form, desktop", newcomer, true},
		{"chat, phone", returning, false},
		{"chat, desktop", returning, true},
	} {
		score, failed := lighthouse(t, server.URL, tt.profile, tt.desktop)
		t.Logf("%s: accessibility %.2f", tt.name, score)
		if score < 1 {
			t.Errorf("%s: accessibility %.2f; failed: %s", tt.name, score, strings.Join(failed, "; "))
		}
	}
}

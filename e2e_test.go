//go:build !js

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"livechat/server"
	"livechat/shared"
)

// The end-to-end journeys run the real livechat program, built from this
// source with a freshly built web app, and drive headless Chromium as a
// person would.

// build holds what TestMain built: the program and a web directory with the
// current app.wasm.
var build struct {
	bin string
	web string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "livechat-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if err := buildAll(dir); err != nil {
			fmt.Fprintln(os.Stderr, "e2e build:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// buildAll builds the program and the web app into dir.
func buildAll(dir string) error {
	build.bin = filepath.Join(dir, "livechat")
	build.web = filepath.Join(dir, "web")
	if out, err := exec.Command("go", "build", "-o", build.bin, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	if err := os.CopyFS(build.web, os.DirFS("web")); err != nil {
		return err
	}
	for _, f := range []string{"app.wasm", "app.wasm.br", "app.wasm.gz"} {
		os.Remove(filepath.Join(build.web, f))
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(build.web, "app.wasm"), ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build wasm: %v\n%s", err, out)
	}
	return nil
}

// livechat is a running livechat process.
type livechat struct {
	t      testing.TB
	cmd    *exec.Cmd
	URL    string
	addr   string
	stderr *strings.Builder
	exited chan error
}

// startLivechat runs the program on addr ("127.0.0.1:0" for any port)
// until the test ends.
func startLivechat(t testing.TB, addr string, args ...string) *livechat {
	t.Helper()
	cmd := exec.Command(build.bin, append([]string{"-addr", addr, "-web", build.web, "-data", dataDir(t)}, args...)...) // later flags win
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	l := &livechat{t: t, cmd: cmd, stderr: &strings.Builder{}, exited: make(chan error, 1)}
	cmd.Stderr = l.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { l.exited <- cmd.Wait() }()
	t.Cleanup(func() { l.stop() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("livechat did not start: %v\n%s", err, l.stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	l.URL = regexp.MustCompile(`http://\S+/`).FindString(line)
	if l.URL == "" {
		t.Fatalf("no URL in %q", line)
	}
	l.addr = strings.TrimSuffix(strings.TrimPrefix(l.URL, "http://"), "/")
	return l
}

// dataDirs holds each test's data directory, so that a restarted server
// finds the messages of the one before.
var dataDirs sync.Map

func dataDir(t testing.TB) string {
	dir, ok := dataDirs.Load(t.Name())
	if !ok {
		dir, _ = dataDirs.LoadOrStore(t.Name(), t.TempDir())
	}
	return dir.(string)
}

// stop stops the program with SIGTERM and checks it exits cleanly.
func (l *livechat) stop() {
	if l.cmd.ProcessState != nil {
		return
	}
	l.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-l.exited:
		if err != nil {
			l.t.Errorf("livechat exited with %v:\n%s", err, l.stderr.String())
		}
	case <-time.After(15 * time.Second):
		l.cmd.Process.Kill()
		l.t.Errorf("livechat did not stop within 15s of SIGTERM")
	}
}

// newBrowser starts a headless Chromium for the test.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 800),
	)
	if path, err := exec.LookPath("chromium"); err == nil {
		opts = append(opts, chromedp.ExecPath(path))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// person is one browser user with their own storage (a separate browser
// context, like a separate profile).
type person struct {
	t    testing.TB
	name string
	ctx  context.Context
}

func newPerson(t *testing.T, browser context.Context, name string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return &person{t: t, name: name, ctx: ctx}
}

// do runs steps with a deadline.
func (p *person) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.screenshot("failed-" + what)
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](p *person, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, func(e *runtime.EvaluateParams) { e.AwaitPromise = new(true) }))
	if err != nil {
		p.t.Fatalf("%s: evaluate %s: %v", p.name, expr, err)
	}
	return v
}

// waitUntil polls a JavaScript condition until it holds, across page
// loads.
func (p *person) waitUntil(what, cond string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	var err error
	for ctx.Err() == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil || !transient(err) {
			break
		}
	}
	if err != nil {
		p.screenshot("failed-" + strings.ReplaceAll(what, " ", "-"))
		text, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string]("document.body.innerText"))
		p.t.Fatalf("%s: waiting for %s: %v\npage text:\n%s", p.name, what, err, text)
	}
}

// screenshot saves the page to screenshots/ (git-ignored).
func (p *person) screenshot(name string) {
	buf, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return
	}
	os.MkdirAll("screenshots", 0o755)
	os.WriteFile(filepath.Join("screenshots", p.t.Name()+"-"+p.name+"-"+name+".png"), buf, 0o644)
}

// open loads the app and waits until the WebAssembly app runs.
func (p *person) open(url string) {
	p.t.Helper()
	p.do("open "+url, chromedp.Navigate(url))
	p.waitUntil("the app to start", `performance.getEntriesByName("livechat:interactive").length > 0 && !document.getElementById("app-wasm-loader")`)
}

// join submits the join form and waits for the chat.
func (p *person) join() {
	p.t.Helper()
	p.do("join",
		chromedp.WaitEnabled(chromedp.ID("nickname")),
		chromedp.SendKeys(chromedp.ID("nickname"), p.name),
		chromedp.Click(chromedp.CSS(`form.join-card button[type="submit"]`)),
	)
	p.waitUntil("the chat", `!!document.querySelector('[role="log"][aria-label="Messages"]') && document.querySelector("#status")?.dataset.status === "online"`)
}

// say types text in the composer and presses Enter.
func (p *person) say(text string) {
	p.t.Helper()
	p.do("say",
		chromedp.WaitEnabled(chromedp.ID("composer-text")),
		chromedp.SendKeys(chromedp.ID("composer-text"), text),
		pressEnter,
	)
}

// pressEnter presses Enter as a keyboard does: one keydown that carries
// the text, so that preventing its default stops the new line. (SendKeys
// sends the text in a separate event, which nothing can prevent.)
var pressEnter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		params := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if typ == input.DispatchKeyEventTypeKeyDown {
			params.Text = "\r"
		}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, params); err != nil {
			return err
		}
	}
	return nil
})

// waitMessage waits until the log shows a message with text from from.
func (p *person) waitMessage(from, text string) {
	p.t.Helper()
	p.waitUntil(fmt.Sprintf("%s's message %q", from, text), fmt.Sprintf(`[...document.querySelectorAll('#message-log .message')].some(m =>
		m.querySelector(".from").textContent === %q && m.querySelector(".text").textContent === %q)`, from, text))
}

// TestJourneyChat: alice and bob join from two browsers, see each other,
// talk, and a script sent as a message shows as text.
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

	users := `[...document.querySelectorAll('[aria-label="Online users"] li')].map(li => li.firstChild.textContent).join(",")`
	for _, p := range []*person{alice, bob} {
		p.waitUntil("both users listed", users+` === "alice,bob"`)
	}
	alice.waitUntil("bob's join notice", `[...document.querySelectorAll("#message-log .notice")].some(n => n.textContent.startsWith("bob joined"))`)

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
		getComputedStyle(document.querySelector('[aria-label="Online users"]')).display === "none" &&
		getComputedStyle(document.querySelector(".users-toggle")).display !== "none"`)
	if bg := eval[string](bob, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(13, 17, 23)" {
		t.Errorf("dark mode background %s", bg)
	}
	bob.do("open the user list", chromedp.Click(chromedp.CSS(".users-toggle")))
	bob.waitUntil("the user list", `getComputedStyle(document.querySelector('[aria-label="Online users"]')).display !== "none"`)
	bob.screenshot("phone-dark")

	// Leaving: bob closes his page; alice sees him go.
	bob.do("leave", chromedp.Navigate("about:blank"))
	alice.waitUntil("bob gone from the list", users+` === "alice"`)
}

// TestJourneyServerRestart: the server restarts; both pages reconnect by
// themselves and can chat again. A message written while the server is
// down waits, survives a reload of the page, and is delivered once.
func TestJourneyServerRestart(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	browser := newBrowser(t)
	alice := newPerson(t, browser, "alice")
	bob := newPerson(t, browser, "bob")
	for _, p := range []*person{alice, bob} {
		p.open(server.URL)
		p.join()
	}
	alice.say("before the restart")
	bob.waitMessage("alice", "before the restart")
	// The service worker takes control, as on any later visit, so that the
	// page can be reloaded while the server is down.
	alice.waitUntil("the service worker", `navigator.serviceWorker.ready.then(() => true)`)
	alice.do("reload", chromedp.Reload())
	alice.waitUntil("the service worker in control", `!!navigator.serviceWorker.controller`)
	alice.waitUntil("online", `document.querySelector("#status")?.dataset.status === "online"`)
	alice.waitMessage("alice", "before the restart") // history after a reload

	server.stop()
	for _, p := range []*person{alice, bob} {
		p.waitUntil("the status to show the loss", `document.querySelector("#status")?.dataset.status === "reconnecting"`)
	}
	alice.say("written while the server was down")
	pending := `[...document.querySelectorAll("#message-log .message.pending")].some(m => m.querySelector(".text").textContent === "written while the server was down" && m.querySelector(".state").textContent === "Not sent yet")`
	alice.waitUntil("the message shown as not sent", pending)
	alice.screenshot("reconnecting")
	alice.do("reload while down", chromedp.Reload())
	alice.waitUntil("the message still waiting after a reload", pending)

	startLivechat(t, server.addr)
	for _, p := range []*person{alice, bob} {
		p.waitUntil("reconnected", `document.querySelector("#status")?.dataset.status === "online"`)
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

// TestJourneyHistory: a newcomer sees the recent history, loads older
// messages by scrolling to the top, and a reload shows the history again.
func TestJourneyHistory(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
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

	bob.do("reload", chromedp.Reload())
	bob.waitUntil("the history after a reload", count+` === 50 && document.querySelector("#status")?.dataset.status === "online"`)
}

// TestJourneyInstallableAndOffline: the app is installable, its service
// worker is active, and a reload while the server is down and the network
// gone shows the app from the cache, saying it is offline.
func TestJourneyInstallableAndOffline(t *testing.T) {
	server := startLivechat(t, "127.0.0.1:0")
	// The browser's own profile: apps cannot be installed from incognito
	// contexts.
	alice := &person{t: t, name: "alice", ctx: newBrowser(t)}
	alice.open(server.URL)
	alice.join()

	if state := eval[string](alice, `navigator.serviceWorker.ready.then(r => r.active.state)`); state != "activated" {
		t.Fatalf("service worker state %q", state)
	}
	res, err := chromedp.Call(alice.ctx, page.GetInstallabilityErrors, struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.InstallabilityErrors {
		t.Errorf("not installable: %s", e.ErrorID)
	}
	manifest := eval[string](alice, `fetch("/manifest.webmanifest").then(r => r.json()).then(m => m.icons.map(i => i.sizes + ":" + i.purpose).join(","))`)
	if !strings.Contains(manifest, "512x512:maskable") || !strings.Contains(manifest, "192x192:any") {
		t.Errorf("manifest icons: %s", manifest)
	}
	// Let the service worker take control, as on any later visit.
	alice.do("reload", chromedp.Reload())
	alice.waitUntil("the service worker in control", `!!navigator.serviceWorker.controller`)
	alice.waitUntil("online again", `document.querySelector("#status")?.dataset.status === "online"`)

	server.stop()
	alice.do("reload with the server down", chromedp.Reload())
	alice.waitUntil("the app shell", `performance.getEntriesByName("livechat:interactive").length > 0`)
	alice.waitUntil("the offline status", `document.querySelector("#status")?.dataset.status === "offline"`)
	if label := eval[string](alice, `document.querySelector("#status").textContent`); !strings.HasPrefix(label, "Offline: retrying") {
		t.Errorf("status says %q", label)
	}
	if !eval[bool](alice, `!!document.querySelector('[role="log"][aria-label="Messages"]') && document.getElementById("composer-text").placeholder.startsWith("Offline")`) {
		t.Error("the chat, with a composer that queues messages, is not shown")
	}
	alice.screenshot("offline")

	// The device loses its network: the app says so.
	if _, err := chromedp.Call(alice.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("no network", `document.querySelector("#status .label")?.textContent === "Offline: no network"`)
}

// TestJourneyUpdate: after a new app.wasm is deployed, an open page offers
// to reload, and the reload runs the new version.
func TestJourneyUpdate(t *testing.T) {
	// A web directory of its own, whose app.wasm this test changes.
	web := t.TempDir()
	if err := os.CopyFS(web, os.DirFS(build.web)); err != nil {
		t.Fatal(err)
	}
	server := startLivechat(t, "127.0.0.1:0", "-web", web)
	alice := &person{t: t, name: "alice", ctx: newBrowser(t)}
	alice.open(server.URL)
	alice.join()
	if eval[string](alice, `navigator.serviceWorker.ready.then(r => r.active.state)`) != "activated" {
		t.Fatal("no service worker")
	}
	alice.do("reload", chromedp.Reload())
	alice.waitUntil("the service worker in control", `!!navigator.serviceWorker.controller`)
	if eval[bool](alice, `!!document.querySelector(".banner.update")`) {
		t.Fatal("an update is offered without a new version")
	}
	const version = `goappGetenv("GOAPP_VERSION")`
	before := eval[string](alice, version)

	// Deploy a new app.wasm: the same module with a custom section added,
	// so its hash, and so the version, changes.
	server.stop()
	f, err := os.OpenFile(filepath.Join(web, "app.wasm"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0, 5, 4, 'n', 'e', 'x', 't'})
	f.Close()
	startLivechat(t, server.addr, "-web", web)

	alice.do("reload", chromedp.Reload())
	alice.waitUntil("the update banner", `!!document.querySelector(".banner.update")`)
	alice.screenshot("update")
	alice.do("reload to update", chromedp.Click(chromedp.CSS(".banner.update button")))
	alice.waitUntil("the new version running", `performance.getEntriesByName("livechat:interactive").length > 0 && !document.querySelector(".banner.update") && document.querySelector("#status")?.dataset.status === "online"`)
	if after := eval[string](alice, version); after == before {
		t.Errorf("still version %s after the update", after)
	}
}

// BenchmarkLoad measures, in headless Chromium against the real program
// serving the compressed app, the time from navigation to the interactive
// app on a first visit (empty cache) and on a reload served by the service
// worker. It reports the median of b.N visits; run it with -benchtime 5x.
func BenchmarkLoad(b *testing.B) {
	if err := server.Precompress(filepath.Join(build.web, "app.wasm")); err != nil {
		b.Fatal(err)
	}
	srv := startLivechat(b, "127.0.0.1:0")
	var first, cached []float64
	for b.Loop() {
		p := &person{t: b, name: "visitor", ctx: newBrowser(b)}
		first = append(first, p.loadTime(srv.URL, false))
		if state := eval[string](p, `navigator.serviceWorker.ready.then(r => r.active.state)`); state != "activated" {
			b.Fatalf("service worker %s", state)
		}
		cached = append(cached, p.loadTime(srv.URL, true))
		if !eval[bool](p, `!!navigator.serviceWorker.controller`) {
			b.Fatal("the reload was not served by the service worker")
		}
	}
	b.ReportMetric(median(first), "first-load-ms")
	b.ReportMetric(median(cached), "cached-reload-ms")
	b.ReportMetric(0, "ns/op")
}

// loadTime navigates (or reloads) and returns the milliseconds from the
// start of navigation to the app's "interactive" mark.
func (p *person) loadTime(url string, reload bool) float64 {
	step := chromedp.Navigate(url)
	if reload {
		step = chromedp.Reload()
	}
	p.do("load", step)
	p.waitUntil("the app to start", `performance.getEntriesByName("livechat:interactive").length > 0`)
	return eval[float64](p, `performance.getEntriesByName("livechat:interactive")[0].startTime`)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// transient reports whether a browser error comes from a page load under
// way (the document the poll ran in went away), so that polling again is
// right.
func transient(err error) bool {
	for _, s := range []string{"navigated", "context was destroyed", "Cannot find context"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

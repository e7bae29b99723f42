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
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
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
	stderr *syncBuffer
	exited chan error
}

// syncBuffer is a strings.Builder safe for the process writing to it and
// the test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// journeyPing is the ping interval of the servers the journeys start: short,
// so that a peer that vanished is noticed quickly.
const journeyPing = "2s"

// startLivechat runs the program on addr ("127.0.0.1:0" for any port)
// until the test ends. If the test fails, the server's log is printed.
// seeding lifts the limit on messages, for a test that fills a room's
// history from a script first (as fast as it can, as no person does).
const seeding = "-limit-messages=off"

func startLivechat(t testing.TB, addr string, args ...string) *livechat {
	t.Helper()
	base := []string{"-addr", addr, "-web", build.web, "-data", dataDir(t), "-ping-interval", journeyPing}
	return runLivechat(t, build.bin, "", append(base, args...)) // later flags win
}

// runLivechat runs the program bin with args in the directory dir (""
// for this one) until the test ends. If the test fails, the server's log
// is printed.
func runLivechat(t testing.TB, bin, dir string, args []string) *livechat {
	t.Helper()
	addr := "?"
	for i, a := range args {
		if a == "-addr" && i+1 < len(args) {
			addr = args[i+1]
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	l := &livechat{t: t, cmd: cmd, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = l.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { l.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		l.stop()
		if t.Failed() {
			t.Logf("log of the livechat server on %s:\n%s", addr, l.stderr.String())
		}
	})
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

// newBrowser starts a headless Chromium for the test, with a profile of
// its own.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	ctx, _ := newBrowserIn(t, t.TempDir())
	return ctx
}

// newBrowserIn starts a headless Chromium with its profile in dir, and
// returns a function that stops it, leaving the profile for another
// browser (it is also stopped when the test ends).
func newBrowserIn(t testing.TB, dir string) (context.Context, func()) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1200, 800),
	)
	if path, err := exec.LookPath("chromium"); err == nil {
		opts = append(opts, chromedp.ExecPath(path))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// Closed gracefully, Chromium saves the profile (site storage among
	// it) for the next browser on it.
	var once sync.Once
	stop := func() { once.Do(func() { chromedp.Cancel(ctx); cancel(); cancelAlloc() }) }
	t.Cleanup(stop)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, stop
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
	p := &person{t: t, name: name, ctx: ctx}
	p.watchCSP()
	p.watchPanics()
	return p
}

// watchPanics fails the test if the web app panics on a page p opens (Go
// prints the panic to the console, and the app stops).
func (p *person) watchPanics() {
	var mu sync.Mutex
	var panics []string
	chromedp.Listen(p.ctx, func(ev any) {
		e, ok := ev.(*runtime.EventConsoleAPICalled)
		if !ok {
			return
		}
		for _, arg := range e.Args {
			if text := string(arg.Value); strings.Contains(text, "panic:") {
				mu.Lock()
				panics = append(panics, text)
				mu.Unlock()
			}
		}
	})
	p.t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if len(panics) > 0 {
			p.t.Errorf("%s: the web app panicked: %s", p.name, strings.Join(panics, "\n"))
		}
	})
}

// watchCSP records what the Content-Security-Policy blocks on every page
// p opens, and fails the test at its end if it blocked anything: the
// policy must never break the app.
func (p *person) watchCSP() {
	p.t.Helper()
	const record = `window.cspViolations = []; document.addEventListener("securitypolicyviolation", e => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber))`
	if _, err := chromedp.Call(p.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: record}); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.cspViolations || []`))
		if err == nil && len(v) > 0 {
			p.t.Errorf("%s: the Content-Security-Policy blocked: %s", p.name, strings.Join(v, "; "))
		}
	})
}

// chatting opens the chat at url for each of names, each in a profile of
// their own in one browser, and joins.
func chatting(t *testing.T, url string, names ...string) []*person {
	t.Helper()
	browser := newBrowser(t)
	people := make([]*person, len(names))
	for i, name := range names {
		people[i] = newPerson(t, browser, name)
		people[i].open(url)
		people[i].join()
	}
	return people
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
// loads, for up to 30 seconds.
func (p *person) waitUntil(what, cond string) {
	p.t.Helper()
	p.waitWithin(30*time.Second, what, cond)
}

// waitWithin is waitUntil with a deadline of its own, for what must
// happen within a time the product promises. It returns how long it
// waited.
func (p *person) waitWithin(limit time.Duration, what, cond string) time.Duration {
	p.t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(p.ctx, limit)
	defer cancel()
	// Evaluated afresh each time, in whatever document the tab shows:
	// across page loads and restores from the back/forward cache.
	var err error
	for {
		var ok bool
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")", func(e *runtime.EvaluateParams) { e.AwaitPromise = new(true) }))
		if err == nil && ok {
			break
		}
		if err != nil && !transient(err) && ctx.Err() == nil {
			break
		}
		select {
		case <-ctx.Done():
			err = fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
			continue
		}
		break
	}
	if err != nil {
		p.screenshot("failed-" + strings.ReplaceAll(what, " ", "-"))
		text, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string]("document.body.innerText"))
		p.t.Fatalf("%s: waiting %v for %s: %v\npage text:\n%s", p.name, limit, what, err, text)
	}
	return time.Since(start)
}

// screenshot saves the page to screenshots/ (git-ignored).
func (p *person) screenshot(name string) {
	// A tab in the background draws nothing: do not wait for it forever.
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
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

// join submits the join form and waits for the chat, where the keyboard
// focus is in the composer.
func (p *person) join() {
	p.t.Helper()
	p.do("join",
		chromedp.WaitEnabled(chromedp.ID("nickname")),
		chromedp.SendKeys(chromedp.ID("nickname"), p.name),
		chromedp.Click(chromedp.CSS(`form.join-card button[type="submit"]`)),
	)
	p.waitUntil("the chat", `!!document.querySelector('[role="log"][aria-label="Messages"]') && `+online)
	p.waitUntil("the focus in the composer", `document.activeElement?.id === "composer-text"`)
}

// statusIs is the condition of a page whose connection status (the
// status bar's data-status) is status.
func statusIs(status string) string {
	return `document.querySelector("#status")?.dataset.status === "` + status + `"`
}

// online is the condition of a page connected to the server.
var online = statusIs("online")

// users is a JavaScript expression: the names in the online list, joined
// by commas.
const users = `[...document.querySelectorAll('#online-users li')].map(li => li.firstChild.textContent).join(",")`

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

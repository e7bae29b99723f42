//go:build !js

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"livechat/server"
)

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
	alice.waitUntil("online again", online)

	server.stop()
	alice.do("reload with the server down", chromedp.Reload())
	alice.waitUntil("the app shell", `performance.getEntriesByName("livechat:interactive").length > 0`)
	alice.waitUntil("the offline status", statusIs("offline"))
	if label := eval[string](alice, `document.querySelector("#status").textContent`); !strings.HasPrefix(label, "Offline: retrying") {
		t.Errorf("status says %q", label)
	}
	if !eval[bool](alice, `!!document.querySelector('[role="log"][aria-label="Messages"]') && document.getElementById("composer-text").placeholder.startsWith("Offline")`) {
		t.Error("the chat, with a composer that queues messages, is not shown")
	}
	alice.screenshot("offline")

	// The device loses its network: the app says so.
	alice.setNetwork(false)
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
	alice.waitUntil("the new version running", `performance.getEntriesByName("livechat:interactive").length > 0 && !document.querySelector(".banner.update") && `+online)
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

//go:build !js

package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/app"
)

func get(t *testing.T, h http.Handler, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Result()
}

func TestManifest(t *testing.T) {
	resp := get(t, app.Handler("v1"), "/manifest.webmanifest")
	if ct := resp.Header.Get("Content-Type"); ct != "application/manifest+json" {
		t.Errorf("content type %q", ct)
	}
	var m struct {
		Name, ShortName, StartURL, Display string
		Icons                              []struct{ Src, Sizes, Purpose string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	icons := map[string]string{}
	for _, i := range m.Icons {
		if !strings.HasPrefix(i.Src, "/web/") || !strings.HasSuffix(i.Src, "?v=v1") {
			t.Errorf("icon %s is not a local versioned file", i.Src)
		}
		icons[i.Sizes+" "+i.Purpose] = i.Src
	}
	for _, want := range []string{"192x192 any", "512x512 any", "512x512 maskable"} {
		if icons[want] == "" {
			t.Errorf("no %s icon in %+v", want, m.Icons)
		}
	}
	if m.Name != "livechat" || m.Display != "standalone" {
		t.Errorf("manifest %+v", m)
	}
}

func TestPageUsesLocalVersionedFiles(t *testing.T) {
	goapp.RouteFunc("/", func() goapp.Composer { return &app.Page{} })
	h := app.Handler("v1")
	body, _ := io.ReadAll(get(t, h, "/").Body)
	page := string(body)
	for _, want := range []string{`href="/web/app.css?v=v1"`, `href="/manifest.webmanifest"`, `<title>livechat</title>`, `for="nickname"`, `src="/web/icon.svg?v=v1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "githubusercontent") || strings.Contains(page, "https://") {
		t.Errorf("the page refers to another host")
	}
	// People can zoom; the pre-rendered form works before the app loads:
	// nothing in it is disabled, and boot.js runs before the first paint.
	if !strings.Contains(page, `content="width=device-width, initial-scale=1, viewport-fit=cover"`) || strings.Contains(page, "user-scalable") || strings.Contains(page, "maximum-scale") {
		t.Errorf("the viewport does not let people zoom")
	}
	if strings.Contains(page, "disabled") {
		t.Errorf("the pre-rendered page disables something")
	}
	if !strings.Contains(page, `<script src="/web/boot.js?v=v1"></script>`) {
		t.Errorf("the page does not run boot.js before the first paint")
	}
	worker, _ := io.ReadAll(get(t, h, "/app-worker.js").Body)
	for _, want := range []string{"/web/app.wasm?v=v1", "/web/icon-512.png?v=v1", "/web/icon-maskable-512.png?v=v1", "/web/boot.js?v=v1", `"app-" + "v1"`} {
		if !strings.Contains(string(worker), want) {
			t.Errorf("the service worker does not cache %s", want)
		}
	}
	loader, _ := io.ReadAll(get(t, h, "/app.js").Body)
	if !strings.Contains(string(loader), `navigator.serviceWorker.controller ? fetch("/web/app.wasm?v=v1")`) {
		t.Errorf("app.js does not compile cached app.wasm from its response")
	}
	if !strings.Contains(string(loader), `goappWasmContentLengthHeader = "X-Uncompressed-Length"`) {
		t.Errorf("app.js does not read the uncompressed length")
	}
}

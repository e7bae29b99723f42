//go:build !js

package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// The web app's identity, shared by the page, the manifest and the icons.
const (
	appName         = "livechat"
	appDescription  = "Real-time chat: pick a nickname, see who is online and talk."
	themeColor      = "#1f6feb"
	backgroundColor = "#ffffff"
)

// Handler returns the HTTP handler of the web app whose app.wasm has the
// given version (see server.WebVersion): the page, app.js, the service
// worker and the manifest. Files under /web/ are not served here; their
// URLs carry ?v=version, so the server may let browsers cache them for
// long, and the service worker caches them for offline use.
func Handler(version string) http.Handler {
	v := "?v=" + version
	h := &app.Handler{
		Name:            appName,
		ShortName:       appName,
		Title:           appName,
		Description:     appDescription,
		Lang:            "en",
		BackgroundColor: backgroundColor,
		ThemeColor:      themeColor,
		LoadingLabel:    "Loading livechat… {progress}%",
		Icon: app.Icon{
			Default:    "/web/icon-192.png" + v,
			Large:      "/web/icon-512.png" + v,
			SVG:        "/web/icon.svg" + v,
			AppleTouch: "/web/icon-192.png" + v,
		},
		Styles: []string{"/web/app.css" + v},
		// boot.js runs before the first paint (it is not deferred): see
		// web/boot.js.
		Scripts:                 []string{"/web/boot.js" + v},
		CacheableResources:      []string{"/web/icon-maskable-512.png" + v},
		Resources:               resources{wasm: "/web/app.wasm" + v},
		Version:                 version,
		WasmContentLengthHeader: shared.HeaderUncompressedLength,
	}
	mux := http.NewServeMux()
	mux.Handle("GET /manifest.webmanifest", manifestHandler(v))
	mux.Handle("GET /app.js", loaderHandler(h))
	mux.Handle("/", zoomable(h))
	return mux
}

// goAppViewport is the viewport go-app writes into every page. It forbids
// zooming, which people with low vision need (WCAG 1.4.4).
const (
	goAppViewport = `content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=0, viewport-fit=cover"`
	viewport      = `content="width=device-width, initial-scale=1, viewport-fit=cover"`
)

// zoomable serves the pages of h with a viewport that lets people zoom.
// Other responses pass unchanged.
func zoomable(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec recorder
		h.ServeHTTP(&rec, r)
		body := rec.body.Bytes()
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			body = bytes.Replace(body, []byte(goAppViewport), []byte(viewport), 1)
			rec.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.status())
		w.Write(body)
	})
}

// loaderHandler serves go-app's app.js with one change: when the service
// worker serves the page, app.wasm is compiled straight from its response,
// without go-app's progress wrapper. The browser can then reuse the code it
// compiled on the last visit (V8 caches compiled WebAssembly only for
// responses it can identify), which makes repeat starts much faster; a
// progress bar is pointless for a file already on the device.
func loaderHandler(h *app.Handler) http.Handler {
	var rec recorder
	req, _ := http.NewRequest(http.MethodGet, "/app.js", nil)
	h.ServeHTTP(&rec, req)
	js := rec.body.String()
	const call = `fetchWithProgress("`
	if i := strings.Index(js, call); i >= 0 {
		end := i + strings.Index(js[i:], `)`) + 1
		url := js[i+len(call) : i+strings.Index(js[i:], `",`)]
		js = js[:i] + fmt.Sprintf(`(navigator.serviceWorker && navigator.serviceWorker.controller ? fetch(%q) : %s)`, url, js[i:end]) + js[end:]
	}
	body := []byte(js)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(body)
	})
}

// resources tells go-app where the static files are: under /web/ on this
// server, with a versioned app.wasm URL.
type resources struct{ wasm string }

func (resources) Package() string   { return "" }
func (resources) Static() string    { return "" }
func (r resources) AppWASM() string { return r.wasm }

// manifestHandler serves the web app manifest. go-app's own cannot declare
// a maskable icon, which installed apps on Android use.
func manifestHandler(v string) http.Handler {
	type icon struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose"`
	}
	body, err := json.MarshalIndent(struct {
		ID              string `json:"id"`
		Name            string `json:"name"`
		ShortName       string `json:"short_name"`
		Description     string `json:"description"`
		StartURL        string `json:"start_url"`
		Scope           string `json:"scope"`
		Display         string `json:"display"`
		BackgroundColor string `json:"background_color"`
		ThemeColor      string `json:"theme_color"`
		Icons           []icon `json:"icons"`
	}{
		ID: "/", Name: appName, ShortName: appName, Description: appDescription,
		StartURL: "/", Scope: "/", Display: "standalone",
		BackgroundColor: backgroundColor, ThemeColor: themeColor,
		Icons: []icon{
			{"/web/icon-192.png" + v, "192x192", "image/png", "any"},
			{"/web/icon-512.png" + v, "512x512", "image/png", "any"},
			{"/web/icon-maskable-512.png" + v, "512x512", "image/png", "maskable"},
			{"/web/icon.svg" + v, "any", "image/svg+xml", "any"},
		},
	}, "", "  ")
	if err != nil {
		panic(err) // a constant value: cannot fail
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/manifest+json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(body)
	})
}

// recorder is an http.ResponseWriter that keeps the response in memory.
type recorder struct {
	header http.Header
	body   bytes.Buffer
	code   int
}

func (r *recorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

func (r *recorder) Header() http.Header {
	if r.header == nil {
		r.header = make(http.Header)
	}
	return r.header
}
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

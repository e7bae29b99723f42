//go:build !js

package app

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// Handler returns the HTTP handler that serves the web app: the page, the
// WebAssembly binary from web/app.wasm, the manifest and the service worker.
// version must change exactly when web/app.wasm does, so that browsers
// update the installed app only then.
func Handler(version string) *app.Handler {
	return &app.Handler{
		Name:            "livechat",
		ShortName:       "livechat",
		Title:           "livechat",
		Description:     "Real-time chat: pick a nickname, see who is online and talk.",
		Lang:            "en",
		BackgroundColor: "#ffffff",
		ThemeColor:      "#1f6feb",
		Icon: app.Icon{
			Default:    "/web/icon-192.png",
			Large:      "/web/icon-512.png",
			SVG:        "/web/icon.svg",
			AppleTouch: "/web/icon-192.png",
		},
		Version: version,
	}
}

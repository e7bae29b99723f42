// Command livechat is a real-time chat. The same code builds the browser
// app (GOOS=js GOARCH=wasm, into web/app.wasm) and the native server that
// serves it.
package main

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	ui "livechat/app"
)

func main() {
	app.RouteFunc("/", func() app.Composer { return &ui.Page{} })
	// In the browser, RunWhenOnBrowser runs the app and never returns;
	// natively it returns at once and the server starts.
	app.RunWhenOnBrowser()
	runNative()
}

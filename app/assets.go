package app

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// asset returns the versioned URL of a file under /web/, the URL the
// service worker caches.
func asset(name string) string {
	url := "/web/" + name
	if app.IsClient && !app.Window().Get("goappGetenv").Truthy() {
		return url // not on a page served by livechat (component tests)
	}
	return url + "?v=" + app.Getenv("GOAPP_VERSION")
}

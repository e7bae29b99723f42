package app

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// Page is livechat's single page.
type Page struct {
	app.Compo
}

// Render implements app.Composer.
func (p *Page) Render() app.UI {
	return app.Main().Class("page").Body(
		app.H1().Text("livechat"),
		app.P().Text("Real-time chat. The chat window is being built; the server already speaks the protocol at /ws."),
	)
}

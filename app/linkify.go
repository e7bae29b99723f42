package app

import (
	"regexp"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

var urlPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify renders text as text nodes, turning http and https URLs into
// links that open in a new tab without access to this page. Nothing in
// text is ever interpreted as HTML.
func linkify(text string) []app.UI {
	var out []app.UI
	last := 0
	for _, loc := range urlPattern.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		// Punctuation that ends a sentence is not part of the URL.
		end = start + len(strings.TrimRight(text[start:end], ".,;:!?)]}'"))
		if start > last {
			out = append(out, app.Text(text[last:start]))
		}
		url := text[start:end]
		out = append(out, app.A().Href(url).Target("_blank").Rel("noopener noreferrer").Text(url))
		last = end
	}
	if last < len(text) {
		out = append(out, app.Text(text[last:]))
	}
	return out
}

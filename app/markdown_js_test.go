package app

import (
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// TestFormattedMessage renders a message using every construct, with
// markup and scripts inside each, and checks the elements made: the
// formatting's and no others, links only to http and https.
func TestFormattedMessage(t *testing.T) {
	text := strings.Join([]string{
		"**bold <img src=x onerror=alert(1)>** *em* _em_ ~~del~~ `<script>alert(1)</script>`",
		"see go.dev, https://example.com/a_(b). www.example.org [x](javascript:alert(1)) javascript:alert(1)",
		"hi @Ada Lovelace and @bob :tada: :nope:",
		"",
		"```html",
		"<b>not bold</b> **not bold**",
		"```",
		"> <svg onload=alert(1)> *quoted*",
		"- one",
		"- <iframe src=javascript:alert(1)>",
		"3. three",
		"4. four",
	}, "\n")
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.Local)
	root, _ := mount(t, &messageList{Ready: true, Entries: []Entry{
		{Kind: EntryMessage, ID: 1, From: "bob", Text: text, At: at, Me: "ada lovelace"},
	}})
	body := root.Call("querySelector", ".message .text")
	if body.Get("tagName").String() != "DIV" {
		t.Fatalf("the text is in a %s", body.Get("tagName").String())
	}
	html := body.Get("innerHTML").String()

	for _, tt := range []struct{ selector, want string }{
		{":scope > p > strong", "bold <img src=x onerror=alert(1)>"},
		{":scope > p > em", "em,em"},
		{":scope > p > del", "del"},
		{":scope > p > code", "<script>alert(1)</script>"},
		{"pre > code", "<b>not bold</b> **not bold**"},
		{"blockquote > p", "<svg onload=alert(1)> quoted"},
		{"blockquote em", "quoted"},
		{"ul > li", "one,<iframe src=javascript:alert(1)>"},
		{"ol > li", "three,four"},
		{".mention", "@Ada Lovelace,@bob"},
		{".mention.me", "@Ada Lovelace"},
		{"a", "go.dev,https://example.com/a_(b),www.example.org"},
	} {
		if got := strings.Join(texts(body, tt.selector), ","); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.selector, got, tt.want)
		}
	}
	if n := body.Call("querySelectorAll", "img, script, svg, iframe, b").Length(); n != 0 {
		t.Errorf("the text made %d elements of its own: %s", n, html)
	}
	links := body.Call("querySelectorAll", "a")
	wantHref := []string{"https://go.dev/", "https://example.com/a_(b)", "https://www.example.org/"}
	for i := 0; i < links.Length(); i++ {
		a := links.Index(i)
		if i >= len(wantHref) || a.Get("href").String() != wantHref[i] ||
			a.Get("target").String() != "_blank" || a.Get("rel").String() != "noopener noreferrer" {
			t.Errorf("link %s", a.Get("outerHTML").String())
		}
	}
	if got := body.Call("querySelector", "ol").Get("start").Int(); got != 3 {
		t.Errorf("the numbered list starts at %d", got)
	}
	if got := body.Get("textContent").String(); !strings.Contains(got, "🎉 :nope:") {
		t.Errorf("shortcodes: %q", got)
	}
	if pre := body.Call("querySelector", "pre"); pre.Get("tabIndex").Int() != 0 {
		t.Errorf("the code block cannot be scrolled by keyboard")
	}
}

// TestFormattedPlain checks that an unformatted text renders as one
// paragraph of text, line breaks kept, and an empty one as nothing.
func TestFormattedPlain(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"hello\nworld  !", "<p>hello\nworld  !</p>"},
		{"a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>"},
		{"", ""},
	} {
		c := &formattedText{Text: tt.text}
		root, _ := mount(t, c)
		if got := root.Get("innerHTML").String(); got != tt.want {
			t.Errorf("%q renders as %q, want %q", tt.text, got, tt.want)
		}
	}
}

// formattedText is a component that shows formatted text, for tests.
type formattedText struct {
	app.Compo
	Text string
}

func (f *formattedText) Render() app.UI { return app.Div().Body(formatted(f.Text, "")...) }

package app

import (
	"sync"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// formatted renders a message's text, formatted as shared.ParseMarkdown
// reads it, as DOM elements: p, pre > code, blockquote, ul/ol > li,
// strong, em, del, code, links that open in a new tab without access to
// this page, mentions as span.mention (span.mention.me when they name me,
// the reader's nickname) and emoji as text. Everything in text ends up in
// text nodes or in the href of a link to an http or https address:
// nothing is ever interpreted as HTML.
func formatted(text, me string) []app.UI {
	r := mdRenderer{me: shared.NicknameKey(me)}
	return r.blocks(parsed(text, me))
}

// parsed returns text as shared.ParseMarkdown reads it for the reader
// me. The list renders every message again whenever the page changes:
// each text is parsed once, and kept while it is among the last
// maxParsed parsed.
func parsed(text, me string) []shared.Block {
	key := me + "\x00" + text
	parses.mu.Lock()
	defer parses.mu.Unlock()
	if blocks, ok := parses.m[key]; ok {
		return blocks
	}
	var blocks []shared.Block
	if me != "" {
		blocks = shared.ParseMarkdown(text, me)
	} else {
		blocks = shared.ParseMarkdown(text)
	}
	if len(parses.m) >= maxParsed {
		clear(parses.m) // in one go: the list parses what it shows again
	}
	if parses.m == nil {
		parses.m = make(map[string][]shared.Block)
	}
	parses.m[key] = blocks
	return blocks
}

// maxParsed bounds the texts parsed keeps: more than the message list
// holds (maxEntries).
const maxParsed = 2 * maxEntries

var parses struct {
	mu sync.Mutex
	m  map[string][]shared.Block
}

// mdRenderer renders a parsed message for a reader whose nickname has
// the key me ("": unknown).
type mdRenderer struct {
	me string
}

func (r mdRenderer) blocks(blocks []shared.Block) []app.UI {
	out := make([]app.UI, 0, len(blocks))
	for _, b := range blocks {
		switch b.Kind {
		case shared.BlockParagraph:
			out = append(out, app.P().Body(r.inlines(b.Inlines)...))
		case shared.BlockCode:
			// Focusable, so that a keyboard scrolls a long line.
			out = append(out, app.Pre().TabIndex(0).Body(app.Code().Text(b.Text)))
		case shared.BlockQuote:
			out = append(out, app.Blockquote().Body(r.blocks(b.Blocks)...))
		case shared.BlockList:
			items := make([]app.UI, len(b.Items))
			for i, item := range b.Items {
				items[i] = app.Li().Body(r.inlines(item)...)
			}
			if b.Ordered {
				list := app.Ol()
				if b.Start != 1 {
					list = list.Start(b.Start)
				}
				out = append(out, list.Body(items...))
			} else {
				out = append(out, app.Ul().Body(items...))
			}
		}
	}
	return out
}

func (r mdRenderer) inlines(inlines []shared.Inline) []app.UI {
	out := make([]app.UI, 0, len(inlines))
	for _, in := range inlines {
		switch in.Kind {
		case shared.InlineBold:
			out = append(out, app.Strong().Body(r.inlines(in.Children)...))
		case shared.InlineItalic:
			out = append(out, app.Em().Body(r.inlines(in.Children)...))
		case shared.InlineStrike:
			out = append(out, app.Del().Body(r.inlines(in.Children)...))
		case shared.InlineCode:
			out = append(out, app.Code().Text(in.Text))
		case shared.InlineLink:
			out = append(out, app.A().Href(in.Href).Target("_blank").Rel("noopener noreferrer").Text(in.Text))
		case shared.InlineMention:
			class := "mention"
			if r.me != "" && shared.NicknameKey(in.Name) == r.me {
				class = "mention me"
			}
			out = append(out, app.Span().Class(class).Text(in.Text))
		default: // text and emoji
			out = append(out, app.Text(in.Text))
		}
	}
	return out
}

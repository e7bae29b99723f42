package shared

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Message formatting: a small subset of Markdown, parsed into a tree that
// the web app renders as DOM nodes and that PlainText flattens. Nothing in
// a message is ever turned into HTML: the tree holds only text, and links
// only to http and https addresses.
//
// Blocks, one construct per line:
//
//	```            fenced code (the words after the opening fence are its Info)
//	> quote        a quote: consecutive lines starting with "> " (or a lone ">")
//	- item         a bulleted list ("- " or "* ")
//	1. item        a numbered list
//	               anything else: paragraphs, separated by blank lines
//
// Inline: **bold**, *italic* or _italic_, ~~strike~~, `code` (nothing is
// formatted inside), links (http and https addresses, www.example.com and
// bare domains such as example.com/path), @mentions and :shortcodes:
// (known ones, see Emoji). A marker that is not closed stays as typed.
//
// Parsing takes time linear in the text (give or take the small bounds
// below), whatever the text: runs of thousands of markers included.

// BlockKind says what a Block is, and so which of its fields are set.
type BlockKind uint8

const (
	// BlockParagraph is text: Inlines (lines joined by "\n").
	BlockParagraph BlockKind = iota + 1
	// BlockCode is a fenced code block: Text, shown as is, and Info, the
	// words after the opening fence (a language, not used).
	BlockCode
	// BlockQuote is a quote: Blocks, the quoted lines parsed in turn.
	BlockQuote
	// BlockList is a list: Items, numbered from Start if Ordered.
	BlockList
)

// A Block is a paragraph, a code block, a quote or a list.
type Block struct {
	Kind    BlockKind
	Inlines []Inline   // BlockParagraph
	Text    string     // BlockCode
	Info    string     // BlockCode
	Blocks  []Block    // BlockQuote
	Items   [][]Inline // BlockList: one line each
	Ordered bool       // BlockList
	Start   int        // BlockList, if Ordered
}

// InlineKind says what an Inline is, and so which of its fields are set.
type InlineKind uint8

const (
	// InlineText is Text, shown as is (it may hold "\n").
	InlineText InlineKind = iota + 1
	// InlineBold, InlineItalic and InlineStrike format their Children.
	InlineBold
	InlineItalic
	InlineStrike
	// InlineCode is Text in a code font, unformatted.
	InlineCode
	// InlineLink shows Text and leads to Href, an absolute http or https
	// URL.
	InlineLink
	// InlineMention shows Text ("@ada") and names Name ("ada"), to be
	// compared with nicknames by NicknameKey.
	InlineMention
	// InlineEmoji shows Text, the emoji that Name, a shortcode, stands
	// for.
	InlineEmoji
)

// An Inline is a run of text in a paragraph or a list item.
type Inline struct {
	Kind     InlineKind
	Text     string
	Href     string   // InlineLink
	Name     string   // InlineMention, InlineEmoji
	Children []Inline // InlineBold, InlineItalic, InlineStrike
}

// Bounds of the tree, whatever the text: deeper quotes are shown as typed,
// deeper formatting with its markers as text.
const (
	maxQuoteDepth  = 3
	maxInlineDepth = 6
	// maxListDigits is the longest number that starts a numbered item.
	maxListDigits = 9
)

// ParseMarkdown parses a message's text into blocks. Nicknames, if given,
// are people the caller knows of: a mention is the longest of its one to
// three words (see MentionCandidates) that is one of them, compared by
// NicknameKey, or else its first word. Parsing never fails: what is not
// formatting is text. "\r\n" counts as "\n".
func ParseMarkdown(text string, nicknames ...string) []Block {
	p := mdParser{}
	if len(nicknames) > 0 {
		p.names = make(map[string]bool, len(nicknames))
		for _, n := range nicknames {
			if k := NicknameKey(n); k != "" {
				p.names[k] = true
			}
		}
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return p.blocks(strings.Split(text, "\n"), 0)
}

// PlainText returns text without its formatting, as a screen reader or a
// notification should say it: the markers gone, blocks on lines of their
// own, links as written, shortcodes as their emoji.
func PlainText(text string) string {
	var b strings.Builder
	writeBlocks(&b, ParseMarkdown(text))
	return b.String()
}

func writeBlocks(b *strings.Builder, blocks []Block) {
	for i, bl := range blocks {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch bl.Kind {
		case BlockParagraph:
			writeInlines(b, bl.Inlines)
		case BlockCode:
			b.WriteString(bl.Text)
		case BlockQuote:
			writeBlocks(b, bl.Blocks)
		case BlockList:
			for j, item := range bl.Items {
				if j > 0 {
					b.WriteByte('\n')
				}
				writeInlines(b, item)
			}
		}
	}
}

func writeInlines(b *strings.Builder, inlines []Inline) {
	for _, in := range inlines {
		switch in.Kind {
		case InlineBold, InlineItalic, InlineStrike:
			writeInlines(b, in.Children)
		default:
			b.WriteString(in.Text)
		}
	}
}

type mdParser struct {
	names map[string]bool // NicknameKeys of known people
	// noCode records the lengths of backtick runs that have no closing
	// run further on, so that none is looked for twice.
	noCode map[int]bool
}

// blocks parses lines into blocks; depth is how many quotes hold them.
func (p *mdParser) blocks(lines []string, depth int) []Block {
	var out []Block
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, Block{Kind: BlockParagraph, Inlines: p.inlines(strings.Join(para, "\n"))})
			para = nil
		}
	}
	fences := true // false once a fence had no closing one: no later one has
	for i := 0; i < len(lines); {
		line := lines[i]
		if info, ok := openingFence(line); ok && fences {
			end := i + 1
			for end < len(lines) && !closingFence(lines[end]) {
				end++
			}
			if end < len(lines) {
				flush()
				out = append(out, Block{Kind: BlockCode, Text: strings.Join(lines[i+1:end], "\n"), Info: info})
				i = end + 1
				continue
			}
			fences = false
		}
		if _, ok := quoteLine(line); ok && depth < maxQuoteDepth {
			flush()
			var quoted []string
			for ; i < len(lines); i++ {
				q, ok := quoteLine(lines[i])
				if !ok {
					break
				}
				quoted = append(quoted, q)
			}
			out = append(out, Block{Kind: BlockQuote, Blocks: p.blocks(quoted, depth+1)})
			continue
		}
		if _, ordered, start, ok := listItem(line); ok {
			flush()
			list := Block{Kind: BlockList, Ordered: ordered, Start: start}
			for ; i < len(lines); i++ {
				item, o, _, ok := listItem(lines[i])
				if !ok || o != ordered {
					break
				}
				list.Items = append(list.Items, p.inlines(item))
			}
			out = append(out, list)
			continue
		}
		if strings.TrimSpace(line) == "" {
			flush()
		} else {
			para = append(para, line)
		}
		i++
	}
	flush()
	return out
}

// openingFence reports whether line opens a code block: three or more
// backticks, then an info string without backticks.
func openingFence(line string) (info string, ok bool) {
	s := strings.TrimLeft(line, " ")
	if !strings.HasPrefix(s, "```") {
		return "", false
	}
	s = strings.TrimLeft(s, "`")
	if strings.Contains(s, "`") {
		return "", false
	}
	return strings.TrimSpace(s), true
}

// closingFence reports whether line closes a code block: three or more
// backticks alone.
func closingFence(line string) bool {
	s := strings.TrimSpace(line)
	return len(s) >= 3 && strings.Trim(s, "`") == ""
}

// quoteLine returns what follows "> " (or a lone ">") on a quoted line.
func quoteLine(line string) (string, bool) {
	if line == ">" {
		return "", true
	}
	if strings.HasPrefix(line, "> ") {
		return line[2:], true
	}
	return "", false
}

// listItem returns the text of a list item: after "- " or "* ", or after
// a number, a dot and a space (then ordered, and start is the number).
// The text must not be blank.
func listItem(line string) (text string, ordered bool, start int, ok bool) {
	if strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* ") {
		text = line[2:]
	} else {
		n := 0
		for n < len(line) && n < maxListDigits && line[n] >= '0' && line[n] <= '9' {
			start = start*10 + int(line[n]-'0')
			n++
		}
		if n == 0 || !strings.HasPrefix(line[n:], ". ") {
			return "", false, 0, false
		}
		text, ordered = line[n+2:], true
	}
	if strings.TrimSpace(text) == "" {
		return "", false, 0, false
	}
	return text, ordered, start, true
}

// A token is a piece of a paragraph's text: an inline (text, code, link,
// mention, emoji) or a run of emphasis markers.
type token struct {
	node  Inline
	delim byte // '*', '_' or '~': a run of markers; node is unused
	count int  // markers of the run not matched
	// canOpen and canClose say whether the run may open or close
	// emphasis (CommonMark's flanking rules).
	canOpen, canClose bool
	// closes and opens are the emphasis the run ends and starts, in the
	// order matched: innermost first.
	closes, opens []span
}

// span is emphasis matched between two runs of markers.
type span struct {
	kind   InlineKind
	marker string
}

// inlines parses the text of a paragraph or a list item.
func (p *mdParser) inlines(text string) []Inline {
	toks := p.tokens(text)
	matchEmphasis(toks)
	return buildInlines(toks)
}

// tokens splits text into tokens, left to right.
func (p *mdParser) tokens(text string) []token {
	var toks []token
	plain := 0 // start of the text not yet in a token
	add := func(at, next int, t token) int {
		if at > plain {
			toks = append(toks, token{node: Inline{Kind: InlineText, Text: text[plain:at]}})
		}
		toks = append(toks, t)
		plain = next
		return next
	}
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case c == '`':
			n := runLength(text, i, '`')
			if end := p.closingRun(text, i+n, n); end >= 0 {
				code := text[i+n : end]
				// One space just inside both ends is padding.
				if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
					code = code[1 : len(code)-1]
				}
				i = add(i, end+n, token{node: Inline{Kind: InlineCode, Text: code}})
				continue
			}
			i += n
		case c == '*' || c == '_' || c == '~':
			n := runLength(text, i, c)
			if c == '~' && n != 2 {
				i += n
				continue
			}
			open, close := flanking(text, i, i+n, c)
			i = add(i, i+n, token{delim: c, count: n, canOpen: open, canClose: close})
		case c == '@' && wordStart(text, i):
			if end := p.mention(text[i+1:]); end > 0 {
				name := text[i+1 : i+1+end]
				i = add(i, i+1+end, token{node: Inline{Kind: InlineMention, Text: "@" + name, Name: name}})
				continue
			}
			i++
		case c == ':' && wordStart(text, i):
			if name, emoji, ok := shortcodeAt(text, i); ok {
				i = add(i, i+len(name)+2, token{node: Inline{Kind: InlineEmoji, Text: emoji, Name: name}})
				continue
			}
			i++
		case isASCIIAlnum(c) && linkStart(text, i):
			if end, href := linkAt(text, i); end > 0 {
				i = add(i, end, token{node: Inline{Kind: InlineLink, Text: text[i:end], Href: href}})
				continue
			}
			// Skip the rest of the word: a link starts no later in it.
			i++
			for i < len(text) && (isASCIIAlnum(text[i]) || text[i] == '.' || text[i] == '-') {
				i++
			}
		default:
			i++
		}
	}
	if plain < len(text) {
		toks = append(toks, token{node: Inline{Kind: InlineText, Text: text[plain:]}})
	}
	return toks
}

func runLength(text string, i int, c byte) int {
	n := 0
	for i+n < len(text) && text[i+n] == c {
		n++
	}
	return n
}

// closingRun returns where the next run of exactly n backticks at or
// after from starts, or -1.
func (p *mdParser) closingRun(text string, from, n int) int {
	if p.noCode[n] {
		return -1
	}
	for j := from; j < len(text); {
		k := strings.IndexByte(text[j:], '`')
		if k < 0 {
			break
		}
		j += k
		m := runLength(text, j, '`')
		if m == n {
			return j
		}
		j += m
	}
	if p.noCode == nil {
		p.noCode = make(map[int]bool)
	}
	p.noCode[n] = true
	return -1
}

// flanking applies CommonMark's rules to the run of c in text[i:j]: it may
// open emphasis if it is left-flanking (not followed by a space, and not
// by punctuation unless preceded by a space or punctuation), close it if
// right-flanking; an underscore inside a word (snake_case) does neither.
func flanking(text string, i, j int, c byte) (open, close bool) {
	before, after := ' ', ' '
	if i > 0 {
		before, _ = utf8.DecodeLastRuneInString(text[:i])
	}
	if j < len(text) {
		after, _ = utf8.DecodeRuneInString(text[j:])
	}
	spaceB, spaceA := unicode.IsSpace(before), unicode.IsSpace(after)
	punctB, punctA := isPunct(before), isPunct(after)
	left := !spaceA && (!punctA || spaceB || punctB)
	right := !spaceB && (!punctB || spaceA || punctA)
	if c == '_' {
		return left && (!right || punctB), right && (!left || punctA)
	}
	return left, right
}

func isPunct(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// mentionStop are the characters that end a mentioned nickname in a
// formatted message: those of plain text, and the markers, so that
// **@ada** mentions ada.
const mentionStop = mentionEnd + "*~`"

// mention returns the length of the nickname mentioned at the start of
// rest (the text after an @), 0 if none.
func (p *mdParser) mention(rest string) int {
	var buf [maxMentionWords]int
	ends := mentionWords(rest, mentionStop, buf[:0])
	if len(ends) == 0 {
		return 0
	}
	for k := len(ends) - 1; k > 0 && p.names != nil; k-- {
		if p.names[NicknameKey(rest[:ends[k]])] {
			return ends[k]
		}
	}
	return ends[0]
}

// shortcodeAt reads a known :shortcode: at text[i].
func shortcodeAt(text string, i int) (name, emoji string, ok bool) {
	j := i + 1
	for j < len(text) && j-i-1 < maxShortcodeBytes && isShortcodeByte(text[j]) {
		j++
	}
	if j == i+1 || j >= len(text) || text[j] != ':' {
		return "", "", false
	}
	name = text[i+1 : j]
	emoji, ok = Emoji(name)
	return name, emoji, ok
}

func isShortcodeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-'
}

// matchEmphasis pairs runs of markers, as CommonMark's "process emphasis"
// does (without its rule of three): each closing run, left to right, takes
// the nearest open run of the same marker; the runs between them are
// text. The runs not yet matched form a linked list, and for each marker
// the search stops where an earlier one failed, so the work is linear.
func matchEmphasis(toks []token) {
	var runs []int // indexes of toks that are runs
	for i := range toks {
		if toks[i].delim != 0 {
			runs = append(runs, i)
		}
	}
	prev := make([]int, len(runs))
	next := make([]int, len(runs))
	for k := range runs {
		prev[k], next[k] = k-1, k+1
	}
	if len(runs) > 0 {
		next[len(runs)-1] = -1
	}
	unlink := func(k int) {
		if prev[k] >= 0 {
			next[prev[k]] = next[k]
		}
		if next[k] >= 0 {
			prev[next[k]] = prev[k]
		}
	}
	bottom := map[byte]int{'*': -1, '_': -1, '~': -1}
	for c := 0; c >= 0 && c < len(runs); {
		closer := &toks[runs[c]]
		if !closer.canClose || closer.count == 0 {
			c = next[c]
			continue
		}
		o := prev[c]
		for o > bottom[closer.delim] {
			t := &toks[runs[o]]
			if t.delim == closer.delim && t.canOpen && t.count > 0 {
				break
			}
			o = prev[o]
		}
		if o <= bottom[closer.delim] {
			bottom[closer.delim] = prev[c]
			n := next[c]
			if !closer.canOpen {
				unlink(c)
			}
			c = n
			continue
		}
		opener := &toks[runs[o]]
		n := 1
		if opener.count >= 2 && closer.count >= 2 {
			n = 2
		}
		s := span{kind: InlineItalic, marker: strings.Repeat(string(closer.delim), n)}
		switch {
		case closer.delim == '~':
			s.kind = InlineStrike
		case n == 2:
			s.kind = InlineBold
		}
		opener.count -= n
		closer.count -= n
		opener.opens = append(opener.opens, s)
		closer.closes = append(closer.closes, s)
		// The runs between are text now.
		next[o], prev[c] = c, o
		if opener.count == 0 {
			unlink(o)
		}
		if closer.count == 0 {
			n := next[c]
			unlink(c)
			c = n
		}
	}
}

// buildInlines nests the tokens into the emphasis matched; past
// maxInlineDepth, emphasis is shown with its markers.
func buildInlines(toks []token) []Inline {
	type frame struct {
		kind     InlineKind
		children []Inline
		text     []string // text after the last child, to join into one
	}
	stack := []frame{{}}
	flat := 0 // emphasis opened past the depth bound and not closed
	text := func(s string) {
		top := &stack[len(stack)-1]
		top.text = append(top.text, s)
	}
	flush := func(f *frame) {
		if len(f.text) > 0 {
			f.children = append(f.children, Inline{Kind: InlineText, Text: strings.Join(f.text, "")})
			f.text = f.text[:0]
		}
	}
	emit := func(in Inline) {
		top := &stack[len(stack)-1]
		flush(top)
		top.children = append(top.children, in)
	}
	for _, t := range toks {
		if t.delim == 0 {
			if t.node.Kind == InlineText {
				text(t.node.Text)
			} else {
				emit(t.node)
			}
			continue
		}
		for _, s := range t.closes {
			if flat > 0 {
				flat--
				text(s.marker)
				continue
			}
			f := &stack[len(stack)-1]
			flush(f)
			in := Inline{Kind: f.kind, Children: f.children}
			stack = stack[:len(stack)-1]
			emit(in)
		}
		if t.count > 0 {
			text(strings.Repeat(string(t.delim), t.count))
		}
		for k := len(t.opens) - 1; k >= 0; k-- {
			if flat > 0 || len(stack) > maxInlineDepth {
				flat++
				text(t.opens[k].marker)
				continue
			}
			stack = append(stack, frame{kind: t.opens[k].kind})
		}
	}
	flush(&stack[0])
	return stack[0].children
}

package shared_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"livechat/shared"
)

// dump writes blocks compactly: p{...}, code(info){...}, quote{...},
// ul{li{...}...}, ol<start>{...}; inlines as B(...), I(...), S(...),
// C(...), L(text|href), M(name), E(name), and text as is.
func dump(blocks []shared.Block) string {
	var b strings.Builder
	dumpBlocks(&b, blocks)
	return b.String()
}

func dumpBlocks(b *strings.Builder, blocks []shared.Block) {
	for _, bl := range blocks {
		switch bl.Kind {
		case shared.BlockParagraph:
			b.WriteString("p{")
			dumpInlines(b, bl.Inlines)
		case shared.BlockCode:
			fmt.Fprintf(b, "code(%s){%s", bl.Info, bl.Text)
		case shared.BlockQuote:
			b.WriteString("quote{")
			dumpBlocks(b, bl.Blocks)
		case shared.BlockList:
			if bl.Ordered {
				fmt.Fprintf(b, "ol%d{", bl.Start)
			} else {
				b.WriteString("ul{")
			}
			for _, item := range bl.Items {
				b.WriteString("li{")
				dumpInlines(b, item)
				b.WriteString("}")
			}
		default:
			fmt.Fprintf(b, "?%d{", bl.Kind)
		}
		b.WriteString("}")
	}
}

func dumpInlines(b *strings.Builder, inlines []shared.Inline) {
	for _, in := range inlines {
		switch in.Kind {
		case shared.InlineText:
			b.WriteString(in.Text)
		case shared.InlineBold, shared.InlineItalic, shared.InlineStrike:
			b.WriteString(map[shared.InlineKind]string{shared.InlineBold: "B(", shared.InlineItalic: "I(", shared.InlineStrike: "S("}[in.Kind])
			dumpInlines(b, in.Children)
			b.WriteString(")")
		case shared.InlineCode:
			fmt.Fprintf(b, "C(%s)", in.Text)
		case shared.InlineLink:
			fmt.Fprintf(b, "L(%s|%s)", in.Text, in.Href)
		case shared.InlineMention:
			fmt.Fprintf(b, "M(%s)", in.Name)
		case shared.InlineEmoji:
			fmt.Fprintf(b, "E(%s)", in.Name)
		default:
			fmt.Fprintf(b, "?%d(%s)", in.Kind, in.Text)
		}
	}
}

func TestParseMarkdown(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"plain", "hello world", "p{hello world}"},
		{"empty", "", ""},
		{"blank lines", "\n \n", ""},
		{"line breaks kept", "a\nb", "p{a\nb}"},
		{"crlf", "a\r\nb", "p{a\nb}"},
		{"paragraphs", "a\n\n\nb", "p{a}p{b}"},

		{"bold", "a **b** c", "p{a B(b) c}"},
		{"bold underscores", "__b__", "p{B(b)}"},
		{"italic star", "*i*", "p{I(i)}"},
		{"italic underscore", "_i_", "p{I(i)}"},
		{"strike", "~~s~~", "p{S(s)}"},
		{"single tilde", "~s~", "p{~s~}"},
		{"bold italic", "***x***", "p{I(B(x))}"},
		{"nested", "**a *b* c**", "p{B(a I(b) c)}"},
		{"across lines", "**a\nb**", "p{B(a\nb)}"},
		{"unclosed bold", "**a", "p{**a}"},
		{"unclosed italic", "a *b", "p{a *b}"},
		{"unbalanced", "*a **b*", "p{*a *I(b)}"},
		{"spaced stars", "a * b * c", "p{a * b * c}"},
		{"multiplication", "2*3*4", "p{2I(3)4}"},
		{"snake case", "snake_case_word", "p{snake_case_word}"},
		{"lone markers", "** __ ~~", "p{** __ ~~}"},
		{"markers only", "****", "p{****}"},

		{"code", "a `b*c*` d", "p{a C(b*c*) d}"},
		{"code double", "``a ` b``", "p{C(a ` b)}"},
		{"code padding", "` `` `", "p{C(``)}"},
		{"code no link", "`go.dev :tada: @ada`", "p{C(go.dev :tada: @ada)}"},
		{"code unclosed", "a `b", "p{a `b}"},
		{"code html", "`<script>`", "p{C(<script>)}"},

		{"https", "see https://go.dev/doc, ok?", "p{see L(https://go.dev/doc|https://go.dev/doc), ok?}"},
		{"http upper", "HTTP://X.ORG", "p{L(HTTP://X.ORG|HTTP://X.ORG)}"},
		{"url underscores", "https://x.com/a_b_c_", "p{L(https://x.com/a_b_c|https://x.com/a_b_c)_}"},
		{"url balanced paren", "(https://en.wikipedia.org/wiki/Go_(language))", "p{(L(https://en.wikipedia.org/wiki/Go_(language)|https://en.wikipedia.org/wiki/Go_(language)))}"},
		{"url trailing punctuation", "https://x.com/a.", "p{L(https://x.com/a|https://x.com/a).}"},
		{"url in bold", "**https://a.com**", "p{B(L(https://a.com|https://a.com))}"},
		{"url no host", "https:// x", "p{https:// x}"},
		{"www", "www.example.com", "p{L(www.example.com|https://www.example.com)}"},
		{"www path", "www.example.com/x?y=1!", "p{L(www.example.com/x?y=1|https://www.example.com/x?y=1)!}"},
		{"bare domain", "go.dev", "p{L(go.dev|https://go.dev)}"},
		{"bare subdomain path", "pkg.go.dev/net/url.", "p{L(pkg.go.dev/net/url|https://pkg.go.dev/net/url).}"},
		{"bare domain sentence", "Try example.com.", "p{Try L(example.com|https://example.com).}"},
		{"bare domain in parens", "(example.org)", "p{(L(example.org|https://example.org))}"},
		{"path tld with path", "myapp.app/login", "p{L(myapp.app/login|https://myapp.app/login)}"},
		{"path tld without path", "log.info", "p{log.info}"},
		{"javascript scheme", "javascript:alert(1)", "p{javascript:alert(1)}"},
		{"javascript host", "https://javascript:alert(1)", "p{https://javascript:alert(1)}"},
		{"data scheme", "data:text/html,x", "p{data:text/html,x}"},
		{"email", "ada@example.com", "p{ada@example.com}"},
		{"link after slash", "a/example.com", "p{a/example.com}"},

		{"mention", "hi @ada!", "p{hi M(ada)!}"},
		{"mention in bold", "**@ada**", "p{B(M(ada))}"},
		{"mention not word start", "x@ada", "p{x@ada}"},
		{"mention alone", "@ ada", "p{@ ada}"},

		{"shortcode", ":tada: :+1::-1:", "p{E(tada) E(+1)E(-1)}"},
		{"unknown shortcode", ":nope:", "p{:nope:}"},
		{"shortcode in word", "a:tada:", "p{a:tada:}"},
		{"time is no shortcode", "12:100:30", "p{12:100:30}"},
		{"shortcode underscores", "_:heart_eyes:_", "p{I(E(heart_eyes))}"},

		{"fence", "```go\nfmt.Println(`x`)\n**no**\n```", "code(go){fmt.Println(`x`)\n**no**}"},
		{"fence empty", "```\n```", "code(){}"},
		{"fence unclosed", "```\na", "p{```\na}"},
		{"fence then text", "a\n```\nb\n```\nc", "p{a}code(){b}p{c}"},
		{"fence one line", "```x```", "p{C(x)}"},
		{"quote", "> a\n> *b*\nc", "quote{p{a\nI(b)}}p{c}"},
		{"quote blank line", "> a\n>\n> b", "quote{p{a}p{b}}"},
		{"quote nested", "> > a", "quote{quote{p{a}}}"},
		{"quote too deep", "> > > > a", "quote{quote{quote{p{> a}}}}"},
		{"no quote without space", ">a", "p{>a}"},
		{"quote html", "> <svg onload=alert(1)>", "quote{p{<svg onload=alert(1)>}}"},
		{"bullets", "- a\n* **b**", "ul{li{a}li{B(b)}}"},
		{"numbers", "3. a\n4. b", "ol3{li{a}li{b}}"},
		{"list kinds", "- a\n1. b", "ul{li{a}}ol1{li{b}}"},
		{"list ends", "- a\nb", "ul{li{a}}p{b}"},
		{"no list without space", "-a\n1.b", "p{-a\n1.b}"},
		{"empty item", "- ", "p{- }"},
		{"italic line is no list", "*a*", "p{I(a)}"},
		{"long number", "1234567890. a", "p{1234567890. a}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := dump(shared.ParseMarkdown(tt.in)); got != tt.want {
				t.Errorf("ParseMarkdown(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseMarkdownFalseLinks lists words that look like addresses and
// are not: file names, versions, code, abbreviations.
func TestParseMarkdownFalseLinks(t *testing.T) {
	for _, in := range []string{
		"file.go", "main.rs", "README.md", "setup.py", "run.sh", "script.pl", "lib.so", "a.cc",
		"v1.2", "1.2.3", "e.g.", "i.e. this", "U.S.A.", "node.js", "os.Exit", "rand.Int", "user.name",
		"log.info", "x.app", "archive.tar.gz", "image.png", "a..com", "-a.com", "a-.com",
		"ftp://example.com", "mailto:ada@example.com", "file:///etc/passwd", "javascript://x.com/%0aalert(1)",
		"www.", "www.x", "foo.c", "x.com-y", "http://", "https://:80",
	} {
		for _, in := range []string{in, "see " + in + " now"} {
			if got := dump(shared.ParseMarkdown(in)); strings.Contains(got, "L(") {
				t.Errorf("ParseMarkdown(%q) = %s, want no link", in, got)
			}
		}
	}
}

func TestParseMarkdownMentionNames(t *testing.T) {
	for _, tt := range []struct {
		in    string
		names []string
		want  string
	}{
		{"@ada lovelace hi", nil, "p{M(ada) lovelace hi}"},
		{"@ada lovelace hi", []string{"Ada Lovelace"}, "p{M(ada lovelace) hi}"},
		{"@ADA LOVELACE, hi", []string{"ada lovelace"}, "p{M(ADA LOVELACE), hi}"},
		{"@ada lovelace hi", []string{"bob"}, "p{M(ada) lovelace hi}"},
	} {
		if got := dump(shared.ParseMarkdown(tt.in, tt.names...)); got != tt.want {
			t.Errorf("ParseMarkdown(%q, %q) = %s, want %s", tt.in, tt.names, got, tt.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"**bold** and _it_ ~~x~~ `c*d`", "bold and it x c*d"},
		{"> quoted\n\n- a\n- b\n\n```\ncode\n```", "quoted\na\nb\ncode"},
		{"go.dev :tada: @ada", "go.dev 🎉 @ada"},
		{"**unclosed", "**unclosed"},
	} {
		if got := shared.PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseMarkdownAdversarial parses inputs that make naive parsers
// quadratic or deeply recursive: each, 20,000 markers long, must parse
// within seconds (a linear parse takes milliseconds, a quadratic one
// minutes), and shallowly.
func TestParseMarkdownAdversarial(t *testing.T) {
	for name, gen := range map[string]func(n int) string{
		"stars":        func(n int) string { return strings.Repeat("*", n) },
		"spaced stars": func(n int) string { return strings.Repeat("* ", n) },
		"word stars":   func(n int) string { return strings.Repeat("*a", n) },
		"brackets":     func(n int) string { return strings.Repeat("[", n) },
		"backticks":    func(n int) string { return strings.Repeat("`", n) },
		"backtick runs": func(n int) string {
			var b strings.Builder
			for k := 1; b.Len() < n; k++ {
				b.WriteString(strings.Repeat("`", k) + "a")
			}
			return b.String()
		},
		"openers":     func(n int) string { return strings.Repeat("**a ", n/4) },
		"nesting":     func(n int) string { return strings.Repeat("*_~~", n/4) + "x" + strings.Repeat("~~_*", n/4) },
		"markers":     func(n int) string { return strings.Repeat("*_~~", n/4) },
		"underscores": func(n int) string { return strings.Repeat("_a", n) },
		"quotes":      func(n int) string { return strings.Repeat("> ", n) },
		"fences":      func(n int) string { return strings.Repeat("```\n", n) },
		"lone fences": func(n int) string { return strings.Repeat("```x\na\n", n/2) },
		"colons":      func(n int) string { return strings.Repeat(":", n) },
		"shortcodes":  func(n int) string { return strings.Repeat(":a", n) },
		"mentions":    func(n int) string { return strings.Repeat("@a ", n) },
		"dots":        func(n int) string { return strings.Repeat("a.", n) },
		"url parens":  func(n int) string { return "https://x.com/" + strings.Repeat(")", n) },
		"urls":        func(n int) string { return strings.Repeat("https://x.com/ ", n/10) },
		"domains":     func(n int) string { return strings.Repeat("a.b.c-", n) },
	} {
		t.Run(name, func(t *testing.T) {
			in := gen(20000)
			if d := parseTime(in); d > 5*time.Second {
				t.Errorf("%d bytes took %v", len(in), d)
			}
			if d := depth(shared.ParseMarkdown(in)); d > 12 {
				t.Errorf("depth %d", d)
			}
		})
	}
}

// parseTime is the shortest of three parses of in.
func parseTime(in string) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		shared.ParseMarkdown(in)
		best = min(best, time.Since(start))
	}
	return best
}

// depth is how deeply blocks nest, quotes and emphasis counted.
func depth(blocks []shared.Block) int {
	most := 0
	for _, bl := range blocks {
		d := inlineDepth(bl.Inlines)
		if q := depth(bl.Blocks) + 1; q > d {
			d = q
		}
		for _, item := range bl.Items {
			d = max(d, inlineDepth(item))
		}
		most = max(most, d+1)
	}
	return most
}

func inlineDepth(inlines []shared.Inline) int {
	most := 0
	for _, in := range inlines {
		most = max(most, inlineDepth(in.Children)+1)
	}
	return most
}

// sourceText is the text a tree shows, in order, with each emoji given as
// its :shortcode: and each code block's info string before it: what must
// be a subsequence of the text parsed.
func sourceText(blocks []shared.Block) string {
	var b strings.Builder
	var walk func([]shared.Inline)
	walk = func(inlines []shared.Inline) {
		for _, in := range inlines {
			switch in.Kind {
			case shared.InlineBold, shared.InlineItalic, shared.InlineStrike:
				walk(in.Children)
			case shared.InlineEmoji:
				b.WriteString(":" + in.Name + ":")
			default:
				b.WriteString(in.Text)
			}
		}
	}
	var blocksWalk func([]shared.Block)
	blocksWalk = func(blocks []shared.Block) {
		for _, bl := range blocks {
			switch bl.Kind {
			case shared.BlockParagraph:
				walk(bl.Inlines)
			case shared.BlockCode:
				b.WriteString(bl.Info)
				b.WriteString(bl.Text)
			case shared.BlockQuote:
				blocksWalk(bl.Blocks)
			case shared.BlockList:
				for _, item := range bl.Items {
					walk(item)
				}
			}
		}
	}
	blocksWalk(blocks)
	return b.String()
}

// links returns the addresses of the links in blocks.
func links(blocks []shared.Block) []string {
	var out []string
	var walk func([]shared.Inline)
	walk = func(inlines []shared.Inline) {
		for _, in := range inlines {
			if in.Kind == shared.InlineLink {
				out = append(out, in.Href)
			}
			walk(in.Children)
		}
	}
	for _, bl := range blocks {
		walk(bl.Inlines)
		for _, item := range bl.Items {
			walk(item)
		}
		out = append(out, links(bl.Blocks)...)
	}
	return out
}

// count returns the number of nodes in blocks.
func count(blocks []shared.Block) int {
	n := 0
	var walk func([]shared.Inline)
	walk = func(inlines []shared.Inline) {
		for _, in := range inlines {
			n++
			walk(in.Children)
		}
	}
	for _, bl := range blocks {
		n++
		walk(bl.Inlines)
		for _, item := range bl.Items {
			walk(item)
		}
		n += count(bl.Blocks)
	}
	return n
}

// markupRunes are the characters that formatting may take away.
const markupRunes = "*_~`>-.0123456789 \t\n\r\v\f"

// FuzzMarkdown checks, for any text, that parsing does not panic, takes
// no markup-free character away and adds none (the tree's text is a
// subsequence of the input, emoji as their shortcodes), links only to
// http and https, and stays small and shallow.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"", "**b** *i* _i_ ~~s~~ `c` go.dev https://x.com/(a) www.a.com :tada: @ada",
		"```go\nx\n```\n> q\n> > r\n- a\n* b\n1. c", "***x***", "*a **b*", "**<img src=x onerror=alert(1)>**",
		"[x](javascript:alert(1))", "javascript:alert(1)", "``a`b``", "_a_b_", "> ```\n> x\n> ```",
		"http://[::1]:80/", "a\r\nb\rc", "@ada lovelace, :+1:", "\xff*\xfe*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		blocks := shared.ParseMarkdown(in, "ada lovelace")
		got := sourceText(blocks)
		if !subsequence(got, in) {
			t.Fatalf("text %q is not a subsequence of %q", got, in)
		}
		// (Texts are valid UTF-8 on the wire; taking markers out of
		// invalid UTF-8 may join bytes into other characters.)
		if lost := lostRunes(in, got); lost != "" && utf8.ValidString(in) {
			t.Fatalf("%q lost %q: %q", in, lost, got)
		}
		for _, href := range links(blocks) {
			u, err := url.Parse(href)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("link to %q in %q", href, in)
			}
		}
		if n := count(blocks); n > 2*len(in)+2 {
			t.Fatalf("%d nodes for %d bytes", n, len(in))
		}
		if d := depth(blocks); d > 12 {
			t.Fatalf("depth %d", d)
		}
		shared.PlainText(in)
	})
}

func subsequence(s, of string) bool {
	j := 0
	for i := 0; i < len(s); i++ {
		for j < len(of) && of[j] != s[i] {
			j++
		}
		if j == len(of) {
			return false
		}
		j++
	}
	return true
}

// lostRunes returns the characters of in, other than markupRunes, that
// got has fewer of.
func lostRunes(in, got string) string {
	counts := map[rune]int{}
	for _, r := range in {
		if !strings.ContainsRune(markupRunes, r) {
			counts[r]++
		}
	}
	for _, r := range got {
		counts[r]--
	}
	var lost []rune
	for r, n := range counts {
		if n > 0 {
			lost = append(lost, r)
		}
	}
	return string(lost)
}

func TestEmojiTable(t *testing.T) {
	seen := map[string]bool{}
	total := 0
	for _, g := range shared.EmojiGroups() {
		if g.Name == "" || len(g.Shortcodes) == 0 {
			t.Errorf("group %q is empty", g.Name)
		}
		for _, name := range g.Shortcodes {
			total++
			if seen[name] {
				t.Errorf("%q offered twice", name)
			}
			seen[name] = true
			e, ok := shared.Emoji(name)
			if !ok || e == "" {
				t.Errorf("%q offered but unknown", name)
			}
			if got := dump(shared.ParseMarkdown(":" + name + ":")); got != "p{E("+name+")}" {
				t.Errorf(":%s: parses as %s", name, got)
			}
		}
	}
	if total < 150 {
		t.Errorf("the picker offers %d emoji, want at least 150", total)
	}
	for _, name := range []string{"smile", "joy", "heart", "+1", "thumbsup", "-1", "tada", "fire", "eyes",
		"rocket", "thinking", "wave", "pray", "clap", "ok_hand", "100", "check", "x", "warning"} {
		if _, ok := shared.Emoji(name); !ok {
			t.Errorf("%q unknown", name)
		}
	}
	if a, _ := shared.Emoji("+1"); a != "👍" {
		t.Errorf(":+1: = %q", a)
	}
}

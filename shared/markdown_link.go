package shared

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Links in messages. Three forms become links:
//
//   - http:// and https:// addresses, as written;
//   - www. and a host name, to https://;
//   - a bare host name whose top-level domain is a common one (see
//     strongTLDs), with or without a path, or one that is also a common
//     word or file name ending (see pathTLDs) followed by a path: to
//     https://.
//
// So file.go, v1.2, main.rs, README.md, user.name and e.g. stay text,
// while go.dev, example.com/path and pkg.go.dev/net/url become links.
// Punctuation that ends a sentence is not part of a link, nor is a closing
// bracket that has no opening one inside it.

// strongTLDs are the top-level domains that make a bare host name a link.
// Country codes that are also file name endings (md, rs, py, sh, pl, cc,
// so, do, cl, ...) are left out.
var strongTLDs = map[string]bool{
	"com": true, "org": true, "net": true, "edu": true, "gov": true, "io": true, "dev": true,
	"co": true, "me": true, "tv": true, "fm": true, "ly": true, "gg": true, "ai": true,
	"us": true, "uk": true, "ca": true, "au": true, "nz": true, "ie": true, "de": true, "fr": true,
	"es": true, "it": true, "nl": true, "be": true, "ch": true, "at": true, "se": true, "no": true,
	"dk": true, "fi": true, "pt": true, "gr": true, "cz": true, "hu": true, "ro": true, "ua": true,
	"ru": true, "br": true, "ar": true, "mx": true, "jp": true, "cn": true, "kr": true, "tw": true,
	"hk": true, "sg": true, "in": true, "za": true, "eu": true,
}

// pathTLDs are top-level domains that are also words or file name endings
// ("log.info", "user.name", "rand.Int"): a bare host name with one of them
// is a link only when a path follows.
var pathTLDs = map[string]bool{
	"app": true, "page": true, "info": true, "name": true, "int": true, "biz": true, "pro": true,
	"xyz": true, "site": true, "online": true, "tech": true, "store": true, "shop": true,
	"blog": true, "news": true, "wiki": true, "cloud": true, "is": true, "to": true, "pl": true,
	"so": true, "sh": true, "md": true, "rs": true, "py": true, "cc": true,
}

// linkStart reports whether a link may start at text[i]: at the start of
// the text, or after a space or punctuation that does not join words into
// an address (not after ".", "-", "@", "/" and the like).
func linkStart(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return false
	}
	return !strings.ContainsRune(`.-@/\:#%&=?+$`, r)
}

// linkAt reads a link at text[i] and returns where it ends and its
// address, or 0 if there is none.
func linkAt(text string, i int) (end int, href string) {
	s := text[i:]
	if hasPrefixFold(s, "http://") || hasPrefixFold(s, "https://") {
		n := trimLink(s[:urlLength(s)])
		u, err := url.Parse(s[:n])
		if err != nil || u.Host == "" || u.Hostname() == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return 0, ""
		}
		return i + n, s[:n]
	}
	www := hasPrefixFold(s, "www.")
	host := hostLength(s)
	// A host name ends before a dot that ends a sentence.
	for host > 0 && s[host-1] == '.' {
		host--
	}
	tld, ok := checkHost(s[:host])
	if !ok {
		return 0, ""
	}
	n := host
	if n < len(s) && strings.IndexByte("/?#", s[n]) >= 0 {
		n = host + trimLink(s[host:host+urlLength(s[host:])])
	}
	path := n > host+1
	switch {
	case www && len(tld) >= 2:
	case strongTLDs[tld]:
	case pathTLDs[tld] && path:
	default:
		return 0, ""
	}
	href = "https://" + s[:n]
	if _, err := url.Parse(href); err != nil {
		return 0, ""
	}
	return i + n, href
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// urlLength is how far an address may go in s: to a space, a control
// character, or one of < > " `.
func urlLength(s string) int {
	for j, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>\"`", r) {
			return j
		}
	}
	return len(s)
}

// hostLength is the length of the run of letters, digits, dots and
// hyphens (ASCII) at the start of s.
func hostLength(s string) int {
	n := 0
	for n < len(s) && (isASCIIAlnum(s[n]) || s[n] == '.' || s[n] == '-') {
		n++
	}
	return n
}

// checkHost reports whether host is a domain name of two or more labels
// of letters, digits and inner hyphens, ending in a top-level domain of 2
// to 63 letters, which it returns in lower case.
func checkHost(host string) (tld string, ok bool) {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", false
		}
	}
	tld = labels[len(labels)-1]
	if len(tld) < 2 {
		return "", false
	}
	for k := 0; k < len(tld); k++ {
		if c := tld[k] | 0x20; c < 'a' || c > 'z' {
			return "", false
		}
	}
	return strings.ToLower(tld), true
}

// trimLink returns the length of link without the punctuation that ends
// a sentence or a formatted span, and without closing brackets that have
// no opening one inside the link.
func trimLink(link string) int {
	open := map[byte]int{}
	for k := 0; k < len(link); k++ {
		switch link[k] {
		case '(', '[', '{':
			open[link[k]]++
		case ')':
			open['(']--
		case ']':
			open['[']--
		case '}':
			open['{']--
		}
	}
	n := len(link)
	for n > 0 {
		c := link[n-1]
		switch {
		case strings.IndexByte(".,;:!?'\"*_~", c) >= 0:
		case c == ')' && open['('] < 0:
			open['(']++
		case c == ']' && open['['] < 0:
			open['[']++
		case c == '}' && open['{'] < 0:
			open['{']++
		default:
			return n
		}
		n--
	}
	return n
}

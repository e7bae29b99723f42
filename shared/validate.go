package shared

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits of the protocol.
const (
	// MaxNicknameChars is the most characters (code points) a nickname
	// may have after trimming.
	MaxNicknameChars = 32
	// MaxTextBytes is the most bytes of UTF-8 a message text may have.
	MaxTextBytes = 4096
	// MaxRoomBytes is the longest room name.
	MaxRoomBytes = 32
	// MaxIDBytes is the longest request ID.
	MaxIDBytes = 64
	// MaxFrameBytes is the largest frame a client may send; servers pass it
	// to SetReadLimit. It leaves room for MaxTextBytes of text even if
	// every character is escaped as \uXXXX.
	MaxFrameBytes = 32 << 10
	// MaxServerFrameBytes is the largest frame a server sends; clients pass
	// it to SetReadLimit.
	MaxServerFrameBytes = 1 << 20
	// DefaultHistory is how many messages a join or a history request
	// gets when it does not say; MaxHistory is the most it may ask for.
	DefaultHistory = 50
	MaxHistory     = 200
)

// DefaultRoom is the room a join without a room enters.
const DefaultRoom = "general"

// CheckNickname validates a nickname as typed and returns it trimmed of
// surrounding white space. A nickname has 1 to MaxNicknameChars characters
// after trimming; it may contain spaces but no other white space, and no
// control, formatting, invisible or private-use characters. The returned
// error is a *Error with CodeNicknameInvalid.
func CheckNickname(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", Errorf(CodeNicknameInvalid, "the nickname is not valid UTF-8")
	}
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return "", Errorf(CodeNicknameInvalid, "choose a nickname")
	case n > MaxNicknameChars:
		return "", Errorf(CodeNicknameInvalid, "a nickname has at most %d characters, this one has %d", MaxNicknameChars, n)
	}
	for _, r := range s {
		if r == ' ' {
			continue
		}
		if unicode.IsSpace(r) {
			return "", Errorf(CodeNicknameInvalid, "a nickname may contain spaces but no other white space (%U)", r)
		}
		if invisible(r) {
			return "", Errorf(CodeNicknameInvalid, "a nickname cannot contain control or invisible characters (%U)", r)
		}
	}
	return s, nil
}

// invisible reports whether r is a control, formatting, private-use,
// surrogate, non-character or otherwise invisible code point: the
// characters that make two nicknames look the same or hide text.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Zl, unicode.Zp,
		unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point, unicode.Noncharacter_Code_Point) ||
		r == '\u2800' || // braille blank
		r == '\u115F' || r == '\u1160' || r == '\u3164' || r == '\uFFA0' // Hangul fillers
}

// NicknameKey returns the key under which a valid nickname is unique in a
// room: compatibility-normalised (NFKC), case-folded, with runs of spaces
// collapsed. "Alice", "ALICE" and "ａｌｉｃｅ" have the same key.
func NicknameKey(nickname string) string {
	s := norm.NFKC.String(nickname)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(foldRune(r))
	}
	return norm.NFKC.String(b.String())
}

// foldRune maps r to the smallest rune of its case-folding orbit, so that
// all case variants of a letter map to one rune (as strings.EqualFold
// compares them).
func foldRune(r rune) rune {
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < min {
			min = f
		}
	}
	return min
}

// CheckText validates a message text: 1 to MaxTextBytes bytes of UTF-8,
// not only white space, and no control characters other than tab and
// newline. Text is never trimmed or rewritten. The returned error is a
// *Error with CodeTextInvalid or CodeTextTooLong.
func CheckText(s string) error {
	if len(s) > MaxTextBytes {
		return Errorf(CodeTextTooLong, "a message has at most %d bytes, this one has %d", MaxTextBytes, len(s))
	}
	if !utf8.ValidString(s) {
		return Errorf(CodeTextInvalid, "the message is not valid UTF-8")
	}
	blank := true
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case unicode.IsControl(r):
			return Errorf(CodeTextInvalid, "a message cannot contain control characters (%U)", r)
		case blank && !unicode.IsSpace(r) && !invisible(r):
			blank = false
		}
	}
	if blank {
		return Errorf(CodeTextInvalid, "the message is empty")
	}
	return nil
}

// CheckRoom validates a room name and returns it, or DefaultRoom for an
// empty name. A room name has 1 to MaxRoomBytes characters from a-z, 0-9,
// '-' and '_', and starts with a letter or digit. The returned error is a
// *Error with CodeRoomInvalid.
func CheckRoom(s string) (string, error) {
	if s == "" {
		return DefaultRoom, nil
	}
	if len(s) > MaxRoomBytes {
		return "", Errorf(CodeRoomInvalid, "a room name has at most %d characters", MaxRoomBytes)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return "", Errorf(CodeRoomInvalid, "a room name uses only a-z, 0-9, '-' and '_', and starts with a letter or digit")
		}
	}
	return s, nil
}

// CheckID validates a request ID: 1 to MaxIDBytes printable ASCII
// characters. The returned error is a *Error with CodeInvalidRequest.
func CheckID(s string) error {
	if s == "" {
		return Errorf(CodeInvalidRequest, "the request needs an id")
	}
	if len(s) > MaxIDBytes {
		return Errorf(CodeInvalidRequest, "a request id has at most %d characters", MaxIDBytes)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return Errorf(CodeInvalidRequest, "a request id uses printable ASCII characters only")
		}
	}
	return nil
}

// HistoryLimit returns how many messages a join's History or a history
// request's Limit asks for: DefaultHistory when n is nil, else *n, which
// must be 0 to MaxHistory. The returned error is a *Error with
// CodeInvalidRequest naming field.
func HistoryLimit(field string, n *int) (int, error) {
	switch {
	case n == nil:
		return DefaultHistory, nil
	case *n < 0 || *n > MaxHistory:
		return 0, Errorf(CodeInvalidRequest, "%s must be 0 to %d messages, not %d", field, MaxHistory, *n)
	}
	return *n, nil
}

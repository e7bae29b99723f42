package shared

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Requests and events of a conversation beyond saying something: typing,
// read receipts, replies (Say.ReplyTo), reactions and edits. Deleting is
// TypeDelete (see moderation.go): authors delete their own messages.
const (
	// TypeTyping says the sender is typing in Room (payload: Typing).
	// Clients send it at most once per TypingEvery while the person
	// types; the server passes it on to the room's other people, about
	// once per TypingEvery per person and room at most (a little less
	// absorbs the network's jitter), gathering those of TypingGathered
	// into one event naming them all (People), and never stores it; a
	// message of theirs ends it. Each person named shows as typing for
	// TypingLasts, or until a message of theirs arrives. A muted person,
	// or anyone in a locked room they may not write in, is not passed on.
	TypeTyping Type = "typing"
	// TypeEdit replaces the text of one of the sender's messages
	// (payload: Edit). The envelope ID is the request's client id: the
	// server answers with an ack carrying it, and stores a resent edit
	// once. Everyone in the room gets the event of kind MessageEdit.
	TypeEdit Type = "edit"
	// TypeReact adds or removes the sender's reaction to a message
	// (payload: React); answered and stored like an edit, with an event
	// of kind MessageReact.
	TypeReact Type = "react"
	// TypeSeen (an event) lists read positions of people in a room
	// (payload: Seen): after a join, those of its members (in a room of
	// at most MaxReceiptPeople), unless none has one, then each as it
	// moves.
	TypeSeen Type = "seen"
)

// Message kinds of the events folded onto messages (see Message.Kind and
// MessageDelete). Each carries the whole state of the message Of after
// it, in the fields of Message that Fold copies.
const (
	MessageEdit  = "edit"  // Of has a new Text, edited at Edited
	MessageReact = "react" // Of has new Reactions
	MessageReply = "reply" // Of has one more reply: Replies
)

// Timing and sizes of conversation events.
const (
	// TypingEvery is how often a client says that someone is still
	// typing; TypingLasts, how long a typing event shows without another.
	TypingEvery = 3 * time.Second
	TypingLasts = 5 * time.Second
	// TypingGathered is how long the server gathers typing requests of a
	// room into one event: in a big room, a typing event costs each
	// connection one frame per TypingGathered at most, however many type.
	TypingGathered = 500 * time.Millisecond
	// MaxReactionKinds is how many different emoji one message may have
	// as reactions; MaxReactions, how many reactions in all.
	MaxReactionKinds = 20
	MaxReactions     = 250
	// MaxEmojiBytes is the longest reaction: one emoji, with its
	// modifiers and joiners.
	MaxEmojiBytes = 64
	// MaxQuoteChars is how much of the original a reply's Quote keeps.
	MaxQuoteChars = 140
	// MaxReceiptPeople is the most members a room may have for its
	// members' read positions to be shared in it.
	MaxReceiptPeople = 100
)

// Typing says that someone is typing in a room: as a request, the
// sender; as an event, People (the receiver among them only with
// others).
type Typing struct {
	Room   string   `json:"room"`
	People []Person `json:"people,omitempty"`
}

// Edit replaces the text of the sender's message ID in Room.
type Edit struct {
	Room string `json:"room"`
	ID   uint64 `json:"id"`
	// Text is the new text; see CheckText.
	Text string `json:"text"`
}

// React adds the sender's reaction Emoji to the message ID of Room, or
// with Remove, takes it away. Adding one twice, or removing one that is
// not there, changes nothing.
type React struct {
	Room   string `json:"room"`
	ID     uint64 `json:"id"`
	Emoji  string `json:"emoji"`
	Remove bool   `json:"remove,omitempty"`
}

// Reaction is one emoji given to a message, and by whom, in the order
// they gave it.
type Reaction struct {
	Emoji  string   `json:"emoji"`
	People []Person `json:"people"`
}

// Quote is what a reply shows of the message it answers: its author and
// the start of its text, as it was when the reply was sent.
type Quote struct {
	From string `json:"from"`
	Text string `json:"text"`
}

// Seen lists read positions in Room: each person has read up to ID.
type Seen struct {
	Room    string   `json:"room"`
	Readers []Reader `json:"readers"`
}

// Reader is a person's read position.
type Reader struct {
	Person
	ID uint64 `json:"read"`
}

// Folded reports whether kind is an event that Fold applies to a message.
func Folded(kind string) bool {
	switch kind {
	case MessageDelete, MessageEdit, MessageReact, MessageReply:
		return true
	}
	return false
}

// Fold applies e, an event about m (e.Of == m.ID, with a kind Folded
// knows), to m, unless m already has it or a later one (e.ID <= m.Rev),
// and reports whether it did. Events carry the whole state of the
// message after them, so folding the same one twice, or an older one
// after a newer one, changes nothing: clients fold every event they get
// and history's folded messages and live events never disagree.
func (m *Message) Fold(e Message) bool {
	if e.Of != m.ID || e.ID <= m.Rev || !Folded(e.Kind) {
		return false
	}
	m.Rev = e.ID
	if e.Kind == MessageDelete || e.Deleted {
		m.Deleted, m.Text, m.Edited, m.Reactions, m.Quote = true, "", time.Time{}, nil, nil
		m.Replies = e.Replies
		return true
	}
	if !e.Edited.IsZero() {
		m.Text, m.Edited = e.Text, e.Edited
	}
	m.Reactions, m.Replies = e.Reactions, e.Replies
	return true
}

// State returns the event of kind that carries m's state: what Fold
// copies, about m. The state of a deleted message is only that it is
// deleted, and its count of replies: none of its text or reactions.
func (m Message) State(kind string) Message {
	if m.Deleted {
		return Message{Room: m.Room, Kind: kind, Of: m.ID, Deleted: true, Replies: m.Replies}
	}
	e := Message{Room: m.Room, Kind: kind, Of: m.ID, Reactions: m.Reactions, Replies: m.Replies}
	if !m.Edited.IsZero() {
		e.Text, e.Edited = m.Text, m.Edited
	}
	return e
}

// React adds who's reaction emoji to m's reactions, or with remove takes
// it away, and reports whether they changed. It returns an error with
// CodeForbidden when m has too many reactions for another one. It never
// writes to the arrays m.Reactions and its People held before: copies of
// m (an event folded onto it, a cached message) keep their reactions.
func (m *Message) React(who Person, emoji string, remove bool) (bool, error) {
	total := 0
	at := -1
	for i, r := range m.Reactions {
		total += len(r.People)
		if r.Emoji == emoji {
			at = i
		}
	}
	if remove {
		if at < 0 {
			return false, nil
		}
		people := m.Reactions[at].People
		for i, p := range people {
			if p.ID == who.ID {
				if len(people) == 1 {
					m.Reactions = slices.Delete(slices.Clone(m.Reactions), at, at+1)
				} else {
					m.Reactions = slices.Clone(m.Reactions)
					m.Reactions[at].People = slices.Delete(slices.Clone(people), i, i+1)
				}
				return true, nil
			}
		}
		return false, nil
	}
	if at >= 0 {
		for _, p := range m.Reactions[at].People {
			if p.ID == who.ID {
				return false, nil
			}
		}
	}
	if total >= MaxReactions {
		return false, Errorf(CodeForbidden, "this message has %d reactions, the most it may have", MaxReactions)
	}
	if at < 0 {
		if len(m.Reactions) >= MaxReactionKinds {
			return false, Errorf(CodeForbidden, "this message has %d different reactions, the most it may have", MaxReactionKinds)
		}
		m.Reactions = append(slices.Clip(m.Reactions), Reaction{Emoji: emoji, People: []Person{who}})
		return true, nil
	}
	m.Reactions = slices.Clone(m.Reactions)
	m.Reactions[at].People = append(slices.Clip(m.Reactions[at].People), who)
	return true, nil
}

// Reacted reports whether who gave the reaction r.
func (r Reaction) Reacted(who string) bool {
	for _, p := range r.People {
		if p.ID == who {
			return true
		}
	}
	return false
}

// CheckEmoji validates a reaction: one emoji (a pictographic character
// with its variation selectors, skin tones, joiners and flag or keycap
// parts), at most MaxEmojiBytes. A digit, # or * is the base of a keycap
// only, followed by U+20E3 (after an optional U+FE0F); regional
// indicators come in pairs. The returned error has CodeInvalidRequest.
func CheckEmoji(s string) error {
	if s == "" || len(s) > MaxEmojiBytes || !utf8.ValidString(s) {
		return Errorf(CodeInvalidRequest, "a reaction is one emoji")
	}
	pictures, regional, joiners := 0, 0, 0
	for i, r := range s {
		switch {
		case r == 0x200D: // joiner
			joiners++
		case r == 0xFE0F, r == 0xFE0E, r == 0x20E3, // variation selectors, keycap
			r >= 0x1F3FB && r <= 0x1F3FF, // skin tones
			r >= 0xE0020 && r <= 0xE007F: // tag characters of subdivision flags
		case r >= 0x1F1E6 && r <= 0x1F1FF: // regional indicators
			pictures++
			regional++
		case r == '#' || r == '*' || r >= '0' && r <= '9':
			if !strings.HasPrefix(strings.TrimPrefix(s[i+1:], "\uFE0F"), "\u20E3") {
				return Errorf(CodeInvalidRequest, "a reaction is one emoji, not %q", s)
			}
			pictures++
		case unicode.In(r, unicode.So, pictographs):
			pictures++
		default:
			return Errorf(CodeInvalidRequest, "a reaction is one emoji, not %q", s)
		}
	}
	// One picture, or several joined into one (a family), or one flag
	// (two regional indicators): not several emoji side by side.
	if pictures == 0 || pictures > 8 || regional != 0 && (regional != 2 || pictures != 2) || regional == 0 && pictures > joiners+1 {
		return Errorf(CodeInvalidRequest, "a reaction is one emoji, not %q", s)
	}
	return nil
}

// pictographs are the characters besides the other symbols (unicode.So)
// that CheckEmoji takes for the picture of an emoji: the blocks of
// emoji, arrows, technical symbols, dingbats and miscellaneous symbols,
// and the punctuation and letter-like characters with an emoji form.
var pictographs = &unicode.RangeTable{
	LatinOffset: 1, // © ®
	R16: []unicode.Range16{
		{Lo: 0x00A9, Hi: 0x00AE, Stride: 5},  // © ®
		{Lo: 0x203C, Hi: 0x2049, Stride: 13}, // ‼ ⁉
		{Lo: 0x2122, Hi: 0x2139, Stride: 23}, // ™ ℹ
		{Lo: 0x2190, Hi: 0x21FF, Stride: 1},  // arrows
		{Lo: 0x2300, Hi: 0x23FF, Stride: 1},  // technical
		{Lo: 0x2600, Hi: 0x27BF, Stride: 1},  // miscellaneous symbols, dingbats
		{Lo: 0x2B00, Hi: 0x2BFF, Stride: 1},  // miscellaneous symbols and arrows
		{Lo: 0x3030, Hi: 0x303D, Stride: 13}, // 〰 〽
		{Lo: 0x3297, Hi: 0x3299, Stride: 2},  // ㊗ ㊙
	},
	R32: []unicode.Range32{
		{Lo: 0x1F000, Hi: 0x1FAFF, Stride: 1}, // the emoji blocks
	},
}

// QuoteOf returns the quote of m that a reply to it shows.
func QuoteOf(m Message) *Quote {
	text := m.Text
	if n := 0; len(text) > MaxQuoteChars {
		for i := range text {
			if n == MaxQuoteChars {
				text = text[:i] + "…"
				break
			}
			n++
		}
	}
	return &Quote{From: m.From, Text: text}
}

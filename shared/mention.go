package shared

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxMentionWords is how many words after an @ may be a nickname: a
// nickname may contain spaces.
const maxMentionWords = 3

// mentionEnd are the characters that end a mentioned nickname.
const mentionEnd = ",.!?:;()[]{}<>\"'@"

// maxMentions bounds the mentions looked for in one message.
const maxMentions = 10

// MentionCandidates returns what may be the nicknames mentioned in text:
// after each @ that starts a word, its next one to three words, trailing
// punctuation removed. "@ada lovelace, hi" gives "ada", "ada lovelace"
// (the comma ends it). The server looks them up as nicknames; the web app highlights
// with Mentions.
func MentionCandidates(text string) []string {
	var out []string
	var ends [maxMentionWords]int
	for i := 0; i < len(text) && len(out) < maxMentions*maxMentionWords; i++ {
		if text[i] != '@' || !wordStart(text, i) {
			continue
		}
		rest := text[i+1:]
		for _, end := range mentionWords(rest, mentionEnd, ends[:0]) {
			out = append(out, rest[:end])
		}
	}
	return out
}

// mentionWords appends to ends where, in rest (the text after an @), each
// of the one to three words a mention may name ends, shortest first: one
// run of spaces may separate words, and any other space or a character of
// stop ends the nickname.
func mentionWords(rest, stop string, ends []int) []int {
	end := 0
	for w := 0; w < maxMentionWords; w++ {
		// Skip one run of spaces between words.
		j := end
		for j < len(rest) && rest[j] == ' ' && w > 0 {
			j++
		}
		k := j
		for k < len(rest) {
			r, size := utf8.DecodeRuneInString(rest[k:])
			if unicode.IsSpace(r) || strings.ContainsRune(stop, r) {
				break
			}
			k += size
		}
		if k == j {
			break
		}
		end = k
		ends = append(ends, end)
		if end < len(rest) && rest[end] != ' ' {
			break // punctuation ends the mention
		}
	}
	return ends
}

// Mentions reports whether text mentions nickname: an @ that starts a
// word, then the nickname (compared as nicknames are, see NicknameKey),
// then no more letters or digits.
func Mentions(text, nickname string) bool {
	key := NicknameKey(nickname)
	if key == "" {
		return false
	}
	for _, c := range MentionCandidates(text) {
		if NicknameKey(c) == key {
			return true
		}
	}
	return false
}

// wordStart reports whether text[i] begins a word: it is first, or comes
// after something other than a letter or digit.
func wordStart(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

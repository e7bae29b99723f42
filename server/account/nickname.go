//go:build !js

package account

import (
	"crypto/sha256"
	"encoding/hex"

	"strings"

	"github.com/mtibben/confusables"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Skeleton returns what a nickname looks like, for telling whether two
// nicknames can be told apart: compatibility-normalised (NFKC),
// case-folded, with runs of white space made one space, reduced to its
// Unicode TR39 confusable skeleton and folded again (the skeleton of a
// letter may be a capital). "alice", "ALICE", "ａｌｉｃｅ", "аlice"
// (Cyrillic а), "alıce" (dotless ı) and "aⅼice" (Roman numeral ⅼ) have the
// same skeleton.
//
// Folding first misses look-alikes that only exist between cases, such as
// "aIice" (capital I) and "alice": SkeletonAsTyped catches those.
func Skeleton(nickname string) string {
	return skeleton(nickname, true)
}

// SkeletonAsTyped is the confusable skeleton of the nickname before case
// folding (then folded): "aIice" and "alice" have the same one.
func SkeletonAsTyped(nickname string) string {
	return skeleton(nickname, false)
}

// skeletonRounds bounds the rounds of skeleton; two or three suffice for
// every single character.
const skeletonRounds = 8

// skeleton maps a nickname to its confusable skeleton, then that again,
// until nothing changes: compatibility normalisation turns some of the
// characters the confusables table maps to into others it maps on ("%"
// becomes "º/₀", then "o/0", then "o/o"; "ᗰ" becomes "M", then "m", then
// "rn"), and a nickname must share its keys with every nickname its
// skeleton looks like. A skeleton is thus its own skeleton.
func skeleton(nickname string, foldFirst bool) string {
	fold := cases.Fold()
	s := norm.NFKC.String(nickname)
	if foldFirst {
		s = fold.String(s)
	}
	s = strings.Join(strings.Fields(s), " ")
	for range skeletonRounds {
		next := norm.NFKC.String(fold.String(confusables.Skeleton(s)))
		if next == s {
			break
		}
		s = next
	}
	return s
}

// LookAlike reports whether nicknames a and b cannot be told apart: they
// share a skeleton (Skeleton or SkeletonAsTyped). Only one account may
// hold nicknames that look alike.
func LookAlike(a, b string) bool {
	for _, ka := range claimKeys(a) {
		for _, kb := range claimKeys(b) {
			if ka == kb {
				return true
			}
		}
	}
	return false
}

// claimKeys are the KV keys of the claims an account holding nickname
// has: one per skeleton, hashed (a KV key allows few characters). Two
// nicknames conflict if they share any key. The first is the one to look
// a nickname up by.
func claimKeys(nickname string) []string {
	keys := []string{hashKey(Skeleton(nickname))}
	if k := hashKey(SkeletonAsTyped(nickname)); k != keys[0] {
		keys = append(keys, k)
	}
	return keys
}

func hashKey(skeleton string) string {
	sum := sha256.Sum256([]byte(skeleton))
	return "nickname." + hex.EncodeToString(sum[:16])
}

package shared_test

import (
	"strings"
	"testing"
	"time"

	"livechat/shared"
)

var sample = shared.Message{
	ID: 123456, Room: "general", From: "alice", ClientID: "c-0123456789abcdef",
	Text: strings.Repeat("lorem ipsum ", 8), At: time.Date(2026, 11, 26, 7, 1, 2, 345e6, time.UTC),
}

// BenchmarkEncodeMessage is the encoding done once per message for every
// recipient.
func BenchmarkEncodeMessage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := shared.Encode(shared.TypeMessage, "", sample); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSay is the decoding of what a client sends.
func BenchmarkDecodeSay(b *testing.B) {
	frame, _ := shared.Encode(shared.TypeSay, "c-0123456789abcdef", shared.Say{Text: sample.Text})
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		env, err := shared.Decode(frame)
		if err != nil {
			b.Fatal(err)
		}
		var s shared.Say
		if err := env.DecodePayload(&s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendBatch is the assembly of a batch of 32 messages into one
// frame, reusing the buffer as the server does.
func BenchmarkAppendBatch(b *testing.B) {
	frame, _ := shared.Encode(shared.TypeMessage, "", sample)
	frames := make([][]byte, 32)
	for i := range frames {
		frames[i] = frame
	}
	var buf []byte
	b.ReportAllocs()
	b.SetBytes(int64(32 * len(frame)))
	for b.Loop() {
		buf = shared.AppendBatch(buf[:0], frames)
	}
}

package shared_test

import (
	"errors"
	"testing"

	"livechat/shared"
)

// FuzzDecode feeds arbitrary frames to the decoder the server runs on every
// frame a client sends. It must never panic, must answer every bad frame
// with a protocol error, and what it accepts must survive a round trip.
func FuzzDecode(f *testing.F) {
	for _, g := range golden {
		frame, err := testdata.ReadFile("testdata/" + g.file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(frame)
	}
	for _, s := range []string{``, `{`, `null`, `[]`, `{"type":""}`, `{"type":"say","payload":null}`,
		`{"type":"join","payload":{"nickname":"\ud800"}}`, `{"type":"say","id":"x","payload":{"text":"\u0000"}}`,
		"{\"type\":\"join\",\"payload\":{\"nickname\":\"\xff\"}}", `{"type":"join","payload":{"nickname":1e999}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		env, err := shared.Decode(frame)
		if err != nil {
			var perr *shared.Error
			if !errors.As(err, &perr) || perr.Message == "" {
				t.Fatalf("Decode error %v is not a protocol error", err)
			}
			return
		}
		// Every payload type decodes without panicking, and what the
		// server validates stays valid after a round trip.
		for _, p := range []any{&shared.Hello{}, &shared.Join{}, &shared.Say{}, &shared.Message{}, &shared.Error{}, &shared.Welcome{}} {
			if err := env.DecodePayload(p); err != nil {
				var perr *shared.Error
				if !errors.As(err, &perr) || perr.Code != shared.CodeInvalidRequest {
					t.Fatalf("DecodePayload error %v", err)
				}
				continue
			}
			if j, ok := p.(*shared.Hello); ok {
				if nick, err := shared.CheckNickname(j.Nickname); err == nil {
					shared.NicknameKey(nick)
					if again, err := shared.CheckNickname(nick); err != nil || again != nick {
						t.Fatalf("CheckNickname not idempotent: %q -> %q, %v", nick, again, err)
					}
				}
			}
			if s, ok := p.(*shared.Say); ok {
				shared.CheckText(s.Text)
			}
		}
		out, err := shared.Encode(env.Type, env.ID, env.Payload)
		if err != nil {
			t.Fatalf("Encode after Decode: %v", err)
		}
		again, err := shared.Decode(out)
		if err != nil || again.Type != env.Type || again.ID != env.ID {
			t.Fatalf("round trip: %+v, %v; want %+v", again, err, env)
		}
	})
}

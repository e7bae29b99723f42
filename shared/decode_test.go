package shared_test

import (
	"errors"
	"testing"

	"livechat/shared"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		frame string
		code  shared.Code
	}{
		{``, shared.CodeInvalidJSON},
		{`{`, shared.CodeInvalidJSON},
		{`{"type":"say"} trailing`, shared.CodeInvalidJSON},
		{`"join"`, shared.CodeInvalidJSON},
		{`[]`, shared.CodeInvalidJSON},
		{`{"type":1}`, shared.CodeInvalidJSON},
		{`{"type":"say","id":7}`, shared.CodeInvalidJSON},
		{`null`, shared.CodeInvalidRequest},
		{`{}`, shared.CodeInvalidRequest},
		{`{"id":"x"}`, shared.CodeInvalidRequest},
	}
	for _, tt := range tests {
		_, err := shared.Decode([]byte(tt.frame))
		var perr *shared.Error
		if !errors.As(err, &perr) || perr.Code != tt.code || perr.Message == "" {
			t.Errorf("Decode(%q) = %v, want code %s", tt.frame, err, tt.code)
		}
	}
}

func TestDecodeIgnoresUnknownFields(t *testing.T) {
	env, err := shared.Decode([]byte(`{"type":"hello","v":2,"extra":{"a":[1]},"payload":{"nickname":"x","colour":"red"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var j shared.Hello
	if err := env.DecodePayload(&j); err != nil || j.Nickname != "x" {
		t.Fatalf("DecodePayload = %+v, %v", j, err)
	}
}

func TestDecodePayloadErrors(t *testing.T) {
	for _, frame := range []string{
		`{"type":"join","id":"r1","payload":"alice"}`,
		`{"type":"join","id":"r1","payload":{"room":["a"]}}`,
		`{"type":"join","id":"r1","payload":[]}`,
	} {
		env, err := shared.Decode([]byte(frame))
		if err != nil {
			t.Fatal(err)
		}
		err = env.DecodePayload(&shared.Join{})
		var perr *shared.Error
		if !errors.As(err, &perr) || perr.Code != shared.CodeInvalidRequest || perr.Ref != "r1" || perr.Request != shared.TypeJoin {
			t.Errorf("DecodePayload(%s) = %#v, want invalid_request answering join r1", frame, err)
		}
	}
	// A missing payload is an empty one.
	env, _ := shared.Decode([]byte(`{"type":"join"}`))
	if err := env.DecodePayload(&shared.Join{}); err != nil {
		t.Errorf("missing payload: %v", err)
	}
}

package shared

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// outEnvelope is how an Envelope is encoded: the payload is marshalled in
// the same pass as the envelope.
type outEnvelope struct {
	Type    Type   `json:"type"`
	ID      string `json:"id,omitempty"`
	Payload any    `json:"payload,omitempty"`
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Encode returns the frame of an envelope of type t. id is the request ID
// (empty for none); payload is the type's payload struct (nil for none).
// HTML characters are not escaped: frames are text, not markup. The
// returned slice is not retained by Encode and may be shared by any number
// of readers.
func Encode(t Type, id string, payload any) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(outEnvelope{Type: t, ID: id, Payload: payload}); err != nil {
		return nil, fmt.Errorf("encode %s envelope: %w", t, err)
	}
	frame := buf.Bytes()
	frame = frame[:len(frame)-1] // the Encoder's newline
	return bytes.Clone(frame), nil
}

// batchHead and batchTail surround the envelopes of a batch frame.
const (
	batchHead = `{"type":"batch","payload":[`
	batchTail = `]}`
)

// BatchOverhead is how many bytes a batch frame adds to its envelopes
// (besides one comma between two of them).
const BatchOverhead = len(batchHead) + len(batchTail)

// AppendBatch appends to dst a batch frame holding frames, each an encoded
// envelope, in order, and returns the extended slice.
func AppendBatch(dst []byte, frames [][]byte) []byte {
	dst = append(dst, batchHead...)
	for i, f := range frames {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, f...)
	}
	return append(dst, batchTail...)
}

// Unbatch returns the envelopes of a batch envelope, in order. It returns
// a *Error with CodeInvalidJSON if the payload is not an array of
// envelopes, or holds a batch.
func (e Envelope) Unbatch() ([]Envelope, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(e.Payload, &raw); err != nil {
		return nil, Errorf(CodeInvalidJSON, "the batch payload is not an array: %v", err)
	}
	out := make([]Envelope, 0, len(raw))
	for _, r := range raw {
		env, err := Decode(r)
		if err != nil {
			return nil, err
		}
		if env.Type == TypeBatch {
			return nil, Errorf(CodeInvalidJSON, "batches do not nest")
		}
		out = append(out, env)
	}
	return out, nil
}

// Decode parses a frame into an envelope without decoding its payload.
// It returns a *Error with CodeInvalidJSON for a frame that is not a JSON
// object and CodeInvalidRequest for an envelope without a type.
// Unknown fields are ignored.
func Decode(frame []byte) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(frame, &env); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			return Envelope{}, Errorf(CodeInvalidJSON, "the frame is not valid JSON: %v", syntax)
		case errors.As(err, &typ) && typ.Field == "":
			return Envelope{}, Errorf(CodeInvalidJSON, "the frame must be a JSON object, not a JSON %s", typ.Value)
		case errors.As(err, &typ):
			return Envelope{}, Errorf(CodeInvalidJSON, "the envelope field %q must not be a JSON %s", typ.Field, typ.Value)
		default:
			return Envelope{}, Errorf(CodeInvalidJSON, "the frame is not a JSON envelope: %v", err)
		}
	}
	if env.Type == "" {
		return env, &Error{Code: CodeInvalidRequest, Message: "the envelope has no type", Ref: env.ID}
	}
	return env, nil
}

// DecodePayload decodes the envelope's payload into v, a pointer to the
// type's payload struct. A missing payload decodes as an empty one. The
// returned error is a *Error with CodeInvalidRequest naming the envelope.
func (e Envelope) DecodePayload(v any) error {
	if len(e.Payload) == 0 || string(e.Payload) == "null" {
		return nil
	}
	if err := json.Unmarshal(e.Payload, v); err != nil {
		msg := "the payload is not a JSON object"
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field != "" {
			msg = fmt.Sprintf("the payload field %q must not be a JSON %s", typ.Field, typ.Value)
		}
		return &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("%s request: %s", e.Type, msg), Ref: e.ID, Request: e.Type}
	}
	return nil
}

package shared

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Code is a stable, machine-readable error code. Clients branch on codes;
// the accompanying message is for people and may change.
type Code string

// The error codes. PROTOCOL.md lists when each is sent.
const (
	CodeInvalidJSON      Code = "invalid_json"      // the frame is not a JSON envelope
	CodeUnknownType      Code = "unknown_type"      // the envelope type is not a request type
	CodeInvalidRequest   Code = "invalid_request"   // a field is missing or of the wrong kind
	CodeNicknameInvalid  Code = "nickname_invalid"  // see CheckNickname
	CodeNicknameTaken    Code = "nickname_taken"    // someone in the room already uses it
	CodeRoomInvalid      Code = "room_invalid"      // see CheckRoom
	CodeTextInvalid      Code = "text_invalid"      // empty, blank, or has control characters
	CodeTextTooLong      Code = "text_too_long"     // over MaxTextBytes
	CodeNotJoined        Code = "not_joined"        // a say before a successful join
	CodeAlreadyJoined    Code = "already_joined"    // a second join on one connection
	CodeInternal         Code = "internal"          // the server failed; the request may be retried
	CodeUnauthorized     Code = "unauthorized"      // the credential or password signs nobody in
	CodeForbidden        Code = "forbidden"         // signed in, but not allowed to do this
	CodeNotFound         Code = "not_found"         // no such room, person or device (or not visible to you)
	CodeProtocolOutdated Code = "protocol_outdated" // the client speaks an older protocol: reload it
	CodeRateLimited      Code = "rate_limited"      // too much too fast: try again after RetryAfter
)

// Error is a protocol error. It is the payload of an error envelope and a
// Go error: errors.Is matches two Errors with the same Code, so callers can
// write errors.Is(err, shared.ErrNicknameTaken).
type Error struct {
	Code Code `json:"code"`
	// Message explains the error to a person.
	Message string `json:"message"`
	// Ref is the ID of the request this error answers, if it had one.
	Ref string `json:"ref,omitempty"`
	// Request is the type of the request this error answers, if known.
	Request Type `json:"request,omitempty"`
	// RetryAfter, with rate_limited, is how many seconds to wait before
	// the same request can succeed (millisecond precision).
	RetryAfter float64 `json:"retry_after,omitempty"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Temporary reports whether the same request may succeed later as it is:
// the server failed (internal), or it came too fast (rate_limited, after
// RetryAfter).
func (e *Error) Temporary() bool {
	return e.Code == CodeInternal || e.Code == CodeRateLimited
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RetryLater returns a rate_limited *Error: the request may succeed after
// wait (at least a millisecond).
func RetryLater(wait time.Duration, format string, args ...any) *Error {
	e := Errorf(CodeRateLimited, format, args...)
	e.RetryAfter = max(math.Ceil(wait.Seconds()*1000)/1000, 0.001)
	return e
}

// Sentinels for errors.Is. Their messages are generic; errors returned by
// this package and by servers carry more specific ones.
var (
	ErrInvalidJSON     = &Error{Code: CodeInvalidJSON, Message: "not a JSON envelope"}
	ErrUnknownType     = &Error{Code: CodeUnknownType, Message: "unknown message type"}
	ErrInvalidRequest  = &Error{Code: CodeInvalidRequest, Message: "invalid request"}
	ErrNicknameInvalid = &Error{Code: CodeNicknameInvalid, Message: "invalid nickname"}
	ErrNicknameTaken   = &Error{Code: CodeNicknameTaken, Message: "nickname already taken"}
	ErrRoomInvalid     = &Error{Code: CodeRoomInvalid, Message: "invalid room name"}
	ErrTextInvalid     = &Error{Code: CodeTextInvalid, Message: "invalid text"}
	ErrTextTooLong     = &Error{Code: CodeTextTooLong, Message: "text too long"}
	ErrNotJoined       = &Error{Code: CodeNotJoined, Message: "join a room first"}
	ErrAlreadyJoined   = &Error{Code: CodeAlreadyJoined, Message: "already joined"}
	ErrInternal        = &Error{Code: CodeInternal, Message: "internal server error"}
)

// Frame-level failures. They are not answered with an error envelope: the
// receiving side closes the connection with the WebSocket status named.
var (
	// ErrBinaryFrame: a binary frame arrived; closed with 1003
	// (unsupported data).
	ErrBinaryFrame = errors.New("binary frames are not supported")
	// ErrInvalidUTF8: a text frame was not valid UTF-8; closed with 1007
	// (invalid frame payload data).
	ErrInvalidUTF8 = errors.New("frame is not valid UTF-8")
)

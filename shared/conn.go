package shared

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Conn reads and writes protocol envelopes on a WebSocket connection, in
// the browser and natively alike.
//
// Read and ReadFrame must not be called concurrently with each other (nor
// mixed: Read keeps the rest of a batch for the next Read);
// Write and WriteFrame may be called concurrently with everything.
// Closing the underlying connection (Close) unblocks all of them.
type Conn struct {
	ws *websocket.Conn
	// unread holds the rest of a batch that Read unpacked.
	unread []Envelope
}

// NewConn wraps ws, limiting incoming frames to readLimit bytes: use
// MaxFrameBytes on a server and MaxServerFrameBytes on a client. A larger
// frame fails the read and closes the connection with status 1009.
func NewConn(ws *websocket.Conn, readLimit int64) *Conn {
	ws.SetReadLimit(readLimit)
	return &Conn{ws: ws}
}

// Dial connects to a livechat server's WebSocket URL (ws:// or wss://) as
// a client.
func Dial(ctx context.Context, url string) (*Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	return NewConn(ws, MaxServerFrameBytes), nil
}

// WebSocket returns the underlying connection.
func (c *Conn) WebSocket() *websocket.Conn { return c.ws }

// ReadFrame reads the next frame. It returns ErrBinaryFrame for a binary
// frame and ErrInvalidUTF8 for a text frame that is not UTF-8, leaving the
// connection open so the caller can close it with the matching status;
// other errors come from the connection and are final.
func (c *Conn) ReadFrame(ctx context.Context) ([]byte, error) {
	typ, frame, err := c.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageText {
		return nil, ErrBinaryFrame
	}
	if !utf8.Valid(frame) {
		return nil, ErrInvalidUTF8
	}
	return frame, nil
}

// Read returns the next envelope: from the rest of a batch, or from the
// next frame, unpacking a batch so that callers never see one. Besides the
// errors of ReadFrame it returns the *Error of Decode, after which the
// connection can still be used.
func (c *Conn) Read(ctx context.Context) (Envelope, error) {
	if len(c.unread) > 0 {
		env := c.unread[0]
		c.unread = c.unread[1:]
		return env, nil
	}
	frame, err := c.ReadFrame(ctx)
	if err != nil {
		return Envelope{}, err
	}
	env, err := Decode(frame)
	if err != nil || env.Type != TypeBatch {
		return env, err
	}
	envs, err := env.Unbatch()
	if err != nil || len(envs) == 0 {
		return Envelope{}, err
	}
	c.unread = envs[1:]
	return envs[0], nil
}

// Write encodes and writes one envelope; see Encode.
func (c *Conn) Write(ctx context.Context, t Type, id string, payload any) error {
	frame, err := Encode(t, id, payload)
	if err != nil {
		return err
	}
	return c.WriteFrame(ctx, frame)
}

// WriteFrame writes one encoded envelope as a text frame.
func (c *Conn) WriteFrame(ctx context.Context, frame []byte) error {
	return c.ws.Write(ctx, websocket.MessageText, frame)
}

// Close closes the connection with a status and a reason of at most 123
// bytes, waiting briefly for the peer to acknowledge.
func (c *Conn) Close(code websocket.StatusCode, reason string) error {
	return c.ws.Close(code, reason)
}

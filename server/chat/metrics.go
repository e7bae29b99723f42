//go:build !js

package chat

import (
	"errors"
	"time"

	"github.com/coder/websocket"

	"livechat/shared"
)

// Metrics receives what the hub counts and times, for monitoring; package
// metrics has the server's, which exports them to Prometheus. The hub
// calls the methods on its hot paths, some under a room's lock: each must
// be cheap, never block, and be safe for concurrent use.
type Metrics interface {
	// Received counts a message a client sent that goes to the store.
	Received()
	// Stored reports the store's answer to a message, d after it was
	// handed over: its acknowledgement, or err if it was not stored.
	Stored(d time.Duration, err error)
	// Delivered reports messages queued at once to each of conns
	// connections of a room (or held for those catching up); latency is
	// the time since the oldest of them was sent (its At timestamp, as
	// set by the server that took it), or negative if none says.
	Delivered(messages, conns int, latency time.Duration)
	// Overflowed counts a connection disconnected because its send queue,
	// or the budget of all of them, could not take more.
	Overflowed()
	// Disconnected counts a connection that ended, with why.
	Disconnected(why DisconnectReason)
	// RateLimited counts a request refused by the limit called limit, one
	// of a small fixed set of names (never anything a client chose).
	RateLimited(limit string)
}

// noMetrics is the Metrics of a hub that has none.
type noMetrics struct{}

func (noMetrics) Received()                         {}
func (noMetrics) Stored(time.Duration, error)       {}
func (noMetrics) Delivered(int, int, time.Duration) {}
func (noMetrics) Overflowed()                       {}
func (noMetrics) Disconnected(DisconnectReason)     {}
func (noMetrics) RateLimited(string)                {}

// DisconnectReason says why a connection ended, in a word: one of the
// Disconnect constants, so that a count by reason stays small.
type DisconnectReason string

// Why connections end.
const (
	// DisconnectNormal: the peer closed the connection (status 1000).
	DisconnectNormal DisconnectReason = "normal"
	// DisconnectGoingAway: the peer went away (status 1001: a page
	// closed or left).
	DisconnectGoingAway DisconnectReason = "going_away"
	// DisconnectSlow: the peer read too slowly for its send queue.
	DisconnectSlow DisconnectReason = "slow"
	// DisconnectPingTimeout: the peer did not answer a ping in time.
	DisconnectPingTimeout DisconnectReason = "ping_timeout"
	// DisconnectWriteStuck: a write to the peer did not finish in time.
	DisconnectWriteStuck DisconnectReason = "write_stuck"
	// DisconnectProtocolError: the peer broke the WebSocket protocol or
	// livechat's framing (binary or invalid UTF-8 frames, and the like).
	DisconnectProtocolError DisconnectReason = "protocol_error"
	// DisconnectServerShutdown: this server is shutting down.
	DisconnectServerShutdown DisconnectReason = "server_shutdown"
	// DisconnectTryAgain: the server could not read messages the peer
	// must get and told it to reconnect and resume (status 1013).
	DisconnectTryAgain DisconnectReason = "try_again"
	// DisconnectSignedOut: the connection's device was signed out.
	DisconnectSignedOut DisconnectReason = "signed_out"
	// DisconnectError: anything else, such as a network error.
	DisconnectError DisconnectReason = "error"
)

// DisconnectReasons returns every DisconnectReason.
func DisconnectReasons() []DisconnectReason {
	return []DisconnectReason{
		DisconnectNormal, DisconnectGoingAway, DisconnectSlow, DisconnectPingTimeout, DisconnectWriteStuck,
		DisconnectProtocolError, DisconnectServerShutdown, DisconnectTryAgain, DisconnectSignedOut, DisconnectError,
	}
}

// stopReason returns why the server ends a connection with a close of
// code (see session.stop).
func stopReason(code websocket.StatusCode) DisconnectReason {
	switch code {
	case websocket.StatusPolicyViolation:
		return DisconnectSlow
	case websocket.StatusGoingAway:
		return DisconnectServerShutdown
	case shared.StatusTryAgain:
		return DisconnectTryAgain
	case shared.StatusSignedOut:
		return DisconnectSignedOut
	case websocket.StatusUnsupportedData, websocket.StatusInvalidFramePayloadData:
		return DisconnectProtocolError
	}
	return DisconnectError
}

// endReason returns why a connection whose reader ended with err ended,
// when the server did not end it itself: what the peer's close status,
// if any, says.
func endReason(err error) DisconnectReason {
	switch websocket.CloseStatus(err) {
	case websocket.StatusNormalClosure:
		return DisconnectNormal
	case websocket.StatusGoingAway:
		return DisconnectGoingAway
	case websocket.StatusProtocolError, websocket.StatusUnsupportedData, websocket.StatusInvalidFramePayloadData,
		websocket.StatusMessageTooBig:
		return DisconnectProtocolError
	}
	if errors.Is(err, shared.ErrBinaryFrame) || errors.Is(err, shared.ErrInvalidUTF8) {
		return DisconnectProtocolError
	}
	return DisconnectError
}

// Stats are figures of a hub at one moment.
type Stats struct {
	// Connections are the connections served; People, the distinct
	// people signed in on them; Rooms, the rooms open on this server.
	Connections, People, Rooms int
	// QueuedBytes wait to be written to all connections now;
	// QueuedPeakBytes is the most that ever waited at once.
	QueuedBytes, QueuedPeakBytes int64
}

// Stats returns the hub's figures now. It takes the hub's lock briefly.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	st := Stats{Connections: len(h.sessions), People: len(h.people), Rooms: len(h.rooms)}
	h.mu.Unlock()
	st.QueuedBytes, st.QueuedPeakBytes = h.QueuedBytes()
	return st
}

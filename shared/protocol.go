package shared

import (
	"encoding/json"
	"time"

	"github.com/coder/websocket"
)

// ProtocolVersion is the version of the wire protocol described in this
// package. The server announces it in [Welcome]; it changes only when an
// existing field or type changes meaning, not when one is added.
const ProtocolVersion = 1

// Type names the kind of an [Envelope].
type Type string

// Requests, sent by clients.
const (
	TypeJoin    Type = "join"    // payload: Join
	TypeSay     Type = "say"     // payload: Say; the envelope ID is the client message id
	TypeHistory Type = "history" // payload: HistoryRequest; answered by a history event
)

// Events and replies, sent by the server.
const (
	TypeWelcome  Type = "welcome"  // payload: Welcome
	TypePresence Type = "presence" // payload: Presence
	TypeJoined   Type = "joined"   // payload: PresenceChange
	TypeLeft     Type = "left"     // payload: PresenceChange
	TypeMessage  Type = "message"  // payload: Message
	TypeAck      Type = "ack"      // payload: Ack
	TypeError    Type = "error"    // payload: Error
	// TypeBatch carries several events in one frame, when the server has
	// more than one ready for a client: its payload is an array of
	// envelopes, to handle in order as if each had come in its own frame.
	// Batches do not nest. Conn.Read unpacks them.
	TypeBatch Type = "batch"
	// TypeHistory (above) is also the event answering a join or a history
	// request; payload: History.
)

// StatusReplaced is the WebSocket close status of a connection replaced by
// a newer one of the same session (see Join.Session). A client that
// receives it should not reconnect: it has been superseded.
const StatusReplaced websocket.StatusCode = 4001

// Envelope is one protocol message: exactly one WebSocket text frame holds
// exactly one JSON-encoded Envelope.
type Envelope struct {
	// Type says how to read Payload.
	Type Type `json:"type"`
	// ID is chosen by the client to name a request. The server echoes it
	// in the Ref of an Error that answers the request. For a say request it
	// is required and is the client message id: it comes back as the
	// ClientID of the resulting Message.
	ID string `json:"id,omitempty"`
	// Payload holds the type's payload, or nothing for types without one.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Join asks to enter a room under a nickname.
type Join struct {
	// Nickname is what others will see; see [CheckNickname].
	Nickname string `json:"nickname"`
	// Room is the room to enter; empty means [DefaultRoom].
	Room string `json:"room,omitempty"`
	// Since asks to resume: the id of the last message this client has of
	// the room (Welcome.Last, if it got none; 0 for a room that had none).
	// The join is answered with every message after it (or with Truncated
	// set, if some were already removed), then live ones. Without it the
	// join is answered with recent messages.
	Since *uint64 `json:"since,omitempty"`
	// History is how many recent messages to receive on a join without
	// Since: omitted means DefaultHistory, 0 none, at most MaxHistory.
	History *int `json:"history,omitempty"`
	// Session is the Session of an earlier Welcome for this nickname and
	// room, sent when reconnecting. If a connection of that session still
	// holds the nickname (the server has not yet noticed it is gone), this
	// connection replaces it: the old one is closed with StatusReplaced and
	// nobody sees a left or joined event.
	Session string `json:"session,omitempty"`
}

// Say sends text to everyone in the room the client has joined.
type Say struct {
	// Text is the message; see [CheckText].
	Text string `json:"text"`
}

// HistoryRequest asks for older messages of the joined room.
type HistoryRequest struct {
	// Before is an id: the answer holds the messages just before it.
	Before uint64 `json:"before"`
	// Limit is how many messages at most; 0 means DefaultHistory, and at
	// most MaxHistory.
	Limit int `json:"limit,omitempty"`
}

// History is a run of a room's messages, oldest first, with no gap. A join
// is answered, after Welcome and Presence, by one or more History events
// (the last has Live set) and only then by live events; a HistoryRequest is
// answered by one with Before set.
type History struct {
	Room     string    `json:"room"`
	Messages []Message `json:"messages"`
	// Before repeats the HistoryRequest this answers.
	Before uint64 `json:"before,omitempty"`
	// More reports that the room keeps older messages than these.
	More bool `json:"more"`
	// Truncated reports that messages after the join's Since were removed
	// by retention before this client could get them.
	Truncated bool `json:"truncated,omitempty"`
	// Reset reports that the room's ids started over (its history was
	// deleted): the client must forget the messages it has.
	Reset bool `json:"reset,omitempty"`
	// Live marks the last History of a join: what follows is live.
	Live bool `json:"live,omitempty"`
}

// Ack tells the sender of a say that its message is stored, with the id
// it got. A resent message that was already stored is acknowledged again
// with the first copy's id and Duplicate set, and is not delivered twice.
type Ack struct {
	ClientID  string `json:"client_id"`
	ID        uint64 `json:"id"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

// Welcome answers a successful join. It is the first event a client
// receives in a room, followed by a Presence snapshot.
type Welcome struct {
	// Nickname is the nickname as the server accepted it (trimmed).
	Nickname string `json:"nickname"`
	// Room is the room joined.
	Room string `json:"room"`
	// Server names the server software and its version.
	Server string `json:"server"`
	// Protocol is the server's ProtocolVersion.
	Protocol int `json:"protocol"`
	// Limits are the limits the server enforces.
	Limits Limits `json:"limits"`
	// Session is a secret that lets a reconnecting client take its
	// nickname back; see Join.Session. Keep it private.
	Session string `json:"session"`
	// Last is the id of the room's newest message when the join was
	// taken (0 if it has none): the history that follows ends there, and a
	// client that receives no message still resumes from it.
	Last uint64 `json:"last"`
}

// Limits are the sizes a server enforces. They equal this package's
// constants for a server built from it.
type Limits struct {
	NicknameMaxChars int `json:"nickname_max_chars"`
	TextMaxBytes     int `json:"text_max_bytes"`
	FrameMaxBytes    int `json:"frame_max_bytes"`
	HistoryMax       int `json:"history_max"`
}

// DefaultLimits are the limits this package defines.
var DefaultLimits = Limits{
	NicknameMaxChars: MaxNicknameChars,
	TextMaxBytes:     MaxTextBytes,
	FrameMaxBytes:    MaxFrameBytes,
	HistoryMax:       MaxHistory,
}

// Presence is a snapshot of who is in a room, sent after Welcome. Later
// changes arrive as joined and left events.
type Presence struct {
	Room string `json:"room"`
	// Users are the nicknames in the room, the receiver included, sorted
	// by their nickname key.
	Users []string `json:"users"`
}

// PresenceChange is the payload of joined and left: one person entered or
// left the room. Apply it to the last Presence snapshot.
type PresenceChange struct {
	Room     string    `json:"room"`
	Nickname string    `json:"nickname"`
	At       time.Time `json:"at"`
	// Online is how many people are in the room after the change.
	Online int `json:"online"`
}

// Message is a chat message as delivered to everyone in the room, its
// sender included. Only stored messages are delivered.
type Message struct {
	// ID is assigned by the server when it stores the message; it
	// increases within a room.
	ID   uint64 `json:"id"`
	Room string `json:"room"`
	// From is the sender's nickname, set by the server.
	From string `json:"from"`
	Text string `json:"text"`
	// At is the server time the message was accepted (UTC, millisecond
	// precision).
	At time.Time `json:"at"`
	// ClientID is the envelope ID of the say request that produced the
	// message. Its sender uses it to match the message with what it sent;
	// others may ignore it.
	ClientID string `json:"client_id,omitempty"`
}

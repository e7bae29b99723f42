package shared

import (
	"encoding/json"
	"time"

	"github.com/coder/websocket"
)

// ProtocolVersion is the version of the wire protocol described in this
// package. A client names it in [Hello] and the server answers in
// [Welcome]; it changes only when an existing field or type changes
// meaning, not when one is added.
const ProtocolVersion = 4

// Type names the kind of an [Envelope].
type Type string

// Requests, sent by clients.
const (
	// TypeHello opens a connection: it names the protocol and says who
	// the client is (payload: Hello). It comes first; the server answers
	// with a welcome, and anything else before a welcome is refused.
	TypeHello   Type = "hello"
	TypeJoin    Type = "join"    // payload: Join; answered by joined, presence and history
	TypeLeave   Type = "leave"   // payload: Leave; answered by left
	TypeSay     Type = "say"     // payload: Say; the envelope ID is the client message id
	TypeHistory Type = "history" // payload: HistoryRequest; answered by a history event
	TypeRooms   Type = "rooms"   // no payload; answered by a rooms event
	// TypeCreateRoom creates a room; payload: CreateRoom; answered by a
	// room event.
	TypeCreateRoom Type = "create_room"
	// TypeOpenDM opens the direct conversation with some people, creating
	// it the first time; payload: OpenDM; answered by a room event.
	TypeOpenDM  Type = "open_dm"
	TypeInvite  Type = "invite"  // payload: InviteRequest; answered by an invite event
	TypeAdd     Type = "add"     // payload: Add; answered by a room event
	TypeTopic   Type = "topic"   // payload: Topic; answered by a room event to the room
	TypeMembers Type = "members" // payload: MembersRequest; answered by a members event
	// TypeRead moves the reader's read position in a room; payload: Read.
	// Every connection of the person gets the read event.
	TypeRead Type = "read"
	// TypeAccount asks for the sender's account: devices, password; no
	// payload; answered by an account event. TypePassword, TypeRevoke
	// and TypeRename change it and are answered the same way.
	TypeAccount  Type = "account"
	TypePassword Type = "password" // payload: Password
	TypeRevoke   Type = "revoke"   // payload: Revoke
	TypeRename   Type = "rename"   // payload: Rename
	// TypePasskey starts a WebAuthn ceremony: before hello, to sign in
	// with a passkey; after it, to add one. Payload: PasskeyRequest;
	// answered by a passkey event.
	TypePasskey Type = "passkey"
	// TypeAddPasskey finishes adding a passkey; payload: AddPasskey;
	// answered by an account event.
	TypeAddPasskey Type = "add_passkey"
	// TypeSettings reads the server's settings, or, from its admin,
	// changes them; payload: SettingsRequest; answered by a settings
	// event.
	TypeSettings Type = "settings"
	// TypePing asks the server to answer at once with a pong carrying the
	// same envelope ID. Clients use it to notice a connection that
	// delivers nothing (browsers cannot send WebSocket pings); no payload.
	TypePing Type = "ping"
)

// Events and replies, sent by the server.
const (
	TypeWelcome Type = "welcome" // payload: Welcome
	TypeJoined  Type = "joined"  // payload: Joined
	TypeLeft    Type = "left"    // payload: Left
	// TypeRoomsList answers a rooms request; payload: Rooms. (Its type
	// is "rooms", like the request.)
	TypeRoomsList Type = "rooms"
	// TypeRoom describes a room: answering create_room, open_dm, add and
	// topic, and telling a person of a room they were added to or whose
	// topic, lock or slow mode changed; payload: RoomInfo.
	TypeRoom Type = "room"
	// TypeInviteCode answers an invite request; payload: Invite.
	TypeInviteCode Type = "invite"
	// TypeMembersList answers a members request; payload: Members.
	TypeMembersList Type = "members"
	// TypeReadPosition is a person's new read position in a room, sent
	// to all of their connections; payload: Read.
	TypeReadPosition Type = "read"
	// TypeAccountInfo describes the receiver's account, answering account,
	// password, revoke and rename; payload: Account.
	TypeAccountInfo Type = "account"
	// TypePasskeyOptions answers a passkey request; payload:
	// PasskeyOptions.
	TypePasskeyOptions Type = "passkey"
	// TypeSettingsInfo answers a settings request; payload: Settings.
	TypeSettingsInfo   Type = "settings"
	TypePresence       Type = "presence"        // payload: Presence
	TypePresenceUpdate Type = "presence_update" // payload: PresenceUpdate
	TypeMessage        Type = "message"         // payload: Message
	TypeAck            Type = "ack"             // payload: Ack
	TypeError          Type = "error"           // payload: Error
	// TypePong answers a ping; its envelope ID is the ping's. No payload.
	TypePong Type = "pong"
	// TypeClosing says why the server is about to close the connection;
	// payload: Closing. Browsers do not show a client the close status, so
	// the server says it in the protocol first.
	TypeClosing Type = "closing"
	// TypeBatch carries several events in one frame, when the server has
	// more than one ready for a client: its payload is an array of
	// envelopes, to handle in order as if each had come in its own frame.
	// Batches do not nest. Conn.Read unpacks them.
	TypeBatch Type = "batch"
	// TypeHistory (above) is also the event answering a join or a history
	// request; payload: History.
)

// Requests and Events list every type of envelope a client and a server
// send, in the order PROTOCOL.md describes them. (TypeHistory is both.)
var (
	Requests = []Type{TypeHello, TypeJoin, TypeLeave, TypeSay, TypeHistory, TypeRooms, TypeCreateRoom,
		TypeOpenDM, TypeInvite, TypeAdd, TypeTopic, TypeMembers, TypeRead, TypeAccount, TypePassword,
		TypeRevoke, TypeRename, TypePasskey, TypeAddPasskey, TypeSettings, TypePing,
		TypeDelete, TypeMute, TypeKick, TypeBan, TypeBanAddress, TypeLock, TypeSlowMode, TypeReport,
		TypeReports, TypeResolveReport, TypeAudit, TypeTyping, TypeEdit, TypeReact}
	Events = []Type{TypeWelcome, TypeJoined, TypeLeft, TypePresence, TypePresenceUpdate, TypeHistory,
		TypeMessage, TypeAck, TypeRoomsList, TypeRoom, TypeInviteCode, TypeMembersList, TypeReadPosition,
		TypeAccountInfo, TypePasskeyOptions, TypeSettingsInfo, TypeModerated, TypeReportsList, TypeAuditLog,
		TypeTyping, TypeSeen, TypeError, TypePong, TypeClosing, TypeBatch}
)

// StatusSignedOut is the close status of a connection whose device was
// signed out (revoked, on this or another device): the client should
// forget its credential and not reconnect with it.
const StatusSignedOut websocket.StatusCode = 4003

// StatusTryAgain is the close status (1013, "try again later") of a
// connection the server could not keep exactly in step with its rooms, for
// example because the message store could not be read: the client should
// reconnect and resume from the last message it has of each room, which
// gets it exactly what it missed.
const StatusTryAgain websocket.StatusCode = 1013

// Envelope is one protocol message: exactly one WebSocket text frame holds
// exactly one JSON-encoded Envelope.
type Envelope struct {
	// Type says how to read Payload.
	Type Type `json:"type"`
	// ID is chosen by the client to name a request. The server echoes it
	// in the Ref of an Error that answers the request, and as the ID of a
	// history, joined or left event answering it. For a say request it is
	// required and is the client message id: it comes back as the
	// ClientID of the resulting Message.
	ID string `json:"id,omitempty"`
	// Payload holds the type's payload, or nothing for types without one.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Hello opens a connection and signs in, in one of four ways: with the
// Credential of an earlier welcome (a returning device); with a Nickname
// and Password (another device of a person who set a password); with a
// Passkey (any device holding one the person added); or with a Nickname
// alone, which creates an account holding that nickname (a first visit). The server answers with a welcome, or with an error
// (protocol_outdated, unauthorized, nickname_taken, nickname_invalid)
// after which the connection stays open for another hello.
type Hello struct {
	// Protocol is the ProtocolVersion the client speaks. Required.
	Protocol int `json:"protocol"`
	// Credential is the credential of an earlier welcome. Keep it secret.
	Credential string `json:"credential,omitempty"`
	// Nickname is the nickname to create an account with or, with
	// Password, to sign in as; see [CheckNickname].
	Nickname string `json:"nickname,omitempty"`
	// Password signs in as Nickname.
	Password string `json:"password,omitempty"`
	// Passkey signs in with a passkey: the browser's answer to the
	// options of the passkey event (purpose sign_in) of this connection,
	// the JSON of PublicKeyCredential.toJSON().
	Passkey json.RawMessage `json:"passkey,omitempty"`
	// Device names this device for its owner's list of devices, such as
	// "Chromium on Linux"; at most 64 characters are kept.
	Device string `json:"device,omitempty"`
	// Invite is the code of a signup invite, needed to create an account
	// on an invite-only server.
	Invite string `json:"invite,omitempty"`
}

// Welcome answers a successful hello.
type Welcome struct {
	// Server names the server software and its version.
	Server string `json:"server"`
	// Protocol is the server's ProtocolVersion.
	Protocol int `json:"protocol"`
	// Limits are the limits the server enforces.
	Limits Limits `json:"limits"`
	// You is the person signed in.
	You Person `json:"you"`
	// Admin reports that the person administers the server.
	Admin bool `json:"admin,omitempty"`
	// Credential is set when the hello created a new device (a new
	// account, or a password sign-in): send it in the Hello of every later
	// connection. Keep it secret.
	Credential string `json:"credential,omitempty"`
}

// Person is someone with an account. ID never changes; Nickname does when
// they rename themselves.
type Person struct {
	ID       string `json:"id"`
	Nickname string `json:"nickname"`
}

// Join asks to enter a room, after the welcome: to receive its events on
// this connection, becoming a member if not one yet. A connection may be
// in many rooms at once; every event about a room names it. A public room
// anyone may join (naming a new one creates it); a private room or a
// direct conversation only its members, or, for a private room, whoever
// has an invite: anyone else gets not_found, as for a room that does not
// exist.
type Join struct {
	// Room is the room to enter; see [CheckRoom]. With Invite it may be
	// omitted.
	Room string `json:"room"`
	// Invite is the code of an invite (see Invite): it makes the person a
	// member of its room.
	Invite string `json:"invite,omitempty"`
	// Since asks to resume: the id of the last message this client has of
	// the room (Joined.Last, if it got none; 0 for a room that had none).
	// The join is answered with every message after it (or with Truncated
	// set, if some were already removed), then live ones. Without it the
	// join is answered with recent messages.
	Since *uint64 `json:"since,omitempty"`
	// History is how many recent messages to receive on a join without
	// Since: omitted means DefaultHistory, 0 none, at most MaxHistory;
	// other values are refused (see HistoryLimit).
	History *int `json:"history,omitempty"`
}

// Joined answers a successful join. It is the first event a client
// receives about the room, followed by a Presence snapshot and the
// history.
type Joined struct {
	Room string `json:"room"`
	// Last is the id of the room's newest message when the join was
	// taken (0 if it has none): the history that follows ends there, and a
	// client that receives no message still resumes from it.
	Last uint64 `json:"last"`
}

// Leave asks to leave a room: the person is no longer a member (back into
// a private room only by invite), and none of their connections receive
// its events any more.
type Leave struct {
	Room string `json:"room"`
}

// Left answers a leave, and tells the person's other connections: no
// more events of the room follow.
type Left struct {
	Room string `json:"room"`
}

// Room kinds.
const (
	KindPublic  = "public"
	KindPrivate = "private"
	KindDirect  = "dm"
)

// RoomInfo describes a room to someone who may see it.
type RoomInfo struct {
	// ID names the room in requests: the name of a public room, a
	// generated id otherwise.
	ID string `json:"id"`
	// Name is the room's name (empty for a direct conversation: name it
	// after its People).
	Name string `json:"name,omitempty"`
	// Kind is KindPublic, KindPrivate or KindDirect.
	Kind  string `json:"kind"`
	Topic string `json:"topic,omitempty"`
	// People are the people of a direct conversation.
	People []Person `json:"people,omitempty"`
	// Member reports that the receiver is a member.
	Member bool `json:"member"`
	// Last is the id of the room's newest message; Read, the receiver's
	// read position (the last message they read, on any device); Unread,
	// the messages after it; Mentions, those of them that mention the
	// receiver. Set in a rooms event, for the receiver's rooms.
	Last     uint64 `json:"last,omitempty"`
	Read     uint64 `json:"read,omitempty"`
	Unread   int    `json:"unread,omitempty"`
	Mentions int    `json:"mentions,omitempty"`
	// Owner is the account id of the room's owner, who moderates it with
	// the admins (absent for a direct conversation, which has none).
	Owner string `json:"owner,omitempty"`
	// Locked reports that only the room's moderators may write in it.
	Locked bool `json:"locked,omitempty"`
	// SlowMode is how many seconds each person waits between two
	// messages in the room (moderators do not); 0: as often as they like.
	SlowMode int `json:"slow_mode,omitempty"`
}

// Rooms answers a rooms request.
type Rooms struct {
	// Mine are the receiver's rooms, with their unread counts.
	Mine []RoomInfo `json:"mine"`
	// Directory are the public rooms.
	Directory []RoomInfo `json:"directory"`
}

// CreateRoom creates a room whose first member is its creator: a public
// one (Name is its id, see CheckRoom; if it exists, it is returned) or a
// private one (Name is 1 to 64 characters; the server makes its id).
type CreateRoom struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Topic string `json:"topic,omitempty"`
}

// OpenDM names the people (by nickname, 1 to 8 besides the sender) of a
// direct conversation.
type OpenDM struct {
	People []string `json:"people"`
}

// InviteRequest asks for an invite to a private room the sender is a
// member of or, without a room, from the admin, an invite to sign up on an
// invite-only server.
type InviteRequest struct {
	Room string `json:"room,omitempty"`
	// MaxUses is how many people may use it: omitted means 1, at most
	// 1000.
	MaxUses int `json:"max_uses,omitempty"`
	// ExpiresIn is how long it lasts, in seconds: omitted means 7 days;
	// 60 to 30 days.
	ExpiresIn int `json:"expires_in,omitempty"`
}

// Invite is an invite: a join with its Code makes the joiner a member of
// Room; without a Room, a hello with its Code may create an account.
type Invite struct {
	Code    string    `json:"code"`
	Room    string    `json:"room,omitempty"`
	Expires time.Time `json:"expires"`
	MaxUses int       `json:"max_uses"`
}

// Add makes a person (by nickname) a member of a room the sender is a
// member of.
type Add struct {
	Room     string `json:"room"`
	Nickname string `json:"nickname"`
}

// Topic sets a room's topic (empty: none), at most 250 characters on one
// line.
type Topic struct {
	Room  string `json:"room"`
	Topic string `json:"topic"`
}

// MembersRequest asks for the members of a room the sender may see, 500
// at a time, in the order of their ids.
type MembersRequest struct {
	Room string `json:"room"`
	// After is the id of the last member of the previous page, if any.
	After string `json:"after,omitempty"`
}

// Members lists a room's members.
type Members struct {
	Room   string   `json:"room"`
	People []Member `json:"people"`
	// More reports that more members follow: ask again with After.
	More bool `json:"more,omitempty"`
}

// Member is a member of a room.
type Member struct {
	ID       string `json:"id"`
	Nickname string `json:"nickname"`
	// Online reports that they are in the room now.
	Online bool `json:"online"`
}

// Account describes the receiver's account.
type Account struct {
	You   Person `json:"you"`
	Admin bool   `json:"admin,omitempty"`
	// Password reports that a password is set: the person can sign in
	// on another device with it.
	Password bool     `json:"password"`
	Devices  []Device `json:"devices"`
	// Passkeys are the passkeys that sign the person in.
	Passkeys []Passkey `json:"passkeys"`
}

// Passkey is a passkey of the receiver's account.
type Passkey struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// The purposes of a PasskeyRequest.
const (
	PasskeySignIn = "sign_in" // before hello: sign in with a passkey
	PasskeyAdd    = "add"     // after it: add a passkey to the account
)

// PasskeyRequest starts a WebAuthn ceremony on the connection (replacing
// one in progress): Purpose is PasskeySignIn or PasskeyAdd.
type PasskeyRequest struct {
	Purpose string `json:"purpose"`
}

// PasskeyOptions are what the browser needs for the ceremony: Options is
// the JSON form of PublicKeyCredentialRequestOptions (sign_in), for
// PublicKeyCredential.parseRequestOptionsFromJSON, or of
// PublicKeyCredentialCreationOptions (add), for
// parseCreationOptionsFromJSON. Its challenge may be answered once,
// within five minutes, on this connection.
type PasskeyOptions struct {
	Purpose string          `json:"purpose"`
	Options json.RawMessage `json:"options"`
}

// AddPasskey finishes adding a passkey: Credential is the browser's
// answer to the options of the passkey event (purpose add), the JSON of
// PublicKeyCredential.toJSON(); Name describes it in the account's list.
type AddPasskey struct {
	Credential json.RawMessage `json:"credential"`
	Name       string          `json:"name,omitempty"`
}

// Device is a device signed in to an account.
type Device struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	// Current marks the device the receiver is using.
	Current bool `json:"current,omitempty"`
}

// Password sets the sender's password (at least 10 characters).
type Password struct {
	Password string `json:"password"`
}

// Revoke signs one of the sender's devices out, the current one too (that
// is signing out): its connections close with StatusSignedOut.
type Revoke struct {
	Device string `json:"device,omitempty"`
	// Passkey, instead of Device, removes a passkey: it signs nobody in
	// any more (the devices it signed in stay signed in).
	Passkey string `json:"passkey,omitempty"`
}

// Rename changes the sender's nickname (the same rules as in Hello).
// Their messages keep pointing at them; history shows the new name. The
// old one stays reserved for them for a while.
type Rename struct {
	Nickname string `json:"nickname"`
}

// SettingsRequest reads the server's settings, or changes those it sets
// (the admin only).
type SettingsRequest struct {
	InviteOnly *bool `json:"invite_only,omitempty"`
}

// Settings are the server's settings.
type Settings struct {
	// InviteOnly: people sign up only with an invite (see InviteRequest).
	InviteOnly bool `json:"invite_only"`
}

// Read is a read position: the id of the last message of Room that the
// person has read.
type Read struct {
	Room string `json:"room"`
	ID   uint64 `json:"id"`
}

// Say sends text to everyone in a room the connection has joined.
type Say struct {
	Room string `json:"room"`
	// Text is the message; see [CheckText].
	Text string `json:"text"`
	// ReplyTo is the id of the message of Room this one answers, if any.
	ReplyTo uint64 `json:"reply_to,omitempty"`
}

// HistoryRequest asks for older messages of a joined room.
type HistoryRequest struct {
	Room string `json:"room"`
	// Before is an id: the answer holds the messages just before it.
	Before uint64 `json:"before"`
	// Limit is how many messages at most: omitted means DefaultHistory,
	// 0 none, at most MaxHistory; other values are refused (see
	// HistoryLimit).
	Limit *int `json:"limit,omitempty"`
}

// History is a run of a room's messages, oldest first, with no gap. A join
// is answered, after Joined and Presence, by one or more History events
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

// Presence is a snapshot of who is in a room, sent after Joined. Later
// changes arrive as presence_update events.
type Presence struct {
	Room string `json:"room"`
	// Users are the nicknames of the people in the room (with at least
	// one connection in it), the receiver included, sorted by their
	// nickname key; absent when Counted.
	Users []string `json:"users,omitempty"`
	// Online is how many people are in the room.
	Online int `json:"online"`
	// Counted reports a room too big to name everyone in it (more than
	// MaxPresenceNames people): Users is absent, and updates carry the
	// count only. The members request lists them, a page at a time.
	Counted bool `json:"counted,omitempty"`
}

// MaxPresenceNames is how many people a room may have and still be sent
// their names in presence events; past it, only their number.
const MaxPresenceNames = 100

// PresenceUpdate tells who entered and who left a room since the last
// update. The server gathers the changes of a short while (a fraction of a
// second) into one update, so that a crowd arriving or leaving at once
// costs each member one event, and a person who comes and goes within it
// appears only in their final state. Each nickname is in at most one of
// the lists, which give that person's state after the update: apply it to
// the Presence snapshot by adding Joined and removing Left, ignoring names
// already in that state (an update may repeat a change the snapshot
// already had).
type PresenceUpdate struct {
	Room   string   `json:"room"`
	Joined []string `json:"joined,omitempty"`
	Left   []string `json:"left,omitempty"`
	// Online is how many people are in the room after the update.
	Online int `json:"online"`
	// Counted reports that the room is too big to name who came and
	// went: Joined and Left are absent, and a list of names kept so far
	// is no longer complete (see Presence.Counted).
	Counted bool      `json:"counted,omitempty"`
	At      time.Time `json:"at"`
}

// Closing tells a client why the server closes its connection, just
// before the WebSocket close with the same status.
type Closing struct {
	// Status is the WebSocket close status that follows: StatusTryAgain
	// or 1001 (reconnect and resume), 1008 (too slow to keep up; reconnect
	// and resume), StatusSignedOut (forget the credential), StatusBanned
	// (banned from the server: do not reconnect).
	Status int `json:"status"`
	// Reason explains it to people.
	Reason string `json:"reason"`
}

// Message is a chat message as delivered to everyone in the room, its
// sender included, or, with a Kind, an event about an earlier message
// (see MessageDelete). Only stored messages are delivered.
type Message struct {
	// ID is assigned by the server when it stores the message; it
	// increases within a room.
	ID   uint64 `json:"id"`
	Room string `json:"room"`
	// Author is the sender's account id, set by the server.
	Author string `json:"author,omitempty"`
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
	// Kind is empty for a message said; otherwise the message is an event
	// about the earlier message Of (MessageDelete, MessageEdit,
	// MessageReact, MessageReply), never shown as a message of its own:
	// clients fold it onto Of (see Fold). Clients skip kinds they do not
	// know.
	Kind string `json:"kind,omitempty"`
	Of   uint64 `json:"of,omitempty"`
	// ReplyTo is the id of the message this one answers; Quote, what it
	// showed of it when the reply was sent.
	ReplyTo uint64 `json:"reply_to,omitempty"`
	Quote   *Quote `json:"quote,omitempty"`

	// The message's state after the events about it. History, paging
	// and resume deliver messages with the events stored so far folded
	// on; an event carries the state of Of after it.

	// Edited is when the text was last edited (zero: never).
	Edited time.Time `json:"edited,omitzero"`
	// Deleted marks a deleted message: its text is gone.
	Deleted   bool       `json:"deleted,omitempty"`
	Reactions []Reaction `json:"reactions,omitempty"`
	// Replies is how many messages answer this one.
	Replies int `json:"replies,omitempty"`
	// Rev is the id of the newest event folded onto the message (0:
	// none): Fold skips events up to it, which it already has.
	Rev uint64 `json:"rev,omitempty"`
}

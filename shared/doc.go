// Package shared is livechat's wire protocol: the message types, their
// validation and framing, and a typed connection helper. The browser app
// and the server both use it, so the compiler checks the protocol on both
// ends of the socket. It builds natively and for GOOS=js and imports only
// the standard library, github.com/coder/websocket and golang.org/x/text.
//
// # The protocol
//
// A client opens a WebSocket to /ws on the server (same origin as the page,
// unless the server allows more). Every WebSocket message is one text frame
// holding one JSON object, the envelope:
//
//	{"type": "say", "id": "c-17", "payload": {"text": "hello"}}
//
// type names the message; id is an optional request id chosen by the client
// (required for say, where it is the client message id); payload is an
// object whose fields depend on type. Unknown fields are ignored, so both
// sides can add fields without breaking the other.
//
// A client sends:
//
//	hello    {"protocol", "credential", "nickname", "password", "passkey", "device", "invite"}  sign in; first, once
//	join     {"room", "invite", "since", "history"}            enter a room (all optional)
//	leave    {"room"}                                          leave a room
//	rooms    (no payload)                                      your rooms and the public ones
//	create_room {"name", "kind", "topic"}                      make a public or private room
//	open_dm  {"people"}                                        open a direct conversation
//	invite   {"room", "max_uses", "expires_in"}                invite to a private room
//	add      {"room", "nickname"}                              add someone to a room
//	topic    {"room", "topic"}                                 set a room's topic
//	members  {"room", "after"}                                 list a room's members
//	read     {"room", "id"}                                    move your read position
//	account  (no payload)                                      your account and devices
//	password {"password"}                                      set your password
//	revoke   {"device", "passkey"}                             sign a device out, or remove a passkey
//	passkey  {"purpose"}                                       start signing in with, or adding, a passkey
//	add_passkey {"credential", "name"}                         add a passkey
//	rename   {"nickname"}                                      change your nickname
//	settings {"invite_only"}                                   the server's settings (the admin changes them)
//	say      {"room", "text", "reply_to"}                      post to a room, perhaps in reply; id required
//	edit     {"room", "id", "text"}                            edit your message; id required
//	react    {"room", "id", "emoji", "remove"}                 add or take away your reaction; id required
//	typing   {"room", "people"}                                you are typing (people left out); at most every 3 s
//	history  {"room", "before", "limit"}                       ask for older messages
//	ping     (no payload)                                      ask for a pong, to check the connection
//	delete   {"room", "id", "reason"}                          delete a message (yours, or as a moderator)
//	mute     {"room", "account", "nickname", "seconds", "reason"}  keep someone from writing in a room
//	kick     {"room", "account", "nickname", "reason"}         take someone out of a room
//	ban      {"room", "account", "nickname", "seconds", "reason"}  ban someone from a room, or the server
//	ban_address {"address", "seconds", "reason"}               refuse sign-ups from an address (admins)
//	lock     {"room", "locked"}                                only moderators write in a room
//	slow_mode {"room", "seconds"}                              one message per seconds per person
//	report   {"room", "id", "reason"}                          report a message to the admins
//	reports  (no payload)                                      the open reports (admins)
//	resolve_report {"id", "action"}                            dismiss a report, or delete its message
//	audit    {"room", "before", "limit"}                       the audit log (admins; owners, their room)
//
// The server sends:
//
//	welcome          {"server", "protocol", "limits", "you", "admin", "credential"}  hello accepted
//	joined           {"room", "last"}                                join accepted
//	left             {"room"}                                        leave done
//	presence         {"room", "users", "online", "counted"}          who is in the room, after joined
//	presence_update  {"room", "joined", "left", "online", "counted", "at"}  who came and went lately
//	history          {"room", "messages", "before", "more", "truncated", "reset", "live"}  stored messages
//	message          {"id", "room", "author", "from", "text", "at", "client_id", "kind", "of", "reply_to", "quote", "edited", "deleted", "reactions", "replies", "rev"}  a stored message, or an event about one
//	ack              {"client_id", "id", "duplicate"}                your say, edit or react is stored
//	rooms            {"mine", "directory"}                           answer to rooms
//	room             {"id", "name", "kind", "topic", "people", "member", "last", "read", "unread", "mentions", "owner", "locked", "slow_mode"}  a room
//	invite           {"code", "room", "expires", "max_uses"}         answer to invite
//	members          {"room", "people", "more"}                      answer to members
//	read             {"room", "id"}                                  your read position moved
//	typing           {"room", "people"}                              people in the room are typing
//	seen             {"room", "readers"}                             read positions of the room's people
//	account          {"you", "admin", "password", "devices", "passkeys"}  your account
//	passkey          {"purpose", "options"}                          a passkey ceremony's challenge
//	settings         {"invite_only"}                                 the server's settings
//	moderated        {"id", "at", "actor", "action", "room", "target", "message", "address", "seconds", "reason"}  an action, recorded
//	reports          {"reports"}                                     the open reports
//	audit            {"room", "entries", "more"}                     a page of the audit log
//	error            {"code", "message", "ref", "request", "retry_after"}  a request was refused
//	pong             (no payload; the id of the ping)                answer to a ping
//	closing          {"status", "reason"}                            the server closes the connection next
//	batch            [envelope, ...]                                 several of the above, in order
//
// Times are RFC 3339 strings in UTC. Message ids are assigned by the server
// and increase within a room; client_id repeats the id of the say that
// produced the message, so its sender can match it. author (the account
// id) and from (its nickname) are always set by the server.
//
// A connection signs in with hello: with the credential of an earlier
// welcome, with a nickname and password, with a passkey (after a passkey
// request), or with a nickname alone, which creates an account holding it
// (and answers with its credential).
// Nicknames belong to one account across the server, compared by their
// confusable skeleton, so look-alikes are refused. A refused hello leaves
// the connection open for another try. A connection may join many rooms;
// a person is in a room while any of their connections is.
//
// Every message is stored before it is delivered. A join is answered with
// the room's recent messages, or, with since, with every message after
// that id (then live ones, with no gap and no repeat at the seam); history
// requests page further back. A resent say with an id already stored is
// acknowledged with the first copy's id and not delivered again. An
// error's ref and request name the request it answers. Its code is stable
// (see the Code constants); its message is for people.
//
// A say may reply to an earlier message (reply_to); the reply carries a
// quote of it. People edit their own messages and react to any with one
// emoji (at most MaxReactionKinds different emoji and MaxReactions in
// all per message, each at most MaxEmojiBytes; see CheckEmoji). Edit and
// react need the envelope id and are acknowledged like a say: the ack's
// client_id is that id, and duplicate means nothing was stored (nothing
// changed, or a resend). Edits, reactions, reply counts and deletions
// reach the room as messages of a kind (MessageEdit, MessageReact,
// MessageReply, MessageDelete) about the message of, in the room's
// order; each carries the whole state of that message after it, so
// clients fold every event they get with Message.Fold, which skips those
// up to the message's rev: folding is idempotent and order-free. History,
// paging and resume deliver messages with the events stored so far
// folded on and leave out the events about the messages they deliver;
// resume delivers the events about messages the client already has.
// Events never count as unread and never notify.
//
// Typing requests are sent at most once per TypingEvery while someone
// composes; the server passes them on to the room's other people, about
// once per 2.5 seconds per person and room at most, gathered for
// TypingGathered into one event naming them all, and never stores them.
// Each person a typing event names shows until TypingLasts passes without
// another, or until a message of theirs arrives. In a room where at most
// MaxReceiptPeople people have read positions, a join is followed by a
// seen event with all of them, then by seen events with those that moved,
// gathered each half second.
//
// Moderators (a room's owner, and the server's admins) delete messages,
// mute, kick and ban people, lock rooms and set a slow mode; anyone may
// report a message to the admins. Every action is recorded in an audit
// log and answered with its entry (moderated). A deleted message is
// erased from the server; a message of kind "delete" (deleted true, with
// none of its text or reactions) whose of names it tells the room, in
// the room's order: clients fold it onto the message it names and never
// show it on its own. Deletions stored by earlier versions lack deleted.
//
// Presence changes are gathered for a fraction of a second and sent as one
// presence_update, so a crowd arriving or leaving at once costs each member
// one event.
//
// Limits (also announced in welcome): a nickname has 1 to 32 characters
// after trimming and no control or invisible characters; a text has 1 to 4096
// bytes of UTF-8 and is not blank; a client frame has at most
// MaxFrameBytes; history and limit are 0 to MaxHistory. Frame-level faults
// close the connection: a binary frame with status 1003, invalid UTF-8
// with 1007, an oversized frame with 1009. A client that reads too slowly
// to keep up (more than a few MiB wait for it) is closed with 1008; its
// own requests are not read while half of that waits. Before closing a
// connection on purpose the server sends a closing event with the status,
// because browsers do not show it to the page: 1001 (the server stops;
// sent after what was queued), 1008,
// or 1013 (the server could not keep the connection in step with its
// room; reconnect and resume). The server pings every 15 seconds; a client
// that does not answer within 10 seconds is disconnected (browsers and
// WebSocket libraries answer pings by themselves). Browsers cannot send
// pings, so clients check the connection with the ping request.
//
// PROTOCOL.md in this directory is the same description with examples.
package shared

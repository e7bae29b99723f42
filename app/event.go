package app

import "livechat/shared"

// Event is one event from the server, decoded once for the client and the
// UI. Type says which field is set; other types set none.
type Event struct {
	Type shared.Type
	// ID is the envelope's id: the request an answer answers.
	ID       string
	Welcome  *shared.Welcome
	Joined   *shared.Joined
	Left     *shared.Left
	Presence *shared.Presence
	Update   *shared.PresenceUpdate
	History  *shared.History
	Message  *shared.Message
	Ack      *shared.Ack
	Error    *shared.Error
	Closing  *shared.Closing
	Rooms    *shared.Rooms
	Room     *shared.RoomInfo
	Invite   *shared.Invite
	Read     *shared.Read
	Account  *shared.Account
	Settings *shared.Settings
	Passkey  *shared.PasskeyOptions
	Members  *shared.Members
	// Moderated, Reports and Audit are moderation's (moderation.go).
	Moderated *shared.AuditEntry
	Reports   *shared.Reports
	Audit     *shared.Audit
	// Typing and Seen are a conversation's (annotations.go).
	Typing *shared.Typing
	Seen   *shared.Seen
}

// decodeEvent decodes the payload of env into the field of its type.
func decodeEvent(env shared.Envelope) (Event, error) {
	ev := Event{Type: env.Type, ID: env.ID}
	var payload any
	switch env.Type {
	case shared.TypeWelcome:
		payload = alloc(&ev.Welcome)
	case shared.TypeJoined:
		payload = alloc(&ev.Joined)
	case shared.TypeLeft:
		payload = alloc(&ev.Left)
	case shared.TypePresence:
		payload = alloc(&ev.Presence)
	case shared.TypePresenceUpdate:
		payload = alloc(&ev.Update)
	case shared.TypeHistory:
		payload = alloc(&ev.History)
	case shared.TypeMessage:
		payload = alloc(&ev.Message)
	case shared.TypeAck:
		payload = alloc(&ev.Ack)
	case shared.TypeError:
		payload = alloc(&ev.Error)
	case shared.TypeClosing:
		payload = alloc(&ev.Closing)
	case shared.TypeRoomsList:
		payload = alloc(&ev.Rooms)
	case shared.TypeRoom:
		payload = alloc(&ev.Room)
	case shared.TypeInviteCode:
		payload = alloc(&ev.Invite)
	case shared.TypeReadPosition:
		payload = alloc(&ev.Read)
	case shared.TypeAccountInfo:
		payload = alloc(&ev.Account)
	case shared.TypeSettingsInfo:
		payload = alloc(&ev.Settings)
	case shared.TypeMembersList:
		payload = alloc(&ev.Members)
	case shared.TypePasskeyOptions:
		payload = alloc(&ev.Passkey)
	case shared.TypeModerated:
		payload = alloc(&ev.Moderated)
	case shared.TypeReportsList:
		payload = alloc(&ev.Reports)
	case shared.TypeAuditLog:
		payload = alloc(&ev.Audit)
	case shared.TypeTyping:
		payload = alloc(&ev.Typing)
	case shared.TypeSeen:
		payload = alloc(&ev.Seen)
	default:
		return ev, nil
	}
	return ev, env.DecodePayload(payload)
}

// alloc points *field at a new T and returns it.
func alloc[T any](field **T) *T {
	*field = new(T)
	return *field
}

package app

import "livechat/shared"

// Event is one event from the server, decoded once for the client and the
// UI. Type says which field is set; other types set none.
type Event struct {
	Type     shared.Type
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
}

// decodeEvent decodes the payload of env into the field of its type.
func decodeEvent(env shared.Envelope) (Event, error) {
	ev := Event{Type: env.Type}
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

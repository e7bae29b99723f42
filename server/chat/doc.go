//go:build !js

// Package chat is the heart of the server: a Hub of rooms whose members are
// WebSocket sessions speaking the shared protocol.
//
// Each session has one reader (the goroutine that calls Hub.Serve) and one
// writer goroutine that alone writes to the socket, fed by a queue bounded
// in bytes (outbox.go). An event is encoded once and the same bytes are
// queued for every member; queuing never blocks, and a member whose queue
// would overflow is disconnected with status 1008 so nobody else waits for
// it. A session's own requests are read only while its queue is at most
// half full: a client cannot grow the server by asking for more than it
// reads. Events of a room are queued under the room's lock, so all members
// see them in one order.
//
// Messages reach a room's members from the store's live feed, in id order
// (room.go): gaps in the feed are read back from the store without the
// room's lock, and if they cannot be, the members are told to reconnect
// and resume, never left with a silent hole. Presence changes are gathered
// for a short while and sent as one update (presence.go), so a crowd that
// arrives or leaves at once costs each member one event. Joins are
// answered with history read and queued a batch at a time (history.go).
//
// Moderation (moderation.go, reports.go, audit.go) lets a room's owner
// and the admins delete messages (a message of kind delete, then the
// original erased from the store), mute, kick, ban, lock and slow rooms
// down; every action is recorded in the audit log before it is answered.
// A say checks lock, mute and slow mode from cached records only.
package chat

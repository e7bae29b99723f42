//go:build !js

// Package chat is the heart of the server: a Hub of rooms whose members are
// WebSocket sessions speaking the shared protocol.
//
// Each session has one reader (the goroutine that calls Hub.Serve) and one
// writer goroutine that alone writes to the socket, fed by a bounded queue.
// An event is encoded once and the same bytes are queued for every member;
// queuing never blocks, and a member whose queue is full is disconnected
// with status 1008 so nobody else waits for it. Events of a room are queued
// under the room's lock, so all members see them in one order.
package chat

//go:build !js

// Package store keeps every room's messages in NATS JetStream: durably,
// in order, with ids that increase within a room, and with live delivery
// of each stored message to every server that subscribes.
//
// By default it embeds a NATS server with JetStream on a data directory
// (no network listener; the connection is in-process). Given URLs, it uses
// an external NATS server or cluster instead, and several livechat servers
// then share rooms: nothing else changes.
//
// Each room is a stream with one subject. A message's id is its stream
// sequence. The stream republishes every stored message to a live subject
// that servers subscribe to with plain NATS, so fan-out costs no consumer;
// a subscriber that misses one (NATS drops messages for slow subscribers)
// sees a jump in the sequence and reads the gap back from the stream.
// History is read with batched direct gets. A deleted message is erased
// from its stream (Erase: a secure delete) after the message of kind
// delete that tells clients of it is stored; the other ids do not move.
//
// The audit log of moderation (Audit) is one more stream, LIVECHAT_AUDIT,
// with a subject per room, bounded in bytes and age.
//
// Backup and Restore move every room and bucket through JetStream's stream
// snapshots, as one archive (see backup.go); Export writes rooms' messages
// as JSON lines.
package store

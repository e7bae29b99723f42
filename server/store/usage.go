//go:build !js

package store

import (
	"context"
	"fmt"
)

// Usage is what the store's JetStream account holds: the rooms' streams
// and the key-value buckets (accounts, rooms, presence).
type Usage struct {
	// FileBytes and MemoryBytes are the bytes stored on disk and in
	// memory.
	FileBytes, MemoryBytes uint64
	// Streams are the streams; Messages, the messages in all of them.
	Streams  int
	Messages uint64
}

// Usage returns what the store's JetStream account holds now. It asks
// JetStream once for the account and once for every 256 streams, to
// count their messages: it is for monitoring now and then, not for hot
// paths. ctx bounds it.
func (s *Store) Usage(ctx context.Context) (Usage, error) {
	info, err := s.js.AccountInfo(ctx)
	if err != nil {
		return Usage{}, fmt.Errorf("message store usage on %s: %w", s.where(), err)
	}
	u := Usage{FileBytes: info.Store, MemoryBytes: info.Memory, Streams: info.Streams}
	streams := s.js.ListStreams(ctx)
	for si := range streams.Info() {
		u.Messages += si.State.Msgs
	}
	if err := streams.Err(); err != nil {
		return Usage{}, fmt.Errorf("count the messages of the message store on %s: %w", s.where(), err)
	}
	return u, nil
}

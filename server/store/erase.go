//go:build !js

package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Erase removes the message id from room's stream for good: JetStream's
// secure delete overwrites its bytes on disk, so that history, resumes and
// gap reads no longer have it and nothing of its text is kept. The ids of
// the other messages do not change. Erasing a message that is not there
// (never was, or already erased) is not an error.
//
// The caller stores what tells clients of the removal (a message of kind
// shared.MessageDelete) first: erasing only would leave the message on
// the screens of those who have it.
func (s *Store) Erase(ctx context.Context, room string, id uint64) error {
	st, err := s.js.Stream(ctx, streamName(room))
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("erase message %d of #%s: %w", id, room, err)
	}
	err = st.SecureDeleteMsg(ctx, id)
	if err != nil {
		// JetStream says a message that is not there could not be
		// deleted: ask whether it is.
		if _, gerr := st.GetMsg(ctx, id); errors.Is(gerr, jetstream.ErrMsgNotFound) {
			return nil
		}
		return fmt.Errorf("erase message %d of #%s: %w", id, room, err)
	}
	return nil
}

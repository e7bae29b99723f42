//go:build !js

package chat

import "sync"

// outbox is the bounded queue of frames waiting for a session's writer.
// Frames are shared, read-only slices: one encoding serves every
// recipient. Any goroutine may push; one writer takes.
type outbox struct {
	mu     sync.Mutex
	frames [][]byte
	max    int
	// ready holds a token while frames is not empty.
	ready chan struct{}
}

func newOutbox(max int) *outbox {
	return &outbox{max: max, ready: make(chan struct{}, 1)}
}

// push queues frame without blocking. It reports false, queuing nothing,
// when max frames are already waiting.
func (o *outbox) push(frame []byte) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.frames) >= o.max {
		return false
	}
	o.frames = append(o.frames, frame)
	if len(o.frames) == 1 {
		select {
		case o.ready <- struct{}{}:
		default:
		}
	}
	return true
}

// take moves every waiting frame into dst[:0] and returns it. The writer
// passes back the slice it got last time, so steady state allocates
// nothing: the two slices swap roles.
func (o *outbox) take(dst [][]byte) [][]byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	frames := o.frames
	clear(dst)
	o.frames = dst[:0]
	return frames
}

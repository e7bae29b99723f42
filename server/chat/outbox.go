//go:build !js

package chat

import (
	"sync"

	"github.com/coder/websocket"
)

// outbox is a session's queue of frames and the lifecycle of its writer.
// Frames are shared, read-only slices: one encoding serves every
// recipient. Any goroutine may push. A writer goroutine runs only while
// there is something to write, so an idle session costs no goroutine
// besides its reader; the outbox starts it and counts it in wg.
type outbox struct {
	mu      sync.Mutex
	frames  *[][]byte // nil while idle; from frameSlices
	max     int
	writing bool // a writer goroutine runs
	ended   bool // the session is over: nothing more is queued or started
	// closing, once set, is the close the writer sends after the queue
	// (or instead of it, when drop is set).
	closing *closeFrame
	drop    bool

	wg     *sync.WaitGroup
	writer func() // started, counted in wg, when there is work
}

// frameSlices recycles the queues of sessions that go idle, so that
// queueing allocates nothing in steady state and an idle session holds no
// queue.
var frameSlices = sync.Pool{New: func() any { return new([][]byte) }}

type closeFrame struct {
	code   websocket.StatusCode
	reason string
}

func newOutbox(max int, wg *sync.WaitGroup, writer func()) *outbox {
	return &outbox{max: max, wg: wg, writer: writer}
}

// start starts the writer if none runs. The caller holds o.mu.
func (o *outbox) start() {
	if o.writing || o.ended {
		return
	}
	o.writing = true
	o.wg.Add(1)
	go o.writer()
}

// push queues frames without blocking. It reports false, queuing
// nothing, when they would make more than max frames wait.
func (o *outbox) push(frames ...[]byte) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ended || o.closing != nil {
		return true // nobody will read them: not a slow reader
	}
	if o.frames == nil {
		o.frames = frameSlices.Get().(*[][]byte)
	}
	if len(*o.frames)+len(frames) > o.max {
		return false
	}
	*o.frames = append(*o.frames, frames...)
	o.start()
	return true
}

// close asks the writer to close the connection with code and reason:
// after the queued frames, or at once if drop is set. The first call wins.
func (o *outbox) close(code websocket.StatusCode, reason string, drop bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closing != nil || o.ended {
		return
	}
	o.closing, o.drop = &closeFrame{code, reason}, drop
	o.start()
}

// take swaps the queue of waiting frames with dst (emptied; nil for a
// fresh one) and returns it, with the close to send once they are written,
// if any. When there is nothing left to do it returns nil and no close,
// and the writer must return: it is no longer running. The writer passes
// back the queue it got last time, so steady state allocates nothing;
// an idle session holds no queue.
func (o *outbox) take(dst *[][]byte) (*[][]byte, *closeFrame) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if dst != nil {
		clear(*dst)
		*dst = (*dst)[:0]
	}
	if o.drop && o.frames != nil {
		clear(*o.frames)
		*o.frames = (*o.frames)[:0]
	}
	cur := o.frames
	if cur == nil || len(*cur) == 0 {
		if dst != nil {
			frameSlices.Put(dst)
		}
		if o.closing == nil {
			if cur != nil {
				frameSlices.Put(cur)
			}
			o.writing, o.frames = false, nil
			return nil, nil
		}
		o.frames = nil // the writer has it, to close with
		return cur, o.closing
	}
	if dst == nil {
		dst = frameSlices.Get().(*[][]byte)
	}
	o.frames = dst
	return cur, o.closing
}

// spawn runs fn on a goroutine counted in wg, unless the session is over.
func (o *outbox) spawn(fn func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ended {
		return
	}
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		fn()
	}()
}

// end stops queuing and starting writers; the session is over.
func (o *outbox) end() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ended = true
	if o.frames != nil {
		clear(*o.frames)
		*o.frames = (*o.frames)[:0]
		frameSlices.Put(o.frames)
		o.frames = nil
	}
}

//go:build !js

package chat

import (
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"livechat/shared"
)

// outbox is a session's queue of frames and the lifecycle of its writer.
// Frames are shared, read-only slices: one encoding serves every
// recipient. Any goroutine may push. A writer goroutine runs only while
// there is something to write, so an idle session costs no goroutine
// besides its reader; the outbox starts it and counts it in wg.
//
// What waits is bounded in bytes, not frames: a frame counts from the
// moment it is queued until the writer has written it, so a reader that
// keeps up holds next to nothing whatever the frames are, and one that
// does not is cut off at max bytes (push reports false). The bytes of all
// outboxes together are bounded by their budget.
type outbox struct {
	mu      sync.Mutex
	frames  *[][]byte // nil while idle; from frameSlices
	bytes   int       // queued or being written
	max     int
	budget  *budget
	writing bool // a writer goroutine runs
	ended   bool // the session is over: nothing more is queued or started
	// closing, once set, is the close the writer sends after the queue
	// (or instead of it, when drop is set).
	closing *closeFrame
	drop    bool
	// room is closed and replaced whenever bytes fall to half of max or
	// less, or the outbox ends: waitRoom waits on it.
	room chan struct{}

	wg     *sync.WaitGroup
	writer func() // started, counted in wg, when there is work
}

// frameSlices recycles the queues of sessions that go idle, so that
// queueing allocates nothing in steady state and an idle session holds no
// queue.
var frameSlices = sync.Pool{New: func() any { return new([][]byte) }}

// closeFrame is a close the writer is asked to send: the closing event,
// then the WebSocket close. It is read-only once made, so the sessions
// closed for one reason (a shutdown, a resync) share one encoding.
type closeFrame struct {
	code   websocket.StatusCode
	reason string
	event  []byte // nil: no closing event
}

// newCloseFrame returns the close with code and reason, its closing event
// encoded.
func newCloseFrame(code websocket.StatusCode, reason string) *closeFrame {
	// A Closing holds an int and a string: it always encodes.
	event, _ := shared.Encode(shared.TypeClosing, "", shared.Closing{Status: int(code), Reason: reason})
	return &closeFrame{code, reason, event}
}

func newOutbox(max int, budget *budget, wg *sync.WaitGroup, writer func()) *outbox {
	return &outbox{max: max, budget: budget, wg: wg, writer: writer}
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

// push queues frames, n bytes in all, without blocking. It reports false,
// queuing nothing, when they would make more than max bytes wait, or when
// the budget of all outboxes is spent and this one already holds more than
// a reader that keeps up would. (The caller counts the bytes: the same
// frames go to every member of a room.)
func (o *outbox) push(n int, frames ...[]byte) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ended || o.closing != nil {
		return true // nobody will read them: not a slow reader
	}
	if o.bytes+n > o.max || !o.budget.take(n, o.bytes) {
		return false
	}
	if o.frames == nil {
		o.frames = frameSlices.Get().(*[][]byte)
	}
	*o.frames = append(*o.frames, frames...)
	o.bytes += n
	o.start()
	return true
}

// queued returns the bytes waiting or being written.
func (o *outbox) queued() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.bytes
}

// waitRoom returns once at most half of max bytes wait, or the outbox has
// ended or is closing. The session's reader calls it before each request,
// so that a client that asks for more than it reads is slowed down by its
// own socket instead of growing the server. It reports whether it had to
// wait.
func (o *outbox) waitRoom() (waited bool) {
	for {
		o.mu.Lock()
		if o.bytes <= o.max/2 || o.ended || o.closing != nil {
			o.mu.Unlock()
			return waited
		}
		waited = true
		if o.room == nil {
			o.room = make(chan struct{})
		}
		room := o.room
		o.mu.Unlock()
		<-room
	}
}

// signalRoom wakes waitRoom. The caller holds o.mu.
func (o *outbox) signalRoom() {
	if o.room != nil {
		close(o.room)
		o.room = nil
	}
}

// close asks the writer to send c: after the queued frames, or instead of
// them if drop is set. The first call wins.
func (o *outbox) close(c *closeFrame, drop bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closing != nil || o.ended {
		return
	}
	o.closing, o.drop = c, drop
	o.signalRoom()
	o.start()
}

// take swaps the queue of waiting frames with dst (emptied; nil for a
// fresh one) and returns it, with the close to send once they are written,
// if any. When there is nothing left to do it returns nil and no close,
// and the writer must return: it is no longer running. The writer passes
// back the queue it got last time, so steady state allocates nothing;
// an idle session holds no queue. The frames returned stay counted until
// the writer reports them written with sent.
func (o *outbox) take(dst *[][]byte) (*[][]byte, *closeFrame) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if dst != nil {
		clear(*dst)
		*dst = (*dst)[:0]
	}
	if o.drop && o.frames != nil {
		o.release(size(*o.frames))
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

// sent reports that frames taken earlier, n bytes in all, were written
// (or will never be).
func (o *outbox) sent(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.release(n)
}

// release uncounts n bytes. The caller holds o.mu.
func (o *outbox) release(n int) {
	n = min(n, o.bytes)
	o.bytes -= n
	o.budget.give(n)
	if o.bytes <= o.max/2 {
		o.signalRoom()
	}
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

// end stops queuing and starting writers; the session is over. Whatever
// is still counted is given back to the budget.
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
	o.release(o.bytes)
	o.signalRoom()
}

// size returns the bytes of frames.
func size(frames [][]byte) int {
	n := 0
	for _, f := range frames {
		n += len(f)
	}
	return n
}

// budget bounds the bytes waiting in all the outboxes of a hub together.
// Frames shared by many recipients count once per recipient, so the real
// memory is at most what is counted. All methods are safe for concurrent
// use.
type budget struct {
	limit int64
	// floor is what an outbox may always hold, budget or not: a reader
	// that keeps up holds less, so a crowd of slow readers cannot get a
	// fast one disconnected.
	floor int
	used  atomic.Int64
	peak  atomic.Int64
}

// take counts n more bytes for an outbox that holds held bytes, and
// reports whether it may: always while held+n is within the floor, else
// only while the total stays within the limit.
func (b *budget) take(n, held int) bool {
	used := b.used.Add(int64(n))
	if used > b.limit && held+n > b.floor {
		b.used.Add(-int64(n))
		return false
	}
	for {
		peak := b.peak.Load()
		if used <= peak || b.peak.CompareAndSwap(peak, used) {
			return true
		}
	}
}

// give uncounts n bytes.
func (b *budget) give(n int) { b.used.Add(-int64(n)) }

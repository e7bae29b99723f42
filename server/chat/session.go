//go:build !js

package chat

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"livechat/server/account"
	"livechat/shared"
)

// session is one WebSocket connection of a signed-in person, in any
// number of rooms. Its reader goroutine (started by Hub.Serve), and the
// goroutines it waits for to handle each request, one at a time, are the
// only ones to touch you, device and rooms; a writer goroutine, running
// only while the outbox has work, is the only one to write data to ws.
type session struct {
	hub  *Hub
	ws   *websocket.Conn
	conn *shared.Conn
	log  *slog.Logger
	out  *outbox
	wg   sync.WaitGroup // the writer and pings

	// Set by hello: who is signed in (you.ID is empty before), and on
	// which of their devices. A rename, on any session of the person,
	// changes nick; you.Nickname is the name at hello.
	you    shared.Person
	nick   atomic.Pointer[string]
	device string
	admin  bool
	// origin is the Origin of the page that opened the connection (""
	// for other programs), addr the client's address (see Peer);
	// ceremony is its passkey ceremony in progress.
	origin   string
	addr     netip.Addr
	ceremony *account.Ceremony
	// addrKey is the key of addr's limits, unless exempt from them;
	// buckets are the connection's own (see limits.go); heldUntil is used
	// by the reader alone.
	addrKey   string
	exempt    bool
	buckets   [numActions]*rate.Limiter
	heldUntil time.Time // no message is taken before, after one was refused
	// rooms are the rooms joined, by name. Other sessions of the person
	// take rooms out (a leave elsewhere), so they are guarded by roomsMu.
	roomsMu sync.Mutex
	rooms   map[string]*membership

	stopped atomic.Bool // stop was called: what the peer sends is ignored
	// why is the reason the server ended the connection for, set by the
	// first to decide (see endedBy); nil while the server has not.
	why atomic.Pointer[DisconnectReason]
	// holds counts the times the reader waited for the queue to drain,
	// reading nothing (a pong among it), and holding is set meanwhile;
	// written counts the bytes written to the peer.
	holds     atomic.Int64
	holding   atomic.Bool
	written   atomic.Int64
	writeFrom atomic.Int64 // when the write in progress began (unix ns), or 0
	pinging   atomic.Bool  // a ping waits for its pong
	lastPing  time.Time    // guarded by Hub.mu
}

func newSession(h *Hub, ws *websocket.Conn, log *slog.Logger) *session {
	s := &session{
		hub:   h,
		ws:    ws,
		conn:  shared.NewConn(ws, shared.MaxFrameBytes),
		log:   log,
		rooms: make(map[string]*membership),
	}
	s.out = newOutbox(h.cfg.SendQueueBytes, h.budget, &s.wg, s.writer)
	return s
}

// run serves the session until the connection ends. Reads carry no
// cancellable context, which would cost a callback per read: the session
// ends when the connection closes, which is how Shutdown ends it.
func (s *session) run(ctx context.Context) {
	err := s.readLoop(ctx)
	for _, name := range s.joinedRooms() {
		s.hub.unsubscribe(s, name)
	}
	s.out.end()
	s.ws.CloseNow()
	s.wg.Wait()

	why := endReason(err)
	if w := s.why.Load(); w != nil {
		why = *w
	}
	s.hub.cfg.Metrics.Disconnected(why)
	switch status := websocket.CloseStatus(err); {
	case status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway:
		s.log.Debug("connection closed by peer", "status", status)
	case status != -1:
		s.log.Info("connection closed", "status", status, "err", err)
	case errors.Is(err, context.Canceled):
	default:
		s.log.Debug("connection ended", "err", err)
	}
}

// endedBy records why the server ends the connection, unless it already
// had a reason.
func (s *session) endedBy(why DisconnectReason) {
	s.why.CompareAndSwap(nil, &why)
}

// nickname returns the person's nickname now.
func (s *session) nickname() string {
	if n := s.nick.Load(); n != nil {
		return *n
	}
	return s.you.Nickname
}

// membership returns s's membership of the room called name, or nil.
func (s *session) membership(name string) *membership {
	s.roomsMu.Lock()
	defer s.roomsMu.Unlock()
	return s.rooms[name]
}

// joinedRooms returns the names of the rooms s is in.
func (s *session) joinedRooms() []string {
	s.roomsMu.Lock()
	defer s.roomsMu.Unlock()
	names := make([]string, 0, len(s.rooms))
	for name := range s.rooms {
		names = append(names, name)
	}
	return names
}

// stop closes the connection with c, whose closing event tells the
// client why first; the first call wins. Queued frames are written first,
// except for a slow client (StatusPolicyViolation), which is cut off at
// once: a write stuck on its full socket ends with the connection. It
// never blocks.
func (s *session) stop(c *closeFrame) {
	if !s.stopped.CompareAndSwap(false, true) {
		return
	}
	s.endedBy(stopReason(c.code))
	s.out.close(c, c.code == websocket.StatusPolicyViolation)
	if c.code == websocket.StatusPolicyViolation && s.writeFrom.Load() != 0 {
		s.ws.CloseNow()
	}
}

// push queues frames, n bytes in all, for the writer, or disconnects a
// session that has fallen too far behind. It never blocks.
func (s *session) push(n int, frames ...[]byte) {
	if !s.out.push(n, frames...) {
		s.tooSlow(s.out.queued())
	}
}

// tooSlow disconnects a session that has queued bytes waiting and cannot
// take more.
func (s *session) tooSlow(queued int) {
	if s.stopped.Load() {
		return // already closing: nothing more is queued
	}
	s.hub.cfg.Metrics.Overflowed()
	s.log.Warn("disconnecting slow client", "queued_bytes", queued)
	s.stop(newCloseFrame(websocket.StatusPolicyViolation, "too slow to keep up: reconnect to resume"))
}

// send encodes and queues one envelope for this session only.
func (s *session) send(t shared.Type, id string, payload any) {
	frame, err := shared.Encode(t, id, payload)
	if err != nil {
		s.log.Error("encode reply", "type", t, "err", err)
		return
	}
	s.push(len(frame), frame)
}

// reply queues an error answering the request env.
func (s *session) reply(env shared.Envelope, err error) {
	var perr *shared.Error
	if !errors.As(err, &perr) {
		s.log.Error("request failed", "type", env.Type, "err", err)
		perr = shared.ErrInternal
	}
	e := *perr
	if e.Ref == "" {
		e.Ref = env.ID
	}
	if e.Request == "" {
		e.Request = env.Type
	}
	s.log.Debug("request refused", "type", env.Type, "code", e.Code, "msg", e.Message)
	s.send(shared.TypeError, "", e)
}

// readLoop reads and handles requests until the connection fails. It
// reads the next request only while at most half of the send queue is
// full: a client that asks for more than it reads is held back by its own
// socket.
func (s *session) readLoop(ctx context.Context) error {
	for {
		s.holding.Store(true)
		if s.out.waitRoom() {
			s.holds.Add(1)
		}
		s.holding.Store(false)
		frame, err := s.conn.ReadFrame(ctx)
		switch {
		case errors.Is(err, shared.ErrBinaryFrame):
			s.stop(newCloseFrame(websocket.StatusUnsupportedData, "binary frames are not supported: send JSON text frames"))
			continue
		case errors.Is(err, shared.ErrInvalidUTF8):
			s.stop(newCloseFrame(websocket.StatusInvalidFramePayloadData, "frame is not valid UTF-8"))
			continue
		case err != nil:
			return err
		}
		if s.stopped.Load() {
			continue // closing: what follows is not answered
		}
		apart(func() { s.request(ctx, frame) })
	}
}

// apart runs fn on a goroutine of its own and waits for it. The reader
// stays parked between frames for the whole life of a connection; handling
// a request there would leave its stack grown, a cost every idle
// connection would keep.
func apart(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// request decodes and carries out one request, replying to any error.
func (s *session) request(ctx context.Context, frame []byte) {
	env, err := shared.Decode(frame)
	if err == nil {
		err = s.handle(ctx, env)
	}
	if err != nil {
		s.reply(env, err)
	}
}

// writer writes what the outbox holds, then the close it was asked for,
// and returns when there is nothing left. Writes carry no context: a write
// stuck on a dead peer is ended by the heartbeat, which closes the
// connection (contexts per write cost more than the writes).
func (s *session) writer() {
	defer s.wg.Done()
	var frames *[][]byte
	for {
		var closing *closeFrame
		frames, closing = s.out.take(frames)
		if frames == nil && closing == nil {
			return
		}
		if frames != nil && len(*frames) > 0 {
			n := size(*frames)
			err := s.write(*frames)
			s.out.sent(n)
			if err != nil {
				// Nothing more can be written: drop the rest, which
				// also wakes a reader waiting for room.
				s.ws.CloseNow()
				s.out.close(&closeFrame{code: websocket.StatusInternalError}, true)
				continue
			}
		}
		if closing != nil {
			// Nothing is queued after a close was asked for.
			if closing.event != nil {
				s.write([][]byte{closing.event})
			}
			s.ws.Close(closing.code, closing.reason)
			return
		}
	}
}

// busyWriteBytes is how much written while a ping waits for its pong
// makes the stuck-write check, not the pong, the judge of the peer.
const busyWriteBytes = 256 << 10

// maxBatchBytes bounds a batch frame; a client reads up to
// shared.MaxServerFrameBytes.
const maxBatchBytes = 256 << 10

// batchBufs recycles the buffers batch frames are built in, so that a
// session holds none while idle.
var batchBufs = sync.Pool{New: func() any { return new([]byte) }}

// write writes frames in order: one alone as it is, several as batch
// frames, so that a client that fell behind catches up in few writes.
func (s *session) write(frames [][]byte) error {
	s.writeFrom.Store(time.Now().UnixNano())
	defer s.writeFrom.Store(0)
	ctx := context.Background()
	for len(frames) > 0 {
		n, size := 1, shared.BatchOverhead+len(frames[0])
		for n < len(frames) && size+1+len(frames[n]) <= maxBatchBytes {
			size += 1 + len(frames[n])
			n++
		}
		var err error
		if n == 1 {
			err = s.conn.WriteFrame(ctx, frames[0])
		} else {
			buf := batchBufs.Get().(*[]byte)
			*buf = shared.AppendBatch((*buf)[:0], frames[:n])
			err = s.conn.WriteFrame(ctx, *buf)
			batchBufs.Put(buf)
		}
		if err != nil {
			s.log.Debug("write failed", "err", err)
			return err
		}
		s.written.Add(int64(size))
		frames = frames[n:]
	}
	return nil
}

// heartbeat pings the peer, unless a ping is still out, and closes a
// connection whose peer misses the pong for the ping timeout, or whose
// write has been stuck for the write timeout. It runs on its own
// goroutine, counted in wg.
func (s *session) heartbeat(now time.Time) {
	timeout := s.hub.cfg.PingTimeout
	if from := s.writeFrom.Load(); from != 0 && now.Sub(time.Unix(0, from)) > s.hub.cfg.WriteTimeout {
		s.log.Info("write stuck; disconnecting", "for", now.Sub(time.Unix(0, from)))
		s.endedBy(DisconnectWriteStuck)
		s.ws.CloseNow()
		return
	}
	if !s.pinging.CompareAndSwap(false, true) {
		return
	}
	defer s.pinging.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// The pong may wait behind requests the reader holds back while the
	// queue drains (flow control), or behind many pipelined requests read
	// only as fast as the answers drain. Then a missing pong says
	// nothing, and a peer that stopped reading is caught by the stuck
	// write above: busy writes fill the socket's buffers at once.
	holds, held, written := s.holds.Load(), s.holding.Load(), s.written.Load()
	err := s.ws.Ping(ctx)
	held = held || s.holding.Load() || s.holds.Load() != holds
	busy := s.written.Load()-written >= busyWriteBytes
	if err != nil && !s.stopped.Load() && !held && !busy {
		s.log.Info("peer not answering pings; disconnecting", "err", err)
		s.endedBy(DisconnectPingTimeout)
		s.ws.CloseNow()
	}
}

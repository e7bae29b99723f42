//go:build !js

package chat

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"livechat/shared"
)

// session is one WebSocket connection. Its reader runs on the goroutine
// that called Hub.Serve and is the only one to touch room, nickname and key
// outside of the room's lock; its writer goroutine is the only one to write
// to ws.
type session struct {
	hub  *Hub
	ws   *websocket.Conn
	conn *shared.Conn
	log  *slog.Logger
	out  *outbox

	// Set by join under the room's lock; room is cleared by leave.
	room     *room
	nickname string
	key      string
	token    string

	// While catchingUp, under the room's lock, the room's events wait in
	// pending until the history before them is queued.
	catchingUp bool
	pending    [][]byte

	stopOnce   sync.Once
	stopped    chan struct{} // closed by stop
	stopCode   websocket.StatusCode
	stopReason string
	// abortWrite cancels the context of the writes in progress, which
	// closes the connection at once.
	abortWrite context.CancelFunc
}

func newSession(h *Hub, ws *websocket.Conn, log *slog.Logger) *session {
	return &session{
		hub:     h,
		ws:      ws,
		conn:    shared.NewConn(ws, shared.MaxFrameBytes),
		log:     log,
		out:     newOutbox(h.cfg.SendQueue),
		stopped: make(chan struct{}),
	}
}

// run serves the session until the connection ends.
func (s *session) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	wctx, abort := context.WithCancel(ctx)
	s.abortWrite = abort
	var wg sync.WaitGroup
	wg.Go(func() { s.writeLoop(ctx, wctx, &wg) })

	err := s.readLoop(ctx)
	s.hub.leave(s)
	cancel()
	s.ws.CloseNow()
	wg.Wait()

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

// stop asks the writer to close the connection with code and reason; the
// first call wins. It never blocks. Queued frames are written first only
// when the server is going away. A slow client (StatusPolicyViolation) is
// cut off at once: a write stuck on its full socket is aborted, which
// closes the connection without a close frame.
func (s *session) stop(code websocket.StatusCode, reason string) {
	s.stopOnce.Do(func() {
		s.stopCode, s.stopReason = code, reason
		close(s.stopped)
		if code == websocket.StatusPolicyViolation {
			s.abortWrite()
		}
	})
}

// push queues a frame for the writer, or disconnects a session that has
// fallen too far behind. It never blocks.
func (s *session) push(frame []byte) {
	if !s.out.push(frame) {
		s.log.Warn("disconnecting slow client", "nickname", s.nickname, "queued", s.hub.cfg.SendQueue)
		s.stop(websocket.StatusPolicyViolation, "too slow: send queue full")
	}
}

// pushLive queues a room event, holding it back while the session catches
// up. The caller holds the room's lock.
func (s *session) pushLive(frame []byte) {
	if !s.catchingUp {
		s.push(frame)
		return
	}
	if len(s.pending) >= s.hub.cfg.SendQueue {
		s.stop(websocket.StatusPolicyViolation, "too slow: send queue full")
		return
	}
	s.pending = append(s.pending, frame)
}

// goLive queues the events held back while catching up and lets the next
// ones through. The caller holds the room's lock.
func (s *session) goLive() {
	for _, f := range s.pending {
		s.push(f)
	}
	s.catchingUp, s.pending = false, nil
}

// send encodes and queues one envelope for this session only.
func (s *session) send(t shared.Type, id string, payload any) {
	frame, err := shared.Encode(t, id, payload)
	if err != nil {
		s.log.Error("encode reply", "type", t, "err", err)
		return
	}
	s.push(frame)
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

// readLoop reads and handles requests until the connection fails.
func (s *session) readLoop(ctx context.Context) error {
	for {
		frame, err := s.conn.ReadFrame(ctx)
		switch {
		case errors.Is(err, shared.ErrBinaryFrame):
			s.stop(websocket.StatusUnsupportedData, "binary frames are not supported: send JSON text frames")
			continue
		case errors.Is(err, shared.ErrInvalidUTF8):
			s.stop(websocket.StatusInvalidFramePayloadData, "frame is not valid UTF-8")
			continue
		case err != nil:
			return err
		}
		if stopping(s.stopped) {
			continue // closing: what follows is not answered
		}
		env, err := shared.Decode(frame)
		if err != nil {
			s.reply(env, err)
			continue
		}
		if err := s.handle(ctx, env); err != nil {
			s.reply(env, err)
		}
	}
}

// handle carries out one request.
func (s *session) handle(ctx context.Context, env shared.Envelope) error {
	switch env.Type {
	case shared.TypeJoin:
		var j shared.Join
		if err := env.DecodePayload(&j); err != nil {
			return err
		}
		if s.room != nil {
			return shared.Errorf(shared.CodeAlreadyJoined, "already in #%s as %q", s.room.name, s.nickname)
		}
		nickname, err := shared.CheckNickname(j.Nickname)
		if err != nil {
			return err
		}
		name, err := shared.CheckRoom(j.Room)
		if err != nil {
			return err
		}
		r, err := s.hub.enter(ctx, name)
		if err != nil {
			return err
		}
		if err := s.hub.join(ctx, s, r, nickname, j); err != nil {
			s.hub.release(r)
			return err
		}
		s.log.Info("joined", "nickname", nickname, "room", name, "resume", j.Since != nil)
		return nil

	case shared.TypeSay:
		var say shared.Say
		if err := env.DecodePayload(&say); err != nil {
			return err
		}
		if s.room == nil {
			return shared.Errorf(shared.CodeNotJoined, "join a room before you say anything")
		}
		if err := shared.CheckID(env.ID); err != nil {
			return err
		}
		if err := shared.CheckText(say.Text); err != nil {
			return err
		}
		return s.hub.say(ctx, s, env.ID, say.Text)

	case shared.TypeHistory:
		var req shared.HistoryRequest
		if err := env.DecodePayload(&req); err != nil {
			return err
		}
		if s.room == nil {
			return shared.Errorf(shared.CodeNotJoined, "join a room before you ask for its history")
		}
		if req.Before == 0 || req.Limit < 0 {
			return shared.Errorf(shared.CodeInvalidRequest, "a history request needs before, an id, and a limit of 0 to %d", shared.MaxHistory)
		}
		hist, err := s.hub.page(ctx, s.room.name, req)
		if err != nil {
			s.log.Error("read history", "err", err)
			return shared.Errorf(shared.CodeInternal, "the history cannot be read now; try again")
		}
		s.send(shared.TypeHistory, "", hist)
		return nil

	default:
		return shared.Errorf(shared.CodeUnknownType, "unknown message type %q: a client sends join, say or history", env.Type)
	}
}

// writeLoop writes queued frames until ctx ends or stop is called, and
// closes the connection when it returns. Every PingInterval it starts a
// ping, tracked by wg, so that a dead peer is noticed even while the room is
// busy; a peer that misses the pong for PingTimeout is disconnected.
// Frames are written with wctx, which stop may cancel.
func (s *session) writeLoop(ctx, wctx context.Context, wg *sync.WaitGroup) {
	defer s.ws.CloseNow()
	cfg := &s.hub.cfg
	ticker := time.NewTicker(cfg.PingInterval)
	defer ticker.Stop()
	var pinging atomic.Bool
	var frames [][]byte
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stopped:
			if s.stopCode == websocket.StatusGoingAway {
				frames = s.out.take(frames)
				if err := s.write(wctx, frames); err != nil {
					return
				}
			}
			s.ws.Close(s.stopCode, s.stopReason)
			return
		case <-s.out.ready:
			if stopping(s.stopped) {
				continue
			}
			frames = s.out.take(frames)
			if err := s.write(wctx, frames); err != nil {
				return
			}
		case <-ticker.C:
			if !pinging.CompareAndSwap(false, true) {
				continue
			}
			wg.Go(func() {
				defer pinging.Store(false)
				pctx, cancel := context.WithTimeout(ctx, cfg.PingTimeout)
				defer cancel()
				if err := s.ws.Ping(pctx); err != nil && ctx.Err() == nil {
					s.log.Info("peer not answering pings; disconnecting", "err", err)
					s.ws.CloseNow()
				}
			})
		}
	}
}

// write writes frames in order, giving up on the connection (and closing
// it) if one takes longer than the ping timeout.
func (s *session) write(ctx context.Context, frames [][]byte) error {
	for _, f := range frames {
		wctx, cancel := context.WithTimeout(ctx, s.hub.cfg.PingTimeout)
		err := s.conn.WriteFrame(wctx, f)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Debug("write failed", "err", err)
			}
			return err
		}
	}
	return nil
}

func stopping(stopped <-chan struct{}) bool {
	select {
	case <-stopped:
		return true
	default:
		return false
	}
}

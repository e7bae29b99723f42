package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"livechat/shared"
)

// ErrSignedOut is returned by Run when the server signed this device out
// (from this or another device): its credential is no good any more.
var ErrSignedOut = errors.New("this device was signed out")

// ErrNotConnected is returned by History while the client is not online.
var ErrNotConnected = errors.New("not connected")

// errInterrupted ends a connection that Suspend or Drop asked to end.
var errInterrupted = errors.New("connection interrupted")

// errNoHeartbeat ends a connection that stopped delivering anything.
var errNoHeartbeat = errors.New("the server stopped answering")

// ClientConfig configures a Client. URL and Hello are required; the other
// fields have defaults.
type ClientConfig struct {
	// URL is the server's WebSocket URL, such as ws://localhost:8080/ws.
	URL string
	// Hello signs in on every (re)connection: with a credential, or with a
	// nickname, which creates an account the first time; once a welcome
	// brings a credential, the client signs in with it.
	Hello shared.Hello
	// Rooms are joined on every (re)connection, each resuming after the
	// last message received in it; Join and Leave change them.
	Rooms []string
	// Resume holds, for rooms of which the app already has messages (kept
	// from an earlier visit), the id of the last one: the first join of
	// such a room resumes after it, so that the app gets exactly what it
	// missed.
	Resume map[string]uint64
	// Backoff spaces reconnection attempts.
	Backoff Backoff
	// Clock tells the time and waits. Default: the system clock.
	Clock Clock
	// Dial opens a connection. Default: shared.Dial.
	Dial func(ctx context.Context, url string) (*shared.Conn, error)
	// Online reports whether the device has a network. Default: always.
	Online func() bool
	// Outbox keeps what Say was given until the server acknowledges it;
	// it is sent again after every (re)join. Default: in memory.
	Outbox *Outbox
	// Heartbeat is how long the connection may deliver nothing before the
	// client pings the server, and then how long it waits for anything
	// before it gives the connection up: a connection that died without
	// closing is noticed within twice this. Default: 8s.
	Heartbeat time.Duration
	// OnState and OnEvent are called on the client's goroutine, in order,
	// when the connection state changes and for each event from the
	// server. They must not block for long.
	OnState func(State)
	OnEvent func(Event)
}

// Client keeps one person connected to their rooms over one connection:
// it dials, signs in, joins, hands events to the UI, and reconnects with
// backoff when the connection drops, resuming each room after the last
// message it saw there, so that nothing is missed or received twice.
// Messages said go through the outbox and are sent again until the server
// acknowledges them. A heartbeat notices a connection that died without
// closing. Run drives it; the other methods may be called from any
// goroutine.
type Client struct {
	cfg    ClientConfig
	outbox *Outbox
	wake   chan struct{} // cuts a wait between attempts short
	check  chan struct{} // asks the connection whether it should end

	mu         sync.Mutex
	conn       *shared.Conn // while signed in
	credential string       // from Hello or the last welcome that had one
	suspended  bool         // Suspend was called: no connection until Resume
	rooms      map[string]*roomPos
	order      []string // rooms, in the order they were joined
	// held is not nil while the server asks to wait before more
	// messages (rate_limited): Say only queues them, and held are their
	// ids, sent with the refused ones, in order, when the wait is over.
	held map[string]bool
}

// roomPos is where the client stands in a room.
type roomPos struct {
	// pos is the id of the last message this client has (since Run
	// started, or from Resume); known says it is.
	pos   uint64
	known bool
	// live: the join's history is complete on this connection, so sends
	// go out.
	live bool
}

// NewClient returns a client for cfg. It does nothing until Run.
func NewClient(cfg ClientConfig) *Client {
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.Dial == nil {
		cfg.Dial = shared.Dial
	}
	if cfg.Online == nil {
		cfg.Online = func() bool { return true }
	}
	if cfg.OnState == nil {
		cfg.OnState = func(State) {}
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}
	if cfg.Outbox == nil {
		cfg.Outbox = LoadOutbox(nil, "")
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 8 * time.Second
	}
	c := &Client{
		cfg:        cfg,
		outbox:     cfg.Outbox,
		wake:       make(chan struct{}, 1),
		check:      make(chan struct{}, 1),
		credential: cfg.Hello.Credential,
		rooms:      make(map[string]*roomPos),
	}
	for _, room := range cfg.Rooms {
		c.addRoom(room)
	}
	return c
}

// addRoom adds room to those joined on every connection. The caller holds
// c.mu, or is NewClient.
func (c *Client) addRoom(room string) *roomPos {
	if r := c.rooms[room]; r != nil {
		return r
	}
	r := &roomPos{}
	if last, ok := c.cfg.Resume[room]; ok {
		r.pos, r.known = last, true
	}
	c.rooms[room] = r
	c.order = append(c.order, room)
	return r
}

// removeRoom forgets room: it is not joined on the next connection. The
// caller holds c.mu.
func (c *Client) removeRoom(room string) {
	delete(c.rooms, room)
	c.order = slices.DeleteFunc(c.order, func(r string) bool { return r == room })
}

// Run connects and stays connected until ctx ends (it returns ctx.Err()),
// the server refuses to sign in (it returns the *shared.Error), bans the
// person from the server (a *shared.Error, forbidden, saying until when),
// or signs this device out (ErrSignedOut).
func (c *Client) Run(ctx context.Context) error {
	attempt := 0
	everOnline := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.isSuspended() {
			if err := c.sleep(ctx, nil); err != nil {
				return err
			}
			continue
		}
		if !c.cfg.Online() {
			c.cfg.OnState(State{Status: StatusOffline, Attempt: attempt, NoNetwork: true})
			if err := c.sleep(ctx, nil); err != nil {
				return err
			}
			continue
		}
		// Until the first success a failure means "offline"; after it,
		// "reconnecting".
		lost := StatusOffline
		if everOnline {
			lost = StatusReconnecting
		}
		if attempt == 0 && !everOnline {
			c.cfg.OnState(State{Status: StatusConnecting})
		} else {
			c.cfg.OnState(State{Status: lost, Attempt: attempt})
		}

		welcomed, err := c.connect(ctx)
		var refused *shared.Error
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &refused) && refused.Code != shared.CodeInternal:
			return refused
		case errors.Is(err, ErrSignedOut):
			return err
		}
		if welcomed {
			attempt, everOnline, lost = 0, true, StatusReconnecting
		}
		if errors.Is(err, errInterrupted) {
			continue // suspended or offline: see above, at once
		}
		attempt++
		delay := c.cfg.Backoff.Delay(attempt)
		c.cfg.OnState(State{
			Status:  lost,
			RetryAt: c.cfg.Clock.Now().Add(delay),
			Attempt: attempt,
			Err:     describe(err),
		})
		if err := c.sleep(ctx, c.cfg.Clock.After(delay)); err != nil {
			return err
		}
	}
}

// sleep waits for timer (nil: forever), a Wake, or the end of ctx.
func (c *Client) sleep(ctx context.Context, timer <-chan time.Time) error {
	select {
	case <-timer:
	case <-c.wake:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// frame is what the reader of a connection hands over.
type frame struct {
	env shared.Envelope
	err error
}

// closedError is the end of a connection the server announced with a
// closing event.
type closedError struct{ closing shared.Closing }

func (e *closedError) Error() string { return e.closing.Reason }

// connect dials, signs in, joins and relays events until the connection
// ends. It reports whether the hello was welcomed.
func (c *Client) connect(ctx context.Context) (welcomed bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	conn, err := c.cfg.Dial(dctx, c.cfg.URL)
	cancel()
	if err != nil {
		return false, err
	}
	// The connection is read on a goroutine of its own, so that this one
	// can give it up at once (a heartbeat missed, the page hidden): a
	// browser may take long to report the close of a dead connection.
	frames := make(chan frame, 64)
	done := make(chan struct{})
	go readFrames(conn, frames, done)
	defer func() {
		close(done)
		c.mu.Lock()
		c.conn = nil
		for _, r := range c.rooms {
			r.live = false
		}
		c.mu.Unlock()
		// Close waits for the close handshake; nothing here needs to.
		go conn.Close(websocket.StatusNormalClosure, "")
	}()
	if c.interrupted() {
		return false, errInterrupted
	}

	hello := c.cfg.Hello
	hello.Protocol = shared.ProtocolVersion
	c.mu.Lock()
	if c.credential != "" {
		hello = shared.Hello{Protocol: shared.ProtocolVersion, Credential: c.credential, Device: hello.Device}
	}
	joins := make([]shared.Join, 0, len(c.order))
	for _, room := range c.order {
		joins = append(joins, c.joinLocked(room))
	}
	c.mu.Unlock()
	// The joins follow the hello at once: the server takes them in order.
	if err := conn.Write(ctx, shared.TypeHello, "hello", hello); err != nil {
		return false, err
	}
	for _, j := range joins {
		if err := conn.Write(ctx, shared.TypeJoin, "", j); err != nil {
			return false, err
		}
	}

	// The heartbeat: after Heartbeat without a frame, ping; after
	// Heartbeat more without one, give up. pingAt is zero unless a ping
	// waits for an answer (any frame).
	clock, beat := c.cfg.Clock, c.cfg.Heartbeat
	lastFrame, pingAt, pings := clock.Now(), time.Time{}, 0
	timer := clock.After(beat)
	var retry <-chan time.Time // resends refused for a passing failure
	retryIDs := make(map[string]bool)
	var closing *shared.Closing
	for {
		select {
		case <-ctx.Done():
			return welcomed, ctx.Err()

		case <-c.check:
			if c.interrupted() {
				return welcomed, errInterrupted
			}

		case <-timer:
			now := clock.Now()
			switch {
			case !pingAt.IsZero() && now.Sub(pingAt) >= beat:
				return welcomed, errNoHeartbeat
			case !pingAt.IsZero():
				timer = clock.After(beat - now.Sub(pingAt))
			case now.Sub(lastFrame) < beat:
				timer = clock.After(beat - now.Sub(lastFrame))
			default:
				pings++
				if err := conn.Write(ctx, shared.TypePing, fmt.Sprintf("p%d", pings), nil); err != nil {
					return welcomed, err
				}
				pingAt, timer = now, clock.After(beat)
			}

		case <-retry:
			retry = nil
			c.mu.Lock()
			for id := range c.held {
				retryIDs[id] = true
			}
			c.held = nil
			c.mu.Unlock()
			for _, p := range c.outbox.Items() {
				if retryIDs[p.ClientID] {
					typ, payload := p.Request()
					if err := conn.Write(ctx, typ, p.ClientID, payload); err != nil {
						return welcomed, err
					}
				}
			}
			clear(retryIDs)

		case f := <-frames:
			if f.err != nil {
				if closing != nil {
					return welcomed, &closedError{*closing}
				}
				return welcomed, f.err
			}
			lastFrame, pingAt = clock.Now(), time.Time{}
			ev, err := decodeEvent(f.env)
			if err != nil {
				continue // a payload this client cannot read; skip it
			}
			switch ev.Type {
			case shared.TypeError:
				if !welcomed && ev.Error.Request != shared.TypeJoin {
					return false, ev.Error
				}
				if e := ev.Error; queued(e.Request) && e.Temporary() {
					// Stored nowhere: send it again in a moment, or when
					// the server says, if it said.
					retryIDs[e.Ref] = true
					wait := c.cfg.Backoff.Delay(3) + time.Second
					if e.Code == shared.CodeRateLimited {
						// Later messages wait too, so that they are not
						// stored before this one.
						wait = time.Duration(e.RetryAfter * float64(time.Second))
						c.mu.Lock()
						if c.held == nil {
							c.held = make(map[string]bool)
						}
						c.mu.Unlock()
					}
					if retry == nil {
						retry = clock.After(wait)
					}
				}
			case shared.TypeWelcome:
				welcomed = true
				c.mu.Lock()
				c.conn = conn
				c.held = nil // the joins send the whole outbox
				if ev.Welcome.Credential != "" {
					c.credential = ev.Welcome.Credential
				}
				c.mu.Unlock()
				c.cfg.OnState(State{Status: StatusOnline})
			case shared.TypeJoined:
				c.mu.Lock()
				r := c.addRoom(ev.Joined.Room) // new if joined by invite
				// Without Since, the history that follows ends at Last;
				// what came before it this client chose not to get.
				r.pos, r.known = max(r.pos, ev.Joined.Last), true
				pos := r.pos
				c.mu.Unlock()
				c.outbox.Seen(ev.Joined.Room, pos)
			case shared.TypeClosing:
				if ev.Closing.Status == int(shared.StatusSignedOut) {
					c.cfg.OnEvent(ev)
					return welcomed, ErrSignedOut
				}
				if ev.Closing.Status == int(shared.StatusBanned) {
					// Banned from the server: no point in reconnecting.
					c.cfg.OnEvent(ev)
					return welcomed, &shared.Error{Code: shared.CodeForbidden, Message: ev.Closing.Reason}
				}
				closing = ev.Closing
			}
			if err := c.track(ctx, conn, ev); err != nil {
				return welcomed, err
			}
			c.cfg.OnEvent(ev)
		}
	}
}

// readFrames reads conn and hands over each envelope, then the error that
// ended it, until done is closed.
func readFrames(conn *shared.Conn, frames chan<- frame, done <-chan struct{}) {
	for {
		env, err := conn.Read(context.Background())
		var garbled *shared.Error
		if errors.As(err, &garbled) {
			continue // a frame this client cannot read; skip it
		}
		select {
		case frames <- frame{env, err}:
		case <-done:
			return
		}
		if err != nil {
			return
		}
	}
}

// joinLocked returns the join of room that resumes where the client
// stands. A room of which the client knows nothing but has messages
// waiting resumes where the last page was, to find those that landed
// before their ack was lost; otherwise it gets the recent history. The
// caller holds c.mu.
func (c *Client) joinLocked(room string) shared.Join {
	j := shared.Join{Room: room}
	r := c.rooms[room]
	if r.known {
		j.Since = new(r.pos)
	} else if last, ok := c.outbox.LastID(room); ok && c.waiting(room) {
		j.Since = new(last)
	}
	return j
}

// waiting reports whether messages to room wait in the outbox.
func (c *Client) waiting(room string) bool {
	for _, p := range c.outbox.Items() {
		if p.In() == room {
			return true
		}
	}
	return false
}

// track follows the events that matter to resuming and to the outbox:
// the ids seen, the acks, and the end of a join's history, after which
// the room's outbox is sent.
func (c *Client) track(ctx context.Context, conn *shared.Conn, ev Event) error {
	switch ev.Type {
	case shared.TypeHistory:
		h := ev.History
		if h.Reset {
			c.outbox.Reset(h.Room)
			c.mu.Lock()
			if r := c.rooms[h.Room]; r != nil {
				r.pos = 0
			}
			c.mu.Unlock()
		}
		for _, m := range h.Messages {
			c.seen(m)
		}
		if h.Live && h.Before == 0 {
			c.mu.Lock()
			r := c.rooms[h.Room]
			if r != nil {
				r.live = true
			}
			c.mu.Unlock()
			if r == nil {
				return nil
			}
			for _, p := range c.outbox.Items() {
				if p.In() != h.Room {
					continue
				}
				typ, payload := p.Request()
				if err := conn.Write(ctx, typ, p.ClientID, payload); err != nil {
					return err
				}
			}
		}
	case shared.TypeMessage:
		c.seen(*ev.Message)
	case shared.TypeAck:
		c.outbox.Remove(ev.Ack.ClientID)
	case shared.TypeLeft:
		// Out of the room (left on another device, removed or banned by
		// a moderator): it is not joined again on the next connection.
		c.mu.Lock()
		c.removeRoom(ev.Left.Room)
		c.mu.Unlock()
	case shared.TypeError:
		// A refused message will never be accepted as it is: drop it. It
		// stays for errors worth retrying.
		if e := ev.Error; queued(e.Request) && !e.Temporary() {
			c.outbox.Remove(e.Ref)
		}
	}
	return nil
}

// seen records a message received in its room: a message of the outbox
// that arrives has been stored.
func (c *Client) seen(m shared.Message) {
	c.mu.Lock()
	if r := c.rooms[m.Room]; r != nil {
		r.pos = max(r.pos, m.ID)
	}
	c.mu.Unlock()
	c.outbox.Seen(m.Room, m.ID)
	if m.ClientID != "" {
		c.outbox.Remove(m.ClientID)
	}
}

// Say queues text as a new message to room and returns its client message
// id. It is sent at once if the client is online in the room, and
// otherwise after its next join; until the server acknowledges it, it
// stays in the outbox.
func (c *Client) Say(ctx context.Context, room, text string) (string, error) {
	return c.Queue(ctx, Pending{Room: room, Text: text})
}

// Reply is Say for a message answering the message replyTo.
func (c *Client) Reply(ctx context.Context, room string, replyTo uint64, text string) (string, error) {
	return c.Queue(ctx, Pending{Room: room, Text: text, ReplyTo: replyTo})
}

// Edit queues a new text for the reader's message id of room, as Say
// queues a message.
func (c *Client) Edit(ctx context.Context, room string, id uint64, text string) (string, error) {
	return c.Queue(ctx, Pending{Type: shared.TypeEdit, Room: room, Of: id, Text: text})
}

// React queues the reader's reaction emoji to the message id of room (or,
// with remove, taking it back), as Say queues a message.
func (c *Client) React(ctx context.Context, room string, id uint64, emoji string, remove bool) (string, error) {
	return c.Queue(ctx, Pending{Type: shared.TypeReact, Room: room, Of: id, Emoji: emoji, Remove: remove})
}

// Typing tells the room that the reader is typing, if the client is
// online in it; it is never kept for later. Callers send it at most once
// per shared.TypingEvery.
func (c *Client) Typing(ctx context.Context, room string) {
	c.mu.Lock()
	conn, r := c.conn, c.rooms[room]
	c.mu.Unlock()
	if conn != nil && r != nil && r.live {
		conn.Write(ctx, shared.TypeTyping, "", shared.Typing{Room: room})
	}
}

// queued reports whether requests of type t go through the outbox (see
// Queue).
func queued(t shared.Type) bool {
	return t == shared.TypeSay || t == shared.TypeEdit || t == shared.TypeReact
}

// Queue puts p (a message, an edit or a reaction) in the outbox with a
// new client id, which it returns, and sends it at once if the client is
// online in its room, and otherwise after its next join; until the
// server acknowledges it, it stays in the outbox.
func (c *Client) Queue(ctx context.Context, p Pending) (string, error) {
	id := NewMessageID()
	p.ClientID, p.At = id, time.Now()
	room := p.In()
	c.outbox.Add(p)
	c.mu.Lock()
	conn, r := c.conn, c.rooms[room]
	live := r != nil && r.live
	if c.held != nil && conn != nil && live {
		c.held[id] = true
		live = false
	}
	c.mu.Unlock()
	if conn != nil && live {
		// On failure it stays queued: the connection is lost and the
		// next join sends it.
		typ, payload := p.Request()
		conn.Write(ctx, typ, id, payload)
	}
	return id, nil
}

// History asks for the messages of room just before the id before; they
// arrive as a History event with Before set.
func (c *Client) History(ctx context.Context, room string, before uint64) error {
	return c.Send(ctx, shared.TypeHistory, "", shared.HistoryRequest{Room: room, Before: before})
}

// Join adds room to the rooms of this client and joins it now if the
// client is online. It never blocks for long.
func (c *Client) Join(ctx context.Context, room string) error {
	c.mu.Lock()
	if c.rooms[room] != nil {
		c.mu.Unlock()
		return nil
	}
	c.addRoom(room)
	j, conn := c.joinLocked(room), c.conn
	c.mu.Unlock()
	if conn == nil {
		return nil // joined with the next connection
	}
	return conn.Write(ctx, shared.TypeJoin, "", j)
}

// JoinInvite joins the room of an invite code, which then is one of the
// rooms of this client; the joined event answering it carries id. It
// fails with ErrNotConnected while offline.
func (c *Client) JoinInvite(ctx context.Context, id, code string) error {
	return c.Send(ctx, shared.TypeJoin, id, shared.Join{Invite: code})
}

// Send sends a request with payload and envelope id, if the client is
// signed in; its answer comes as an event. It fails with ErrNotConnected
// otherwise: requests other than say are not kept for later.
func (c *Client) Send(ctx context.Context, typ shared.Type, id string, payload any) error {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return ErrNotConnected
	}
	return conn.Write(ctx, typ, id, payload)
}

// Leave removes room from the rooms of this client and leaves it now if
// the client is online.
func (c *Client) Leave(ctx context.Context, room string) error {
	c.mu.Lock()
	if c.rooms[room] == nil {
		c.mu.Unlock()
		return nil
	}
	c.removeRoom(room)
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return nil
	}
	return conn.Write(ctx, shared.TypeLeave, "", shared.Leave{Room: room})
}

// Wake ends a wait between attempts at once: the network came back or the
// user is looking. It never blocks.
func (c *Client) Wake() { signal(c.wake) }

// Drop ends the connection at once if the device has lost its network
// (ClientConfig.Online), instead of waiting for the connection to fail; the
// client then waits for the network. Call it when the browser says it
// went offline. It never blocks.
func (c *Client) Drop() {
	signal(c.check)
	signal(c.wake)
}

// Suspend closes the connection at once and opens none until Resume: the
// page is being hidden, perhaps kept in the browser's back/forward cache,
// where an open connection would keep the person online in the room. It
// never blocks.
func (c *Client) Suspend() {
	c.mu.Lock()
	c.suspended = true
	c.mu.Unlock()
	signal(c.check)
}

// Resume reconnects after Suspend, at once, resuming where the client
// left off. It never blocks.
func (c *Client) Resume() {
	c.mu.Lock()
	c.suspended = false
	c.mu.Unlock()
	signal(c.wake)
}

func (c *Client) isSuspended() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.suspended
}

// interrupted reports whether the connection should end now.
func (c *Client) interrupted() bool { return c.isSuspended() || !c.cfg.Online() }

// Credential returns the credential the client signs in with: the one of
// ClientConfig.Hello, or the one a welcome brought since.
func (c *Client) Credential() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.credential
}

// signal puts a token in ch, a channel with room for one, if it has none.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// NewMessageID returns a fresh client message id.
func NewMessageID() string {
	return "c-" + rand.Text()[:16]
}

// describe turns a connection error into a sentence for people.
func describe(err error) string {
	var closed *closedError
	var perr *shared.Error
	var berr *browserError
	switch status := websocket.CloseStatus(err); {
	case err == nil:
		return ""
	case errors.As(err, &berr):
		return berr.msg
	case errors.As(err, &closed):
		return closed.closing.Reason
	case errors.Is(err, errNoHeartbeat):
		return "the connection stopped answering"
	case status == websocket.StatusGoingAway:
		return "the server is restarting"
	case status == websocket.StatusPolicyViolation:
		return "the connection was too slow to keep up"
	case status != -1:
		return fmt.Sprintf("the server closed the connection (%d)", status)
	case errors.As(err, &perr):
		return perr.Message
	}
	return "cannot reach the server"
}

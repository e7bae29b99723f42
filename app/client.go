package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/coder/websocket"

	"livechat/shared"
)

// Status is the state of the connection to the server.
type Status int

const (
	// StatusConnecting: the first attempt is under way.
	StatusConnecting Status = iota
	// StatusOnline: joined; messages flow.
	StatusOnline
	// StatusReconnecting: the connection was lost; State.RetryAt says when
	// the next attempt starts.
	StatusReconnecting
	// StatusOffline: the device has no network (State.RetryAt is zero: the
	// client waits for the network), or the server could not be reached
	// since the app started (the client retries at State.RetryAt).
	StatusOffline
)

func (s Status) String() string {
	switch s {
	case StatusConnecting:
		return "connecting"
	case StatusOnline:
		return "online"
	case StatusReconnecting:
		return "reconnecting"
	case StatusOffline:
		return "offline"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// State is what the user sees of the connection.
type State struct {
	Status Status
	// RetryAt is when the next attempt starts, while reconnecting or
	// offline; it is zero while an attempt is under way.
	RetryAt time.Time
	// Attempt counts the failed attempts since the last success.
	Attempt int
	// NoNetwork is set while offline because the device has no network.
	NoNetwork bool
	// Err says, for people, why the last attempt failed.
	Err string
}

// ErrReplaced is returned by Run when another connection of this session
// took over (the app was opened in another window with the same nickname).
var ErrReplaced = errors.New("this nickname is now connected from another window")

// ErrNotConnected is returned by History while the client is not online.
var ErrNotConnected = errors.New("not connected")

// ClientConfig configures a Client. URL and Join are required; the other
// fields have defaults.
type ClientConfig struct {
	// URL is the server's WebSocket URL, such as ws://localhost:8080/ws.
	URL string
	// Join is sent on every (re)connection; its Session is filled in from
	// the last welcome.
	Join shared.Join
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
	// OnState and OnEvent are called on the client's goroutine, in order,
	// when the connection state changes and for each event from the
	// server. They must not block for long.
	OnState func(State)
	OnEvent func(Event)
}

// Event is one event from the server, decoded once for the client and the
// UI. Type says which field is set; other types set none.
type Event struct {
	Type     shared.Type
	Welcome  *shared.Welcome
	Presence *shared.Presence
	Update   *shared.PresenceUpdate
	History  *shared.History
	Message  *shared.Message
	Ack      *shared.Ack
	Error    *shared.Error
}

// decodeEvent decodes the payload of env into the field of its type.
func decodeEvent(env shared.Envelope) (Event, error) {
	ev := Event{Type: env.Type}
	var payload any
	switch env.Type {
	case shared.TypeWelcome:
		payload = alloc(&ev.Welcome)
	case shared.TypePresence:
		payload = alloc(&ev.Presence)
	case shared.TypePresenceUpdate:
		payload = alloc(&ev.Update)
	case shared.TypeHistory:
		payload = alloc(&ev.History)
	case shared.TypeMessage:
		payload = alloc(&ev.Message)
	case shared.TypeAck:
		payload = alloc(&ev.Ack)
	case shared.TypeError:
		payload = alloc(&ev.Error)
	default:
		return ev, nil
	}
	return ev, env.DecodePayload(payload)
}

// alloc points *field at a new T and returns it.
func alloc[T any](field **T) *T {
	*field = new(T)
	return *field
}

// Client keeps one person connected to a room: it dials, joins, hands
// events to the UI, and reconnects with backoff when the connection drops,
// taking its nickname back with the session token and resuming after the
// last message it saw, so that nothing is missed or received twice.
// Messages said go through the outbox and are sent again until the server
// acknowledges them. Run drives it; Say, History and Wake may be called
// from any goroutine.
type Client struct {
	cfg    ClientConfig
	outbox *Outbox
	wake   chan struct{}

	mu      sync.Mutex
	conn    *shared.Conn // while online
	live    bool         // the join's history is complete: sends go out
	session string       // from the last welcome
	// pos is the id of the last message this client has since Run
	// started (or the Last of its first welcome); hasPos says it is known.
	pos    uint64
	hasPos bool
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
	return &Client{cfg: cfg, outbox: cfg.Outbox, wake: make(chan struct{}, 1), session: cfg.Join.Session}
}

// Run connects and stays connected until ctx ends (it returns ctx.Err()),
// the server refuses the join (it returns the *shared.Error), or another
// connection takes over the session (ErrReplaced).
func (c *Client) Run(ctx context.Context) error {
	attempt := 0
	everOnline := false
	for {
		if err := ctx.Err(); err != nil {
			return err
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
		if attempt == 0 {
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
		case websocket.CloseStatus(err) == shared.StatusReplaced:
			return ErrReplaced
		}
		if welcomed {
			attempt, everOnline, lost = 0, true, StatusReconnecting
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

// connect dials, joins and relays events until the connection ends. It
// reports whether the join was welcomed.
func (c *Client) connect(ctx context.Context) (welcomed bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	conn, err := c.cfg.Dial(dctx, c.cfg.URL)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		c.mu.Lock()
		c.conn, c.live = nil, false
		c.mu.Unlock()
		conn.Close(websocket.StatusNormalClosure, "")
	}()

	join := c.cfg.Join
	c.mu.Lock()
	join.Session = c.session
	// Resume after the last message this client has. A page that starts
	// with messages waiting resumes where the last page was, to find
	// those that landed before their ack was lost; otherwise it gets the
	// recent history.
	if c.hasPos {
		join.Since = new(c.pos)
	} else if last, ok := c.outbox.LastID(); ok && len(c.outbox.Items()) > 0 {
		join.Since = new(last)
	}
	c.mu.Unlock()
	if err := conn.Write(ctx, shared.TypeJoin, "join", join); err != nil {
		return false, err
	}
	for {
		env, err := conn.Read(ctx)
		var garbled *shared.Error
		switch {
		case errors.As(err, &garbled):
			continue // a frame this client cannot read; skip it
		case err != nil:
			return welcomed, err
		}
		ev, err := decodeEvent(env)
		if err != nil {
			continue // a payload this client cannot read; skip it
		}
		if !welcomed {
			switch ev.Type {
			case shared.TypeError:
				return false, ev.Error
			case shared.TypeWelcome:
				welcomed = true
				c.mu.Lock()
				c.conn, c.session, c.live = conn, ev.Welcome.Session, false
				if join.Since != nil {
					c.pos, c.hasPos = max(c.pos, *join.Since), true
				} else {
					// The history that follows ends at Last; what came
					// before it this client chose not to get.
					c.pos, c.hasPos = ev.Welcome.Last, true
				}
				c.mu.Unlock()
				c.outbox.Seen(c.pos)
				c.cfg.OnState(State{Status: StatusOnline})
			}
		}
		if err := c.track(ctx, conn, ev); err != nil {
			return welcomed, err
		}
		c.cfg.OnEvent(ev)
	}
}

// track follows the events that matter to resuming and to the outbox:
// the ids seen, the acks, and the end of the join's history, after which
// the outbox is sent.
func (c *Client) track(ctx context.Context, conn *shared.Conn, ev Event) error {
	switch ev.Type {
	case shared.TypeHistory:
		h := ev.History
		if h.Reset {
			c.outbox.Reset()
			c.mu.Lock()
			c.pos = 0
			c.mu.Unlock()
		}
		for _, m := range h.Messages {
			c.seen(m)
		}
		if h.Live && h.Before == 0 {
			c.mu.Lock()
			c.live = true
			c.mu.Unlock()
			for _, p := range c.outbox.Items() {
				if err := conn.Write(ctx, shared.TypeSay, p.ClientID, shared.Say{Text: p.Text}); err != nil {
					return err
				}
			}
		}
	case shared.TypeMessage:
		c.seen(*ev.Message)
	case shared.TypeAck:
		c.outbox.Remove(ev.Ack.ClientID)
	case shared.TypeError:
		// A refused message will never be accepted as it is: drop it. It
		// stays for errors worth retrying.
		if e := ev.Error; e.Request == shared.TypeSay && e.Code != shared.CodeInternal {
			c.outbox.Remove(e.Ref)
		}
	}
	return nil
}

// seen records a message received in the room: a message of the outbox
// that arrives has been stored.
func (c *Client) seen(m shared.Message) {
	c.mu.Lock()
	c.pos = max(c.pos, m.ID)
	c.mu.Unlock()
	c.outbox.Seen(m.ID)
	if m.ClientID != "" {
		c.outbox.Remove(m.ClientID)
	}
}

// Say queues text as a new message and returns its client message id. It
// is sent at once if the client is online, and otherwise after the next
// join; until the server acknowledges it, it stays in the outbox.
func (c *Client) Say(ctx context.Context, text string) (string, error) {
	id := NewMessageID()
	c.outbox.Add(Pending{ClientID: id, Text: text, At: time.Now()})
	c.mu.Lock()
	conn, live := c.conn, c.live
	c.mu.Unlock()
	if conn != nil && live {
		// On failure it stays queued: the connection is lost and the
		// next join sends it.
		conn.Write(ctx, shared.TypeSay, id, shared.Say{Text: text})
	}
	return id, nil
}

// History asks for the messages just before the id before; they arrive as
// a History event with Before set.
func (c *Client) History(ctx context.Context, before uint64) error {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return ErrNotConnected
	}
	return conn.Write(ctx, shared.TypeHistory, "", shared.HistoryRequest{Before: before})
}

// Wake ends a wait between attempts at once: the network came back or the
// user is looking. It never blocks.
func (c *Client) Wake() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Session returns the session token of the last welcome.
func (c *Client) Session() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session
}

// NewMessageID returns a fresh client message id.
func NewMessageID() string {
	return "c-" + rand.Text()[:16]
}

// describe turns a connection error into a sentence for people.
func describe(err error) string {
	switch status := websocket.CloseStatus(err); {
	case err == nil:
		return ""
	case status == websocket.StatusGoingAway:
		return "the server is restarting"
	case status == websocket.StatusPolicyViolation:
		return "the connection was too slow to keep up"
	case status != -1:
		return fmt.Sprintf("the server closed the connection (%d)", status)
	}
	var perr *shared.Error
	if errors.As(err, &perr) {
		return perr.Message
	}
	return "cannot reach the server"
}

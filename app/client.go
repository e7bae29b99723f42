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

// ErrNotConnected is returned by Say while the client is not online.
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
	// OnState and OnEvent are called on the client's goroutine, in order,
	// when the connection state changes and for each event from the
	// server. They must not block for long.
	OnState func(State)
	OnEvent func(shared.Envelope)
}

// Client keeps one person connected to a room: it dials, joins, hands
// events to the UI, and reconnects with backoff when the connection drops,
// taking its nickname back with the session token. Run drives it; Say and
// Wake may be called from any goroutine.
type Client struct {
	cfg  ClientConfig
	wake chan struct{}

	mu      sync.Mutex
	conn    *shared.Conn // while online
	session string       // from the last welcome
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
		cfg.OnEvent = func(shared.Envelope) {}
	}
	return &Client{cfg: cfg, wake: make(chan struct{}, 1), session: cfg.Join.Session}
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
		c.conn = nil
		c.mu.Unlock()
		conn.Close(websocket.StatusNormalClosure, "")
	}()

	join := c.cfg.Join
	c.mu.Lock()
	join.Session = c.session
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
		if !welcomed {
			switch env.Type {
			case shared.TypeError:
				var e shared.Error
				if err := env.DecodePayload(&e); err != nil {
					return false, err
				}
				return false, &e
			case shared.TypeWelcome:
				var w shared.Welcome
				if err := env.DecodePayload(&w); err != nil {
					return false, err
				}
				welcomed = true
				c.mu.Lock()
				c.conn, c.session = conn, w.Session
				c.mu.Unlock()
				c.cfg.OnState(State{Status: StatusOnline})
			}
		}
		c.cfg.OnEvent(env)
	}
}

// Say sends text as a new message and returns its client message id. It
// fails with ErrNotConnected unless the client is online.
func (c *Client) Say(ctx context.Context, text string) (string, error) {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return "", ErrNotConnected
	}
	id := NewMessageID()
	if err := conn.Write(ctx, shared.TypeSay, id, shared.Say{Text: text}); err != nil {
		return "", fmt.Errorf("send: %w", err)
	}
	return id, nil
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

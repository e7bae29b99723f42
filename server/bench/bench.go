//go:build !js

package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"livechat/server/proc"
	"livechat/shared"
)

// Config describes one load run. Zero values select the defaults of the
// command's flags.
type Config struct {
	// URL is the server's base URL (http, https, ws or wss).
	URL string
	// Clients connect and join; Rooms share them out in turn; the first
	// Senders of them also send, Rate messages per second all together,
	// for Duration, each message Size bytes of text.
	Clients, Rooms, Senders int
	Rate                    float64
	Duration                time.Duration
	Size                    int
	// Ramp is how many clients connect per second (0: as fast as they
	// can, 200 at a time).
	Ramp float64
	// Typists is how many of the connected clients of each room (the
	// highest numbered: not senders, when the room has enough others)
	// say they are typing, once per shared.TypingEvery, while the
	// senders send, as a client does while someone composes. (A
	// sender's message ends its typing: the server drops a typing of
	// theirs not yet told.) Their typing events are counted apart from
	// messages.
	Typists int
	// PID is the server's process ID, when it runs on this machine: its
	// memory and CPU time are then read from /proc. Else, if MetricsURL
	// is set, they are read from the server's Prometheus metrics there
	// (with MetricsToken as a bearer token, if set); else they are not
	// measured.
	PID          int
	MetricsURL   string
	MetricsToken string
	// Drain is how long to wait for deliveries after the last send.
	Drain time.Duration
	// Progress receives a line now and then; nil: none.
	Progress io.Writer
	// HTTPClient dials the WebSocket connections; nil: the default.
	HTTPClient *http.Client
	// NewAccounts makes each client a new person, signing up as it
	// connects. By default the clients are returning people: their
	// accounts are made before the timed connection, which signs in with
	// their credentials.
	NewAccounts bool
	// DMs pairs the clients into direct conversations (0 and 1, 2 and 3,
	// ...), opened before the timed connection, instead of sharing them
	// out to Rooms public rooms. It needs the accounts made first (not
	// NewAccounts).
	DMs bool
}

func (c *Config) setDefaults() {
	c.Clients = max(c.Clients, 1)
	c.Rooms = min(max(c.Rooms, 1), c.Clients)
	if c.DMs {
		c.Clients += c.Clients % 2 // pairs
		c.Rooms = c.Clients / 2
		c.NewAccounts = false
	}
	c.Senders = min(max(c.Senders, 0), c.Clients)
	c.Typists = min(max(c.Typists, 0), c.Clients)
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	c.Size = max(c.Size, 64)
	if c.Drain <= 0 {
		c.Drain = 5 * time.Second
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
}

// Result is what a run measured.
type Result struct {
	Clients   int `json:"clients"`
	Connected int `json:"connected"`
	Failed    int `json:"failed"`
	// Kicked counts clients the server disconnected during the run.
	Kicked         int     `json:"kicked"`
	ConnectSeconds float64 `json:"connect_seconds"`
	// ConnectCPUSeconds is the server's CPU time from the first dial to
	// the end of the presence events of the connection phase.
	ConnectCPUSeconds float64 `json:"connect_cpu_seconds"`

	// Sent counts messages written to the server; Acknowledged, those it
	// acknowledged as stored. Only acknowledged messages are expected:
	// Expected is, for each, the clients that were in its room and were
	// not disconnected, and Lost counts those of them that never got it.
	Sent         int64 `json:"sent"`
	Acknowledged int64 `json:"acknowledged"`
	Expected     int64 `json:"expected_deliveries"`
	Delivered    int64 `json:"delivered"`
	Lost         int64 `json:"lost"`
	Duplicated   int64 `json:"duplicated"`
	OutOfOrder   int64 `json:"out_of_order"`

	P50ms float64 `json:"p50_ms"`
	P90ms float64 `json:"p90_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`

	DeliveriesPerSecond float64 `json:"deliveries_per_second"`

	// TypingSent counts typing requests written (Config.Typists);
	// TypingExpected, for each, the other clients in its room then: the
	// typing events the server would send if it passed each on alone.
	// It sends fewer: it gathers those of a room for
	// shared.TypingGathered into one event, and skips connections
	// catching up or with much queued, and typing events of one person
	// less than about 2.5 s apart. TypingDelivered counts the typing
	// events received.
	// Typing events are not messages: the counts, latencies and
	// deliveries above leave them out.
	TypingSent      int64 `json:"typing_sent"`
	TypingExpected  int64 `json:"typing_expected"`
	TypingDelivered int64 `json:"typing_delivered"`

	// ServerMeasured is set when the server's memory and CPU time were
	// read (Config.PID or MetricsURL); the figures below are 0 otherwise.
	ServerMeasured       bool    `json:"server_measured"`
	ServerRSSStartMB     float64 `json:"server_rss_start_mb"`
	ServerRSSConnectedMB float64 `json:"server_rss_connected_mb"`
	ServerRSSEndMB       float64 `json:"server_rss_end_mb"`
	// BytesPerConnection is the server's memory growth from before the
	// clients connected to when the connection phase has settled, per
	// client.
	BytesPerConnection float64 `json:"bytes_per_connection"`
	// ServerCPUSeconds is the server's CPU time while messages flowed.
	ServerCPUSeconds       float64 `json:"server_cpu_seconds"`
	DeliveriesPerCPUSecond float64 `json:"deliveries_per_cpu_second"`
	// AllDeliveriesPerCPUSecond counts typing events too.
	AllDeliveriesPerCPUSecond float64 `json:"all_deliveries_per_cpu_second"`
}

// run is the state of one load run.
type run struct {
	cfg    Config
	id     string // marks this run's rooms and messages
	wsURL  string
	marker []byte // `~b|<id>|`, how every text of this run begins

	rooms    []atomic.Int64 // connected clients per room
	stopping atomic.Bool
	// credentials[i] signs client i in, for returning people.
	credentials []string
	// dms[k] is the id of the direct conversation of room k (DMs).
	dms []string

	sent, acked, expected, delivered, dups, disorder atomic.Int64
	kicked, failed                                   atomic.Int64
	typingSent, typingExpected, typingDelivered      atomic.Int64
	typedAt                                          atomic.Int64 // unix nanoseconds of the last typing request
	lat                                              histogram
	lastDelivery                                     atomic.Int64 // unix nanos
}

// client is one simulated person. Its counters are its own, merged when
// the run ends, so that readers do not contend on shared cache lines.
type client struct {
	r    *run
	i    int
	room int
	conn *shared.Conn
	// seen[sender] holds the sequence numbers received from sender.
	seen []bitset
	done chan struct{}

	mu                        sync.Mutex // guards the fields below while reading
	delivered, dups, disorder int64
	typing                    int64 // typing events received
	lastDelivery              time.Time
	lat                       *histogram // allocated on the first delivery
	kicked                    bool       // the server closed the connection
	// acked holds the sequence numbers of this client's own messages the
	// server acknowledged (senders only).
	acked bitset
}

// Run connects the clients, runs the senders, waits for deliveries and
// returns the measurements. It stops early if ctx ends.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg.setDefaults()
	r := &run{cfg: cfg, id: strings.ToLower(rand.Text()[:6]), rooms: make([]atomic.Int64, cfg.Rooms)}
	// '~' is rare in JSON, which makes the marker quick to find.
	r.marker = []byte(`~b|` + r.id + `|`)
	u := cfg.URL
	switch {
	case strings.HasPrefix(u, "http://"):
		u = "ws://" + strings.TrimPrefix(u, "http://")
	case strings.HasPrefix(u, "https://"):
		u = "wss://" + strings.TrimPrefix(u, "https://")
	}
	r.wsURL = strings.TrimSuffix(strings.TrimSuffix(u, "/ws"), "/") + "/ws"

	res := Result{Clients: cfg.Clients}
	start, err := r.usage(ctx)
	if err != nil {
		return res, fmt.Errorf("server usage: %w", err)
	}

	if !cfg.NewAccounts {
		fmt.Fprintf(cfg.Progress, "making %d accounts (not timed)\n", cfg.Clients)
		if err := r.signUpAll(ctx); err != nil {
			return res, err
		}
		if cfg.DMs {
			fmt.Fprintf(cfg.Progress, "opening %d direct conversations (not timed)\n", cfg.Rooms)
			if err := r.openDMs(ctx); err != nil {
				return res, err
			}
		}
		if start, err = r.usage(ctx); err != nil {
			return res, fmt.Errorf("server usage: %w", err)
		}
	}
	fmt.Fprintf(cfg.Progress, "connecting %d clients to %s in %d rooms\n", cfg.Clients, r.wsURL, cfg.Rooms)
	t0 := time.Now()
	clients := r.connectAll(ctx)
	res.ConnectSeconds = time.Since(t0).Seconds()
	res.Connected = len(clients)
	res.Failed = int(r.failed.Load())
	defer r.closeAll(clients)
	if len(clients) == 0 {
		return res, errors.New("no client could connect")
	}
	fmt.Fprintf(cfg.Progress, "%d connected in %.2fs (%d failed)\n", len(clients), res.ConnectSeconds, res.Failed)

	// Let the presence events of the connection phase drain; then the
	// server's memory is what its idle connections cost.
	r.settle(ctx)
	connected, _ := r.usage(ctx)
	res.BytesPerConnection = float64(connected.RSS-start.RSS) / float64(len(clients))
	res.ConnectCPUSeconds = (connected.CPU - start.CPU).Seconds()
	before := connected
	sendStart := time.Now()
	sending := cfg.Senders > 0 && cfg.Rate > 0
	if sending || cfg.Typists > 0 {
		fmt.Fprintf(cfg.Progress, "sending %.0f msg/s from %d senders, typing from %d clients per room, for %s\n",
			cfg.Rate, cfg.Senders, cfg.Typists, cfg.Duration)
		var wg sync.WaitGroup
		wg.Go(func() { r.typing(ctx, typists(clients, cfg.Typists)) })
		if sending {
			r.send(ctx, clients[:min(cfg.Senders, len(clients))])
		}
		wg.Wait()
		deadline := time.Now().Add(cfg.Drain)
		for r.collect(clients, false); (r.delivered.Load() < r.expected.Load() || r.acked.Load() < r.sent.Load() || r.typingDue()) && time.Now().Before(deadline) && ctx.Err() == nil; r.collect(clients, false) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	after, _ := r.usage(ctx)
	r.stopping.Store(true)
	r.collect(clients, true)

	res.Kicked = int(r.kicked.Load())
	res.Sent, res.Acknowledged = r.sent.Load(), r.acked.Load()
	res.Delivered, res.Duplicated, res.OutOfOrder = r.delivered.Load(), r.dups.Load(), r.disorder.Load()
	res.Expected, res.Lost = r.losses(clients)
	res.TypingSent, res.TypingExpected, res.TypingDelivered = r.typingSent.Load(), r.typingExpected.Load(), r.typingDelivered.Load()
	res.P50ms, res.P90ms = ms(r.lat.Quantile(0.50)), ms(r.lat.Quantile(0.90))
	res.P99ms, res.MaxMs = ms(r.lat.Quantile(0.99)), ms(r.lat.Max())
	if last := r.lastDelivery.Load(); last > 0 && res.Delivered > 0 {
		res.DeliveriesPerSecond = float64(res.Delivered) / time.Unix(0, last).Sub(sendStart).Seconds()
	}
	res.ServerMeasured = cfg.PID > 0 || cfg.MetricsURL != ""
	res.ServerRSSStartMB, res.ServerRSSConnectedMB, res.ServerRSSEndMB = mb(start.RSS), mb(connected.RSS), mb(after.RSS)
	res.ServerCPUSeconds = (after.CPU - before.CPU).Seconds()
	if res.ServerCPUSeconds > 0 {
		res.DeliveriesPerCPUSecond = float64(res.Delivered) / res.ServerCPUSeconds
		res.AllDeliveriesPerCPUSecond = float64(res.Delivered+res.TypingDelivered) / res.ServerCPUSeconds
	}
	return res, ctx.Err()
}

// typingDue reports whether typing events may still be on their way: the
// server gathers a room's typing for shared.TypingGathered before it
// tells anyone, so the drain waits that long (and a second for the
// delivery) after the last typing request.
func (r *run) typingDue() bool {
	at := r.typedAt.Load()
	return at != 0 && time.Since(time.Unix(0, at)) < shared.TypingGathered+time.Second
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mb(b int64) float64         { return float64(b) / (1 << 20) }

// usage returns the server's memory and CPU time, or nothing if they are
// not measured (see Config.PID).
func (r *run) usage(ctx context.Context) (proc.Usage, error) {
	switch {
	case r.cfg.PID > 0:
		return proc.Of(r.cfg.PID)
	case r.cfg.MetricsURL != "":
		return metricsUsage(ctx, r.cfg.MetricsURL, r.cfg.MetricsToken)
	}
	return proc.Usage{}, nil
}

// connectAll connects the clients at the configured ramp and returns those
// that joined.
func (r *run) connectAll(ctx context.Context) []*client {
	var (
		mu      sync.Mutex
		clients []*client
		wg      sync.WaitGroup
	)
	inflight := make(chan struct{}, 200)
	var tick <-chan time.Time
	if r.cfg.Ramp > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / r.cfg.Ramp))
		defer t.Stop()
		tick = t.C
	}
	for i := range r.cfg.Clients {
		if tick != nil {
			select {
			case <-tick:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		inflight <- struct{}{}
		wg.Go(func() {
			defer func() { <-inflight }()
			c, err := r.connect(ctx, i)
			if err != nil {
				r.failed.Add(1)
				return
			}
			mu.Lock()
			clients = append(clients, c)
			n := len(clients)
			mu.Unlock()
			if n%1000 == 0 {
				fmt.Fprintf(r.cfg.Progress, "  %d connected\n", n)
			}
		})
	}
	wg.Wait()
	// Senders are the clients with the lowest numbers.
	slices.SortFunc(clients, func(a, b *client) int { return a.i - b.i })
	return clients
}

// nickname returns the nickname of client i.
func (r *run) nickname(i int) string { return "b" + r.id + "-" + strconv.Itoa(i) }

// signUpAll makes the accounts of the clients, 200 at a time, and keeps
// their credentials.
func (r *run) signUpAll(ctx context.Context) error {
	r.credentials = make([]string, r.cfg.Clients)
	errs := make(chan error, 1)
	sem := make(chan struct{}, 200)
	var wg sync.WaitGroup
	for i := range r.cfg.Clients {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			cred, err := r.signUp(ctx, i)
			if err != nil {
				select {
				case errs <- fmt.Errorf("sign up client %d: %w", i, err):
				default:
				}
				return
			}
			r.credentials[i] = cred
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// signUp makes the account of client i and returns its credential.
func (r *run) signUp(ctx context.Context, i int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := r.dialHello(ctx, shared.Hello{Protocol: shared.ProtocolVersion, Nickname: r.nickname(i), Device: "livechat bench"})
	if err != nil {
		return "", err
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	for {
		env, err := conn.Read(ctx)
		if err != nil {
			return "", err
		}
		switch env.Type {
		case shared.TypeError:
			return "", fmt.Errorf("%s", env.Payload)
		case shared.TypeWelcome:
			var w shared.Welcome
			if err := env.DecodePayload(&w); err != nil {
				return "", err
			}
			return w.Credential, nil
		}
	}
}

// connect dials and joins for client i and starts its reader.
func (r *run) connect(ctx context.Context, i int) (*client, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, r.wsURL, &websocket.DialOptions{HTTPClient: r.cfg.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", r.wsURL, err)
	}
	conn := shared.NewConn(ws, shared.MaxServerFrameBytes)
	c := &client{r: r, i: i, room: i % r.cfg.Rooms, conn: conn, done: make(chan struct{})}
	if r.cfg.DMs {
		c.room = i / 2
	}
	// Hello and join go out together.
	hello := shared.Hello{Protocol: shared.ProtocolVersion, Nickname: r.nickname(i), Device: "livechat bench"}
	if r.credentials != nil {
		hello = shared.Hello{Protocol: shared.ProtocolVersion, Credential: r.credentials[i]}
	}
	if err := conn.Write(dctx, shared.TypeHello, "", hello); err != nil {
		conn.WebSocket().CloseNow()
		return nil, err
	}
	if err := conn.Write(dctx, shared.TypeJoin, "", shared.Join{Room: r.roomName(c.room), History: new(0)}); err != nil {
		conn.WebSocket().CloseNow()
		return nil, err
	}
	for {
		env, err := conn.Read(dctx)
		if err != nil {
			conn.WebSocket().CloseNow()
			return nil, err
		}
		if env.Type == shared.TypeError {
			conn.WebSocket().CloseNow()
			return nil, fmt.Errorf("sign in and join: %s", env.Payload)
		}
		var h shared.History
		if env.Type == shared.TypeHistory && env.DecodePayload(&h) == nil && h.Live {
			break
		}
	}
	r.rooms[c.room].Add(1)
	go c.read(ctx)
	return c, nil
}

func (r *run) roomName(i int) string {
	if r.dms != nil {
		return r.dms[i]
	}
	return fmt.Sprintf("b%s-%d", r.id, i)
}

// dialHello connects an untimed helper connection and says hello; the
// caller closes it.
func (r *run) dialHello(ctx context.Context, hello shared.Hello) (*shared.Conn, error) {
	ws, _, err := websocket.Dial(ctx, r.wsURL, &websocket.DialOptions{HTTPClient: r.cfg.HTTPClient})
	if err != nil {
		return nil, err
	}
	conn := shared.NewConn(ws, shared.MaxServerFrameBytes)
	if err := conn.Write(ctx, shared.TypeHello, "", hello); err != nil {
		ws.CloseNow()
		return nil, err
	}
	return conn, nil
}

// openDMs opens the direct conversation of each pair of clients, 200 at
// a time, and keeps their ids.
func (r *run) openDMs(ctx context.Context) error {
	r.dms = make([]string, r.cfg.Rooms)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, 200)
	for k := range r.cfg.Rooms {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			id, err := r.openDM(ctx, 2*k, 2*k+1)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = fmt.Errorf("open the conversation of clients %d and %d: %w", 2*k, 2*k+1, err)
			}
			r.dms[k] = id
		})
	}
	wg.Wait()
	return first
}

// openDM opens the direct conversation of clients i and j, as i.
func (r *run) openDM(ctx context.Context, i, j int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := r.dialHello(ctx, shared.Hello{Protocol: shared.ProtocolVersion, Credential: r.credentials[i]})
	if err != nil {
		return "", err
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	if err := conn.Write(ctx, shared.TypeOpenDM, "dm", shared.OpenDM{People: []string{r.nickname(j)}}); err != nil {
		return "", err
	}
	for {
		env, err := conn.Read(ctx)
		if err != nil {
			return "", err
		}
		switch {
		case env.Type == shared.TypeError:
			return "", fmt.Errorf("%s", env.Payload)
		case env.Type == shared.TypeRoom && env.ID == "dm":
			var info shared.RoomInfo
			if err := env.DecodePayload(&info); err != nil {
				return "", err
			}
			return info.ID, nil
		}
	}
}

// read counts the deliveries of this run's messages until the connection
// ends. It reads into one reused buffer, with no context per read (the
// run ends it by closing the connection): the load tool must cost the
// machine less than the server it measures.
func (c *client) read(context.Context) {
	defer close(c.done)
	ws := c.conn.WebSocket()
	var buf bytes.Buffer
	for {
		_, r, err := ws.Reader(context.Background())
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			if !c.r.stopping.Load() {
				c.r.kicked.Add(1)
				c.r.rooms[c.room].Add(-1)
				c.mu.Lock()
				c.kicked = true
				c.mu.Unlock()
			}
			return
		}
		c.mu.Lock()
		if c.i < c.r.cfg.Senders {
			c.scanAcks(buf.Bytes())
		}
		c.scan(buf.Bytes(), time.Now())
		c.typing += int64(bytes.Count(buf.Bytes(), typingHead))
		c.mu.Unlock()
	}
}

// ackHead begins every ack envelope (the server writes the type first);
// typingHead, every typing event. Neither can occur inside a message's
// text, whose quotes JSON escapes.
var (
	ackHead    = []byte(`{"type":"ack","payload":`)
	typingHead = []byte(`{"type":"typing",`)
)

// scanAcks records the acknowledgements of this sender's messages in a
// frame, decoding only their payloads. An acknowledged message is
// expected by everyone in the room now. The caller holds c.mu.
func (c *client) scanAcks(frame []byte) {
	r := c.r
	for {
		i := bytes.Index(frame, ackHead)
		if i < 0 {
			return
		}
		frame = frame[i+len(ackHead):]
		end := bytes.IndexByte(frame, '}')
		if end < 0 {
			return
		}
		var a shared.Ack
		if json.Unmarshal(frame[:end+1], &a) != nil || a.Duplicate {
			continue
		}
		seq, err := strconv.Atoi(strings.TrimPrefix(a.ClientID, "m"))
		if err != nil || c.acked.has(seq) {
			continue
		}
		c.acked.set(seq)
		r.acked.Add(1)
		r.expected.Add(r.rooms[c.room].Load())
	}
}

// scan finds this run's messages in a frame (one message, or a batch) by
// their text, without decoding the JSON: the load tool must keep up with
// the server.
func (c *client) scan(frame []byte, now time.Time) {
	r := c.r
	for {
		i := bytes.Index(frame, r.marker)
		if i < 0 {
			return
		}
		frame = frame[i+len(r.marker):]
		sender, rest, ok1 := field(frame)
		seq, rest, ok2 := field(rest)
		sentAt, rest, ok3 := field(rest)
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		frame = rest
		if int(sender) >= r.cfg.Senders {
			continue
		}
		if c.seen == nil {
			c.seen = make([]bitset, r.cfg.Senders)
			c.lat = new(histogram)
		}
		seen := &c.seen[sender]
		switch {
		case seen.has(int(seq)):
			c.dups++
			continue
		case seen.max > int(seq):
			c.disorder++
		}
		seen.set(int(seq))
		c.delivered++
		c.lat.Record(now.Sub(time.Unix(0, sentAt)))
		c.lastDelivery = now
	}
}

// losses returns the deliveries expected (for every acknowledged message,
// each client of its room that was not disconnected) and, of those, how
// many did not arrive. Messages that were sent but not acknowledged are
// expected by nobody: the server may not have stored them.
func (r *run) losses(clients []*client) (expected, lost int64) {
	acked := make(map[int][]bitset, r.cfg.Rooms) // room -> acked seqs of each sender
	for _, c := range clients {
		if c.i >= r.cfg.Senders {
			continue
		}
		if acked[c.room] == nil {
			acked[c.room] = make([]bitset, r.cfg.Senders)
		}
		c.mu.Lock()
		acked[c.room][c.i] = bitset{words: slices.Clone(c.acked.words)}
		c.mu.Unlock()
	}
	for _, c := range clients {
		c.mu.Lock()
		if !c.kicked {
			for sender, want := range acked[c.room] {
				var seen *bitset
				if sender < len(c.seen) {
					seen = &c.seen[sender]
				}
				n, missing := want.missingFrom(seen)
				expected += n
				lost += missing
			}
		}
		c.mu.Unlock()
	}
	return expected, lost
}

// collect adds the clients' counters to the run's, and their latencies
// too if asked.
func (r *run) collect(clients []*client, latencies bool) {
	r.delivered.Store(0)
	r.dups.Store(0)
	r.disorder.Store(0)
	r.typingDelivered.Store(0)
	if latencies {
		r.lat = histogram{}
	}
	var last time.Time
	for _, c := range clients {
		c.mu.Lock()
		r.delivered.Add(c.delivered)
		r.dups.Add(c.dups)
		r.disorder.Add(c.disorder)
		r.typingDelivered.Add(c.typing)
		if latencies && c.lat != nil {
			r.lat.merge(c.lat)
		}
		if c.lastDelivery.After(last) {
			last = c.lastDelivery
		}
		c.mu.Unlock()
	}
	if !last.IsZero() {
		r.lastDelivery.Store(last.UnixNano())
	}
}

// field parses a decimal number ended by '|'.
func field(b []byte) (n int64, rest []byte, ok bool) {
	for i, ch := range b {
		switch {
		case ch == '|' && i > 0:
			return n, b[i+1:], true
		case ch >= '0' && ch <= '9' && i < 19:
			n = n*10 + int64(ch-'0')
		default:
			return 0, b, false
		}
	}
	return 0, b, false
}

// bitset records sequence numbers.
type bitset struct {
	words []uint64
	max   int
}

func (s *bitset) has(i int) bool { return i/64 < len(s.words) && s.words[i/64]&(1<<(i%64)) != 0 }

// missingFrom returns how many numbers s holds, and how many of them other
// (nil: empty) does not.
func (s *bitset) missingFrom(other *bitset) (n, missing int64) {
	for i, w := range s.words {
		var o uint64
		if other != nil && i < len(other.words) {
			o = other.words[i]
		}
		n += int64(bits.OnesCount64(w))
		missing += int64(bits.OnesCount64(w &^ o))
	}
	return n, missing
}

func (s *bitset) set(i int) {
	for i/64 >= len(s.words) {
		s.words = append(s.words, 0)
	}
	s.words[i/64] |= 1 << (i % 64)
	s.max = max(s.max, i)
}

// send runs the senders for the configured duration, each at its share of
// the rate, on a fixed schedule. The duration ends the schedule, never a
// write under way: a message counts as sent once written, and is expected
// by the room once acknowledged (see scanAcks).
func (r *run) send(ctx context.Context, senders []*client) {
	schedule, cancel := context.WithTimeout(ctx, r.cfg.Duration)
	defer cancel()
	interval := time.Duration(float64(len(senders)) / r.cfg.Rate * float64(time.Second))
	var wg sync.WaitGroup
	for k, c := range senders {
		wg.Go(func() {
			// Spread the senders over the interval.
			next := time.Now().Add(interval * time.Duration(k) / time.Duration(len(senders)))
			pad := strings.Repeat("x", r.cfg.Size)
			room := r.roomName(c.room)
			timer := time.NewTimer(0)
			defer timer.Stop()
			for seq := 0; ; seq++ {
				if d := time.Until(next); d > 0 {
					timer.Reset(d)
					select {
					case <-timer.C:
					case <-schedule.Done():
						return
					}
				} else if schedule.Err() != nil {
					return
				}
				next = next.Add(interval)
				head := fmt.Sprintf("~b|%s|%d|%d|%d|", r.id, c.i, seq, time.Now().UnixNano())
				text := head + pad[:max(r.cfg.Size-len(head), 0)]
				wctx, cancel := context.WithTimeout(ctx, writeTimeout)
				err := c.conn.Write(wctx, shared.TypeSay, "m"+strconv.Itoa(seq), shared.Say{Room: room, Text: text})
				cancel()
				if err != nil {
					return
				}
				r.sent.Add(1)
			}
		})
	}
	wg.Wait()
}

// typists returns the last n clients of each room (clients are in
// order of number, the senders first).
func typists(clients []*client, n int) []*client {
	var out []*client
	per := make(map[int]int)
	for _, c := range slices.Backward(clients) {
		if per[c.room] < n {
			per[c.room]++
			out = append(out, c)
		}
	}
	return out
}

// typing has each of typists say it is typing in its room once per
// shared.TypingEvery, spread over that interval, for the configured
// duration (as send). Each typing request is expected by the others in
// its room then.
func (r *run) typing(ctx context.Context, typists []*client) {
	if len(typists) == 0 {
		return
	}
	schedule, cancel := context.WithTimeout(ctx, r.cfg.Duration)
	defer cancel()
	var wg sync.WaitGroup
	for k, c := range typists {
		wg.Go(func() {
			next := time.Now().Add(shared.TypingEvery * time.Duration(k) / time.Duration(len(typists)))
			timer := time.NewTimer(0)
			defer timer.Stop()
			req := shared.Typing{Room: r.roomName(c.room)}
			for {
				timer.Reset(time.Until(next))
				select {
				case <-timer.C:
				case <-schedule.Done():
					return
				}
				next = next.Add(shared.TypingEvery)
				others := r.rooms[c.room].Load() - 1
				wctx, cancel := context.WithTimeout(ctx, writeTimeout)
				err := c.conn.Write(wctx, shared.TypeTyping, "", req)
				cancel()
				if err != nil {
					return
				}
				r.typingSent.Add(1)
				r.typedAt.Store(time.Now().UnixNano())
				r.typingExpected.Add(max(others, 0))
			}
		})
	}
	wg.Wait()
}

// writeTimeout bounds one write of a sender: a server that reads nothing
// for this long has failed.
const writeTimeout = 30 * time.Second

// settle waits until the server's CPU use drops after the connection
// phase, or at most 10 seconds.
func (r *run) settle(ctx context.Context) {
	prev, err := r.usage(ctx)
	if err != nil {
		time.Sleep(time.Second)
		return
	}
	for range 20 {
		time.Sleep(500 * time.Millisecond)
		cur, err := r.usage(ctx)
		if err != nil || cur.CPU-prev.CPU < 50*time.Millisecond {
			return
		}
		prev = cur
	}
}

// closeAll closes every connection normally and waits for the readers.
func (r *run) closeAll(clients []*client) {
	r.stopping.Store(true)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 500)
	for _, c := range clients {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c.conn.Close(websocket.StatusNormalClosure, "")
			<-c.done
		})
	}
	wg.Wait()
}

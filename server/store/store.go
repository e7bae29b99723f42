//go:build !js

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"livechat/shared"
)

// Config configures a Store. The zero value of each field selects the
// default in its comment.
type Config struct {
	// Dir is the data directory of the embedded NATS server. Required
	// unless URLs is set.
	Dir string
	// URLs of an external NATS server or cluster. Empty: embedded.
	URLs []string
	// RoomMessages caps the messages a room keeps; the oldest go first.
	// Default: 10,000.
	RoomMessages int64
	// RoomBytes caps the bytes a room keeps; the oldest go first (see
	// Retention). Default: 64 MiB, or MaxStore if less.
	RoomBytes int64
	// MaxAge, if set, removes messages older than this.
	MaxAge time.Duration
	// EmptyRoomAfter is how long a room without messages keeps its
	// stream (see Retention). Default: 24 hours.
	EmptyRoomAfter time.Duration
	// TrimInterval is how often the store checks its bounds (see
	// Retention). Default: 30 seconds.
	TrimInterval time.Duration
	// MaxStore and MaxMemory bound the embedded JetStream's disk and
	// memory; with an external NATS, MaxStore is the most its rooms may
	// hold together before the oldest messages go (see Retention).
	// Defaults: 10 GiB and 256 MiB.
	MaxStore, MaxMemory int64
	// Replicas of each room's stream on a cluster. Default: 1.
	Replicas int
	// DedupeWindow is how long a client message id is remembered to drop
	// a resent message. Default: 2 minutes.
	DedupeWindow time.Duration
}

func (c *Config) setDefaults() {
	if c.RoomMessages <= 0 {
		c.RoomMessages = 10_000
	}
	if c.MaxStore <= 0 {
		c.MaxStore = 10 << 30
	}
	if c.MaxMemory <= 0 {
		c.MaxMemory = 256 << 20
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.RoomBytes <= 0 {
		c.RoomBytes = 64 << 20
	}
	c.RoomBytes = min(c.RoomBytes, c.MaxStore)
	if c.EmptyRoomAfter <= 0 {
		c.EmptyRoomAfter = 24 * time.Hour
	}
	if c.TrimInterval <= 0 {
		c.TrimInterval = 30 * time.Second
	}
	if c.DedupeWindow <= 0 {
		c.DedupeWindow = 2 * time.Minute
	}
}

// ErrClosed is returned after Close.
var ErrClosed = errors.New("store closed")

// ErrDirInUse is the error (wrapped) of Open when another process holds
// the data directory: a running livechat server, which must be stopped
// before anything else opens its embedded store.
var ErrDirInUse = errors.New("data directory in use")

// dirInUseError says which process holds the data directory.
type dirInUseError struct{ msg string }

func (e *dirInUseError) Error() string { return e.msg }
func (e *dirInUseError) Unwrap() error { return ErrDirInUse }

// Store is the message log of every room. All methods are safe for
// concurrent use.
type Store struct {
	cfg    Config
	log    *slog.Logger
	nc     *nats.Conn
	js     jetstream.JetStream
	ns     *server.Server // embedded server, or nil
	unlock func()

	mu      sync.Mutex
	streams map[string]bool // rooms whose stream is known to exist
	// subscribers counts the Subscribe calls not stopped, by room;
	// retiredKV is the bucket of retiredBucket, once opened.
	subscribers map[string]int
	retiredKV   *Bucket

	// trimMu serialises Trim; trimWake has a token when trimLoop should
	// trim at once; trimDone is closed when trimLoop has ended (nil if
	// it never started).
	trimMu   sync.Mutex
	trimWake chan struct{}
	trimDone chan struct{}

	// appends maps each message published by AppendAsync to its callback.
	appends sync.Map // *nats.Msg -> *pendingAppend

	// durable, for the embedded server, syncs rooms' files before their
	// messages are acknowledged or delivered (see durable.go); nil for an
	// external NATS, whose own settings decide.
	durable *durability
	// acked holds the acknowledgements JetStream gave, for ackLoop to pass
	// on once durable (embedded server only); ackWake has a token when it
	// is not empty.
	ackMu    sync.Mutex
	acked    []*pendingAppend
	ackWake  chan struct{}
	ackStop  chan struct{}
	ackDone  chan struct{}
	stopOnce sync.Once
}

// pendingAppend is a message published by AppendAsync, and then its
// outcome.
type pendingAppend struct {
	room string
	done func(id uint64, duplicate bool, err error)
	id   uint64
	dup  bool
	err  error
}

// Open connects to NATS (starting the embedded server if cfg.URLs is
// empty) and returns a store. The caller must Close it.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (_ *Store, err error) {
	cfg.setDefaults()
	s := &Store{
		cfg: cfg, log: log, streams: make(map[string]bool), subscribers: make(map[string]int),
		trimWake: make(chan struct{}, 1),
		ackWake:  make(chan struct{}, 1), ackStop: make(chan struct{}), ackDone: make(chan struct{}),
	}
	go s.ackLoop()
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	opts := []nats.Option{
		nats.Name("livechat"),
		nats.MaxReconnects(-1),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			log.Warn("nats", "subject", subject, "err", err)
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("nats reconnected", "url", nc.ConnectedUrl()) }),
	}
	if len(cfg.URLs) == 0 {
		if err := s.startEmbedded(); err != nil {
			return nil, err
		}
		opts = append(opts, nats.InProcessServer(s.ns))
		s.durable = newDurability(cfg.Dir)
	}
	url := ""
	for i, u := range cfg.URLs {
		if i > 0 {
			url += ","
		}
		url += u
	}
	if s.nc, err = nats.Connect(url, opts...); err != nil {
		return nil, fmt.Errorf("connect to nats %s: %w", url, err)
	}
	if s.js, err = jetstream.New(s.nc,
		jetstream.WithPublishAsyncMaxPending(1<<14),
		jetstream.WithPublishAsyncTimeout(10*time.Second),
		jetstream.WithPublishAsyncAckHandler(func(_ jetstream.JetStream, msg *nats.Msg, ack *jetstream.PubAck) {
			s.appended(msg, ack.Sequence, ack.Duplicate, nil)
		}),
		jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, msg *nats.Msg, err error) {
			s.appended(msg, 0, false, fmt.Errorf("store message: %w", err))
		}),
	); err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if _, err := s.js.AccountInfo(ctx); err != nil {
		return nil, fmt.Errorf("jetstream is not available on %s: %w", s.where(), err)
	}
	s.trimDone = make(chan struct{})
	go s.trimLoop()
	log.Info("message store ready", "nats", s.where())
	return s, nil
}

// Ping checks that the store answers: a round trip to JetStream.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("message store on %s: %w", s.where(), err)
	}
	return nil
}

// Shared returns the connection to NATS and its JetStream if other
// servers may share them (an external NATS), or nils for the embedded
// one, which only this process reaches.
func (s *Store) Shared() (*nats.Conn, jetstream.JetStream) {
	if s.ns != nil {
		return nil, nil
	}
	return s.nc, s.js
}

func (s *Store) where() string {
	if s.ns != nil {
		return "embedded (" + s.cfg.Dir + ")"
	}
	return s.nc.ConnectedUrlRedacted()
}

// startEmbedded starts an in-process NATS server with JetStream on
// cfg.Dir, which it locks.
func (s *Store) startEmbedded() error {
	if s.cfg.Dir == "" {
		return errors.New("no data directory for the embedded message store")
	}
	if err := os.MkdirAll(s.cfg.Dir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	unlock, err := lockDir(s.cfg.Dir)
	if err != nil {
		return err
	}
	s.unlock = unlock
	ns, err := server.NewServer(&server.Options{
		ServerName:         "livechat",
		DontListen:         true,
		JetStream:          true,
		StoreDir:           s.cfg.Dir,
		JetStreamMaxMemory: s.cfg.MaxMemory,
		JetStreamMaxStore:  s.cfg.MaxStore,
		NoSigs:             true,
	})
	if err != nil {
		return fmt.Errorf("embedded nats: %w", err)
	}
	ns.SetLoggerV2(natsLogger{s.log.With("component", "nats")}, false, false, false)
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return errors.New("embedded nats did not start within 30s")
	}
	s.ns = ns
	return nil
}

// Close disconnects, stops the embedded server and releases the data
// directory. Messages already acknowledged are on disk.
func (s *Store) Close() error {
	s.stopOnce.Do(func() { close(s.ackStop) })
	<-s.ackDone
	if s.trimDone != nil {
		<-s.trimDone
	}
	if s.nc != nil {
		s.nc.Close()
	}
	if s.durable != nil {
		s.durable.close()
	}
	if s.ns != nil {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
	}
	if s.unlock != nil {
		s.unlock()
	}
	return nil
}

// Subjects and names of a room's stream.
func streamName(room string) string  { return roomStreamPrefix + room }
func msgSubject(room string) string  { return "livechat.msg." + room }
func liveSubject(room string) string { return "livechat.live." + room + ".>" }

// eventSubject is the subject of the events about message of (see
// events.go): "livechat.msg.<room>.<of>", so that the newest one of each
// message is JetStream's last message of a subject.
func eventSubject(room string, of uint64) string {
	return msgSubject(room) + "." + strconv.FormatUint(of, 10)
}

// EnsureRoom creates the room's stream if needed (going on with the
// numbering of a stream Retention removed), or updates its limits.
func (s *Store) EnsureRoom(ctx context.Context, room string) error {
	s.mu.Lock()
	known := s.streams[room]
	s.mu.Unlock()
	if known {
		return nil
	}
	cfg := jetstream.StreamConfig{
		Name:        streamName(room),
		Description: "livechat room #" + room,
		Subjects:    []string{msgSubject(room), msgSubject(room) + ".*"},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxMsgs:     s.cfg.RoomMessages,
		MaxAge:      s.cfg.MaxAge,
		MaxMsgSize:  maxRecordBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    s.cfg.Replicas,
		Duplicates:  s.dedupeWindow(),
		AllowDirect: true,
		// Messages and events alike, on livechat.live.<room>.<subject>.
		RePublish:         &jetstream.RePublish{Source: ">", Destination: liveSubject(room)},
		MaxMsgsPerSubject: -1,
	}
	_, err := s.js.UpdateStream(ctx, cfg)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		var last uint64
		if last, err = s.retiredLast(ctx, room); err != nil {
			return err
		}
		if last > 0 {
			cfg.FirstSeq = last + 1
		}
		_, err = s.js.CreateStream(ctx, cfg)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			err = nil // another server made it meanwhile
		}
	}
	if err != nil {
		return fmt.Errorf("create stream of #%s: %w", room, err)
	}
	s.mu.Lock()
	s.streams[room] = true
	s.mu.Unlock()
	return nil
}

// dedupeWindow is Config.DedupeWindow, at most MaxAge: JetStream
// remembers no message id longer than the message.
func (s *Store) dedupeWindow() time.Duration {
	if s.cfg.MaxAge > 0 {
		return min(s.cfg.DedupeWindow, s.cfg.MaxAge)
	}
	return s.cfg.DedupeWindow
}

// forgetStream drops what is known of room's stream, which another
// server may have removed (see Retention): the next write makes it again.
func (s *Store) forgetStream(room string) {
	s.mu.Lock()
	delete(s.streams, room)
	s.mu.Unlock()
}

// maxRecordBytes bounds one stored record: a message (at most
// shared.MaxFrameBytes arrive) or an event about one, which carries its
// whole state: an edited text (JSON may escape it to six times its
// bytes), its reactions (shared.MaxReactions people with their ids and
// nicknames) and its quote.
const maxRecordBytes = 256 << 10

// record is a message as stored; its id is the stream sequence.
type record struct {
	Author    string            `json:"author,omitempty"` // account id; none before accounts
	From      string            `json:"from"`
	Text      string            `json:"text"`
	At        time.Time         `json:"at"`
	ClientID  string            `json:"client_id,omitempty"`
	Kind      string            `json:"kind,omitempty"` // see shared.Message.Kind
	Of        uint64            `json:"of,omitempty"`
	ReplyTo   uint64            `json:"reply_to,omitempty"`
	Quote     *shared.Quote     `json:"quote,omitempty"`
	Edited    time.Time         `json:"edited,omitzero"`
	Deleted   bool              `json:"deleted,omitempty"`
	Reactions []shared.Reaction `json:"reactions,omitempty"`
	Replies   int               `json:"replies,omitempty"`
}

// Append stores m in its room and returns its id. dedupeID identifies the
// message across resends: a message with a dedupeID stored within the
// dedupe window is not stored again; Append then returns the id of the
// first copy and duplicate true.
func (s *Store) Append(ctx context.Context, m shared.Message, dedupeID string) (id uint64, duplicate bool, err error) {
	msg, err := newMsg(m, dedupeID)
	if err != nil {
		return 0, false, err
	}
	if err := s.ensureKnown(m.Room); err != nil {
		return 0, false, err
	}
	ack, err := s.js.PublishMsg(ctx, msg)
	if err != nil {
		s.failed(m.Room, err)
		return 0, false, fmt.Errorf("store message in #%s: %w", m.Room, err)
	}
	if err := s.ensureDurable(m.Room, ack.Sequence); err != nil {
		return 0, false, err
	}
	return ack.Sequence, ack.Duplicate, nil
}

// appendStallWait is how long AppendAsync may wait for room among the
// messages published and not yet acknowledged (at most 16,384) before it
// fails.
const appendStallWait = 10 * time.Second

// AppendAsync is Append without waiting for the acknowledgement: it
// publishes m and returns (waiting only while 16,384 messages already
// wait for theirs), and done is called later, once, with what Append
// would have returned. done runs on the store's ack goroutine and must not
// block. Publishing many at once is how the store keeps up with many
// senders, and how one sync to disk covers many messages.
func (s *Store) AppendAsync(m shared.Message, dedupeID string, done func(id uint64, duplicate bool, err error)) error {
	msg, err := newMsg(m, dedupeID)
	if err != nil {
		return err
	}
	if err := s.ensureKnown(m.Room); err != nil {
		return err
	}
	s.appends.Store(msg, &pendingAppend{room: m.Room, done: done})
	// When too many messages wait for their acks, wait for room rather
	// than fail: the caller (a session's request) is held back, and with
	// it the client.
	if _, err := s.js.PublishMsgAsync(msg, jetstream.WithStallWait(appendStallWait)); err != nil {
		s.appends.Delete(msg)
		return fmt.Errorf("store message in #%s: %w", m.Room, err)
	}
	return nil
}

// ensureKnown makes room's stream if this store does not know it to
// exist: a room written to before it was opened, or whose stream was
// removed.
func (s *Store) ensureKnown(room string) error {
	s.mu.Lock()
	known := s.streams[room]
	s.mu.Unlock()
	if known {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), appendStallWait)
	defer cancel()
	return s.EnsureRoom(ctx, room)
}

// failed notes why storing a message in room failed: a full store
// trims at once; a stream that is gone is made again at the next write.
func (s *Store) failed(room string, err error) {
	switch {
	case isFull(err):
		s.trimSoon()
	case errors.Is(err, jetstream.ErrNoStreamResponse), errors.Is(err, nats.ErrNoResponders):
		s.forgetStream(room)
	}
}

// newMsg returns the NATS message that stores m, with dedupeID (if set) as
// JetStream's message id.
func newMsg(m shared.Message, dedupeID string) (*nats.Msg, error) {
	data, err := json.Marshal(record{Author: m.Author, From: m.From, Text: m.Text, At: m.At, ClientID: m.ClientID,
		Kind: m.Kind, Of: m.Of, ReplyTo: m.ReplyTo, Quote: m.Quote,
		Edited: m.Edited, Deleted: m.Deleted, Reactions: m.Reactions, Replies: m.Replies})
	if err != nil {
		return nil, fmt.Errorf("encode message: %w", err)
	}
	subject := msgSubject(m.Room)
	if m.Kind != "" && m.Kind != shared.MessageDelete || m.Deleted {
		// An event folded onto its message (see events.go); deletes
		// stored before events had subjects of their own lack Deleted.
		subject = eventSubject(m.Room, m.Of)
	}
	msg := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	if dedupeID != "" {
		msg.Header.Set(jetstream.MsgIDHeader, dedupeID)
	}
	return msg, nil
}

// appended hands the outcome of an AppendAsync to its callback: at once
// with an external NATS, else through ackLoop, since it runs on the NATS
// connection's goroutine, which it must not hold up with a sync.
func (s *Store) appended(msg *nats.Msg, id uint64, duplicate bool, err error) {
	v, ok := s.appends.LoadAndDelete(msg)
	if !ok {
		return
	}
	p := v.(*pendingAppend)
	if err != nil {
		s.failed(p.room, err)
	}
	if s.durable == nil {
		p.done(id, duplicate, err)
		return
	}
	p.id, p.dup, p.err = id, duplicate, err
	s.ackMu.Lock()
	s.acked = append(s.acked, p)
	s.ackMu.Unlock()
	select {
	case s.ackWake <- struct{}{}:
	default:
	}
}

// ackLoop passes acknowledgements on, each once its message is on disk:
// it takes all that arrived, syncs each room they name once, and calls
// their callbacks, until Close.
func (s *Store) ackLoop() {
	defer close(s.ackDone)
	var batch []*pendingAppend
	for {
		select {
		case <-s.ackWake:
		case <-s.ackStop:
			return
		}
		s.ackMu.Lock()
		batch, s.acked = s.acked, batch[:0]
		s.ackMu.Unlock()
		last := make(map[string]uint64)
		for _, p := range batch {
			if p.err == nil {
				last[p.room] = max(last[p.room], p.id)
			}
		}
		synced := make(map[string]error, len(last))
		for room, id := range last {
			synced[room] = s.ensureDurable(room, id)
		}
		for i, p := range batch {
			if err := synced[p.room]; p.err == nil && err != nil {
				p.err = err
			}
			p.done(p.id, p.dup, p.err)
			batch[i] = nil
		}
	}
}

// SyncStats reports how many times the embedded store synced rooms' files
// to disk before acknowledging or delivering messages, and how many files
// those syncs flushed in all. Both are 0 with an external NATS.
func (s *Store) SyncStats() (syncs, files int64) {
	if s.durable == nil {
		return 0, 0
	}
	return s.durable.rounds.Load(), s.durable.files.Load()
}

// ensureDurable returns once the message id of room is on disk: at once
// for an external NATS (see the README for its sync setting), after a
// sync of the room's files (shared with whoever needs one too) for the
// embedded server.
func (s *Store) ensureDurable(room string, id uint64) error {
	if s.durable == nil {
		return nil
	}
	if err := s.durable.ensure(streamName(room), id); err != nil {
		s.log.Error("sync messages to disk", "room", room, "err", err)
		return fmt.Errorf("store message in #%s: %w", room, err)
	}
	return nil
}

// Bounds returns the ids of the oldest and newest messages a room keeps.
// For a room without messages (also one never written to), first is
// last+1.
func (s *Store) Bounds(ctx context.Context, room string) (first, last uint64, err error) {
	st, err := s.js.Stream(ctx, streamName(room))
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		// Nobody wrote in the room yet, or it was long empty.
		last, err := s.retiredLast(ctx, room)
		return last + 1, last, err
	}
	if err != nil {
		return 0, 0, fmt.Errorf("stream of #%s: %w", room, err)
	}
	info := st.CachedInfo() // as Stream just read it: one round trip
	if info.State.Msgs == 0 {
		return info.State.LastSeq + 1, info.State.LastSeq, nil
	}
	return info.State.FirstSeq, info.State.LastSeq, nil
}

// rangeBatch is how many messages one direct get returns at most.
const rangeBatch = 256

// Range returns the room's messages with ids from..to, oldest first;
// messages that expired are missing.
func (s *Store) Range(ctx context.Context, room string, from, to uint64) ([]shared.Message, error) {
	if from == 0 {
		from = 1
	}
	var out []shared.Message
	for from <= to {
		n := to - from + 1
		if n > rangeBatch {
			n = rangeBatch
		}
		got, next, err := s.directGet(ctx, room, from, int(n), to)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		if next == 0 {
			break
		}
		from = next
	}
	return out, nil
}

// directGet asks the stream for up to batch messages from seq on, keeping
// those up to max. It returns the sequence to continue from, or 0 when the
// stream has no more.
func (s *Store) directGet(ctx context.Context, room string, seq uint64, batch int, max uint64) (_ []shared.Message, next uint64, err error) {
	req, _ := json.Marshal(struct {
		Seq   uint64 `json:"seq"`
		Batch int    `json:"batch"`
	}{seq, batch})
	var out []shared.Message
	end, err := s.direct(ctx, streamName(room), "#"+room, req, func(msg *nats.Msg) error {
		m, err := decode(room, msg)
		if err != nil {
			return err
		}
		if m.ID > max {
			return errEnough
		}
		out = append(out, m)
		next = m.ID + 1
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read from %d: %w", seq, err)
	}
	if end == nil {
		return out, 0, nil // found nothing more, or went past max
	}
	if pending, _ := strconv.ParseUint(end.Header.Get("Nats-Num-Pending"), 10, 64); pending == 0 || next == 0 {
		return out, 0, nil
	}
	return out, next, nil
}

// errEnough, returned by the callback of direct, ends the answer early.
var errEnough = errors.New("enough")

// direct sends req to the direct get API of stream (what names it in
// errors) and hands each message of the answer to each, in order. It
// returns the message that ended the answer (status 204, whose headers
// say how many more there are), or nil if nothing (more) was found or
// each returned errEnough. A stream nobody wrote to yet answers
// jetstream.ErrStreamNotFound.
func (s *Store) direct(ctx context.Context, stream, what string, req []byte, each func(*nats.Msg) error) (end *nats.Msg, err error) {
	inbox := s.nc.NewRespInbox()
	sub, err := s.nc.SubscribeSync(inbox)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer sub.Unsubscribe()
	if err := s.nc.PublishRequest("$JS.API.DIRECT.GET."+stream, inbox, req); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		msg, err := sub.NextMsgWithContext(ctx)
		if errors.Is(err, nats.ErrNoResponders) {
			return nil, jetstream.ErrStreamNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		switch status := msg.Header.Get("Status"); status {
		case "":
		case "204": // end of the batch
			return msg, nil
		case "404": // nothing (more) there
			return nil, nil
		default:
			return nil, fmt.Errorf("read %s: status %s %s", what, status, msg.Header.Get("Description"))
		}
		if err := each(msg); errors.Is(err, errEnough) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
	}
}

// decode turns a stored or republished NATS message into a chat message.
func decode(room string, msg *nats.Msg) (shared.Message, error) {
	seq, err := strconv.ParseUint(msg.Header.Get("Nats-Sequence"), 10, 64)
	if err != nil {
		return shared.Message{}, fmt.Errorf("message of #%s without a sequence: %w", room, err)
	}
	var r record
	if err := json.Unmarshal(msg.Data, &r); err != nil {
		return shared.Message{}, fmt.Errorf("message %d of #%s: %w", seq, room, err)
	}
	return shared.Message{ID: seq, Room: room, Author: r.Author, From: r.From, Text: r.Text, At: r.At, ClientID: r.ClientID,
		Kind: r.Kind, Of: r.Of, ReplyTo: r.ReplyTo, Quote: r.Quote,
		Edited: r.Edited, Deleted: r.Deleted, Reactions: r.Reactions, Replies: r.Replies}, nil
}

// liveBatch is the most messages Subscribe hands over at once; liveQueue,
// how many may wait before NATS drops some (the gap is then read back).
const (
	liveBatch = 256
	liveQueue = 4096
)

// Subscribe calls deliver, on one goroutine and in order, with the
// messages stored in room from now on: one at a time when they trickle
// in, or all those waiting (up to liveBatch) when they pour in, so that
// the caller's work per call is shared by many messages. A message may be
// delivered again, and some may be skipped when NATS drops messages for a
// slow subscriber: callers track ids and fill gaps with Range. Stop with
// the returned function; it waits for deliver to return.
func (s *Store) Subscribe(room string, deliver func([]shared.Message)) (stop func(), err error) {
	ch := make(chan *nats.Msg, liveQueue)
	sub, err := s.nc.ChanSubscribe(liveSubject(room), ch)
	if err != nil {
		return nil, fmt.Errorf("subscribe to #%s: %w", room, err)
	}
	s.mu.Lock()
	s.subscribers[room]++
	s.mu.Unlock()
	unsubscribed := func() {
		s.mu.Lock()
		if s.subscribers[room]--; s.subscribers[room] <= 0 {
			delete(s.subscribers, room)
		}
		s.mu.Unlock()
	}
	// Make sure the server has the subscription before the caller reads
	// the stream's bounds, so that nothing falls between the two.
	if err := s.nc.Flush(); err != nil {
		sub.Unsubscribe()
		unsubscribed()
		return nil, fmt.Errorf("subscribe to #%s: %w", room, err)
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		batch := make([]shared.Message, 0, liveBatch)
		for {
			select {
			case <-done:
				return
			case msg := <-ch:
				batch = s.appendLive(batch[:0], room, msg)
			}
		drain:
			for len(batch) < liveBatch {
				select {
				case msg := <-ch:
					batch = s.appendLive(batch, room, msg)
				default:
					break drain
				}
			}
			if len(batch) > 0 && s.deliverable(room, batch[len(batch)-1].ID, done) {
				deliver(batch)
			}
		}
	}()
	return func() {
		sub.Unsubscribe()
		close(done)
		<-finished
		unsubscribed()
	}, nil
}

// deliverable waits until the messages up to id of room are on disk (see
// ensureDurable), retrying a failing sync every second: nobody may see a
// message a power cut could take back. It reports false if stop closes
// first.
func (s *Store) deliverable(room string, id uint64, stop <-chan struct{}) bool {
	for s.ensureDurable(room, id) != nil {
		select {
		case <-stop:
			return false
		case <-time.After(time.Second):
		}
	}
	return true
}

// appendLive decodes a republished message and appends it to batch.
func (s *Store) appendLive(batch []shared.Message, room string, msg *nats.Msg) []shared.Message {
	m, err := decode(room, msg)
	if err != nil {
		s.log.Error("live message", "room", room, "err", err)
		return batch
	}
	return append(batch, m)
}

// natsLogger sends the embedded server's log to slog.
type natsLogger struct{ log *slog.Logger }

func (l natsLogger) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l natsLogger) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l natsLogger) Fatalf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l natsLogger) Errorf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l natsLogger) Debugf(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l natsLogger) Tracef(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }

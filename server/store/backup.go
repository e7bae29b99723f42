//go:build !js

package store

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A backup is a tar archive of JetStream stream snapshots, taken and
// restored with JetStream's own snapshot API ($JS.API.STREAM.SNAPSHOT and
// $JS.API.STREAM.RESTORE), which nats.go does not wrap. Its entries, in
// this order:
//
//	livechat-backup.json      what the file is: {"format", "version", "created"}
//	streams/<stream>/000001   the stream's snapshot (s2-compressed, as
//	streams/<stream>/000002   JetStream made it), in the chunks it came in
//	...                       (at most 1 MiB each), stream after stream
//	manifest.json             the Manifest: every stream's configuration,
//	                          state, size, chunk count and SHA-256
//
// The manifest comes last because a snapshot's size is known only once it
// is taken: a backup is written as it is taken, never held in memory or in
// a temporary file, so it can go straight to a pipe. A restore reads the
// archive twice: once to check it whole (a backup cut short has no
// manifest), then to restore it.
const (
	backupFormat  = "livechat-backup"
	backupVersion = 1
	headerEntry   = "livechat-backup.json"
	manifestEntry = "manifest.json"
	streamsDir    = "streams/"

	// snapshotChunk is the chunk size asked of JetStream; maxChunk, the
	// largest a restore accepts (JetStream's own bound).
	snapshotChunk = 128 << 10
	maxChunk      = 1 << 20
	// maxManifest bounds the manifest a restore reads.
	maxManifest = 64 << 20
)

// Prefixes of the streams a backup holds: rooms' messages, and the
// key-value buckets of accounts and rooms. Streams kept in memory (the
// presence bucket) are not backed up.
const (
	roomStreamPrefix   = "LIVECHAT_ROOM_"
	bucketStreamPrefix = "KV_livechat_"
)

// backedUp reports whether name is a stream a backup may hold: one of
// livechat's, and a name safe in an archive path.
func backedUp(name string) bool {
	rest, ok := strings.CutPrefix(name, roomStreamPrefix)
	if !ok {
		rest, ok = strings.CutPrefix(name, bucketStreamPrefix)
	}
	if !ok || rest == "" || len(name) > 255 {
		return false
	}
	for _, c := range []byte(rest) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Manifest describes a backup.
type Manifest struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Created time.Time `json:"created"`
	// Streams are the streams the backup holds, in the archive's order.
	Streams []StreamBackup `json:"streams"`
}

// StreamBackup is one stream of a backup.
type StreamBackup struct {
	Name string `json:"name"`
	// Messages, FirstSeq and LastSeq are the stream's state when its
	// snapshot was taken.
	Messages uint64 `json:"messages"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	// Size and Chunks are the snapshot's bytes and its archive entries;
	// SHA256 is the hash of those bytes, in hex.
	Size   int64  `json:"size"`
	Chunks int    `json:"chunks"`
	SHA256 string `json:"sha256"`
	// Config and State are the stream's configuration and state as
	// JetStream reported them with the snapshot, and as a restore gives
	// them back.
	Config json.RawMessage `json:"config"`
	State  json.RawMessage `json:"state"`
}

// String describes the stream for people: "room general: 600 messages
// (ids 1 to 600)", "bucket livechat_accounts: 12 records".
func (b StreamBackup) String() string {
	if room, ok := strings.CutPrefix(b.Name, roomStreamPrefix); ok {
		if b.Messages == 0 {
			return fmt.Sprintf("room %s: no messages", room)
		}
		if b.Messages == 1 {
			return fmt.Sprintf("room %s: 1 message (id %d)", room, b.LastSeq)
		}
		return fmt.Sprintf("room %s: %d messages (ids %d to %d)", room, b.Messages, b.FirstSeq, b.LastSeq)
	}
	if bucket, ok := strings.CutPrefix(b.Name, "KV_"); ok {
		return fmt.Sprintf("bucket %s: %s", bucket, plural(b.Messages, "record"))
	}
	return fmt.Sprintf("stream %s: %s", b.Name, plural(b.Messages, "message"))
}

func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Size returns the bytes of all the snapshots of m.
func (m Manifest) Size() int64 {
	var n int64
	for _, s := range m.Streams {
		n += s.Size
	}
	return n
}

// apiError is an error JetStream's API answers with.
type apiError struct {
	Code        int    `json:"code"`
	ErrCode     int    `json:"err_code"`
	Description string `json:"description"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("jetstream: %s (status %d, error %d)", e.Description, e.Code, e.ErrCode)
}

// streamState is the part of a stream's state a backup reports.
type streamState struct {
	Msgs     uint64 `json:"messages"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
}

// apiRequest sends req (JSON) to a JetStream API subject and decodes the
// answer into resp, or returns the API's error.
func (s *Store) apiRequest(ctx context.Context, subject string, req, resp any, timeout time.Duration) error {
	data, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("%s: %w", subject, err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	msg, err := s.nc.RequestWithContext(ctx, subject, data)
	if err != nil {
		return fmt.Errorf("%s on %s: %w", subject, s.where(), err)
	}
	return decodeAPI(msg.Data, resp)
}

// decodeAPI decodes a JetStream API answer into resp, or returns its
// error.
func decodeAPI(data []byte, resp any) error {
	var e struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(data, &e); err != nil {
		return fmt.Errorf("jetstream answered %q: %w", data, err)
	}
	if e.Error != nil {
		return e.Error
	}
	if resp == nil {
		return nil
	}
	if err := json.Unmarshal(data, resp); err != nil {
		return fmt.Errorf("jetstream answered %q: %w", data, err)
	}
	return nil
}

// backupStreams returns the names of the streams a backup holds, sorted:
// every file-stored stream of livechat's.
func (s *Store) backupStreams(ctx context.Context) ([]string, error) {
	lister := s.js.ListStreams(ctx)
	var names []string
	for info := range lister.Info() {
		if backedUp(info.Config.Name) && info.Config.Storage == jetstream.FileStorage {
			names = append(names, info.Config.Name)
		}
	}
	if err := lister.Err(); err != nil {
		return nil, fmt.Errorf("list streams on %s: %w", s.where(), err)
	}
	slices.Sort(names)
	return names, nil
}

// Backup writes a backup of everything livechat keeps on s to w: the
// snapshot of every room's stream and of the accounts' and rooms' buckets
// (presence, kept in memory, is not backed up). Each stream's snapshot is
// consistent in itself; streams are taken one after the other, so
// messages and records written meanwhile by a running server (on an
// external NATS) may be in some and not others.
//
// Backup writes as it receives, holding at most one chunk (128 KiB) in
// memory, and acknowledges each chunk once written: a w that blocks
// holds JetStream back, and one that blocks for 5 s makes JetStream give
// up the snapshot, which fails the backup. A backup that fails has
// written an incomplete archive, which Restore refuses.
func (s *Store) Backup(ctx context.Context, w io.Writer) (Manifest, error) {
	m := Manifest{Format: backupFormat, Version: backupVersion, Created: time.Now().UTC().Truncate(time.Second)}
	names, err := s.backupStreams(ctx)
	if err != nil {
		return Manifest{}, err
	}
	tw := tar.NewWriter(w)
	head, _ := json.Marshal(Manifest{Format: m.Format, Version: m.Version, Created: m.Created})
	if err := writeEntry(tw, headerEntry, head, m.Created); err != nil {
		return Manifest{}, err
	}
	for _, name := range names {
		sb, err := s.snapshot(ctx, name, tw, m.Created)
		if err != nil {
			return Manifest{}, err
		}
		m.Streams = append(m.Streams, sb)
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("write backup manifest: %w", err)
	}
	if err := writeEntry(tw, manifestEntry, manifest, m.Created); err != nil {
		return Manifest{}, err
	}
	if err := tw.Close(); err != nil {
		return Manifest{}, fmt.Errorf("write backup: %w", err)
	}
	return m, nil
}

func writeEntry(tw *tar.Writer, name string, data []byte, at time.Time) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(data)), Mode: 0o600, ModTime: at}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	return nil
}

// chunkEntry is the archive entry of chunk i (from 1) of a stream.
func chunkEntry(stream string, i int) string { return fmt.Sprintf("%s%s/%06d", streamsDir, stream, i) }

// snapshotIdle bounds the wait for each chunk of a snapshot: JetStream
// sends chunks as fast as they are acknowledged, and gives up itself
// after 5 s without an acknowledgement.
const snapshotIdle = 30 * time.Second

// snapshot takes the snapshot of one stream into tw.
func (s *Store) snapshot(ctx context.Context, name string, tw *tar.Writer, at time.Time) (StreamBackup, error) {
	sb := StreamBackup{Name: name}
	inbox := s.nc.NewInbox()
	sub, err := s.nc.SubscribeSync(inbox)
	if err != nil {
		return sb, fmt.Errorf("snapshot %s: %w", name, err)
	}
	defer sub.Unsubscribe()
	var resp struct {
		Config json.RawMessage `json:"config"`
		State  json.RawMessage `json:"state"`
	}
	req := struct {
		DeliverSubject string `json:"deliver_subject"`
		NoConsumers    bool   `json:"no_consumers"`
		ChunkSize      int    `json:"chunk_size"`
		CheckMsgs      bool   `json:"jsck"`
	}{inbox, true, snapshotChunk, true}
	// JetStream checks every message's checksum before it answers.
	if err := s.apiRequest(ctx, "$JS.API.STREAM.SNAPSHOT."+name, req, &resp, 5*time.Minute); err != nil {
		return sb, fmt.Errorf("snapshot %s: %w", name, err)
	}
	var state streamState
	if err := json.Unmarshal(resp.State, &state); err != nil || len(resp.Config) == 0 {
		return sb, fmt.Errorf("snapshot %s: jetstream answered without a state or configuration (%v)", name, err)
	}
	sb.Config, sb.State = resp.Config, resp.State
	sb.Messages, sb.FirstSeq, sb.LastSeq = state.Msgs, state.FirstSeq, state.LastSeq

	h := sha256.New()
	last := false // a chunk without an ack subject is the last one
	for {
		wait, cancel := context.WithTimeout(ctx, snapshotIdle)
		msg, err := sub.NextMsgWithContext(wait)
		cancel()
		if err != nil {
			return sb, fmt.Errorf("snapshot %s: after %d chunks: %w", name, sb.Chunks, err)
		}
		if len(msg.Data) == 0 { // the end, or why not
			if status := msg.Header.Get("Status"); status != "" && status != "204" {
				return sb, fmt.Errorf("snapshot %s: jetstream stopped it: %s %s", name, status, msg.Header.Get("Description"))
			}
			if sb.Chunks == 0 {
				return sb, fmt.Errorf("snapshot %s: jetstream sent nothing", name)
			}
			sb.SHA256 = hex.EncodeToString(h.Sum(nil))
			return sb, nil
		}
		if last {
			return sb, fmt.Errorf("snapshot %s: a chunk came after the last one", name)
		}
		// The ack subject ends with the chunk's size and number.
		if msg.Reply == "" {
			last = true
		} else if i := strings.LastIndexByte(msg.Reply, '.'); i < 0 || msg.Reply[i+1:] != strconv.Itoa(sb.Chunks+1) {
			return sb, fmt.Errorf("snapshot %s: chunk %d missing (got ack subject %q): chunks were dropped", name, sb.Chunks+1, msg.Reply)
		}
		sb.Chunks++
		sb.Size += int64(len(msg.Data))
		h.Write(msg.Data)
		if err := writeEntry(tw, chunkEntry(name, sb.Chunks), msg.Data, at); err != nil {
			return sb, err
		}
		if msg.Reply != "" {
			if err := msg.Respond(nil); err != nil {
				return sb, fmt.Errorf("snapshot %s: acknowledge chunk %d: %w", name, sb.Chunks, err)
			}
		}
	}
}

// ErrNotEmpty is the error (wrapped) of Restore when the store already
// holds some of what the backup holds, and force is not set.
var ErrNotEmpty = errors.New("the store is not empty")

// ErrNotBackup is the error (wrapped) of CheckBackup and Restore for a
// file that is not a livechat backup, or a damaged or incomplete one.
var ErrNotBackup = errors.New("not a complete livechat backup")

func notBackup(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotBackup, fmt.Sprintf(format, args...))
}

// CheckBackup reads a whole backup from r and returns its manifest if it
// is complete and intact: every chunk of every stream, in order, with
// the sizes and hashes the manifest gives. Anything else (another kind of
// file, a backup cut short, a changed byte) is an error wrapping
// ErrNotBackup that says what is wrong.
func CheckBackup(r io.Reader) (Manifest, error) {
	tr := tar.NewReader(r)
	m, err := readHeader(tr)
	if err != nil {
		return Manifest{}, err
	}
	type seen struct {
		name   string
		chunks int
		size   int64
		hash   string
	}
	var streams []seen // in the archive's order
	h := sha256.New()  // of the last one's chunks
	done := func() {
		if len(streams) > 0 {
			streams[len(streams)-1].hash = hex.EncodeToString(h.Sum(nil))
			h.Reset()
		}
	}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return Manifest{}, notBackup("it ends before its manifest (the backup was cut short?)")
		}
		if err != nil {
			return Manifest{}, notBackup("damaged after %d streams: %v", len(streams), err)
		}
		if hdr.Name == manifestEntry {
			done()
			break
		}
		stream, chunk, ok := parseChunkEntry(hdr.Name)
		switch {
		case !ok || hdr.Typeflag != tar.TypeReg:
			return Manifest{}, notBackup("unexpected entry %q", hdr.Name)
		case hdr.Size <= 0 || hdr.Size > maxChunk:
			return Manifest{}, notBackup("entry %q has %d bytes", hdr.Name, hdr.Size)
		case len(streams) == 0 || streams[len(streams)-1].name != stream:
			for _, s := range streams {
				if s.name == stream {
					return Manifest{}, notBackup("stream %s appears twice", stream)
				}
			}
			if chunk != 1 {
				return Manifest{}, notBackup("stream %s starts at chunk %d", stream, chunk)
			}
			done()
			streams = append(streams, seen{name: stream})
		case chunk != streams[len(streams)-1].chunks+1:
			return Manifest{}, notBackup("stream %s: chunk %d follows chunk %d", stream, chunk, streams[len(streams)-1].chunks)
		}
		n, err := io.Copy(h, tr)
		if err != nil {
			return Manifest{}, notBackup("damaged in %q (cut short?): %v", hdr.Name, err)
		}
		cur := &streams[len(streams)-1]
		cur.chunks++
		cur.size += n
	}
	data, err := readEntry(tr, maxManifest)
	if err != nil {
		return Manifest{}, notBackup("damaged manifest: %v", err)
	}
	var man Manifest
	if err := json.Unmarshal(data, &man); err != nil {
		return Manifest{}, notBackup("damaged manifest: %v", err)
	}
	if _, err := tr.Next(); err != io.EOF {
		return Manifest{}, notBackup("something follows the manifest (%v)", err)
	}
	if man.Format != m.Format || man.Version != m.Version || !man.Created.Equal(m.Created) {
		return Manifest{}, notBackup("the manifest (%s v%d of %s) does not match the header (%s v%d of %s)",
			man.Format, man.Version, man.Created, m.Format, m.Version, m.Created)
	}
	if len(man.Streams) != len(streams) {
		return Manifest{}, notBackup("the manifest lists %d streams, the archive holds %d", len(man.Streams), len(streams))
	}
	for i, sb := range man.Streams {
		got := streams[i]
		var cfg struct {
			Name string `json:"name"`
		}
		switch {
		case sb.Name != got.name:
			return Manifest{}, notBackup("the manifest lists stream %s where the archive holds %s", sb.Name, got.name)
		case sb.Chunks != got.chunks || sb.Size != got.size:
			return Manifest{}, notBackup("stream %s: %d chunks of %d bytes, the manifest says %d of %d", sb.Name, got.chunks, got.size, sb.Chunks, sb.Size)
		case sb.SHA256 != got.hash:
			return Manifest{}, notBackup("stream %s is damaged: its SHA-256 is %s, the manifest says %s", sb.Name, got.hash, sb.SHA256)
		case json.Unmarshal(sb.Config, &cfg) != nil || cfg.Name != sb.Name || len(sb.State) == 0:
			return Manifest{}, notBackup("stream %s: configuration or state missing from the manifest", sb.Name)
		}
	}
	return man, nil
}

// readHeader reads the archive's first entry, which says it is a backup
// of a version this program restores.
func readHeader(tr *tar.Reader) (Manifest, error) {
	hdr, err := tr.Next()
	if err != nil {
		return Manifest{}, notBackup("not a tar archive (%v)", err)
	}
	if hdr.Name != headerEntry {
		return Manifest{}, notBackup("a tar archive whose first entry is %q, not %s", hdr.Name, headerEntry)
	}
	data, err := readEntry(tr, 4096)
	if err != nil {
		return Manifest{}, notBackup("damaged header: %v", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil || m.Format != backupFormat {
		return Manifest{}, notBackup("unknown header %.100q", data)
	}
	if m.Version != backupVersion {
		return Manifest{}, notBackup("backup format version %d; this livechat restores version %d", m.Version, backupVersion)
	}
	return m, nil
}

// readEntry reads the current entry of tr, of at most max bytes.
func readEntry(tr *tar.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(tr, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("more than %d bytes", max)
	}
	return data, nil
}

// parseChunkEntry parses "streams/<stream>/<chunk>".
func parseChunkEntry(name string) (stream string, chunk int, ok bool) {
	rest, ok := strings.CutPrefix(name, streamsDir)
	if !ok {
		return "", 0, false
	}
	stream, num, ok := strings.Cut(rest, "/")
	if !ok || !backedUp(stream) || len(num) != 6 {
		return "", 0, false
	}
	chunk, err := strconv.Atoi(num)
	if err != nil || chunk < 1 {
		return "", 0, false
	}
	return stream, chunk, true
}

// Restore restores the backup in r onto s and returns its manifest. It
// reads r twice: first whole, to check it (see CheckBackup), then from
// the start to restore each stream. Nothing is written unless the backup
// is complete and intact.
//
// A stream of the backup that already exists on s is replaced if it is
// empty; if it holds messages or records, Restore refuses, before
// writing anything, unless force is set, which deletes it first. Streams
// of s that the backup does not hold are left alone. If restoring a
// stream fails, the streams this call restored are deleted again (those
// force deleted stay deleted), and the error says so.
func (s *Store) Restore(ctx context.Context, r io.ReadSeeker, force bool) (_ Manifest, err error) {
	m, err := CheckBackup(r)
	if err != nil {
		return Manifest{}, err
	}
	replace := make(map[string]bool)
	var held []string
	for _, sb := range m.Streams {
		st, err := s.js.Stream(ctx, sb.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			continue
		}
		if err != nil {
			return Manifest{}, fmt.Errorf("restore: look up %s: %w", sb.Name, err)
		}
		info := st.CachedInfo() // as Stream just read it
		if info.State.Msgs > 0 && !force {
			have := sb
			have.Messages, have.FirstSeq, have.LastSeq = info.State.Msgs, info.State.FirstSeq, info.State.LastSeq
			held = append(held, have.String())
		}
		replace[sb.Name] = true
	}
	if len(held) > 0 {
		return Manifest{}, fmt.Errorf("restore: %w: %s already holds %s", ErrNotEmpty, s.where(), strings.Join(held, "; "))
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Manifest{}, fmt.Errorf("restore: rewind the backup: %w", err)
	}
	tr := tar.NewReader(r)
	if _, err := readHeader(tr); err != nil {
		return Manifest{}, err
	}
	var restored []string
	defer func() {
		if err == nil || len(restored) == 0 {
			return
		}
		for _, name := range restored {
			if derr := s.js.DeleteStream(context.WithoutCancel(ctx), name); derr != nil {
				err = fmt.Errorf("%w; could not undo the restore of %s: %v", err, name, derr)
				return
			}
		}
		err = fmt.Errorf("%w (the %d streams restored before were deleted again)", err, len(restored))
	}()
	for _, sb := range m.Streams {
		if replace[sb.Name] {
			if err := s.js.DeleteStream(ctx, sb.Name); err != nil {
				return Manifest{}, fmt.Errorf("restore: delete %s to replace it: %w", sb.Name, err)
			}
		}
		if err := s.restoreStream(ctx, sb, tr); err != nil {
			return Manifest{}, err
		}
		restored = append(restored, sb.Name)
	}
	if s.durable != nil {
		for _, sb := range m.Streams {
			if err := s.durable.syncStream(sb.Name); err != nil {
				return Manifest{}, fmt.Errorf("restore: %w", err)
			}
		}
	}
	return m, nil
}

// restoreIdle bounds the wait for JetStream to take each chunk of a
// restore; restoreEnd, for it to put the restored stream in place.
const (
	restoreIdle = 30 * time.Second
	restoreEnd  = 10 * time.Minute
)

// restoreStream sends the chunks of one stream, read from tr, to a
// restore: one at a time, each acknowledged before the next.
func (s *Store) restoreStream(ctx context.Context, sb StreamBackup, tr *tar.Reader) error {
	req := struct {
		Config json.RawMessage `json:"config"`
		State  json.RawMessage `json:"state"`
	}{sb.Config, sb.State}
	var resp struct {
		DeliverSubject string `json:"deliver_subject"`
	}
	if err := s.apiRequest(ctx, "$JS.API.STREAM.RESTORE."+sb.Name, req, &resp, restoreIdle); err != nil {
		return fmt.Errorf("restore %s: %w", sb.Name, err)
	}
	if resp.DeliverSubject == "" {
		return fmt.Errorf("restore %s: jetstream gave no subject to send the snapshot to", sb.Name)
	}
	send := func(data []byte, timeout time.Duration) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		reply, err := s.nc.RequestWithContext(ctx, resp.DeliverSubject, data)
		if err != nil {
			return nil, err
		}
		return reply.Data, nil
	}
	h := sha256.New()
	for i := 1; i <= sb.Chunks; i++ {
		// The archive was checked whole; it may still have changed since.
		hdr, err := tr.Next()
		if err != nil || hdr.Name != chunkEntry(sb.Name, i) {
			return fmt.Errorf("restore %s: %w: chunk %d changed since the backup was checked", sb.Name, ErrNotBackup, i)
		}
		data, err := readEntry(tr, maxChunk)
		if err != nil {
			return fmt.Errorf("restore %s: read chunk %d: %w", sb.Name, i, err)
		}
		h.Write(data)
		answer, err := send(data, restoreIdle)
		if err != nil {
			return fmt.Errorf("restore %s: send chunk %d: %w", sb.Name, i, err)
		}
		if len(answer) > 0 {
			return fmt.Errorf("restore %s: chunk %d: %w", sb.Name, i, decodeAPI(answer, nil))
		}
	}
	if hex.EncodeToString(h.Sum(nil)) != sb.SHA256 {
		// Without the final empty chunk, JetStream drops what it got.
		return fmt.Errorf("restore %s: %w: it changed since it was checked", sb.Name, ErrNotBackup)
	}
	answer, err := send(nil, restoreEnd)
	if err != nil {
		return fmt.Errorf("restore %s: finish: %w", sb.Name, err)
	}
	var done struct {
		State *streamState `json:"state"`
	}
	if err := decodeAPI(answer, &done); err != nil {
		return fmt.Errorf("restore %s: %w", sb.Name, err)
	}
	if done.State == nil || done.State.Msgs != sb.Messages || done.State.LastSeq != sb.LastSeq {
		return fmt.Errorf("restore %s: jetstream restored %+v, the backup held %d messages up to %d", sb.Name, done.State, sb.Messages, sb.LastSeq)
	}
	return nil
}

//go:build !js

package store_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"livechat/server/kv"
	"livechat/server/store"
	"livechat/shared"
)

// fill writes messages into rooms and records into a bucket of s, and
// returns what it wrote: the messages by room, the records by key.
func fill(t *testing.T, s *store.Store, rooms map[string]int) (map[string][]shared.Message, map[string]string) {
	t.Helper()
	ctx := context.Background()
	msgs := make(map[string][]shared.Message)
	rng := rand.NewChaCha8([32]byte{})
	for room, n := range rooms {
		if err := s.EnsureRoom(ctx, room); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= n; i++ {
			m := message(room, i)
			m.Author = "acct" + room
			// Text that compresses little, so that rooms of several
			// hundred messages take several chunks.
			noise := make([]byte, i%400)
			rng.Read(noise)
			m.Text = fmt.Sprintf("%s says %d: <b>&</b> \u00e9\U0001F600\n%s", room, i, base64.StdEncoding.EncodeToString(noise))
			id, _, err := s.Append(ctx, m, "")
			if err != nil {
				t.Fatal(err)
			}
			m.ID = id
			msgs[room] = append(msgs[room], m)
		}
	}
	b, err := s.Bucket(ctx, "livechat_test")
	if err != nil {
		t.Fatal(err)
	}
	records := make(map[string]string)
	for i := range 50 {
		key, value := fmt.Sprintf("account.a%d", i), fmt.Sprintf(`{"n":%d}`, i)
		if _, err := b.Create(ctx, key, []byte(value)); err != nil {
			t.Fatal(err)
		}
		records[key] = value
	}
	// A deleted key stays deleted.
	if err := b.Delete(ctx, "account.a7"); err != nil {
		t.Fatal(err)
	}
	delete(records, "account.a7")
	return msgs, records
}

// check fails the test unless s holds exactly msgs and records.
func check(t *testing.T, s *store.Store, msgs map[string][]shared.Message, records map[string]string) {
	t.Helper()
	ctx := context.Background()
	for room, want := range msgs {
		first, last, err := s.Bounds(ctx, room)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Range(ctx, room, first, last)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("#%s: %d messages, want %d", room, len(got), len(want))
		}
		for i := range want {
			if g, w := got[i], want[i]; g.ID != w.ID || g.Text != w.Text || g.Author != w.Author || g.From != w.From || !g.At.Equal(w.At) || g.ClientID != w.ClientID {
				t.Fatalf("#%s message %d:\n got %+v\nwant %+v", room, i, g, w)
			}
		}
	}
	b, err := s.Bucket(ctx, "livechat_test")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := b.Keys(ctx, "account.*")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(records) {
		t.Fatalf("%d records, want %d: %v", len(keys), len(records), keys)
	}
	for key, want := range records {
		got, _, err := b.Get(ctx, key)
		if err != nil || string(got) != want {
			t.Fatalf("record %s = %q, %v; want %q", key, got, err, want)
		}
	}
	if _, _, err := b.Get(ctx, "account.a7"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("deleted record: %v", err)
	}
}

func backup(t *testing.T, s *store.Store) ([]byte, store.Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := s.Backup(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), m
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := open(t, store.Config{Dir: t.TempDir()})
	defer src.Close()
	// 700 messages of up to 550 bytes make several 128 KiB chunks.
	msgs, records := fill(t, src, map[string]int{"general": 700, "p-secret": 3, "dm-ab": 1})
	if err := src.EnsureRoom(ctx, "empty"); err != nil {
		t.Fatal(err)
	}
	data, m := backup(t, src)

	var names []string
	for _, sb := range m.Streams {
		names = append(names, sb.Name)
	}
	// KV_livechat_retired keeps where rooms long empty stopped (see
	// Retention): it is backed up with them.
	want := []string{"KV_livechat_retired", "KV_livechat_test", "LIVECHAT_ROOM_dm-ab", "LIVECHAT_ROOM_empty", "LIVECHAT_ROOM_general", "LIVECHAT_ROOM_p-secret"}
	if !slices.Equal(names, want) {
		t.Fatalf("backed up %v, want %v", names, want)
	}
	if sb := m.Streams[4]; sb.Messages != 700 || sb.FirstSeq != 1 || sb.LastSeq != 700 || sb.Chunks < 2 || sb.String() != "room general: 700 messages (ids 1 to 700)" {
		t.Fatalf("general in the manifest: %v, %d chunks", sb, sb.Chunks)
	}
	checked, err := store.CheckBackup(bytes.NewReader(data))
	if err != nil || len(checked.Streams) != len(m.Streams) || checked.Size() != m.Size() {
		t.Fatalf("CheckBackup = %d streams, %v", len(checked.Streams), err)
	}

	dst := open(t, store.Config{Dir: t.TempDir()})
	defer dst.Close()
	restored, err := dst.Restore(ctx, bytes.NewReader(data), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(restored.Streams) != len(m.Streams) {
		t.Fatalf("restored %d streams, want %d", len(restored.Streams), len(m.Streams))
	}
	check(t, dst, msgs, records)
	rooms, err := dst.Rooms(ctx)
	if err != nil || !slices.Equal(rooms, []string{"dm-ab", "empty", "general", "p-secret"}) {
		t.Fatalf("rooms after restore: %v, %v", rooms, err)
	}
	// The restored rooms take new messages after their last.
	if err := dst.EnsureRoom(ctx, "general"); err != nil {
		t.Fatal(err)
	}
	if id, _, err := dst.Append(ctx, message("general", 701), ""); err != nil || id != 701 {
		t.Fatalf("append after restore = %d, %v; want 701", id, err)
	}

	// A second restore finds everything there and refuses, naming what
	// is in the way; with force it replaces it.
	_, err = dst.Restore(ctx, bytes.NewReader(data), false)
	if !errors.Is(err, store.ErrNotEmpty) || !strings.Contains(err.Error(), "room general: 701 messages") {
		t.Fatalf("restore over data: %v", err)
	}
	t.Logf("restore over data: %v", err)
	if _, err := dst.Restore(ctx, bytes.NewReader(data), true); err != nil {
		t.Fatalf("forced restore: %v", err)
	}
	check(t, dst, msgs, records)
}

// TestRestoreReopen restores, closes the store and opens it again: the
// restored streams are on disk.
func TestRestoreReopen(t *testing.T) {
	src := open(t, store.Config{Dir: t.TempDir()})
	defer src.Close()
	msgs, records := fill(t, src, map[string]int{"general": 20})
	data, _ := backup(t, src)

	dir := t.TempDir()
	dst := open(t, store.Config{Dir: dir})
	if _, err := dst.Restore(context.Background(), bytes.NewReader(data), false); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	again := open(t, store.Config{Dir: dir})
	defer again.Close()
	check(t, again, msgs, records)
}

// TestRestoreReplacesEmptyStreams: a store that a server opened (its
// buckets made, nothing written) takes a restore without force.
func TestRestoreReplacesEmptyStreams(t *testing.T) {
	ctx := context.Background()
	src := open(t, store.Config{Dir: t.TempDir()})
	defer src.Close()
	msgs, records := fill(t, src, map[string]int{"general": 5})
	data, _ := backup(t, src)

	dst := open(t, store.Config{Dir: t.TempDir()})
	defer dst.Close()
	if _, err := dst.Bucket(ctx, "livechat_test"); err != nil {
		t.Fatal(err)
	}
	if err := dst.EnsureRoom(ctx, "general"); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Restore(ctx, bytes.NewReader(data), false); err != nil {
		t.Fatal(err)
	}
	check(t, dst, msgs, records)
}

// entries returns the entries of a tar archive.
func entries(t *testing.T, data []byte) (names []string, contents [][]byte) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names, contents
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		names, contents = append(names, hdr.Name), append(contents, b)
	}
}

// archive makes a tar archive of entries.
func archive(names []string, contents [][]byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i, name := range names {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(contents[i])), Mode: 0o600})
		tw.Write(contents[i])
	}
	tw.Close()
	return buf.Bytes()
}

func TestRestoreRefusesBadBackups(t *testing.T) {
	src := open(t, store.Config{Dir: t.TempDir()})
	defer src.Close()
	fill(t, src, map[string]int{"general": 700, "random": 2})
	data, m := backup(t, src)
	names, contents := entries(t, data)
	if names[0] != "livechat-backup.json" || names[len(names)-1] != "manifest.json" {
		t.Fatalf("archive entries %v", names)
	}

	flip := bytes.Clone(data)
	at := bytes.Index(flip, contents[2][100:140]) + 10 // inside a chunk
	flip[at] ^= 0x40

	// general's first two chunks, swapped.
	i := slices.Index(names, "streams/LIVECHAT_ROOM_general/000001")
	if i < 0 || names[i+1] != "streams/LIVECHAT_ROOM_general/000002" {
		t.Fatalf("archive entries %v", names)
	}
	swappedNames, swappedContents := slices.Clone(names), slices.Clone(contents)
	swappedNames[i], swappedNames[i+1] = swappedNames[i+1], swappedNames[i]
	swappedContents[i], swappedContents[i+1] = swappedContents[i+1], swappedContents[i]
	swapped := archive(swappedNames, swappedContents)

	var man store.Manifest
	json.Unmarshal(contents[len(contents)-1], &man)
	man.Streams[0].SHA256 = strings.Repeat("0", 64)
	badHash, _ := json.Marshal(man)
	wrongManifest := archive(names, append(slices.Clone(contents[:len(contents)-1]), badHash))

	newer := archive(names, append([][]byte{[]byte(`{"format":"livechat-backup","version":99}`)}, contents[1:]...))
	extra := archive(append(slices.Clone(names), "extra"), append(slices.Clone(contents), []byte("x")))
	escape := archive(append([]string{names[0], "streams/../../etc/passwd"}, names[1:]...), append([][]byte{contents[0], []byte("x")}, contents[1:]...))
	otherTar := archive([]string{"README"}, [][]byte{[]byte("hello")})

	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty file", nil, "not a tar archive"},
		{"text file", []byte(strings.Repeat("just some text\n", 100)), "not a tar archive"},
		{"another tar archive", otherTar, `first entry is "README"`},
		{"cut in the header", data[:530], "damaged header"},
		{"cut after the header", data[:1024], "cut short"},
		{"cut in a chunk", data[:len(data)/2+7], "cut short"},
		{"cut before the manifest", data[:bytes.LastIndex(data, []byte("manifest.json"))], "cut short"},
		{"cut in the manifest", data[:len(data)-1500], "manifest"},
		{"a changed byte", flip, "damaged: its SHA-256"},
		{"chunks out of order", swapped, "starts at chunk 2"},
		{"a manifest that does not match", wrongManifest, "damaged: its SHA-256"},
		{"a newer format", newer, "version 99"},
		{"an entry after the manifest", extra, "follows the manifest"},
		{"a path out of the archive", escape, `unexpected entry "streams/../../etc/passwd"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := store.CheckBackup(bytes.NewReader(tt.data)); !errors.Is(err, store.ErrNotBackup) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckBackup: %v; want %q", err, tt.want)
			}
			dst := open(t, store.Config{Dir: t.TempDir()})
			defer dst.Close()
			if _, err := dst.Restore(context.Background(), bytes.NewReader(tt.data), false); !errors.Is(err, store.ErrNotBackup) {
				t.Fatalf("Restore: %v", err)
			}
			if rooms, _ := dst.Rooms(context.Background()); len(rooms) > 0 {
				t.Fatalf("a refused restore left rooms %v", rooms)
			}
		})
	}
	if len(m.Streams) != 4 { // with KV_livechat_retired
		t.Fatalf("%d streams", len(m.Streams))
	}
}

// TestRestoreUndoesPart: a backup intact to the manifest whose snapshot
// of one stream JetStream cannot read fails, and the streams restored
// before it are deleted again.
func TestRestoreUndoesPart(t *testing.T) {
	ctx := context.Background()
	src := open(t, store.Config{Dir: t.TempDir()})
	defer src.Close()
	fill(t, src, map[string]int{"general": 3, "random": 3})
	data, _ := backup(t, src)
	names, contents := entries(t, data)

	// The last room's snapshot becomes garbage, with the manifest to match.
	var man store.Manifest
	json.Unmarshal(contents[len(contents)-1], &man)
	last := &man.Streams[len(man.Streams)-1]
	garbage := bytes.Repeat([]byte("garbage "), 100)
	var keepNames []string
	var keep [][]byte
	for i, name := range names[:len(names)-1] {
		if !strings.HasPrefix(name, "streams/"+last.Name+"/") {
			keepNames, keep = append(keepNames, name), append(keep, contents[i])
		}
	}
	sum := sha256.Sum256(garbage)
	last.Chunks, last.Size, last.SHA256 = 1, int64(len(garbage)), hex.EncodeToString(sum[:])
	manifest, _ := json.Marshal(man)
	bad := archive(append(keepNames, "streams/"+last.Name+"/000001", "manifest.json"), append(keep, garbage, manifest))

	dst := open(t, store.Config{Dir: t.TempDir()})
	defer dst.Close()
	_, err := dst.Restore(ctx, bytes.NewReader(bad), false)
	if err == nil || !strings.Contains(err.Error(), "restore "+last.Name) || !strings.Contains(err.Error(), "deleted again") {
		t.Fatalf("Restore = %v", err)
	}
	t.Logf("restore of a backup JetStream cannot read: %v", err)
	if rooms, err := dst.Rooms(ctx); err != nil || len(rooms) > 0 {
		t.Fatalf("rooms after a failed restore: %v, %v", rooms, err)
	}
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	s := open(t, store.Config{Dir: t.TempDir()})
	defer s.Close()
	msgs, _ := fill(t, s, map[string]int{"general": 1500, "p-secret": 2})

	var buf bytes.Buffer
	n, err := s.Export(ctx, &buf, nil)
	if err != nil || n != 1502 {
		t.Fatalf("Export = %d, %v", n, err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	var got []store.ExportedMessage
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %d: %v: %s", len(got)+1, err, sc.Bytes())
		}
		if _, err := time.Parse(time.RFC3339, line["at"].(string)); err != nil || len(line) != 6 {
			t.Fatalf("line %d: %s", len(got)+1, sc.Bytes())
		}
		var m store.ExportedMessage
		json.Unmarshal(sc.Bytes(), &m)
		got = append(got, m)
	}
	want := append(slices.Clone(msgs["general"]), msgs["p-secret"]...)
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i, w := range want {
		if g := got[i]; g.Room != w.Room || g.ID != w.ID || g.Author != w.Author || g.From != w.From || g.Text != w.Text || !g.At.Equal(w.At) {
			t.Fatalf("line %d: %+v, want %+v", i+1, g, w)
		}
	}

	buf.Reset()
	if n, err := s.Export(ctx, &buf, []string{"p-secret"}); err != nil || n != 2 || strings.Count(buf.String(), "\n") != 2 {
		t.Fatalf("Export of one room = %d, %v:\n%s", n, err, buf.String())
	}
}

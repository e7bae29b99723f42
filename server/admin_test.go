//go:build !js

package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"livechat/server"
	"livechat/server/store"
	"livechat/shared"
)

// run runs a command of admin.go and returns its exit code and output.
func run(t *testing.T, main func(context.Context, []string, func(string) string, io.Writer, io.Writer) int, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	code := main(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// restoreFrom is server.RestoreMain reading stdin from stdin.
func restoreFrom(stdin io.Reader) func(context.Context, []string, func(string) string, io.Writer, io.Writer) int {
	return func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
		return server.RestoreMain(ctx, args, getenv, stdin, stdout, stderr)
	}
}

// serve runs a server on st until the returned function stops it.
func serve(t *testing.T, st *store.Store) (url string, stop func()) {
	t.Helper()
	web := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("web app")) })
	s, err := server.New(testConfig(), "test", web, dataFor(t, st), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws", func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		hs.Close()
	}
}

// sameMessages fails the test unless got and want are the same messages.
func sameMessages(t *testing.T, what string, got, want []shared.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d messages, want %d:\n%+v", what, len(got), len(want), got)
	}
	for i, w := range want {
		if g := got[i]; g.ID != w.ID || g.Room != w.Room || g.Author != w.Author || g.From != w.From || g.Text != w.Text || !g.At.Equal(w.At) {
			t.Fatalf("%s, message %d:\n got %+v\nwant %+v", what, i, g, w)
		}
	}
}

// TestBackupRestoreExportCommands: people sign up, talk in a public
// room, a private room and a direct conversation on a real server; the
// server stops; livechat backup, restore (into a new data directory) and
// export run as an operator would; and a server on the restored
// directory signs alice in with the credential her browser kept, and
// shows every room as it was.
func TestBackupRestoreExportCommands(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, store.Config{Dir: dir})
	url, stop := serve(t, st)

	alice := dial(t, url)
	welcome := alice.hello("alice")
	bob := dial(t, url)
	bob.hello("bob")
	said := make(map[string][]shared.Message)
	sayIn := func(room, id, text string) {
		alice.send(shared.TypeSay, id, shared.Say{Room: room, Text: text})
		m := alice.nextMessage()
		said[room] = append(said[room], m)
	}
	alice.send(shared.TypeJoin, "", shared.Join{Room: shared.DefaultRoom})
	alice.joined()
	for i, text := range []string{"hello", "<b>bold</b> & \"quoted\"", "line one\nline two 🎉"} {
		sayIn(shared.DefaultRoom, "g"+string(rune('0'+i)), text)
	}
	secret := ask[shared.RoomInfo](alice, shared.TypeCreateRoom, shared.CreateRoom{Name: "Secret plans", Kind: shared.KindPrivate}, shared.TypeRoom)
	alice.send(shared.TypeJoin, "", shared.Join{Room: secret.ID})
	alice.joined()
	sayIn(secret.ID, "p1", "the plan")
	dm := ask[shared.RoomInfo](alice, shared.TypeOpenDM, shared.OpenDM{People: []string{"bob"}}, shared.TypeRoom)
	alice.send(shared.TypeJoin, "", shared.Join{Room: dm.ID})
	alice.joined()
	sayIn(dm.ID, "d1", "just between us")

	// While the server holds the data directory, the commands say what
	// to do.
	if code, _, stderr := run(t, server.BackupMain, nil, "-data", dir, "-o", filepath.Join(t.TempDir(), "b.tar")); code != 1 || !strings.Contains(stderr, "in use") || !strings.Contains(stderr, "stop it first") {
		t.Fatalf("backup of a directory in use: exit %d\n%s", code, stderr)
	}
	stop()
	st.Close()

	file := filepath.Join(t.TempDir(), "livechat.backup")
	code, stdout, stderr := run(t, server.BackupMain, map[string]string{"LIVECHAT_DATA": dir}, "-o", file)
	if code != 0 || !strings.Contains(stdout, "backed up 6 streams") || !strings.Contains(stdout, "room general: 3 messages (ids 1 to 3)") {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, stderr)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v", fi, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*partial")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	in, err := os.Open(file) // as stdin, redirected from the file
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if code, stdout, stderr := run(t, restoreFrom(in), nil, "-check", "-i", "-"); code != 0 || !strings.Contains(stdout, "complete livechat backup") {
		t.Fatalf("restore -check: exit %d\n%s%s", code, stdout, stderr)
	}

	restored := t.TempDir()
	code, stdout, stderr = run(t, restoreFrom(nil), nil, "-data", restored, "-i", file)
	if code != 0 || !strings.Contains(stdout, "restored 6 streams") || !strings.Contains(stdout, "room "+secret.ID+": 1 message (id 1)") || !strings.Contains(stdout, "bucket livechat_accounts") {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = run(t, restoreFrom(nil), nil, "-data", restored, "-i", file)
	if code != 1 || !strings.Contains(stderr, "already holds") || !strings.Contains(stderr, "room general: 3 messages") || !strings.Contains(stderr, "-force") {
		t.Fatalf("restore over a restore: exit %d\n%s", code, stderr)
	}

	// The export has every message, oldest first, room by room.
	export := filepath.Join(t.TempDir(), "export.jsonl")
	if code, stdout, stderr := run(t, server.ExportMain, nil, "-data", restored, "-o", export); code != 0 || !strings.Contains(stdout, "exported 5 messages of 3 rooms") {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var exported []shared.Message
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var line store.ExportedMessage
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		var fields map[string]any
		json.Unmarshal(sc.Bytes(), &fields)
		if at, ok := fields["at"].(string); !ok || len(fields) != 6 {
			t.Fatalf("export line %q: want room, id, author, from, text and at", sc.Text())
		} else if _, err := time.Parse(time.RFC3339, at); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		exported = append(exported, shared.Message{ID: line.ID, Room: line.Room, Author: line.Author, From: line.From, Text: line.Text, At: line.At})
	}
	rooms := []string{dm.ID, shared.DefaultRoom, secret.ID}
	slices.Sort(rooms)
	var want []shared.Message
	for _, room := range rooms {
		want = append(want, said[room]...)
	}
	sameMessages(t, "export", exported, want)
	if said[shared.DefaultRoom][0].Author != welcome.You.ID {
		t.Fatalf("author %q, want alice's account %q", said[shared.DefaultRoom][0].Author, welcome.You.ID)
	}
	code, stdout, stderr = run(t, server.ExportMain, nil, "-data", restored, "-room", secret.ID)
	if code != 0 || strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, `"text":"the plan"`) || !strings.Contains(stderr, "exported 1 message of 1 room to -") {
		t.Fatalf("export of one room: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, server.ExportMain, nil, "-data", restored, "-room", "nowhere"); code != 1 || !strings.Contains(stderr, `no messages of room "nowhere"`) {
		t.Fatalf("export of an unknown room: exit %d\n%s", code, stderr)
	}

	// A server on the restored directory: alice's browser signs in with
	// the credential it kept, and finds her rooms as they were.
	srv := startServerWith(t, testConfig(), openStore(t, store.Config{Dir: restored}))
	again := dial(t, srv.URL)
	again.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Credential: welcome.Credential})
	if w := expect[shared.Welcome](again, shared.TypeWelcome); w.You.ID != welcome.You.ID || w.You.Nickname != "alice" || !w.Admin {
		t.Fatalf("welcome after the restore: %+v", w)
	}
	for _, room := range rooms {
		again.send(shared.TypeJoin, "", shared.Join{Room: room})
		_, _, hist := again.joined()
		sameMessages(t, "history of "+room, messagesOf(hist), said[room])
	}
	again.send(shared.TypeSay, "new", shared.Say{Room: shared.DefaultRoom, Text: "back"})
	if m := again.nextMessage(); m.ID != 4 {
		t.Fatalf("first message after the restore: %+v, want id 4", m)
	}
	// The nickname is still hers.
	mallory := dial(t, srv.URL)
	mallory.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "alice"})
	mallory.expectError(shared.CodeNicknameTaken)
}

// TestBackupThroughNATS backs up the store of servers on an external NATS
// while they run: everything but presence (kept in memory), restored into
// an embedded store.
func TestBackupThroughNATS(t *testing.T) {
	url := startNATS(t)
	cfg := testConfig()
	cfg.Store = store.Config{URLs: []string{url}}
	srv := startServer(t, cfg)
	alice := join(t, srv.URL, "alice")
	alice.say("a1", "said while the backup runs")
	alice.nextMessage()

	// To stdout, with the report on stderr.
	code, backup, stderr := run(t, server.BackupMain, map[string]string{"LIVECHAT_NATS": url}, "-o", "-")
	if code != 0 || !strings.Contains(stderr, "room general: 1 message (id 1)") || !strings.Contains(stderr, "bucket livechat_accounts") || strings.Contains(stderr, "presence") {
		t.Fatalf("backup through NATS: exit %d\n%s", code, stderr)
	}
	alice.say("a2", "said after the backup")
	alice.nextMessage()

	// From a pipe.
	restored := t.TempDir()
	if code, stdout, stderr := run(t, restoreFrom(strings.NewReader(backup)), nil, "-data", restored, "-i", "-"); code != 0 || !strings.Contains(stdout, "room general: 1 message (id 1)") {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestOnlineBackup: livechat backup -from takes a backup of a running
// server through its private listener, while people keep talking; the
// backup restores to what was said up to then, and a backup cut short,
// or asked of the wrong address, is an error, not a file.
func TestOnlineBackup(t *testing.T) {
	srv := startServer(t, testConfig())
	alice := join(t, srv.URL, "alice")
	for i := range 50 {
		alice.say(fmt.Sprint("b", i), fmt.Sprint("before the backup ", i))
		alice.nextMessage()
	}
	private := strings.TrimSuffix(metricsServer(t, srv), "/metrics")

	file := filepath.Join(t.TempDir(), "online.backup")
	done := make(chan struct{})
	go func() { // someone goes on talking meanwhile
		defer close(done)
		for i := range 20 {
			if alice.trySay(fmt.Sprint("d", i), "during the backup") != nil {
				return
			}
		}
	}()
	code, stdout, stderr := run(t, server.BackupMain, nil, "-from", private, "-o", file)
	<-done
	if code != 0 || !strings.Contains(stdout, "backed up") || !strings.Contains(stdout, "room general:") {
		t.Fatalf("online backup: exit %d\n%s%s", code, stdout, stderr)
	}
	restored := t.TempDir()
	if code, stdout, stderr := run(t, restoreFrom(nil), nil, "-data", restored, "-i", file); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, stderr)
	}
	st := openStore(t, store.Config{Dir: restored})
	defer st.Close()
	ms, err := st.Range(context.Background(), shared.DefaultRoom, 1, 1000)
	if err != nil || len(ms) < 50 {
		t.Fatalf("restored #general: %d messages, %v; want at least the 50 from before", len(ms), err)
	}
	for i, m := range ms[:50] {
		if m.Text != fmt.Sprint("before the backup ", i) || m.ID != uint64(i+1) {
			t.Fatalf("restored message %d: %+v", i, m)
		}
	}

	// The public listener has no backups, and a wrong address says so.
	if code, _, stderr := run(t, server.BackupMain, nil, "-from", srv.http.URL, "-o", filepath.Join(t.TempDir(), "x")); code != 1 || !strings.Contains(stderr, "-metrics-addr") {
		t.Fatalf("backup from the public listener: exit %d\n%s", code, stderr)
	}
	// A backup cut short is refused, and leaves no file.
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := os.ReadFile(file)
		w.Header().Set("Content-Type", "application/x-tar")
		w.Write(data[:len(data)/2])
	}))
	defer cut.Close()
	short := filepath.Join(t.TempDir(), "short.backup")
	if code, _, stderr := run(t, server.BackupMain, nil, "-from", cut.URL, "-o", short); code != 1 || !strings.Contains(stderr, "not a complete livechat backup") {
		t.Fatalf("a backup cut short: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(short); !os.IsNotExist(err) {
		t.Fatalf("a backup cut short left a file: %v", err)
	}
}

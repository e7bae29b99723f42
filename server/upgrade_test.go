//go:build !js

package server_test

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"livechat/server/store"
	"livechat/shared"
)

// TestDataDirFromBeforeAccounts opens a data directory written by the
// release before accounts and rooms (protocol 2, commit 19d16f3): "Ada"
// said three things in #general. The current server opens it without a
// manual step, and #general keeps its history; Ada's nickname is claimed
// by whoever signs in with it first (the web app does so for a browser
// that was in the chat as Ada).
func TestDataDirFromBeforeAccounts(t *testing.T) {
	dir := t.TempDir()
	extract(t, filepath.Join("testdata", "datadir-protocol2.tar.gz"), dir)
	srv := startServerWith(t, testConfig(), openStore(t, store.Config{Dir: dir}))

	ada := dial(t, srv.URL)
	ada.hello("Ada")
	ada.send(shared.TypeJoin, "", shared.Join{Room: "general"})
	j, _, hist := ada.joined()
	msgs := messagesOf(hist)
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
		if m.From != "Ada" || m.Author != "" || m.Room != "general" {
			t.Errorf("old message %+v", m)
		}
	}
	want := []string{"the first message, from before accounts", "héllo <b>world</b>", "the last one before the upgrade"}
	if !slices.Equal(texts, want) || j.Last != 3 || !slices.Equal(ids(msgs), []uint64{1, 2, 3}) {
		t.Fatalf("history %q (ids %v, last %d), want %q with ids 1-3", texts, ids(msgs), j.Last, want)
	}
	ada.say("new-1", "after the upgrade")
	if m := ada.nextMessage(); m.ID != 4 || m.Author == "" {
		t.Fatalf("new message %+v, want id 4 with an author", m)
	}
}

// extract unpacks the tar.gz file into dir.
func extract(t *testing.T, file, dir string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, filepath.FromSlash(h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(name, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

//go:build !js

package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"livechat/server"
	"livechat/server/chat"
	"livechat/shared"
)

func TestStaticFiles(t *testing.T) {
	dir := t.TempDir()
	wasm := bytes.Repeat([]byte(rand.Text()), 4096)
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app.wasm", wasm)
	write("app.css", []byte("body{}"))
	if err := server.Precompress(filepath.Join(dir, "app.wasm")); err != nil {
		t.Fatal(err)
	}
	version, err := server.WebVersion(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}

	cfg := testConfig()
	cfg.WebDir, cfg.WebVersion = dir, version
	s, err := server.New(cfg, "test", http.NotFoundHandler(), chat.Deps{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	get := func(path, accept string) (*http.Response, []byte) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Result(), body
	}
	decode := map[string]func(io.Reader) io.Reader{
		"":     func(r io.Reader) io.Reader { return r },
		"br":   func(r io.Reader) io.Reader { return brotli.NewReader(r) },
		"gzip": func(r io.Reader) io.Reader { z, _ := gzip.NewReader(r); return z },
	}

	for _, tt := range []struct{ accept, encoding string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"", ""},
		{"identity", ""},
	} {
		resp, body := get("/web/app.wasm?v="+version, tt.accept)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Encoding") != tt.encoding {
			t.Errorf("Accept-Encoding %q: %d, encoding %q, want %q", tt.accept, resp.StatusCode, h.Get("Content-Encoding"), tt.encoding)
			continue
		}
		if h.Get("Content-Type") != "application/wasm" || h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("Accept-Encoding %q: headers %v", tt.accept, h)
		}
		if h.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("Accept-Encoding %q: Content-Length %s for %d bytes", tt.accept, h.Get("Content-Length"), len(body))
		}
		if tt.encoding != "" && (h.Get(shared.HeaderUncompressedLength) != strconv.Itoa(len(wasm)) || h.Get("Vary") != "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: headers %v", tt.accept, h)
		}
		got, err := io.ReadAll(decode[tt.encoding](bytes.NewReader(body)))
		if err != nil || !bytes.Equal(got, wasm) {
			t.Errorf("Accept-Encoding %q: body does not decode to app.wasm (%v)", tt.accept, err)
		}
	}

	// Not versioned, or an old version: must be revalidated.
	for _, path := range []string{"/web/app.wasm", "/web/app.wasm?v=old", "/web/app.css"} {
		if resp, _ := get(path, "br"); resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d, Cache-Control %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	// Outside the directory, the variants themselves, directories.
	for _, path := range []string{"/web/../go.mod", "/web/%2e%2e/go.mod", "/web/..%2fgo.mod", "/web/app.wasm.br", "/web/", "/web/nothing"} {
		if resp, _ := get(path, ""); resp.StatusCode == http.StatusOK {
			t.Errorf("%s: %d, want it refused", path, resp.StatusCode)
		}
	}

	// A variant older than the file is stale and not served.
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "app.wasm"), later, later)
	if resp, body := get("/web/app.wasm", "br, gzip"); resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, wasm) {
		t.Errorf("a stale variant was served (%q)", resp.Header.Get("Content-Encoding"))
	}
	// Precompress refreshes it.
	if err := server.Precompress(filepath.Join(dir, "app.wasm")); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(filepath.Join(dir, "app.wasm.br"), later, later)
	if resp, _ := get("/web/app.wasm", "br"); resp.Header.Get("Content-Encoding") != "br" {
		t.Errorf("the refreshed variant was not served")
	}
}

func TestWebVersion(t *testing.T) {
	dir := t.TempDir()
	if _, err := server.WebVersion(os.DirFS(dir)); err == nil {
		t.Fatal("no error without app.wasm")
	}
	os.WriteFile(filepath.Join(dir, "app.wasm"), []byte("one"), 0o644)
	v1, _ := server.WebVersion(os.DirFS(dir))
	again, _ := server.WebVersion(os.DirFS(dir))
	os.WriteFile(filepath.Join(dir, "app.wasm"), []byte("two"), 0o644)
	v2, _ := server.WebVersion(os.DirFS(dir))
	if v1 == "" || v1 != again || v1 == v2 {
		t.Errorf("versions %q %q %q: want stable per content", v1, again, v2)
	}
}

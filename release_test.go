//go:build !js

package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseRunsAnywhere builds the program as make release does, with
// the web app in it, from a copy of this source whose web directory holds
// the freshly built app; it runs it from an empty folder, with no -web,
// and the page, the app and its compressed copy are served.
func TestReleaseRunsAnywhere(t *testing.T) {
	src := t.TempDir()
	files, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("no git checkout to copy the source from: %v", err)
	}
	for name := range strings.SplitSeq(strings.TrimRight(string(files), "\x00"), "\x00") {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(src, name)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	built, err := os.ReadDir(build.web)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range built {
		data, err := os.ReadFile(filepath.Join(build.web, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(src, "web", e.Name()), data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(build.bin, "precompress", filepath.Join(src, "web", "app.wasm")).CombinedOutput(); err != nil {
		t.Fatalf("precompress: %v\n%s", err, out)
	}
	bin := filepath.Join(t.TempDir(), "livechat")
	cmd := exec.Command("go", "build", "-tags", "release", "-o", bin, ".")
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release build: %v\n%s", err, out)
	}

	l := runLivechat(t, bin, t.TempDir(), []string{"-addr", "127.0.0.1:0", "-data", dataDir(t)})
	if !strings.Contains(l.stderr.String(), "web app built into this program") {
		t.Errorf("the release does not say it serves its own web app:\n%s", l.stderr.String())
	}
	get := func(path, encoding string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", l.URL+strings.TrimPrefix(path, "/"), nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	if resp, body := get("/", ""); resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("livechat")) {
		t.Fatalf("the page: %s", resp.Status)
	}
	wasm, err := os.ReadFile(filepath.Join(build.web, "app.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := get("/web/app.wasm", ""); resp.StatusCode != http.StatusOK || !bytes.Equal(body, wasm) || resp.Header.Get("Content-Type") != "application/wasm" {
		t.Fatalf("app.wasm: %s, %s, %d bytes (want the %d built)", resp.Status, resp.Header.Get("Content-Type"), len(body), len(wasm))
	}
	if resp, body := get("/web/app.wasm", "br"); resp.Header.Get("Content-Encoding") != "br" || len(body) >= len(wasm)/2 {
		t.Fatalf("app.wasm in brotli: %s, encoding %q, %d bytes", resp.Status, resp.Header.Get("Content-Encoding"), len(body))
	}
	if resp, _ := get("/web/app.css", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("app.css: %s", resp.Status)
	}
}

//go:build !js

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/shared"
	"livechat/shared/sharedtest"
)

// goList runs `go list` with extra environment and returns its output
// lines.
func goList(t *testing.T, env []string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out))
}

// TestDependencyDirection checks app -> shared <- server: the app and the
// server never import each other, the browser build contains no server
// code, and shared stays portable.
func TestDependencyDirection(t *testing.T) {
	wasm := []string{"GOOS=js", "GOARCH=wasm"}
	for _, tt := range []struct {
		env       []string
		pkg       string
		forbidden string
	}{
		{wasm, "livechat", "livechat/server"},
		{nil, "livechat/app", "livechat/server"},
		{wasm, "livechat/app", "livechat/server"},
		{nil, "livechat/server/...", "livechat/app"},
		{nil, "livechat/shared", "livechat/"},
		{wasm, "livechat/shared", "livechat/"},
	} {
		for _, dep := range goList(t, tt.env, "-deps", tt.pkg) {
			if strings.HasPrefix(dep, tt.forbidden) && !strings.HasPrefix(tt.pkg, dep) {
				t.Errorf("%s (%v) depends on %s", tt.pkg, tt.env, dep)
			}
		}
	}
	for _, env := range [][]string{nil, wasm} {
		for _, imp := range goList(t, env, "-f", `{{join .Imports " "}}`, "livechat/shared") {
			std := !strings.Contains(strings.Split(imp, "/")[0], ".")
			ok := std || imp == "github.com/coder/websocket" || strings.HasPrefix(imp, "golang.org/x/")
			if !ok || imp == "net/http" || imp == "syscall/js" {
				t.Errorf("shared (%v) imports %s", env, imp)
			}
		}
	}
	// Every server file, tests included, is native only.
	for _, pkg := range goList(t, nil, "./server/...") {
		files := goList(t, wasm, "-e", "-f", "{{len .GoFiles}}{{len .TestGoFiles}}{{len .XTestGoFiles}}", pkg)
		if len(files) != 1 || files[0] != "000" {
			t.Errorf("%s has files that build for js/wasm (%v)", pkg, files)
		}
	}
}

// TestBinary runs the livechat program as `make run` does: it prints the
// URL, serves the page and the socket there, and exits 0 on SIGTERM after
// telling clients it is going away.
func TestBinary(t *testing.T) {
	cmd := exec.Command(build.bin, "-addr", "127.0.0.1:0", "-web", build.web, "-data", t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v; stderr: %s", err, stderr.String())
	}
	url := regexp.MustCompile(`http://\S+/`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}

	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<title>livechat</title>") {
		t.Fatalf("GET %s: %d %.200s", url, resp.StatusCode, body)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := shared.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"ws")
	if err != nil {
		t.Fatal(err)
	}
	defer c.WebSocket().CloseNow()
	if _, err := sharedtest.Hello(ctx, c, shared.Hello{Nickname: "alice"}); err != nil {
		t.Fatalf("hello: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for {
		_, err := c.Read(ctx)
		if err != nil {
			if s := websocket.CloseStatus(err); s != websocket.StatusGoingAway {
				t.Errorf("connection ended with %v, want going away", err)
			}
			break
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("livechat exited with %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("livechat did not exit within 10s of SIGTERM")
	}
}

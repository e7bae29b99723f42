//go:build !js

package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"livechat/server/store"
)

// TestHardening: every response carries the security headers; pages
// answer GET and HEAD only; a Host that is not allowed (DNS rebinding
// against a server on this machine) gets 421, also for the WebSocket.
func TestHardening(t *testing.T) {
	cfg := testConfig()
	cfg.AllowedHosts = []string{"localhost", "127.0.0.1", "::1"}
	srv := startServer(t, cfg)
	base := srv.http.URL // http://127.0.0.1:port
	port := base[strings.LastIndex(base, ":")+1:]

	do := func(method, host, path string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	resp := do("GET", "localhost:"+port, "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / for localhost: %s", resp.Status)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "connect-src 'self' ws://localhost:" + port + " wss://localhost:" + port} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy allows inline code: %q", csp)
	}
	for name, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if pp := resp.Header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") {
		t.Errorf("Permissions-Policy %q", pp)
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
	if resp := do("GET", "", "/healthz"); resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("the health check lacks the headers: %v", resp.Header)
	}

	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		if resp := do(method, "", "/"); resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "GET") {
			t.Errorf("%s /: %s, Allow %q", method, resp.Status, resp.Header.Get("Allow"))
		}
	}
	if resp := do("HEAD", "", "/"); resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD /: %s", resp.Status)
	}

	// DNS rebinding: a page of evil.example, resolved to this machine.
	for _, host := range []string{"evil.example", "evil.example:" + port, "localhost.evil.example"} {
		if resp := do("GET", host, "/"); resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("GET / for %s: %s", host, resp.Status)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, srv.URL, &websocket.DialOptions{Host: "evil.example:" + port, HTTPHeader: http.Header{"Origin": {"http://evil.example:" + port}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a WebSocket for evil.example: %v, %v", err, resp)
	}
}

// TestReady: /readyz says 200 while the message store answers, and 503
// with the reason once it does not; /healthz says the process runs.
func TestReady(t *testing.T) {
	st := openStore(t, store.Config{})
	srv := startServerWith(t, testConfig(), st)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("/readyz"); code != http.StatusOK || !strings.Contains(body, `"ready"`) {
		t.Fatalf("/readyz with the store up: %d %s", code, body)
	}
	st.Close()
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "message store") {
		t.Fatalf("/readyz with the store down: %d %s", code, body)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz with the store down: %d", code)
	}
}

//go:build !js

package server_test

import (
	"context"
	"os/exec"
	"testing"
)

// TestInteropJavaScript runs a client written in JavaScript from
// shared/PROTOCOL.md alone (testdata/interop.mjs) against the server.
func TestInteropJavaScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	srv := startServer(t, testConfig())
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--experimental-websocket", "testdata/interop.mjs", srv.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("interop client: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// Package sharedtest helps tests on both sides of the socket.
package sharedtest

import (
	"os"
	"strings"
	"testing"
)

// ServerURL returns the WebSocket URL of the livechat server that
// `make test-js` starts for the browser tests (LIVECHAT_TEST_URL), failing
// the test when there is none.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("LIVECHAT_TEST_URL")
	if u == "" {
		t.Fatal("LIVECHAT_TEST_URL is not set: run the browser tests with `make test-js`, which starts a server")
	}
	return "ws" + strings.TrimPrefix(strings.TrimSuffix(u, "/"), "http") + "/ws"
}

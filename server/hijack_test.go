//go:build !js

package server_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestEarlyFrame sends a frame in the same write as the WebSocket
// handshake, before the server has answered: the small buffers the
// server switches to must keep it.
func TestEarlyFrame(t *testing.T) {
	srv := startServer(t, testConfig())
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.http.URL, "http://"), timeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))

	join := []byte(`{"type":"hello","payload":{"protocol":4,"nickname":"early"}}`)
	mask := []byte{1, 2, 3, 4}
	frame := []byte{0x81, 0x80 | byte(len(join))} // FIN, text; masked, short length
	frame = append(frame, mask...)
	for i, b := range join {
		frame = append(frame, b^mask[i%4])
	}
	req := "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	if _, err := conn.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}

	r := bufio.NewReader(conn)
	status, err := r.ReadString('\n')
	if err != nil || !strings.Contains(status, "101") {
		t.Fatalf("handshake: %q, %v", status, err)
	}
	for line := status; line != "\r\n"; {
		if line, err = r.ReadString('\n'); err != nil {
			t.Fatalf("handshake headers: %v", err)
		}
	}
	// Read the server's frames (unmasked, text) until the welcome.
	for {
		head := make([]byte, 2)
		if _, err := io.ReadFull(r, head); err != nil {
			t.Fatalf("no welcome: %v", err)
		}
		n := int(head[1] & 0x7f)
		switch n {
		case 126:
			ext := make([]byte, 2)
			io.ReadFull(r, ext)
			n = int(ext[0])<<8 | int(ext[1])
		case 127:
			t.Fatal("unexpectedly large frame")
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(payload, []byte(`"type":"welcome"`)) {
			return
		}
	}
}

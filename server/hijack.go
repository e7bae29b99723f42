//go:build !js

package server

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

// Buffer sizes of a WebSocket connection. Clients send small frames, and
// most frames the server sends fit the write buffer; larger ones are
// written straight through. The writer often sends two or three messages
// at once (about 280 bytes each with their author): 1 KiB takes them in
// one write, where 512 bytes took two, and the reader woke twice.
// net/http's own buffers (4 KiB each) would be most of what an idle
// connection costs.
const (
	wsReadBuffer  = 512
	wsWriteBuffer = 1024
)

// smallBuffers is a ResponseWriter whose Hijack hands the connection over
// with small buffers, keeping any bytes the client already sent.
type smallBuffers struct {
	http.ResponseWriter
}

func (w smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	n := brw.Reader.Buffered()
	peeked, _ := brw.Reader.Peek(n)
	early := bytes.Clone(peeked)
	r := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(early), conn), max(wsReadBuffer, n))
	if n > 0 {
		// Move what the client already sent into r's buffer, where the
		// WebSocket library looks for it.
		r.Peek(n)
	}
	return conn, bufio.NewReadWriter(r, bufio.NewWriterSize(conn, wsWriteBuffer)), nil
}

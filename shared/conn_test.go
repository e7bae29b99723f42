//go:build !js

package shared_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/shared"
)

// TestConn exercises Conn on both ends of a real socket: the server end
// reads what the client end writes and answers with an error envelope.
func TestConn(t *testing.T) {
	serverErrs := make(chan error, 8)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c := shared.NewConn(ws, 64)
		defer c.Close(websocket.StatusNormalClosure, "")
		for {
			env, err := c.Read(r.Context())
			var perr *shared.Error
			switch {
			case errors.As(err, &perr):
				c.Write(r.Context(), shared.TypeError, "", perr)
				continue
			case err != nil:
				serverErrs <- err
				return
			}
			var say shared.Say
			if err := env.DecodePayload(&say); err != nil {
				serverErrs <- err
				return
			}
			if say.Text == "batch please" {
				one, _ := shared.Encode(shared.TypeMessage, "", shared.Message{ID: 2, Text: "one"})
				two, _ := shared.Encode(shared.TypeMessage, "", shared.Message{ID: 3, Text: "two"})
				c.WriteFrame(r.Context(), shared.AppendBatch(nil, [][]byte{one, two}))
				continue
			}
			c.Write(r.Context(), shared.TypeMessage, "", shared.Message{ID: 1, Text: say.Text, ClientID: env.ID})
		}
	}))
	defer hs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(hs.URL, "http")

	c, err := shared.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.WebSocket().CloseNow() }() // c is redialled below

	if err := c.Write(ctx, shared.TypeSay, "c1", shared.Say{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	env, err := c.Read(ctx)
	var m shared.Message
	if err != nil || env.Type != shared.TypeMessage || env.DecodePayload(&m) != nil || m.Text != "hi" || m.ClientID != "c1" {
		t.Fatalf("Read = %+v %+v, %v", env, m, err)
	}

	// A batch reads as its envelopes, in order.
	c.WriteFrame(ctx, []byte(`{"type":"say","id":"c2","payload":{"text":"batch please"}}`))
	for _, want := range []string{"one", "two"} {
		env, err := c.Read(ctx)
		if err != nil || env.Type != shared.TypeMessage || env.DecodePayload(&m) != nil || m.Text != want {
			t.Fatalf("Read in a batch = %+v %+v, %v; want %q", env, m, err, want)
		}
	}

	c.WriteFrame(ctx, []byte(`{"type":`))
	env, err = c.Read(ctx)
	var e shared.Error
	if err != nil || env.Type != shared.TypeError || env.DecodePayload(&e) != nil || e.Code != shared.CodeInvalidJSON {
		t.Fatalf("Read = %+v %+v, %v", env, e, err)
	}

	// The server's ReadFrame reports bad frames without closing.
	for _, tt := range []struct {
		typ   websocket.MessageType
		frame string
		want  error
	}{
		{websocket.MessageBinary, `{}`, shared.ErrBinaryFrame},
		{websocket.MessageText, "\xff", shared.ErrInvalidUTF8},
	} {
		c.WebSocket().Write(ctx, tt.typ, []byte(tt.frame))
		if err := <-serverErrs; !errors.Is(err, tt.want) {
			t.Errorf("server read %v, want %v", err, tt.want)
		}
		// The server handler returned: dial again.
		c.WebSocket().CloseNow()
		if c, err = shared.Dial(ctx, url); err != nil {
			t.Fatal(err)
		}
	}

	// Over the read limit (64 bytes here): status 1009.
	c.Write(ctx, shared.TypeSay, "c2", shared.Say{Text: strings.Repeat("x", 100)})
	if _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Errorf("oversized frame: %v, want status 1009", err)
	}
	<-serverErrs
}

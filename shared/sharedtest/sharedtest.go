// Package sharedtest helps tests on both sides of the socket.
package sharedtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"livechat/shared"
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

// Hello signs conn in with h (its Protocol is filled in) and returns the
// welcome, or the error that refused it.
func Hello(ctx context.Context, conn *shared.Conn, h shared.Hello) (shared.Welcome, error) {
	var w shared.Welcome
	h.Protocol = shared.ProtocolVersion
	if err := conn.Write(ctx, shared.TypeHello, "", h); err != nil {
		return w, err
	}
	for {
		env, err := conn.Read(ctx)
		if err != nil {
			return w, err
		}
		switch env.Type {
		case shared.TypeError:
			var e shared.Error
			env.DecodePayload(&e)
			return w, &e
		case shared.TypeWelcome:
			err := env.DecodePayload(&w)
			return w, err
		}
	}
}

// Join sends j on conn and reads what answers it: it returns the joined
// event and the messages of the history, up to the history event marked
// live, or the error that refused the join.
func Join(ctx context.Context, conn *shared.Conn, j shared.Join) (shared.Joined, []shared.Message, error) {
	var joined shared.Joined
	if err := conn.Write(ctx, shared.TypeJoin, "", j); err != nil {
		return joined, nil, err
	}
	var msgs []shared.Message
	for {
		env, err := conn.Read(ctx)
		if err != nil {
			return joined, nil, err
		}
		switch env.Type {
		case shared.TypeError:
			var e shared.Error
			env.DecodePayload(&e)
			return joined, nil, &e
		case shared.TypeJoined:
			env.DecodePayload(&joined)
		case shared.TypeHistory:
			var h shared.History
			if err := env.DecodePayload(&h); err != nil {
				return joined, nil, err
			}
			msgs = append(msgs, h.Messages...)
			if h.Live {
				return joined, msgs, nil
			}
		}
	}
}

// SayAll sends n messages to room on conn without waiting between them, with
// client ids prefix0, prefix1, ..., and returns once all are
// acknowledged. Other events are read and dropped.
func SayAll(ctx context.Context, conn *shared.Conn, room string, n int, prefix, text string) error {
	errc := make(chan error, 1)
	go func() {
		for i := range n {
			if err := conn.Write(ctx, shared.TypeSay, fmt.Sprintf("%s%d", prefix, i), shared.Say{Room: room, Text: text}); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for acks := 0; acks < n; {
		env, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		if env.Type == shared.TypeAck {
			acks++
		}
	}
	return <-errc
}

//go:build !js

package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/server"
	"livechat/server/chat"
	"livechat/server/limit"
	"livechat/shared"
)

// slow is a rate that does not refill within a test: n at once, then
// one every few minutes.
func slow(n int) limit.Rate { return limit.Rate{Burst: n, Per: time.Duration(n) * 10 * time.Minute} }

// limitedConfig is testConfig with lim, behind a proxy on this machine
// whose X-Forwarded-For tests set to stand for other addresses.
func limitedConfig(lim chat.Limits) server.Config {
	cfg := testConfig()
	cfg.Limits = lim
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	return cfg
}

// dialFrom connects as a client at address addr (through the trusted
// proxy the test server believes).
func dialAddr(t *testing.T, url, addr string) (*client, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"X-Forwarded-For": {addr}}})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: HTTP %d: %w", resp.StatusCode, err)
		}
		return nil, err
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &client{t: t, conn: shared.NewConn(ws, shared.MaxServerFrameBytes), url: url, name: addr}, nil
}

// rateLimited reads the next error, which must be rate_limited for a
// request of type typ with a retry_after.
func (c *client) rateLimited(typ shared.Type) shared.Error {
	c.t.Helper()
	e := c.expectError(shared.CodeRateLimited)
	if e.Request != typ || e.RetryAfter <= 0 {
		c.t.Fatalf("%s: %+v, want rate_limited for %s with retry_after", c.name, e, typ)
	}
	return e
}

// ackOrLimited reads until the outcome of the say id: true for an ack,
// false for rate_limited. Messages in between are skipped.
func (c *client) ackOrLimited(id string) bool {
	c.t.Helper()
	for {
		env, err := c.read()
		if err != nil {
			c.t.Fatalf("%s: read: %v", c.name, err)
		}
		switch env.Type {
		case shared.TypeAck:
			var a shared.Ack
			env.DecodePayload(&a)
			if a.ClientID == id {
				return true
			}
		case shared.TypeError:
			var e shared.Error
			env.DecodePayload(&e)
			if e.Ref == id && e.Code == shared.CodeRateLimited && e.RetryAfter > 0 {
				return false
			}
			c.t.Fatalf("%s: error %+v, want an ack or rate_limited for %s", c.name, e, id)
		}
	}
}

func TestAbuseMessagesLimitedPerConnectionAccountAndAddress(t *testing.T) {
	srv := startServer(t, limitedConfig(chat.Limits{Messages: slow(5), AddressFactor: 2, Exempt: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}))
	alice := join(t, srv.URL, "alice")
	for i := range 5 {
		if !alice.ackOrLimited(sayN(alice, i)) {
			t.Fatalf("message %d of 5 refused", i)
		}
	}
	id := sayN(alice, 5)
	if alice.ackOrLimited(id) {
		t.Fatal("a sixth message at once was stored")
	}
	// The limit is the account's: a second connection shares it.
	again := join(t, srv.URL, "alice")
	if again.ackOrLimited(sayN(again, 6)) {
		t.Fatal("a second connection of alice got a fresh allowance")
	}
	// bob, at the same address, has his own; but the address as a whole
	// may send twice what one account may.
	bob := join(t, srv.URL, "bob")
	for i := range 5 {
		if !bob.ackOrLimited(sayN(bob, i)) {
			t.Fatalf("bob's message %d refused because of alice", i)
		}
	}
	carol := join(t, srv.URL, "carol")
	if carol.ackOrLimited(sayN(carol, 0)) {
		t.Fatal("the address sent more than twice what one account may")
	}
	// Another address is not held back by this one.
	dave, err := dialAddr(t, srv.URL, "198.51.100.4")
	if err != nil {
		t.Fatal(err)
	}
	dave.hello("dave")
	dave.send(shared.TypeJoin, "", shared.Join{})
	dave.joined()
	if !dave.ackOrLimited(sayN(dave, 0)) {
		t.Fatal("another address was refused")
	}
	// No limit applies to an exempt address (a load test's).
	eve, err := dialAddr(t, srv.URL, "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	eve.hello("eve")
	eve.send(shared.TypeJoin, "", shared.Join{})
	eve.joined()
	for i := range 10 {
		if !eve.ackOrLimited(sayN(eve, i)) {
			t.Fatalf("an exempt address was refused message %d", i)
		}
	}
	// alice twice, carol once: the operator sees each refusal.
	if got := scrape(t, metricsServer(t, srv), "").value("livechat_rate_limited_total", "limit", "messages"); got != 3 {
		t.Errorf("livechat_rate_limited_total{limit=messages} = %v, want 3", got)
	}
}

func sayN(c *client, i int) string {
	id := fmt.Sprintf("%s-%d", c.name, i)
	c.say(id, fmt.Sprintf("message %d", i))
	return id
}

func TestAbuseEveryRequestKindLimited(t *testing.T) {
	srv := startServer(t, limitedConfig(chat.Limits{
		History: slow(2), Joins: slow(3), Creations: slow(3), Requests: slow(4),
	}))
	// Request 1 of 4 (hello), join 1 of 3, creation 1 of 3 (#general is
	// new).
	c := join(t, srv.URL, "alice")
	t.Run("history", func(t *testing.T) {
		c.t = t
		for range 2 {
			c.send(shared.TypeHistory, "", shared.HistoryRequest{Room: shared.DefaultRoom, Before: 1})
			expect[shared.History](c, shared.TypeHistory)
		}
		c.send(shared.TypeHistory, "", shared.HistoryRequest{Room: shared.DefaultRoom, Before: 1})
		c.rateLimited(shared.TypeHistory)
	})
	t.Run("creations", func(t *testing.T) {
		c.t = t
		for i := range 2 {
			c.send(shared.TypeCreateRoom, "", shared.CreateRoom{Name: fmt.Sprintf("club%d", i), Kind: "private"})
			expect[shared.RoomInfo](c, shared.TypeRoom)
		}
		c.send(shared.TypeCreateRoom, "", shared.CreateRoom{Name: "club3", Kind: "private"})
		c.rateLimited(shared.TypeCreateRoom)
		// Naming a new public room creates it: a creation too.
		c.send(shared.TypeJoin, "", shared.Join{Room: "brandnew"})
		c.rateLimited(shared.TypeJoin)
	})
	t.Run("joins", func(t *testing.T) {
		c.t = t
		// #general and the refused #brandnew took 2 of 3: a refused
		// attempt counts.
		c.send(shared.TypeLeave, "", shared.Leave{Room: shared.DefaultRoom})
		expect[shared.Left](c, shared.TypeLeft)
		c.send(shared.TypeJoin, "", shared.Join{Room: shared.DefaultRoom})
		c.joined()
		c.send(shared.TypeLeave, "", shared.Leave{Room: shared.DefaultRoom})
		expect[shared.Left](c, shared.TypeLeft)
		c.send(shared.TypeJoin, "", shared.Join{Room: shared.DefaultRoom})
		c.rateLimited(shared.TypeJoin)
	})
	t.Run("requests", func(t *testing.T) {
		c.t = t
		// The hello and two leaves took 3 of 4; the fourth is a rooms
		// request.
		c.send(shared.TypeRooms, "", nil)
		expect[shared.Rooms](c, shared.TypeRoomsList)
		c.send(shared.TypeRooms, "", nil)
		c.rateLimited(shared.TypeRooms)
		c.send(shared.TypePing, "", nil)
		c.rateLimited(shared.TypePing)
	})
}

func TestAbuseSignInsAndSignUpsPerAddress(t *testing.T) {
	srv := startServer(t, limitedConfig(chat.Limits{SignIns: slow(2), SignUps: slow(2)}))
	from := func(addr string) *client {
		c, err := dialAddr(t, srv.URL, addr)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := from("198.51.100.1")
	first := c.hello("alice")
	c2 := from("198.51.100.1")
	c2.hello("bob")
	c3 := from("198.51.100.1")
	c3.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "carol"})
	c3.rateLimited(shared.TypeHello)
	// The connection stays open: the same hello with a credential works.
	c3.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Credential: first.Credential})
	expect[shared.Welcome](c3, shared.TypeWelcome)
	// Another address may still sign up.
	from("198.51.100.2").hello("carol")

	// Password guesses.
	c.send(shared.TypePassword, "", shared.Password{Password: "correct horse battery"})
	expect[shared.Account](c, shared.TypeAccountInfo)
	guesser := from("203.0.113.9")
	for range 2 {
		guesser.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "alice", Password: "wrong"})
		guesser.expectError(shared.CodeUnauthorized)
	}
	guesser.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "alice", Password: "correct horse battery"})
	guesser.rateLimited(shared.TypeHello)
}

func TestAbuseConnectionsPerAddress(t *testing.T) {
	srv := startServer(t, limitedConfig(chat.Limits{ConnectionsPerAddress: 2, Exempt: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}))
	a, err := dialAddr(t, srv.URL, "198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dialAddr(t, srv.URL, "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := dialAddr(t, srv.URL, "198.51.100.1"); err == nil || !strings.Contains(err.Error(), "HTTP 429") {
		t.Fatalf("third connection from one address: %v, want HTTP 429", err)
	}
	if got := scrape(t, metricsServer(t, srv), "").value("livechat_rate_limited_total", "limit", "connections"); got != 1 {
		t.Errorf("livechat_rate_limited_total{limit=connections} = %v, want 1", got)
	}
	// IPv6 addresses count by /64.
	for i, addr := range []string{"2001:db8::1", "2001:db8::2", "2001:db8::3"} {
		_, err := dialAddr(t, srv.URL, addr)
		if (err == nil) != (i < 2) {
			t.Fatalf("connection %d from 2001:db8::/64: %v", i+1, err)
		}
	}
	for range 3 {
		if _, err := dialAddr(t, srv.URL, "192.0.2.7"); err != nil {
			t.Fatalf("exempt address refused: %v", err)
		}
	}
	// A connection that ends frees its place.
	a.conn.WebSocket().Close(websocket.StatusNormalClosure, "")
	waitFor(t, "a place for another connection", func() bool {
		c, err := dialAddr(t, srv.URL, "198.51.100.1")
		if c != nil {
			c.conn.WebSocket().CloseNow()
		}
		return err == nil
	})
}

func TestAbuseOpenRoomsPerAddressAndRoomsPerAccount(t *testing.T) {
	srv := startServer(t, limitedConfig(chat.Limits{OpenRoomsPerAddress: 2, RoomsPerAccount: 3}))
	c, err := dialAddr(t, srv.URL, "198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	c.hello("mallory")
	for _, room := range []string{"one", "two"} {
		c.send(shared.TypeJoin, "", shared.Join{Room: room})
		c.joined()
	}
	c.send(shared.TypeJoin, "", shared.Join{Room: "three"})
	c.expectError(shared.CodeForbidden)
	// Someone elsewhere may still open rooms.
	other, err := dialAddr(t, srv.URL, "198.51.100.2")
	if err != nil {
		t.Fatal(err)
	}
	other.hello("olga")
	other.send(shared.TypeJoin, "", shared.Join{Room: "three"})
	other.joined()
	// Rooms open here that someone else opened do not count.
	c.send(shared.TypeJoin, "", shared.Join{Room: "three"})
	c.joined()
	// mallory is a member of three rooms now, the most one account may.
	c.send(shared.TypeLeave, "", shared.Leave{Room: "one"})
	expect[shared.Left](c, shared.TypeLeft)
	c.send(shared.TypeJoin, "", shared.Join{Room: "four"}) // "one" closed: the address may open one
	c.joined()
	c.send(shared.TypeLeave, "", shared.Leave{Room: "two"})
	expect[shared.Left](c, shared.TypeLeft)
	c.send(shared.TypeCreateRoom, "", shared.CreateRoom{Name: "den", Kind: "private"})
	expect[shared.RoomInfo](c, shared.TypeRoom)
	c.send(shared.TypeCreateRoom, "", shared.CreateRoom{Name: "den2", Kind: "private"})
	e := c.expectError(shared.CodeForbidden)
	if !strings.Contains(e.Message, "3 rooms") {
		t.Errorf("error %q does not say how many rooms", e.Message)
	}
}

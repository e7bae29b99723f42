//go:build !js

package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/shared"
)

// TestPresenceStorm: 1,100 people join a room and then leave at once,
// more than the 1,024 events a send queue once held. A member who reads
// promptly is never disconnected, and each storm reaches them as a few
// presence updates, not one event per person: updates naming people
// while the room is small, counts once it is big, and a full list when
// it is small again.
func TestPresenceStorm(t *testing.T) {
	const crowd = 1100
	srv := startServer(t, testConfig())
	watcher := join(t, srv.URL, "watcher")

	// The watcher reads everything as it comes, applying presence
	// updates to the list it got on joining.
	type tally struct {
		updates, names int
	}
	events := make(chan shared.PresenceUpdate, 4*crowd)
	readErr := make(chan error, 1)
	go func() {
		for {
			env, err := watcher.read()
			if err != nil {
				readErr <- err
				return
			}
			switch env.Type {
			case shared.TypePresenceUpdate:
				var u shared.PresenceUpdate
				env.DecodePayload(&u)
				events <- u
			case shared.TypePresence:
				// A full list again: as an update naming everyone.
				var p shared.Presence
				env.DecodePayload(&p)
				events <- shared.PresenceUpdate{Room: p.Room, Joined: p.Users, Online: p.Online, Counted: p.Counted}
			}
		}
	}()
	users := map[string]bool{"watcher": true}
	online := 1
	// until reads updates until n people are online.
	until := func(what string, n int) tally {
		t.Helper()
		var tl tally
		for online != n {
			select {
			case u := <-events:
				tl.updates++
				tl.names += len(u.Joined) + len(u.Left)
				online = u.Online
				if u.Counted {
					if u.Joined != nil || u.Left != nil || u.Online <= shared.MaxPresenceNames {
						t.Fatalf("%s: counted update %+v", what, u)
					}
					users = nil // no longer complete
					continue
				}
				if users == nil {
					users = make(map[string]bool) // a full list follows a count
				}
				for _, name := range u.Joined {
					users[name] = true
				}
				for _, name := range u.Left {
					delete(users, name)
				}
				if u.Online != len(users) {
					t.Fatalf("%s: update says %d online, the list has %d", what, u.Online, len(users))
				}
			case err := <-readErr:
				t.Fatalf("%s: the watcher was disconnected after %d updates: %v", what, tl.updates, err)
			}
		}
		return tl
	}

	// The crowd joins, fifty at a time, and does not read.
	crowd_ := make([]*client, crowd)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	var mu sync.Mutex
	var failures []string
	for i := range crowd_ {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			conn, err := shared.Dial(ctx, srv.URL)
			if err == nil {
				err = conn.Write(ctx, shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: fmt.Sprintf("p%04d", i)})
			}
			if err == nil {
				err = conn.Write(ctx, shared.TypeJoin, "", shared.Join{History: new(0)})
			}
			if err != nil {
				mu.Lock()
				failures = append(failures, err.Error())
				mu.Unlock()
				return
			}
			crowd_[i] = &client{t: t, conn: conn, name: fmt.Sprintf("p%04d", i)}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of the crowd could not join: %s", len(failures), failures[0])
	}
	joins := until("the join storm", crowd+1)

	// Everyone leaves at once.
	for _, c := range crowd_ {
		wg.Go(func() { c.conn.WebSocket().CloseNow() })
	}
	wg.Wait()
	leaves := until("the leave storm", 1)
	t.Logf("join storm: %d updates listing %d names; leave storm: %d updates listing %d names", joins.updates, joins.names, leaves.updates, leaves.names)
	for what, tl := range map[string]tally{"join": joins, "leave": leaves} {
		if tl.updates > crowd/10 {
			t.Errorf("the %s storm took %d presence updates: changes are not gathered", what, tl.updates)
		}
	}

	// Still connected and in the room.
	watcher.say("w1", "still here")
	waitFor(t, "the crowd's sessions to end", func() bool { return srv.Connections() == 1 })
	if _, peak := srv.QueuedBytes(); peak > 256<<20 {
		t.Errorf("%d bytes waited at once", peak)
	}
}

// TestRequestFloodIsBounded: a client asks for 300 pages of history and
// does not read. What waits for it stays within its send queue (it is
// held back by its own socket, not disconnected), and once it reads it
// gets every page.
func TestRequestFloodIsBounded(t *testing.T) {
	const queue = 256 << 10
	cfg := testConfig()
	cfg.SendQueueBytes = queue
	// Frequent pings: the server, waiting for the reader to drain its
	// queue, reads no pong meanwhile, and must not take that for a dead
	// peer.
	cfg.PingInterval = 50 * time.Millisecond
	srv := startServer(t, cfg)
	alice := dial(t, srv.URL)
	alice.hello("alice")
	alice.send(shared.TypeJoin, "", shared.Join{History: new(0)})
	alice.joined()
	text := strings.Repeat("x", 200)
	for i := range shared.MaxHistory {
		alice.say(fmt.Sprintf("m%d", i), text)
	}
	for n := 0; n < shared.MaxHistory; {
		if alice.nextMessage().Text == text {
			n++
		}
	}

	const pages = 300
	// A small receive buffer: the server's queue, not the sockets', is
	// what fills up once the reader stops reading.
	reader := dialSmallBuffer(t, srv.URL)
	reader.hello("reader")
	reader.send(shared.TypeJoin, "", shared.Join{History: new(0)})
	reader.joined()
	for i := range pages {
		reader.send(shared.TypeHistory, fmt.Sprintf("h%d", i), shared.HistoryRequest{Before: shared.MaxHistory + 1, Limit: new(shared.MaxHistory)})
	}
	// The server answers until half the queue waits, then stops reading.
	// 300 pages are 18 MB to read and encode: slow under the race
	// detector on a busy machine.
	waitWithin(t, time.Minute, "the server to hold back", func() bool { now, _ := srv.QueuedBytes(); return now > queue/2 })

	for i := range pages {
		env := reader.next()
		for env.Type == shared.TypePresenceUpdate { // alice, who reads nothing, is dropped
			env = reader.next()
		}
		if env.Type != shared.TypeHistory || env.ID != fmt.Sprintf("h%d", i) {
			t.Fatalf("page %d: got %s %s", i, env.Type, env.ID)
		}
		var h shared.History
		env.DecodePayload(&h)
		if len(h.Messages) != shared.MaxHistory {
			t.Fatalf("page %d has %d messages", i, len(h.Messages))
		}
	}
	// One page is about 60 KB: never more than the queue and one page
	// waited, where all 300 (18 MB) once did.
	_, peak := srv.QueuedBytes()
	t.Logf("at most %d bytes waited for the reader of %d pages", peak, pages)
	if peak > queue+(100<<10) {
		t.Errorf("%d bytes waited at once, over the %d-byte queue and a page", peak, queue)
	}
}

// TestSlowReaderBoundedInBytes: live messages that would make more than
// the send queue wait for a member close it with 1008 (after a closing
// event), however few frames that is, and the others keep getting every
// message. The metrics count one overflow and one slow disconnect.
func TestSlowReaderBoundedInBytes(t *testing.T) {
	cfg := testConfig()
	cfg.SendQueueBytes = 256 << 10
	srv := startServer(t, cfg)
	slow := dialSmallBuffer(t, srv.URL)
	slow.hello("slow")
	slow.send(shared.TypeJoin, "", shared.Join{History: new(0)})
	slow.joined()
	fast := join(t, srv.URL, "fast")
	sender := join(t, srv.URL, "sender")

	// 4 KB messages: the socket buffers and 64 of them fill the queue.
	text := strings.Repeat("y", 4000)
	const n = 2000
	done := make(chan error, 1)
	go func() {
		got := 0
		for got < n {
			env, err := fast.read()
			if err != nil {
				done <- err
				return
			}
			if env.Type == shared.TypeMessage {
				got++
			}
		}
		done <- nil
	}()
	for i := range n {
		sender.say(fmt.Sprintf("s%d", i), text)
		if i%8 == 7 {
			for got := 0; got < 8; {
				if env := sender.next(); env.Type == shared.TypeMessage {
					got++
				}
			}
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("fast reader: %v", err)
	}
	waitFor(t, "the slow reader to be cut off", func() bool { return srv.Connections() == 2 })
	var closing *shared.Closing
	for {
		env, err := slow.read()
		if err != nil {
			if s := websocket.CloseStatus(err); s != websocket.StatusPolicyViolation && s != -1 {
				t.Errorf("slow reader closed with %v", s)
			}
			break
		}
		if env.Type == shared.TypeClosing {
			closing = new(shared.Closing)
			env.DecodePayload(closing)
		}
	}
	if closing != nil && closing.Status != int(websocket.StatusPolicyViolation) {
		t.Errorf("closing event %+v", closing)
	}
	if now, _ := srv.QueuedBytes(); now > 64<<10 {
		t.Errorf("%d bytes still counted as waiting after the slow reader left", now)
	}
	// Its session has ended (see Connections): it is counted.
	fs := scrape(t, metricsServer(t, srv), "")
	if o, d := fs.value("livechat_send_queue_overflows_total"), fs.value("livechat_disconnects_total", "reason", "slow"); o != 1 || d != 1 {
		t.Errorf("%v send queue overflows and %v slow disconnects, want 1 each", o, d)
	}
}

// TestPing: a ping is answered with a pong carrying its id, before and
// after joining.
func TestPing(t *testing.T) {
	srv := startServer(t, testConfig())
	c := dial(t, srv.URL)
	c.send(shared.TypePing, "p1", nil)
	if env := c.next(); env.Type != shared.TypePong || env.ID != "p1" {
		t.Fatalf("got %s %q, want pong p1", env.Type, env.ID)
	}
	c.hello("alice")
	c.send(shared.TypeJoin, "", shared.Join{})
	c.joined()
	c.send(shared.TypePing, "p2", nil)
	if env := c.next(); env.Type != shared.TypePong || env.ID != "p2" || len(env.Payload) != 0 {
		t.Fatalf("got %s %q %s, want pong p2", env.Type, env.ID, env.Payload)
	}
}

// TestBigRoomPresenceCounts: past shared.MaxPresenceNames people, presence
// carries the number of people, not their names, to newcomers and to
// those already in; back under it, everyone gets the full list again.
func TestBigRoomPresenceCounts(t *testing.T) {
	srv := startServer(t, testConfig())
	watcher := join(t, srv.URL, "watcher")
	n := shared.MaxPresenceNames + 5 // with the watcher
	crowd := make([]*client, 0, n)
	for i := range n - 1 {
		c := dial(t, srv.URL)
		c.name = fmt.Sprintf("p%03d", i)
		c.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: c.name})
		c.send(shared.TypeJoin, "", shared.Join{History: new(0)})
		crowd = append(crowd, c)
	}
	// The watcher's updates turn into counts.
	for {
		u := watcher.presence()
		if u.Online == n {
			if !u.Counted || u.Joined != nil {
				t.Fatalf("update %+v, want a count", u)
			}
			break
		}
	}
	// A newcomer to the big room gets a count too.
	late := dial(t, srv.URL)
	late.hello("late")
	late.send(shared.TypeJoin, "", shared.Join{History: new(0)})
	expect[shared.Joined](late, shared.TypeJoined)
	if p := expect[shared.Presence](late, shared.TypePresence); !p.Counted || p.Users != nil || p.Online != n+1 {
		t.Fatalf("a newcomer to a big room got %+v", p)
	}
	late.conn.WebSocket().CloseNow()
	// Back under the limit: a full list.
	for _, c := range crowd[:10] {
		c.conn.WebSocket().CloseNow()
	}
	for {
		env := watcher.next()
		if env.Type == shared.TypePresenceUpdate {
			continue
		}
		var p shared.Presence
		if env.Type != shared.TypePresence || env.DecodePayload(&p) != nil {
			t.Fatalf("got %s %s, want the full list", env.Type, env.Payload)
		}
		if p.Counted || len(p.Users) != n-10 || p.Online != n-10 || !slices.Contains(p.Users, "watcher") {
			t.Fatalf("after the crowd thinned: %d names, %+v", len(p.Users), p.Online)
		}
		break
	}
}

//go:build !js

package chat_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"livechat/server/chat"
	"livechat/server/cluster"
	"livechat/shared"
	"livechat/shared/sharedtest"
)

// fakeCluster stands for the other servers: the test says what they say
// through the handler the hub gives Run, and reads what the hub wrote.
type fakeCluster struct {
	mu       sync.Mutex
	handler  cluster.Handler
	parts    map[string]cluster.Part // this server's, by room
	notices  []cluster.Notice
	ttl      time.Duration
	runCalls chan struct{}
}

func (f *fakeCluster) SetPresence(room string, p cluster.Part) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.parts[room] = p
}
func (f *fakeCluster) Presence(context.Context, string) (map[string]cluster.Part, error) {
	return nil, nil
}
func (f *fakeCluster) Stale(p cluster.Part, now time.Time) bool { return now.Sub(p.At) > f.ttl }
func (f *fakeCluster) Notify(n cluster.Notice) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notices = append(f.notices, n)
}
func (f *fakeCluster) Run(ctx context.Context, h cluster.Handler) error {
	f.mu.Lock()
	f.handler = h
	f.mu.Unlock()
	close(f.runCalls)
	<-ctx.Done()
	return nil
}

// TestPresenceAcrossServers: a room's presence is the union of the
// people here and those other servers report; a person on two servers
// comes and goes once; a counted part adds its count; a stale part drops
// its people; and this server writes its own part.
func TestPresenceAcrossServers(t *testing.T) {
	fake := &fakeCluster{parts: make(map[string]cluster.Part), ttl: time.Minute, runCalls: make(chan struct{})}
	_, url := startHubIn(t, chat.Config{PresenceDelay: 10 * time.Millisecond}, fake)
	<-fake.runCalls
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	conn, err := shared.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.WebSocket().CloseNow()
	w, err := sharedtest.Hello(ctx, conn, shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sharedtest.Join(ctx, conn, shared.Join{}); err != nil {
		t.Fatal(err)
	}
	next := func() shared.PresenceUpdate {
		t.Helper()
		for {
			env, err := conn.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if env.Type == shared.TypePresenceUpdate {
				var u shared.PresenceUpdate
				env.DecodePayload(&u)
				return u
			}
		}
	}
	waitUntil := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			if ctx.Err() != nil {
				t.Fatalf("waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitUntil("this server's part", func() bool {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		p := fake.parts["general"]
		return p.Count == 1 && p.People[w.You.ID] == "alice"
	})

	now := time.Now()
	fake.handler.Presence("general", "s2", cluster.Part{People: map[string]string{"b": "bob", w.You.ID: "alice"}, Count: 2, At: now})
	if u := next(); !slices.Equal(u.Joined, []string{"bob"}) || u.Online != 2 {
		t.Fatalf("bob on another server: %+v (alice, also there, is no news)", u)
	}
	fake.handler.Presence("general", "s3", cluster.Part{People: map[string]string{"b": "bob", "c": "carol"}, Count: 2, At: now.Add(time.Minute)})
	if u := next(); !slices.Equal(u.Joined, []string{"carol"}) || u.Online != 3 {
		t.Fatalf("bob on a third server too, and carol: %+v", u)
	}
	fake.handler.Presence("general", "s2", cluster.Part{})
	fake.handler.Presence("general", "s4", cluster.Part{Count: 500, At: now.Add(time.Minute)})
	if u := next(); !u.Counted || u.Online != 503 {
		t.Fatalf("a server with 500 people: %+v", u)
	}
	fake.handler.Presence("general", "s4", cluster.Part{})
	for { // back under the limit: the names again, in full
		env, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var p shared.Presence
		if env.Type == shared.TypePresence && env.DecodePayload(&p) == nil {
			if got := strings.Join(p.Users, ","); got != "alice,bob,carol" || p.Counted {
				t.Fatalf("the names again: %+v", p)
			}
			break
		}
	}
	// s3 goes stale: bob and carol are gone.
	fake.handler.Expire(now.Add(time.Minute + 2*fake.ttl))
	u := next()
	if !slices.Contains(u.Left, "bob") || !slices.Contains(u.Left, "carol") || u.Online != 1 {
		t.Fatalf("after s3 went stale: %+v", u)
	}
}

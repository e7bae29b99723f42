package app_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"livechat/app"
)

// memStorage is a Storage that, like the browser's, keeps JSON.
type memStorage struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memStorage) Get(key string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.m[key]; ok {
		return json.Unmarshal(b, v)
	}
	return nil
}

func (s *memStorage) Set(key string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(v)
	if s.m == nil {
		s.m = make(map[string][]byte)
	}
	s.m[key] = b
	return err
}

func TestOutboxSurvivesReload(t *testing.T) {
	storage := &memStorage{}
	o := app.LoadOutbox(storage, "outbox")
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o.Add(app.Pending{ClientID: "c-1", Text: "  first  ", At: at})
	o.Add(app.Pending{ClientID: "c-2", Text: "second", At: at})
	o.Seen(41)
	o.Seen(40) // never goes back

	again := app.LoadOutbox(storage, "outbox")
	items := again.Items()
	if last, ok := again.LastID(); len(items) != 2 || items[0].ClientID != "c-1" || items[0].Text != "  first  " || !items[0].At.Equal(at) || last != 41 || !ok {
		t.Fatalf("after reload: %+v, last id %d %v", items, last, ok)
	}
	if !again.Remove("c-1") || again.Remove("c-1") {
		t.Fatal("Remove does not report what it removed")
	}
	if items := app.LoadOutbox(storage, "outbox").Items(); len(items) != 1 || items[0].ClientID != "c-2" {
		t.Fatalf("after removing: %+v", items)
	}
	again.Clear()
	if _, ok := app.LoadOutbox(storage, "outbox").LastID(); ok || len(app.LoadOutbox(storage, "outbox").Items()) != 0 {
		t.Fatal("Clear did not clear")
	}
}

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
	o.Add(app.Pending{ClientID: "c-2", Room: "other", Text: "second", At: at})
	o.Seen("general", 41)
	o.Seen("general", 40) // never goes back
	o.Seen("other", 7)

	again := app.LoadOutbox(storage, "outbox")
	items := again.Items()
	if last, ok := again.LastID("general"); len(items) != 2 || items[0].ClientID != "c-1" || items[0].In() != "general" || items[1].In() != "other" || items[0].Text != "  first  " || !items[0].At.Equal(at) || last != 41 || !ok {
		t.Fatalf("after reload: %+v, last id %d %v", items, last, ok)
	}
	if last, ok := again.LastID("other"); last != 7 || !ok {
		t.Fatalf("other room: last id %d %v, want 7", last, ok)
	}
	if _, ok := again.LastID("third"); ok {
		t.Fatal("a room never seen has a last id")
	}
	if !again.Remove("c-1") || again.Remove("c-1") {
		t.Fatal("Remove does not report what it removed")
	}
	if items := app.LoadOutbox(storage, "outbox").Items(); len(items) != 1 || items[0].ClientID != "c-2" {
		t.Fatalf("after removing: %+v", items)
	}
	again.Clear()
	if _, ok := app.LoadOutbox(storage, "outbox").LastID("general"); ok || len(app.LoadOutbox(storage, "outbox").Items()) != 0 {
		t.Fatal("Clear did not clear")
	}
}

// TestOutboxFromBeforeRooms: an outbox saved by the app before rooms
// (one room, one last id) loads as that of the default room.
func TestOutboxFromBeforeRooms(t *testing.T) {
	storage := &memStorage{m: map[string][]byte{
		"outbox": []byte(`{"items":[{"client_id":"c-1","text":"old","at":"2026-11-01T00:00:00Z"}],"last_id":12,"has_last":true}`),
	}}
	o := app.LoadOutbox(storage, "outbox")
	if items := o.Items(); len(items) != 1 || items[0].In() != "general" {
		t.Fatalf("items %+v, want one for general", items)
	}
	if last, ok := o.LastID("general"); last != 12 || !ok {
		t.Fatalf("last id %d %v, want 12", last, ok)
	}
}

package app

import (
	"slices"
	"sync"
	"time"

	"livechat/shared"
)

// Storage keeps values under keys, as the browser's localStorage does
// (go-app's app.BrowserStorage satisfies it).
type Storage interface {
	Get(key string, v any) error
	Set(key string, v any) error
}

// Pending is a message written, or an edit or a reaction made, but not
// yet acknowledged by the server.
type Pending struct {
	ClientID string `json:"client_id"`
	// Room is where it goes; empty (in outboxes saved before rooms) means
	// shared.DefaultRoom.
	Room string    `json:"room,omitempty"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
	// Type is the request: shared.TypeSay (also when empty, in outboxes
	// saved before edits), TypeEdit or TypeReact.
	Type shared.Type `json:"type,omitempty"`
	// ReplyTo is the message a say answers; Of, the message an edit or
	// a reaction is about.
	ReplyTo uint64 `json:"reply_to,omitempty"`
	Of      uint64 `json:"of,omitempty"`
	// Emoji is a reaction's, taken back if Remove.
	Emoji  string `json:"emoji,omitempty"`
	Remove bool   `json:"remove,omitempty"`
}

// Request returns the request that sends p: its type and payload (its
// envelope id is p.ClientID).
func (p Pending) Request() (shared.Type, any) {
	switch p.Type {
	case shared.TypeEdit:
		return p.Type, shared.Edit{Room: p.In(), ID: p.Of, Text: p.Text}
	case shared.TypeReact:
		return p.Type, shared.React{Room: p.In(), ID: p.Of, Emoji: p.Emoji, Remove: p.Remove}
	}
	return shared.TypeSay, shared.Say{Room: p.In(), Text: p.Text, ReplyTo: p.ReplyTo}
}

// Said reports whether p is a message (not an edit or a reaction).
func (p Pending) Said() bool { return p.Type == "" || p.Type == shared.TypeSay }

// In returns the room p goes to.
func (p Pending) In() string {
	if p.Room == "" {
		return shared.DefaultRoom
	}
	return p.Room
}

// Outbox keeps the messages the server has not acknowledged, in the order
// they were written, and the id of the last message seen in each room. It saves itself
// to a Storage after every change, so that what was written survives a
// reload and is sent again. Its methods are safe for concurrent use.
type Outbox struct {
	storage Storage
	key     string

	mu   sync.Mutex
	data outboxData
}

type outboxData struct {
	Items []Pending `json:"items"`
	// Last is the id of the last message seen, by room.
	Last map[string]uint64 `json:"last,omitempty"`
	// LastID and HasLast are Last of the default room, as outboxes saved
	// before rooms have it.
	LastID  uint64 `json:"last_id,omitempty"`
	HasLast bool   `json:"has_last,omitempty"`
}

// LoadOutbox returns the outbox saved under key in storage (nil storage:
// an outbox that lives in memory only).
func LoadOutbox(storage Storage, key string) *Outbox {
	o := &Outbox{storage: storage, key: key}
	if storage != nil {
		storage.Get(key, &o.data)
	}
	if o.data.Last == nil {
		o.data.Last = make(map[string]uint64)
	}
	if o.data.HasLast {
		o.data.Last[shared.DefaultRoom] = o.data.LastID
		o.data.LastID, o.data.HasLast = 0, false
	}
	return o
}

func (o *Outbox) save() {
	if o.storage != nil {
		o.storage.Set(o.key, o.data)
	}
}

// Add appends p.
func (o *Outbox) Add(p Pending) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.data.Items = append(o.data.Items, p)
	o.save()
}

// Remove drops the message with clientID and reports whether it was
// there.
func (o *Outbox) Remove(clientID string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := len(o.data.Items)
	o.data.Items = slices.DeleteFunc(o.data.Items, func(p Pending) bool { return p.ClientID == clientID })
	if len(o.data.Items) == n {
		return false
	}
	o.save()
	return true
}

// Items returns the waiting messages, oldest first.
func (o *Outbox) Items() []Pending {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.data.Items)
}

// Seen records the id of a message received in room; while messages
// wait, it is saved, so that a reload can resume from it and find those
// that landed.
func (o *Outbox) Seen(room string, id uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if last, ok := o.data.Last[room]; ok && id <= last {
		return
	}
	o.data.Last[room] = id
	if len(o.data.Items) > 0 {
		o.save()
	}
}

// LastID returns the id of the last message seen in room, as saved, and
// whether one was.
func (o *Outbox) LastID(room string) (uint64, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	last, ok := o.data.Last[room]
	return last, ok
}

// Reset forgets the last id seen in room (the room's ids started over).
func (o *Outbox) Reset(room string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.data.Last, room)
	o.save()
}

// Clear empties the outbox.
func (o *Outbox) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.data = outboxData{Last: make(map[string]uint64)}
	o.save()
}

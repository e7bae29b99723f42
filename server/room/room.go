//go:build !js

// Package room keeps the rooms of a livechat server and who may read
// them: public rooms (listed; anyone joins), private rooms (joined by an
// invite or added by a member; invisible to others), and direct
// conversations of two to nine people. It also keeps, per person and
// room, the read position and the mentions not yet read.
//
// Access is decided here, on every request the chat server passes on: a
// private room or a direct conversation looks the same to someone who may
// not read it as a room that does not exist (not_found), so nothing about
// it leaks. Everything lives in a kv.KV shared by the servers of one NATS.
package room

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"livechat/server/kv"
	"livechat/shared"
)

// Kind is what kind of room a room is.
type Kind string

const (
	Public  Kind = "public"
	Private Kind = "private"
	Direct  Kind = "dm"
)

// Prefixes of the ids the server gives private rooms and direct
// conversations; public room names may not start with them.
const (
	privatePrefix = "p-"
	directPrefix  = "dm-"
)

// MaxDirect is how many people a direct conversation has at most.
const MaxDirect = 9

// MaxTopicChars is the longest topic.
const MaxTopicChars = 250

// Room is a room's record.
type Room struct {
	// ID names the room in the protocol: the name of a public room, a
	// generated id for the others.
	ID string `json:"id"`
	// Name is what people see: a private room's name; the same as ID for
	// a public room; empty for a direct conversation (its people name it).
	Name    string    `json:"name,omitempty"`
	Kind    Kind      `json:"kind"`
	Topic   string    `json:"topic,omitempty"`
	Creator string    `json:"creator,omitempty"`
	Created time.Time `json:"created"`
	// People are the account ids of a direct conversation's people.
	People []string `json:"people,omitempty"`
	// Locked and SlowMode are the room's moderation (moderation.go):
	// only its moderators write while it is locked; under slow mode, each
	// person writes once per SlowMode seconds.
	Locked   bool `json:"locked,omitempty"`
	SlowMode int  `json:"slow_mode,omitempty"`
}

// Member is a person's membership of a room.
type Member struct {
	Account string    `json:"account"`
	AddedBy string    `json:"added_by,omitempty"`
	Since   time.Time `json:"since"`
}

// Invite lets whoever has its code join a private room.
type Invite struct {
	Code    string    `json:"code"`
	Room    string    `json:"room"`
	By      string    `json:"by"`
	Expires time.Time `json:"expires"`
	MaxUses int       `json:"max_uses"`
	Uses    int       `json:"uses"`
}

// Config holds the optional settings of a Directory.
type Config struct {
	// Cache is how long a room's record, or that someone is a member, is
	// used without reading it again. Changes made here show at once; a
	// new topic set on another server shows here after at most this, and
	// a person who left a room there may still open it here meanwhile.
	// Default: 10s.
	Cache time.Duration
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
}

// Directory is the rooms of a server. Its methods are safe for concurrent
// use, also by several servers sharing one KV. Errors meant for people
// are *shared.Error values (not_found, forbidden, room_invalid,
// invalid_request); others are storage failures.
type Directory struct {
	kv    kv.KV
	now   func() time.Time
	cache time.Duration

	// mu guards the caches: room records by id, and when someone was
	// last known to be a member of a room (by room and account).
	mu      sync.Mutex
	rooms   map[string]cachedRoom
	members map[[2]string]time.Time
	// sanctions caches mutes and bans (moderation.go).
	sanctions map[sanctionKey]cachedSanction
}

type cachedRoom struct {
	room Room
	at   time.Time
}

// New returns the directory kept in store.
func New(store kv.KV, cfg Config) *Directory {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Cache <= 0 {
		cfg.Cache = 10 * time.Second
	}
	return &Directory{
		kv:        store,
		now:       func() time.Time { return cfg.Now().UTC().Truncate(time.Millisecond) },
		cache:     cfg.Cache,
		rooms:     make(map[string]cachedRoom),
		members:   make(map[[2]string]time.Time),
		sanctions: make(map[sanctionKey]cachedSanction),
	}
}

// cacheBound bounds each cache; past it, a cache starts over.
const cacheBound = 100_000

func (d *Directory) remember(r Room) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.rooms) > cacheBound {
		clear(d.rooms)
	}
	d.rooms[r.ID] = cachedRoom{r, d.now()}
}

func (d *Directory) rememberMember(room, who string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.members) > cacheBound {
		clear(d.members)
	}
	d.members[[2]string{room, who}] = d.now()
}

// Forget drops what is cached of room: its record, and, if who is set,
// that who is a member. Another server changed them.
func (d *Directory) Forget(room, who string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.rooms, room)
	if who != "" {
		delete(d.members, [2]string{room, who})
	}
}

func (d *Directory) knownMember(room, who string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	at, ok := d.members[[2]string{room, who}]
	return ok && d.now().Sub(at) < d.cache
}

// errNotFound is what someone who may not know of a room is told.
func errNotFound(id string) error {
	return shared.Errorf(shared.CodeNotFound, "there is no room %q that you can see", id)
}

func roomKey(id string) string              { return "room." + id }
func publicKey(id string) string            { return "public." + id }
func memberKey(room, account string) string { return "member." + room + "." + account }
func inviteKey(code string) string          { return "invite." + code }
func readKey(account, room string) string   { return "read." + account + "." + room }
func mentionKey(account, room string) string {
	return "mention." + account + "." + room
}

// validAccount reports whether id can be an account id in a key.
func validAccount(id string) bool {
	return kv.ValidToken(id)
}

// Get returns the record of room id, or not_found. It does not check
// access: see Open.
func (d *Directory) Get(ctx context.Context, id string) (Room, error) {
	if _, err := shared.CheckRoom(id); err != nil || id == "" {
		return Room{}, errNotFound(id)
	}
	d.mu.Lock()
	c, ok := d.rooms[id]
	d.mu.Unlock()
	if ok && d.now().Sub(c.at) < d.cache {
		return c.room, nil
	}
	value, _, err := d.kv.Get(ctx, roomKey(id))
	if errors.Is(err, kv.ErrNotFound) {
		return Room{}, errNotFound(id)
	}
	if err != nil {
		return Room{}, fmt.Errorf("read room %s: %w", id, err)
	}
	var r Room
	if err := json.Unmarshal(value, &r); err != nil {
		return Room{}, fmt.Errorf("read room %s: %w", id, err)
	}
	d.remember(r)
	return r, nil
}

// Open returns room id if who may read it: any public room (a public room
// named for the first time is created, as rooms always were), or a room
// who is a member of. Anything else is not_found, whether it exists or
// not.
func (d *Directory) Open(ctx context.Context, id, who string) (Room, error) {
	r, err := d.Visible(ctx, id, who)
	if err == nil {
		return r, d.checkBan(ctx, r, who, "you are")
	}
	if !isNotFound(err) || reserved(id) {
		return r, err
	}
	if _, err := shared.CheckRoom(id); err != nil || id == "" {
		return Room{}, errNotFound(id)
	}
	// New, or a room who may not see, which createPublic does not show.
	return d.createPublic(ctx, id, who, "")
}

// Visible returns room id if who may see it: a public room, or a room who
// is a member of. Anything else, a room that does not exist too, is
// not_found. Unlike Open, it creates nothing.
func (d *Directory) Visible(ctx context.Context, id, who string) (Room, error) {
	r, err := d.Get(ctx, id)
	if err != nil || r.Kind == Public {
		return r, err
	}
	ok, err := d.IsMember(ctx, id, who)
	if err != nil {
		return Room{}, err
	}
	if !ok {
		return Room{}, errNotFound(id)
	}
	return r, nil
}

// asMember returns room id if who is a member of it, or not_found if they
// may not see it, or forbidden, with why, for a public room they are not
// in.
func (d *Directory) asMember(ctx context.Context, id, who, why string) (Room, error) {
	r, err := d.Visible(ctx, id, who)
	if err != nil || r.Kind != Public { // Visible checked the membership
		return r, err
	}
	if ok, err := d.IsMember(ctx, id, who); err != nil {
		return Room{}, err
	} else if !ok {
		return Room{}, shared.Errorf(shared.CodeForbidden, "%s", why)
	}
	return r, nil
}

func isNotFound(err error) bool {
	var perr *shared.Error
	return errors.As(err, &perr) && perr.Code == shared.CodeNotFound
}

// reserved reports whether a public room may not be called id.
func reserved(id string) bool {
	return strings.HasPrefix(id, privatePrefix) || strings.HasPrefix(id, directPrefix)
}

// createPublic creates the public room id, or returns it if it exists.
func (d *Directory) createPublic(ctx context.Context, id, creator, topic string) (Room, error) {
	r := Room{ID: id, Name: id, Kind: Public, Topic: topic, Creator: creator, Created: d.now()}
	value, _ := json.Marshal(r)
	if _, err := d.kv.Create(ctx, roomKey(id), value); errors.Is(err, kv.ErrExists) {
		existing, err := d.Get(ctx, id)
		if err == nil && existing.Kind != Public {
			return Room{}, errNotFound(id)
		}
		return existing, err
	} else if err != nil {
		return Room{}, fmt.Errorf("create room %s: %w", id, err)
	}
	if _, err := d.kv.Create(ctx, publicKey(id), nil); err != nil && !errors.Is(err, kv.ErrExists) {
		return Room{}, fmt.Errorf("list room %s: %w", id, err)
	}
	d.remember(r)
	return r, nil
}

// Create makes a room: a public one called name (or the existing public
// room of that name), or a private one called name, with a generated id,
// whose only member is its creator.
func (d *Directory) Create(ctx context.Context, creator, name string, kind Kind, topic string) (Room, error) {
	if err := checkTopic(topic); err != nil {
		return Room{}, err
	}
	switch kind {
	case Public:
		if name == "" {
			return Room{}, shared.Errorf(shared.CodeRoomInvalid, "choose a name for the room")
		}
		id, err := shared.CheckRoom(name)
		if err != nil {
			return Room{}, err
		}
		if reserved(id) {
			return Room{}, shared.Errorf(shared.CodeRoomInvalid, "a public room's name cannot start with %q or %q", privatePrefix, directPrefix)
		}
		r, err := d.createPublic(ctx, id, creator, topic)
		if err != nil {
			return Room{}, err
		}
		if err := d.checkBan(ctx, r, creator, "you are"); err != nil {
			return Room{}, err
		}
		return r, d.AddMember(ctx, id, creator, creator)
	case Private:
		name = strings.TrimSpace(name)
		if n := utf8.RuneCountInString(name); n == 0 || n > 64 || !utf8.ValidString(name) {
			return Room{}, shared.Errorf(shared.CodeRoomInvalid, "a private room's name has 1 to 64 characters")
		}
		r := Room{ID: privatePrefix + strings.ToLower(rand.Text()[:16]), Name: name, Kind: Private, Topic: topic, Creator: creator, Created: d.now()}
		value, _ := json.Marshal(r)
		if _, err := d.kv.Create(ctx, roomKey(r.ID), value); err != nil {
			return Room{}, fmt.Errorf("create room: %w", err)
		}
		return r, d.AddMember(ctx, r.ID, creator, creator)
	}
	return Room{}, shared.Errorf(shared.CodeInvalidRequest, "a room is public or private, not %q", kind)
}

// Direct returns the direct conversation of creator with people (account
// ids; creator may be among them), creating it the first time: one
// conversation per set of people.
func (d *Directory) Direct(ctx context.Context, creator string, people []string) (Room, error) {
	set := slices.Clone(people)
	set = append(set, creator)
	slices.Sort(set)
	set = slices.Compact(set)
	switch {
	case len(set) < 2:
		return Room{}, shared.Errorf(shared.CodeInvalidRequest, "a direct conversation needs someone besides you")
	case len(set) > MaxDirect:
		return Room{}, shared.Errorf(shared.CodeInvalidRequest, "a direct conversation has at most %d people", MaxDirect)
	}
	for _, p := range set {
		if !validAccount(p) {
			return Room{}, shared.Errorf(shared.CodeNotFound, "no such person")
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(set, ",")))
	id := directPrefix + hex.EncodeToString(sum[:])[:24]
	r := Room{ID: id, Kind: Direct, Creator: creator, Created: d.now(), People: set}
	value, _ := json.Marshal(r)
	if _, err := d.kv.Create(ctx, roomKey(id), value); errors.Is(err, kv.ErrExists) {
		if r, err = d.Get(ctx, id); err != nil {
			return Room{}, err
		}
	} else if err != nil {
		return Room{}, fmt.Errorf("create conversation: %w", err)
	}
	for _, p := range r.People {
		if _, err := d.addMember(ctx, id, p, creator); err != nil {
			return Room{}, err
		}
	}
	return r, nil
}

// Add makes who a member of room, on behalf of by, who must be a member.
// People cannot be added to a direct conversation (start another one).
func (d *Directory) Add(ctx context.Context, id, by, who string) (Room, error) {
	r, err := d.Visible(ctx, id, by) // a member, unless the room is public
	if err != nil {
		return Room{}, err
	}
	if r.Kind == Direct {
		return Room{}, shared.Errorf(shared.CodeForbidden, "people cannot be added to a direct conversation: start a new one with everyone")
	}
	if err := d.checkBan(ctx, r, who, "this person is"); err != nil {
		return Room{}, err
	}
	return r, d.AddMember(ctx, id, who, by)
}

// AddMember records who as a member of room (again, if they were).
func (d *Directory) AddMember(ctx context.Context, room, who, by string) error {
	_, err := d.addMember(ctx, room, who, by)
	return err
}

// Enter records who as a member of the public room they join, and reports
// whether they were not one yet.
func (d *Directory) Enter(ctx context.Context, room, who string) (first bool, err error) {
	return d.addMember(ctx, room, who, who)
}

// addMember records who as a member of room and reports whether they
// were not one yet (false also when that was known, and not read again).
func (d *Directory) addMember(ctx context.Context, room, who, by string) (bool, error) {
	if !validAccount(who) {
		return false, shared.Errorf(shared.CodeNotFound, "no such person")
	}
	// Most joins are of members: no write, and mostly not even a read.
	if d.knownMember(room, who) {
		return false, nil
	}
	// Create refuses an existing member (kv.ErrExists) without writing:
	// one round trip for a new member, instead of a read then the write.
	m := Member{Account: who, AddedBy: by, Since: d.now()}
	value, _ := json.Marshal(m)
	_, err := d.kv.Create(ctx, memberKey(room, who), value)
	if err != nil && !errors.Is(err, kv.ErrExists) {
		return false, fmt.Errorf("add member to %s: %w", room, err)
	}
	d.rememberMember(room, who)
	return err == nil, nil
}

// IsMember reports whether who is a member of room.
func (d *Directory) IsMember(ctx context.Context, room, who string) (bool, error) {
	if !validAccount(who) {
		return false, nil
	}
	if d.knownMember(room, who) {
		return true, nil
	}
	_, _, err := d.kv.Get(ctx, memberKey(room, who))
	switch {
	case errors.Is(err, kv.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("check member of %s: %w", room, err)
	}
	d.rememberMember(room, who)
	return true, nil
}

// Leave ends who's membership of room. They can come back to a public
// room; to a private one only if invited or added again.
func (d *Directory) Leave(ctx context.Context, room, who string) error {
	if !validAccount(who) {
		return nil
	}
	d.mu.Lock()
	delete(d.members, [2]string{room, who})
	d.mu.Unlock()
	if err := d.kv.Delete(ctx, memberKey(room, who)); err != nil {
		return fmt.Errorf("leave %s: %w", room, err)
	}
	return nil
}

// Members returns the account ids of room's members. It does not check
// access.
func (d *Directory) Members(ctx context.Context, room string) ([]string, error) {
	keys, err := d.kv.Keys(ctx, "member."+room+".*")
	if err != nil {
		return nil, fmt.Errorf("list members of %s: %w", room, err)
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, strings.TrimPrefix(k, "member."+room+"."))
	}
	slices.Sort(ids)
	return ids, nil
}

// RoomsOf returns the ids of the rooms who is a member of.
func (d *Directory) RoomsOf(ctx context.Context, who string) ([]string, error) {
	if !validAccount(who) {
		return nil, nil
	}
	keys, err := d.kv.Keys(ctx, "member.*."+who)
	if err != nil {
		return nil, fmt.Errorf("list rooms of %s: %w", who, err)
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(k, "member."), "."+who))
	}
	slices.Sort(ids)
	return ids, nil
}

// PublicRooms returns the ids of the public rooms, sorted.
func (d *Directory) PublicRooms(ctx context.Context) ([]string, error) {
	keys, err := d.kv.Keys(ctx, "public.*")
	if err != nil {
		return nil, fmt.Errorf("list public rooms: %w", err)
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, strings.TrimPrefix(k, "public."))
	}
	slices.Sort(ids)
	return ids, nil
}

// SetTopic changes the topic of room, on behalf of by, a member.
func (d *Directory) SetTopic(ctx context.Context, id, by, topic string) (Room, error) {
	if err := checkTopic(topic); err != nil {
		return Room{}, err
	}
	if _, err := d.asMember(ctx, id, by, "join #"+id+" to change its topic"); err != nil {
		return Room{}, err
	}
	r, err := d.change(ctx, id, func(r *Room) { r.Topic = topic })
	if err != nil {
		return Room{}, fmt.Errorf("set topic of %s: %w", id, err)
	}
	return r, nil
}

// change applies fn to the record of room id and stores it, again if
// another write came first.
func (d *Directory) change(ctx context.Context, id string, fn func(*Room)) (Room, error) {
	var r Room
	err := kv.Modify(ctx, d.kv, roomKey(id), func(old []byte, exists bool) ([]byte, error) {
		if !exists {
			return nil, errNotFound(id)
		}
		r = Room{}
		if err := json.Unmarshal(old, &r); err != nil {
			return nil, err
		}
		fn(&r)
		return json.Marshal(r)
	})
	if err != nil {
		return Room{}, err
	}
	d.remember(r)
	return r, nil
}

func checkTopic(topic string) error {
	if !utf8.ValidString(topic) || utf8.RuneCountInString(topic) > MaxTopicChars {
		return shared.Errorf(shared.CodeInvalidRequest, "a topic has at most %d characters", MaxTopicChars)
	}
	for _, r := range topic {
		if r < 0x20 || r == 0x7f {
			return shared.Errorf(shared.CodeInvalidRequest, "a topic is one line without control characters")
		}
	}
	return nil
}

// NewInvite makes an invite to room, on behalf of by, a member: it lets
// up to maxUses people (at least 1) join within ttl.
func (d *Directory) NewInvite(ctx context.Context, room, by string, maxUses int, ttl time.Duration) (Invite, error) {
	const why = "only the members of a room invite to it, and nobody to a direct conversation"
	r, err := d.asMember(ctx, room, by, why)
	if err != nil {
		return Invite{}, err
	}
	if r.Kind == Direct {
		return Invite{}, shared.Errorf(shared.CodeForbidden, why)
	}
	if maxUses < 1 || maxUses > 1000 || ttl < time.Minute || ttl > 30*24*time.Hour {
		return Invite{}, shared.Errorf(shared.CodeInvalidRequest, "an invite is for 1 to 1000 people and lasts a minute to 30 days")
	}
	inv := Invite{Code: strings.ToLower(rand.Text()), Room: room, By: by, Expires: d.now().Add(ttl), MaxUses: maxUses}
	value, _ := json.Marshal(inv)
	if _, err := d.kv.Create(ctx, inviteKey(inv.Code), value); err != nil {
		return Invite{}, fmt.Errorf("create invite: %w", err)
	}
	return inv, nil
}

// Redeem makes who a member of the room of the invite code, if it is
// valid, not expired and not used up, and returns the room. A bad code is
// not_found.
func (d *Directory) Redeem(ctx context.Context, code, who string) (Room, error) {
	bad := shared.Errorf(shared.CodeNotFound, "this invite is not valid (any more): ask for a new one")
	if !kv.ValidToken(code) || len(code) > 64 {
		return Room{}, bad
	}
	for {
		value, rev, err := d.kv.Get(ctx, inviteKey(code))
		if errors.Is(err, kv.ErrNotFound) {
			return Room{}, bad
		}
		if err != nil {
			return Room{}, fmt.Errorf("read invite: %w", err)
		}
		var inv Invite
		if err := json.Unmarshal(value, &inv); err != nil {
			return Room{}, fmt.Errorf("read invite: %w", err)
		}
		if member, err := d.IsMember(ctx, inv.Room, who); err != nil {
			return Room{}, err
		} else if member {
			return d.Get(ctx, inv.Room) // already in: uses nothing
		}
		if !d.now().Before(inv.Expires) || inv.Uses >= inv.MaxUses {
			return Room{}, bad
		}
		if r, err := d.Get(ctx, inv.Room); err != nil {
			return Room{}, err
		} else if err := d.checkBan(ctx, r, who, "you are"); err != nil {
			return Room{}, err
		}
		inv.Uses++
		value, _ = json.Marshal(inv)
		if _, err := d.kv.Update(ctx, inviteKey(code), value, rev); errors.Is(err, kv.ErrConflict) {
			continue
		} else if err != nil {
			return Room{}, fmt.Errorf("use invite: %w", err)
		}
		r, err := d.Get(ctx, inv.Room)
		if err != nil {
			return Room{}, err
		}
		return r, d.AddMember(ctx, inv.Room, who, inv.By)
	}
}

//go:build !js

package room

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"livechat/server/kv"
	"livechat/shared"
)

// A room's moderation: whether it is locked and its slow mode (fields of
// its record, so that they travel with it), and who is muted in it or
// banned from it (records of their own, which say until when). The chat
// server decides who may change them (a room's owner, the admins) and
// checks them as people write; joins, invites and additions of a person
// banned from the room are refused here.
//
// Mutes and bans are read on every message or join: they are cached for
// Config.Cache, like room records, and a change made on another server
// shows here at once only if that server says so (ForgetSanctions).

// Sanction is a mute or a ban of a person in a room.
type Sanction struct {
	// Until is when it ends.
	Until time.Time `json:"until"`
	// By is the account id of who imposed it.
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
}

// The kinds of sanctions, which are also the first token of their keys.
const (
	muteKind = "mute"
	banKind  = "ban"
)

func sanctionKeyOf(kind, room, who string) string { return kind + "." + room + "." + who }

type sanctionKey struct{ kind, room, who string }

type cachedSanction struct {
	until time.Time // zero: none
	at    time.Time
}

// SetLocked locks room id (only its moderators may write) or unlocks it,
// and returns its record. It does not check who asks.
func (d *Directory) SetLocked(ctx context.Context, id string, locked bool) (Room, error) {
	r, err := d.change(ctx, id, func(r *Room) { r.Locked = locked })
	if err != nil {
		return Room{}, fmt.Errorf("lock %s: %w", id, err)
	}
	return r, nil
}

// SetSlowMode sets how many seconds each person waits between messages in
// room id (0: no wait), 0 to shared.MaxSlowModeSeconds, and returns its
// record. It does not check who asks.
func (d *Directory) SetSlowMode(ctx context.Context, id string, seconds int) (Room, error) {
	if seconds < 0 || seconds > shared.MaxSlowModeSeconds {
		return Room{}, shared.Errorf(shared.CodeInvalidRequest, "slow mode is 0 (off) to %d seconds, not %d", shared.MaxSlowModeSeconds, seconds)
	}
	r, err := d.change(ctx, id, func(r *Room) { r.SlowMode = seconds })
	if err != nil {
		return Room{}, fmt.Errorf("set slow mode of %s: %w", id, err)
	}
	return r, nil
}

// Mute keeps who from writing in room until s.Until; a zero Until lets
// them write again. It does not check who asks.
func (d *Directory) Mute(ctx context.Context, room, who string, s Sanction) error {
	return d.setSanction(ctx, muteKind, room, who, s)
}

// MutedUntil returns until when who is muted in room: a time past, or
// zero, if they are not.
func (d *Directory) MutedUntil(ctx context.Context, room, who string) (time.Time, error) {
	return d.sanction(ctx, muteKind, room, who)
}

// Ban bans who from room until s.Until, ending their membership: they
// cannot join the room, redeem an invite to it or be added to it
// meanwhile. A zero Until lifts the ban (the membership stays ended). It
// does not check who asks.
func (d *Directory) Ban(ctx context.Context, room, who string, s Sanction) error {
	if err := d.setSanction(ctx, banKind, room, who, s); err != nil {
		return err
	}
	if s.Until.IsZero() {
		return nil
	}
	return d.Leave(ctx, room, who)
}

// BannedUntil returns until when who is banned from room: a time past,
// or zero, if they are not.
func (d *Directory) BannedUntil(ctx context.Context, room, who string) (time.Time, error) {
	return d.sanction(ctx, banKind, room, who)
}

// ForgetSanctions drops what is cached of who's mute and ban in room:
// another server changed them.
func (d *Directory) ForgetSanctions(room, who string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.sanctions, sanctionKey{muteKind, room, who})
	delete(d.sanctions, sanctionKey{banKind, room, who})
}

// checkBan returns forbidden if who is banned from r now; whom names
// them in the message ("you are", "this person is").
func (d *Directory) checkBan(ctx context.Context, r Room, who, whom string) error {
	until, err := d.BannedUntil(ctx, r.ID, who)
	if err != nil {
		return err
	}
	if until.After(d.now()) {
		return shared.Errorf(shared.CodeForbidden, "%s banned from %s until %s", whom, r.Label(), shared.FormatUntil(until))
	}
	return nil
}

// Label names the room in messages for people: #name, or a private
// room's name in quotes, or "this conversation".
func (r Room) Label() string {
	switch r.Kind {
	case Private:
		return fmt.Sprintf("%q", r.Name)
	case Direct:
		return "this conversation"
	}
	return "#" + r.ID
}

// sanction returns until when the sanction of kind on who in room lasts
// (zero: none), from the cache if fresh.
func (d *Directory) sanction(ctx context.Context, kind, room, who string) (time.Time, error) {
	if !validAccount(who) {
		return time.Time{}, nil
	}
	k := sanctionKey{kind, room, who}
	d.mu.Lock()
	c, ok := d.sanctions[k]
	d.mu.Unlock()
	if ok && d.now().Sub(c.at) < d.cache {
		return c.until, nil
	}
	var s Sanction
	value, _, err := d.kv.Get(ctx, sanctionKeyOf(kind, room, who))
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return time.Time{}, fmt.Errorf("read %s of %s in %s: %w", kind, who, room, err)
	default:
		if err := json.Unmarshal(value, &s); err != nil {
			return time.Time{}, fmt.Errorf("read %s of %s in %s: %w", kind, who, room, err)
		}
	}
	d.rememberSanction(k, s.Until)
	return s.Until, nil
}

func (d *Directory) rememberSanction(k sanctionKey, until time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.sanctions) > cacheBound {
		clear(d.sanctions)
	}
	d.sanctions[k] = cachedSanction{until, d.now()}
}

// setSanction records s (or, with a zero Until, removes the sanction).
func (d *Directory) setSanction(ctx context.Context, kind, room, who string, s Sanction) error {
	if !validAccount(who) {
		return shared.Errorf(shared.CodeNotFound, "no such person")
	}
	key := sanctionKeyOf(kind, room, who)
	if s.Until.IsZero() {
		if err := d.kv.Delete(ctx, key); err != nil {
			return fmt.Errorf("lift %s of %s in %s: %w", kind, who, room, err)
		}
	} else if err := put(ctx, d.kv, key, s); err != nil {
		return fmt.Errorf("%s %s in %s: %w", kind, who, room, err)
	}
	d.rememberSanction(sanctionKey{kind, room, who}, s.Until)
	return nil
}

// put sets key to the JSON of v, whatever it held.
func put(ctx context.Context, store kv.KV, key string, v any) error {
	value, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return kv.Put(ctx, store, key, value)
}

// maxDeletions is how many deletions of a room are remembered for the
// unread counts: older ones are long read by everyone who reads.
const maxDeletions = 200

func deletionsKey(room string) string { return "deleted." + room }

// Deleted records that the message tomb of room (of kind delete) erased
// the message of: neither is a message to read any more (see Uncounted).
func (d *Directory) Deleted(ctx context.Context, room string, tomb, of uint64) error {
	err := kv.Modify(ctx, d.kv, deletionsKey(room), func(old []byte, _ bool) ([]byte, error) {
		var pairs [][2]uint64
		json.Unmarshal(old, &pairs)
		pairs = append(pairs, [2]uint64{tomb, of})
		if len(pairs) > maxDeletions {
			pairs = pairs[len(pairs)-maxDeletions:]
		}
		return json.Marshal(pairs)
	})
	if err != nil {
		return fmt.Errorf("record a deletion in %s: %w", room, err)
	}
	return nil
}

// Uncounted returns how many of the messages of room after read are no
// messages to read: deletions stored as messages, before deletions were
// events about their message (the messages they erased are gone). Unread
// counts are the messages said after the read position, less these.
func (d *Directory) Uncounted(ctx context.Context, room string, read uint64) (int, error) {
	value, _, err := d.kv.Get(ctx, deletionsKey(room))
	if errors.Is(err, kv.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the deletions of %s: %w", room, err)
	}
	var pairs [][2]uint64
	if err := json.Unmarshal(value, &pairs); err != nil {
		return 0, fmt.Errorf("read the deletions of %s: %w", room, err)
	}
	n := 0
	for _, p := range pairs {
		if p[0] > read {
			n++
		}
	}
	return n, nil
}

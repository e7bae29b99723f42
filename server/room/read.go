//go:build !js

package room

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"livechat/server/kv"
)

// maxMentions is how many mentions of one person in one room are kept:
// the badge counts at most that many.
const maxMentions = 100

// SetRead moves who's read position in room forward to id (never back),
// and returns the position: the id of the last message they have read,
// on any of their devices.
func (d *Directory) SetRead(ctx context.Context, who, room string, id uint64) (uint64, error) {
	if !validAccount(who) {
		return 0, nil
	}
	key := readKey(who, room)
	for {
		value, rev, err := d.kv.Get(ctx, key)
		if errors.Is(err, kv.ErrNotFound) {
			if _, err := d.kv.Create(ctx, key, strconv.AppendUint(nil, id, 10)); errors.Is(err, kv.ErrExists) {
				continue
			} else if err != nil {
				return 0, fmt.Errorf("set read position: %w", err)
			}
			return id, nil
		}
		if err != nil {
			return 0, fmt.Errorf("set read position: %w", err)
		}
		cur, _ := strconv.ParseUint(string(value), 10, 64)
		if id <= cur {
			return cur, nil
		}
		if _, err := d.kv.Update(ctx, key, strconv.AppendUint(nil, id, 10), rev); errors.Is(err, kv.ErrConflict) {
			continue
		} else if err != nil {
			return 0, fmt.Errorf("set read position: %w", err)
		}
		return id, nil
	}
}

// ReadPosition returns who's read position in room (0: nothing read).
func (d *Directory) ReadPosition(ctx context.Context, who, room string) (uint64, error) {
	if !validAccount(who) {
		return 0, nil
	}
	value, _, err := d.kv.Get(ctx, readKey(who, room))
	if errors.Is(err, kv.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read position: %w", err)
	}
	n, _ := strconv.ParseUint(string(value), 10, 64)
	return n, nil
}

// Mention records that message id of room mentions who.
func (d *Directory) Mention(ctx context.Context, who, room string, id uint64) error {
	if !validAccount(who) {
		return nil
	}
	err := kv.Modify(ctx, d.kv, mentionKey(who, room), func(old []byte, _ bool) ([]byte, error) {
		var ids []uint64
		json.Unmarshal(old, &ids)
		ids = append(ids, id)
		if len(ids) > maxMentions {
			ids = ids[len(ids)-maxMentions:]
		}
		return json.Marshal(ids)
	})
	if err != nil {
		return fmt.Errorf("record mention: %w", err)
	}
	return nil
}

// Mentions returns how many of the messages of room after the id after
// mention who.
func (d *Directory) Mentions(ctx context.Context, who, room string, after uint64) (int, error) {
	if !validAccount(who) {
		return 0, nil
	}
	value, _, err := d.kv.Get(ctx, mentionKey(who, room))
	if errors.Is(err, kv.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("count mentions: %w", err)
	}
	var ids []uint64
	if err := json.Unmarshal(value, &ids); err != nil {
		return 0, fmt.Errorf("count mentions: %w", err)
	}
	n := 0
	for _, id := range ids {
		if id > after {
			n++
		}
	}
	return n, nil
}

// Unmention forgets that the message id of room mentions who: it was
// deleted.
func (d *Directory) Unmention(ctx context.Context, who, room string, id uint64) error {
	if !validAccount(who) {
		return nil
	}
	key := mentionKey(who, room)
	for {
		value, rev, err := d.kv.Get(ctx, key)
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("forget a mention: %w", err)
		}
		var ids []uint64
		if err := json.Unmarshal(value, &ids); err != nil {
			return fmt.Errorf("forget a mention: %w", err)
		}
		if !slices.Contains(ids, id) {
			return nil
		}
		value, _ = json.Marshal(slices.DeleteFunc(ids, func(m uint64) bool { return m == id }))
		if _, err := d.kv.Update(ctx, key, value, rev); errors.Is(err, kv.ErrConflict) {
			continue
		} else if err != nil {
			return fmt.Errorf("forget a mention: %w", err)
		}
		return nil
	}
}

// Readers returns the read positions in room, by account id, of the
// people who have one, if they are at most max; else ok is false.
func (d *Directory) Readers(ctx context.Context, room string, max int) (_ map[string]uint64, ok bool, err error) {
	keys, err := d.kv.Keys(ctx, readKey("*", room))
	if err != nil {
		return nil, false, fmt.Errorf("list read positions: %w", err)
	}
	if len(keys) > max {
		return nil, false, nil
	}
	out := make(map[string]uint64, len(keys))
	prefix := len("read.")
	for _, key := range keys {
		value, _, err := d.kv.Get(ctx, key)
		if errors.Is(err, kv.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("read position: %w", err)
		}
		n, _ := strconv.ParseUint(string(value), 10, 64)
		out[key[prefix:len(key)-len(room)-1]] = n
	}
	return out, true, nil
}

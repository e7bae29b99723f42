//go:build !js

package kv

import (
	"context"
	"errors"
)

// Modify sets key to what change makes of its value (nil, and exists
// false, when it has none), with compare-and-set: if another writer
// changed key meanwhile, it reads it again and calls change again, until
// its write wins or ctx ends. change must not keep old.
func Modify(ctx context.Context, store KV, key string, change func(old []byte, exists bool) ([]byte, error)) error {
	for {
		old, rev, err := store.Get(ctx, key)
		exists := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		value, err := change(old, exists)
		if err != nil {
			return err
		}
		if exists {
			_, err = store.Update(ctx, key, value, rev)
		} else {
			_, err = store.Create(ctx, key, value)
		}
		if errors.Is(err, ErrExists) || errors.Is(err, ErrConflict) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		return err
	}
}

// Put sets key to value, whatever it held.
func Put(ctx context.Context, store KV, key string, value []byte) error {
	return Modify(ctx, store, key, func([]byte, bool) ([]byte, error) { return value, nil })
}

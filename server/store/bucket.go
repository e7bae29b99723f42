//go:build !js

package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"livechat/server/kv"
)

// Bucket is a JetStream key-value bucket holding records (accounts, rooms,
// memberships): a kv.KV shared by every livechat server on the same NATS.
// With the embedded server, a write returns once it is on disk, like a
// message. Safe for concurrent use.
type Bucket struct {
	s  *Store
	kv jetstream.KeyValue
}

// Bucket opens the key-value bucket called name, creating it if needed.
// Bucket names are of a-z, 0-9, - and _.
func (s *Store) Bucket(ctx context.Context, name string) (*Bucket, error) {
	b, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:   name,
		History:  1,
		Storage:  jetstream.FileStorage,
		Replicas: s.cfg.Replicas,
		// Records are small; the bound keeps a runaway writer from
		// filling the disk. JetStream sets it aside from MaxStore.
		MaxBytes: min(1<<30, s.cfg.MaxStore/8),
	})
	if err != nil {
		return nil, fmt.Errorf("open bucket %s on %s: %w", name, s.where(), err)
	}
	return &Bucket{s: s, kv: b}, nil
}

var _ kv.KV = (*Bucket)(nil)

func (b *Bucket) Get(ctx context.Context, key string) ([]byte, uint64, error) {
	e, err := b.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return nil, 0, kv.ErrNotFound
	case err != nil:
		return nil, 0, fmt.Errorf("get %s: %w", key, err)
	}
	return e.Value(), e.Revision(), nil
}

func (b *Bucket) Create(ctx context.Context, key string, value []byte) (uint64, error) {
	rev, err := b.kv.Create(ctx, key, value)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return 0, kv.ErrExists
	}
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", key, err)
	}
	return rev, b.durable(rev)
}

func (b *Bucket) Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error) {
	rev, err := b.kv.Update(ctx, key, value, revision)
	var apiErr *jetstream.APIError
	if errors.Is(err, jetstream.ErrKeyExists) || errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
		return 0, kv.ErrConflict
	}
	if err != nil {
		return 0, fmt.Errorf("update %s: %w", key, err)
	}
	return rev, b.durable(rev)
}

func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := b.kv.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

func (b *Bucket) Keys(ctx context.Context, filter string) ([]string, error) {
	lister, err := b.kv.ListKeysFiltered(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", filter, err)
	}
	// The lister ends its watch when it has every key, or with ctx; it
	// may report a key twice.
	seen := make(map[string]bool)
	var keys []string
	for k := range lister.Keys() {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", filter, err)
	}
	return keys, nil
}

// durable returns once the write with revision rev is on disk (see
// durable.go); at once for an external NATS.
func (b *Bucket) durable(rev uint64) error {
	if b.s.durable == nil {
		return nil
	}
	if err := b.s.durable.ensure("KV_"+b.kv.Bucket(), rev); err != nil {
		return fmt.Errorf("sync bucket %s to disk: %w", b.kv.Bucket(), err)
	}
	return nil
}

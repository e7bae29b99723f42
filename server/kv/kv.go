//go:build !js

// Package kv is the key-value storage of livechat's records (accounts,
// rooms, memberships): the KV interface, its errors, and an in-memory
// implementation for tests. The real one is a JetStream bucket
// (store.Store.Bucket).
package kv

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// KV is the key-value storage records live in: a JetStream bucket in
// livechat (store.Store.Bucket), a Memory in unit tests. Writes are
// compare-and-set, so that two servers sharing one bucket never both win
// a nickname. Implementations are safe for concurrent use.
type KV interface {
	// Get returns the value of key and its revision, or ErrNotFound.
	Get(ctx context.Context, key string) (value []byte, revision uint64, err error)
	// Create sets key if it has no value, or returns ErrExists.
	Create(ctx context.Context, key string, value []byte) (revision uint64, err error)
	// Update sets key if its revision is still revision, or returns
	// ErrConflict.
	Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error)
	// Delete removes key, if it has a value.
	Delete(ctx context.Context, key string) error
	// Keys returns the keys matching filter, in no particular order. A
	// filter is dot-separated tokens, where * matches any one token:
	// "member.general.*", "member.*.q2lmvkx7".
	Keys(ctx context.Context, filter string) ([]string, error)
}

// ValidToken reports whether s may be one token of a key: not empty, and
// without the dots that separate tokens, wildcards or spaces.
func ValidToken(s string) bool { return s != "" && !strings.ContainsAny(s, ".*> ") }

// Errors a KV returns; implementations wrap their own errors into these.
var (
	ErrNotFound = errors.New("key not found")
	ErrExists   = errors.New("key exists")
	ErrConflict = errors.New("key changed meanwhile")
)

// Memory is a KV held in memory, for tests and for a server that keeps
// nothing. The zero value is empty and ready to use.
type Memory struct {
	mu   sync.Mutex
	rev  uint64
	vals map[string]memoryEntry
}

type memoryEntry struct {
	value []byte
	rev   uint64
}

func (m *Memory) Get(_ context.Context, key string) ([]byte, uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.vals[key]
	if !ok {
		return nil, 0, ErrNotFound
	}
	return append([]byte(nil), e.value...), e.rev, nil
}

func (m *Memory) Create(_ context.Context, key string, value []byte) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.vals[key]; ok {
		return 0, ErrExists
	}
	return m.setLocked(key, value), nil
}

func (m *Memory) Update(_ context.Context, key string, value []byte, revision uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.vals[key]; !ok || e.rev != revision {
		return 0, ErrConflict
	}
	return m.setLocked(key, value), nil
}

func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.vals, key)
	return nil
}

func (m *Memory) Keys(_ context.Context, filter string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.vals {
		if match(filter, k) {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// match reports whether key matches filter (see KV.Keys).
func match(filter, key string) bool {
	f, k := strings.Split(filter, "."), strings.Split(key, ".")
	if len(f) != len(k) {
		return false
	}
	for i := range f {
		if f[i] != "*" && f[i] != k[i] {
			return false
		}
	}
	return true
}

func (m *Memory) setLocked(key string, value []byte) uint64 {
	if m.vals == nil {
		m.vals = make(map[string]memoryEntry)
	}
	m.rev++
	m.vals[key] = memoryEntry{append([]byte(nil), value...), m.rev}
	return m.rev
}

//go:build !js

// Package kv is the key-value storage of livechat's records (accounts,
// rooms, memberships): the KV interface, its errors, and an in-memory
// implementation for tests. The real one is a JetStream bucket
// (store.Store.Bucket).
package kv

import (
	"context"
	"errors"
	"fmt"
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

// ValidToken reports whether s may be one token of a key: not empty, of
// the characters a JetStream key takes (A-Z, a-z, 0-9, '-', '_', '=',
// '/'), so without the dots that separate tokens, wildcards or spaces.
// Untrusted tokens (a credential's account id, an invite code) are
// checked with it before they go into a key.
func ValidToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !tokenByte(s[i]) {
			return false
		}
	}
	return s != ""
}

// ValidKey reports whether key is one a JetStream bucket takes: tokens of
// A-Z, a-z, 0-9, '-', '_', '=' and '/', separated by single dots. Callers
// build keys of valid tokens (see ValidToken); an invalid key is a bug.
func ValidKey(key string) bool {
	if key == "" || key[0] == '.' || key[len(key)-1] == '.' || strings.Contains(key, "..") {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c != '.' && !tokenByte(c) {
			return false
		}
	}
	return true
}

func tokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '=' || c == '/'
}

// Errors a KV returns; implementations wrap their own errors into these.
var (
	ErrNotFound   = errors.New("key not found")
	ErrExists     = errors.New("key exists")
	ErrConflict   = errors.New("key changed meanwhile")
	ErrInvalidKey = errors.New("invalid key")
)

func invalidKey(key string) error { return fmt.Errorf("%w %q", ErrInvalidKey, key) }

// Memory is a KV held in memory, for tests and for a server that keeps
// nothing. Like a JetStream bucket, it refuses invalid keys (see
// ValidKey) with ErrInvalidKey. The zero value is empty and ready to use.
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
	if !ValidKey(key) {
		return nil, 0, invalidKey(key)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.vals[key]
	if !ok {
		return nil, 0, ErrNotFound
	}
	return append([]byte(nil), e.value...), e.rev, nil
}

func (m *Memory) Create(_ context.Context, key string, value []byte) (uint64, error) {
	if !ValidKey(key) {
		return 0, invalidKey(key)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.vals[key]; ok {
		return 0, ErrExists
	}
	return m.setLocked(key, value), nil
}

func (m *Memory) Update(_ context.Context, key string, value []byte, revision uint64) (uint64, error) {
	if !ValidKey(key) {
		return 0, invalidKey(key)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.vals[key]; !ok || e.rev != revision {
		return 0, ErrConflict
	}
	return m.setLocked(key, value), nil
}

func (m *Memory) Delete(_ context.Context, key string) error {
	if !ValidKey(key) {
		return invalidKey(key)
	}
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

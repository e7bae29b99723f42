//go:build windows

package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDir takes an exclusive lock on dir by creating its lock file; a lock
// left by a crashed process must be removed by hand.
func lockDir(dir string) (unlock func(), err error) {
	name := filepath.Join(dir, "livechat.lock")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory %s is in use by another livechat process (remove %s if none runs): %w", dir, name, err)
	}
	return func() { f.Close(); os.Remove(name) }, nil
}

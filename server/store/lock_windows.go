//go:build windows

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// lockDir takes an exclusive lock on dir by creating its lock file; a lock
// left by a crashed process must be removed by hand.
func lockDir(dir string) (unlock func(), err error) {
	name := filepath.Join(dir, "livechat.lock")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, &dirInUseError{fmt.Sprintf("data directory %s is in use by another livechat process (remove %s if none runs)", dir, name)}
		}
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	return func() { f.Close(); os.Remove(name) }, nil
}

//go:build !js

package store

import "os"

// SetFsync replaces how the embedded store syncs a file to disk.
func SetFsync(s *Store, fsync func(*os.File) error) { s.durable.fsync.Store(&fsync) }

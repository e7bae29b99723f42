//go:build !js && !windows

package proc

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// RaiseOpenFiles raises the open-file limit as far as this process may: to
// the system's maximum (/proc/sys/fs/nr_open) when privileged, else to the
// hard limit. It returns the limit in force.
func RaiseOpenFiles() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if b, err := os.ReadFile("/proc/sys/fs/nr_open"); err == nil {
		if nrOpen, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && nrOpen > lim.Max {
			if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: nrOpen, Max: nrOpen}) == nil {
				return nrOpen, nil
			}
		}
	}
	if lim.Cur < lim.Max {
		want := syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			return lim.Cur, err
		}
		return lim.Max, nil
	}
	return lim.Cur, nil
}

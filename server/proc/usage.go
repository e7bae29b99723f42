//go:build !js

// Package proc reads what an operating system process uses, and raises
// the limits a server with many connections needs.
package proc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Usage is a process's resident memory and CPU time at one moment.
type Usage struct {
	RSS int64         // bytes
	CPU time.Duration // user + system
}

// clockTick is the unit of CPU times in /proc (USER_HZ), 100 on Linux.
const clockTick = 10 * time.Millisecond

// Of returns the usage of process pid (0: this one) from /proc, where
// there is one.
func Of(pid int) (Usage, error) {
	dir := "/proc/self"
	if pid != 0 {
		dir = fmt.Sprintf("/proc/%d", pid)
	}
	var u Usage
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return u, err
	}
	// The fields after the command name, which is in parentheses.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) < 13 {
		return u, fmt.Errorf("%s/stat: too few fields", dir)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	u.CPU = time.Duration(utime+stime) * clockTick
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return u, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return u, fmt.Errorf("%s/status: VmRSS: %w", dir, err)
			}
			u.RSS = kb << 10
			return u, nil
		}
	}
	return u, fmt.Errorf("%s/status: no VmRSS", dir)
}

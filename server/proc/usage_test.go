//go:build !js

package proc_test

import (
	"os"
	"runtime"
	"testing"

	"livechat/server/proc"
)

func TestOf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	self, err := proc.Of(0)
	if err != nil {
		t.Fatal(err)
	}
	byPID, err := proc.Of(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if self.RSS < 1<<20 || self.RSS > 1<<34 || byPID.RSS < 1<<20 {
		t.Errorf("RSS %d, %d bytes", self.RSS, byPID.RSS)
	}
	if byPID.CPU < self.CPU {
		t.Errorf("CPU time went back from %v to %v", self.CPU, byPID.CPU)
	}
	if _, err := proc.Of(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}

package app

import (
	"fmt"
	"time"
)

// Status is the state of the connection to the server.
type Status int

const (
	// StatusConnecting: the first attempt is under way.
	StatusConnecting Status = iota
	// StatusOnline: joined; messages flow.
	StatusOnline
	// StatusReconnecting: the connection was lost; State.RetryAt says when
	// the next attempt starts (zero: one is under way).
	StatusReconnecting
	// StatusOffline: the device has no network (State.NoNetwork; the
	// client waits for the network), or the server could not be reached
	// since the app started (the client retries at State.RetryAt).
	StatusOffline
)

func (s Status) String() string {
	switch s {
	case StatusConnecting:
		return "connecting"
	case StatusOnline:
		return "online"
	case StatusReconnecting:
		return "reconnecting"
	case StatusOffline:
		return "offline"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// State is what the user sees of the connection.
type State struct {
	Status Status
	// RetryAt is when the next attempt starts, while reconnecting or
	// offline; it is zero while an attempt is under way.
	RetryAt time.Time
	// Attempt counts the failed attempts since the last success.
	Attempt int
	// NoNetwork is set while offline because the device has no network.
	NoNetwork bool
	// Err says, for people, why the last attempt failed.
	Err string
}

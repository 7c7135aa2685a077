package ari

import (
	"fmt"
	"strconv"
	"time"
)

// ConnState is the state of an EventStream's connection.
type ConnState int

// The states of an EventStream, in the order they usually follow each
// other: Connecting, then Connected or Disconnected (the attempt failed),
// Disconnected when a connection ends, and Stopped once when Run returns.
const (
	// StateConnecting: an attempt to open the websocket has started.
	StateConnecting ConnState = iota + 1
	// StateConnected: the websocket is open; frames follow.
	StateConnected
	// StateDisconnected: the attempt failed or the connection was lost;
	// Run retries after StateChange.RetryIn unless it gives up.
	StateDisconnected
	// StateStopped: Run is returning (context ended or attempts
	// exhausted); StateChange.Err says why.
	StateStopped
)

// String returns the state's name, e.g. "connected".
func (s ConnState) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateStopped:
		return "stopped"
	}
	return "ConnState(" + strconv.Itoa(int(s)) + ")"
}

// StateChange reports a change of an EventStream's connection state to
// EventStreamConfig.OnState.
type StateChange struct {
	// State is the new state.
	State ConnState
	// Apps are the applications the stream serves
	// (EventStreamConfig.Apps).
	Apps []string
	// Node names the Asterisk server of the connection in a runtime over
	// several (package stasis, Config.Nodes); empty otherwise.
	Node string
	// Attempt counts the consecutive attempts that have not given a stable
	// connection, this one included: 1 for the first attempt and for the
	// first attempt after a stable connection ended.
	Attempt int
	// Conn is the connection's sequence number (as in Frame.Conn) for
	// StateConnected and for the StateDisconnected that ends it; 0 when no
	// connection was made.
	Conn uint64
	// Err is why the attempt failed or the connection ended
	// (StateDisconnected), or why Run stopped (StateStopped).
	Err error
	// RetryIn is the delay before the next attempt (StateDisconnected);
	// 0 when Run gives up.
	RetryIn time.Duration
	// Reconnect is set on StateConnected when an earlier connection of
	// this Run was lost: Asterisk does not replay the events sent while
	// the stream was down, so state should be re-read.
	Reconnect bool
}

// String describes the change for logs.
func (c StateChange) String() string {
	s := fmt.Sprintf("%s (attempt %d", c.State, c.Attempt)
	if c.Conn != 0 {
		s += fmt.Sprintf(", conn %d", c.Conn)
	}
	if c.Reconnect {
		s += ", reconnect"
	}
	if c.RetryIn > 0 {
		s += ", retry in " + c.RetryIn.String()
	}
	s += ")"
	if c.Err != nil {
		s += ": " + c.Err.Error()
	}
	return s
}

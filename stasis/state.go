package stasis

import (
	"strconv"
	"time"
)

// ConnState is the state of one of the runtime's websocket connections.
type ConnState int

// The connection states reported to Config.OnState.
const (
	// StateConnecting: an attempt to open the websocket has started.
	StateConnecting ConnState = iota + 1
	// StateConnected: the websocket is open; events flow.
	StateConnected
	// StateDisconnected: the attempt failed or the connection was lost;
	// the runtime retries with backoff.
	StateDisconnected
	// StateResynced: after a reconnect, the runtime re-read the channels
	// of the connection's apps and reconciled its calls (Resync says how).
	StateResynced
	// StateStopped: the connection will not be retried (Run is ending, or
	// Stream.MaxAttempts was reached).
	StateStopped
)

// String returns the state's name, e.g. "resynced".
func (s ConnState) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateResynced:
		return "resynced"
	case StateStopped:
		return "stopped"
	}
	return "ConnState(" + strconv.Itoa(int(s)) + ")"
}

// StateChange reports a change of a connection's state.
type StateChange struct {
	// State is the new state.
	State ConnState
	// Apps are the applications the connection serves.
	Apps []string
	// Attempt counts consecutive attempts without a stable connection.
	Attempt int
	// Err is why the attempt failed, the connection ended, or the re-sync
	// failed.
	Err error
	// RetryIn is the delay before the next attempt (StateDisconnected).
	RetryIn time.Duration
	// Reconnect is set on StateConnected after an earlier connection was
	// lost: events may have been missed, and a re-sync follows.
	Reconnect bool
	// Resync summarises the reconciliation (StateResynced).
	Resync *ResyncReport
}

// ResyncReport says what a re-sync found.
type ResyncReport struct {
	// Ended counts calls (and channels of calls) that ended while the
	// websocket was down: they got a synthetic StasisEnd.
	Ended int
	// Resumed counts channels that entered an app while the websocket was
	// down: they got a handler as if StasisStart had arrived.
	Resumed int
	// Survived counts calls still live: they were told events may have
	// been missed (ResyncHandler).
	Survived int
}

// Resync is delivered to handlers implementing ResyncHandler when events of
// their call may have been missed.
type Resync struct {
	// Reason is "reconnect" (the websocket was down) or "overflow" (the
	// mailbox limit dropped events, see OverflowDropNewest).
	Reason string
	// At is when the runtime noticed.
	At time.Time
}

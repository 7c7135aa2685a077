package stasis

import (
	"time"

	"gostasis.dev/ari"
)

// StateChange reports a change of a connection's state.
type StateChange struct {
	// State is the new state: ari.StateConnecting, StateConnected,
	// StateDisconnected, StateStopped, or ari.StateResynced after a
	// reconnect's re-sync (Resync says what it did).
	State ari.ConnState
	// Apps are the applications the connection serves.
	Apps []string
	// Attempt counts consecutive attempts without a stable connection.
	Attempt int
	// Err is why the attempt failed, the connection ended, or the re-sync
	// failed.
	Err error
	// RetryIn is the delay before the next attempt (ari.StateDisconnected).
	RetryIn time.Duration
	// Reconnect is set on ari.StateConnected after an earlier connection was
	// lost: events may have been missed, and a re-sync follows.
	Reconnect bool
	// Resync summarises the reconciliation (ari.StateResynced).
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

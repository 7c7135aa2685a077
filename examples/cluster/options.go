package main

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// The demo's shape, defaults and limits.
const (
	// servers and instances are the simulated Asterisk servers and the
	// app instances.
	servers   = 3
	instances = 3
	// defaultCalls is -calls' default: enough for every instance to hold
	// calls when one is killed, few enough to run in a few seconds.
	defaultCalls = 60
	// maxCalls bounds -calls: the calls are placed callGap apart.
	maxCalls = 10000
	// defaultKill is -kill's default.
	defaultKill = 2
	// appPrefix starts every instance's app name: worker-<n>.
	appPrefix = "worker-"
	// callGap is the time between two calls placed.
	callGap = 25 * time.Millisecond
	// playback is how long hello-world plays on the simulated servers:
	// a call lasts about that long.
	playback = 400 * time.Millisecond
	// broadcastTimeout is how long StasisBroadcast waits for a claim.
	broadcastTimeout = 5 * time.Second
	// claimStep is ClaimFewest's delay per live call: the instance with
	// the fewest claims first.
	claimStep = 2 * time.Millisecond
	// peersTTL is how long an instance is seen alive after its last
	// refresh in NATS; adoptInterval how often the instances look for a
	// dead one's calls. A dead instance's calls are taken over within
	// their sum. A live instance whose refresh is late by more than the
	// TTL (a machine loaded to a standstill, a NATS hiccup) is taken for
	// dead and its calls are taken over: 3s leaves room.
	peersTTL      = 3 * time.Second
	adoptInterval = 100 * time.Millisecond
	// killWait bounds the wait, mid-way, for the instance to kill to hold
	// a call.
	killWait = 5 * time.Second
	// stopTimeout bounds each survivor's shutdown at the end.
	stopTimeout = 10 * time.Second
)

// errInvalidOption is matched by the errors of a bad command line.
var errInvalidOption = errors.New("invalid option")

// options are the demo's command line.
type options struct {
	// Calls is how many calls to place (-calls).
	Calls int
	// Kill is the instance killed mid-way, 1 to instances; 0 kills none
	// (-kill).
	Kill int
	// Verbose logs the runtimes' INFO lines too (-v).
	Verbose bool
	// Log receives the runtimes' logs: warnings and errors, and INFO with
	// Verbose. Nil discards them.
	Log slog.Handler
}

func (o options) check() error {
	switch {
	case o.Calls < 1 || o.Calls > maxCalls:
		return fmt.Errorf("%w: -calls=%d: between 1 and %d", errInvalidOption, o.Calls, maxCalls)
	case o.Kill < 0 || o.Kill > instances:
		return fmt.Errorf("%w: -kill=%d: an instance, 1 to %d, or 0 for none", errInvalidOption, o.Kill, instances)
	}
	return nil
}

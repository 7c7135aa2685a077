package stasis

import (
	"context"
	"errors"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// BroadcastConfig makes an app serve calls that Asterisk's
// StasisBroadcast() offers to several apps (Asterisk 20.17, 22.7, 23.1 and
// later; claims since 20.20, 22.10, 23.4): on each CallBroadcast the
// runtime asks Policy and, if it wants the call, claims it
// (events.claimChannel). Asterisk gives the call to the first claim; the
// winner gets its StasisStart as for any call, and a losing claim's 409 is
// counted (Stats.ClaimsLost) and logged at DEBUG only. Several instances
// of an application, each with its own app name matched by the
// dialplan's app filter, share calls this way: none is handled twice.
type BroadcastConfig struct {
	// Policy decides whether and when to claim. Nil means ClaimAlways.
	Policy ClaimPolicy
}

// Broadcast is a call offered by StasisBroadcast, as a ClaimPolicy sees
// it.
type Broadcast struct {
	// Event is the CallBroadcast; nil when the policy is asked about
	// adopting a dead instance's call (ClusterConfig).
	Event *events.CallBroadcast
	// App is the app it was offered to; Node its node (Config.Nodes).
	App, Node string
	// LiveCalls is the number of live calls of the app on this instance,
	// over all nodes, counting the claims won or in flight whose call has
	// not started yet.
	LiveCalls int
}

// ClaimPolicy decides, for a call offered by StasisBroadcast, whether this
// instance claims it, and after what delay: a delay that grows with the
// load lets less loaded instances claim first. It runs in the websocket
// reader and must return at once.
type ClaimPolicy func(b Broadcast) (claim bool, delay time.Duration)

// ClaimAlways claims every call at once: the instance that hears first
// wins.
func ClaimAlways() ClaimPolicy {
	return func(Broadcast) (bool, time.Duration) { return true, 0 }
}

// ClaimUpTo claims while the app has fewer than max live calls on this
// instance (its capacity), at once; a full instance leaves calls to the
// others.
func ClaimUpTo(max int) ClaimPolicy {
	return func(b Broadcast) (bool, time.Duration) { return b.LiveCalls < max, 0 }
}

// ClaimFewest claims after a delay of step per live call, so that the
// instance with the fewest live calls claims first, and not at all at max
// live calls (0: no limit). Pick step above the spread of the instances'
// network delays to Asterisk (a few milliseconds on a LAN).
func ClaimFewest(step time.Duration, max int) ClaimPolicy {
	return func(b Broadcast) (bool, time.Duration) {
		if max > 0 && b.LiveCalls >= max {
			return false, 0
		}
		return true, time.Duration(b.LiveCalls) * step
	}
}

// onBroadcast decides on a CallBroadcast and claims the call in a
// goroutine of its own. It runs in the websocket reader.
func (a *appState) onBroadcast(e *events.CallBroadcast) {
	rt := a.rt
	if e.Channel.ID == "" {
		a.protocolError(e, "no channel id")
		return
	}
	policy := a.app.Broadcast.Policy
	if policy == nil {
		policy = ClaimAlways()
	}
	b := Broadcast{Event: e, App: a.name, Node: a.node.name, LiveCalls: rt.appLoad(a.name)}
	claim, delay := policy(b)
	if !claim {
		rt.stats.claimsDeclined.Add(1)
		a.log.Debug("stasis: broadcast call declined by the claim policy", "channel", e.Channel.ID, "live", b.LiveCalls)
		return
	}
	id := e.Channel.ID
	a.pending.Add(1)
	rt.bg.Add(1) // the reader's goroutine holds one: never from zero
	go func() {
		defer rt.bg.Done()
		won := a.claim(id, delay)
		if !won {
			a.pending.Add(-1)
			return
		}
		// The claim's StasisStart starts the call (routeStart), which
		// ends the pending count; if it never comes, end it anyway.
		a.mu.Lock()
		if a.claimed == nil {
			a.claimed = map[string]bool{}
		}
		if a.channels[id] == nil {
			a.claimed[id] = true
		} else {
			a.pending.Add(-1) // started already
		}
		a.mu.Unlock()
		time.AfterFunc(rt.cfg.cleanupTimeout(), func() { a.unclaim(id) })
	}()
}

// claim waits delay, then claims channel id; it reports whether this
// instance won.
func (a *appState) claim(id string, delay time.Duration) bool {
	rt := a.rt
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-rt.shutdown:
			t.Stop()
			return false
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), rt.cfg.cleanupTimeout())
	defer cancel()
	err := a.node.rest.Events.ClaimChannel(ctx, &resources.EventClaimChannelParams{ChannelID: id, Application: a.name})
	switch {
	case err == nil:
		rt.stats.claimsWon.Add(1)
		a.log.Debug("stasis: claimed a broadcast call", "channel", id)
		return true
	case errors.Is(err, ari.ErrConflict):
		rt.stats.claimsLost.Add(1)
		a.log.Debug("stasis: another app claimed the broadcast call first", "channel", id)
	case errors.Is(err, ari.ErrNotFound):
		rt.stats.claimsLost.Add(1)
		a.log.Debug("stasis: the broadcast call is gone or no longer offered", "channel", id)
	default:
		a.log.Warn("stasis: claiming a broadcast call failed", "channel", id, "err", err)
	}
	return false
}

// started notes that a claimed channel's call started. a.mu is held.
func (a *appState) started(id string) {
	if a.claimed[id] {
		delete(a.claimed, id)
		a.pending.Add(-1)
	}
}

// unclaim forgets a won claim whose call never started.
func (a *appState) unclaim(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.started(id)
}

// appLoad is the live calls of app over every node, with the claims won
// or in flight whose call has not started.
func (rt *Runtime) appLoad(app string) int {
	var n int64
	for _, nd := range rt.nodeList() {
		if a := nd.apps[app]; a != nil {
			n += a.live.Load() + a.pending.Load()
		}
	}
	return int(n)
}

package stasis

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// Shared bridges belong to an app rather than to one call: the calls that
// join one (a conference room, say) all get its events, and the last one
// to leave destroys it. The registrar (appState) keeps them by key, under
// its mutex, so that apps need no lock of their own.

// sharedBridge is one of an app's shared bridges.
type sharedBridge struct {
	key     string
	id      string
	members map[*Call]struct{} // guarded by appState.mu
	// ready is closed once the bridge was created, or creating it failed;
	// bridge and err are set before.
	ready  chan struct{}
	bridge *ari.Bridge
	err    error
}

// JoinBridge makes the call a member of the app's shared bridge named key,
// creating the bridge with p (which may be nil) when no member has it:
// the first call to join creates it (with p.BridgeID, or a new id) and
// subscribes the app to it; calls joining meanwhile wait for it, as long
// as ctx allows. Every member call gets the bridge's events, whatever its
// channels do, until it leaves; joining twice is joining once. The bridge
// lives as long as it has members: when the last one leaves (LeaveBridge,
// or its end), it is destroyed, and the next JoinBridge with that key
// creates a new one. DestroyBridge ends it earlier.
//
// Joining does not put a channel in the bridge: add the call's channels
// with REST().Bridges.AddChannel. The returned Bridge is a copy of what
// Asterisk answered to the creation. It fails with the creation's error
// (for every call waiting for it; the next JoinBridge tries again), or
// with ErrCallEnded once the call is ending.
func (c *Call) JoinBridge(ctx context.Context, key string, p *resources.BridgeCreateParams) (*ari.Bridge, error) {
	if key == "" {
		return nil, errors.New("stasis: JoinBridge: empty key")
	}
	if c.ending.Load() || c.ctx.Err() != nil {
		return nil, ErrCallEnded
	}
	a := c.app
	var params resources.BridgeCreateParams
	if p != nil {
		params = *p
	}
	a.mu.Lock()
	sb := a.shared[key]
	creator := sb == nil
	if creator {
		if params.BridgeID == "" {
			params.BridgeID = NewID()
		}
		sb = &sharedBridge{key: key, id: params.BridgeID, members: map[*Call]struct{}{}, ready: make(chan struct{})}
		if a.shared == nil {
			a.shared, a.sharedByID = map[string]*sharedBridge{}, map[string]*sharedBridge{}
		}
		a.shared[key], a.sharedByID[sb.id] = sb, sb
	}
	if _, ok := sb.members[c]; !ok {
		sb.members[c] = struct{}{}
		a.link(c, sb.id).shared = true
		c.addBridge(sb.id, false)
		c.shared = append(c.shared, sb)
	}
	a.mu.Unlock()

	if creator {
		b, err := c.REST().Bridges.Create(ctx, &params)
		if err == nil {
			if _, serr := c.REST().Applications.Subscribe(ctx, c.AppID, &resources.ApplicationSubscribeParams{EventSource: []string{"bridge:" + sb.id}}); serr != nil {
				c.log.Warn("stasis: subscribing to the shared bridge failed; its own events may not arrive", "bridge", sb.id, "key", key, "err", serr)
			}
		}
		a.mu.Lock()
		sb.bridge, sb.err = b, err
		if err != nil {
			sb.err = fmt.Errorf("stasis: creating shared bridge %q: %w", key, err)
			a.forgetShared(sb)
		}
		a.mu.Unlock()
		close(sb.ready)
	} else {
		select {
		case <-sb.ready:
		case <-ctx.Done():
			_ = c.LeaveBridge(context.WithoutCancel(ctx), key)
			return nil, ctx.Err()
		}
	}
	if sb.err != nil {
		return nil, sb.err
	}
	b := *sb.bridge
	return &b, nil
}

// LeaveBridge ends the call's membership of the app's shared bridge named
// key: its events no longer reach the call (unless the call's channels
// are in it). When the call was its last member, the bridge is destroyed
// (an error then is the destruction's). Leaving a bridge the call has
// not joined does nothing. A call leaves its shared bridges when it ends;
// the last one out destroys the bridge unless Config.KeepResourcesOnEnd.
// LeaveBridge does not take the call's channels out of the bridge.
func (c *Call) LeaveBridge(ctx context.Context, key string) error {
	a := c.app
	a.mu.Lock()
	sb := a.shared[key]
	if sb == nil {
		a.mu.Unlock()
		return nil
	}
	last := a.leaveShared(c, sb)
	a.mu.Unlock()
	if last {
		return c.destroyShared(ctx, sb)
	}
	return nil
}

// DestroyBridge destroys the app's shared bridge named key now, whatever
// its members: they get its BridgeDestroyed event and are no longer
// members, and the next JoinBridge with that key creates a new bridge. It
// does nothing when the app has no such bridge. Any call of the app may
// destroy it, member or not.
func (c *Call) DestroyBridge(ctx context.Context, key string) error {
	a := c.app
	a.mu.Lock()
	sb := a.shared[key]
	if sb != nil {
		// New joins create a new bridge from now on; the members stay
		// linked until the BridgeDestroyed event has reached them.
		delete(a.shared, key)
	}
	a.mu.Unlock()
	if sb == nil {
		return nil
	}
	return c.destroyShared(ctx, sb)
}

// leaveSharedBridges leaves every shared bridge the call joined: it is
// ending. The last member out destroys the bridge unless
// Config.KeepResourcesOnEnd.
func (c *Call) leaveSharedBridges(ctx context.Context) {
	a := c.app
	a.mu.Lock()
	joined := c.shared
	var last []*sharedBridge
	for _, sb := range joined {
		if a.leaveShared(c, sb) {
			last = append(last, sb)
		}
	}
	a.mu.Unlock()
	if c.rt.cfg.KeepResourcesOnEnd {
		return
	}
	for _, sb := range last {
		if err := c.destroyShared(ctx, sb); err != nil {
			c.log.Warn("stasis: destroying the shared bridge failed", "bridge", sb.id, "key", sb.key, "err", err)
		}
	}
}

// destroyShared destroys a shared bridge once its creation is over; one
// already gone is not an error.
func (c *Call) destroyShared(ctx context.Context, sb *sharedBridge) error {
	select {
	case <-sb.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	if sb.err != nil {
		return nil
	}
	err := c.REST().Bridges.Destroy(ctx, sb.id)
	if errors.Is(err, ari.ErrNotFound) {
		return nil
	}
	return err
}

// leaveShared removes c from sb's members and reports whether it was the
// last, in which case the app forgets sb (the caller destroys it). a.mu
// must be held.
func (a *appState) leaveShared(c *Call, sb *sharedBridge) (last bool) {
	if _, ok := sb.members[c]; !ok {
		return false
	}
	a.dropMember(c, sb)
	if len(sb.members) > 0 {
		return false
	}
	if a.shared[sb.key] == sb {
		delete(a.shared, sb.key)
	} else if a.sharedByID[sb.id] != sb {
		return false // already destroyed (BridgeDestroyed)
	}
	delete(a.sharedByID, sb.id)
	return true
}

// forgetShared drops sb and its memberships (its creation failed, or it
// was destroyed). a.mu must be held.
func (a *appState) forgetShared(sb *sharedBridge) {
	if a.shared[sb.key] == sb {
		delete(a.shared, sb.key)
	}
	if a.sharedByID[sb.id] == sb {
		delete(a.sharedByID, sb.id)
	}
	for c := range sb.members {
		a.dropMember(c, sb)
	}
}

// dropMember ends c's membership of sb: the call stays linked to the
// bridge only while its channels are in it or it owns it. a.mu must be
// held.
func (a *appState) dropMember(c *Call, sb *sharedBridge) {
	delete(sb.members, c)
	c.shared = slices.DeleteFunc(c.shared, func(x *sharedBridge) bool { return x == sb })
	m := a.bridges[sb.id]
	l := m[c]
	if l == nil {
		return
	}
	l.shared = false
	if l.members == 0 && !l.owner {
		delete(m, c)
		c.removeBridge(sb.id)
		if len(m) == 0 {
			delete(a.bridges, sb.id)
		}
	}
}

package stasis

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"gostasis.dev/ari/events"
)

// appState is the registrar of one application: which call owns each
// channel, and which calls own or have joined each bridge. Every lookup is
// a map access, whatever the number of live calls.
type appState struct {
	rt   *Runtime
	node *node
	app  App
	name string
	log  *slog.Logger

	mu       sync.Mutex
	channels map[string]*Call
	bridges  map[string]map[*Call]*bridgeLink
	// ended records the channels whose StasisEnd was routed since the
	// last reconnect, so that its re-sync does not resume them; nil when
	// no re-sync is pending.
	ended *endedSet
	// shared are the app's shared bridges by key, and by bridge id
	// (shared.go); nil until the first JoinBridge.
	shared     map[string]*sharedBridge
	sharedByID map[string]*sharedBridge
	// claimed are the broadcast channels this instance won whose call has
	// not started (claim.go).
	claimed map[string]bool

	// live counts the app's running calls; pending its claims in flight
	// or won and not started (claim.go).
	live, pending atomic.Int64

	unowned mailbox
}

// bridgeLink is how a call is tied to a bridge.
type bridgeLink struct {
	owner   bool // created or adopted by the call
	shared  bool // the call joined the app's shared bridge (JoinBridge)
	members int  // the call's channels in the bridge
}

func newAppState(rt *Runtime, n *node, app App) *appState {
	a := &appState{
		rt: rt, node: n, app: app, name: app.Name,
		log:      n.log.With("app", app.Name),
		channels: map[string]*Call{},
		bridges:  map[string]map[*Call]*bridgeLink{},
	}
	a.unowned.init()
	return a
}

// register ties channel ids to c as legs of the given kind; ids after the
// first are the other halves of a Local channel (LegLocalPeer). It fails
// when another live call of the app owns one of them.
func (a *appState) register(c *Call, kind LegKind, ids ...string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		if other := a.channels[id]; other != nil && other != c {
			return &OwnedError{ID: id, App: a.name, Owner: other.ChannelID}
		}
	}
	for i, id := range ids {
		a.channels[id] = c
		if i == 0 {
			c.addChannel(id, kind)
		} else {
			c.addChannel(id, LegLocalPeer)
		}
	}
	return nil
}

// unregister unties channel ids from c.
func (a *appState) unregister(c *Call, ids ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		if a.channels[id] == c {
			delete(a.channels, id)
		}
		c.removeChannel(id)
	}
}

// linkBridge ties a bridge to c as its owner, which stays linked whatever
// its channels do; created marks a bridge the call made (destroyed when it
// ends).
func (a *appState) linkBridge(c *Call, id string, created bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.link(c, id)
	l.owner = true
	c.addBridge(id, created)
}

// unlinkBridge unties a bridge from c.
func (a *appState) unlinkBridge(c *Call, id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if m := a.bridges[id]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(a.bridges, id)
		}
	}
	c.removeBridge(id)
}

// link returns c's link to bridge id, creating it. a.mu must be held.
func (a *appState) link(c *Call, id string) *bridgeLink {
	m := a.bridges[id]
	if m == nil {
		m = map[*Call]*bridgeLink{}
		a.bridges[id] = m
	}
	l := m[c]
	if l == nil {
		l = &bridgeLink{}
		m[c] = l
	}
	return l
}

// forgetLocked removes every registration of c (the call is ending). a.mu
// must be held.
func (a *appState) forgetLocked(c *Call) {
	for _, id := range c.channelIDs() {
		if a.channels[id] == c {
			delete(a.channels, id)
		}
	}
	for _, id := range c.bridgeIDs() {
		if m := a.bridges[id]; m != nil {
			delete(m, c)
			if len(m) == 0 {
				delete(a.bridges, id)
			}
		}
	}
}

// routeScratch is the reader's reusable buffers: routing allocates nothing
// per event once warm.
type routeScratch struct {
	ids   []string
	calls []*Call
	// link is the link of the calls that the routed events start: the
	// connection's (set by the reader before route).
	link *callLink
}

// route delivers one event of this app to the calls it is about, or to the
// unowned handler. It runs in the websocket reader and never blocks.
func (a *appState) route(ev events.Event, gen uint64, sc *routeScratch) {
	switch e := ev.(type) {
	case *events.StasisStart:
		if e.Channel.ID == "" {
			a.protocolError(ev, "no channel id")
			return
		}
		a.routeStart(e, gen, sc.link)
		return
	case *events.StasisEnd:
		if e.Channel.ID == "" {
			a.protocolError(ev, "no channel id")
			return
		}
		a.routeEnd(e)
		return
	case *events.CallBroadcast:
		if a.app.Broadcast != nil {
			a.onBroadcast(e)
			return
		}
	}
	a.mu.Lock()
	calls := sc.calls[:0]
	// The ids are substrings of the frame: clear them after use, so that
	// the scratch does not keep the frame alive.
	sc.ids = events.AppendChannelIDs(sc.ids[:0], ev)
	for _, id := range sc.ids {
		if c := a.channels[id]; c != nil {
			calls = addCall(calls, c)
		}
	}
	clearIDs(sc.ids)
	sc.ids = events.AppendBridgeIDs(sc.ids[:0], ev)
	for _, id := range sc.ids {
		for c := range a.bridges[id] {
			calls = addCall(calls, c)
		}
	}
	clearIDs(sc.ids)
	a.trackBridges(ev)
	if d, ok := ev.(*events.ChannelDestroyed); ok {
		// A channel of a call (not its primary, which ended at StasisEnd)
		// is gone: it no longer routes.
		if c := a.channels[d.Channel.ID]; c != nil && d.Channel.ID != c.ChannelID {
			delete(a.channels, d.Channel.ID)
			c.channelGone(d.Channel.ID)
		}
	}
	a.mu.Unlock()
	sc.calls = calls
	if len(calls) == 0 {
		a.toUnowned(ev)
		return
	}
	a.noteRouted(ev)
	for _, c := range calls {
		c.deliver(delivery{ev: ev})
	}
	for i := len(calls) - 1; i >= 0; i-- {
		calls[i] = nil // a call may end; the scratch must not keep it (see clearIDs)
	}
}

// clearIDs forgets ids, which are substrings of a frame. Routing names
// one or two ids, for which a few stores cost less than the runtime's
// memclr call; the loop runs backwards because the compiler turns the
// forward one into that call.
func clearIDs(ids []string) {
	for i := len(ids) - 1; i >= 0; i-- {
		ids[i] = ""
	}
}

func addCall(calls []*Call, c *Call) []*Call {
	for _, x := range calls {
		if x == c {
			return calls
		}
	}
	return append(calls, c)
}

// trackBridges keeps bridge membership: a call whose channel enters a
// bridge joins it, and leaves it with its last channel. a.mu must be held.
func (a *appState) trackBridges(ev events.Event) {
	switch e := ev.(type) {
	case *events.ChannelEnteredBridge:
		if e.Channel == nil {
			return
		}
		if c := a.channels[e.Channel.ID]; c != nil {
			id := strings.Clone(e.Bridge.ID) // a key must not keep the frame alive
			a.link(c, id).members++
			c.addBridge(id, false)
		}
	case *events.ChannelLeftBridge:
		c := a.channels[e.Channel.ID]
		if c == nil {
			return
		}
		m := a.bridges[e.Bridge.ID]
		if l := m[c]; l != nil {
			if l.members > 0 {
				l.members--
			}
			if l.members == 0 && !l.owner && !l.shared {
				delete(m, c)
				c.removeBridge(e.Bridge.ID)
				if len(m) == 0 {
					delete(a.bridges, e.Bridge.ID)
				}
			}
		}
	case *events.BridgeDestroyed:
		for c := range a.bridges[e.Bridge.ID] {
			c.removeBridge(e.Bridge.ID)
		}
		delete(a.bridges, e.Bridge.ID)
		if sb := a.sharedByID[e.Bridge.ID]; sb != nil {
			a.forgetShared(sb)
		}
	}
}

// routeStart starts a call for a channel entering the app, or hands the
// StasisStart to the call that registered the channel beforehand (a
// channel it originated, created or snooped) or whose channel it replaces.
func (a *appState) routeStart(e *events.StasisStart, gen uint64, link *callLink) {
	id := e.Channel.ID
	a.mu.Lock()
	a.ended.remove(id)
	c := a.channels[id]
	if c == nil && e.ReplaceChannel != nil {
		if c = a.channels[e.ReplaceChannel.ID]; c != nil {
			id := strings.Clone(id) // a key must not keep the frame alive
			a.channels[id] = c
			c.addChannel(id, LegReplacement)
		}
	}
	if c != nil {
		a.mu.Unlock()
		a.noteRouted(e)
		c.deliver(delivery{ev: e})
		return
	}
	if !a.rt.reserveCall() {
		a.mu.Unlock()
		a.rt.rejectWhileClosing(a, e)
		return
	}
	c = a.rt.newCall(a, e, gen, link, false)
	a.started(id)
	a.channels[id] = c
	c.addChannel(id, LegPrimary)
	a.mu.Unlock()
	a.noteRouted(e)
	a.rt.startCall(c, delivery{ev: e})
}

// routeEnd delivers a StasisEnd. The primary channel's StasisEnd ends the
// call: its registrations are dropped at once, so that nothing else is
// routed to it, and the handler sees StasisEnd as its last event.
func (a *appState) routeEnd(e *events.StasisEnd) {
	id := e.Channel.ID
	a.mu.Lock()
	a.ended.add(id)
	c := a.channels[id]
	if c == nil {
		a.mu.Unlock()
		a.toUnowned(e)
		return
	}
	if id == c.ChannelID {
		c.markEnding()
		a.forgetLocked(c)
	}
	a.mu.Unlock()
	a.noteRouted(e)
	c.deliver(delivery{ev: e})
}

// protocolError counts and reports an event that breaks the protocol (a
// StasisStart or StasisEnd without a channel id): it routes nothing.
func (a *appState) protocolError(ev events.Event, what string) {
	a.rt.stats.protocolErrs.Add(1)
	a.log.Warn("stasis: protocol error: event ignored", "type", ev.EventType(), "error", what)
}

// toUnowned counts an event no call owns and gives it to App.Unowned.
func (a *appState) toUnowned(ev events.Event) {
	a.rt.noteUnrouted(a.node.name, ev)
	if a.app.Unowned == nil {
		a.log.Debug("stasis: event for no call", "type", ev.EventType(), "channels", events.ChannelIDs(ev))
		return
	}
	a.unowned.push(delivery{ev: ev})
}

// serveUnowned runs App.Unowned over the unowned mailbox until ctx ends.
// If App.Unowned calls runtime.Goexit (t.Fatal in a test), the goroutine
// is gone, so another one takes over: unowned events never pile up unread.
func (a *appState) serveUnowned(ctx context.Context) {
	stop := context.AfterFunc(ctx, a.unowned.stop)
	defer stop()
	returned := false
	defer func() {
		if returned {
			return
		}
		a.log.Error("stasis: App.Unowned called runtime.Goexit; a new goroutine serves the app's unowned events")
		a.rt.bg.Add(1)
		go func() {
			defer a.rt.bg.Done()
			a.serveUnowned(ctx)
		}()
	}()
	for {
		d, ok := a.unowned.next()
		if !ok {
			returned = true
			return
		}
		a.callUnowned(ctx, d.ev)
	}
}

func (a *appState) callUnowned(ctx context.Context, ev events.Event) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("stasis: panic in App.Unowned", "type", ev.EventType(), "panic", r)
		}
	}()
	a.app.Unowned(ctx, ev)
}

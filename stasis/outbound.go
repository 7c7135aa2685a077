package stasis

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// defaultPerCallReconnectWait is the default Config.PerCallReconnectWait:
// Asterisk's default per-call retries (4 attempts 500 ms apart) with room
// to spare.
const defaultPerCallReconnectWait = 5 * time.Second

// outbound is the runtime's side of Asterisk's outbound websockets
// (Config.Outbound): the handler Asterisk dials and the link of each
// application id, which outlives the connections that serve it.
type outbound struct {
	rt      *Runtime
	handler *ari.OutboundHandler

	mu     sync.Mutex
	closed bool                     // no connection is served any more
	nodes  map[string]*node         // the Asterisk servers, by asterisk_id
	links  map[string]*outLink      // by linkKey
	timers map[*outLink]*time.Timer // per-call links waiting for a reconnect
	wg     sync.WaitGroup           // serving connections, their re-syncs, Unowned

	nodeSnap atomic.Pointer[[]*node] // the nodes in the order they dialed in

	connectMu sync.Mutex // one OnConnect at a time
	// stateMu orders the OnState reports as the changes of the links'
	// owners: taken under mu, held while reporting.
	stateMu sync.Mutex
}

// errReplaced is the Err of the StateDisconnected of a connection whose
// app a newer connection took over before its end was seen.
var errReplaced = errors.New("stasis: Asterisk opened a new outbound websocket for the app")

// outLink is an application id's link and the connection that serves it
// now.
type outLink struct {
	key     string // linkKey
	link    *callLink
	a       *appState
	perCall bool
	owner   *outConn // the newest connection that carried the id
	conns   uint64   // connections that carried it
}

// outConn is one connection Asterisk opened.
type outConn struct {
	o    *outbound
	oc   *ari.OutboundConn
	rest *resources.Client // over this websocket; nil when REST goes over HTTP
	log  *slog.Logger
	ctx  context.Context

	// Owned by the reader (Run's deliver).
	node      *node // the Asterisk server that opened it, known at its first frame
	scratch   routeScratch
	bound     map[string]*outLink
	last      *outLink // the binding of the previous frame's application
	lastID    string
	connected bool // a persistent app was bound: OnConnect ran
	reconnect bool // that first bind took its app over from an older connection
}

func newOutbound(rt *Runtime) (*outbound, error) {
	o := &outbound{rt: rt, nodes: map[string]*node{}, links: map[string]*outLink{}, timers: map[*outLink]*time.Timer{}}
	cfg := *rt.cfg.Outbound
	cfg.Serve = o.serve
	if cfg.Logger == nil {
		cfg.Logger = rt.log
	}
	h, err := ari.NewOutboundHandler(cfg)
	if err != nil {
		return nil, err
	}
	o.handler = h
	return o, nil
}

// serve runs one connection: it waits for Run, then reads the connection
// until it ends or the runtime stops.
func (o *outbound) serve(oc *ari.OutboundConn) {
	rt := o.rt
	select {
	case <-rt.started:
	case <-rt.shutdown:
		return
	}
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return
	}
	o.wg.Add(1)
	o.mu.Unlock()
	defer o.wg.Done()

	c := &outConn{o: o, oc: oc, bound: map[string]*outLink{}, ctx: rt.connCtx}
	if rt.cfg.REST == nil && (rt.cfg.Client == nil || rt.cfg.Transport != TransportHTTP) {
		c.rest = resources.New(oc.RESTClient())
	} // else the calls use the runtime's REST (over HTTP)
	c.log = rt.log.With("conn", oc.Seq(), "remote", oc.RemoteAddr())
	err := oc.Run(rt.connCtx, c.onFrame)
	c.ended(err)
}

// onFrame decodes and routes one frame of an outbound connection.
func (c *outConn) onFrame(f ari.Frame) {
	if c.node == nil { // the first frame: its asterisk_id is known
		c.node = c.o.nodeFor(c.oc.AsteriskID())
		c.log = c.log.With("node", c.node.name)
	}
	c.node.received.Add(1)
	ev := c.o.rt.decode(f, c.node.name, c.log)
	if ev == nil {
		return
	}
	id := ev.Base().Application
	l := c.last
	if l == nil || id != c.lastID {
		l = c.bind(id)
		c.last, c.lastID = l, id
	}
	if l == nil {
		c.o.rt.noteUnrouted(c.node.name, ev)
		c.log.Debug("stasis: event for an app the runtime does not serve", "type", ev.EventType(), "application", id)
		return
	}
	switch ev.(type) {
	case *events.ApplicationUnregistered:
		c.log.Warn("stasis: Asterisk unregistered the application from its outbound websocket", "application", id)
	}
	c.scratch.link = l.link
	l.a.route(ev, f.Conn, &c.scratch)
}

// bind ties application id to this connection the first time a frame of
// it arrives; a connection that takes an id over from an older one
// re-syncs its calls. It returns nil for an application the runtime does
// not serve.
func (c *outConn) bind(id string) *outLink {
	if l := c.bound[id]; l != nil {
		return l
	}
	rt := c.o.rt
	n := c.node
	a, perCall := outboundApp(n, id)
	if a == nil {
		return nil
	}
	o := c.o
	key := linkKey(n.name, id)
	o.mu.Lock()
	l := o.links[key]
	reconnect := l != nil && l.conns > 0
	if l == nil {
		l = &outLink{key: key, link: newLink(c.rest), a: a, perCall: perCall}
		o.links[key] = l
	} else {
		l.link.rest.Store(c.rest)
	}
	if t := o.timers[l]; t != nil {
		t.Stop()
		delete(o.timers, l)
	}
	replaced := l.owner // still serving it: this connection overtook its end
	l.owner = c
	l.conns++
	gen := c.oc.Seq()
	// A persistent connection counts one reconnect and runs OnConnect
	// once, for its first app.
	first := !perCall && !c.connected
	if first {
		c.connected = true
		c.reconnect = reconnect
		n.up.Add(1)
	}
	if reconnect && (perCall || first) {
		rt.stats.reconnects.Add(1)
		n.reconnects.Add(1)
		if o := rt.cfg.Observer; o != nil {
			o.Reconnected(n.name)
		}
	}
	if reconnect {
		a.mu.Lock()
		a.expectResync(gen, rt.cfg.ResyncEndedLimit)
		a.mu.Unlock()
		o.wg.Add(1) // the serving goroutine holds one: never from zero
	}
	o.stateMu.Lock() // reports in the order of the changes
	o.mu.Unlock()
	c.bound[id] = l

	if replaced != nil && rt.cfg.OnState != nil {
		// Reported here, in order: the old connection's end no longer
		// owns the app.
		rt.cfg.OnState(ari.StateChange{State: ari.StateDisconnected, Attempt: 1, Conn: replaced.oc.Seq(), Err: errReplaced, Apps: []string{id}, Node: n.name})
	}
	sc := ari.StateChange{State: ari.StateConnected, Attempt: 1, Conn: gen, Reconnect: reconnect, Apps: []string{id}, Node: n.name}
	switch {
	case reconnect:
		c.log.Warn("stasis: Asterisk reopened its outbound websocket: re-syncing the calls", "application", id)
	case perCall:
		c.log.Debug("stasis: per-call outbound websocket", "application", id)
	default:
		c.log.Info("stasis: outbound websocket connected", "application", id)
	}
	if rt.cfg.OnState != nil {
		rt.cfg.OnState(sc)
	}
	o.stateMu.Unlock()
	if reconnect {
		go func() {
			defer o.wg.Done()
			var mu sync.Mutex // one re-sync per connection and id
			rt.resync(c.ctx, &mu, c.log, n.name, []string{id}, l.link.client(rt), []resyncTarget{{a: a, appID: id, link: l.link}}, gen)
		}()
	}
	if first && rt.cfg.OnConnect != nil {
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			o.connectMu.Lock() // runs never overlap
			defer o.connectMu.Unlock()
			defer func() {
				if r := recover(); r != nil {
					c.log.Error("stasis: OnConnect panicked", "panic", r)
				}
			}()
			rt.cfg.OnConnect(c.ctx, reconnect)
		}()
	}
	return l
}

// ended handles the end of the connection. A persistent connection's
// calls wait for Asterisk to reopen it. A per-call connection that ends
// before its call waits PerCallReconnectWait for Asterisk to reconnect,
// then its calls end (Asterisk has sent the channel back to the dialplan
// with STASISSTATUS=FAILED, and no REST can reach it).
func (c *outConn) ended(err error) {
	o, rt := c.o, c.o.rt
	stopping := rt.connCtx.Err() != nil
	if c.connected {
		c.node.up.Add(-1)
	}
	for id, l := range c.bound {
		o.mu.Lock()
		if l.owner != c {
			o.mu.Unlock()
			continue // a newer connection took it over
		}
		l.owner = nil
		live := l.link.live.Load() > 0
		if l.perCall && !live {
			delete(o.links, l.key)
		}
		if l.perCall && live && !stopping && !o.closed {
			id, l := id, l
			o.timers[l] = time.AfterFunc(rt.cfg.perCallReconnectWait(), func() { o.giveUp(id, l) })
		}
		o.stateMu.Lock() // reports in the order of the changes
		o.mu.Unlock()
		switch {
		case stopping:
		case l.perCall && !live:
			c.log.Debug("stasis: per-call outbound websocket closed", "application", id)
		default:
			c.log.Warn("stasis: outbound websocket lost; waiting for Asterisk to reconnect", "application", id, "err", err)
		}
		if rt.cfg.OnState != nil && !(l.perCall && !live) {
			rt.cfg.OnState(ari.StateChange{State: ari.StateDisconnected, Attempt: 1, Conn: c.oc.Seq(), Err: err, Apps: []string{id}, Node: c.node.name})
		}
		o.stateMu.Unlock()
	}
}

// giveUp ends the calls of a per-call link Asterisk did not reconnect.
func (o *outbound) giveUp(id string, l *outLink) {
	o.mu.Lock()
	if o.timers[l] == nil || l.owner != nil {
		o.mu.Unlock()
		return
	}
	delete(o.timers, l)
	delete(o.links, l.key)
	o.mu.Unlock()
	n := o.rt.endLinkCalls(l.a, l.link)
	o.rt.log.Warn("stasis: Asterisk did not reopen a per-call outbound websocket; its call ended", "application", id, "calls", n)
}

// close stops serving: no connection or timer runs after it returns.
func (o *outbound) close() {
	o.handler.Close()
	o.mu.Lock()
	o.closed = true
	for l, t := range o.timers {
		t.Stop()
		delete(o.timers, l)
	}
	o.mu.Unlock()
	o.wg.Wait()
}

// linkKey is the key of an application id's link: ids are Asterisk's
// application names, unique per Asterisk server only (a per-call id has
// the channel's name, and two servers name channels alike).
func linkKey(node, id string) string { return node + "\x00" + id }

// nodeFor returns the node of the Asterisk server asteriskID, made the
// first time one of its connections sends a message: registrars of its
// own (channel ids are unique per server only), REST over its own
// connections, and its apps' Unowned handlers started.
func (o *outbound) nodeFor(asteriskID string) *node {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n := o.nodes[asteriskID]; n != nil {
		return n
	}
	rt := o.rt
	n := &node{name: asteriskID, log: rt.log.With("node", asteriskID), apps: map[string]*appState{}, dialIn: true}
	if rt.cfg.REST != nil || (rt.cfg.Client != nil && rt.cfg.Transport == TransportHTTP) {
		n.rest = rt.rest
	} else {
		n.rest = resources.New(o.handler.RESTClientFor(asteriskID))
	}
	for _, app := range rt.cfg.Apps {
		a := newAppState(rt, n, app)
		n.apps[app.Name] = a
		if app.Unowned != nil {
			o.wg.Add(1) // the caller's serving goroutine holds one: never from zero
			go func() {
				defer o.wg.Done()
				a.serveUnowned(rt.connCtx)
			}()
		}
	}
	o.nodes[asteriskID] = n
	list := append(slices.Clone(o.nodeList()), n)
	o.nodeSnap.Store(&list)
	if len(list) > 1 {
		rt.log.Info("stasis: another Asterisk server dials in", "node", asteriskID, "servers", len(list))
	}
	return n
}

// nodeList returns the Asterisk servers that have dialed in, in order.
func (o *outbound) nodeList() []*node {
	if p := o.nodeSnap.Load(); p != nil {
		return *p
	}
	return nil
}

// outboundApp finds the app of an application id on node n: the app
// itself on a persistent connection, "<app>:<channel name>" on a
// per-call one.
func outboundApp(n *node, id string) (a *appState, perCall bool) {
	apps := n.apps
	if a := apps[id]; a != nil {
		return a, false
	}
	if name, _, ok := strings.Cut(id, ":"); ok {
		if a := apps[name]; a != nil {
			return a, true
		}
	}
	return nil, false
}

// OutboundHandler returns the http.Handler Asterisk's outbound websockets
// connect to (Config.Outbound), or nil when the runtime dials Asterisk
// instead. Mount it on the application's HTTP server at the path of
// websocket_client.conf's uri. Connections that arrive before Run wait for
// it; after Shutdown they are refused with 503 (Asterisk retries, maybe
// reaching another instance).
func (rt *Runtime) OutboundHandler() http.Handler {
	if rt.out == nil {
		return nil
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.closed.Load() {
			// Refused before the upgrade: Asterisk retries every
			// reconnect_interval. An accepted connection closed at once
			// would be reopened at once, again and again.
			http.Error(w, "Service Unavailable: the application is shutting down", http.StatusServiceUnavailable)
			return
		}
		rt.out.handler.ServeHTTP(w, r)
	})
}

// OutboundStats returns the counters of the outbound websocket handler;
// zero when the runtime dials Asterisk.
func (rt *Runtime) OutboundStats() ari.OutboundStats {
	if rt.out == nil {
		return ari.OutboundStats{}
	}
	return rt.out.handler.Stats()
}

// endLinkCalls ends, with a synthetic StasisEnd, every live call of a
// that uses link, and returns how many.
func (rt *Runtime) endLinkCalls(a *appState, link *callLink) int {
	now := time.Now()
	var ends []*Call
	a.mu.Lock()
	for _, c := range a.channels {
		if c.link != link || c.ending.Load() {
			continue
		}
		c.markEnding()
		a.forgetLocked(c)
		ends = append(ends, c)
	}
	a.mu.Unlock()
	for _, c := range ends {
		rt.stats.syntheticEnds.Add(1)
		c.deliver(delivery{ev: syntheticEnd(c.AppID, c, c.ChannelID, now), synthetic: true})
	}
	return len(ends)
}

// expectResync starts recording the channels that end before the re-sync
// of connection gen has read its channel list. A re-sync still pending
// for another connection keeps what it recorded. a.mu must be held.
func (a *appState) expectResync(gen uint64, limit int) {
	if a.ended == nil {
		a.ended = newEndedSet(gen, limit)
	} else if gen > a.ended.conn {
		a.ended.conn = gen
	}
}

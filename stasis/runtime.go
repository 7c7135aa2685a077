package stasis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// ErrRuntimeClosed is returned by Run after Shutdown, like
// http.ErrServerClosed.
var ErrRuntimeClosed = errors.New("stasis: runtime closed")

// Runtime serves Stasis applications: it reads the events websocket(s),
// starts one handler goroutine per call, routes every event to the calls
// it is about, and re-syncs after reconnects. Create it with New, start it
// with Run, stop it with Shutdown.
type Runtime struct {
	cfg  Config
	rest *resources.Client
	log  *slog.Logger
	// nodes are the Asterisk servers served (one unless Config.Nodes;
	// none with Config.Outbound, whose nodes come as Asterisk servers
	// dial in: use nodeList).
	nodes []*node
	// out serves Asterisk's outbound websockets (Config.Outbound).
	out *outbound
	// adoptWon are the orphans this instance claimed whose move failed
	// (cluster.go), to move at the next look.
	adoptMu  sync.Mutex
	adoptWon map[string]bool
	// checks caches the check of each handler type (check.go).
	checks handlerChecks

	stats counters
	calls sync.WaitGroup // call goroutines
	bg    sync.WaitGroup // connections, unowned handlers, re-syncs

	// mu orders call starts with Shutdown: no call starts once closed is
	// set, so waiting for the calls cannot miss one.
	mu        sync.Mutex
	running   bool
	closed    atomic.Bool
	started   chan struct{} // closed when Run starts
	shutdown  chan struct{} // closed when Shutdown starts
	done      chan struct{} // closed when Run returns
	callsCtx  context.Context
	cancelAll context.CancelCauseFunc
	connCtx   context.Context // the connections' context: ends after the calls

	// Bounded shutdown (shutdown.go): live holds the running call
	// goroutines (guarded by mu); idle is closed when the last has
	// returned after close; giveUp is closed ShutdownGrace after force
	// cancelled the calls; abandoned is what Run left running.
	live      map[*Call]struct{}
	idle      <-chan struct{}
	giveUp    chan struct{}
	forceOnce sync.Once
	abandoned []AbandonedCall
}

// New checks cfg and returns a Runtime; nothing is contacted until Run.
func New(cfg Config) (*Runtime, error) {
	if err := checkConfig(&cfg); err != nil {
		return nil, err
	}
	rt := &Runtime{cfg: cfg, rest: cfg.REST, log: cfg.Logger, started: make(chan struct{}), shutdown: make(chan struct{}), done: make(chan struct{}), giveUp: make(chan struct{})}
	if rt.log == nil {
		rt.log = defaultLogger()
	}
	if cfg.Outbound != nil {
		// The nodes are the Asterisk servers that dial in (outbound.go).
		out, err := newOutbound(rt)
		if err != nil {
			return nil, err
		}
		rt.out = out
		if rt.rest == nil {
			if cfg.Client != nil && cfg.Transport == TransportHTTP {
				rt.rest = resources.New(cfg.Client)
			} else {
				rt.rest = resources.New(out.handler.RESTClient())
			}
		}
		return rt, nil
	}
	for _, spec := range nodeSpecs(&cfg) {
		n := &node{name: spec.Name, client: spec.Client, rest: spec.REST, log: rt.log, apps: map[string]*appState{}}
		if n.name != "" {
			n.log = rt.log.With("node", n.name)
		}
		for _, app := range cfg.Apps {
			n.apps[app.Name] = newAppState(rt, n, app)
		}
		for _, group := range rt.connectionGroups(n) {
			n.conns = append(n.conns, newConn(rt, n, group))
		}
		if n.rest == nil {
			if l := n.conns[0].link.rest.Load(); l != nil && rt.cfg.Transport == TransportWebsocket {
				n.rest = l
			} else {
				n.rest = resources.New(n.client)
			}
		}
		for _, c := range n.conns {
			if c.link.rest.Load() == nil {
				c.link.rest.Store(n.rest)
			}
		}
		rt.nodes = append(rt.nodes, n)
	}
	rt.rest = rt.nodes[0].rest
	return rt, nil
}

// checkConfig checks cfg.
func checkConfig(cfg *Config) error {
	switch {
	case cfg.Client == nil && cfg.Outbound == nil && len(cfg.Nodes) == 0:
		return errors.New("stasis: Config.Client is required (or Config.Nodes, or Config.Outbound for Asterisk's outbound websockets)")
	case len(cfg.Nodes) > 0 && cfg.Client != nil:
		return errors.New("stasis: set Config.Client or Config.Nodes, not both")
	case len(cfg.Nodes) > 0 && cfg.Outbound != nil:
		return errors.New("stasis: Config.Nodes and Config.Outbound cannot be combined")
	case len(cfg.Nodes) > 0 && cfg.REST != nil:
		return errors.New("stasis: with Config.Nodes, set each Node's REST instead of Config.REST")
	case len(cfg.Apps) == 0:
		return errors.New("stasis: Config.Apps is empty")
	}
	names := map[string]bool{}
	for _, n := range cfg.Nodes {
		if n.Name == "" || n.Client == nil {
			return fmt.Errorf("stasis: node %q needs a Name and a Client", n.Name)
		}
		if names[n.Name] {
			return fmt.Errorf("stasis: node %q listed twice", n.Name)
		}
		names[n.Name] = true
	}
	if cfg.Cluster != nil {
		cl := *cfg.Cluster // a copy: check fills in defaults
		if err := cl.check(cfg.Apps); err != nil {
			return err
		}
		cfg.Cluster = &cl
	}
	apps := map[string]bool{}
	for _, app := range cfg.Apps {
		if app.Name == "" || app.New == nil {
			return fmt.Errorf("stasis: app %q needs a Name and a New factory", app.Name)
		}
		if apps[app.Name] {
			return fmt.Errorf("stasis: app %q listed twice", app.Name)
		}
		apps[app.Name] = true
	}
	return nil
}

// REST returns the typed REST clients the runtime uses for work of its own
// and that calls use: over HTTP, or with TransportWebsocket over the
// events websocket (of the first app, with ConnectionPerApp; each app's
// calls use their own).
func (rt *Runtime) REST() *resources.Client { return rt.rest }

// Stats returns a snapshot of the runtime's counters.
func (rt *Runtime) Stats() Stats {
	st := rt.stats.snapshot()
	if len(rt.cfg.Nodes) > 0 || rt.out != nil {
		for _, n := range rt.nodeList() {
			st.Nodes = append(st.Nodes, n.snapshot())
		}
	}
	return st
}

// Run connects and serves the apps until ctx ends or Shutdown is called.
// After Shutdown it returns ErrRuntimeClosed once every handler has
// returned; when ctx ends first, it cancels every handler, waits for them
// and returns ctx's error. It can be called once. It never waits more
// than Config.ShutdownGrace for handlers that ignore their cancelled
// context: it then returns a *ShutdownError that lists them and wraps the
// error it would have returned.
func (rt *Runtime) Run(ctx context.Context) error {
	rt.mu.Lock()
	if !rt.running && rt.closed.Load() {
		rt.mu.Unlock()
		return ErrRuntimeClosed // Shutdown before Run, like http.Server
	}
	if rt.running {
		rt.mu.Unlock()
		return errors.New("stasis: Run called twice")
	}
	rt.running = true
	connCtx, stopConn := context.WithCancel(context.WithoutCancel(ctx))
	rt.callsCtx, rt.cancelAll = context.WithCancelCause(context.WithoutCancel(ctx))
	rt.connCtx = connCtx
	rt.mu.Unlock()
	defer close(rt.done)
	close(rt.started)
	if rt.out != nil {
		rt.bg.Add(1)
		go func() {
			defer rt.bg.Done()
			<-connCtx.Done()
			rt.out.close()
		}()
	}

	for _, a := range rt.allApps() {
		if a.app.Unowned != nil {
			rt.bg.Add(1)
			go func() {
				defer rt.bg.Done()
				a.serveUnowned(connCtx)
			}()
		}
	}
	if rt.cfg.Cluster != nil {
		joined, err := rt.joinCluster(connCtx)
		rt.bg.Add(1)
		go func() {
			defer rt.bg.Done()
			<-joined
		}()
		if err != nil {
			rt.close()
			stopConn()
			rt.await(ctx, waitChan(rt.bg.Wait))
			return err
		}
		rt.bg.Add(1)
		go func() {
			defer rt.bg.Done()
			rt.runCluster(connCtx)
		}()
	}
	conns := rt.allConns()
	streamErr := make(chan error, len(conns))
	for _, c := range conns {
		rt.bg.Add(1)
		go func() {
			defer rt.bg.Done()
			streamErr <- c.run(connCtx)
		}()
	}
	gaveUp := rt.gaveUp(streamErr, len(conns))

	var err error
	select {
	case <-ctx.Done():
		err = ctx.Err()
		rt.close()
		rt.force(errShutdown)
	case <-rt.shutdown:
		err = ErrRuntimeClosed
	case err = <-gaveUp:
		// Every connection gave up (Stream.MaxAttempts): end everything.
		rt.close()
		rt.force(err)
	}
	rt.await(ctx, rt.idle)
	stopConn()
	rt.await(ctx, waitChan(rt.bg.Wait))
	if abandoned := rt.abandon(); len(abandoned) > 0 {
		rt.abandoned = abandoned
		err = &ShutdownError{Err: err, Calls: abandoned}
	}
	return err
}

// Shutdown stops accepting new calls, lets running handlers finish until
// ctx ends, then cancels the remaining ones (their channels are hung up
// unless KeepChannelOnError), closes the connections and returns when
// every goroutine of the runtime has exited. It returns ctx's error when
// ctx ended first. After ctx ends it waits at most Config.ShutdownGrace:
// handlers still running then ignore their context; Shutdown returns
// without them a *ShutdownError that lists them, and logs each at WARN.
func (rt *Runtime) Shutdown(ctx context.Context) error {
	rt.close()
	rt.mu.Lock()
	running := rt.running
	rt.mu.Unlock()
	if !running {
		return nil
	}
	select {
	case <-rt.done:
		return nil
	case <-ctx.Done():
	}
	rt.force(errShutdown)
	<-rt.done
	if len(rt.abandoned) > 0 {
		return &ShutdownError{Err: ctx.Err(), Calls: rt.abandoned}
	}
	return ctx.Err()
}

// close stops call starts and wakes Run; idle is closed once the call
// goroutines have all returned.
func (rt *Runtime) close() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if !rt.closed.Swap(true) {
		rt.idle = waitChan(rt.calls.Wait)
		close(rt.shutdown) // after idle is set: Run reads it when woken
	}
}

// reserveCall accounts for a call about to start, unless the runtime is
// closing.
func (rt *Runtime) reserveCall() bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed.Load() {
		return false
	}
	rt.calls.Add(1)
	return true
}

// rejectWhileClosing handles a channel entering an app after Shutdown.
func (rt *Runtime) rejectWhileClosing(a *appState, e *events.StasisStart) {
	rt.noteUnrouted(a.node.name, e)
	a.log.Warn("stasis: channel entered the app while shutting down", "channel", e.Channel.ID, "hangup", rt.cfg.RejectWhileShuttingDown)
	if !rt.cfg.RejectWhileShuttingDown {
		return
	}
	rt.bg.Add(1)
	go func() {
		defer rt.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), rt.cfg.cleanupTimeout())
		defer cancel()
		if err := a.node.rest.Channels.Hangup(ctx, e.Channel.ID, nil); err != nil && !errors.Is(err, ari.ErrNotFound) {
			a.log.Warn("stasis: hangup failed", "channel", e.Channel.ID, "err", err)
		}
	}()
}

// newCall builds the call that start starts. a.mu is held.
func (rt *Runtime) newCall(a *appState, start *events.StasisStart, gen uint64, link *callLink, resumed bool) *Call {
	c := &Call{
		App: a.name, AppID: start.Application, Node: a.node.name, ChannelID: start.Channel.ID, Caller: start.Channel.Caller,
		Args: start.Args, Start: start, Config: a.app.Config, Resumed: resumed,
		rt: rt, app: a, gen: gen, link: link,
	}
	if c.AppID == "" {
		c.AppID = a.name
	}
	if link != nil {
		link.live.Add(1) // until markEnding
	}
	c.mb.init()
	c.ctx, c.cancel = context.WithCancelCause(rt.callsCtx)
	// Cancelling the call wakes its goroutine out of the mailbox.
	context.AfterFunc(c.ctx, c.mb.stop)
	c.log = a.log.With("channel", c.ChannelID)
	return c
}

// startCall starts c's goroutine with its first delivery; reserveCall
// accounted for it.
func (rt *Runtime) startCall(c *Call, first delivery) {
	rt.stats.started.Add(1)
	rt.stats.live.Add(1)
	c.app.node.started.Add(1)
	c.app.node.live.Add(1)
	c.app.live.Add(1)
	if o := rt.cfg.Observer; o != nil {
		o.CallStarted(c.App, c.Node)
	}
	c.started = time.Now()
	rt.addLive(c)
	go c.run(first)
}

// connectionGroups splits a node's apps into the connections to open.
func (rt *Runtime) connectionGroups(n *node) [][]*appState {
	var all []*appState
	for _, app := range rt.cfg.Apps {
		all = append(all, n.apps[app.Name])
	}
	if rt.cfg.Connection == ConnectionPerApp {
		groups := make([][]*appState, len(all))
		for i, a := range all {
			groups[i] = []*appState{a}
		}
		return groups
	}
	return [][]*appState{all}
}

// nodeList returns the nodes: Config.Client's or Config.Nodes', or, with
// Config.Outbound, one for each Asterisk server that has dialed in so far.
func (rt *Runtime) nodeList() []*node {
	if rt.out != nil {
		return rt.out.nodeList()
	}
	return rt.nodes
}

// allApps returns the registrars of every app on every node.
func (rt *Runtime) allApps() []*appState {
	var out []*appState
	for _, n := range rt.nodeList() {
		for _, app := range rt.cfg.Apps {
			out = append(out, n.apps[app.Name])
		}
	}
	return out
}

// allConns returns every node's connections.
func (rt *Runtime) allConns() []*conn {
	var out []*conn
	for _, n := range rt.nodeList() {
		out = append(out, n.conns...)
	}
	return out
}

// gaveUp forwards the error of the last of n connections to give up
// (Stream.MaxAttempts): while another node's connection lives, the
// runtime goes on serving it.
func (rt *Runtime) gaveUp(errs <-chan error, n int) <-chan error {
	out := make(chan error, 1)
	if n == 0 {
		return out // outbound: nothing to give up
	}
	rt.bg.Add(1)
	go func() {
		defer rt.bg.Done()
		for i := 0; i < n; i++ {
			select {
			case err := <-errs:
				if err == nil {
					continue // stopped with the runtime
				}
				if i < n-1 {
					rt.log.Error("stasis: a connection gave up; the other connections go on", "err", err)
					continue
				}
				out <- err
				return
			case <-rt.done:
				return
			}
		}
	}()
	return out
}

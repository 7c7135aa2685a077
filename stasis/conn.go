package stasis

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// conn is one events websocket serving some of the apps.
type conn struct {
	rt     *Runtime
	node   *node
	apps   []*appState
	names  []string
	log    *slog.Logger
	stream *ari.EventStream
	url    string    // the websocket's URL (no credentials), for logs
	link   *callLink // the REST of the calls started on it: over this websocket (TransportWebsocket) or the node's
	ctx    context.Context

	// Owned by the reader goroutine (the stream's deliver callback).
	scratch routeScratch

	resyncMu  sync.Mutex // one re-sync at a time per connection
	connectMu sync.Mutex // one OnConnect at a time per connection
}

// newConn makes the connection of apps; nothing is contacted until run.
func newConn(rt *Runtime, n *node, apps []*appState) *conn {
	c := &conn{rt: rt, node: n, apps: apps}
	for _, a := range apps {
		c.names = append(c.names, a.name)
	}
	c.log = n.log.With("apps", c.names)
	cfg := rt.cfg.Stream
	cfg.Apps = c.names
	cfg.SubscribeAll = rt.cfg.SubscribeAll
	cfg.OnState = func(sc ari.StateChange) { c.onState(c.ctx, sc) }
	c.stream = n.client.EventStream(cfg)
	c.url = c.stream.URL()
	if rt.cfg.Transport == TransportWebsocket && n.rest == nil {
		c.link = newLink(resources.New(c.stream.RESTClient()))
	} else {
		c.link = newLink(nil) // the node's, once New has made it
	}
	c.scratch.link = c.link
	return c
}

// run reads the connection until ctx ends or the stream gives up.
func (c *conn) run(ctx context.Context) error {
	c.ctx = ctx
	err := c.stream.Run(ctx, c.onFrame)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// onFrame decodes and routes one frame. It runs in the websocket reader
// and never blocks on a handler.
func (c *conn) onFrame(f ari.Frame) {
	c.node.received.Add(1)
	ev := c.rt.decode(f, c.node.name, c.log)
	if ev == nil {
		return
	}
	a := c.app(ev.Base().Application)
	if a == nil {
		c.rt.noteUnrouted(c.node.name, ev)
		c.log.Debug("stasis: event for an app this connection does not serve", "type", ev.EventType(), "application", ev.Base().Application)
		return
	}
	a.route(ev, f.Conn, &c.scratch)
}

// decode counts and decodes a frame; it reports one that does not decode
// and returns nil.
func (rt *Runtime) decode(f ari.Frame, node string, log *slog.Logger) events.Event {
	rt.stats.received.Add(1)
	ev, err := events.Decode(f.Data)
	if err != nil {
		rt.stats.decodeErrors.Add(1)
		if rt.cfg.Observer != nil {
			rt.cfg.Observer.DecodeError(node)
		}
		log.Error("stasis: undecodable frame", "err", err, "frame", truncate(f.Data, 512))
		if rt.cfg.OnDecodeError != nil {
			rt.cfg.OnDecodeError(f.Data, err)
		}
		return nil
	}
	return ev
}

func (c *conn) app(name string) *appState {
	for _, a := range c.apps {
		if a.name == name {
			return a
		}
	}
	return nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// onState reports connection changes and starts a re-sync after a
// reconnect. It runs in the stream's goroutine before the first frame of
// a new connection, so the ended-channel record starts clean.
func (c *conn) onState(ctx context.Context, sc ari.StateChange) {
	sc.Apps = c.names
	sc.Node = c.node.name
	switch sc.State {
	case ari.StateConnecting:
		c.log.Debug("stasis: connecting", "attempt", sc.Attempt)
	case ari.StateConnected:
		if sc.Reconnect {
			c.log.Warn("stasis: reconnected: events sent while disconnected are lost; re-syncing the calls", "attempt", sc.Attempt)
		} else {
			c.log.Info("stasis: connected", "url", c.url)
		}
		c.node.up.Add(1)
		if sc.Reconnect {
			c.rt.stats.reconnects.Add(1)
			c.node.reconnects.Add(1)
			if o := c.rt.cfg.Observer; o != nil {
				o.Reconnected(c.node.name)
			}
			for _, a := range c.apps {
				a.mu.Lock()
				a.ended = newEndedSet(sc.Conn, c.rt.cfg.ResyncEndedLimit)
				a.mu.Unlock()
			}
		}
	case ari.StateDisconnected:
		if sc.Conn != 0 {
			c.node.up.Add(-1)
		}
		switch {
		case ctx.Err() != nil:
			// The runtime is stopping: a normal end.
			c.log.Debug("stasis: disconnected", "err", sc.Err)
		case sc.Conn == 0:
			c.log.Warn("stasis: cannot connect to Asterisk", "url", c.url, "err", sc.Err, "attempt", sc.Attempt, "retry_in", sc.RetryIn)
		default:
			c.log.Warn("stasis: disconnected", "url", c.url, "err", sc.Err, "retry_in", sc.RetryIn)
		}
	case ari.StateStopped:
		if sc.Err != nil && !errors.Is(sc.Err, context.Canceled) {
			c.log.Error("stasis: connection stopped", "err", sc.Err)
		}
	default:
		return
	}
	if c.rt.cfg.OnState != nil {
		c.rt.cfg.OnState(sc)
	}
	if sc.State == ari.StateConnected && sc.Reconnect {
		c.rt.bg.Add(1)
		go func() {
			defer c.rt.bg.Done()
			c.resync(ctx, sc.Conn)
		}()
	}
	if sc.State == ari.StateConnected && c.rt.cfg.OnConnect != nil {
		c.rt.bg.Add(1)
		go func() {
			defer c.rt.bg.Done()
			c.connectMu.Lock()
			defer c.connectMu.Unlock()
			defer func() {
				if r := recover(); r != nil {
					c.log.Error("stasis: OnConnect panicked", "panic", r)
				}
			}()
			c.rt.cfg.OnConnect(ctx, sc.Reconnect)
		}()
	}
}

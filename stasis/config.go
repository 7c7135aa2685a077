package stasis

import (
	"context"
	"log/slog"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// Factory makes the handler of a new call; it is the equivalent of ex_ari's
// state/5 callback. It runs in the call's own goroutine (never in the
// websocket reader), with the call's context. The handler it returns gets
// the call's events through events.Dispatch: it implements the
// events.<Type>Handler interfaces it cares about (OnStasisStart,
// OnChannelDTMFReceived, ...), optionally events.EventHandler as a
// fallback, and optionally ResyncHandler and EndHandler. Returning an error
// ends the call as a handler error does.
type Factory func(ctx context.Context, call *Call) (any, error)

// App is a Stasis application the runtime serves.
type App struct {
	// Name is the application's name in Asterisk (Stasis(name) in the
	// dialplan, app=name when originating).
	Name string
	// New makes the handler of each call that enters the application.
	New Factory
	// Config is the application's own configuration, handed to every call
	// (Call.Config).
	Config any
	// Unowned, if set, receives the events of this application that no
	// call owns (device states, endpoints, bridges nobody joined, events
	// about channels that have no handler). It runs in its own goroutine,
	// serially, so it may block without delaying calls. Such events are
	// counted in Stats.Unrouted either way.
	Unowned func(ctx context.Context, e events.Event)
	// Broadcast, if set, makes the app claim the calls StasisBroadcast()
	// offers it (CallBroadcast), by its policy; see BroadcastConfig.
	// Without it, CallBroadcast goes to Unowned like any event no call
	// owns.
	Broadcast *BroadcastConfig
}

// ConnectionMode chooses how many websockets the runtime opens.
type ConnectionMode int

const (
	// SharedConnection opens one websocket for all apps (app=a,b).
	SharedConnection ConnectionMode = iota
	// ConnectionPerApp opens one websocket per app, so that one app's
	// connection problems do not affect the others.
	ConnectionPerApp
)

// Node is one Asterisk server of a runtime over several (Config.Nodes).
type Node struct {
	// Name tells the node apart in Call.Node, logs ("node"), Stats.Nodes,
	// StateChange.Node and ResyncReport.Node. Required and unique.
	Name string
	// Client is the node's ARI client. Required.
	Client *ari.Client
	// REST, if set, replaces the node's REST client: for tests.
	REST *resources.Client
}

// Transport chooses how REST calls reach Asterisk.
type Transport int

const (
	// TransportHTTP sends REST calls over HTTP, beside the events
	// websocket.
	TransportHTTP Transport = iota
	// TransportWebsocket sends REST calls over the events websocket
	// (ari.EventStream.RESTClient; Asterisk 20.14, 21.9, 22.4 and later):
	// one connection for events and REST. A call's REST goes over the
	// websocket its events come on. While the websocket is down, calls
	// fail at once with an error matching ari.ErrConnectionLost.
	TransportWebsocket
)

// OverflowPolicy says what happens when a call's mailbox reaches
// Config.MailboxLimit.
type OverflowPolicy int

const (
	// OverflowEndCall ends the call: its handler's context is cancelled,
	// the channel is hung up (unless KeepChannelOnError), and the event that
	// did not fit is counted in Stats.Overflows and logged. Nothing is
	// dropped silently, and a handler never runs on a call whose events it
	// has not all seen.
	OverflowEndCall OverflowPolicy = iota
	// OverflowDropNewest drops the event that does not fit, counts it in
	// Stats.Overflows, logs it, and tells the handler through a Resync
	// delivery (ResyncHandler) once it catches up, as after a reconnect.
	OverflowDropNewest
)

// Config configures a Runtime.
type Config struct {
	// Client is the ARI client; the runtime dials its events websocket.
	// Required, unless Nodes or Outbound is set.
	Client *ari.Client
	// Nodes, instead of Client, serves the apps on several Asterisk
	// servers: one events connection (or one per app) per node, each
	// reconnecting and re-syncing on its own. Calls are keyed by node and
	// channel (ids are unique only within one Asterisk), a call's REST
	// goes to its node, and one node going down leaves the others' calls
	// alone.
	Nodes []Node
	// Outbound, when set, makes the runtime serve Asterisk's outbound
	// websockets (Asterisk 20.15, 21.10, 22.5 and later; ari.conf type =
	// outbound_websocket) instead of dialing: mount OutboundHandler on the
	// application's HTTP server. Its credentials are those of
	// websocket_client.conf; its Serve is the runtime's. REST goes over
	// the websocket each call came on, unless Client is also set and
	// Transport is TransportHTTP. Connection and Stream are not used.
	// Several Asterisk servers may dial the same runtime: each is a node
	// named by its asterisk_id (Call.Node, Stats.Nodes), with its calls
	// keyed apart from the others' (channel ids and names are unique per
	// server only), its REST over its own connections, and its reconnects
	// and re-syncs its own. With several servers, leave REST on the
	// websockets: TransportHTTP sends every call's REST to Client's one.
	Outbound *ari.OutboundConfig
	// Cluster, if set, makes this runtime one instance of several that
	// take over the calls of an instance that dies; see ClusterConfig.
	Cluster *ClusterConfig
	// PerCallReconnectWait is how long the call of a per-call outbound
	// websocket that dropped waits for Asterisk to reconnect (it tries
	// reconnect_attempts times, reconnect_interval apart: 4 times 500 ms
	// by default) before it ends with a synthetic StasisEnd, Asterisk
	// having returned the channel to the dialplan. Default 5s.
	PerCallReconnectWait time.Duration
	// REST, if set, replaces resources.New(Client): for tests that
	// substitute some resources.
	REST *resources.Client
	// Apps are the applications to serve (at least one).
	Apps []App
	// Connection chooses one websocket for all apps (the default) or one
	// per app.
	Connection ConnectionMode
	// Transport chooses REST over HTTP (the default) or over the events
	// websocket. Ignored when REST is set.
	Transport Transport
	// SubscribeAll subscribes the apps to every event source.
	SubscribeAll bool
	// Stream tunes the websockets (backoff, ping, attempts); Apps,
	// SubscribeAll and OnState are set by the runtime. Its MaxAttempts 0
	// (the default) retries forever.
	Stream ari.EventStreamConfig

	// MailboxLimit bounds each call's mailbox; 0 (the default) means
	// unbounded: a slow handler delays only its own call and never loses
	// an event, and Stats.MailboxHighWater shows how far it fell behind.
	MailboxLimit int
	// Overflow is the policy at MailboxLimit.
	Overflow OverflowPolicy

	// KeepChannelOnError, when set, leaves the channel up when a handler
	// returns an error or panics. By default the runtime hangs it up, so
	// that a caller is never left in silence with no handler.
	KeepChannelOnError bool
	// KeepResourcesOnEnd, when set, leaves up the channels and bridges a
	// call created (Call.Originate, Call.CreateBridge, ...) when it ends.
	// By default the runtime hangs up those channels and destroys those
	// bridges unless the call released them, so nothing leaks.
	KeepResourcesOnEnd bool
	// RejectWhileShuttingDown, when set, hangs up channels that enter an
	// app after Shutdown began. By default they are left to Asterisk
	// (logged and counted as unrouted).
	RejectWhileShuttingDown bool
	// CleanupTimeout bounds the REST calls the runtime makes on its own
	// (hangups, re-sync). Default 10s.
	CleanupTimeout time.Duration
	// ShutdownGrace is how long Shutdown (and Run, when its context ends)
	// still waits after cancelling the calls: for their handlers to
	// return and the channels to be hung up. Handlers still running then
	// ignore their context: they are abandoned, logged at WARN and listed
	// in a *ShutdownError, so that shutting down never hangs. Default 1s;
	// raise it when hangups to a distant Asterisk take longer.
	ShutdownGrace time.Duration
	// ResyncEndedLimit bounds how many channels the runtime remembers
	// between a reconnect and the end of its re-sync: those whose
	// StasisEnd arrived meanwhile, which the re-sync must neither resume
	// nor end again, as its channel list may predate their end. Beyond it
	// the oldest are forgotten first (only the most recent ends can race
	// the list). Default 50,000 (a few MiB).
	ResyncEndedLimit int

	// Logger receives the runtime's logs; every line about a call carries
	// its app and channel. Default: warnings and errors go to
	// slog.Default() (as it is when New runs), so that nothing goes
	// wrong silently: handler errors and panics, undecodable frames,
	// failed connection attempts (with the URL and the cause),
	// disconnections and reconnects. A normal Shutdown logs no warning.
	Logger *slog.Logger
	// OnState, if set, is told of every state change of the runtime's
	// websockets, as ari.EventStream reports them; StateChange.Apps says
	// which connection (see ConnectionPerApp). A StateConnected with
	// Reconnect set is followed by a re-sync (OnResync). With Outbound,
	// each application id of each connection Asterisk opens is reported
	// (Apps holds it: "<app>:<channel name>" for a per-call one; Conn is
	// the connection's OutboundConn.Seq), and a connection that Asterisk
	// replaced is reported disconnected before its successor connects.
	// It is called from the connection's goroutine and must not block.
	OnState func(ari.StateChange)
	// OnResync, if set, is told what each re-sync after a reconnect did,
	// or why it failed. It is called from the re-sync's goroutine and must
	// not block.
	OnResync func(ResyncReport)
	// Observer, if set, is told of calls, events, decode errors,
	// reconnects and mailbox depth, for metrics; see Observer.
	Observer Observer
	// OnDecodeError, if set, is told of every frame that could not be
	// decoded (besides the log and Stats.DecodeErrors).
	OnDecodeError func(frame []byte, err error)
	// OnConnect, if set, runs after every successful connection (reconnect
	// false the first time), in its own goroutine so that events keep
	// flowing; ctx ends when the runtime stops. It suits work that must
	// follow Asterisk's state, such as pushing configuration again after
	// Asterisk restarted (see package configurator). Runs of one
	// connection never overlap.
	OnConnect func(ctx context.Context, reconnect bool)
}

func (c *Config) shutdownGrace() time.Duration {
	if c.ShutdownGrace > 0 {
		return c.ShutdownGrace
	}
	return defaultShutdownGrace
}

func (c *Config) perCallReconnectWait() time.Duration {
	if c.PerCallReconnectWait > 0 {
		return c.PerCallReconnectWait
	}
	return defaultPerCallReconnectWait
}

func (c *Config) cleanupTimeout() time.Duration {
	if c.CleanupTimeout > 0 {
		return c.CleanupTimeout
	}
	return 10 * time.Second
}

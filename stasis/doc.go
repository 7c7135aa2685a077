// Package stasis runs Asterisk Stasis applications over ARI: it reads the
// events websocket, gives each call that enters an app a handler of its
// own, running in the call's own goroutine, routes every event of the call
// to it in order, and re-syncs with Asterisk after a reconnect. It follows
// the Elixir library ex_ari (ARI.Stasis, its ChannelRegistrar and
// ARI.Router) and states what it guarantees.
//
// An App is a name and a Factory. When a channel enters the app
// (StasisStart), the runtime calls the factory with a *Call; the handler it
// returns gets the call's events through events.Dispatch, so it implements
// only the On<Event> methods it needs. A method may wait for the call's
// next events in straight-line code: this one answers, plays a menu and
// waits up to 5 seconds for a digit.
//
//	type menu struct{ call *stasis.Call }
//
//	func (m *menu) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
//		if err := m.call.Answer(ctx); err != nil {
//			return err
//		}
//		pb, err := m.call.REST().Channels.Play(ctx, m.call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:press-1-or-2"}})
//		if err != nil {
//			return err
//		}
//		if _, err := m.call.WaitPlaybackFinished(ctx, pb.ID); err != nil {
//			return err // the caller hung up: stasis.ErrCallEnded, which is no failure
//		}
//		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
//		defer cancel()
//		digit, err := m.call.WaitDTMF(wait)
//		if errors.Is(err, context.DeadlineExceeded) {
//			return m.call.Hangup(ctx, resources.HangupReasonNormal) // no choice
//		} else if err != nil {
//			return err
//		}
//		m.call.Logger().Info("menu", "choice", digit)
//		return m.call.Hangup(ctx, resources.HangupReasonNormal)
//	}
//
//	rt, err := stasis.New(stasis.Config{
//		Client: client, // an *ari.Client
//		Apps: []stasis.App{{Name: "menu", New: func(ctx context.Context, call *stasis.Call) (any, error) {
//			return &menu{call: call}, nil
//		}}},
//	})
//	if err != nil { ... }
//	err = rt.Run(ctx) // until ctx ends or rt.Shutdown
//
// # Call flows
//
// A call's handler runs in one goroutine, so its state needs no lock.
// Everything that runs code for a call runs there, one thing at a time:
//
//   - [Call.Wait], [WaitFor] and the typed waits ([Call.WaitDTMF],
//     [Call.WaitPlaybackFinished], [Call.WaitRecording], [Call.WaitState],
//     [Call.WaitStasisStart], [Call.WaitBridged]) block the method that
//     calls them until an event of the call matches. Events are queued,
//     not dispatched, while a method runs: a wait takes the event it
//     returns, and the events it passes over are held, in order, and
//     dispatched to the On<Event> methods once the method has returned.
//     So nothing is lost, reordered or delivered concurrently, and a wait
//     that follows a request in the same method cannot miss its events.
//     The timeout is ctx's; when the call ends meanwhile, the wait fails
//     with [ErrCallEnded] (returning it is no handler failure) and
//     OnStasisEnd still follows.
//   - [Call.AfterFunc] runs a func after a delay and [Call.Post] as soon
//     as possible (Post may be called from any goroutine: it is how other
//     code hands work to a call). An error or a panic ends the call like a
//     handler's; timers still pending when the call ends never run.
//
// # Legs and shared bridges
//
// A call owns the channel that entered the app (its primary leg) and the
// channels it originates, creates, snoops or adopts: all their events
// reach its one handler, and [Call.Leg] says which leg an event concerns
// ([LegPrimary], [LegOriginated], [LegLocalPeer] for the ";2" half of a
// Local channel, which echoes the media and DTMF of the first...). The
// typed waits name the channel they wait on: [Call.WaitDTMF] takes only
// the primary's digits. [Call.Hangup] of a channel already gone succeeds.
//
// A bridge created with [Call.CreateBridge] belongs to its call. One that
// several calls share, a conference room, is the app's: [Call.JoinBridge]
// creates it on first use by its key, every member call gets its events,
// and the last member to leave ([Call.LeaveBridge], or its end) destroys
// it, or [Call.DestroyBridge] does earlier. The runtime keeps the count:
// the app needs no lock.
//
// # Where to go next
//
//   - [Call] is what a handler works with: its channel, Answer and Hangup,
//     the REST clients ([Call.REST]), waits and timers, and channels and
//     bridges whose events reach the call (Originate, CreateBridge, Snoop,
//     Adopt, JoinBridge).
//   - [Config] holds the runtime's policies: mailbox limit, cleanup at the
//     end of a call, reconnects, logging, and the OnState, OnResync and
//     OnConnect hooks.
//   - [ResyncHandler] and [EndHandler] are optional methods of a handler.
//   - [Router] is ex_ari's router app: it moves each incoming call to the
//     app its extension routes to.
//   - The examples run against [gostasis.dev/ari/aritest], a simulated
//     Asterisk your own tests can start in-process too.
//   - [gostasis.dev/ari/events] has the events and their handler
//     interfaces; [gostasis.dev/ari/resources] has every REST operation.
//
// # Transports
//
// The runtime talks to Asterisk in any of the four ways Asterisk offers
// (docs/transports.md has the Asterisk configuration of each):
//
//   - HTTP plus the events websocket, the default: Config.Client.
//   - REST over the events websocket (Asterisk 20.14, 21.9, 22.4 and
//     later): Config.Transport = TransportWebsocket, one connection for
//     events and REST.
//   - Outbound websockets (20.15, 21.10, 22.5 and later), where Asterisk
//     dials the app: Config.Outbound, and Runtime.OutboundHandler mounted
//     on the app's HTTP server. A persistent connection carries its apps
//     for as long as Asterisk runs; a per-call connection carries one call,
//     whose app Asterisk names "<app>:<channel name>" (Call.AppID). Any
//     number of Asterisk servers may dial in: each is a node named by its
//     asterisk_id, whose calls, REST and re-syncs stay its own.
//
// Handlers do not change: Call.REST is the client of the connection the
// call came on, and follows it when Asterisk reopens it.
//
// # Guarantees
//
//   - One goroutine per call: StasisStart creates exactly one handler, and
//     the factory runs in that goroutine, never in the websocket reader.
//   - Order: a call's events reach its handler serially, in the order
//     Asterisk sent them.
//   - No stall: the websocket reader never waits for a handler (Asterisk
//     drops a client not read within 100 ms); each call has a mailbox, and
//     a slow handler delays only its own call.
//   - No silent loss: mailboxes are unbounded by default (Stats shows the
//     high-water mark); with Config.MailboxLimit the Overflow policy either
//     ends the call or drops and tells the handler, and counts it.
//   - No early event missed: a call is registered before the next frame is
//     routed, and channels and bridges a handler creates through the Call
//     (Originate, Create, Snoop, CreateBridge) are registered before the
//     request is sent, so events that beat the REST reply still reach it.
//   - Routing is by map lookup on the ids events.ChannelIDs and
//     events.BridgeIDs extract: constant time whatever the number of live calls.
//     Registration is keyed by app and channel, so a channel moved from app
//     A to app B ends A's handler and starts B's. Bridge events reach the
//     calls that own or have joined the bridge. Events no call owns go to
//     App.Unowned, and are counted either way.
//   - StasisEnd is delivered to the handler before its context is
//     cancelled; the call's registrations are dropped first, so nothing
//     after it is routed to the ended call.
//   - No reentrancy: a call's handler methods, factory, waits, AfterFunc
//     and Post funcs run serially on its goroutine (see Call flows).
//   - Handlers are checked: the first time a factory returns a handler of
//     some type, its methods are checked against the handler interfaces; a
//     method named On<Something> that matches none (a typo, or Asterisk's
//     casing such as OnChannelDtmfReceived), a handler method with a wrong
//     signature, and a handler with no event method fail each call of that
//     type with a *HandlerTypeError naming the method and the closest
//     expected name, logged once at ERROR.
//   - Errors and panics are contained: a handler that returns an error or
//     panics (the panic is recovered and logged with its stack and channel)
//     ends its own call; by policy its channel is hung up
//     (Config.KeepChannelOnError); no other call notices. A handler that
//     calls runtime.Goexit (t.Fatal in a test) ends its call like a panic.
//   - Nothing leaks: channels and bridges a call created are hung up and
//     destroyed when it ends unless released (Config.KeepResourcesOnEnd).
//   - Reconnects: the websocket reconnects forever with exponential
//     backoff, jitter and a cap; its state changes (connecting, connected,
//     disconnected, stopped) go to Config.OnState and the log.
//   - Re-sync: after a reconnect the runtime lists the channels of its apps
//     and reconciles: a call whose channel is gone gets a synthetic
//     StasisEnd (Synthetic reports it) and finishes; a channel that entered
//     an app meanwhile gets a handler as if StasisStart had arrived
//     (Call.Resumed); surviving calls are told events may have been missed
//     (ResyncHandler). What it did goes to Config.OnResync and the log.
//     Channels whose StasisEnd arrived since the reconnect are neither
//     resumed nor ended again; the runtime remembers the latest
//     Config.ResyncEndedLimit of them until the re-sync has run.
//   - Outbound websockets: when Asterisk reopens a connection, the calls
//     it carried move to the new one and are re-synced over it; a per-call
//     connection that Asterisk does not reopen within
//     Config.PerCallReconnectWait ends its call with a synthetic StasisEnd.
//     Over a websocket transport, a call's REST fails with
//     ari.ErrConnectionLost while its connection is down, never silently.
//   - Several Asterisk servers (Config.Nodes): calls are keyed by node and
//     channel, a call's REST always goes to its node, each node reconnects
//     and re-syncs on its own and reports its own state (StateChange.Node,
//     Stats.Nodes), and one node going down leaves the other nodes' calls
//     untouched.
//   - Broadcast calls (App.Broadcast): Asterisk gives each call to the
//     first claim only, so no call is handled by two instances, and a call
//     goes unclaimed only when every live instance's ClaimPolicy declines
//     it.
//   - A dead instance's calls (Config.Cluster): within the Peers engine's
//     time to live plus ClusterConfig.Interval, exactly one live instance
//     moves each channel the dead instance's apps held into its own app,
//     where it starts as a new call with the arguments "adopted" and the
//     old app, except a call the dead instance claimed in the instant it
//     died, which Asterisk returns to the dialplan with
//     STASISSTATUS=FAILED.
//   - Shutdown stops accepting calls, lets handlers finish until its
//     context ends, then cancels them, closes the connections and returns
//     when no goroutine of the runtime is left, or Config.ShutdownGrace
//     after its context ended: handlers that ignore their context are then
//     abandoned, logged at WARN and listed in a *ShutdownError (Run's
//     context ending works the same way). A request Shutdown cuts off in a
//     handler ends the call with EndShutdown, not as a handler error.
//   - Hostile input: a StasisStart or StasisEnd without a channel id
//     starts or ends nothing; it is logged and counted in
//     Stats.ProtocolErrors. No frame outlives its routing: the runtime
//     keeps no reference to an event once delivered, except Call.Start.
//   - Observability: every log line about a call carries its app and
//     channel; with no Config.Logger, warnings and errors go to
//     slog.Default() (handler errors and panics, undecodable frames,
//     failed connection attempts with the URL and cause, disconnections
//     and reconnects), and a normal Shutdown logs no warning. Stats
//     counts calls, events received, routed and unrouted, decode errors,
//     reconnects and the mailbox high-water mark.
package stasis

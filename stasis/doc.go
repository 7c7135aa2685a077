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
// only the On<Event> methods it needs:
//
//	type greeter struct{ call *stasis.Call }
//
//	func (g *greeter) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
//		return g.call.Answer(ctx)
//	}
//
//	func (g *greeter) OnChannelDTMFReceived(ctx context.Context, e *events.ChannelDTMFReceived) error {
//		return g.call.Hangup(ctx, resources.HangupReasonNormal)
//	}
//
//	rt, err := stasis.New(stasis.Config{
//		Client: client, // an *ari.Client
//		Apps: []stasis.App{{Name: "greeter", New: func(ctx context.Context, call *stasis.Call) (any, error) {
//			return &greeter{call: call}, nil
//		}}},
//	})
//	if err != nil { ... }
//	err = rt.Run(ctx) // until ctx ends or rt.Shutdown
//
// # Where to go next
//
//   - [Call] is what a handler works with: its channel, Answer and Hangup,
//     the REST clients ([Call.REST]), and channels and bridges whose events
//     reach the call (Originate, CreateBridge, Snoop, Adopt).
//   - [Config] holds the runtime's policies: mailbox limit, cleanup at the
//     end of a call, reconnects, and the OnState, OnResync and OnConnect
//     hooks.
//   - [ResyncHandler] and [EndHandler] are optional methods of a handler.
//   - [Router] is ex_ari's router app: it moves each incoming call to the
//     app its extension routes to.
//   - The examples run against [gostasis.dev/ari/aritest], a simulated
//     Asterisk your own tests can start in-process too.
//   - [gostasis.dev/ari/events] has the events and their handler
//     interfaces; [gostasis.dev/ari/resources] has every REST operation.
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
//   - Errors and panics are contained: a handler that returns an error or
//     panics (the panic is recovered and logged with its stack and channel)
//     ends its own call; by policy its channel is hung up
//     (Config.KeepChannelOnError); no other call notices.
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
//   - Shutdown stops accepting calls, lets handlers finish until its
//     context ends, then cancels them, closes the connections and returns
//     when no goroutine of the runtime is left.
//   - Observability: every log line about a call carries its app and
//     channel; Stats counts calls, events received, routed and unrouted,
//     decode errors, reconnects and the mailbox high-water mark.
package stasis

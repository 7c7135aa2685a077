// Package resources holds typed clients for every ARI operation of every
// Asterisk release this build knows, generated from Asterisk's own API
// description.
//
// New(c) returns a Client with one service per resource (Channels,
// Bridges, Playbacks, ...). Methods take a context first, path parameters
// as arguments, and everything else in a params struct where only the
// fields set are sent. Results are typed models; errors are *ari.Error
// values that work with errors.Is (ari.ErrNotFound, ...) and keep
// Asterisk's own message.
//
//	rc := resources.New(client) // client is an *ari.Client
//	ch, err := rc.Channels.Originate(ctx, &resources.ChannelOriginateParams{
//		Endpoint: "PJSIP/alice",
//		App:      "myapp",
//	})
//	if err != nil {
//		return err
//	}
//	err = rc.Channels.Hangup(ctx, ch.ID, &resources.ChannelHangupParams{Reason: resources.HangupReasonNormal})
//
// # Parameters
//
// A params struct is passed by pointer (nil sends no parameter) and is
// never modified. Its fields use the SDK's types, written on the wire the
// way Asterisk parses them:
//
//   - A caller id (channels.originate's callerId) is an ari.CallerID, sent
//     as Name <Number>, the name quoted and escaped when it needs to be.
//   - Enums are typed: a model's enum when the parameter takes a subset of
//     its values (DeviceStateUpdateParams.DeviceState is an
//     ari.DeviceStateValue), else an enum of this package (HangupReason,
//     BridgeCreateType, ...). Both are open: any string converts.
//   - A value Asterisk reads as a comma-separated list is a slice the client
//     joins: appArgs, formats, a bridge's type, and the allowMultiple
//     parameters (media, channel, ...). The arguments of Stasis() are
//     escaped so that StasisStart's args are exactly the slice given.
//
// A value Asterisk would read differently from what was given (a comma in
// a format name, an empty argument of channels.move, a '<' in a caller id
// number, a NUL) makes the method fail with an *ari.Error wrapping a
// *ParamError before anything is sent.
//
// Bridges.Create with Variables is sent as bridges.createWithId (with
// BridgeID, or a new id), because Asterisk's bridges.create reads its
// whole body as the variables map and creates the bridge even when it
// then rejects the documented body.
//
// # Versions
//
// Calls are checked against the server's Asterisk version: an operation,
// or a parameter, that the release does not have fails with
// ari.ErrUnsupported before anything is sent. Operations lists what each
// operation needs, and ari.Client.Supports tells whether the server has
// one.
//
// # Substituting a service
//
// The services are concrete types (*Channels, *Bridges, ...) that gain a
// method whenever an Asterisk release adds an operation. The package
// declares no interface for them, since a type implementing one would
// break at the next release. Code that should run against a substitute
// declares, where it is used, an interface with only the methods it
// calls:
//
//	// answerer is what greet needs of *resources.Channels.
//	type answerer interface {
//		Answer(ctx context.Context, channelID string) error
//	}
//
// *Channels satisfies it, and so does a test double with that one method;
// no new release breaks either. A double that should behave like the real
// service for the other methods embeds a *Channels and overrides some.
// The Substitute example shows both. To test against a whole Asterisk
// instead, use the simulated one of package gostasis.dev/ari/aritest, as
// the other examples do.
//
// # Where to go next
//
//   - gostasis.dev/ari: the Client these services call through, and the
//     models they return.
//   - gostasis.dev/stasis: a per-call runtime whose Call registers the
//     channels and bridges it creates before the request is sent.
//   - gostasis.dev/ari/aritest: a simulated Asterisk to run these calls
//     against in tests.
package resources

package stasis

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// Call is one call of an app: the channel that entered it, the channels
// and bridges its handler created or adopted since, and the goroutine that
// runs its handler. The exported fields describe the call as it started
// (ex_ari's state/5 arguments) and never change.
type Call struct {
	// mb comes first: it is all that routing an event touches.
	mb mailbox

	// App is the application's name (App.Name).
	App string
	// AppID is Asterisk's name for the application on this call's
	// connection: App, except on a per-call outbound websocket, where
	// Asterisk names it "<app>:<channel name>". REST calls that name an
	// application (applications.subscribe, an originate into the app)
	// take AppID; the runtime's helpers use it already.
	AppID string
	// Node is the name of the Asterisk server of the call (Config.Nodes),
	// or its asterisk_id when Asterisk dialed in (Config.Outbound); empty
	// with a single server dialed by Config.Client.
	Node string
	// ChannelID is the id of the channel that entered the app.
	ChannelID string
	// Caller is the channel's caller id when it entered.
	Caller ari.CallerID
	// Args are the arguments of Stasis() (or of the originate or move).
	Args []string
	// Start is the StasisStart that started the call (synthetic when
	// Resumed).
	Start *events.StasisStart
	// Config is the app's own configuration (App.Config).
	Config any
	// Resumed reports a call started by a re-sync: its channel entered the
	// app while the websocket was down.
	Resumed bool

	rt      *Runtime
	app     *appState
	link    *callLink // the REST client of the call's connection
	ctx     context.Context
	cancel  context.CancelCauseFunc
	log     *slog.Logger
	gen     uint64 // connection that registered the call
	started time.Time
	ending  atomic.Bool
	// resyncQueued is set while an overflow Resync waits in the mailbox.
	resyncQueued atomic.Bool

	handler any      // set by the factory, read by finish (same goroutine)
	flow    callFlow // straight-line waits (wait.go)

	mu       sync.Mutex
	channels map[string]legState // id -> what the channel is to the call (legs.go)
	bridges  map[string]bool
	shared   []*sharedBridge // the app's shared bridges the call joined, guarded by app.mu (shared.go)
	now      callStep        // what the goroutine runs, for ShutdownError
}

// Context returns the call's context: cancelled when the call ends.
func (c *Call) Context() context.Context { return c.ctx }

// Logger returns a logger whose lines carry the call's app and channel.
func (c *Call) Logger() *slog.Logger { return c.log }

// REST returns the typed REST clients of the call's connection: the
// runtime's (Runtime.REST), or with REST over a websocket the client of the
// websocket the call came on (for an outbound websocket Asterisk reopens,
// the newest one).
func (c *Call) REST() *resources.Client { return c.link.client(c.rt) }

// Channels lists the ids of the channels the call owns, the one that
// started it first.
func (c *Call) Channels() []string { return c.channelIDs() }

// Bridges lists the ids of the bridges the call owns or has joined.
func (c *Call) Bridges() []string { return c.bridgeIDs() }

// Answer answers the call's channel.
func (c *Call) Answer(ctx context.Context) error {
	return c.REST().Channels.Answer(ctx, c.ChannelID)
}

// Hangup hangs up the call's channel; the call ends when its StasisEnd
// arrives. A channel that is already gone is not an error: Hangup then
// returns nil (Asterisk's 404 means the hangup already happened).
func (c *Call) Hangup(ctx context.Context, reason resources.HangupReason) error {
	var p *resources.ChannelHangupParams
	if reason != "" {
		p = &resources.ChannelHangupParams{Reason: reason}
	}
	err := c.REST().Channels.Hangup(ctx, c.ChannelID, p)
	if errors.Is(err, ari.ErrNotFound) {
		return nil
	}
	return err
}

// Originate creates a channel whose events reach this call's handler,
// including those that arrive before Asterisk's reply: the id is chosen
// first (params.ChannelID, or a new one), registered, then the request is
// sent. With a Local endpoint the other half (params.OtherChannelID, or
// "<id>;2") is registered too. When params names no app, extension or
// context, the channel is sent to this call's app. The call owns the
// channel: it is hung up when the call ends unless released. params is
// taken as by Channels.Originate (nil sends none) and left unchanged.
func (c *Call) Originate(ctx context.Context, params *resources.ChannelOriginateParams) (*ari.Channel, error) {
	var p resources.ChannelOriginateParams
	if params != nil {
		p = *params // a copy: the defaults below stay out of the caller's struct
	}
	if p.ChannelID == "" {
		p.ChannelID = NewID()
	}
	if p.App == "" && p.Extension == "" && p.Context == "" {
		p.App = c.AppID
	}
	ids := channelIDs(p.Endpoint, p.ChannelID, p.OtherChannelID)
	return registered(c, LegOriginated, ids, func() (*ari.Channel, error) { return c.REST().Channels.Originate(ctx, &p) })
}

// Create creates a channel without dialling it (channels.create), like
// Originate registering it first; dial it with REST().Channels.Dial.
// params is left unchanged.
func (c *Call) Create(ctx context.Context, params *resources.ChannelCreateParams) (*ari.Channel, error) {
	var p resources.ChannelCreateParams
	if params != nil {
		p = *params // a copy: the defaults below stay out of the caller's struct
	}
	if p.ChannelID == "" {
		p.ChannelID = NewID()
	}
	if p.App == "" {
		p.App = c.AppID
	}
	ids := channelIDs(p.Endpoint, p.ChannelID, p.OtherChannelID)
	return registered(c, LegOriginated, ids, func() (*ari.Channel, error) { return c.REST().Channels.Create(ctx, &p) })
}

// Snoop creates a snoop channel on one of the call's channels (channelID,
// or the call's own when empty), registered to this call like Originate.
// params is left unchanged.
func (c *Call) Snoop(ctx context.Context, channelID string, params *resources.ChannelSnoopChannelParams) (*ari.Channel, error) {
	var p resources.ChannelSnoopChannelParams
	if params != nil {
		p = *params // a copy: the defaults below stay out of the caller's struct
	}
	if channelID == "" {
		channelID = c.ChannelID
	}
	if p.SnoopID == "" {
		p.SnoopID = NewID()
	}
	if p.App == "" {
		p.App = c.AppID
	}
	return registered(c, LegSnoop, []string{p.SnoopID}, func() (*ari.Channel, error) {
		return c.REST().Channels.SnoopChannel(ctx, channelID, &p)
	})
}

// CreateBridge creates a bridge whose events reach this call: its id is
// chosen and registered first, and the app is subscribed to it so that
// Asterisk sends its events. The call owns the bridge: it is destroyed when
// the call ends unless released. params (nil for a default bridge) is left
// unchanged.
func (c *Call) CreateBridge(ctx context.Context, params *resources.BridgeCreateParams) (*ari.Bridge, error) {
	var p resources.BridgeCreateParams
	if params != nil {
		p = *params // a copy: the defaults below stay out of the caller's struct
	}
	if p.BridgeID == "" {
		p.BridgeID = NewID()
	}
	c.app.linkBridge(c, p.BridgeID, true)
	b, err := c.REST().Bridges.Create(ctx, &p)
	if err != nil {
		c.app.unlinkBridge(c, p.BridgeID)
		return nil, err
	}
	if _, err := c.REST().Applications.Subscribe(ctx, c.AppID, &resources.ApplicationSubscribeParams{EventSource: []string{"bridge:" + p.BridgeID}}); err != nil {
		c.log.Warn("stasis: subscribing to the new bridge failed; its own events may not arrive", "bridge", p.BridgeID, "err", err)
	}
	return b, nil
}

// Adopt makes an existing channel part of this call: its events reach this
// call's handler (the app is subscribed to it). An adopted channel is not
// hung up when the call ends. It fails with an *OwnedError when another
// call of the app owns the channel.
func (c *Call) Adopt(ctx context.Context, channelID string) error {
	if err := c.app.register(c, LegAdopted, channelID); err != nil {
		return err
	}
	if _, err := c.REST().Applications.Subscribe(ctx, c.AppID, &resources.ApplicationSubscribeParams{EventSource: []string{"channel:" + channelID}}); err != nil {
		c.app.unregister(c, channelID)
		return err
	}
	return nil
}

// AdoptBridge makes an existing bridge part of this call, like Adopt.
func (c *Call) AdoptBridge(ctx context.Context, bridgeID string) error {
	c.app.linkBridge(c, bridgeID, false)
	if _, err := c.REST().Applications.Subscribe(ctx, c.AppID, &resources.ApplicationSubscribeParams{EventSource: []string{"bridge:" + bridgeID}}); err != nil {
		c.app.unlinkBridge(c, bridgeID)
		return err
	}
	return nil
}

// Release gives up a channel the call created or adopted: its events no
// longer reach the call, and it is left alone when the call ends. The
// call's own channel cannot be released.
func (c *Call) Release(channelID string) error {
	if channelID == c.ChannelID {
		return errors.New("stasis: a call cannot release its own channel")
	}
	c.app.unregister(c, channelID)
	return nil
}

// ReleaseBridge gives up a bridge the call created or adopted.
func (c *Call) ReleaseBridge(bridgeID string) { c.app.unlinkBridge(c, bridgeID) }

// registered registers ids to c as legs of kind (see appState.register),
// runs create, and unregisters them if it fails.
func registered(c *Call, kind LegKind, ids []string, create func() (*ari.Channel, error)) (*ari.Channel, error) {
	if err := c.app.register(c, kind, ids...); err != nil {
		return nil, err
	}
	ch, err := create()
	if err != nil {
		c.app.unregister(c, ids...)
		return nil, err
	}
	return ch, nil
}

// channelIDs are the ids a new channel will have: its own, and for a
// Local endpoint the other half's (other, or the "<id>;2" Asterisk gives).
func channelIDs(endpoint, id, other string) []string {
	switch {
	case other != "":
		return []string{id, other}
	case strings.HasPrefix(endpoint, "Local/"):
		return []string{id, id + ";2"}
	}
	return []string{id}
}

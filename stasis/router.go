package stasis

import (
	"context"
	"errors"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// RouterConfig configures Router, the equivalent of ex_ari's ARI.Router.
type RouterConfig struct {
	// Name is the router's app name. Default "router".
	Name string
	// Routes maps an extension (e.g. "100" or "+15555550101") to the app
	// that handles it.
	Routes map[string]string
	// Default is the app for an extension no route matches; "" hangs such
	// calls up.
	Default string
	// Fallback is the app a call goes to when moving it to its route fails
	// (the app is not connected, say); "" hangs it up.
	Fallback string
	// Extension returns a call's extension. Default: the first Stasis
	// argument (the dialplan runs Stasis(router,${EXTEN})), else the
	// channel's dialplan extension.
	Extension func(*Call) string
	// HangupReason is the reason given when a call is hung up for lack of
	// a route. Default "unallocated" (cause 1, "Unallocated number").
	HangupReason resources.HangupReason
	// PerCall says the target apps are served by per-call outbound
	// websockets (websocket_client.conf connection_type =
	// per_call_config). Asterisk registers such an app only as
	// "<app>:<channel name>" for the call that opened its connection, so
	// channels.move to it fails; instead the router continues the call at
	// its extension in the context Asterisk makes for the app,
	// "stasis-<app>", whose Stasis(<app>) opens the call's connection.
	// The app then gets no Stasis arguments, and Fallback does not apply:
	// Asterisk accepts a continue whether or not the app can be reached
	// (Stasis() then fails and the dialplan goes on).
	PerCall bool
}

// perCallContextPrefix starts the name of the context Asterisk makes for
// each app of a per-call outbound websocket (res/ari/ari_websockets.c,
// STASIS_CONTEXT_PREFIX): its every extension runs Stasis(<app>).
const perCallContextPrefix = "stasis-"

// Router returns an app that moves each incoming call to the app its
// extension routes to (channels.move; see RouterConfig.PerCall for apps
// of per-call outbound websockets), keeping the original arguments. A
// call that no route matches goes to Default or is hung up; a call whose
// move fails goes to Fallback or is hung up. No call is left dangling in
// the router.
func Router(cfg RouterConfig) App {
	if cfg.Name == "" {
		cfg.Name = "router"
	}
	if cfg.Extension == nil {
		cfg.Extension = func(c *Call) string {
			if len(c.Args) > 0 && c.Args[0] != "" {
				return c.Args[0]
			}
			return c.Start.Channel.Dialplan.Exten
		}
	}
	if cfg.HangupReason == "" {
		cfg.HangupReason = resources.HangupReasonUnallocated
	}
	return App{
		Name:   cfg.Name,
		Config: cfg,
		New: func(ctx context.Context, call *Call) (any, error) {
			return &routerCall{cfg: cfg, call: call}, nil
		},
	}
}

// routerCall routes one call.
type routerCall struct {
	cfg   RouterConfig
	call  *Call
	tried []string
}

func (r *routerCall) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	ext := r.cfg.Extension(r.call)
	target, ok := r.cfg.Routes[ext]
	if !ok {
		target = r.cfg.Default
	}
	log := r.call.Logger().With("extension", ext)
	if target == "" {
		log.Info("stasis: router: no route; hanging up")
		return r.hangup(ctx)
	}
	return r.move(ctx, target)
}

// OnApplicationMoveFailed handles Asterisk's refusal to move the channel
// (the target app is not registered).
func (r *routerCall) OnApplicationMoveFailed(ctx context.Context, e *events.ApplicationMoveFailed) error {
	r.call.Logger().Warn("stasis: router: move failed", "destination", e.Destination)
	return r.fallback(ctx)
}

func (r *routerCall) move(ctx context.Context, target string) error {
	r.tried = append(r.tried, target)
	var err error
	if r.cfg.PerCall {
		ext := r.cfg.Extension(r.call)
		if ext == "" {
			ext = "s"
		}
		err = r.call.REST().Channels.ContinueInDialplan(ctx, r.call.ChannelID, &resources.ChannelContinueInDialplanParams{
			Context: perCallContextPrefix + target, Extension: ext, Priority: 1,
		})
		if err == nil {
			r.call.Logger().Info("stasis: router: sent on through the dialplan", "to", target, "context", perCallContextPrefix+target)
			return nil
		}
		if errors.Is(err, ari.ErrConnectionLost) {
			// Asterisk closes a per-call connection after the channel
			// left Stasis, which a continue does: the reply may be lost
			// with it. A hangup could not go over it either.
			r.call.Logger().Debug("stasis: router: the connection closed with the continue", "to", target, "err", err)
			return nil
		}
	} else {
		err = r.call.REST().Channels.Move(ctx, r.call.ChannelID, &resources.ChannelMoveParams{App: target, AppArgs: r.call.Args})
	}
	if err == nil {
		r.call.Logger().Info("stasis: router: moved", "to", target)
		return nil
	}
	if errors.Is(err, ari.ErrNotFound) && ctx.Err() == nil {
		// The channel is gone; its StasisEnd ends this call.
		return nil
	}
	r.call.Logger().Warn("stasis: router: move failed", "to", target, "err", err)
	if r.cfg.PerCall {
		return r.hangup(ctx)
	}
	return r.fallback(ctx)
}

// fallback sends the call to Fallback once, or hangs it up.
func (r *routerCall) fallback(ctx context.Context) error {
	fb := r.cfg.Fallback
	if fb != "" {
		for _, t := range r.tried {
			if t == fb {
				fb = ""
			}
		}
	}
	if fb == "" {
		return r.hangup(ctx)
	}
	return r.move(ctx, fb)
}

func (r *routerCall) hangup(ctx context.Context) error {
	err := r.call.Hangup(ctx, r.cfg.HangupReason)
	if err != nil && !errors.Is(err, ari.ErrNotFound) {
		return err
	}
	return nil
}

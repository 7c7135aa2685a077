package main

import (
	"context"

	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// appName is the Stasis app the example serves.
const appName = "greeter"

// greeter answers and plays hello-world, reads back every digit pressed,
// and hangs up on '#'.
type greeter struct{ call *stasis.Call }

// newGreeter is the app's handler factory.
func newGreeter(ctx context.Context, call *stasis.Call) (any, error) {
	return &greeter{call: call}, nil
}

// OnStasisStart answers and greets.
func (g *greeter) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := g.call.Answer(ctx); err != nil {
		return err
	}
	return media.Play(ctx, g.call, media.Primary, "sound:hello-world")
}

// OnChannelDTMFReceived reads a digit back, or hangs up on '#'.
func (g *greeter) OnChannelDTMFReceived(ctx context.Context, e *events.ChannelDTMFReceived) error {
	if e.Digit == "#" {
		return g.call.Hangup(ctx, resources.HangupReasonNormal)
	}
	return media.Play(ctx, g.call, media.Primary, "digits:"+e.Digit)
}

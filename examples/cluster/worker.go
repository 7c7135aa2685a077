package main

import (
	"context"

	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// worker is the handler of one call of instance n: it answers, plays
// hello-world and hangs up, and records in the ledger that it started
// and that it hung up. An adopted call starts over.
type worker struct {
	n      int
	call   *stasis.Call
	ledger *ledger
}

// newWorker is the factory of instance n's app.
func newWorker(n int, led *ledger) stasis.Factory {
	return func(ctx context.Context, call *stasis.Call) (any, error) {
		return &worker{n: n, call: call, ledger: led}, nil
	}
}

func (w *worker) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	from := ""
	if args := w.call.Args; len(args) == 2 && args[0] == stasis.AdoptedArg {
		from = args[1] // the dead instance's app
	}
	w.ledger.started(w.call.Node, w.call.ChannelID, w.n, from)
	if err := w.call.Answer(ctx); err != nil {
		return err
	}
	if err := media.Play(ctx, w.call, media.Primary, "sound:hello-world"); err != nil {
		return err
	}
	if err := w.call.Hangup(ctx, resources.HangupReasonNormal); err != nil {
		return err
	}
	w.ledger.hungUp(w.call.Node, w.call.ChannelID, w.n)
	return nil
}

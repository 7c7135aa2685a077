package stasistest_test

import (
	"context"
	"fmt"
	"testing"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/stasistest"
)

// greeter answers, plays hello-world and hangs up once it has played.
type greeter struct{ call *stasis.Call }

func newGreeter(ctx context.Context, call *stasis.Call) (any, error) {
	return &greeter{call: call}, nil
}

func (g *greeter) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := g.call.Answer(ctx); err != nil {
		return err
	}
	_, err := g.call.REST().Channels.Play(ctx, g.call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	return err
}

func (g *greeter) OnPlaybackFinished(ctx context.Context, e *events.PlaybackFinished) error {
	return g.call.Hangup(ctx, resources.HangupReasonNormal)
}

// The body of a test of the greeter app: test(func(t testing.TB) {...})
// stands for func TestGreeter(t *testing.T) {...}. Run serves the app
// until the test ends, then shuts it down and checks for leaked
// goroutines.
func Example() {
	test(func(t testing.TB) {
		srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
		stasistest.Run(t, srv, stasis.App{Name: "greeter", New: newGreeter})

		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "greeter"})
		if err != nil {
			t.Fatal(err)
		}
		if err := phone.WaitEnd(t.Context()); err != nil {
			t.Fatal(err)
		}
		fmt.Println("the caller heard", phone.MediaHeard(), "then a hangup with cause", phone.Cause())
	})
	// Output:
	// the caller heard [sound:hello-world] then a hangup with cause 16
}

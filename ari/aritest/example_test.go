package aritest_test

import (
	"context"
	"fmt"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// This example tests a small application, the one below that answers
// every call and plays hello-world, against a simulated Asterisk. In a test
// use aritest.Start(t, cfg), which closes the server when the test ends.
func Example() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	ctx := context.Background()

	// The application under test, connected like to a real Asterisk.
	app := func(ctx context.Context, c *ari.Client) error {
		rc := resources.New(c)
		stream := c.EventStream(ari.EventStreamConfig{Apps: []string{"myapp"}})
		return stream.Run(ctx, func(f ari.Frame) {
			ev, err := events.Decode(f.Data)
			if err != nil {
				return
			}
			if ss, ok := ev.(*events.StasisStart); ok {
				id := ss.Channel.ID
				go func() { // never block the event stream
					_ = rc.Channels.Answer(ctx, id)
					_, _ = rc.Channels.Play(ctx, id, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
				}()
			}
		})
	}
	appCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = app(appCtx, srv.Client()) }()
	defer func() { stop(); <-done }()
	_ = srv.WaitApp(ctx, "myapp")

	// The test: a call comes in, gets answered and hears hello-world.
	call, err := srv.PlaceCall(aritest.CallParams{App: "myapp", Caller: ari.CallerID{Name: "Alice", Number: "1001"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = call.WaitState(ctx, "Up")
	_, _ = call.WaitEvent(ctx, "PlaybackFinished")
	fmt.Println("heard:", call.MediaHeard())

	_ = call.Hangup(16) // the caller hangs up
	<-call.Done()
	fmt.Println("cause:", call.Cause())
	// Output:
	// heard: [sound:hello-world]
	// cause: 16
}

// Dialplan extensions are set in Config.Dialplan; here extension 555 sends
// calls to an application with an argument, and a Local channel
// originated by the application reaches it.
func ExampleServer_PlaceCall() {
	dp := aritest.DefaultDialplan()
	dp["default"]["555"] = aritest.Exten("Answer()", "Stasis(ivr,main-menu)")
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming(), Dialplan: dp})
	defer srv.Close()
	ctx := context.Background()

	// A websocket for "ivr" (a stream that does nothing with the events).
	stream := srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{"ivr"}})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = stream.Run(runCtx, func(ari.Frame) {}) }()
	defer func() { stop(); <-done }()
	_ = srv.WaitApp(ctx, "ivr")

	call, _ := srv.PlaceCall(aritest.CallParams{Extension: "555", Caller: ari.CallerID{Number: "1001"}})
	ev, _ := call.WaitEvent(ctx, "StasisStart")
	ss := ev.(*events.StasisStart)
	fmt.Println(ss.Application, ss.Args, ss.Channel.State, ss.Channel.Dialplan.AppData)

	_ = call.SendDTMF("1")
	ev, _ = call.WaitEvent(ctx, "ChannelDtmfReceived")
	fmt.Println("digit", ev.(*events.ChannelDtmfReceived).Digit)
	_ = call.Hangup(0)
	// Output:
	// ivr [main-menu] Up ivr,main-menu
	// digit 1
}

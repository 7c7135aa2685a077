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
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "myapp", Caller: ari.CallerID{Name: "Alice", Number: "1001"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = phone.WaitState(ctx, ari.ChannelStateUp)
	_, _ = phone.WaitEvent(ctx, "PlaybackFinished")
	fmt.Println("heard:", phone.MediaHeard())

	_ = phone.Hangup(resources.HangupReasonNormal) // the caller hangs up
	<-phone.Done()
	fmt.Println("cause:", phone.Cause())
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

	phone, _ := srv.PlaceCall(aritest.PlaceCallParams{Extension: "555", Caller: ari.CallerID{Number: "1001"}})
	ev, _ := phone.WaitEvent(ctx, "StasisStart")
	ss := ev.(*events.StasisStart)
	fmt.Println(ss.Application, ss.Args, ss.Channel.State, ss.Channel.Dialplan.AppData)

	_ = phone.SendDTMF("1")
	ev, _ = phone.WaitEvent(ctx, "ChannelDtmfReceived")
	fmt.Println("digit", ev.(*events.ChannelDTMFReceived).Digit)
	_ = phone.Hangup(resources.HangupReasonNormal)
	// Output:
	// ivr [main-menu] Up ivr,main-menu
	// digit 1
}

// A call the application dials rings a phone the test drives: WaitPhone
// finds it once it rings, and the test answers as the person called (with
// Timing.Ring set to Never, nobody else does). The application dials
// PJSIP/bob, as it would in production: the simulator knows that
// endpoint from Config.Endpoints (or from a res_pjsip endpoint of its
// dynamic configuration). Test/<name> needs no configuration.
func ExampleServer_WaitPhone() {
	timing := aritest.FastTiming()
	timing.Ring = aritest.Never
	srv := aritest.NewServer(aritest.Config{Timing: timing, Endpoints: []string{"PJSIP/bob"}})
	defer srv.Close()
	ctx := context.Background()

	// A websocket for "dialer" (a stream that does nothing with the events).
	stream := srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{"dialer"}})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = stream.Run(runCtx, func(ari.Frame) {}) }()
	defer func() { stop(); <-done }()
	_ = srv.WaitApp(ctx, "dialer")

	// What the application does: call Bob.
	_, err := srv.Resources().Channels.Originate(ctx, &resources.ChannelOriginateParams{
		Endpoint: "PJSIP/bob", App: "dialer", ChannelID: "bob-1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// What Bob does: his phone rings, he answers, then hangs up.
	bob, err := srv.WaitPhone(ctx, func(p *aritest.Phone) bool { return p.Endpoint() == "PJSIP/bob" })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bob.Channel().ID, "outbound:", bob.Outbound(), bob.State())
	_ = bob.Answer()
	ev, _ := bob.WaitEvent(ctx, "StasisStart")
	fmt.Println("in the application:", ev.(*events.StasisStart).Channel.State)
	_ = bob.Hangup(resources.HangupReasonNormal)
	<-bob.Done()
	fmt.Println("cause:", bob.Cause())
	// Output:
	// bob-1 outbound: true Ringing
	// in the application: Up
	// cause: 16
}

package aritest_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// Two instances of an application share calls through Asterisk's claim: a
// call placed with Broadcast is offered to both (CallBroadcast), the
// first to claim it gets it (StasisStart with the broadcast's args) and
// the other gets 409.
func ExampleBroadcastParams() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	ctx := context.Background()

	// A websocket for each instance (streams that do nothing with the
	// events).
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	for _, app := range []string{"ivr-1", "ivr-2"} {
		stream := srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{app}})
		done := make(chan struct{})
		go func() { defer close(done); _ = stream.Run(runCtx, func(ari.Frame) {}) }()
		defer func() { stop(); <-done }()
	}
	_ = srv.WaitApp(ctx, "ivr-1", "ivr-2")

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{
		ChannelID: "call-1",
		Broadcast: &aritest.BroadcastParams{Timeout: 2 * time.Second, Filter: "^ivr-", Args: []string{"sales"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var offered []string
	for _, se := range phone.Events() {
		if se.Event.EventType() == "CallBroadcast" {
			offered = append(offered, se.App)
		}
	}
	sort.Strings(offered)
	fmt.Println("offered to:", offered)

	claim := func(app string) error {
		return srv.Resources().Events.ClaimChannel(ctx, &resources.EventClaimChannelParams{ChannelID: "call-1", Application: app})
	}
	fmt.Println("ivr-2 claims:", claim("ivr-2"))
	var ae *ari.Error
	if err := claim("ivr-1"); errors.As(err, &ae) {
		fmt.Println("ivr-1 claims:", ae.Status, ae.Message)
	}
	ev, _ := phone.WaitEvent(ctx, "StasisStart")
	ss := ev.(*events.StasisStart)
	fmt.Println(ss.Application, ss.Args)
	_ = phone.Hangup(resources.HangupReasonNormal)
	// Output:
	// offered to: [ivr-1 ivr-2]
	// ivr-2 claims: <nil>
	// ivr-1 claims: 409 Channel has already been claimed by another application
	// ivr-2 [sales]
}

package stasis_test

import (
	"context"
	"fmt"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
)

// The examples run against the simulated Asterisk of package aritest, so
// they run with go test; against a real Asterisk, only Config.Client
// changes.

// greeter answers, plays hello-world and hangs up once it has played.
type greeter struct {
	call  *stasis.Call
	ended chan<- stasis.End
}

func (g *greeter) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	fmt.Printf("%s: call from %s <%s>\n", g.call.App, g.call.Caller.Name, g.call.Caller.Number)
	if err := g.call.Answer(ctx); err != nil {
		return err
	}
	_, err := g.call.REST().Channels.Play(ctx, g.call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	return err
}

func (g *greeter) OnPlaybackFinished(ctx context.Context, e *events.PlaybackFinished) error {
	return g.call.Hangup(ctx, resources.HangupReasonNormal)
}

// OnEnd makes greeter a stasis.EndHandler: it is told how its call ended.
func (g *greeter) OnEnd(ctx context.Context, end stasis.End) { g.ended <- end }

// This example serves one app, a greeter, and places a call to it.
func Example() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ended := make(chan stasis.End, 1)
	rt, err := stasis.New(stasis.Config{
		Client: srv.Client(),
		Apps: []stasis.App{{Name: "greeter", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &greeter{call: call, ended: ended}, nil
		}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	defer func() { _ = rt.Shutdown(ctx); <-done }()
	_ = srv.WaitApp(ctx, "greeter")

	// Alice calls the app.
	alice, err := srv.PlaceCall(aritest.PlaceCallParams{App: "greeter", Caller: ari.CallerID{Name: "Alice", Number: "1001"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = alice.WaitEnd(ctx)
	fmt.Println("Alice heard", alice.MediaHeard(), "then a hangup with cause", alice.Cause())
	fmt.Println("the handler ended:", (<-ended).Reason)
	// Output:
	// greeter: call from Alice <1001>
	// Alice heard [sound:hello-world] then a hangup with cause 16
	// the handler ended: stasis-end
}

// salesDesk takes the calls the router sends to sales.
type salesDesk struct{ call *stasis.Call }

func (s *salesDesk) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	fmt.Printf("sales: call from %s, Stasis arguments %q\n", s.call.Caller.Number, s.call.Args)
	return s.call.Hangup(ctx, resources.HangupReasonNormal)
}

// Router moves each call to the app its extension routes to. The
// dialplan sends the phones' calls to the router, with their extension as
// the Stasis argument; a call to an extension with no route is hung up as
// an unallocated number (cause 1).
func ExampleRouter() {
	srv := aritest.NewServer(aritest.Config{
		Timing: aritest.FastTiming(),
		// [from-phones]
		// exten => _X.,1,Stasis(router,${EXTEN})
		Dialplan: aritest.Dialplan{"from-phones": aritest.Extensions{
			"_X.": aritest.Exten("Stasis(router,${EXTEN})"),
		}},
	})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	rt, err := stasis.New(stasis.Config{
		Client: srv.Client(),
		Apps: []stasis.App{
			stasis.Router(stasis.RouterConfig{Routes: map[string]string{"100": "sales"}}),
			{Name: "sales", New: func(ctx context.Context, call *stasis.Call) (any, error) {
				return &salesDesk{call: call}, nil
			}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	defer func() { _ = rt.Shutdown(ctx); <-done }()
	_ = srv.WaitApp(ctx, "router", "sales")

	for _, exten := range []string{"100", "999"} {
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{Context: "from-phones", Extension: exten, Caller: ari.CallerID{Number: "1001"}})
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = phone.WaitEnd(ctx)
		fmt.Printf("call to %s: hung up with cause %d\n", exten, phone.Cause())
	}
	// Output:
	// sales: call from 1001, Stasis arguments ["100"]
	// call to 100: hung up with cause 16
	// call to 999: hung up with cause 1
}

// connector dials Bob for each caller and bridges the two.
type connector struct {
	call  *stasis.Call
	ended chan<- stasis.End
}

func (c *connector) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if e.Channel.ID == c.call.ChannelID {
		// The caller entered the app: dial Bob.
		fmt.Println("dialling Bob")
		_, err := c.call.Originate(ctx, resources.ChannelOriginateParams{Endpoint: "Test/bob"})
		return err
	}
	// Bob answered: his channel entered the app, and its StasisStart came
	// to this call because Originate registered the channel first.
	fmt.Println("Bob answered: bridging")
	b, err := c.call.CreateBridge(ctx, resources.BridgeCreateParams{Type: "mixing"})
	if err != nil {
		return err
	}
	return c.call.REST().Bridges.AddChannel(ctx, b.ID, &resources.BridgeAddChannelParams{Channel: []string{c.call.ChannelID, e.Channel.ID}})
}

func (c *connector) OnEnd(ctx context.Context, end stasis.End) { c.ended <- end }

// Originate dials a channel whose events reach the call that dialled it.
// The call owns what it created: when the caller hangs up, the runtime
// hangs up Bob's channel and destroys the bridge.
func ExampleCall_Originate() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ended := make(chan stasis.End, 1)
	rt, err := stasis.New(stasis.Config{
		Client: srv.Client(),
		Apps: []stasis.App{{Name: "connect", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &connector{call: call, ended: ended}, nil
		}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	defer func() { _ = rt.Shutdown(ctx); <-done }()
	_ = srv.WaitApp(ctx, "connect")

	alice, err := srv.PlaceCall(aritest.PlaceCallParams{App: "connect", Answer: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	bob, _ := srv.WaitPhone(ctx, (*aritest.Phone).Outbound)
	_, _ = srv.WaitEvent(ctx, func(e events.Event) bool {
		b, ok := e.(*events.ChannelEnteredBridge)
		return ok && b.Channel != nil && b.Channel.ID == bob.ID()
	})
	fmt.Println("bridges:", len(srv.Bridges()))

	_ = alice.Hangup(16)
	<-ended
	_ = bob.WaitEnd(ctx)
	fmt.Println("Bob's phone hung up with cause", bob.Cause())
	fmt.Println("bridges:", len(srv.Bridges()))
	// Output:
	// dialling Bob
	// Bob answered: bridging
	// bridges: 1
	// Bob's phone hung up with cause 16
	// bridges: 0
}

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
		_, err := c.call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Test/bob"})
		return err
	}
	// Bob answered: his channel entered the app, and its StasisStart came
	// to this call because Originate registered the channel first.
	fmt.Println("Bob answered: bridging")
	b, err := c.call.CreateBridge(ctx, &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}})
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

	_ = alice.Hangup(resources.HangupReasonNormal)
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

// menu answers, plays a menu, and waits up to 5 seconds for the caller to
// choose 1 or 2, in straight-line code.
type menu struct {
	call  *stasis.Call
	ended chan<- stasis.End
}

func (m *menu) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := m.call.Answer(ctx); err != nil {
		return err
	}
	pb, err := m.call.REST().Channels.Play(ctx, m.call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:press-1-or-2"}})
	if err != nil {
		return err
	}
	if _, err := m.call.WaitPlaybackFinished(ctx, pb.ID); err != nil {
		return err // ErrCallEnded when the caller hung up: not a failure
	}
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	choice, err := m.call.Wait(wait, func(e events.Event) bool {
		d, ok := e.(*events.ChannelDTMFReceived)
		return ok && d.Channel.ID == m.call.ChannelID && (d.Digit == "1" || d.Digit == "2")
	})
	if err != nil {
		return err
	}
	fmt.Println("the caller chose", choice.(*events.ChannelDTMFReceived).Digit)
	return m.call.Hangup(ctx, resources.HangupReasonNormal)
}

// OnChannelDTMFReceived gets the digits the flow's waits passed over, in
// order, once OnStasisStart has returned.
func (m *menu) OnChannelDTMFReceived(ctx context.Context, e *events.ChannelDTMFReceived) error {
	fmt.Println("then OnChannelDTMFReceived got", e.Digit)
	return nil
}

func (m *menu) OnEnd(ctx context.Context, end stasis.End) { m.ended <- end }

// A handler method waits for the call's events: Wait returns the first
// that matches, and the events it passes over reach the handler's methods
// afterwards, in order. Here the caller presses 9 (no such choice), then 2.
func ExampleCall_Wait() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming(), Sounds: []string{"press-1-or-2"}})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ended := make(chan stasis.End, 1)
	rt, err := stasis.New(stasis.Config{
		Client: srv.Client(),
		Apps: []stasis.App{{Name: "menu", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &menu{call: call, ended: ended}, nil
		}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	defer func() { _ = rt.Shutdown(ctx); <-done }()
	_ = srv.WaitApp(ctx, "menu")

	caller, err := srv.PlaceCall(aritest.PlaceCallParams{App: "menu"})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = caller.WaitEvent(ctx, "PlaybackStarted")
	_ = caller.SendDTMF("92")
	fmt.Println("the call ended:", (<-ended).Reason)
	fmt.Println("the caller heard", caller.MediaHeard())
	// Output:
	// the caller chose 2
	// then OnChannelDTMFReceived got 9
	// the call ended: stasis-end
	// the caller heard [sound:press-1-or-2]
}

// patience hangs up callers who press nothing within a delay.
type patience struct {
	call      *stasis.Call
	stopTimer func() bool
}

func (p *patience) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := p.call.Answer(ctx); err != nil {
		return err
	}
	// The func runs on the call's goroutine, like the methods: the
	// handler needs no lock.
	p.stopTimer = p.call.AfterFunc(200*time.Millisecond, func(ctx context.Context) error {
		fmt.Println(p.call.Caller.Name, "pressed nothing: hanging up")
		return p.call.Hangup(ctx, resources.HangupReasonNormal)
	})
	return nil
}

func (p *patience) OnChannelDTMFReceived(ctx context.Context, e *events.ChannelDTMFReceived) error {
	if p.stopTimer() {
		fmt.Println(p.call.Caller.Name, "pressed", e.Digit, "in time")
	}
	return p.call.Hangup(ctx, resources.HangupReasonNormal)
}

// AfterFunc runs a func on the call's goroutine after a delay, serially
// with the handler's methods; a timer still pending when the call ends
// never runs.
func ExampleCall_AfterFunc() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	rt, err := stasis.New(stasis.Config{
		Client: srv.Client(),
		Apps: []stasis.App{{Name: "patience", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &patience{call: call}, nil
		}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	defer func() { _ = rt.Shutdown(ctx); <-done }()
	_ = srv.WaitApp(ctx, "patience")

	for _, name := range []string{"Alice", "Bob"} {
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "patience", Caller: ari.CallerID{Name: name}})
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = phone.WaitState(ctx, ari.ChannelStateUp)
		if name == "Alice" {
			_ = phone.SendDTMF("1")
		}
		_ = phone.WaitEnd(ctx)
	}
	// Output:
	// Alice pressed 1 in time
	// Bob pressed nothing: hanging up
}

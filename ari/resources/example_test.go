package resources_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

// The examples run against a simulated Asterisk 22.10.1 (package aritest);
// against a real one, build the client with
//
//	c, err := ari.NewClient(ari.Config{URL: "http://127.0.0.1:8088", Username: "asterisk", Password: "secret"})
//	rc := resources.New(c)

// A Client has one service per resource. Each method takes a context, the
// path parameters, and a params struct of which only the fields set are
// sent.
func Example() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	rc := resources.New(srv.Client())
	ctx := context.Background()

	info, err := rc.Asterisk.GetInfo(ctx, &resources.AsteriskGetInfoParams{
		Only: []resources.GetInfoOnly{resources.GetInfoOnlySystem},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Asterisk", info.System.Version)

	br, err := rc.Bridges.Create(ctx, &resources.BridgeCreateParams{
		Type:     []resources.BridgeCreateType{resources.BridgeCreateTypeMixing},
		BridgeID: "conf-1",
		Name:     "standup",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(br.ID, br.BridgeType, br.Name)

	bridges, err := rc.Bridges.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(bridges), "bridge")
	// Output:
	// Asterisk 22.10.1
	// conf-1 mixing standup
	// 1 bridge
}

// Originate a call to a phone and hand it to the Stasis application
// "demo"; variables go in the request body.
func ExampleChannels_Originate() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	rc := resources.New(srv.Client())

	ch, err := rc.Channels.Originate(context.Background(), &resources.ChannelOriginateParams{
		Endpoint:  "Test/alice",
		App:       "demo",
		AppArgs:   []string{"inbound", "vip"},
		ChannelID: "call-1",
		CallerID:  ari.CallerID{Name: "Bob", Number: "1002"},
		Variables: ari.Vars{"CDR(userfield)": {Value: "demo"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ch.ID, ch.State, ch.Caller.Name, ch.Caller.Number)
	// Output:
	// call-1 Down Bob 1002
}

// Errors are *ari.Error values: errors.Is matches the status sentinels, and
// errors.As gives the status and Asterisk's own message. A call the
// server's Asterisk release does not have is refused before anything is
// sent.
func Example_errors() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	rc := resources.New(srv.Client())
	ctx := context.Background()

	_, err := rc.Channels.Get(ctx, "nosuch")
	if errors.Is(err, ari.ErrNotFound) {
		fmt.Println("no such channel")
	}
	var ariErr *ari.Error
	if errors.As(err, &ariErr) {
		fmt.Println(ariErr.Status, ariErr.Message)
	}
	fmt.Println(err)

	// channels.progress came in Asterisk 20.16, 21.11 and 22.6.
	old, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "asterisk", Version: "16.30.1"})
	if err != nil {
		log.Fatal(err)
	}
	err = resources.New(old).Channels.Progress(ctx, "call-1")
	fmt.Println(errors.Is(err, ari.ErrUnsupported))
	// Output:
	// no such channel
	// 404 Channel not found
	// ari: channels.get GET /channels/nosuch: 404 Not Found: Channel not found
	// true
}

// greeter is what greet needs of *resources.Channels: a small interface
// declared where it is used, which no new Asterisk release breaks.
type greeter interface {
	Answer(ctx context.Context, channelID string) error
	Play(ctx context.Context, channelID string, p *resources.ChannelPlayParams) (*ari.Playback, error)
}

// greet is the code under test: it answers a call and plays a welcome.
func greet(ctx context.Context, ch greeter, channelID string) error {
	if err := ch.Answer(ctx, channelID); err != nil {
		return err
	}
	_, err := ch.Play(ctx, channelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	return err
}

// callRecorder is a test double of greeter that records the calls.
type callRecorder struct{ calls []string }

func (r *callRecorder) Answer(ctx context.Context, channelID string) error {
	r.calls = append(r.calls, "answer "+channelID)
	return nil
}

func (r *callRecorder) Play(ctx context.Context, channelID string, p *resources.ChannelPlayParams) (*ari.Playback, error) {
	r.calls = append(r.calls, fmt.Sprint("play ", channelID, " ", p.Media))
	return &ari.Playback{ID: "pb-1", State: "queued"}, nil
}

// failingPlay behaves as the *resources.Channels it embeds, except Play.
type failingPlay struct{ *resources.Channels }

func (failingPlay) Play(ctx context.Context, channelID string, p *resources.ChannelPlayParams) (*ari.Playback, error) {
	return nil, errors.New("no sound card")
}

// Code that takes a small interface of its own runs with the real service,
// with a test double, or with the real service but one method replaced.
func Example_substitute() {
	ctx := context.Background()

	// A test double.
	rec := &callRecorder{}
	if err := greet(ctx, rec, "call-1"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.calls)

	// The real service, on a call placed to the application "demo".
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	rc := resources.New(srv.Client())
	stream := srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{"demo"}})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = stream.Run(runCtx, func(ari.Frame) {}) }()
	defer func() { stop(); <-done }()
	if err := srv.WaitApp(ctx, "demo"); err != nil {
		log.Fatal(err)
	}
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "demo", ChannelID: "call-2"})
	if err != nil {
		log.Fatal(err)
	}
	if err := greet(ctx, rc.Channels, "call-2"); err != nil {
		log.Fatal(err)
	}
	if _, err := phone.WaitEvent(ctx, "PlaybackFinished"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(phone.State(), phone.MediaHeard())

	// The real service with Play replaced.
	phone, err = srv.PlaceCall(aritest.PlaceCallParams{App: "demo", ChannelID: "call-3"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(greet(ctx, failingPlay{rc.Channels}, "call-3"))
	fmt.Println(phone.State())
	// Output:
	// [answer call-1 play call-1 [sound:hello-world]]
	// Up [sound:hello-world]
	// no sound card
	// Up
}

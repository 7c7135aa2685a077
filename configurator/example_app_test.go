package configurator_test

import (
	"context"
	"errors"
	"log"
	"os"
	"os/signal"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/configurator"
	"gostasis.dev/stasis"
)

// This is the app of the README's "Configuration as code" section: it
// provisions Alice's phone (aor, auth, endpoint, identify) and serves the
// calls the dialplan sends to the router, which moves calls to 100 to the
// greeter. The configurator runs from stasis.Config.OnConnect: at start,
// and again whenever Asterisk restarted and lost the objects. It needs a
// real Asterisk (ARI_URL, ARI_USERNAME, ARI_PASSWORD); TestREADMEApp runs
// runPBX against the simulated one.
func Example_stasisApp() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	client, err := ari.NewClient(ari.Config{
		URL:      os.Getenv("ARI_URL"), // e.g. http://127.0.0.1:8088
		Username: os.Getenv("ARI_USERNAME"),
		Password: os.Getenv("ARI_PASSWORD"),
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := runPBX(ctx, client, os.Getenv("ALICE_PASSWORD")); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}

// runPBX provisions Alice's phone and serves calls until ctx ends.
func runPBX(ctx context.Context, client *ari.Client, alicePassword string) error {
	cfg, err := configurator.New(configurator.Config{Client: client})
	if err != nil {
		return err
	}
	err = cfg.Declare(
		configurator.AOR{ID: "alice", MaxContacts: configurator.Ptr(1), RemoveExisting: configurator.Ptr(true)},
		configurator.Auth{ID: "alice", AuthType: "userpass", Username: "alice", Password: alicePassword},
		configurator.Endpoint{
			ID: "alice", Context: "from-phones",
			AORs: []string{"alice"}, Auth: []string{"alice"},
			Allow:    []string{"opus", "ulaw"},
			CallerID: `"Alice" <1001>`,
			// Behind NAT.
			DirectMedia: configurator.Ptr(false), RTPSymmetric: configurator.Ptr(true), ForceRport: configurator.Ptr(true), RewriteContact: configurator.Ptr(true),
		},
		configurator.Identify{ID: "alice", Endpoint: "alice", Match: []string{"192.0.2.0/24"}},
	)
	if err != nil {
		return err
	}

	rt, err := stasis.New(stasis.Config{
		Client: client,
		Apps: []stasis.App{
			// from-phones: exten => _X.,1,Stasis(router,${EXTEN})
			stasis.Router(stasis.RouterConfig{Routes: map[string]string{"100": "greeter"}}),
			{Name: "greeter", New: newGreeter},
		},
		// Push the configuration once connected, and again after every
		// Asterisk restart.
		OnConnect: cfg.OnConnect,
	})
	if err != nil {
		return err
	}
	return rt.Run(ctx)
}

// greeter answers, plays hello-world and hangs up.
type greeter struct{ call *stasis.Call }

func newGreeter(ctx context.Context, call *stasis.Call) (any, error) {
	return &greeter{call: call}, nil
}

func (g *greeter) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := g.call.Answer(ctx); err != nil {
		return err
	}
	_, err := g.call.REST().Channels.Play(ctx, g.call.ChannelID,
		&resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	return err
}

func (g *greeter) OnPlaybackFinished(ctx context.Context, e *events.PlaybackFinished) error {
	return g.call.Hangup(ctx, resources.HangupReasonNormal)
}

package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/internal/syncbuf"
	"gostasis.dev/stasis"
)

// greeter answers and plays hello-world until the caller hangs up.
type greeter struct{ call *stasis.Call }

func (g *greeter) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := g.call.Answer(ctx); err != nil {
		return err
	}
	_, err := g.call.REST().Channels.Play(ctx, g.call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	return err
}

var greeterApp = stasis.App{Name: "greeter", New: func(ctx context.Context, call *stasis.Call) (any, error) {
	return &greeter{call: call}, nil
}}

// answerer answers and says so.
type answerer struct {
	call     *stasis.Call
	answered chan<- error
}

func (a *answerer) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	err := a.call.Answer(ctx)
	a.answered <- err
	return err
}

func noEnv(string) string { return "" }

func TestRunPlaysTheScriptOnTheSimulator(t *testing.T) {
	var out bytes.Buffer
	err := Run(t.Context(), &out, noEnv, Config{
		Apps: []stasis.App{greeterApp},
		Sim:  aritest.Config{Timing: aritest.FastTiming()},
		Script: func(ctx context.Context, s *Sim) error {
			sc := s.Script(ctx)
			alice := sc.Call(aritest.PlaceCallParams{App: "greeter", Caller: ari.CallerID{Name: "Alice"}})
			sc.Hear(alice, "sound:hello-world")
			sc.Printf("Alice is listening")
			sc.Hangup(alice)
			sc.NoBridge()
			sc.Report(alice)
			return sc.Err()
		},
	})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4, out.String())
	assert.True(t, strings.HasPrefix(lines[0], "simulated Asterisk at http://127.0.0.1:"))
	assert.Equal(t, "Alice is listening", lines[1])
	assert.Equal(t, "Alice heard sound:hello-world; hung up with cause 16", lines[2])
	assert.Regexp(t, `^the runtime ran 1 handlers, received \d+ events and routed \d+; 0 handler errors$`, lines[3])
}

func TestAFailedStepStopsTheScript(t *testing.T) {
	var out bytes.Buffer
	var after *aritest.Phone
	err := Run(t.Context(), &out, noEnv, Config{
		Apps: []stasis.App{greeterApp},
		Sim:  aritest.Config{Timing: aritest.FastTiming()},
		Script: func(ctx context.Context, s *Sim) error {
			sc := s.Script(ctx)
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			sc.ctx = short
			sc.Ringing("PJSIP/nobody") // the app dials nobody: times out
			sc.ctx = ctx
			after = sc.Call(aritest.PlaceCallParams{App: "greeter"})
			sc.Press(after, "1")
			sc.Report(after)
			return sc.Err()
		},
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "waiting for PJSIP/nobody to ring")
	assert.Nil(t, after, "the steps after the failure did nothing")
	assert.NotContains(t, out.String(), "the runtime ran", "no counters after a failure")
}

func TestRunServesARIURLUntilCancelled(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	env := map[string]string{"ARI_URL": srv.URL, "ARI_USERNAME": "asterisk", "ARI_PASSWORD": "asterisk"}
	ctx, cancel := context.WithCancel(t.Context())
	out := &syncBuffer{}
	done := make(chan error, 1)
	answered := make(chan error, 1)
	app := stasis.App{Name: "answerer", New: func(ctx context.Context, call *stasis.Call) (any, error) {
		return &answerer{call: call, answered: answered}, nil
	}}
	go func() {
		done <- Run(ctx, out, func(k string) string { return env[k] }, Config{Apps: []stasis.App{app}})
	}()
	require.NoError(t, srv.WaitApp(ctx, "answerer"))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "answerer"})
	require.NoError(t, err)
	require.NoError(t, <-answered, "served")
	assert.Equal(t, ari.ChannelStateUp, phone.State())
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, `serving app "answerer" on `+srv.URL+"; Ctrl-C to stop\n", out.String())
}

// syncBuffer collects log output written concurrently.
type syncBuffer = syncbuf.Buffer

package stasis

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// Tests of the legs model against the simulated Asterisk: events say
// which of the call's channels they concern, the waits look at their own
// channel only, and hanging up a channel that is gone succeeds.

// legDigit is a ChannelDTMFReceived as the handler saw it.
type legDigit struct {
	Kind    LegKind
	Channel string
	Digit   string
}

func TestLegsOfALocalOriginate(t *testing.T) {
	srv := simulator(t)
	ctx := testCtx(t)
	log := newCallLog()
	var digits []legDigit // call goroutine only
	var waited string
	var gone Leg
	local := make(chan string, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		switch e := e.(type) {
		case *events.StasisStart:
			if call.Leg(e).Kind != LegPrimary {
				return nil
			}
			if err := call.Answer(ctx); err != nil {
				return err
			}
			// Local/600: its ;2 half answers, waits, then sends 123 to
			// the ;1 half, which entered the app.
			ch, err := call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Local/600@default"})
			if err != nil {
				return err
			}
			if _, err := call.WaitStasisStart(ctx, ch.ID); err != nil {
				return err
			}
			// A digit the app sends into ;1 comes out of ;2: Asterisk
			// reports it on the ;2 half, the Local peer.
			if err := call.REST().Channels.SendDTMF(ctx, ch.ID, &resources.ChannelSendDTMFParams{DTMF: "5"}); err != nil {
				return err
			}
			local <- ch.ID
			digit, err := call.WaitDTMF(ctx) // the caller's digit, whatever the legs send
			if err != nil {
				return err
			}
			waited = digit
			// Once a leg is destroyed, its events still say which it was.
			if err := call.REST().Channels.Hangup(ctx, ch.ID, nil); err != nil {
				return err
			}
			d, err := WaitFor(ctx, call, func(e *events.ChannelDestroyed) bool { return e.Channel.ID == ch.ID })
			if err != nil {
				return err
			}
			gone = call.Leg(d)
			return nil
		case *events.ChannelDTMFReceived:
			digits = append(digits, legDigit{call.Leg(e).Kind, e.Channel.ID, e.Digit})
		case *events.StasisEnd:
			if call.Leg(e).Kind == LegPrimary {
				// The caller hung up: hanging up again is not an error.
				return call.Hangup(ctx, resources.HangupReasonNormal)
			}
		}
		return nil
	}
	rt, err := New(Config{Client: srv.Client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	require.NoError(t, srv.WaitApp(ctx, "app"))

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Caller: ari.CallerID{Number: "1001"}})
	require.NoError(t, err)
	id1 := <-local
	// The ;1 half hears 123 from the dialplan of ;2.
	_, err = srv.WaitEvent(ctx, func(e events.Event) bool {
		d, ok := e.(*events.ChannelDTMFReceived)
		return ok && d.Channel.ID == id1 && d.Digit == "3"
	})
	require.NoError(t, err)
	require.NoError(t, phone.SendDTMF("7"))
	_, err = srv.WaitEvent(ctx, func(e events.Event) bool {
		d, ok := e.(*events.ChannelDTMFReceived)
		return ok && d.Channel.ID == phone.ID()
	})
	require.NoError(t, err)
	_, err = srv.WaitEvent(ctx, func(e events.Event) bool {
		d, ok := e.(*events.ChannelDestroyed)
		return ok && d.Channel.ID == id1
	})
	require.NoError(t, err)
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	r := log.waitEnded(t, 1)[0]

	assert.Equal(t, EndStasisEnd, r.end().Reason, "Hangup of a channel already gone succeeds: %v", r.end().Err)
	assert.Zero(t, rt.Stats().HandlerErrors)
	assert.Equal(t, "7", waited)
	assert.Contains(t, digits, legDigit{LegLocalPeer, id1 + ";2", "5"}, "the echo on the ;2 half is told apart")
	for _, d := range []string{"1", "2", "3"} {
		assert.Contains(t, digits, legDigit{LegOriginated, id1, d})
	}
	for _, d := range digits {
		assert.NotEqual(t, LegPrimary, d.Kind, "the caller's digit went to the wait: %v", d)
	}
	assert.Equal(t, Leg{ChannelID: id1, Kind: LegOriginated}, gone, "a destroyed leg keeps its kind")
}

func TestLegsOfAnAgent(t *testing.T) {
	tm := aritest.FastTiming()
	tm.Ring = aritest.Never
	srv := aritest.Start(t, aritest.Config{Timing: tm})
	ctx := testCtx(t)
	log := newCallLog()
	type result struct {
		digit string
		err   error
	}
	results := make(chan result, 1)
	agentID := make(chan string, 1)
	var agentDigits []legDigit
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		switch e := e.(type) {
		case *events.StasisStart:
			if call.Leg(e).Kind != LegPrimary {
				return nil
			}
			ch, err := call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Test/agent"})
			if err != nil {
				return err
			}
			agentID <- ch.ID
			if _, err := call.WaitStasisStart(ctx, ch.ID); err != nil {
				results <- result{err: err}
				return nil
			}
			d, err := call.WaitDTMF(ctx)
			results <- result{d, err}
			return err
		case *events.ChannelDTMFReceived:
			agentDigits = append(agentDigits, legDigit{call.Leg(e).Kind, e.Channel.ID, e.Digit})
		case *events.StasisEnd:
			if call.Leg(e).Kind == LegOriginated {
				// The agent hung up: so does the caller.
				return call.Hangup(ctx, resources.HangupReasonNormal)
			}
		}
		return nil
	}
	rt, err := New(Config{Client: srv.Client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	require.NoError(t, srv.WaitApp(ctx, "app"))

	t.Run("answered", func(t *testing.T) {
		caller, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Answer: true})
		require.NoError(t, err)
		agent := dialled(t, ctx, srv, <-agentID)
		require.NoError(t, agent.Answer())
		_, err = srv.WaitEvent(ctx, func(e events.Event) bool {
			s, ok := e.(*events.StasisStart)
			return ok && s.Channel.ID == agent.ID()
		})
		require.NoError(t, err)
		require.NoError(t, agent.SendDTMF("9"))
		_, err = srv.WaitEvent(ctx, func(e events.Event) bool {
			d, ok := e.(*events.ChannelDTMFReceived)
			return ok && d.Channel.ID == agent.ID()
		})
		require.NoError(t, err)
		require.NoError(t, caller.SendDTMF("4"))
		res := <-results
		require.NoError(t, res.err)
		assert.Equal(t, "4", res.digit, "the agent's digit is not the caller's")

		require.NoError(t, agent.Hangup(resources.HangupReasonNormal))
		require.NoError(t, caller.WaitEnd(ctx))
		r := log.waitEnded(t, 1)[0]
		assert.Equal(t, EndStasisEnd, r.end().Reason, "%v", r.end().Err)
		assert.Equal(t, []legDigit{{LegOriginated, agent.ID(), "9"}}, agentDigits)
	})
	t.Run("busy", func(t *testing.T) {
		caller, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app", Answer: true})
		require.NoError(t, err)
		agent := dialled(t, ctx, srv, <-agentID)
		require.NoError(t, agent.Reject(resources.HangupReasonBusy))
		res := <-results
		var g *GoneError
		require.ErrorAs(t, res.err, &g)
		assert.Equal(t, 17, g.Cause)
		require.NoError(t, caller.Hangup(resources.HangupReasonNormal))
		log.waitEnded(t, 1)
	})
}

// dialled returns the phone of an outbound call once it rings.
func dialled(t *testing.T, ctx context.Context, srv *aritest.Server, id string) *aritest.Phone {
	t.Helper()
	var p *aritest.Phone
	deadline := time.Now().Add(5 * time.Second)
	for p = srv.Phone(id); p == nil && time.Now().Before(deadline); p = srv.Phone(id) {
		time.Sleep(2 * time.Millisecond)
	}
	require.NotNil(t, p)
	require.NoError(t, p.WaitState(ctx, ari.ChannelStateRinging))
	return p
}

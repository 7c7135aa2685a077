package main

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
	"gostasis.dev/examples/internal/demo"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/stasistest"
)

// The app's tests: the far ends of the calls (the caller, the agents)
// are aritest phones; the agents' phones ring until the test answers or
// rejects them.

// testTimeout is how long the tests' menus wait for a key.
const testTimeout = 150 * time.Millisecond

// agentTest is one test's simulated Asterisk, serving the app.
type agentTest struct {
	t   *testing.T
	ctx context.Context
	srv *aritest.Server
	rt  *stasis.Runtime
}

func start(t *testing.T) *agentTest {
	tm := aritest.FastTiming()
	tm.Ring = aritest.Never // the test answers or rejects the agents' phones
	srv := aritest.Start(t, aritest.Config{
		Timing:    tm,
		Endpoints: []string{"PJSIP/sales", "PJSIP/support"},
		Sounds:    []string{"press-1-for-sales-2-for-support", "option-is-invalid", "is-curntly-busy"},
	})
	cfg := DefaultConfig
	cfg.DigitTimeout = testTimeout
	rt := stasistest.Run(t, srv, App("agent", cfg))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return &agentTest{t: t, ctx: ctx, srv: srv, rt: rt}
}

// call places a call from Alice to the app.
func (a *agentTest) call() *aritest.Phone {
	a.t.Helper()
	phone, err := a.srv.PlaceCall(aritest.PlaceCallParams{App: "agent", Caller: ari.CallerID{Name: "Alice", Number: "1001"}})
	require.NoError(a.t, err)
	return phone
}

// hear waits until phone has heard uri.
func (a *agentTest) hear(phone *aritest.Phone, uri string) {
	a.t.Helper()
	require.NoError(a.t, a.srv.WaitUntil(a.ctx, func() bool { return contains(phone.MediaHeard(), uri) }), "waiting for %s", uri)
}

// ringing waits for the app to dial endpoint.
func (a *agentTest) ringing(endpoint string) *aritest.Phone {
	a.t.Helper()
	phone, err := a.srv.WaitPhone(a.ctx, func(p *aritest.Phone) bool { return p.Outbound() && p.Endpoint() == endpoint })
	require.NoError(a.t, err, "waiting for %s to ring", endpoint)
	return phone
}

// bridged waits for a bridge holding exactly the channels of phones.
func (a *agentTest) bridged(phones ...*aritest.Phone) ari.Bridge {
	a.t.Helper()
	b, err := a.srv.WaitBridge(a.ctx, func(b ari.Bridge) bool {
		if len(b.Channels) != len(phones) {
			return false
		}
		for _, p := range phones {
			if !contains(b.Channels, p.ID()) {
				return false
			}
		}
		return true
	})
	require.NoError(a.t, err, "waiting for the bridge")
	return b
}

// ended waits for phones to hang up, then for the app's calls to end,
// and checks that no handler failed and no bridge is left.
func (a *agentTest) ended(phones ...*aritest.Phone) {
	a.t.Helper()
	for _, p := range phones {
		require.NoError(a.t, p.WaitEnd(a.ctx), "waiting for %s to hang up", p.Endpoint())
	}
	require.Eventually(a.t, func() bool { return a.rt.Stats().LiveCalls == 0 }, 10*time.Second, 2*time.Millisecond, "the calls end")
	st := a.rt.Stats()
	assert.Zero(a.t, st.HandlerErrors+st.Panics, "handler errors")
	require.NoError(a.t, a.srv.WaitUntil(a.ctx, func() bool { return len(a.srv.Bridges()) == 0 }), "the bridges are destroyed")
}

// dialled lists the PJSIP channels the app dialled, by name
// ("PJSIP/sales-1"), from the events it was sent about them.
func (a *agentTest) dialled() []string {
	var out []string
	for _, e := range a.srv.Events() {
		var ch ari.Channel
		switch e := e.Event.(type) {
		case *events.Dial:
			ch = e.Peer
		case *events.StasisStart:
			ch = e.Channel
		case *events.ChannelDestroyed:
			ch = e.Channel
		}
		if strings.HasPrefix(ch.Name, "PJSIP/") && !contains(out, ch.Name) {
			out = append(out, ch.Name)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAKeyBridgesTheCallerWithItsAgent(t *testing.T) {
	for key, endpoint := range DefaultConfig.Agents {
		t.Run(key, func(t *testing.T) {
			a := start(t)
			caller := a.call()
			a.hear(caller, Menu)
			require.NoError(t, caller.SendDTMF(key))

			agent := a.ringing(endpoint)
			assert.Equal(t, ari.CallerID{Name: "Alice", Number: "1001"}, agent.Channel().Caller, "the agent sees who calls")
			require.NoError(t, agent.Answer())
			a.bridged(caller, agent)
			assert.Equal(t, ari.ChannelStateUp, caller.State())
			assert.Equal(t, []string{Menu}, caller.MediaHeard(), "the key stopped the menu")

			// The caller hangs up: the agent's phone is hung up too, and
			// the bridge destroyed.
			require.NoError(t, caller.Hangup(resources.HangupReasonNormal))
			a.ended(caller, agent)
			assert.Equal(t, 16, agent.Cause())
		})
	}
}

func TestNoKeyReplaysTheMenuOnceThenSaysGoodbye(t *testing.T) {
	assert.Equal(t, 5*time.Second, DefaultConfig.DigitTimeout, "issue 10: a 5 s timeout")
	a := start(t)
	began := time.Now()
	caller := a.call()
	a.ended(caller)
	assert.Equal(t, []string{Menu, Menu, Goodbye}, caller.MediaHeard())
	assert.Equal(t, 16, caller.Cause(), "the app hung up")
	assert.GreaterOrEqual(t, time.Since(began), 2*testTimeout, "each menu waited for its timeout")
	assert.Empty(t, a.dialled(), "no agent dialled")
}

func TestAWrongKeyThenARightOne(t *testing.T) {
	a := start(t)
	caller := a.call()
	a.hear(caller, Menu)
	require.NoError(t, caller.SendDTMF("3"))
	a.hear(caller, Invalid)
	require.NoError(t, caller.SendDTMF("2"))

	agent := a.ringing("PJSIP/support")
	require.NoError(t, agent.Answer())
	a.bridged(caller, agent)
	assert.Equal(t, []string{Menu, Invalid}, caller.MediaHeard(), "each key stopped what played")
	assert.Equal(t, []string{"PJSIP/support"}, prefixes(a.dialled()), "only support dialled")

	require.NoError(t, caller.Hangup(resources.HangupReasonNormal))
	a.ended(caller, agent)
}

func TestTwoWrongKeysSayGoodbye(t *testing.T) {
	a := start(t)
	caller := a.call()
	a.hear(caller, Menu)
	require.NoError(t, caller.SendDTMF("3"))
	a.hear(caller, Invalid)
	require.NoError(t, caller.SendDTMF("*"))
	a.ended(caller)
	assert.Equal(t, []string{Menu, Invalid, Goodbye}, caller.MediaHeard())
	assert.Empty(t, a.dialled())
}

func TestTheAgentDoesNotTakeTheCall(t *testing.T) {
	for _, reason := range []resources.HangupReason{resources.HangupReasonBusy, resources.HangupReasonNoAnswer} {
		t.Run(string(reason), func(t *testing.T) {
			a := start(t)
			caller := a.call()
			a.hear(caller, Menu)
			require.NoError(t, caller.SendDTMF("1"))
			agent := a.ringing("PJSIP/sales")
			require.NoError(t, agent.Reject(reason))

			a.ended(caller, agent)
			assert.Equal(t, []string{Menu, Busy}, caller.MediaHeard(), "the caller is told")
			assert.Equal(t, 16, caller.Cause(), "then the app hung up")
			assert.Equal(t, []string{"PJSIP/sales"}, prefixes(a.dialled()))
		})
	}
}

func TestTheCallerHangsUpDuringTheMenu(t *testing.T) {
	a := start(t)
	caller := a.call()
	a.hear(caller, Menu)
	require.NoError(t, caller.Hangup(resources.HangupReasonNormal))
	a.ended(caller)
	assert.Empty(t, a.dialled(), "no agent dialled")
	assert.Empty(t, a.srv.Playbacks(), "the menu stopped")
}

func TestTheCallerHangsUpWhileTheAgentRings(t *testing.T) {
	a := start(t)
	caller := a.call()
	a.hear(caller, Menu)
	require.NoError(t, caller.SendDTMF("1"))
	agent := a.ringing("PJSIP/sales")
	require.NoError(t, caller.Hangup(resources.HangupReasonNormal))
	a.ended(caller, agent) // the runtime hangs up the leg the call dialled
}

func TestTheAgentHangsUp(t *testing.T) {
	a := start(t)
	caller := a.call()
	a.hear(caller, Menu)
	require.NoError(t, caller.SendDTMF("1"))
	agent := a.ringing("PJSIP/sales")
	require.NoError(t, agent.Answer())
	a.bridged(caller, agent)

	// The agent's keys are not the caller's: they change nothing.
	require.NoError(t, agent.SendDTMF("2"))
	require.NoError(t, agent.Hangup(resources.HangupReasonNormal))
	a.ended(agent, caller)
	assert.Equal(t, 16, caller.Cause(), "the app hung the caller up")
	assert.Equal(t, []string{"PJSIP/sales"}, prefixes(a.dialled()))
}

// prefixes strips the channel suffix of channel names ("PJSIP/sales-1"
// -> "PJSIP/sales").
func prefixes(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n[:strings.LastIndex(n, "-")]
	}
	return out
}

// TestDemo runs the demo main runs (no ARI_URL: the simulated Asterisk).
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	err := demo.Run(t.Context(), &out, func(string) string { return "" }, demo.Config{
		Apps: []stasis.App{App("agent", DefaultConfig)},
		Sim: aritest.Config{Timing: aritest.FastTiming(), Endpoints: []string{"PJSIP/sales"},
			Sounds: []string{"press-1-for-sales-2-for-support"}},
		Script: alice,
	})
	require.NoError(t, err)
	assert.Contains(t, out.String(), "Alice heard "+Menu+"; hung up with cause 16\n")
	assert.Contains(t, out.String(), "PJSIP/sales heard nothing; hung up with cause 16\n")
	assert.Contains(t, out.String(), "the runtime ran 1 handlers")
	assert.Contains(t, out.String(), "0 handler errors")
}

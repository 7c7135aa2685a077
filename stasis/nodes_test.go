package stasis

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// nodeSims starts n simulated Asterisk servers with the same system name,
// so that their channel ids collide, and different asterisk_ids.
func nodeSims(t *testing.T, n int) ([]*aritest.Server, []Node) {
	t.Helper()
	var sims []*aritest.Server
	var nodes []Node
	for i := range n {
		srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), AsteriskID: fmt.Sprintf("02:fc:00:00:00:%02d", i+1)})
		sims = append(sims, srv)
		nodes = append(nodes, Node{Name: fmt.Sprintf("ast%d", i+1), Client: srv.Client()})
	}
	return sims, nodes
}

// greeterCall answers, plays hello-world, waits for its end and hangs up
// unless hold is set (then it waits for the caller to hang up).
type nodeCall struct {
	call    *Call
	started chan<- *Call
	hold    bool
}

func (h *nodeCall) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	c := h.call
	if err := c.Answer(ctx); err != nil {
		return err
	}
	pb, err := c.REST().Channels.Play(ctx, c.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	if err != nil {
		return err
	}
	if _, err := c.WaitPlaybackFinished(ctx, pb.ID); err != nil {
		return err
	}
	h.started <- c
	if h.hold {
		return nil
	}
	return c.Hangup(ctx, resources.HangupReasonNormal)
}

func TestNodesKeepCallsApart(t *testing.T) {
	sims, nodes := nodeSims(t, 3)
	started := make(chan *Call, 16)

	var mu sync.Mutex
	app := App{Name: "app", New: func(ctx context.Context, call *Call) (any, error) {
		return &nodeCall{call: call, started: started}, nil
	}}
	var states []ari.StateChange
	rt, err := New(Config{Nodes: nodes, Apps: []App{app}, OnState: func(sc ari.StateChange) {
		mu.Lock()
		defer mu.Unlock()
		states = append(states, sc)
	}})
	require.NoError(t, err)
	startRuntime(t, rt)
	ctx := testCtx(t)
	for _, srv := range sims {
		require.NoError(t, srv.WaitApp(ctx, "app"))
	}

	// The same channel id on every node: three calls, each on its own.
	var phones []*aritest.Phone
	for _, srv := range sims {
		p, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
		require.NoError(t, err)
		phones = append(phones, p)
	}
	require.Equal(t, phones[0].ID(), phones[1].ID(), "the simulators give the same ids")
	got := map[string]string{}
	for range sims {
		c := <-started
		got[c.Node] = c.ChannelID
	}
	assert.Len(t, got, 3, "one call per node")
	for i, p := range phones {
		require.NoError(t, p.WaitEnd(ctx))
		assert.Equal(t, []string{"sound:hello-world"}, p.MediaHeard(), "node %d: the call's REST went to its node", i+1)
	}
	require.NoError(t, waitFor(ctx, func() bool { return rt.Stats().LiveCalls == 0 }))
	st := rt.Stats()
	require.Len(t, st.Nodes, 3)
	for i, ns := range st.Nodes {
		assert.Equal(t, nodes[i].Name, ns.Name)
		assert.True(t, ns.Connected)
		assert.Equal(t, uint64(1), ns.CallsStarted)
	}
	mu.Lock()
	seen := map[string]bool{}
	for _, sc := range states {
		if sc.State == ari.StateConnected {
			seen[sc.Node] = true
		}
	}
	mu.Unlock()
	assert.Equal(t, map[string]bool{"ast1": true, "ast2": true, "ast3": true}, seen, "OnState names the node")
}

// One node going down (its websockets dropped, then the server restarted)
// leaves the other nodes' calls alone: no re-sync, no Resync delivery,
// their handlers go on.
func TestNodeDownLeavesOthersAlone(t *testing.T) {
	sims, nodes := nodeSims(t, 3)
	log := newCallLog()
	held := make(chan *Call, 8)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			if err := call.Answer(ctx); err != nil {
				return err
			}
			held <- call
		}
		return nil
	}
	resyncs := make(chan ResyncReport, 8)
	rt, err := New(Config{Nodes: nodes, Apps: []App{log.app("app")}, Stream: fastStream(),
		OnResync: func(r ResyncReport) { resyncs <- r }})
	require.NoError(t, err)
	startRuntime(t, rt)
	ctx := testCtx(t)
	for _, srv := range sims {
		require.NoError(t, srv.WaitApp(ctx, "app"))
	}
	var phones []*aritest.Phone
	calls := map[string]*Call{}
	for _, srv := range sims {
		p, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
		require.NoError(t, err)
		phones = append(phones, p)
		c := <-held
		calls[c.Node] = c
	}

	sims[1].Restart() // node ast2 goes down and comes back empty
	select {
	case r := <-resyncs:
		assert.Equal(t, "ast2", r.Node)
		assert.Equal(t, 1, r.Ended, "ast2's call ended with its server")
		assert.Zero(t, r.Survived)
	case <-time.After(10 * time.Second):
		t.Fatal("no re-sync of ast2")
	}
	end := log.waitEnded(t, 1)[0]
	assert.Equal(t, "ast2", end.call.Node)
	assert.Equal(t, EndSynthetic, end.end().Reason)

	// The other nodes' calls were not touched, and still work.
	for _, name := range []string{"ast1", "ast3"} {
		c := calls[name]
		r := log.get("app", c.ChannelID)
		for _, rec := range r {
			if rec.call == c {
				assert.Empty(t, rec.resync, "%s: no Resync", name)
			}
		}
		require.NoError(t, c.Hangup(ctx, resources.HangupReasonNormal), name)
	}
	for _, i := range []int{0, 2} {
		require.NoError(t, phones[i].WaitEnd(ctx))
	}
	log.waitEnded(t, 2)
	select {
	case r := <-resyncs:
		t.Fatalf("unexpected re-sync: %+v", r)
	default:
	}
	st := rt.Stats()
	assert.Equal(t, uint64(0), st.Nodes[0].Reconnects)
	assert.Equal(t, uint64(1), st.Nodes[1].Reconnects)
	assert.Equal(t, uint64(0), st.Nodes[2].Reconnects)
}

func TestNodesConfigErrors(t *testing.T) {
	srv := simulator(t)
	app := App{Name: "app", New: func(context.Context, *Call) (any, error) { return nil, nil }}
	for name, cfg := range map[string]Config{
		"client and nodes": {Client: srv.Client(), Nodes: []Node{{Name: "a", Client: srv.Client()}}, Apps: []App{app}},
		"unnamed node":     {Nodes: []Node{{Client: srv.Client()}}, Apps: []App{app}},
		"no client":        {Nodes: []Node{{Name: "a"}}, Apps: []App{app}},
		"twice":            {Nodes: []Node{{Name: "a", Client: srv.Client()}, {Name: "a", Client: srv.Client()}}, Apps: []App{app}},
	} {
		_, err := New(cfg)
		assert.Error(t, err, name)
	}
}

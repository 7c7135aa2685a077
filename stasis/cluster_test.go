package stasis

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
)

// memPeers is an in-memory Peers: alive is set by the test.
type memPeers struct {
	mu     sync.Mutex
	alive  map[string]bool
	claims map[string]string
}

func newMemPeers(alive ...string) *memPeers {
	p := &memPeers{alive: map[string]bool{}, claims: map[string]string{}}
	for _, a := range alive {
		p.alive[a] = true
	}
	return p
}

func (p *memPeers) Join(ctx context.Context, instance string) error {
	<-ctx.Done()
	return ctx.Err()
}

func (p *memPeers) Alive(ctx context.Context) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for a, ok := range p.alive {
		if ok {
			out = append(out, a)
		}
	}
	return out, nil
}

func (p *memPeers) Claim(ctx context.Context, key, instance string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, taken := p.claims[key]; taken {
		return false, nil
	}
	p.claims[key] = instance
	return true, nil
}

func instanceOf(app string) (string, bool) {
	return strings.CutPrefix(app, "w-")
}

// An instance that dies leaves its channels in Stasis in its app; the
// live instances take each over exactly once (Peers.Claim) by moving it
// into their own app, where it starts with the arguments "adopted" and
// the app it was in.
func TestClusterAdoptsTheCallsOfADeadInstance(t *testing.T) {
	srv := simulator(t)
	ctx := testCtx(t)

	// Instance "a": an events websocket for app w-a with a call in it,
	// which then dies.
	stream := srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{"w-a"}})
	sctx, stop := context.WithCancel(context.Background())
	streamDone := make(chan struct{})
	go func() { defer close(streamDone); _ = stream.Run(sctx, func(ari.Frame) {}) }()
	require.NoError(t, srv.WaitApp(ctx, "w-a"))
	var phones []*aritest.Phone
	for range 3 {
		p, err := srv.PlaceCall(aritest.PlaceCallParams{App: "w-a"})
		require.NoError(t, err)
		phones = append(phones, p)
	}
	stop()
	<-streamDone

	// Instances "b" and "c" are alive; both look for orphans.
	peers := newMemPeers("b", "c")
	adopted := make(chan *Call, 8)
	instance := func(name string) *Runtime {
		app := App{Name: "w-" + name, New: func(ctx context.Context, call *Call) (any, error) {
			return adoptHandler{call: call, adopted: adopted}, nil
		}}
		rt, err := New(Config{Client: srv.Client(), Apps: []App{app}, Cluster: &ClusterConfig{
			Instance: name, Peers: peers, InstanceOf: instanceOf, Interval: 20 * time.Millisecond,
		}})
		require.NoError(t, err)
		startRuntime(t, rt)
		require.NoError(t, srv.WaitApp(ctx, "w-"+name))
		return rt
	}
	b, c := instance("b"), instance("c")

	seen := map[string]*Call{}
	for range phones {
		call := recv(t, adopted, "an adopted call")
		assert.Nil(t, seen[call.ChannelID], "adopted once")
		seen[call.ChannelID] = call
		assert.Equal(t, []string{AdoptedArg, "w-a"}, call.Args)
	}
	for _, p := range phones {
		require.NotNil(t, seen[p.ID()])
		require.NoError(t, p.WaitEnd(ctx))
	}
	// A move's reply may come after the StasisStart it caused.
	eventually(t, func() bool { return uint64(len(phones)) == b.Stats().Adopted+c.Stats().Adopted }, "adoptions counted")
	select {
	case call := <-adopted:
		t.Fatalf("adopted twice: %s", call.ChannelID)
	case <-time.After(100 * time.Millisecond):
	}
}

// adoptHandler reports its call and hangs it up.
type adoptHandler struct {
	call    *Call
	adopted chan<- *Call
}

func (h adoptHandler) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	h.adopted <- h.call
	return h.call.Hangup(ctx, "")
}

func TestClusterConfigErrors(t *testing.T) {
	srv := simulator(t)
	app := App{Name: "w-b", New: func(context.Context, *Call) (any, error) { return nil, nil }}
	for name, cl := range map[string]ClusterConfig{
		"no instance":   {Peers: newMemPeers(), InstanceOf: instanceOf},
		"no peers":      {Instance: "b", InstanceOf: instanceOf},
		"no instanceOf": {Instance: "b", Peers: newMemPeers()},
		"bad adoptInto": {Instance: "b", Peers: newMemPeers(), InstanceOf: instanceOf, AdoptInto: "nope"},
	} {
		_, err := New(Config{Client: srv.Client(), Apps: []App{app}, Cluster: &cl})
		assert.Error(t, err, name)
	}
}

// invisiblePeers never lists anyone alive.
type invisiblePeers struct{ memPeers }

func (p *invisiblePeers) Alive(ctx context.Context) ([]string, error) { return nil, nil }

// An instance that Peers never sees alive does not serve: Run fails
// (after CleanupTimeout), and a Shutdown meanwhile ends it at once.
func TestClusterJoinBeforeServing(t *testing.T) {
	srv := simulator(t)
	app := App{Name: "w-b", New: func(context.Context, *Call) (any, error) { return nil, nil }}
	newRT := func() *Runtime {
		rt, err := New(Config{Client: srv.Client(), Apps: []App{app}, CleanupTimeout: 200 * time.Millisecond,
			Cluster: &ClusterConfig{Instance: "b", Peers: &invisiblePeers{*newMemPeers()}, InstanceOf: instanceOf}})
		require.NoError(t, err)
		return rt
	}
	err := newRT().Run(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `instance "b" not seen alive`)
	assert.Empty(t, srv.Apps(), "it never connected")

	rt := newRT()
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, rt.Shutdown(context.Background()))
	select {
	case err := <-done:
		assert.ErrorIs(t, err, ErrRuntimeClosed)
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not end with the Shutdown")
	}
}

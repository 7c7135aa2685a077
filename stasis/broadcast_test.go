package stasis

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/internal/cutproxy"
)

// handled records which instance started a handler for each call, by
// node and channel.
type handled struct {
	mu      sync.Mutex
	by      map[string][]string // node/channel -> instances, in order
	ended   map[string]int
	adopted int // handlers started by an adoption
}

func (h *handled) start(inst string, c *Call) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := c.Node + "/" + c.ChannelID
	h.by[k] = append(h.by[k], inst)
	if len(c.Args) > 0 && c.Args[0] == AdoptedArg {
		h.adopted++
	}
}

func (h *handled) end(c *Call) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ended[c.Node+"/"+c.ChannelID]++
}

// workHandler answers, keeps the call up a while and hangs up.
type workHandler struct {
	inst string
	call *Call
	h    *handled
}

// workTime is how long a call of the cluster tests stays up.
const workTime = 300 * time.Millisecond

func (w *workHandler) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	w.h.start(w.inst, w.call)
	if err := w.call.Answer(ctx); err != nil {
		return err
	}
	t := time.NewTimer(workTime)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return w.call.Hangup(ctx, resources.HangupReasonNormal)
}

func (w *workHandler) OnEnd(ctx context.Context, end End) { w.h.end(w.call) }

// instance is one app instance of the cluster tests: a runtime over every
// node, reached through its own proxies so that it can be killed.
type instance struct {
	name    string
	rt      *Runtime
	proxies []*cutproxy.Proxy
	done    chan error
}

func startInstance(t *testing.T, name string, sims []*aritest.Server, h *handled, peers Peers, policy ClaimPolicy) *instance {
	t.Helper()
	in := &instance{name: name, done: make(chan error, 1)}
	var nodes []Node
	for i, srv := range sims {
		p, err := cutproxy.New(strings.TrimPrefix(srv.URL, "http://"))
		require.NoError(t, err)
		t.Cleanup(p.Cut)
		in.proxies = append(in.proxies, p)
		c, err := ari.NewClient(ari.Config{URL: p.URL(), Username: "asterisk", Password: "asterisk", Version: "22.10.1",
			HTTPClient: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}})
		require.NoError(t, err)
		nodes = append(nodes, Node{Name: fmt.Sprintf("ast%d", i+1), Client: c})
	}
	app := App{Name: "w-" + name, Broadcast: &BroadcastConfig{Policy: policy},
		New: func(ctx context.Context, call *Call) (any, error) {
			return &workHandler{inst: name, call: call, h: h}, nil
		}}
	cfg := Config{Nodes: nodes, Apps: []App{app}, Logger: quietLogger(), CleanupTimeout: 2 * time.Second,
		Stream: ari.EventStreamConfig{Backoff: ari.Backoff{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond}}}
	if peers != nil {
		cfg.Cluster = &ClusterConfig{Instance: name, Peers: peers, InstanceOf: instanceOf, Interval: 50 * time.Millisecond}
	}
	rt, err := New(cfg)
	require.NoError(t, err)
	in.rt = rt
	go func() { in.done <- rt.Run(context.Background()) }()
	return in
}

// kill cuts the instance off (as if its process died), then stops what
// is left of it in this process without touching Asterisk.
func (in *instance) kill(t *testing.T) {
	for _, p := range in.proxies {
		p.Cut()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = in.rt.Shutdown(ctx)
	<-in.done
}

func (in *instance) stop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	assert.NoError(t, in.rt.Shutdown(ctx))
	assert.ErrorIs(t, <-in.done, ErrRuntimeClosed)
}

func quietLogger() *slog.Logger {
	if os.Getenv("CLUSTER_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func TestBroadcastEveryCallOnce(t *testing.T) {
	sims, _ := nodeSims(t, 1)
	h := &handled{by: map[string][]string{}, ended: map[string]int{}}
	var ins []*instance
	for _, name := range []string{"1", "2", "3"} {
		ins = append(ins, startInstance(t, name, sims, h, nil, ClaimAlways()))
	}
	ctx := testCtx(t)
	require.NoError(t, sims[0].WaitApp(ctx, "w-1", "w-2", "w-3"))
	const calls = 60
	var phones []*aritest.Phone
	for range calls {
		p, err := sims[0].PlaceCall(aritest.PlaceCallParams{Broadcast: &aritest.BroadcastParams{Timeout: 5 * time.Second, Filter: "^w-"}})
		require.NoError(t, err)
		phones = append(phones, p)
	}
	for _, p := range phones {
		require.NoError(t, p.WaitEnd(ctx))
	}
	var won, lost uint64
	for _, in := range ins {
		st := in.rt.Stats()
		won += st.ClaimsWon
		lost += st.ClaimsLost
		in.stop(t)
	}
	assert.Equal(t, uint64(calls), won)
	assert.Equal(t, uint64(2*calls), lost, "the two others lost each call")
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Len(t, h.by, calls)
	for k, by := range h.by {
		assert.Len(t, by, 1, "%s handled by %v", k, by)
	}
}

// A full instance (ClaimUpTo) leaves calls to the others.
func TestBroadcastCapacity(t *testing.T) {
	sims, _ := nodeSims(t, 1)
	h := &handled{by: map[string][]string{}, ended: map[string]int{}}
	full := startInstance(t, "full", sims, h, nil, ClaimUpTo(0))
	free := startInstance(t, "free", sims, h, nil, ClaimUpTo(100))
	ctx := testCtx(t)
	require.NoError(t, sims[0].WaitApp(ctx, "w-full", "w-free"))
	for range 10 {
		p, err := sims[0].PlaceCall(aritest.PlaceCallParams{Broadcast: &aritest.BroadcastParams{Timeout: 5 * time.Second, Filter: "^w-"}})
		require.NoError(t, err)
		require.NoError(t, p.WaitEnd(ctx))
	}
	assert.Equal(t, uint64(10), full.rt.Stats().ClaimsDeclined)
	assert.Equal(t, uint64(10), free.rt.Stats().ClaimsWon)
	full.stop(t)
	free.stop(t)
}

// TestClusterBroadcastKillOne: 3 Asterisk servers, 3 app instances over
// all of them, 3,000 broadcast calls; instance 2 is killed (cut off, as a
// dead process) mid-way. Every call is handled by exactly one live
// instance at a time: the calls instance 2 held are adopted once each by
// a survivor (Config.Cluster), none is handled by two live instances, all
// end, and no goroutine is left.
func TestClusterBroadcastKillOne(t *testing.T) {
	calls := 3000
	if testing.Short() {
		calls = 300
	}
	if n, err := strconv.Atoi(os.Getenv("CLUSTER_CALLS")); err == nil {
		calls = n
	}
	before := goleak.IgnoreCurrent()
	timing := aritest.FastTiming()
	timing.WriteTimeout = 10 * time.Second
	var sims []*aritest.Server
	for i := range 3 {
		sims = append(sims, aritest.Start(t, aritest.Config{Timing: timing, EventLogSize: 100,
			AsteriskID: fmt.Sprintf("02:fc:00:00:00:%02d", i+1), SystemName: fmt.Sprintf("ast%d", i+1)}))
	}
	h := &handled{by: map[string][]string{}, ended: map[string]int{}}
	peers := newMemPeers("1", "2", "3")
	var ins []*instance
	for _, name := range []string{"1", "2", "3"} {
		ins = append(ins, startInstance(t, name, sims, h, peers, ClaimFewest(time.Millisecond, 0)))
	}
	limit := 4 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("CLUSTER_LIMIT")); err == nil {
		limit = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for _, srv := range sims {
		require.NoError(t, srv.WaitApp(ctx, "w-1", "w-2", "w-3"))
	}

	// Each call stays up workTime, then the handler hangs up.
	phones := make([]*aritest.Phone, 0, calls)
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	// At most inFlight calls at a time: thousands of calls placed at once
	// would measure the machine, not the runtime.
	const inFlight = 300
	slots := make(chan struct{}, inFlight)
	place := func(i int) {
		slots <- struct{}{}
		srv := sims[i%len(sims)]
		p, err := srv.PlaceCall(aritest.PlaceCallParams{Broadcast: &aritest.BroadcastParams{Timeout: 20 * time.Second, Filter: "^w-"}})
		require.NoError(t, err)
		phones = append(phones, p)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if err := p.WaitEnd(ctx); err != nil {
				ch := p.Channel()
				errs <- fmt.Errorf("%s did not end (%s in %s(%s)): %w", p.ID(), ch.State, ch.Dialplan.AppName, ch.Dialplan.AppData, err)
			}
		}()
	}
	half := calls / 2
	for i := range half {
		place(i)
	}
	// Kill instance 2 while calls are up, some of them its own.
	killed := ins[1]
	hold, cancelHold := context.WithTimeout(ctx, 10*time.Second)
	_ = waitFor(hold, func() bool { return killed.rt.Stats().LiveCalls >= 1 }) // or kill it idle
	cancelHold()
	killed.kill(t)
	peers.mu.Lock()
	peers.alive["2"] = false
	peers.mu.Unlock()
	for i := half; i < calls; i++ {
		place(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	var adopted uint64
	h.mu.Lock()
	want := uint64(h.adopted)
	h.mu.Unlock()
	// A move's reply may come after the StasisStart it caused.
	require.NoError(t, waitFor(ctx, func() bool { return ins[0].rt.Stats().Adopted+ins[2].rt.Stats().Adopted >= want }))
	for _, in := range []*instance{ins[0], ins[2]} {
		require.NoError(t, waitFor(ctx, func() bool { return in.rt.Stats().LiveCalls == 0 }))
		adopted += in.rt.Stats().Adopted
		in.stop(t)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// A call whose claim instance 2 won in the instant it died entered
	// w-2 with no websocket behind it: Asterisk returns it to the
	// dialplan (STASISSTATUS=FAILED) and it is handled by nobody. Only
	// calls placed before the kill may end so.
	lost := 0
	for i, p := range phones {
		node := fmt.Sprintf("ast%d", i%len(sims)+1)
		if h.by[node+"/"+p.ID()] == nil {
			lost++
			assert.Less(t, i, half, "%s, placed after the kill, was handled by nobody", p.ID())
		}
	}
	assert.LessOrEqual(t, lost, max(5, calls/100), "calls claimed by the dying instance")
	assert.Equal(t, calls, len(h.by)+lost)
	twice, byKilled := 0, 0
	perInstance := map[string]int{}
	for k, by := range h.by {
		perInstance[by[len(by)-1]]++
		switch {
		case len(by) == 1:
		case len(by) == 2 && by[0] == "2" && by[1] != "2":
			byKilled++ // adopted from the dead instance
		default:
			twice++
			t.Errorf("%s handled by %v", k, by)
		}
	}
	assert.Zero(t, twice)
	// Adopted: the calls instance 2 was handling, and those it had won
	// whose StasisStart it never read.
	assert.Equal(t, uint64(h.adopted), adopted, "each adoption started one handler")
	assert.GreaterOrEqual(t, h.adopted, byKilled)
	t.Logf("%d calls: finished by instance 1: %d, 2: %d, 3: %d; %d adopted from the killed instance 2 (%d of them it had started); %d claimed by instance 2 as it died, returned to the dialplan", calls, perInstance["1"], perInstance["2"], perInstance["3"], h.adopted, byKilled, lost)
	for _, in := range ins {
		for _, p := range in.proxies {
			p.Cut()
		}
	}
	for _, srv := range sims {
		srv.Close()
	}
	if err := goleak.Find(before, goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"), goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop")); err != nil {
		t.Errorf("goroutines left: %v", err)
	}
}

// BenchmarkClaimToHandler measures, in the same run, the time from
// placing a call to its handler running: a call offered by
// StasisBroadcast and claimed (CallBroadcast, claim, StasisStart) against
// a call entering the app directly (StasisStart).
func BenchmarkClaimToHandler(b *testing.B) {
	srv := aritest.Start(b, aritest.Config{Timing: aritest.FastTiming(), EventLogSize: 100})
	started := make(chan struct{}, 1)
	app := App{Name: "w-1", Broadcast: &BroadcastConfig{}, New: func(ctx context.Context, call *Call) (any, error) {
		started <- struct{}{}
		return hangupHandler{call}, nil
	}}
	rt, err := New(Config{Client: srv.Client(), Apps: []App{app}, Logger: quietLogger()})
	require.NoError(b, err)
	startRuntime(b, rt)
	require.NoError(b, srv.WaitApp(context.Background(), "w-1"))
	for _, tc := range []struct {
		name string
		p    aritest.PlaceCallParams
	}{
		{"direct", aritest.PlaceCallParams{App: "w-1"}},
		{"broadcast", aritest.PlaceCallParams{Broadcast: &aritest.BroadcastParams{Timeout: 5 * time.Second, Filter: "^w-"}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := srv.PlaceCall(tc.p); err != nil {
					b.Fatal(err)
				}
				<-started
			}
		})
	}
}

// hangupHandler hangs its call up at once.
type hangupHandler struct{ call *Call }

func (h hangupHandler) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	return h.call.Hangup(ctx, resources.HangupReasonNormal)
}

package stasis

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

func mixing() *resources.BridgeCreateParams {
	return &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}}
}

func TestSharedBridgeTenCallsJoinAtOnce(t *testing.T) {
	srv := simulator(t)
	ctx := testCtx(t)
	log := newCallLog()
	joined := make(chan string, 10)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok && call.Leg(e).Kind == LegPrimary {
			if err := call.Answer(ctx); err != nil {
				return err
			}
			b, err := call.JoinBridge(ctx, "conference", mixing())
			if err != nil {
				return err
			}
			joined <- b.ID
			return call.REST().Bridges.AddChannel(ctx, b.ID, &resources.BridgeAddChannelParams{Channel: []string{call.ChannelID}})
		}
		return nil
	}
	rt, err := New(Config{Client: srv.Client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	require.NoError(t, srv.WaitApp(ctx, "app"))

	const n = 10
	phones := make([]*aritest.Phone, n)
	var wg sync.WaitGroup
	for i := range phones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
			assert.NoError(t, err)
			phones[i] = p
		}()
	}
	wg.Wait()
	var id string
	for i := 0; i < n; i++ {
		got := <-joined
		if id == "" {
			id = got
		}
		assert.Equal(t, id, got, "one bridge for every call")
	}
	eventually(t, func() bool {
		bs := srv.Bridges()
		return len(bs) == 1 && len(bs[0].Channels) == n
	}, "ten channels in one bridge")
	// Every member call gets the bridge's events: a playback on the
	// bridge reaches them all.
	var recs []*recorder
	for _, p := range phones {
		rs := log.get("app", p.ID())
		require.Len(t, rs, 1)
		recs = append(recs, rs[0])
	}
	_, err = resources.New(srv.Client()).Bridges.Play(ctx, id, &resources.BridgePlayParams{Media: []string{"sound:hello-world"}})
	require.NoError(t, err)
	eventually(t, func() bool {
		for _, r := range recs {
			if !slices.Contains(r.types(), "PlaybackFinished") {
				return false
			}
		}
		return true
	}, "every member call gets the bridge's playback events")

	for _, p := range phones[1:] {
		require.NoError(t, p.Hangup(resources.HangupReasonNormal))
	}
	log.waitEnded(t, n-1)
	assert.Len(t, srv.Bridges(), 1, "the bridge lives while it has a member")
	require.NoError(t, phones[0].Hangup(resources.HangupReasonNormal))
	log.waitEnded(t, 1)
	eventually(t, func() bool { return len(srv.Bridges()) == 0 }, "the last member out destroyed the bridge")
	a := rt.nodes[0].apps["app"]
	a.mu.Lock()
	assert.Empty(t, a.shared)
	assert.Empty(t, a.sharedByID)
	assert.Empty(t, a.bridges)
	a.mu.Unlock()
}

// bridgeFake answers bridge creations on the fake Asterisk (the first
// fail times with 500), counting them and the destructions.
type bridgeFake struct {
	mu        sync.Mutex
	created   []string
	destroyed []string
	fail      atomic.Int32
}

func newBridgeFake(f *fakeAsterisk) *bridgeFake {
	b := &bridgeFake{}
	f.handle("POST /bridges*", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if b.fail.Add(-1) >= 0 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"message":"Allocation failed"}`))
			return
		}
		id := r.URL.Query().Get("bridgeId")
		if rest := strings.TrimPrefix(r.URL.Path, "/ari/bridges/"); rest != r.URL.Path {
			id = rest
		}
		b.mu.Lock()
		b.created = append(b.created, id)
		b.mu.Unlock()
		_ = json.NewEncoder(w).Encode(bridgeObj(id))
	})
	f.handle("DELETE /bridges/*", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.destroyed = append(b.destroyed, strings.TrimPrefix(r.URL.Path, "/ari/bridges/"))
		b.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	return b
}

func (b *bridgeFake) counts() (created, destroyed []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.created...), append([]string(nil), b.destroyed...)
}

// bridgeOps runs shared-bridge operations on a call's goroutine when a
// digit arrives: 1 joins "room", 2 leaves it, 3 destroys it; the result
// goes to results.
type bridgeResult struct {
	call string
	id   string
	err  error
}

func bridgeOps(results chan<- bridgeResult) func(call *Call, ctx context.Context, e events.Event) error {
	return func(call *Call, ctx context.Context, e events.Event) error {
		d, ok := e.(*events.ChannelDTMFReceived)
		if !ok {
			return nil
		}
		res := bridgeResult{call: call.ChannelID}
		switch d.Digit {
		case "1":
			var b *ari.Bridge
			b, res.err = call.JoinBridge(ctx, "room", mixing())
			if b != nil {
				res.id = b.ID
			}
		case "2":
			res.err = call.LeaveBridge(ctx, "room")
		case "3":
			res.err = call.DestroyBridge(ctx, "room")
		}
		results <- res
		return nil
	}
}

func TestSharedBridgeLeaveAndDestroy(t *testing.T) {
	log := newCallLog()
	results := make(chan bridgeResult, 8)
	log.hook = bridgeOps(results)
	f, rt := fakeRuntime(t, log)
	bf := newBridgeFake(f)
	step := func(call, digit string) bridgeResult {
		t.Helper()
		f.send(dtmf("app", call, digit))
		r := <-results
		require.NoError(t, r.err)
		return r
	}
	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"))

	b1 := step("c1", "1").id
	assert.Equal(t, b1, step("c2", "1").id, "the second call joins the first's bridge")
	assert.Equal(t, b1, step("c2", "1").id, "joining twice is joining once")
	step("c1", "2")
	created, destroyed := bf.counts()
	assert.Equal(t, []string{b1}, created)
	assert.Empty(t, destroyed, "a member is left")
	// The bridge's events now reach c2 only.
	f.send(ev("BridgeVideoSourceChanged", "app", map[string]any{"bridge": bridgeObj(b1)}))
	step("c2", "2")
	_, destroyed = bf.counts()
	assert.Equal(t, []string{b1}, destroyed, "the last member out destroys it")

	b2 := step("c1", "1").id
	assert.NotEqual(t, b1, b2, "a new bridge after the last left")
	step("c2", "3") // any call may destroy it, member or not
	_, destroyed = bf.counts()
	assert.Equal(t, []string{b1, b2}, destroyed)
	f.send(ev("BridgeDestroyed", "app", map[string]any{"bridge": bridgeObj(b2)}))
	b3 := step("c1", "1").id
	assert.NotEqual(t, b2, b3)

	f.send(stasisEnd("app", "c2"), stasisEnd("app", "c1"))
	ended := log.waitEnded(t, 2)
	_, destroyed = bf.counts()
	assert.Equal(t, []string{b1, b2, b3}, destroyed, "the call's end left the bridge, and it was the last")
	for _, r := range ended {
		switch r.call.ChannelID {
		case "c1":
			assert.NotContains(t, r.types(), "BridgeVideoSourceChanged", "c1 had left")
			assert.Contains(t, r.types(), "BridgeDestroyed", "a member gets the destruction")
		case "c2":
			assert.Contains(t, r.types(), "BridgeVideoSourceChanged")
		}
	}
	a := rt.nodes[0].apps["app"]
	a.mu.Lock()
	assert.Empty(t, a.shared)
	assert.Empty(t, a.sharedByID)
	a.mu.Unlock()
}

func TestSharedBridgeCreationFails(t *testing.T) {
	log := newCallLog()
	results := make(chan bridgeResult, 8)
	log.hook = bridgeOps(results)
	f, _ := fakeRuntime(t, log)
	bf := newBridgeFake(f)
	bf.fail.Store(1)
	f.send(stasisStart("app", "c1"), dtmf("app", "c1", "1"))
	r := <-results
	var ae *ari.Error
	require.ErrorAs(t, r.err, &ae)
	assert.Equal(t, 500, ae.Status)
	f.send(dtmf("app", "c1", "1"))
	r = <-results
	require.NoError(t, r.err, "the next join tries again")
	created, _ := bf.counts()
	assert.Equal(t, []string{r.id}, created)
	f.send(stasisEnd("app", "c1"))
	log.waitEnded(t, 1)
}

func TestSharedBridgeKeptOnEnd(t *testing.T) {
	log := newCallLog()
	results := make(chan bridgeResult, 8)
	log.hook = bridgeOps(results)
	f := newFakeAsterisk(t)
	f.handleJSON("POST /applications/*", 200, `{"name":"app","channel_ids":[],"bridge_ids":[],"endpoint_ids":[],"device_names":[]}`)
	bf := newBridgeFake(f)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, KeepResourcesOnEnd: true})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "c1"), dtmf("app", "c1", "1"))
	require.NoError(t, (<-results).err)
	f.send(stasisEnd("app", "c1"))
	log.waitEnded(t, 1)
	_, destroyed := bf.counts()
	assert.Empty(t, destroyed, "KeepResourcesOnEnd keeps it")
	a := rt.nodes[0].apps["app"]
	a.mu.Lock()
	assert.Empty(t, a.shared, "but the app forgets it")
	a.mu.Unlock()
}

package stasis

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/internal/syncbuf"
)

// Behaviour of the runtime on Asterisk's outbound websockets
// (Config.Outbound), against the simulator's outbound mode.

// obSetup describes the simulator and runtime of an outbound test.
type obSetup struct {
	perCall bool
	// timing replaces FastTiming.
	timing *aritest.Timing
	// ws adjusts the simulator's outbound websocket.
	ws func(*aritest.OutboundWebsocket)
	// cfg adjusts the runtime's Config once the simulator runs.
	cfg func(*Config, *aritest.Server)
	// deferRun leaves Run to the test (startRuntime).
	deferRun bool
}

// obEnv is what outboundSetup started.
type obEnv struct {
	srv *aritest.Server
	rt  *Runtime
	app *httptest.Server // the application's HTTP server Asterisk dials
}

// outboundSetup starts a simulator that dials an HTTP server (reconnect
// interval 10ms), makes the runtime of cfg (outbound credentials obUser and
// obPass unless cfg.Outbound is set), mounts its OutboundHandler on that
// server and, unless deferRun, runs it until the test ends. Until the
// handler is mounted the server answers 503.
func outboundSetup(t *testing.T, o obSetup, cfg Config) obEnv {
	t.Helper()
	late := &lateHandler{}
	app := httptest.NewServer(late)
	t.Cleanup(app.Close)
	var simLog *slog.Logger
	if os.Getenv("TRANSPORT_DEBUG") != "" {
		simLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if cfg.Logger == nil {
			cfg.Logger = simLog
		}
	}
	ws := aritest.OutboundWebsocket{
		Name: "ob", Apps: appNames(cfg), URI: "ws" + strings.TrimPrefix(app.URL, "http") + "/ari",
		Username: obUser, Password: obPass, PerCall: o.perCall,
		ReconnectInterval: 10 * time.Millisecond,
		// Asterisk gives up after 500ms; loaded test machines take longer.
		ConnectionTimeout: 10 * time.Second,
	}
	if o.ws != nil {
		o.ws(&ws)
	}
	timing := aritest.FastTiming()
	if o.timing != nil {
		timing = *o.timing
	}
	srv := aritest.Start(t, aritest.Config{Timing: timing, EventLogSize: 1000, Logger: simLog, Outbound: []aritest.OutboundWebsocket{ws}})

	if cfg.Outbound == nil {
		cfg.Outbound = &ari.OutboundConfig{Username: obUser, Password: obPass}
	}
	if o.cfg != nil {
		o.cfg(&cfg, srv)
	}
	rt, err := New(cfg)
	require.NoError(t, err)
	h := rt.OutboundHandler()
	require.NotNil(t, h)
	late.h.Store(&h)
	if !o.deferRun {
		startRuntime(t, rt)
	}
	return obEnv{srv: srv, rt: rt, app: app}
}

// stateLog collects the runtime's OnState reports.
type stateLog struct {
	mu  sync.Mutex
	all []ari.StateChange
	ch  chan ari.StateChange
}

func newStateLog() *stateLog { return &stateLog{ch: make(chan ari.StateChange, 64)} }

func (s *stateLog) on(sc ari.StateChange) {
	s.mu.Lock()
	s.all = append(s.all, sc)
	s.mu.Unlock()
	select {
	case s.ch <- sc:
	default:
	}
}

// next waits for the next report of state want, skipping others.
func (s *stateLog) next(t *testing.T, want ari.ConnState) ari.StateChange {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case sc := <-s.ch:
			if sc.State == want {
				return sc
			}
		case <-deadline:
			t.Fatalf("no %s state report", want)
		}
	}
}

// summary lists the reports as "state" or "state/reconnect".
func (s *stateLog) summary() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, sc := range s.all {
		v := sc.State.String()
		if sc.Reconnect {
			v += "/reconnect"
		}
		out = append(out, v)
	}
	return out
}

// waitCall waits for the handler of app's call on channel id.
func waitCall(t *testing.T, log *callLog, app, id string) *recorder {
	t.Helper()
	eventually(t, func() bool { return len(log.get(app, id)) > 0 }, "call "+id+" started")
	return log.get(app, id)[0]
}

// answerer returns a hook that answers at StasisStart and then tells
// answered (so that a test breaks the connection only once the answer's
// reply is in), then runs then (if set) on every event.
func answerer(answered chan<- string, then func(call *Call, ctx context.Context, e events.Event) error) func(call *Call, ctx context.Context, e events.Event) error {
	return func(call *Call, ctx context.Context, e events.Event) error {
		if s, ok := e.(*events.StasisStart); ok && s.Channel.ID == call.ChannelID {
			if err := call.Answer(ctx); err != nil {
				return err
			}
			answered <- call.ChannelID
		}
		if then != nil {
			return then(call, ctx, e)
		}
		return nil
	}
}

// waitAnswered waits for an answerer's report.
func waitAnswered(t *testing.T, answered <-chan string) string {
	t.Helper()
	select {
	case id := <-answered:
		return id
	case <-time.After(5 * time.Second):
		t.Fatal("no call answered")
		return ""
	}
}

// recv waits for a value on ch.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for " + what)
		var zero T
		return zero
	}
}

// nextResync waits for a re-sync report.
func nextResync(t *testing.T, ch <-chan ResyncReport) ResyncReport {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no re-sync report")
		return ResyncReport{}
	}
}

// noMoreEnds checks that no further handler ends within d.
func noMoreEnds(t *testing.T, log *callLog, d time.Duration) {
	t.Helper()
	select {
	case r := <-log.endedCh:
		t.Fatalf("call %s ended again (%v)", r.call.ChannelID, r.end())
	case <-time.After(d):
	}
}

// TestOutboundPersistentReconnect: Asterisk's persistent outbound
// websocket drops and is reopened. The runtime reports the change, re-syncs
// the connection's calls, delivers the events Asterisk queued meanwhile,
// and the call's REST goes over the new connection.
func TestOutboundPersistentReconnect(t *testing.T) {
	ctx := testCtx(t)
	log := newCallLog()
	answered := make(chan string, 1)
	log.hook = answerer(answered, func(call *Call, ctx context.Context, e events.Event) error {
		switch e.(type) {
		case *events.ChannelDTMFReceived:
			_, err := call.REST().Channels.Play(ctx, call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
			return err
		case *events.PlaybackFinished:
			return call.Hangup(ctx, resources.HangupReasonNormal)
		}
		return nil
	})
	states := newStateLog()
	resyncs := make(chan ResyncReport, 4)
	connects := make(chan bool, 4)
	env := outboundSetup(t, obSetup{}, Config{
		Apps:      []App{log.app("app")},
		OnState:   states.on,
		OnResync:  func(r ResyncReport) { resyncs <- r },
		OnConnect: func(ctx context.Context, reconnect bool) { connects <- reconnect },
	})
	srv, rt := env.srv, env.rt

	first := states.next(t, ari.StateConnected)
	assert.False(t, first.Reconnect)
	assert.Equal(t, []string{"app"}, first.Apps)
	assert.False(t, recv(t, connects, "OnConnect"), "OnConnect after the first connection")

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	waitAnswered(t, answered)

	// The connection drops and Asterisk cannot reconnect for a while: the
	// caller presses a key meanwhile, and Asterisk queues the event.
	srv.RefuseWebsockets(time.Minute)
	srv.DropWebsockets()
	down := states.next(t, ari.StateDisconnected)
	assert.Equal(t, []string{"app"}, down.Apps)
	require.NoError(t, phone.SendDTMF("5"))
	_, err = phone.WaitEvent(ctx, "ChannelDtmfReceived")
	require.NoError(t, err)
	require.False(t, srv.OutboundSessions()[0].Connected, "the key was pressed while the websocket was down")
	srv.RefuseWebsockets(0)

	up := states.next(t, ari.StateConnected)
	assert.True(t, up.Reconnect)
	assert.Equal(t, []string{"app"}, up.Apps)
	rep := nextResync(t, resyncs)
	assert.Equal(t, ResyncReport{Apps: []string{"app"}, Node: srv.Config().AsteriskID, Survived: 1}, rep)
	assert.True(t, recv(t, connects, "OnConnect"), "OnConnect after the reconnect")

	// The queued key reached the call, whose play went over the new
	// connection; the handler hung up at the end of the playback.
	require.NoError(t, phone.WaitEnd(ctx))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.Equal(t, []string{"sound:hello-world"}, phone.MediaHeard())
	assert.Subset(t, r.types(), []string{"StasisStart", "ChannelDtmfReceived", "PlaybackStarted", "PlaybackFinished", "StasisEnd"})
	r.mu.Lock()
	assert.Len(t, r.resync, 1, "the surviving call was told of the reconnect")
	if len(r.resync) == 1 {
		assert.Equal(t, ResyncReconnect, r.resync[0].Reason)
	}
	r.mu.Unlock()
	assert.Equal(t, []string{"connected", "disconnected", "connected/reconnect"}, states.summary())

	st := rt.Stats()
	assert.Equal(t, uint64(1), st.Reconnects)
	assert.Equal(t, uint64(1), st.Resyncs)
	assert.Zero(t, st.SyntheticEnds)
	assert.Zero(t, st.HandlerErrors)
	noMoreEnds(t, log, 50*time.Millisecond)
}

// TestOutboundStateOrder: when Asterisk reopens an outbound websocket at
// once, OnState still reports the old connection's StateDisconnected
// before the new one's StateConnected, as ari.EventStream does.
func TestOutboundStateOrder(t *testing.T) {
	for _, perCall := range []bool{false, true} {
		t.Run(map[bool]string{false: "persistent", true: "per-call"}[perCall], func(t *testing.T) {
			ctx := testCtx(t)
			log := newCallLog()
			answered := make(chan string, 1)
			log.hook = answerer(answered, nil)
			states := newStateLog()
			env := outboundSetup(t, obSetup{perCall: perCall}, Config{Apps: []App{log.app("app")}, OnState: states.on})
			phone, err := env.srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
			require.NoError(t, err)
			waitAnswered(t, answered)
			require.False(t, states.next(t, ari.StateConnected).Reconnect)
			want := []string{"connected"}
			for i := 0; i < 10; i++ {
				env.srv.DropWebsockets()
				require.True(t, states.next(t, ari.StateConnected).Reconnect)
				want = append(want, "disconnected", "connected/reconnect")
			}
			assert.Equal(t, want, states.summary())
			require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
			require.NoError(t, phone.WaitEnd(ctx))
			log.waitEnded(t, 1)
		})
	}
}

// TestOutboundOnConnectPerConnection: a persistent websocket carrying two
// apps is one connection: OnConnect runs once for it (and once more after
// a reconnect), and its runs never overlap.
func TestOutboundOnConnectPerConnection(t *testing.T) {
	var mu sync.Mutex
	var runs []bool
	running, overlaps := 0, 0
	states := newStateLog()
	env := outboundSetup(t, obSetup{}, Config{
		Apps:    []App{newCallLog().app("a"), newCallLog().app("b")},
		OnState: states.on,
		OnConnect: func(ctx context.Context, reconnect bool) {
			mu.Lock()
			runs = append(runs, reconnect)
			running++
			if running > 1 {
				overlaps++
			}
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			mu.Lock()
			running--
			mu.Unlock()
		},
	})
	for range 2 {
		states.next(t, ari.StateConnected)
	}
	env.srv.DropWebsockets()
	for range 2 {
		require.True(t, states.next(t, ari.StateConnected).Reconnect)
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	got, overlapped := append([]bool(nil), runs...), overlaps
	mu.Unlock()

	assert.Equal(t, []bool{false, true}, got)
	assert.Zero(t, overlapped)
	assert.Equal(t, uint64(1), env.rt.Stats().Reconnects, "one connection re-established")
}

// waitKeyThenPlay waits for a key, plays a prompt, waits for its end and
// hangs up: straight-line, in StasisStart (after answerer).
func waitKeyThenPlay(call *Call, ctx context.Context, e events.Event) error {
	if _, ok := e.(*events.StasisStart); !ok {
		return nil
	}
	if _, err := call.WaitDTMF(ctx); err != nil {
		return err
	}
	pb, err := call.REST().Channels.Play(ctx, call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	if err != nil {
		return err
	}
	if _, err := call.WaitPlaybackFinished(ctx, pb.ID); err != nil {
		return err
	}
	return call.Hangup(ctx, resources.HangupReasonNormal)
}

// TestOutboundPerCall: a per-call connection's call has App "app" and
// AppID "app:<channel name>"; when its connection drops mid-call and
// Asterisk reopens it, the call's REST goes over the new connection.
// OnConnect is not run for per-call connections.
func TestOutboundPerCall(t *testing.T) {
	ctx := testCtx(t)
	log := newCallLog()
	answered := make(chan string, 1)
	log.hook = answerer(answered, waitKeyThenPlay)
	states := newStateLog()
	resyncs := make(chan ResyncReport, 4)
	var onConnect int // OnConnect runs
	var mu sync.Mutex
	env := outboundSetup(t, obSetup{perCall: true}, Config{
		Apps:     []App{log.app("app")},
		OnState:  states.on,
		OnResync: func(r ResyncReport) { resyncs <- r },
		OnConnect: func(context.Context, bool) {
			mu.Lock()
			onConnect++
			mu.Unlock()
		},
	})
	srv := env.srv

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	waitAnswered(t, answered)
	appID := "app:" + phone.Channel().Name

	r := waitCall(t, log, "app", phone.ID())
	assert.Equal(t, "app", r.call.App)
	assert.Equal(t, appID, r.call.AppID)
	assert.Equal(t, appID, r.call.Start.Application)

	first := states.next(t, ari.StateConnected)
	assert.False(t, first.Reconnect)
	assert.Equal(t, []string{appID}, first.Apps)

	// The connection drops mid-call; Asterisk reconnects at once. (Whether
	// StateDisconnected comes first is TestOutboundStateOrder's business.)
	srv.DropWebsockets()
	up := states.next(t, ari.StateConnected)
	assert.True(t, up.Reconnect)
	assert.Equal(t, []string{appID}, up.Apps)
	assert.Equal(t, 2, perCallConnects(srv, phone.ID()), "one reconnection")
	rep := nextResync(t, resyncs)
	assert.Equal(t, ResyncReport{Apps: []string{appID}, Node: srv.Config().AsteriskID, Survived: 1}, rep)

	// A key pressed now reaches the handler over the new connection, and
	// its play and hangup go over it.
	require.NoError(t, phone.SendDTMF("1"))
	require.NoError(t, phone.WaitEnd(ctx))
	r = log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, r.end().Reason, "%v", r.end().Err)
	assert.Equal(t, []string{"sound:hello-world"}, phone.MediaHeard())

	mu.Lock()
	assert.Zero(t, onConnect, "OnConnect is not run for per-call connections")
	mu.Unlock()
	st := env.rt.Stats()
	assert.Zero(t, st.HandlerErrors)
	assert.Zero(t, st.SyntheticEnds)
	noMoreEnds(t, log, 50*time.Millisecond)
}

// perCallConnects returns the Connects of the per-call session of channel
// id, or -1 once the simulator has forgotten it (after its close).
func perCallConnects(srv *aritest.Server, id string) int {
	for _, s := range srv.OutboundSessions() {
		if s.ChannelID == id {
			return s.Connects
		}
	}
	return -1
}

// TestOutboundPerCallReconnectRefused: a per-call connection drops and
// Asterisk cannot reopen it; after PerCallReconnectWait the call ends once
// with a synthetic StasisEnd, and nothing is left running.
func TestOutboundPerCallReconnectRefused(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	ctx := testCtx(t)
	log := newCallLog()
	answered := make(chan string, 1)
	log.hook = answerer(answered, nil)
	const wait = 100 * time.Millisecond
	env := outboundSetup(t, obSetup{perCall: true}, Config{Apps: []App{log.app("app")}, PerCallReconnectWait: wait})
	srv, rt := env.srv, env.rt

	_, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	waitAnswered(t, answered)

	srv.RefuseWebsockets(time.Minute)
	dropped := time.Now()
	srv.DropWebsockets()
	r := log.waitEnded(t, 1)[0]
	assert.GreaterOrEqual(t, time.Since(dropped), wait, "the call waited PerCallReconnectWait")
	assert.Equal(t, EndSynthetic, r.end().Reason)
	types := r.types()
	require.NotEmpty(t, types)
	assert.Equal(t, "StasisEnd", types[len(types)-1])
	r.mu.Lock()
	assert.True(t, r.synth[len(r.synth)-1], "the StasisEnd is synthetic")
	r.mu.Unlock()
	st := rt.Stats()
	assert.Equal(t, uint64(1), st.SyntheticEnds)
	assert.Zero(t, st.LiveCalls)
	noMoreEnds(t, log, 100*time.Millisecond)

	srv.RefuseWebsockets(0)
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, rt.Shutdown(sctx))
	srv.Close()
	env.app.Close()
	goleak.VerifyNone(t, leaks)
}

// TestOutboundOriginateFromPerCallCall: a channel a per-call call
// originates without naming an app enters the call's per-call application,
// and its events reach the call over the call's connection.
func TestOutboundOriginateFromPerCallCall(t *testing.T) {
	ctx := testCtx(t)
	log := newCallLog()
	originated := make(chan string, 1)
	otherStart := make(chan *events.StasisStart, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		s, ok := e.(*events.StasisStart)
		if !ok {
			return nil
		}
		if s.Channel.ID != call.ChannelID {
			otherStart <- s
			return nil
		}
		if err := call.Answer(ctx); err != nil {
			return err
		}
		ch, err := call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Test/bob"})
		if err != nil {
			return err
		}
		originated <- ch.ID
		return nil
	}
	timing := aritest.FastTiming()
	timing.PerCallClose = time.Second // room for the cleanup's hangup of bob
	env := outboundSetup(t, obSetup{perCall: true, timing: &timing}, Config{Apps: []App{log.app("app")}})
	srv := env.srv

	alice, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	var bobID string
	select {
	case bobID = <-originated:
	case <-ctx.Done():
		t.Fatal("no originate")
	}
	appID := "app:" + alice.Channel().Name
	var start *events.StasisStart
	select {
	case start = <-otherStart:
	case <-time.After(5 * time.Second):
		t.Fatal("the originated channel's StasisStart did not reach the call")
	}
	assert.Equal(t, bobID, start.Channel.ID)
	assert.Equal(t, appID, start.Application, "the originated channel is in the call's per-call application")
	assert.Empty(t, log.get("app", bobID), "no call of its own")

	bob := srv.Phone(bobID)
	require.NotNil(t, bob)
	require.NoError(t, alice.Hangup(resources.HangupReasonNormal))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.Equal(t, 2, count(r.types(), "StasisStart"))
	require.NoError(t, bob.WaitEnd(ctx), "the call's cleanup hung up the originated channel")
}

// TestOutboundConnectionsWaitForRun: a connection Asterisk opens before
// Run waits for it; after Shutdown the handler refuses with 503, which
// Asterisk counts as a failed attempt: it does not reconnect in a loop.
func TestOutboundConnectionsWaitForRun(t *testing.T) {
	ctx := testCtx(t)
	log := newCallLog()
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			return call.Hangup(ctx, resources.HangupReasonNormal)
		}
		return nil
	}
	env := outboundSetup(t, obSetup{deferRun: true, ws: func(ws *aritest.OutboundWebsocket) {
		ws.ReconnectInterval = 20 * time.Millisecond
	}}, Config{Apps: []App{log.app("app")}})
	srv, rt := env.srv, env.rt

	// The simulator is connected before Run; a call enters the app.
	require.NoError(t, srv.WaitApp(ctx, "app"))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	assert.Zero(t, rt.Stats().CallsStarted, "nothing is served before Run")
	assert.Equal(t, 1, rt.OutboundStats().Open)

	startRuntime(t, rt)
	require.NoError(t, phone.WaitEnd(ctx), "the call was served once Run started")
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.Equal(t, 1, srv.OutboundSessions()[0].Connects)

	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, rt.Shutdown(sctx))

	resp, err := http.Get(env.app.URL + "/ari")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)

	// Asterisk's connection was closed; its attempts since are refused.
	eventually(t, func() bool { return !srv.OutboundSessions()[0].Connected }, "the connection closed")
	s0 := srv.OutboundSessions()[0]
	time.Sleep(200 * time.Millisecond)
	s1 := srv.OutboundSessions()[0]
	assert.False(t, s1.Connected)
	assert.Greater(t, s1.Attempts, s0.Attempts, "Asterisk keeps trying, every reconnect interval")
	assert.LessOrEqual(t, s1.Attempts-s0.Attempts, 15, "no busy loop")
	assert.Equal(t, s0.Connects, s1.Connects, "every attempt after Shutdown is refused")
	assert.LessOrEqual(t, s1.Connects, 2, "at most the reconnection right after the close")
}

// TestOutboundShutdownHangsUp: at Shutdown's deadline the live calls of
// outbound websockets are cancelled and their channels hung up over the
// websockets, which close only afterwards.
func TestOutboundShutdownHangsUp(t *testing.T) {
	for _, perCall := range []bool{false, true} {
		t.Run(map[bool]string{false: "persistent", true: "per-call"}[perCall], func(t *testing.T) {
			ctx := testCtx(t)
			log := newCallLog()
			answered := make(chan string, 2)
			log.hook = answerer(answered, nil)
			env := outboundSetup(t, obSetup{perCall: perCall}, Config{Apps: []App{log.app("app")}})
			var phones []*aritest.Phone
			for i := 0; i < 2; i++ {
				p, err := env.srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
				require.NoError(t, err)
				phones = append(phones, p)
				waitAnswered(t, answered)
			}

			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			assert.ErrorIs(t, env.rt.Shutdown(short), context.DeadlineExceeded)
			for _, r := range log.waitEnded(t, 2) {
				assert.Equal(t, EndShutdown, r.end().Reason)
			}
			for _, p := range phones {
				require.NoError(t, p.WaitEnd(ctx), "channel %s hung up", p.ID())
			}
		})
	}
}

// TestOutboundShutdownBeforeRun: a connection waiting for Run is let go
// when Shutdown comes first; Asterisk's attempts since are refused, and
// Run then returns ErrRuntimeClosed, as http.Server.Serve returns
// ErrServerClosed after Shutdown.
func TestOutboundShutdownBeforeRun(t *testing.T) {
	ctx := testCtx(t)
	env := outboundSetup(t, obSetup{deferRun: true}, Config{Apps: []App{newCallLog().app("app")}})
	require.NoError(t, env.srv.WaitApp(ctx, "app"))
	require.Equal(t, 1, env.rt.OutboundStats().Open)

	require.NoError(t, env.rt.Shutdown(ctx))
	eventually(t, func() bool { return env.rt.OutboundStats().Open == 0 }, "the waiting connection closed")
	eventually(t, func() bool { return !env.srv.OutboundSessions()[0].Connected }, "Asterisk saw the close")
	s0 := env.srv.OutboundSessions()[0]
	eventually(t, func() bool { return env.srv.OutboundSessions()[0].Attempts > s0.Attempts+1 }, "attempts refused")
	assert.LessOrEqual(t, env.srv.OutboundSessions()[0].Connects, 2, "at most the reconnection right after the close")

	err := env.rt.Run(ctx)
	assert.ErrorIs(t, err, ErrRuntimeClosed)
}

// countingTransport counts the HTTP requests it sends.
type countingTransport struct {
	n atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestOutboundWithClientOverHTTP: with Outbound and a Client, and the
// default TransportHTTP, the calls' REST goes over HTTP, as Config.Outbound
// says, not over the outbound websocket.
func TestOutboundWithClientOverHTTP(t *testing.T) {
	ctx := testCtx(t)
	log := newCallLog()
	answered := make(chan string, 1)
	log.hook = answerer(answered, nil)
	counter := &countingTransport{}
	env := outboundSetup(t, obSetup{cfg: func(cfg *Config, srv *aritest.Server) {
		cl, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "asterisk", Version: "22.10.1",
			HTTPClient: &http.Client{Transport: counter}})
		require.NoError(t, err)
		cfg.Client = cl
	}}, Config{Apps: []App{log.app("app")}})
	phone, err := env.srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
	require.NoError(t, err)
	waitAnswered(t, answered)
	r := waitCall(t, log, "app", phone.ID())
	sameClient := r.call.REST() == env.rt.REST()
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	require.NoError(t, phone.WaitEnd(ctx))
	log.waitEnded(t, 1)

	assert.True(t, sameClient, "the calls use the runtime's HTTP client (Runtime.REST)")
	assert.Positive(t, counter.n.Load(), "the answer went over HTTP")
}

// TestOutboundWrongCredentials: Asterisk presents other credentials than
// the runtime's: it is refused with 401, counted and logged at WARN,
// without either password in the log.
func TestOutboundWrongCredentials(t *testing.T) {
	const wrong = "n0t-the-s3cret"
	var buf syncbuf.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env := outboundSetup(t, obSetup{ws: func(ws *aritest.OutboundWebsocket) { ws.Password = wrong }},
		Config{Apps: []App{newCallLog().app("app")}, Logger: logger})

	eventually(t, func() bool { return env.rt.OutboundStats().Unauthorized >= 2 }, "attempts refused")
	st := env.rt.OutboundStats()
	assert.Zero(t, st.Accepted)
	assert.Zero(t, st.Open)
	assert.Zero(t, env.srv.OutboundSessions()[0].Connects)

	out := buf.String()
	assert.Contains(t, out, "level=WARN")
	assert.Contains(t, out, "credentials")
	for _, secret := range []string{obPass, wrong,
		base64.StdEncoding.EncodeToString([]byte(obUser + ":" + wrong)),
		base64.StdEncoding.EncodeToString([]byte(obUser + ":" + obPass))} {
		assert.NotContains(t, out, secret)
	}
}

// TestNewOutboundConfigErrors: New refuses a runtime with nothing to
// connect through, and an outbound one without credentials unless it
// accepts unauthenticated connections.
func TestNewOutboundConfigErrors(t *testing.T) {
	apps := []App{newCallLog().app("app")}
	for name, cfg := range map[string]Config{
		"neither Client nor Outbound":  {Apps: apps},
		"Outbound without credentials": {Apps: apps, Outbound: &ari.OutboundConfig{}},
	} {
		t.Run(name, func(t *testing.T) {
			rt, err := New(cfg)
			require.Error(t, err)
			assert.Nil(t, rt)
		})
	}

	rt, err := New(Config{Apps: apps, Outbound: &ari.OutboundConfig{AllowUnauthenticated: true}})
	require.NoError(t, err, "AllowUnauthenticated")
	assert.NotNil(t, rt.OutboundHandler())
	rt, err = New(Config{Apps: apps, Outbound: &ari.OutboundConfig{Username: obUser, Password: obPass}})
	require.NoError(t, err)
	assert.NotNil(t, rt.OutboundHandler())
	assert.Equal(t, ari.OutboundStats{}, rt.OutboundStats())

	// A runtime that dials has no outbound handler.
	srv := simulator(t)
	rt, err = New(Config{Apps: apps, Client: srv.Client()})
	require.NoError(t, err)
	assert.Nil(t, rt.OutboundHandler())
	assert.Equal(t, ari.OutboundStats{}, rt.OutboundStats())
}

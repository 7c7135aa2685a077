package stasis

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// transport is one way the runtime and Asterisk talk.
type transport struct {
	name string
	// outbound: Asterisk dials the runtime; perCall: one connection per
	// call.
	outbound, perCall bool
	rest              Transport
}

var transports = []transport{
	{name: "http"},
	{name: "rest-over-websocket", rest: TransportWebsocket},
	{name: "outbound-persistent", outbound: true},
	{name: "outbound-per-call", outbound: true, perCall: true},
}

// Outbound websocket credentials of the tests (websocket_client.conf).
const obUser, obPass = "asterisk-out", "s3cret-out"

// lateHandler is an http.Handler set after the server starts: the
// simulator needs the URL in its Config, the runtime is made after it.
type lateHandler struct{ h atomic.Pointer[http.Handler] }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := l.h.Load()
	if h == nil {
		http.Error(w, "not yet", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

// transportSetup starts a simulator and a runtime for cfg that talk over
// tr, and returns them running.
func transportSetup(t *testing.T, tr transport, timing aritest.Timing, cfg Config) (*aritest.Server, *Runtime) {
	t.Helper()
	scfg := aritest.Config{Timing: timing, EventLogSize: 1000}
	if os.Getenv("TRANSPORT_DEBUG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		scfg.Logger = cfg.Logger
	}
	if tr.outbound {
		late := &lateHandler{}
		app := httptest.NewServer(late)
		t.Cleanup(app.Close)
		names := make([]string, len(cfg.Apps))
		for i, a := range cfg.Apps {
			names[i] = a.Name
		}
		scfg.Outbound = []aritest.OutboundWebsocket{{
			Name: "ob", Apps: names, URI: "ws" + strings.TrimPrefix(app.URL, "http") + "/ari",
			Username: obUser, Password: obPass, PerCall: tr.perCall,
			// Under -race with 1,000 calls on two shared cores, a
			// connection can take longer than Asterisk's 500ms; a call
			// whose connection fails would never end.
			ConnectionTimeout: 10 * time.Second,
		}}
		srv := aritest.Start(t, scfg)
		cfg.Outbound = &ari.OutboundConfig{Username: obUser, Password: obPass}
		rt, err := New(cfg)
		require.NoError(t, err)
		h := rt.OutboundHandler()
		late.h.Store(&h)
		startRuntime(t, rt)
		return srv, rt
	}
	srv := aritest.Start(t, scfg)
	cfg.Client = srv.Client()
	cfg.Transport = tr.rest
	rt, err := New(cfg)
	require.NoError(t, err)
	startRuntime(t, rt)
	require.NoError(t, srv.WaitApp(testCtx(t), appNames(cfg)...))
	return srv, rt
}

func appNames(cfg Config) []string {
	var out []string
	for _, a := range cfg.Apps {
		out = append(out, a.Name)
	}
	return out
}

// flowHandler answers, plays a prompt, waits for its end and hangs up,
// recording the events it is given and the REST errors it meets.
type flowHandler struct {
	call *Call
	res  *flowResults
	mu   sync.Mutex
	seen []string
}

type flowResults struct {
	mu     sync.Mutex
	byChan map[string]*flowHandler
	ends   map[string]int
	errs   []error
}

func (h *flowHandler) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	h.note(e)
	c := h.call
	if err := c.Answer(ctx); err != nil {
		return h.res.fail(fmt.Errorf("answer: %w", err))
	}
	pb, err := c.REST().Channels.Play(ctx, c.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	if err != nil {
		return h.res.fail(fmt.Errorf("play: %w", err))
	}
	if _, err := c.WaitPlaybackFinished(ctx, pb.ID); err != nil {
		return h.res.fail(fmt.Errorf("wait: %w", err))
	}
	if err := c.Hangup(ctx, resources.HangupReasonNormal); err != nil {
		return h.res.fail(fmt.Errorf("hangup: %w", err))
	}
	return nil
}

func (h *flowHandler) OnEvent(ctx context.Context, e events.Event) error {
	h.note(e)
	return nil
}

func (h *flowHandler) OnEnd(ctx context.Context, end End) {
	h.res.mu.Lock()
	defer h.res.mu.Unlock()
	h.res.ends[h.call.ChannelID]++
}

func (h *flowHandler) note(e events.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen = append(h.seen, e.EventType())
}

func (r *flowResults) fail(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
	return err
}

func (r *flowResults) app(name string) App {
	return App{Name: name, New: func(ctx context.Context, call *Call) (any, error) {
		h := &flowHandler{call: call, res: r}
		r.mu.Lock()
		r.byChan[call.ChannelID] = h
		r.mu.Unlock()
		return h, nil
	}}
}

// sequences counts the distinct event sequences the handlers saw.
func (r *flowResults) sequences() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, h := range r.byChan {
		h.mu.Lock()
		out[strings.Join(h.seen, ",")]++
		h.mu.Unlock()
	}
	return out
}

// TestTransportsEndToEnd runs the same call flow (answer, play, wait for
// the playback, hang up) for many concurrent calls over each transport:
// HTTP plus the events websocket, REST over the events websocket, and
// Asterisk's outbound websockets, persistent and per call. Every handler
// gets the same events, every call ends once, and (TestMain) no
// goroutine is left.
func TestTransportsEndToEnd(t *testing.T) {
	calls := 1000
	if testing.Short() {
		calls = 100
	}
	if n, err := strconv.Atoi(os.Getenv("TRANSPORT_CALLS")); err == nil {
		calls = n
	}
	want := ""
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			timing := aritest.FastTiming()
			// Thousands of calls share two cores (with the race detector):
			// give the readers more than Asterisk's 100ms.
			timing.WriteTimeout = 10 * time.Second
			// Asterisk closes a per-call connection 3 s after StasisEnd;
			// a hangup's reply follows the StasisEnd.
			timing.PerCallClose = aritest.DefaultTiming().PerCallClose
			res := &flowResults{byChan: map[string]*flowHandler{}, ends: map[string]int{}}
			srv, rt := transportSetup(t, tr, timing, Config{Apps: []App{res.app("app")}})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()

			phones := make([]*aritest.Phone, calls)
			for i := range phones {
				p, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app"})
				require.NoError(t, err)
				phones[i] = p
			}
			for _, p := range phones {
				require.NoError(t, p.WaitEnd(ctx), "call %s", p.ID())
			}
			require.NoError(t, waitFor(ctx, func() bool { return rt.Stats().CallsStarted == uint64(calls) && rt.Stats().LiveCalls == 0 }))
			// A call counts as ended before its OnEnd has run.
			require.NoError(t, waitFor(ctx, func() bool { res.mu.Lock(); defer res.mu.Unlock(); return len(res.ends) >= calls }))

			res.mu.Lock()
			assert.Empty(t, res.errs)
			assert.Len(t, res.ends, calls)
			for id, n := range res.ends {
				assert.Equal(t, 1, n, "call %s ended %d times", id, n)
			}
			res.mu.Unlock()
			st := rt.Stats()
			assert.Equal(t, uint64(calls), st.CallsStarted)
			assert.Zero(t, st.HandlerErrors)
			assert.Zero(t, st.Panics)
			assert.Zero(t, st.DecodeErrors)
			assert.Zero(t, st.SyntheticEnds)

			seqs := res.sequences()
			keys := make([]string, 0, len(seqs))
			for k := range seqs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			require.Len(t, keys, 1, "every handler saw the same events: %v", seqs)
			if want == "" {
				want = keys[0]
			}
			assert.Equal(t, want, keys[0], "the same events as over HTTP")
		})
	}
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

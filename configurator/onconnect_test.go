package configurator_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
	"gostasis.dev/configurator"
	"gostasis.dev/stasis"
)

// startRuntime runs a stasis runtime with one idle app and cfg.OnConnect,
// and stops it when the test ends.
func startRuntime(t *testing.T, client *ari.Client, onConnect func(context.Context, bool)) {
	t.Helper()
	rt, err := stasis.New(stasis.Config{
		Client: client,
		Apps: []stasis.App{{Name: "app", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return struct{}{}, nil
		}}},
		Stream:    ari.EventStreamConfig{Backoff: ari.Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond}, StableAfter: time.Millisecond},
		OnConnect: onConnect,
	})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, rt.Shutdown(sctx))
		assert.ErrorIs(t, <-done, stasis.ErrRuntimeClosed)
	})
}

func wait[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("timed out")
		panic("unreachable")
	}
}

func TestOnConnectReconcilesAfterRestartOnly(t *testing.T) {
	e := newEnv(t)
	reports := make(chan configurator.Report, 10)
	c := e.configurator(configurator.Config{OnReport: func(r configurator.Report, err error) {
		assert.NoError(t, err)
		reports <- r
	}})
	require.NoError(t, c.Declare(alice()...))
	connected := make(chan bool, 10)
	// The runtime uses the simulator's own client; the configurator's
	// requests are the recorded ones.
	startRuntime(t, e.srv.Client(), func(ctx context.Context, reconnect bool) {
		c.OnConnect(ctx, reconnect)
		connected <- reconnect
	})
	objects := func(method string) []string {
		var out []string
		for _, typ := range []string{"auth", "aor", "endpoint", "identify"} {
			out = append(out, "GET "+dyn+"res_pjsip/"+typ+"/alice")
			if method != "" {
				out = append(out, method+" "+dyn+"res_pjsip/"+typ+"/alice")
			}
		}
		return out
	}
	putsOf := func() []string {
		var out []string
		for _, r := range e.rec.take() {
			out = append(out, r.Method+" "+r.Path)
		}
		return out
	}
	const info = "GET /asterisk/info?only=status"
	// The runtime reports a connection once the handshake is done, a
	// moment before the simulator attaches it to the app: drop or restart
	// only once it is attached.
	attached := func() { require.NoError(t, e.srv.WaitApp(ctx(t), "app")) }

	// First connection: everything is created.
	assert.False(t, wait(t, connected))
	assert.Equal(t, append([]string{info}, objects("PUT")...), putsOf())
	assert.Len(t, wait(t, reports).Created, 4)

	// A reconnect to the same Asterisk: only the startup time is read.
	attached()
	e.srv.DropWebsockets()
	assert.True(t, wait(t, connected))
	e.expect(info)

	// Asterisk restarted: its memory objects are gone; all are recreated.
	attached()
	e.srv.Restart()
	assert.Empty(t, e.srv.DynamicConfig().IDs("res_pjsip", "endpoint"))
	assert.True(t, wait(t, connected))
	assert.Equal(t, append([]string{info}, objects("PUT")...), putsOf())
	assert.Len(t, wait(t, reports).Created, 4)
	assert.Equal(t, "(ulaw|alaw)", e.object("res_pjsip", "endpoint", "alice")["allow"])

	// Reconnect again without restart: nothing.
	attached()
	e.srv.DropWebsockets()
	assert.True(t, wait(t, connected))
	e.expect(info)

	// The declaration changed and nobody called Reconcile: the next
	// connection reconciles.
	require.NoError(t, c.Declare(configurator.Endpoint{ID: "alice", Context: "elsewhere"}))
	attached()
	e.srv.DropWebsockets()
	assert.True(t, wait(t, connected))
	got := putsOf()
	assert.Equal(t, info, got[0])
	assert.Contains(t, got, "PUT "+dyn+"res_pjsip/endpoint/alice")
	wait(t, reports)
	assert.Equal(t, "elsewhere", e.object("res_pjsip", "endpoint", "alice")["context"])
	select {
	case r := <-reports:
		t.Fatalf("unexpected report %v", r)
	default:
	}
}

func TestOnConnectRetriesAfterFailure(t *testing.T) {
	e := newEnv(t)
	var errs []error
	c := e.configurator(configurator.Config{OnReport: func(r configurator.Report, err error) { errs = append(errs, err) }})
	require.NoError(t, c.Declare(configurator.Identify{ID: "i", Endpoint: "e", Match: []string{"bad address"}}))
	c.OnConnect(ctx(t), false)
	c.OnConnect(ctx(t), true) // the same Asterisk, but the last run failed
	require.Len(t, errs, 2)
	assert.ErrorIs(t, errs[0], configurator.ErrRejected)
	assert.ErrorIs(t, errs[1], configurator.ErrRejected)

	require.NoError(t, c.Set(configurator.Identify{ID: "i", Endpoint: "e", Match: []string{"192.0.2.1"}}))
	c.OnConnect(ctx(t), true)
	c.OnConnect(ctx(t), true)
	require.Len(t, errs, 3, "reconciled once, then not again")
	assert.NoError(t, errs[2])

	// A manual Reconcile also counts for "nothing changed".
	require.NoError(t, c.Set(configurator.Identify{ID: "i", Endpoint: "e", Match: []string{"192.0.2.2"}}))
	_, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.rec.take()
	c.OnConnect(ctx(t), true)
	e.expect("GET /asterisk/info?only=status")
	assert.Len(t, errs, 4)
}

// flakyInfo fails GetInfo while fail is set.
type flakyInfo struct {
	configurator.AsteriskAPI
	fail bool
}

func (f *flakyInfo) GetInfo(ctx context.Context, p *resources.AsteriskGetInfoParams) (*ari.AsteriskInfo, error) {
	if f.fail {
		return nil, &ari.Error{Op: "asterisk.getInfo", Method: "GET", Path: "/asterisk/info", Status: 503}
	}
	return f.AsteriskAPI.GetInfo(ctx, p)
}

func TestOnConnectWithoutStartupTime(t *testing.T) {
	e := newEnv(t)
	api := &flakyInfo{AsteriskAPI: resources.New(e.client).Asterisk, fail: true}
	c, err := configurator.New(configurator.Config{Asterisk: api, Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	require.NoError(t, err)
	require.NoError(t, c.Declare(configurator.AOR{ID: "a"}))

	// Without the startup time, it reconciles anyway, and again at the
	// next connection since it cannot tell whether Asterisk restarted.
	c.OnConnect(ctx(t), false)
	assert.Contains(t, e.logs.String(), "cannot read Asterisk's startup time; reconciling anyway")
	assert.Equal(t, []string{"a"}, e.srv.DynamicConfig().IDs("res_pjsip", "aor"))
	e.rec.take()
	api.fail = false
	c.OnConnect(ctx(t), true)
	e.expect("GET /asterisk/info?only=status", "GET "+dyn+"res_pjsip/aor/a")
	c.OnConnect(ctx(t), true)
	e.expect("GET /asterisk/info?only=status")

	// A context that ended (the runtime stopping): nothing is done.
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, c.Declare(configurator.AOR{ID: "b"}))
	c.OnConnect(cctx, true)
	assert.Equal(t, []string{"a"}, e.srv.DynamicConfig().IDs("res_pjsip", "aor"))
	assert.NotContains(t, e.logs.String(), "level=ERROR")
}

package ari_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

// startRESTStream runs an events stream for app against srv and returns
// it once connected; it stops when the test ends.
func startRESTStream(t testing.TB, srv *aritest.Server, app string, deliver func(ari.Frame)) *ari.EventStream {
	t.Helper()
	if deliver == nil {
		deliver = func(ari.Frame) {}
	}
	up := make(chan struct{}, 1)
	stream := srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{app}, OnState: func(sc ari.StateChange) {
		if sc.State == ari.StateConnected {
			select {
			case up <- struct{}{}:
			default:
			}
		}
	}})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = stream.Run(ctx, deliver) }()
	t.Cleanup(func() { stop(); <-done })
	wctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitApp(wctx, app))
	select {
	case <-up:
	case <-wctx.Done():
		t.Fatal("the events websocket did not connect")
	}
	return stream
}

// TestRESTClientAritest sends every kind of request over the events
// websocket of the simulator: GET with a query, POST with a JSON body,
// DELETE, and errors with Asterisk's message.
func TestRESTClientAritest(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	stream := startRESTStream(t, srv, "wsapp", nil)
	rc := resources.New(stream.RESTClient())
	ctx := context.Background()

	ping, err := rc.Asterisk.Ping(ctx)
	require.NoError(t, err)
	assert.Equal(t, "pong", ping.Ping)

	require.NoError(t, rc.Asterisk.SetGlobalVar(ctx, &resources.AsteriskSetGlobalVarParams{Variable: "WSVAR", Value: "7"}))
	v, err := rc.Asterisk.GetGlobalVar(ctx, &resources.AsteriskGetGlobalVarParams{Variable: "WSVAR"})
	require.NoError(t, err)
	assert.Equal(t, "7", v.Value)

	ch, err := rc.Channels.Originate(ctx, &resources.ChannelOriginateParams{
		Endpoint: "Local/100@default", App: "wsapp", ChannelID: "rw-1",
		Variables: ari.Vars{"CALLERID(name)": {Value: "Alice"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "rw-1", ch.ID)

	_, err = rc.Channels.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Local/100@default", App: "wsapp", ChannelID: "rw-1"})
	var e *ari.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusConflict, e.Status)
	assert.Equal(t, "Channel with given unique ID already exists", e.Message)
	assert.Equal(t, "channels.originate", e.Op)

	require.NoError(t, rc.Channels.Hangup(ctx, "rw-1", nil))

	_, err = rc.Channels.Get(ctx, "nosuch")
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusNotFound, e.Status)
	assert.Equal(t, "Channel not found", e.Message)
	assert.Equal(t, "Channel not found", e.Reason)
	assert.True(t, errors.Is(err, ari.ErrNotFound), "errors.Is(err, ari.ErrNotFound)")

	st := stream.Stats()
	assert.Equal(t, st.RESTRequests, st.RESTResponses)
	assert.EqualValues(t, 0, st.LateResponses)
}

// TestRESTClientSameResults runs a sample of operations over HTTP and over
// the websocket against twin simulators and compares the results.
func TestRESTClientSameResults(t *testing.T) {
	type result struct {
		Value  any
		Status int
		Msg    string
	}
	ops := []struct {
		name string
		run  func(ctx context.Context, rc *resources.Client) (any, error)
	}{
		{"asterisk.getInfo", func(ctx context.Context, rc *resources.Client) (any, error) {
			info, err := rc.Asterisk.GetInfo(ctx, nil)
			if info != nil {
				return info.System.Version, err
			}
			return nil, err
		}},
		{"asterisk.setGlobalVar", func(ctx context.Context, rc *resources.Client) (any, error) {
			return nil, rc.Asterisk.SetGlobalVar(ctx, &resources.AsteriskSetGlobalVarParams{Variable: "X", Value: "a b&c"})
		}},
		{"asterisk.getGlobalVar", func(ctx context.Context, rc *resources.Client) (any, error) {
			return rc.Asterisk.GetGlobalVar(ctx, &resources.AsteriskGetGlobalVarParams{Variable: "X"})
		}},
		{"bridges.createWithId", func(ctx context.Context, rc *resources.Client) (any, error) {
			b, err := rc.Bridges.CreateWithID(ctx, "b1", &resources.BridgeCreateWithIDParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}, Name: "n"})
			if b != nil {
				return []string{b.ID, b.Name, string(b.BridgeType)}, err
			}
			return nil, err
		}},
		{"bridges.list", func(ctx context.Context, rc *resources.Client) (any, error) {
			bs, err := rc.Bridges.List(ctx)
			ids := []string{}
			for _, b := range bs {
				ids = append(ids, b.ID)
			}
			return ids, err
		}},
		{"bridges.get 404", func(ctx context.Context, rc *resources.Client) (any, error) {
			return rc.Bridges.Get(ctx, "nosuch")
		}},
		{"channels.answer 404", func(ctx context.Context, rc *resources.Client) (any, error) {
			return nil, rc.Channels.Answer(ctx, "nosuch")
		}},
		{"channels.list", func(ctx context.Context, rc *resources.Client) (any, error) {
			cs, err := rc.Channels.List(ctx)
			return len(cs), err
		}},
		{"endpoints.list", func(ctx context.Context, rc *resources.Client) (any, error) {
			es, err := rc.Endpoints.List(ctx)
			return len(es), err
		}},
		{"applications.get", func(ctx context.Context, rc *resources.Client) (any, error) {
			a, err := rc.Applications.Get(ctx, "wsapp")
			if a != nil {
				return a.Name, err
			}
			return nil, err
		}},
	}
	run := func(t *testing.T, overWS bool) []result {
		srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
		stream := startRESTStream(t, srv, "wsapp", nil)
		c := srv.Client()
		if overWS {
			c = stream.RESTClient()
		}
		rc := resources.New(c)
		var out []result
		for _, op := range ops {
			v, err := op.run(context.Background(), rc)
			r := result{Value: v}
			var e *ari.Error
			if errors.As(err, &e) && e.Status != 0 {
				r.Value, r.Status, r.Msg = nil, e.Status, e.Message
			} else if err != nil {
				t.Fatalf("%s: %v", op.name, err)
			}
			out = append(out, r)
		}
		if overWS {
			assert.EqualValues(t, len(ops), stream.Stats().RESTRequests)
		}
		return out
	}
	overHTTP := run(t, false)
	overWS := run(t, true)
	for i, op := range ops {
		assert.Equal(t, overHTTP[i], overWS[i], op.name)
	}
}

// BenchmarkRESTTransport compares a typed call (asterisk.getGlobalVar)
// over HTTP, over the events websocket and over an outbound websocket the
// simulator opened, in the same run.
func BenchmarkRESTTransport(b *testing.B) {
	conns := make(chan *ari.OutboundConn, 1)
	h, err := ari.NewOutboundHandler(ari.OutboundConfig{AllowUnauthenticated: true, Serve: func(c *ari.OutboundConn) {
		conns <- c
		_ = c.Run(context.Background(), func(ari.Frame) {})
	}})
	require.NoError(b, err)
	app := httptest.NewServer(h)
	b.Cleanup(func() { h.Close(); app.Close() })
	srv := aritest.Start(b, aritest.Config{Timing: aritest.FastTiming(), Outbound: []aritest.OutboundWebsocket{
		{Name: "ob", Apps: []string{"obapp"}, URI: "ws" + strings.TrimPrefix(app.URL, "http") + "/ari"},
	}})
	stream := startRESTStream(b, srv, "wsapp", nil)
	out := <-conns
	ctx := context.Background()
	p := &resources.AsteriskGetGlobalVarParams{Variable: "X"}
	for _, tc := range []struct {
		name string
		c    *ari.Client
	}{{"http", srv.Client()}, {"websocket", stream.RESTClient()}, {"outbound", out.RESTClient()}} {
		rc := resources.New(tc.c)
		require.NoError(b, rc.Asterisk.SetGlobalVar(ctx, &resources.AsteriskSetGlobalVarParams{Variable: "X", Value: "1"}))
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rc.Asterisk.GetGlobalVar(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

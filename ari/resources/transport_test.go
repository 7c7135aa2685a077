package resources_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// transportResult is what a call gave, comparable across transports.
type transportResult struct {
	Value  any
	Status int
	Msg    string
	Reason string
	Err    string
}

// volatile names the members whose values depend on when a call ran.
var volatile = map[string]bool{"creationtime": true, "timestamp": true, "startup_time": true, "last_reload_time": true, "date": true, "time": true}

// generatedID matches the ids a simulator makes up (uuids, and
// channel ids built from the clock).
var generatedID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|aritest-[0-9]+`)

// normalize turns a result into JSON values without the volatile members.
func normalize(t *testing.T, v any) any {
	if rc, ok := v.(io.ReadCloser); ok {
		b, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		return string(b)
	}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	var strip func(any) any
	strip = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				if volatile[k] {
					delete(x, k)
				} else {
					x[k] = strip(e)
				}
			}
		case []any:
			for i, e := range x {
				x[i] = strip(e)
			}
		case string:
			return generatedID.ReplaceAllString(x, "ID")
		}
		return x
	}
	return strip(out)
}

// Transports of TestEveryOperationOverWebsocket.
const (
	overHTTPMode     = iota
	overEventsMode   // REST over the events websocket
	overOutboundMode // REST over an outbound websocket the simulator opened
)

// restClient returns a REST client of srv over mode's transport, for apps
// (an events websocket or an outbound one registers them); it closes when
// the test ends. It also returns the websocket's stats.
func restClient(t *testing.T, mode int, apps []string) (*ari.Client, *aritest.Server, func() ari.EventStreamStats) {
	t.Helper()
	cfg := aritest.Config{Timing: aritest.FastTiming()}
	if mode != overOutboundMode {
		srv := aritest.Start(t, cfg)
		up := make(chan struct{}, 1)
		stream := srv.Client().EventStream(ari.EventStreamConfig{Apps: apps, OnState: func(sc ari.StateChange) {
			if sc.State == ari.StateConnected {
				select {
				case up <- struct{}{}:
				default:
				}
			}
		}})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = stream.Run(ctx, func(ari.Frame) {}) }()
		t.Cleanup(func() { stop(); <-done })
		select {
		case <-up:
		case <-time.After(5 * time.Second):
			t.Fatal("the events websocket did not connect")
		}
		if mode == overHTTPMode {
			return srv.Client(), srv, stream.Stats
		}
		return stream.RESTClient(), srv, stream.Stats
	}
	conns := make(chan *ari.OutboundConn, 1)
	h, err := ari.NewOutboundHandler(ari.OutboundConfig{Username: "u", Password: "p", Serve: func(c *ari.OutboundConn) {
		conns <- c
		_ = c.Run(context.Background(), func(ari.Frame) {})
	}})
	require.NoError(t, err)
	app := httptest.NewServer(h)
	cfg.Outbound = []aritest.OutboundWebsocket{{Name: "ob", Apps: apps, URI: "ws" + strings.TrimPrefix(app.URL, "http") + "/ari", Username: "u", Password: "p"}}
	srv := aritest.Start(t, cfg)
	t.Cleanup(func() { h.Close(); app.Close() })
	var conn *ari.OutboundConn
	select {
	case conn = <-conns:
	case <-time.After(5 * time.Second):
		t.Fatal("the simulator did not dial the outbound handler")
	}
	return conn.RESTClient(), srv, conn.Stats
}

// TestEveryOperationOverWebsocket runs every operation's cases, in order,
// against three simulators: one over HTTP, one over REST on the events
// websocket (ari.EventStream.RESTClient), one over REST on an outbound
// websocket the simulator opened (ari.OutboundConn.RESTClient), and checks
// that each gives the same result or the same *ari.Error.
func TestEveryOperationOverWebsocket(t *testing.T) {
	run := func(mode int) []transportResult {
		// The responses go to the first app; the cases change the
		// second's event filter.
		c, srv, stats := restClient(t, mode, []string{"wsapp", "router"})
		rc := resources.New(c)
		setupState(t, srv, resources.New(srv.Client()))
		var out []transportResult
		for _, tc := range opCases {
			if tc.op == "events.eventWebsocket" {
				continue
			}
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			v, err := tc.call(cctx, rc)
			r := transportResult{}
			var e *ari.Error
			switch {
			case errors.As(err, &e):
				r.Status, r.Msg, r.Reason = e.Status, e.Message, e.Reason
				if e.Err != nil {
					r.Err = e.Err.Error()
				}
			case err != nil:
				r.Err = err.Error()
			default:
				r.Value = normalize(t, v)
			}
			cancel()
			out = append(out, r)
			settle(t, tc.op, tc.name, resources.New(srv.Client()))
		}
		if mode != overHTTPMode {
			st := stats()
			assert.Positive(t, st.RESTRequests)
			assert.Equal(t, st.RESTRequests, st.RESTResponses)
		}
		return out
	}
	overHTTP := run(overHTTPMode)
	for _, mode := range []struct {
		name string
		mode int
	}{{"events websocket", overEventsMode}, {"outbound websocket", overOutboundMode}} {
		overWS := run(mode.mode)
		i, okCalls := 0, 0
		ops := map[string]bool{}
		for _, tc := range opCases {
			if tc.op == "events.eventWebsocket" {
				continue
			}
			ops[tc.op] = true
			name := mode.name + ": " + tc.op
			if tc.name != "" {
				name += "/" + tc.name
			}
			assert.Equal(t, overHTTP[i], overWS[i], name)
			assert.False(t, strings.Contains(overWS[i].Err, "websocket"), name)
			if overWS[i].Status == 0 && overWS[i].Err == "" {
				okCalls++
			}
			i++
		}
		t.Logf("%s: %d operations, %d cases (%d succeeded, the others gave the same error), same result as over HTTP", mode.name, len(ops), i, okCalls)
	}
}

// settle waits, after a case that changes state asynchronously, until
// the change is done, so that the next case meets the same state over
// every transport: a continue answers before the channel has left Stasis.
func settle(t *testing.T, op, name string, rc *resources.Client) {
	if op != "channels.continueInDialplan" || name != "" {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		ch, err := rc.Channels.Get(ctx, chID)
		cancel()
		if err != nil || !strings.HasPrefix(ch.Dialplan.AppName, "Stasis") {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s did not leave Stasis after %s", chID, op)
}

// setupState makes the channels and the bridge the cases name, so that
// more of them succeed: chID and ch2ID in Stasis (router), brID.
func setupState(t *testing.T, srv *aritest.Server, rc *resources.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, id := range []string{chID, ch2ID} {
		_, err := rc.Channels.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Local/400@default", App: "router", ChannelID: id})
		require.NoError(t, err)
		_, err = srv.WaitEvent(ctx, func(e events.Event) bool {
			ss, ok := e.(*events.StasisStart)
			return ok && ss.Channel.ID == id
		})
		require.NoError(t, err)
	}
	_, err := rc.Bridges.CreateWithID(ctx, brID, &resources.BridgeCreateWithIDParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}})
	require.NoError(t, err)
}

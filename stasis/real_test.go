package stasis_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
)

// Tests against a real Asterisk (../shared/real-asterisk builds one:
// 22.10.1 on loopback). They run only when the environment names it:
//
//	GOSTASIS_REAL_ASTERISK=http://asterisk:asterisk@127.0.0.1:8088
//	GOSTASIS_REAL_OUTBOUND=appuser:apppass@127.0.0.1:8765   # outbound tests
//
// The dialplan is the harness's (conf/extensions.conf, plus
// conf-outbound/extensions-outbound.conf for the outbound tests):
// extension 1000 runs Stasis(rt), 1100 Stasis(outapp) (persistent outbound
// websocket) and 1200 Stasis(percall) (one outbound websocket per call);
// websocket_client.conf's uri is ws://<GOSTASIS_REAL_OUTBOUND's address>/ari
// with its username and password. docs/transports.md lists the
// configuration.

// realClient returns a client of the real Asterisk, or skips the test.
// Its idle connections are closed at the end of the test (goleak).
func realClient(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper) *ari.Client {
	t.Helper()
	url := os.Getenv("GOSTASIS_REAL_ASTERISK")
	if url == "" {
		t.Skip("GOSTASIS_REAL_ASTERISK is not set: no real Asterisk to test against")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	var rt http.RoundTripper = tr
	if wrap != nil {
		rt = wrap(tr)
	}
	c, err := ari.NewClient(ari.Config{URL: url, HTTPClient: &http.Client{Transport: rt}})
	require.NoError(t, err)
	return c
}

// realClientAt is a client of the Asterisk at url, which is
// GOSTASIS_REAL_ASTERISK or another such variable.
func realClientAt(t *testing.T, url string) *ari.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c, err := ari.NewClient(ari.Config{URL: url, HTTPClient: &http.Client{Transport: tr}})
	require.NoError(t, err)
	return c
}

// countingTransport counts the HTTP requests that are not the version
// discovery.
type countingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != "/ari/asterisk/info" {
		c.n.Add(1)
	}
	return c.next.RoundTrip(r)
}

// realFlow is the call flow of the real tests: answer, play hello-world,
// wait for the end of the playback, hang up. Each finished flow sends its
// call on done.
type realFlow struct {
	call *stasis.Call
	done chan<- *stasis.Call
	errs chan<- error
}

func (f *realFlow) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	c := f.call
	err := func() error {
		if err := c.Answer(ctx); err != nil {
			return fmt.Errorf("answer: %w", err)
		}
		pb, err := c.REST().Channels.Play(ctx, c.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
		if err != nil {
			return fmt.Errorf("play: %w", err)
		}
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if _, err := c.WaitPlaybackFinished(wctx, pb.ID); err != nil {
			return fmt.Errorf("wait for the playback: %w", err)
		}
		if err := c.Hangup(ctx, resources.HangupReasonNormal); err != nil {
			return fmt.Errorf("hangup: %w", err)
		}
		return nil
	}()
	if err != nil {
		f.errs <- err
		return err
	}
	f.done <- c
	return nil
}

func realApp(name string, done chan<- *stasis.Call, errs chan<- error) stasis.App {
	return stasis.App{Name: name, New: func(ctx context.Context, call *stasis.Call) (any, error) {
		return &realFlow{call: call, done: done, errs: errs}, nil
	}}
}

// dialLocal originates Local/<exten>@default whose ;1 half waits: the ;2
// half runs exten's dialplan.
func dialLocal(ctx context.Context, t *testing.T, rest *resources.Client, exten string) *ari.Channel {
	t.Helper()
	ch, err := rest.Channels.Originate(ctx, &resources.ChannelOriginateParams{
		Endpoint: "Local/" + exten + "@default", Context: "default", Extension: "wait", Priority: 1,
	})
	require.NoError(t, err)
	return ch
}

// awaitFlow waits for one flow to finish.
func awaitFlow(t *testing.T, done <-chan *stasis.Call, errs <-chan error) *stasis.Call {
	t.Helper()
	select {
	case c := <-done:
		return c
	case err := <-errs:
		t.Fatalf("call flow: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the call flow did not finish within 30s")
	}
	return nil
}

// serveOutboundReal serves rt's outbound handler at addr/ari, where the
// real Asterisk's websocket_client.conf points, and runs rt.
func serveOutboundReal(t *testing.T, rt *stasis.Runtime, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/ari", rt.OutboundHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	runReal(t, rt)
}

func runReal(t *testing.T, rt *stasis.Runtime) {
	t.Helper()
	ran := make(chan error, 1)
	go func() { ran <- rt.Run(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, rt.Shutdown(ctx))
		assert.ErrorIs(t, <-ran, stasis.ErrRuntimeClosed)
	})
}

// TestRealRESTOverWebsocket runs a call flow whose REST goes over the
// events websocket: no request of the flow uses HTTP.
func TestRealRESTOverWebsocket(t *testing.T) {
	counter := &countingTransport{}
	client := realClient(t, func(next http.RoundTripper) http.RoundTripper { counter.next = next; return counter })
	dialer := realClient(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	done, errs := make(chan *stasis.Call, 1), make(chan error, 1)
	connected := make(chan struct{})
	var once sync.Once
	rt, err := stasis.New(stasis.Config{
		Client: client, Transport: stasis.TransportWebsocket,
		Apps: []stasis.App{realApp("rt", done, errs)},
		OnState: func(sc ari.StateChange) {
			if sc.State == ari.StateConnected {
				once.Do(func() { close(connected) })
			}
		},
	})
	require.NoError(t, err)
	runReal(t, rt)
	<-connected

	ch := dialLocal(ctx, t, resources.New(dialer), "1000")
	call := awaitFlow(t, done, errs)
	assert.Equal(t, "rt", call.AppID)
	assert.True(t, strings.HasPrefix(ch.Name, "Local/1000@default"), ch.Name)
	assert.Zero(t, counter.n.Load(), "no REST request of the flow went over HTTP")
	assert.Eventually(t, func() bool {
		_, err := resources.New(dialer).Channels.Get(ctx, call.ChannelID)
		return errors.Is(err, ari.ErrNotFound)
	}, 5*time.Second, 50*time.Millisecond, "the flow hung up")
}

// TestRealOutbound serves Asterisk's outbound websockets: app outapp on
// the persistent connection, app percall on one connection per call.
func TestRealOutbound(t *testing.T) {
	dialer := realClient(t, nil)
	spec := os.Getenv("GOSTASIS_REAL_OUTBOUND")
	if spec == "" {
		t.Skip("GOSTASIS_REAL_OUTBOUND is not set (user:password@host:port of websocket_client.conf)")
	}
	creds, addr, ok := strings.Cut(spec, "@")
	user, pass, ok2 := strings.Cut(creds, ":")
	require.True(t, ok && ok2, "GOSTASIS_REAL_OUTBOUND is user:password@host:port")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	done, errs := make(chan *stasis.Call, 1), make(chan error, 1)
	persistent := make(chan struct{})
	var once sync.Once
	rt, err := stasis.New(stasis.Config{
		Outbound: &ari.OutboundConfig{Username: user, Password: pass},
		Apps:     []stasis.App{realApp("outapp", done, errs), realApp("percall", done, errs)},
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
		OnState: func(sc ari.StateChange) {
			if sc.State == ari.StateConnected && len(sc.Apps) == 1 && sc.Apps[0] == "outapp" {
				once.Do(func() { close(persistent) })
			}
		},
	})
	require.NoError(t, err)
	serveOutboundReal(t, rt, addr)

	select {
	case <-persistent: // Asterisk retries every reconnect_interval
	case <-time.After(15 * time.Second):
		t.Fatal("Asterisk did not open the persistent outbound websocket within 15s")
	}

	info, err := resources.New(dialer).Asterisk.GetInfo(ctx, &resources.AsteriskGetInfoParams{Only: []resources.GetInfoOnly{resources.GetInfoOnlySystem}})
	require.NoError(t, err)
	t.Run("persistent", func(t *testing.T) {
		dialLocal(ctx, t, resources.New(dialer), "1100")
		call := awaitFlow(t, done, errs)
		assert.Equal(t, "outapp", call.App)
		assert.Equal(t, "outapp", call.AppID)
		assert.Equal(t, info.System.EntityID, call.Node, "the node is the server's asterisk_id")
	})
	t.Run("per-call", func(t *testing.T) {
		before := rt.OutboundStats().Accepted
		dialLocal(ctx, t, resources.New(dialer), "1200")
		call := awaitFlow(t, done, errs)
		assert.Equal(t, "percall", call.App)
		assert.True(t, strings.HasPrefix(call.AppID, "percall:Local/1200@default-"), call.AppID)
		assert.Equal(t, info.System.EntityID, call.Node)
		assert.Greater(t, rt.OutboundStats().Accepted, before, "a connection of its own")
	})
	t.Run("no-refusals", func(t *testing.T) {
		// Asterisk presents its credentials on every attempt; the handler
		// counts none refused.
		assert.Zero(t, rt.OutboundStats().Unauthorized)
	})
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("out of time")
	}
}

// TestRealAdoptFromADeadApp checks on a real Asterisk what
// ClusterConfig relies on: a channel left in Stasis by an app whose
// websocket is gone can be moved into another app, which gets its
// StasisStart with the move's arguments.
func TestRealAdoptFromADeadApp(t *testing.T) {
	client := realClient(t, nil)
	rest := resources.New(client)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The dead instance: an events websocket for app w-dead, closed once a
	// channel is in it.
	entered := make(chan string, 1)
	dead := client.EventStream(ari.EventStreamConfig{Apps: []string{"w-dead"}})
	dctx, stop := context.WithCancel(ctx)
	deadDone := make(chan struct{})
	go func() {
		defer close(deadDone)
		_ = dead.Run(dctx, func(f ari.Frame) {
			if e, err := events.Decode(f.Data); err == nil {
				if s, ok := e.(*events.StasisStart); ok {
					entered <- s.Channel.ID
				}
			}
		})
	}()
	time.Sleep(300 * time.Millisecond) // registered
	ch, err := rest.Channels.Originate(ctx, &resources.ChannelOriginateParams{
		Endpoint: "Local/wait@default", App: "w-dead",
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = rest.Channels.Hangup(context.Background(), ch.ID, nil) })
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the channel did not enter w-dead")
	}
	stop()
	<-deadDone

	// The live instance adopts it.
	done, errs := make(chan *stasis.Call, 1), make(chan error, 1)
	rt, err := stasis.New(stasis.Config{Client: client, Apps: []stasis.App{{Name: "w-live", New: func(ctx context.Context, call *stasis.Call) (any, error) {
		return adoptRecorder{call: call, done: done}, nil
	}}}})
	require.NoError(t, err)
	runReal(t, rt)
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, rest.Channels.Move(ctx, ch.ID, &resources.ChannelMoveParams{App: "w-live", AppArgs: []string{stasis.AdoptedArg, "w-dead"}}))
	call := awaitFlow(t, done, errs)
	assert.Equal(t, ch.ID, call.ChannelID)
	assert.Equal(t, []string{stasis.AdoptedArg, "w-dead"}, call.Args)
}

type adoptRecorder struct {
	call *stasis.Call
	done chan<- *stasis.Call
}

func (a adoptRecorder) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	a.done <- a.call
	return a.call.Hangup(ctx, resources.HangupReasonNormal)
}

// TestRealOutboundTwoServers has two real Asterisk servers dial one
// runtime's outbound handler (GOSTASIS_REAL_ASTERISK2 names the second,
// with its own entity_id and the same websocket_client.conf): a call on
// each runs its whole flow (answer, play, hang-up) on its own server, on
// a node named by that server's entity_id.
func TestRealOutboundTwoServers(t *testing.T) {
	url2 := os.Getenv("GOSTASIS_REAL_ASTERISK2")
	spec := os.Getenv("GOSTASIS_REAL_OUTBOUND")
	if url2 == "" || spec == "" {
		t.Skip("GOSTASIS_REAL_ASTERISK2 and GOSTASIS_REAL_OUTBOUND are not both set")
	}
	dialers := []*ari.Client{realClient(t, nil), realClientAt(t, url2)}
	creds, addr, _ := strings.Cut(spec, "@")
	user, pass, _ := strings.Cut(creds, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var ids []string
	for _, d := range dialers {
		info, err := resources.New(d).Asterisk.GetInfo(ctx, &resources.AsteriskGetInfoParams{Only: []resources.GetInfoOnly{resources.GetInfoOnlySystem}})
		require.NoError(t, err)
		ids = append(ids, info.System.EntityID)
	}
	require.NotEqual(t, ids[0], ids[1], "the servers need entity_ids of their own")

	done, errs := make(chan *stasis.Call, 2), make(chan error, 2)
	rt, err := stasis.New(stasis.Config{
		Outbound: &ari.OutboundConfig{Username: user, Password: pass},
		Apps:     []stasis.App{realApp("outapp", done, errs), realApp("percall", done, errs)},
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	require.NoError(t, err)
	serveOutboundReal(t, rt, addr)
	// Both persistent connections are up (Asterisk retries every
	// reconnect_interval).
	require.Eventually(t, func() bool {
		up := 0
		for _, n := range rt.Stats().Nodes {
			if n.Connected {
				up++
			}
		}
		return up == 2
	}, 20*time.Second, 50*time.Millisecond, "both servers dialed in")

	for _, exten := range []string{"1100", "1200"} {
		for _, d := range dialers {
			dialLocal(ctx, t, resources.New(d), exten)
		}
		nodes := map[string]bool{}
		for range dialers {
			call := awaitFlow(t, done, errs)
			nodes[call.Node] = true
		}
		assert.Equal(t, map[string]bool{ids[0]: true, ids[1]: true}, nodes, "extension %s: a call on each server, each on its node", exten)
	}
	assert.Zero(t, rt.Stats().SyntheticEnds)
}

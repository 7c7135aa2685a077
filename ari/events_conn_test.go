package ari

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wsServer is a fake Asterisk events endpoint. refuse, when set, may answer
// the upgrade request itself (returning true); handle runs on each
// accepted connection n (from 1) and the connection is closed when it
// returns.
type wsServer struct {
	srv      *httptest.Server
	refuse   func(n int, w http.ResponseWriter, r *http.Request) bool
	handle   func(n int, c *websocket.Conn)
	attempts atomic.Int32
	accepted atomic.Int32

	mu    sync.Mutex
	reqs  []*http.Request
	conns []*websocket.Conn
	times []time.Time // arrival of each attempt
	wg    sync.WaitGroup
	done  chan struct{} // closed at cleanup: handlers must return
}

func newWSServer(t *testing.T, refuse func(int, http.ResponseWriter, *http.Request) bool, handle func(int, *websocket.Conn)) *wsServer {
	t.Helper()
	s := &wsServer{refuse: refuse, handle: handle, done: make(chan struct{})}
	up := websocket.Upgrader{Subprotocols: []string{"ari"}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.attempts.Add(1))
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.times = append(s.times, time.Now())
		s.mu.Unlock()
		if s.refuse != nil && s.refuse(n, w, r) {
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		k := int(s.accepted.Add(1))
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		defer c.Close()
		if s.handle != nil {
			s.handle(k, c)
		}
	}))
	t.Cleanup(func() {
		close(s.done)
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
		s.srv.Close()
	})
	return s
}

func (s *wsServer) request(i int) *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[i]
}

// drain reads (and so answers pings) until the connection fails.
func drain(c *websocket.Conn) {
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
	}
}

// recorder collects what Run reports, in order.
type recorder struct {
	mu     sync.Mutex
	log    []any // StateChange or Frame
	states []StateChange
	times  []time.Time
	frames []Frame
	ch     chan any
}

func newRecorder() *recorder { return &recorder{ch: make(chan any, 10000)} }

func (r *recorder) onState(sc StateChange) {
	r.mu.Lock()
	r.log = append(r.log, sc)
	r.states = append(r.states, sc)
	r.times = append(r.times, time.Now())
	r.mu.Unlock()
	r.ch <- sc
}

func (r *recorder) deliver(f Frame) {
	r.mu.Lock()
	r.log = append(r.log, f)
	r.frames = append(r.frames, f)
	r.mu.Unlock()
	r.ch <- f
}

func (r *recorder) snapshot() ([]StateChange, []time.Time, []Frame, []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]StateChange(nil), r.states...), append([]time.Time(nil), r.times...),
		append([]Frame(nil), r.frames...), append([]any(nil), r.log...)
}

// waitState waits for a state change matching pred.
func (r *recorder) waitState(t *testing.T, what string, pred func(StateChange) bool) StateChange {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case x := <-r.ch:
			if sc, ok := x.(StateChange); ok && pred(sc) {
				return sc
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func is(st ConnState) func(StateChange) bool {
	return func(sc StateChange) bool { return sc.State == st }
}

// runStream starts Run in a goroutine; the returned function cancels it
// and returns Run's error and how long it took to return.
func runStream(t *testing.T, s *EventStream, rec *recorder) (stop func() (error, time.Duration)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx, rec.deliver) }()
	var once sync.Once
	var err error
	var took time.Duration
	stop = func() (error, time.Duration) {
		once.Do(func() {
			start := time.Now()
			cancel()
			select {
			case err = <-errc:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after cancel")
			}
			took = time.Since(start)
		})
		return err, took
	}
	t.Cleanup(func() { stop() })
	return stop
}

func TestEventStreamDelivers(t *testing.T) {
	const n = 200
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		for i := range n {
			if err := c.WriteMessage(websocket.TextMessage, []byte(`{"type":"Test","i":`+strconv.Itoa(i)+`}`)); err != nil {
				return
			}
		}
		drain(c)
	})
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{Apps: []string{"app one", "b"}, SubscribeAll: true, OnState: rec.onState})
	stop := runStream(t, s, rec)

	require.Eventually(t, func() bool { _, _, f, _ := rec.snapshot(); return len(f) == n }, 10*time.Second, 5*time.Millisecond)
	err, took := stop()
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, took, 2*time.Second)

	states, _, frames, log := rec.snapshot()
	for i, f := range frames {
		assert.Equal(t, `{"type":"Test","i":`+strconv.Itoa(i)+`}`, string(f.Data))
		assert.Equal(t, uint64(1), f.Conn)
	}
	// Connected is reported before the first frame.
	require.GreaterOrEqual(t, len(log), 3)
	apps := []string{"app one", "b"}
	assert.Equal(t, StateChange{State: StateConnecting, Attempt: 1, Apps: apps}, log[0])
	assert.Equal(t, StateChange{State: StateConnected, Attempt: 1, Conn: 1, Apps: apps}, log[1])
	assert.IsType(t, Frame{}, log[2])
	last := states[len(states)-1]
	assert.Equal(t, StateStopped, last.State)
	assert.ErrorIs(t, last.Err, context.Canceled)

	req := ws.request(0)
	assert.Equal(t, "/ari/events", req.URL.Path)
	assert.Equal(t, "app=app%20one,b&subscribeAll=true", req.URL.RawQuery)
	assert.Equal(t, []string{"app one,b"}, req.URL.Query()["app"])
	u, p, ok := req.BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, "asterisk", u)
	assert.Equal(t, "s3cret-pass", p)
	assert.Equal(t, "ari", req.Header.Get("Sec-WebSocket-Protocol"))
	assert.Equal(t, s.URL(), "ws"+ws.srv.URL[len("http"):]+"/ari/events?app=app%20one,b&subscribeAll=true")
}

func TestEventStreamReconnectBackoff(t *testing.T) {
	// Each connection sends its number twice, then the server drops it.
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		for range 2 {
			c.WriteMessage(websocket.TextMessage, []byte(strconv.Itoa(k)))
		}
	})
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	b := Backoff{Initial: 10 * time.Millisecond, Max: 80 * time.Millisecond, Multiplier: 2, Jitter: -1}
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, Backoff: b, StableAfter: time.Hour, OnState: rec.onState})
	stop := runStream(t, s, rec)
	for range 6 {
		rec.waitState(t, "connected", is(StateConnected))
	}
	_, _ = stop()

	states, times, _, log := rec.snapshot()
	// Expected: Connecting, Connected, Disconnected, repeated, with the
	// attempt number and the delay growing on every (unstable) drop.
	var conns uint64
	retries := []time.Duration{}
	for i, sc := range states {
		switch sc.State {
		case StateConnected:
			conns++
			assert.Equal(t, conns, sc.Conn)
			assert.Equal(t, conns > 1, sc.Reconnect)
			assert.Equal(t, int(conns), sc.Attempt)
			require.Equal(t, StateConnecting, states[i-1].State)
		case StateDisconnected:
			if sc.RetryIn == 0 || errors.Is(sc.Err, context.Canceled) {
				continue
			}
			retries = append(retries, sc.RetryIn)
			require.Less(t, i+1, len(states))
			if states[i+1].State == StateConnecting {
				// Attempts are spaced by at least the announced delay.
				assert.GreaterOrEqual(t, times[i+1].Sub(times[i]), sc.RetryIn-time.Millisecond)
			}
		}
	}
	require.GreaterOrEqual(t, len(retries), 5)
	assert.Equal(t, []time.Duration{10, 20, 40, 80, 80}, msSlice(retries[:5]))

	// Each connection's frames come after its Connected, with its number.
	var cur uint64
	for _, x := range log {
		switch v := x.(type) {
		case StateChange:
			if v.State == StateConnected {
				cur = v.Conn
			}
		case Frame:
			assert.Equal(t, cur, v.Conn)
			assert.Equal(t, strconv.FormatUint(cur, 10), string(v.Data))
		}
	}
}

func msSlice(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d / time.Millisecond
	}
	return out
}

// TestEventStreamNoTightLoop counts the attempts in a window against
// servers that fail at once; a loop without backoff would make thousands.
func TestEventStreamNoTightLoop(t *testing.T) {
	tests := []struct {
		name   string
		refuse func(int, http.ResponseWriter, *http.Request) bool
		handle func(int, *websocket.Conn)
		status int
	}{
		{"refuses the upgrade", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return true
		}, nil, 503},
		{"accepts then drops", nil, func(int, *websocket.Conn) {}, 0},
		{"sends a frame then drops", nil, func(_ int, c *websocket.Conn) {
			c.WriteMessage(websocket.TextMessage, []byte(`{}`))
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := newWSServer(t, tt.refuse, tt.handle)
			client := newTestClient(t, ws.srv, Config{})
			rec := newRecorder()
			b := Backoff{Initial: 10 * time.Millisecond, Max: 80 * time.Millisecond}
			s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, Backoff: b, OnState: rec.onState})
			stop := runStream(t, s, rec)
			time.Sleep(500 * time.Millisecond)
			_, _ = stop()
			n := ws.attempts.Load()
			// 10+20+40+80+80... ms with up to 20% jitter: about 8 in 500ms.
			assert.GreaterOrEqual(t, n, int32(3))
			assert.LessOrEqual(t, n, int32(15))
			if tt.status != 0 {
				states, _, _, _ := rec.snapshot()
				var e *Error
				require.ErrorAs(t, states[1].Err, &e)
				assert.Equal(t, tt.status, e.Status)
				assert.Equal(t, "Service Unavailable", e.Message)
				assert.ErrorIs(t, states[1].Err, ErrUnavailable)
			}
		})
	}
}

func TestEventStreamStableResetsBackoff(t *testing.T) {
	// Connection 1 lives 500ms (stable with StableAfter 300ms), then each
	// later one drops at once.
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		if k == 1 {
			time.Sleep(500 * time.Millisecond)
		}
	})
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	b := Backoff{Initial: 5 * time.Millisecond, Max: time.Second, Jitter: -1}
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, Backoff: b, StableAfter: 300 * time.Millisecond, OnState: rec.onState})
	stop := runStream(t, s, rec)
	for range 3 {
		rec.waitState(t, "connected", is(StateConnected))
	}
	_, _ = stop()
	states, _, _, _ := rec.snapshot()
	var disc []StateChange
	for _, sc := range states {
		if sc.State == StateDisconnected && sc.RetryIn > 0 {
			disc = append(disc, sc)
		}
	}
	require.GreaterOrEqual(t, len(disc), 2)
	// After the stable connection: attempt 1 again and the initial delay.
	assert.Equal(t, 1, disc[0].Attempt)
	assert.Equal(t, 5*time.Millisecond, disc[0].RetryIn)
	// After an unstable one: the count and the delay grow.
	assert.Equal(t, 1, disc[1].Attempt)
	assert.Equal(t, 5*time.Millisecond, disc[1].RetryIn)
	if len(disc) > 2 {
		assert.Equal(t, 2, disc[2].Attempt)
		assert.Equal(t, 10*time.Millisecond, disc[2].RetryIn)
	}
}

func TestEventStreamPongTimeout(t *testing.T) {
	// The server never reads, so it never answers pings.
	release := make(chan struct{})
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) { <-release })
	t.Cleanup(func() { close(release) }) // runs before the server's cleanup
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{
		Apps: []string{"a"}, MaxAttempts: 1,
		PingInterval: 20 * time.Millisecond, PongTimeout: 100 * time.Millisecond,
		OnState: rec.onState,
	})
	start := time.Now()
	err := s.Run(context.Background(), rec.deliver)
	took := time.Since(start)
	var ge *GiveUpError
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, 1, ge.Attempts)
	assert.ErrorIs(t, err, ErrPongTimeout)
	assert.GreaterOrEqual(t, took, 90*time.Millisecond)
	assert.Less(t, took, 5*time.Second)
}

func TestEventStreamPingKeepsAlive(t *testing.T) {
	var pings atomic.Int32
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		c.SetPingHandler(func(data string) error {
			pings.Add(1)
			return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		drain(c)
	})
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{
		Apps: []string{"a"}, PingInterval: 50 * time.Millisecond, PongTimeout: 600 * time.Millisecond,
		OnState: rec.onState,
	})
	stop := runStream(t, s, rec)
	rec.waitState(t, "connected", is(StateConnected))
	time.Sleep(1500 * time.Millisecond) // well past PongTimeout
	_, _ = stop()
	states, _, _, _ := rec.snapshot()
	for _, sc := range states {
		if sc.State == StateDisconnected {
			assert.ErrorIs(t, sc.Err, context.Canceled, "only the cancel ends the connection")
		}
	}
	assert.GreaterOrEqual(t, pings.Load(), int32(3))
	assert.Equal(t, int32(1), ws.attempts.Load())
}

// TestEventStreamAnswersServerPings checks the client answers the server's
// pings and that they keep the connection alive without client pings.
func TestEventStreamAnswersServerPings(t *testing.T) {
	var pongs atomic.Int32
	release := make(chan struct{})
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		c.SetPongHandler(func(string) error { pongs.Add(1); return nil })
		go drain(c)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-release:
				return
			case <-tick.C:
				if c.WriteControl(websocket.PingMessage, []byte("x"), time.Now().Add(time.Second)) != nil {
					return
				}
			}
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server's cleanup
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, PingInterval: -1, PongTimeout: 600 * time.Millisecond, OnState: rec.onState})
	stop := runStream(t, s, rec)
	rec.waitState(t, "connected", is(StateConnected))
	time.Sleep(1500 * time.Millisecond) // well past PongTimeout
	_, _ = stop()
	assert.GreaterOrEqual(t, pongs.Load(), int32(3))
	assert.Equal(t, int32(1), ws.attempts.Load())
}

func TestEventStreamMaxAttempts(t *testing.T) {
	const html = "<html><head><title>401 Unauthorized</title></head><body>Authentication required</body></html>"
	ws := newWSServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, html)
		return true
	}, nil)
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, MaxAttempts: 3, Backoff: Backoff{Initial: time.Millisecond}, OnState: rec.onState})
	err := s.Run(context.Background(), rec.deliver)
	var ge *GiveUpError
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, 3, ge.Attempts)
	assert.ErrorIs(t, err, ErrUnauthorized)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.Status)
	assert.Equal(t, html, e.Message)
	assert.Equal(t, "/events", e.Path)
	assert.Equal(t, "events.eventWebsocket", e.Op)
	assert.Equal(t, int32(3), ws.attempts.Load())

	states, _, _, _ := rec.snapshot()
	var got []string
	for _, sc := range states {
		got = append(got, fmt.Sprintf("%s/%d", sc.State, sc.Attempt))
	}
	assert.Equal(t, []string{
		"connecting/1", "disconnected/1", "connecting/2", "disconnected/2",
		"connecting/3", "disconnected/3", "stopped/3",
	}, got)
	assert.Zero(t, states[5].RetryIn)
	assert.Equal(t, err, states[6].Err)
}

func TestEventStreamBadRequest(t *testing.T) {
	// Asterisk's answer to an events request without app.
	ws := newWSServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "<html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p>\"app\" parameter is required.</p></body></html>\n")
		return true
	}, nil)
	client := newTestClient(t, ws.srv, Config{})
	err := client.EventStream(EventStreamConfig{Apps: []string{"a"}, MaxAttempts: 1}).Run(context.Background(), func(Frame) {})
	require.ErrorIs(t, err, ErrBadRequest)
	assert.Contains(t, err.Error(), `400 Bad Request: <html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p>"app" parameter is required.</p></body></html>`)

	err = client.EventStream(EventStreamConfig{}).Run(context.Background(), func(Frame) {})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Apps is empty")
	assert.Equal(t, int32(1), ws.attempts.Load())
	err = client.EventStream(EventStreamConfig{Apps: []string{"a"}}).Run(context.Background(), nil)
	require.Error(t, err)
}

func TestEventStreamCancel(t *testing.T) {
	t.Run("connected", func(t *testing.T) {
		closeCode := make(chan int, 1)
		ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
			_, _, err := c.ReadMessage()
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				closeCode <- ce.Code
			}
		})
		client := newTestClient(t, ws.srv, Config{})
		rec := newRecorder()
		s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, OnState: rec.onState})
		stop := runStream(t, s, rec)
		rec.waitState(t, "connected", is(StateConnected))
		err, took := stop()
		require.ErrorIs(t, err, context.Canceled)
		assert.Less(t, took, time.Second)
		select {
		case code := <-closeCode:
			assert.Equal(t, websocket.CloseNormalClosure, code)
		case <-time.After(5 * time.Second):
			t.Fatal("the server got no close frame")
		}
		states, _, _, _ := rec.snapshot()
		n := len(states)
		require.GreaterOrEqual(t, n, 2)
		assert.Equal(t, StateDisconnected, states[n-2].State)
		assert.Equal(t, StateStopped, states[n-1].State)
	})
	t.Run("waiting to retry", func(t *testing.T) {
		ws := newWSServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}, nil)
		client := newTestClient(t, ws.srv, Config{})
		rec := newRecorder()
		s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, Backoff: Backoff{Initial: time.Hour}, OnState: rec.onState})
		stop := runStream(t, s, rec)
		rec.waitState(t, "disconnected", is(StateDisconnected))
		err, took := stop()
		require.ErrorIs(t, err, context.Canceled)
		assert.Less(t, took, time.Second)
	})
	t.Run("during the handshake", func(t *testing.T) {
		// A listener that accepts but never answers.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		var conns sync.WaitGroup
		accepted := make(chan net.Conn, 10)
		conns.Go(func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				accepted <- c
			}
		})
		t.Cleanup(func() {
			l.Close()
			conns.Wait()
			close(accepted)
			for c := range accepted {
				c.Close()
			}
		})
		client, err := NewClient(Config{URL: "http://" + l.Addr().String()})
		require.NoError(t, err)
		rec := newRecorder()
		s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, HandshakeTimeout: time.Hour, OnState: rec.onState})
		stop := runStream(t, s, rec)
		rec.waitState(t, "connecting", is(StateConnecting))
		time.Sleep(50 * time.Millisecond)
		err, took := stop()
		require.ErrorIs(t, err, context.Canceled)
		assert.Less(t, took, time.Second)
	})
	t.Run("already cancelled", func(t *testing.T) {
		client, err := NewClient(Config{URL: "http://127.0.0.1:1"})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err = client.EventStream(EventStreamConfig{Apps: []string{"a"}}).Run(ctx, func(Frame) {})
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestEventStreamDrop(t *testing.T) {
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		c.WriteMessage(websocket.TextMessage, []byte(strconv.Itoa(k)))
		drain(c)
	})
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, Backoff: Backoff{Initial: time.Millisecond}, OnState: rec.onState})
	s.Drop() // no connection yet: nothing happens
	stop := runStream(t, s, rec)
	rec.waitState(t, "connected", is(StateConnected))
	// Drop once the first connection's frame is in, so that it is not lost.
	require.Eventually(t, func() bool { _, _, f, _ := rec.snapshot(); return len(f) == 1 }, 5*time.Second, time.Millisecond)
	s.Drop()
	d := rec.waitState(t, "disconnected", is(StateDisconnected))
	assert.ErrorIs(t, d.Err, errDropped)
	assert.Equal(t, uint64(1), d.Conn)
	c := rec.waitState(t, "reconnected", is(StateConnected))
	assert.True(t, c.Reconnect)
	assert.Equal(t, uint64(2), c.Conn)
	require.Eventually(t, func() bool { _, _, f, _ := rec.snapshot(); return len(f) == 2 }, 5*time.Second, time.Millisecond)
	_, _ = stop()
	_, _, frames, _ := rec.snapshot()
	assert.Equal(t, []Frame{{Data: []byte("1"), Conn: 1}, {Data: []byte("2"), Conn: 2}}, frames)
}

func TestEventStreamSingleRun(t *testing.T) {
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) { drain(c) })
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, OnState: rec.onState})
	stop := runStream(t, s, rec)
	rec.waitState(t, "connected", is(StateConnected))
	err := s.Run(context.Background(), func(Frame) {})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already running")
	_, _ = stop()
	// A stopped stream can run again.
	stop2 := runStream(t, s, newRecorder())
	require.Eventually(t, func() bool { return ws.accepted.Load() == 2 }, 5*time.Second, time.Millisecond)
	_, _ = stop2()
}

// TestEventStreamTLS checks that the websocket trusts what the client's
// HTTP transport trusts (here, httptest's certificate) and uses wss.
func TestEventStreamTLS(t *testing.T) {
	up := websocket.Upgrader{Subprotocols: []string{"ari"}}
	var handlers sync.WaitGroup
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ari/asterisk/ping" {
			io.WriteString(w, `{"ping":"pong"}`)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		handlers.Add(1)
		defer handlers.Done()
		defer c.Close()
		c.WriteMessage(websocket.TextMessage, []byte(`{"type":"StasisStart"}`))
		drain(c)
	}))
	t.Cleanup(func() { srv.Close(); handlers.Wait() })
	hc := srv.Client()
	t.Cleanup(hc.CloseIdleConnections)
	client, err := NewClient(Config{URL: srv.URL + "/ari/", Username: "u", Password: "p", HTTPClient: hc})
	require.NoError(t, err)

	// REST first, so that the transport has set itself up for HTTP/2.
	require.NoError(t, client.Do(context.Background(), &Request{Op: testOp("GET", "asterisk", "ping", "/asterisk/ping"), Path: "/asterisk/ping"}, nil))

	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, MaxAttempts: 1, OnState: rec.onState})
	assert.Contains(t, s.URL(), "wss://")
	stop := runStream(t, s, rec)
	require.Eventually(t, func() bool { _, _, f, _ := rec.snapshot(); return len(f) == 1 }, 10*time.Second, time.Millisecond)
	err, _ = stop()
	require.ErrorIs(t, err, context.Canceled)
}

package aritest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
)

// evq collects event frames and hands them out in order.
type evq struct {
	t      testing.TB
	mu     sync.Mutex
	frames [][]byte
	wake   chan struct{}
	done   chan struct{} // closed when no more frames will come
	pos    int           // frames consumed by next
}

func newEvq(t testing.TB) *evq {
	return &evq{t: t, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func (q *evq) push(data []byte) {
	q.mu.Lock()
	q.frames = append(q.frames, data)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// wsClient is a raw events websocket client that records every frame.
type wsClient struct {
	*evq
	conn *websocket.Conn
}

// dialEvents connects to the events websocket of srv with the query.
func dialEvents(t testing.TB, srv *aritest.Server, query string) *wsClient {
	t.Helper()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ari/events?" + query
	h := http.Header{}
	h.Set("Authorization", "Basic YXN0ZXJpc2s6YXN0ZXJpc2s=") // asterisk:asterisk
	d := websocket.Dialer{Subprotocols: []string{"ari"}}
	conn, resp, err := d.Dial(url, h)
	require.NoError(t, err)
	require.Equal(t, "ari", resp.Header.Get("Sec-WebSocket-Protocol"))
	c := &wsClient{evq: newEvq(t), conn: conn}
	go c.read()
	t.Cleanup(c.close)
	return c
}

func (c *wsClient) read() {
	defer close(c.done)
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		c.push(data)
	}
}

func (c *wsClient) close() {
	c.conn.Close()
	<-c.done
}

// next returns the next event, failing the test after a timeout.
func (c *evq) next() events.Event {
	c.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		c.mu.Lock()
		if c.pos < len(c.frames) {
			f := c.frames[c.pos]
			c.pos++
			c.mu.Unlock()
			ev, err := events.Decode(f)
			require.NoError(c.t, err)
			return ev
		}
		c.mu.Unlock()
		select {
		case <-c.wake:
		case <-c.done:
			c.mu.Lock()
			more := c.pos < len(c.frames)
			c.mu.Unlock()
			if !more {
				c.t.Fatalf("events stream closed while waiting for an event")
			}
		case <-deadline:
			c.t.Fatalf("no event within 5s (after %d)", c.pos)
		}
	}
}

// expect reads the next events and checks them against want, entries of
// the form "Type" or "Type channelID" (or "Type channelID detail" where
// detail is checked by describe).
func (c *evq) expect(want ...string) []events.Event {
	c.t.Helper()
	var got []events.Event
	for i, w := range want {
		ev := c.next()
		got = append(got, ev)
		d := describe(ev)
		if !strings.HasPrefix(d, w) {
			c.t.Fatalf("event %d: got %q, want %q\nso far:\n%s", i, d, w, describeAll(got))
		}
	}
	return got
}

// use makes q report failures to t (a subtest) until the returned
// function is called: defer ws.use(t)().
func (q *evq) use(t testing.TB) func() {
	old := q.t
	q.t = t
	return func() { q.t = old }
}

// skipTo reads events up to and including the first one whose summary
// starts with prefix.
func (q *evq) skipTo(prefix string) events.Event {
	q.t.Helper()
	for {
		ev := q.next()
		if strings.HasPrefix(describe(ev), prefix) {
			return ev
		}
	}
}

// quiet checks that no event arrives within d.
func (c *evq) quiet(d time.Duration) {
	c.t.Helper()
	time.Sleep(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pos < len(c.frames) {
		var extra []string
		for _, f := range c.frames[c.pos:] {
			ev, _ := events.Decode(f)
			extra = append(extra, describe(ev))
		}
		c.t.Fatalf("unexpected events: %s", strings.Join(extra, "; "))
	}
}

// describe summarises an event: "Type [channel] [details]".
func describe(ev events.Event) string {
	var b strings.Builder
	b.WriteString(ev.EventType())
	ids := events.ChannelIDs(ev)
	if len(ids) > 0 {
		b.WriteString(" " + ids[0])
	}
	switch e := ev.(type) {
	case *events.ChannelStateChange:
		b.WriteString(" " + string(e.Channel.State))
	case *events.ChannelVarset:
		fmt.Fprintf(&b, " %s=%s", e.Variable, e.Value)
	case *events.ChannelDialplan:
		fmt.Fprintf(&b, " %s(%s)", e.DialplanApp, e.DialplanAppData)
	case *events.Dial:
		b.WriteString(" " + e.DialStatus)
	case *events.ChannelHangupRequest:
		fmt.Fprintf(&b, " cause=%d soft=%v", e.Cause, e.Soft)
	case *events.ChannelDestroyed:
		fmt.Fprintf(&b, " cause=%d %s", e.Cause, e.CauseTxt)
	case *events.ChannelDTMFReceived:
		fmt.Fprintf(&b, " %s", e.Digit)
	case *events.StasisStart:
		fmt.Fprintf(&b, " %s", strings.Join(e.Args, ","))
	case *events.PlaybackStarted:
		fmt.Fprintf(&b, " %s %s", e.Playback.MediaURI, e.Playback.State)
	case *events.PlaybackContinuing:
		fmt.Fprintf(&b, " %s %s", e.Playback.MediaURI, e.Playback.State)
	case *events.PlaybackFinished:
		fmt.Fprintf(&b, " %s %s", e.Playback.MediaURI, e.Playback.State)
	case *events.RecordingStarted:
		fmt.Fprintf(&b, " %s %s", e.Recording.Name, e.Recording.State)
	case *events.RecordingFinished:
		fmt.Fprintf(&b, " %s %s", e.Recording.Name, e.Recording.State)
	case *events.ChannelEnteredBridge:
		fmt.Fprintf(&b, " %s %v", e.Bridge.ID, e.Bridge.Channels)
	case *events.ChannelLeftBridge:
		fmt.Fprintf(&b, " %s %v", e.Bridge.ID, e.Bridge.Channels)
	case *events.BridgeCreated:
		b.WriteString(" " + e.Bridge.ID)
	case *events.BridgeDestroyed:
		b.WriteString(" " + e.Bridge.ID)
	}
	return b.String()
}

func describeAll(evs []events.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString("  " + describe(e) + "\n")
	}
	return b.String()
}

// ctx returns a context for a test step.
func ctx(t testing.TB) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// jsonMember returns `"key":value` from the JSON of ev.
func jsonMember(t testing.TB, ev events.Event, key string) string {
	t.Helper()
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	return `"` + key + `":` + string(m[key])
}

type eventsEvent = events.Event

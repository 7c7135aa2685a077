package ari_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// TestOutboundReplaysCapture replays a real Asterisk 22.10.1 outbound
// session (persistent connection, app outapp; testdata/outbound.jsonl):
// the fake Asterisk dials the handler as the real one does, sends
// ApplicationRegistered first, answers the app's typed call with the
// captured RESTResponse and closes with 1000 after
// ApplicationUnregistered. The app gets every event, in order and as
// sent, never the RESTResponse, and Run returns nil.
func TestOutboundReplaysCapture(t *testing.T) {
	lines := ari.TestdataLines(t, "outbound.jsonl")
	require.Contains(t, lines[0], `"type":"ApplicationRegistered"`)

	type result struct {
		ping   *ari.AsteriskPing
		err    error
		frames int // delivered when the call returned
	}
	var (
		mu      sync.Mutex
		frames  []ari.Frame
		pinged  = make(chan result, 1)
		runErr  = make(chan error, 1)
		connc   = make(chan *ari.OutboundConn, 1)
		serving sync.WaitGroup
	)
	h, err := ari.NewOutboundHandler(ari.OutboundConfig{
		Username: "appuser", Password: "apppass",
		Version: "22.10.1", // the capture has no asterisk/info
		Serve: func(c *ari.OutboundConn) {
			serving.Add(1)
			defer serving.Done()
			connc <- c
			rc := resources.New(c.RESTClient())
			// Asked at once: sent only after Asterisk's first message.
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				p, err := rc.Asterisk.Ping(ctx)
				mu.Lock()
				n := len(frames)
				mu.Unlock()
				pinged <- result{p, err, n}
			}()
			runErr <- c.Run(context.Background(), func(f ari.Frame) {
				mu.Lock()
				frames = append(frames, f)
				mu.Unlock()
			})
		},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.Close()
		serving.Wait()
		srv.Close()
	})

	// Asterisk's upgrade request: basic credentials, subprotocol ari, no
	// Origin.
	d := websocket.Dialer{Subprotocols: []string{"ari"}}
	hdr := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("appuser:apppass"))}}
	ws, resp, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ari", hdr)
	require.NoError(t, err)
	t.Cleanup(func() { ws.Close() })
	assert.Equal(t, "ari", resp.Header.Get("Sec-WebSocket-Protocol"))
	conn := <-connc

	var requests []map[string]any
	for _, line := range lines {
		if !strings.Contains(line, `"type":"RESTResponse"`) {
			require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(line)))
			continue
		}
		_, data, err := ws.ReadMessage()
		require.NoError(t, err)
		var req map[string]any
		require.NoError(t, json.Unmarshal(data, &req))
		requests = append(requests, req)
		var reply map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &reply))
		reply["request_id"] = req["request_id"]
		out, err := json.Marshal(reply)
		require.NoError(t, err)
		require.NoError(t, ws.WriteMessage(websocket.TextMessage, out))
	}
	// After ApplicationUnregistered, Asterisk closes with 1000.
	require.NoError(t, ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second)))

	select {
	case err := <-runErr:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after close 1000")
	}
	r := <-pinged
	require.NoError(t, r.err)
	assert.Equal(t, "pong", r.ping.Ping)
	assert.Equal(t, "02:fc:00:00:00:01", r.ping.AsteriskID)
	assert.Equal(t, "2026-11-25T19:42:02.873+0000", r.ping.Timestamp)
	assert.GreaterOrEqual(t, r.frames, 1, "the event before the response was delivered before the call returned")

	// What the app sent: the typed call as the real client sent it.
	require.Len(t, requests, 1)
	req := requests[0]
	assert.Equal(t, "RESTRequest", req["type"])
	assert.Equal(t, "GET", req["method"])
	assert.Equal(t, "asterisk/ping", req["uri"])
	assert.NotEmpty(t, req["request_id"])
	assert.NotContains(t, req, "message_body")

	// What the app got: every event, in order, unchanged.
	var want []string
	for _, line := range lines {
		if !strings.Contains(line, `"type":"RESTResponse"`) {
			want = append(want, line)
		}
	}
	mu.Lock()
	got := append([]ari.Frame(nil), frames...)
	mu.Unlock()
	require.Len(t, got, len(want))
	for i, f := range got {
		assert.Equal(t, want[i], string(f.Data))
		assert.Equal(t, conn.Seq(), f.Conn)
		e, err := events.Decode(f.Data)
		require.NoError(t, err, want[i])
		assert.NotEqual(t, "RESTResponse", e.EventType())
		if _, unknown := e.(*events.Unknown); unknown {
			t.Errorf("frame %d decoded as Unknown: %s", i, want[i])
		}
	}
	first, err := events.Decode(got[0].Data)
	require.NoError(t, err)
	assert.IsType(t, &events.ApplicationRegistered{}, first)
	last, err := events.Decode(got[len(got)-1].Data)
	require.NoError(t, err)
	assert.IsType(t, &events.ApplicationUnregistered{}, last)

	assert.Equal(t, "outapp", conn.Application())
	assert.Equal(t, "02:fc:00:00:00:01", conn.AsteriskID())
	assert.Equal(t, ari.EventStreamStats{Connections: 1, Frames: uint64(len(want)), RESTRequests: 1, RESTResponses: 1}, conn.Stats())
	serving.Wait()
	require.Eventually(t, func() bool { return h.Stats().Open == 0 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, ari.OutboundStats{Accepted: 1}, h.Stats())
}

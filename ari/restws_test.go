package ari

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readLines returns the lines of a testdata file.
func readLines(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// restStream starts a stream for "wsapp" against srv, with the given
// client settings, and waits until it is connected.
func restStream(t *testing.T, srv *wsServer, cfg Config, scfg EventStreamConfig) (*EventStream, *recorder) {
	t.Helper()
	if cfg.Version == "" {
		cfg.Version = "22.10.1"
	}
	c := newTestClient(t, srv.srv, cfg)
	rec := newRecorder()
	scfg.Apps = []string{"wsapp"}
	scfg.OnState = rec.onState
	scfg.Backoff = Backoff{Initial: time.Hour}
	s := c.EventStream(scfg)
	runStream(t, s, rec)
	rec.waitState(t, "connected", is(StateConnected))
	return s, rec
}

// readRESTRequest reads the client's next message as a RESTRequest.
func readRESTRequest(c *websocket.Conn) (restRequest, error) {
	var req restRequest
	_, data, err := c.ReadMessage()
	if err == nil {
		err = json.Unmarshal(data, &req)
	}
	return req, err
}

// withRequestID returns a RESTResponse line answering id.
func withRequestID(t *testing.T, line, id string) []byte {
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &m))
	m["request_id"] = id
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

// TestRESTClientReplaysCapture replays a real Asterisk 22.10.1 session of
// REST over websocket: the client sends what the captured client sent,
// gets the captured answers (a 404 with Asterisk's message among them),
// and gets every event, in order, but never a RESTResponse; a call returns
// after the events that preceded its response were delivered.
func TestRESTClientReplaysCapture(t *testing.T) {
	want := readLines(t, "restws-requests.jsonl")
	stream := readLines(t, "restws.jsonl")
	got := make(chan restRequest, len(want))
	srv := newWSServer(t, nil, func(_ int, c *websocket.Conn) {
		for _, line := range stream {
			if !strings.Contains(line, `"type":"RESTResponse"`) {
				if c.WriteMessage(websocket.TextMessage, []byte(line)) != nil {
					return
				}
				continue
			}
			req, err := readRESTRequest(c)
			if err != nil {
				return
			}
			got <- req
			if c.WriteMessage(websocket.TextMessage, withRequestID(t, line, req.RequestID)) != nil {
				return
			}
		}
		drain(c)
	})
	s, rec := restStream(t, srv, Config{}, EventStreamConfig{})
	c := s.RESTClient()
	ctx := context.Background()

	// Events before each response, in the capture.
	var before []int
	n := 0
	for _, line := range stream {
		if strings.Contains(line, `"type":"RESTResponse"`) {
			before = append(before, n)
		} else {
			n++
		}
	}

	var ping AsteriskPing
	require.NoError(t, c.Do(ctx, &Request{Op: testOp("GET", "asterisk", "ping", "/asterisk/ping"), Path: "/asterisk/ping"}, &ping))
	assert.Equal(t, "pong", ping.Ping)
	require.NoError(t, c.Do(ctx, &Request{Op: testOp("POST", "asterisk", "setGlobalVar", "/asterisk/variable"), Path: "/asterisk/variable", Query: "variable=WSVAR&value=7"}, nil))
	var v Variable
	require.NoError(t, c.Do(ctx, &Request{Op: testOp("GET", "asterisk", "getGlobalVar", "/asterisk/variable"), Path: "/asterisk/variable", Query: "variable=WSVAR"}, &v))
	assert.Equal(t, "7", v.Value)
	err := c.Do(ctx, &Request{Op: testOp("GET", "nosuch", "thing", "/nosuch/thing"), Path: "/nosuch/thing"}, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 404, e.Status)
	assert.Equal(t, "Resource not found", e.Message)
	assert.ErrorIs(t, err, ErrNotFound)
	var ch Channel
	body := map[string]string{"endpoint": "Local/400@default", "app": "wsapp", "channelId": "rw-1795635659"}
	require.NoError(t, c.Do(ctx, &Request{Op: testOp("POST", "channels", "originate", "/channels"), Path: "/channels", Body: body}, &ch))
	assert.Equal(t, "rw-1795635659", ch.ID)
	require.NoError(t, c.Do(ctx, &Request{Op: testOp("DELETE", "channels", "hangup", "/channels/{channelId}"), Path: "/channels/rw-1795635659"}, nil))
	_, _, frames, _ := rec.snapshot()
	assert.GreaterOrEqual(t, len(frames), before[5], "events before the last response were delivered before the call returned")

	// What was sent matches what the captured client sent, up to the ids
	// and where the query is.
	for _, line := range want {
		var w restRequest
		require.NoError(t, json.Unmarshal([]byte(line), &w))
		g := <-got
		assert.NotEmpty(t, g.RequestID)
		assert.Equal(t, w.Method, g.Method, line)
		uri, q, _ := strings.Cut(w.URI, "?")
		assert.Equal(t, uri, g.URI, line)
		wq := w.QueryStrings
		if q != "" {
			qs, err := queryStrings(q)
			require.NoError(t, err)
			wq = append(qs, wq...)
		}
		assert.Equal(t, wq, g.QueryStrings, line)
		assert.Equal(t, w.ContentType, g.ContentType, line)
		if w.MessageBody != "" {
			assert.JSONEq(t, w.MessageBody, g.MessageBody, line)
		}
	}

	// Every event came, no RESTResponse did.
	require.Eventually(t, func() bool { _, _, f, _ := rec.snapshot(); return len(f) == n }, 5*time.Second, time.Millisecond)
	_, _, frames, _ = rec.snapshot()
	for _, f := range frames {
		assert.NotContains(t, string(f.Data), `"RESTResponse"`)
	}
	st := s.Stats()
	assert.EqualValues(t, 6, st.RESTRequests)
	assert.EqualValues(t, 6, st.RESTResponses)
	assert.EqualValues(t, n, st.Frames)
	assert.EqualValues(t, 0, st.LateResponses)
}

// TestRESTClientCancel checks that a call whose ctx ends frees its slot,
// that a call waiting for a slot honours its ctx, and that the late
// response of a cancelled call is dropped, counted and not delivered.
func TestRESTClientCancel(t *testing.T) {
	first := make(chan string, 1)
	release := make(chan struct{})
	srv := newWSServer(t, nil, func(_ int, c *websocket.Conn) {
		r1, err := readRESTRequest(c)
		if err != nil {
			return
		}
		first <- r1.URI
		r2, err := readRESTRequest(c)
		if err != nil {
			return
		}
		<-release
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"RESTResponse","request_id":"`+r2.RequestID+`","status_code":200,"content_type":"application/json","message_body":"{\"value\":\"2\"}"}`))
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"RESTResponse","request_id":"`+r1.RequestID+`","status_code":200,"content_type":"application/json","message_body":"{\"value\":\"1\"}"}`))
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ApplicationReplaced","application":"wsapp"}`))
		drain(c)
	})
	s, rec := restStream(t, srv, Config{}, EventStreamConfig{MaxPendingRequests: 1})
	c := s.RESTClient()
	op := testOp("GET", "asterisk", "getGlobalVar", "/asterisk/variable")

	ctx1, cancel1 := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- c.Do(ctx1, &Request{Op: op, Path: "/asterisk/variable", Query: "variable=A"}, new(Variable))
	}()
	assert.Equal(t, "asterisk/variable", <-first)

	// The only slot is taken: a call with a deadline gives up unsent.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Millisecond)
	err := c.Do(ctx2, &Request{Op: op, Path: "/asterisk/variable", Query: "variable=B"}, nil)
	cancel2()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var e *Error
	assert.ErrorAs(t, err, &e)

	cancel1()
	assert.ErrorIs(t, <-errc, context.Canceled)

	// The slot is free again.
	done := make(chan error, 1)
	var v Variable
	go func() {
		done <- c.Do(context.Background(), &Request{Op: op, Path: "/asterisk/variable", Query: "variable=C"}, &v)
	}()
	close(release)
	require.NoError(t, <-done)
	assert.Equal(t, "2", v.Value)

	require.Eventually(t, func() bool { _, _, f, _ := rec.snapshot(); return len(f) == 1 }, 5*time.Second, time.Millisecond)
	_, _, frames, _ := rec.snapshot()
	assert.Contains(t, string(frames[0].Data), "ApplicationReplaced")
	st := s.Stats()
	assert.EqualValues(t, 1, st.LateResponses)
	assert.EqualValues(t, 1, st.RESTResponses)
	assert.EqualValues(t, 2, st.RESTRequests)
	assert.EqualValues(t, 1, st.Frames)
}

// TestRESTClientConnectionLost checks that pending calls fail at once with
// ErrConnectionLost when the websocket drops (closed by the server or by
// Drop), and that a call without a connection fails alike.
func TestRESTClientConnectionLost(t *testing.T) {
	for _, how := range []string{"server closes", "Drop"} {
		t.Run(how, func(t *testing.T) {
			got := make(chan struct{}, 4)
			srv := newWSServer(t, nil, func(_ int, c *websocket.Conn) {
				for range 3 {
					if _, err := readRESTRequest(c); err != nil {
						return
					}
					got <- struct{}{}
				}
				if how == "server closes" {
					c.Close()
					return
				}
				drain(c)
			})
			s, _ := restStream(t, srv, Config{}, EventStreamConfig{})
			c := s.RESTClient()
			op := testOp("POST", "channels", "answer", "/channels/{channelId}/answer")
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- c.Do(context.Background(), &Request{Op: op, Path: "/channels/x/answer"}, nil)
				}()
			}
			for range 3 {
				<-got
			}
			start := time.Now()
			if how == "Drop" {
				s.Drop()
			}
			wg.Wait()
			close(errs)
			assert.Less(t, time.Since(start), 2*time.Second)
			for err := range errs {
				assert.ErrorIs(t, err, ErrConnectionLost)
				var e *Error
				assert.ErrorAs(t, err, &e)
				assert.Equal(t, "channels.answer", e.Op)
			}
		})
	}

	t.Run("not connected", func(t *testing.T) {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { t.Error("unexpected request", r.URL) })
		c := newTestClient(t, srv, Config{Version: "22.10.1"})
		s := c.EventStream(EventStreamConfig{Apps: []string{"wsapp"}})
		err := s.RESTClient().Do(context.Background(), &Request{Op: testOp("GET", "asterisk", "ping", "/asterisk/ping"), Path: "/asterisk/ping"}, nil)
		assert.ErrorIs(t, err, ErrConnectionLost)
	})
}

// TestRESTClientOldAsterisk checks that an Asterisk without REST over
// websocket is refused before anything is sent, and that the first
// releases with it are accepted.
func TestRESTClientOldAsterisk(t *testing.T) {
	for _, tc := range []struct {
		version string
		ok      bool
	}{
		{"16.30.1", false}, {"18.26.4", false}, {"19.8.0", false},
		{"20.13.0", false}, {"20.14.0", true}, {"20.20.1", true},
		{"21.8.1", false}, {"21.9.0", true},
		{"22.3.0", false}, {"22.4.0", true}, {"22.10.1", true},
		{"23.0.0", true}, {"24.1.0", true},
	} {
		assert.Equal(t, tc.ok, restOverWebsocketIn(MustParseVersion(tc.version)), tc.version)
	}
	assert.True(t, restOverWebsocketIn(Version{}), "unknown version")

	for _, version := range []string{"18.26.4", "20.13.0", "21.8.0", "22.3.0"} {
		t.Run(version, func(t *testing.T) {
			sent := make(chan struct{}, 1)
			srv := newWSServer(t, nil, func(_ int, c *websocket.Conn) {
				if _, err := readRESTRequest(c); err == nil {
					sent <- struct{}{}
				}
			})
			s, _ := restStream(t, srv, Config{Version: version}, EventStreamConfig{})
			err := s.RESTClient().Do(context.Background(), &Request{Op: testOp("GET", "asterisk", "ping", "/asterisk/ping"), Path: "/asterisk/ping"}, nil)
			assert.ErrorIs(t, err, ErrUnsupported)
			assert.ErrorIs(t, err, errors.ErrUnsupported)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, MustParseVersion(version), e.Version)
			assert.Contains(t, e.Message, "20.14, 21.9, 22.4")
			select {
			case <-sent:
				t.Fatal("the request was sent")
			case <-time.After(20 * time.Millisecond):
			}
			assert.EqualValues(t, 0, s.Stats().RESTRequests)
		})
	}
}

// TestRESTClientDefaultMaxPending checks the default bound on calls in
// flight.
func TestRESTClientDefaultMaxPending(t *testing.T) {
	srv := newServer(t, func(http.ResponseWriter, *http.Request) {})
	c := newTestClient(t, srv, Config{})
	s := c.EventStream(EventStreamConfig{Apps: []string{"a"}})
	assert.Equal(t, DefaultMaxPendingRequests, cap(s.rest.slots))
	s = c.EventStream(EventStreamConfig{Apps: []string{"a"}, MaxPendingRequests: 3})
	assert.Equal(t, 3, cap(s.rest.slots))
}

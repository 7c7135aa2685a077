package ari

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawCapture is a json.Unmarshaler that records the bytes it was given.
type rawCapture struct{ got []byte }

func (r *rawCapture) UnmarshalJSON(b []byte) error {
	r.got = append([]byte(nil), b...)
	return nil
}

func TestDoGET(t *testing.T) {
	var got *http.Request
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"abc","name":"PJSIP/alice-0001"}`)
	})
	c := newTestClient(t, srv, Config{UserAgent: "test-agent/1"})
	var out struct{ ID, Name string }
	op := testOp("GET", "channels", "get", "/channels/{channelId}")
	err := c.Do(context.Background(), &Request{Op: op, Path: "/channels/abc", Query: "a=1&b=x%20y"}, &out)
	require.NoError(t, err)
	assert.Equal(t, "abc", out.ID)
	assert.Equal(t, "PJSIP/alice-0001", out.Name)

	assert.Equal(t, "GET", got.Method)
	assert.Equal(t, "/ari/channels/abc", got.URL.Path)
	assert.Equal(t, "a=1&b=x%20y", got.URL.RawQuery)
	u, p, ok := got.BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, "asterisk", u)
	assert.Equal(t, "s3cret-pass", p)
	assert.Equal(t, "test-agent/1", got.UserAgent())
	assert.Equal(t, "application/json", got.Header.Get("Accept"))
	assert.Empty(t, got.Header.Get("Content-Type"))
}

func TestDoPOSTBody(t *testing.T) {
	var body []byte
	var ctype string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		ctype = r.Header.Get("Content-Type")
		w.WriteHeader(http.StatusNoContent)
	})
	c := newTestClient(t, srv, Config{})
	op := testOp("POST", "channels", "setChannelVars", "/channels/{channelId}/variables")
	in := map[string]any{"variables": Vars{"A": {Value: "1"}, "B": {Value: "2", ReportEvents: true}}}
	require.NoError(t, c.Do(context.Background(), &Request{Op: op, Path: "/channels/x/variables", Body: in}, nil))
	assert.Equal(t, "application/json", ctype)
	assert.JSONEq(t, `{"variables":{"A":"1","B":{"value":"2","report_events":true}}}`, string(body))
}

// TestDoUnmarshalerDirect checks that a json.Unmarshaler receives the body
// itself (json.Unmarshal would trim it and scan it first).
func TestDoUnmarshalerDirect(t *testing.T) {
	const reply = "{\"id\": \"abc\"}\n"
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, reply) })
	c := newTestClient(t, srv, Config{})
	var out rawCapture
	require.NoError(t, c.Do(context.Background(), &Request{Op: testOp("GET", "x", "y", "/x"), Path: "/x"}, &out))
	assert.Equal(t, reply, string(out.got))
}

func TestDoEmptyAndBadReplies(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ari/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/ari/bad":
			io.WriteString(w, `{"id": `)
		case "/ari/accepted":
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, "ignored")
		}
	})
	c := newTestClient(t, srv, Config{})
	ctx := context.Background()
	out := struct{ ID string }{ID: "kept"}
	require.ErrorIs(t, c.Do(ctx, &Request{Op: testOp("GET", "x", "empty", "/empty"), Path: "/empty"}, &out), ErrEmptyReply)
	assert.Equal(t, "kept", out.ID, "an empty body leaves out unchanged")
	require.NoError(t, c.Do(ctx, &Request{Op: testOp("GET", "x", "empty", "/empty"), Path: "/empty"}, nil))
	require.NoError(t, c.Do(ctx, &Request{Op: testOp("POST", "x", "accepted", "/accepted"), Path: "/accepted"}, nil))

	err := c.Do(ctx, &Request{Op: testOp("GET", "x", "bad", "/bad"), Path: "/bad"}, &out)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 200, e.Status)
	assert.Equal(t, "x.bad", e.Op)
	var se *json.SyntaxError
	assert.ErrorAs(t, err, &se)
	assert.Contains(t, err.Error(), "reading the reply")
}

func TestDoRefusesEmptySegments(t *testing.T) {
	var calls atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) })
	c := newTestClient(t, srv, Config{})
	for _, p := range []string{"/channels/", "/channels//play", "", "channels/x", "/bridges/" + PathEscape("") + "/addChannel"} {
		err := c.Do(context.Background(), &Request{Op: testOp("POST", "x", "y", "/x"), Path: p}, nil)
		require.ErrorIs(t, err, errEmptySegment, p)
	}
	assert.Zero(t, calls.Load())
	require.Error(t, c.Do(context.Background(), &Request{Path: "/x"}, nil))
	require.Error(t, c.Do(context.Background(), nil, nil))
}

// TestConnectionReuse checks that bodies are drained so that one
// connection serves every call: void replies, decoded replies, errors.
func TestConnectionReuse(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ari/void":
			w.WriteHeader(http.StatusNoContent)
		case "/ari/json":
			io.WriteString(w, `{"id":"a"}`)
		case "/ari/notfound":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Channel not found"}`)
		case "/ari/unread":
			io.WriteString(w, strings.Repeat("x", 10000)) // body nobody wants
		}
	})
	c := newTestClient(t, srv, Config{})
	var newConns atomic.Int32
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
		if !i.Reused {
			newConns.Add(1)
		}
	}}
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	for range 5 {
		for _, p := range []string{"/void", "/json", "/notfound", "/unread"} {
			var out struct{ ID string }
			outp := any(&out)
			if p == "/unread" || p == "/void" {
				outp = nil
			}
			_ = c.Do(ctx, &Request{Op: testOp("GET", "x", "y", p), Path: p}, outp)
		}
	}
	assert.Equal(t, int32(1), newConns.Load())
}

// TestOpenStreams checks that Open hands over the body before the server
// has finished sending it.
func TestOpenStreams(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ari/recordings/stored/r1/file" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Recording not found"}`)
			return
		}
		w.Header().Set("Content-Type", "audio/wav")
		w.Write([]byte("RIFF"))
		w.(http.Flusher).Flush()
		<-release
		w.Write([]byte("rest"))
	})
	c := newTestClient(t, srv, Config{})
	op := testOp("GET", "recordings", "getStoredFile", "/recordings/stored/{recordingName}/file")
	rc, err := c.Open(context.Background(), &Request{Op: op, Path: "/recordings/stored/r1/file"})
	require.NoError(t, err)
	head := make([]byte, 4)
	_, err = io.ReadFull(rc, head)
	require.NoError(t, err)
	assert.Equal(t, "RIFF", string(head))
	close(release)
	rest, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, "rest", string(rest))
	require.NoError(t, rc.Close())

	_, err = c.Open(context.Background(), &Request{Op: op, Path: "/recordings/stored/nosuch/file"})
	require.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), "Recording not found")
}

// TestNoCredentialsInOutput formats every kind of error and every log line
// and checks that the password shows nowhere.
func TestNoCredentialsInOutput(t *testing.T) {
	const pass = "pa55-W0RD-never-print"
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slogTo(&logs, &mu)

	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ari/asterisk/info" {
			io.WriteString(w, `{"system":{"version":"22.10.1"}}`)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "<html><head><title>401 Unauthorized</title></head><body>Authentication required</body></html>")
	})
	var outputs []string
	// A 401, with the password given in the URL and in the Config.
	for _, cfg := range []Config{
		{URL: strings.Replace(srv.URL, "http://", "http://asterisk:"+pass+"@", 1), Logger: logger},
		{URL: srv.URL, Username: "asterisk", Password: pass, Logger: logger},
	} {
		c := newTestClient(t, srv, cfg)
		err := c.Do(context.Background(), &Request{Op: testOp("GET", "channels", "list", "/channels"), Path: "/channels"}, nil)
		require.ErrorIs(t, err, ErrUnauthorized)
		outputs = append(outputs, err.Error())
		outputs = append(outputs, c.EventsURL([]string{"app"}, true), c.restBase)
		// Version gated op: discovery plus the call.
		gop := &Operation{Resource: "channels", Nickname: "progress", Method: "POST", Path: "/channels/{channelId}/progress", Availability: Availability{Releases: KnownReleases()[2:]}}
		err = c.Do(context.Background(), &Request{Op: gop, Path: "/channels/x/progress"}, nil)
		require.Error(t, err)
		outputs = append(outputs, err.Error())
	}
	// A transport error (connection refused).
	addr := closedAddr(t)
	c, err := NewClient(Config{URL: "http://asterisk:" + pass + "@" + addr, Logger: logger})
	require.NoError(t, err)
	err = c.Do(context.Background(), &Request{Op: testOp("GET", "channels", "list", "/channels"), Path: "/channels"}, nil)
	require.Error(t, err)
	outputs = append(outputs, err.Error())
	// A bad URL.
	_, err = NewClient(Config{URL: "http://asterisk:" + pass + "@host:notaport", Logger: logger})
	require.Error(t, err)
	outputs = append(outputs, err.Error())
	// An events stream refused with 401.
	es := newTestClient(t, srv, Config{Username: "asterisk", Password: pass, Logger: logger}).
		EventStream(EventStreamConfig{Apps: []string{"app"}, MaxAttempts: 1})
	err = es.Run(context.Background(), func(Frame) {})
	require.ErrorIs(t, err, ErrUnauthorized)
	outputs = append(outputs, err.Error())

	mu.Lock()
	outputs = append(outputs, logs.String())
	mu.Unlock()
	require.NotEmpty(t, logs.String())
	for _, o := range outputs {
		assert.NotContains(t, o, pass)
		assert.NotContains(t, o, "YXN0ZXJpc2s6cGE1NS1XMFJELW5ldmVyLXByaW50") // base64 of asterisk:pass
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestDoContextDeadline(t *testing.T) {
	block := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(block) })
	c := newTestClient(t, srv, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.Do(ctx, &Request{Op: testOp("GET", "channels", "list", "/channels"), Path: "/channels"}, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Zero(t, e.Status)
	assert.Equal(t, "ari: channels.list GET /channels: context deadline exceeded", err.Error())
}

func TestDoConnectionRefused(t *testing.T) {
	c, err := NewClient(Config{URL: "http://" + closedAddr(t)})
	require.NoError(t, err)
	err = c.Do(context.Background(), &Request{Op: testOp("GET", "channels", "list", "/channels"), Path: "/channels"}, nil)
	var oe *net.OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "dial", oe.Op)
	assert.Zero(t, StatusCode(err))
	assert.Contains(t, err.Error(), "ari: channels.list GET /channels: dial tcp")
	assert.NotContains(t, err.Error(), `"http://`, "the URL is not repeated")
}

package session_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest/session"
	"gostasis.dev/ari/events"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func ev(app, typ string, n int) []byte {
	return fmt.Appendf(nil, `{"type":%q,"application":%q,"timestamp":"2026-12-01T10:00:0%d.000+0000","channel":{"id":"c%d"}}`, typ, app, n, n)
}

func sample() *session.Session {
	return &session.Session{
		Header: session.Header{Format: session.FormatVersion, Recorded: t0, Server: "http://pbx:8088", Version: "22.10.1", Apps: []string{"a", "b"}},
		Events: []session.Event{
			{Time: t0, Conn: 1, Data: ev("a", "StasisStart", 1)},
			{Time: t0.Add(10 * time.Millisecond), Conn: 1, Data: ev("b", "StasisStart", 2)},
			{Time: t0.Add(20 * time.Millisecond), Conn: 2, Data: []byte("not json")},
			{Time: t0.Add(30 * time.Millisecond), Conn: 2, Data: ev("a", "StasisEnd", 3)},
		},
		Exchanges: []session.Exchange{
			{Time: t0, Transport: session.TransportHTTP, Method: "GET", Path: "/ari/channels", Status: 200, Body: []byte(`[]`), After: 4},
			{Time: t0, Transport: session.TransportHTTP, Method: "GET", Path: "/ari/channels", Status: 200, Body: []byte(`[{"id":"c1"}]`), After: 4},
			{Time: t0, Transport: session.TransportWebsocket, Method: "DELETE", Path: "/ari/channels/c1", Query: "reason=busy", Status: 204, After: 4},
			{Time: t0, Transport: session.TransportHTTP, Method: "POST", Path: "/ari/channels", Request: []byte(`{"variables":{"A":"1"}}`), Status: 200, Body: []byte(`{"id":"c2"}`), After: 4},
			{Time: t0, Transport: session.TransportHTTP, Method: "POST", Path: "/ari/x", Request: []byte("not json"), Status: 200, Body: []byte("plain text"), After: 4},
		},
	}
}

func write(t *testing.T, s *session.Session) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := session.NewWriter(&b, s.Header)
	require.NoError(t, err)
	for _, e := range s.Events {
		require.NoError(t, w.WriteEvent(e))
	}
	for _, x := range s.Exchanges {
		require.NoError(t, w.WriteExchange(x))
	}
	require.NoError(t, w.Flush())
	return b.Bytes()
}

func TestWriteRead(t *testing.T) {
	in := sample()
	data := write(t, in)
	assert.Equal(t, 1+len(in.Events)+len(in.Exchanges), bytes.Count(data, []byte("\n")), "one line each")
	out, err := session.Read(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, in, out)
}

func TestExchangeKnowsTheEventsBeforeIt(t *testing.T) {
	var b bytes.Buffer
	w, err := session.NewWriter(&b, session.Header{})
	require.NoError(t, err)
	require.NoError(t, w.WriteExchange(session.Exchange{Method: "GET", Path: "/ari/asterisk/info", Status: 200}))
	require.NoError(t, w.WriteEvent(session.Event{Data: ev("a", "StasisStart", 1)}))
	require.NoError(t, w.WriteExchange(session.Exchange{Method: "POST", Path: "/ari/channels/c1/answer", Status: 204}))
	require.NoError(t, w.WriteEvent(session.Event{Data: ev("a", "ChannelStateChange", 1)}))
	require.NoError(t, w.WriteEvent(session.Event{Data: ev("a", "StasisEnd", 1)}))
	require.NoError(t, w.WriteExchange(session.Exchange{Method: "GET", Path: "/ari/channels", Status: 200}))
	s, err := session.Read(&b)
	require.NoError(t, err)
	var after []int
	for _, x := range s.Exchanges {
		after = append(after, x.After)
		assert.Equal(t, session.TransportHTTP, x.Transport, "the default transport")
	}
	assert.Equal(t, []int{0, 1, 3}, after)
	assert.NotContains(t, b.String(), `"transport"`, "the default transport is not written")
}

func TestWriteCompactsEvents(t *testing.T) {
	var b bytes.Buffer
	w, err := session.NewWriter(&b, session.Header{})
	require.NoError(t, err)
	require.NoError(t, w.WriteEvent(session.Event{Data: []byte("{\n  \"type\": \"X\"\n}")}))
	s, err := session.Read(&b)
	require.NoError(t, err)
	assert.Equal(t, `{"type":"X"}`, string(s.Events[0].Data))
	assert.Equal(t, []string{}, s.Header.Apps)
	assert.Equal(t, session.FormatVersion, s.Header.Format)
}

func TestRedaction(t *testing.T) {
	var b bytes.Buffer
	w, err := session.NewWriter(&b, session.Header{})
	require.NoError(t, err)
	require.NoError(t, w.WriteExchange(session.Exchange{Method: "GET", Path: "/ari/x", Query: "a=1&api_key=u:secret&b=2"}))
	assert.NotContains(t, b.String(), "secret")
	s, err := session.Read(&b)
	require.NoError(t, err)
	assert.Equal(t, "a=1&b=2", s.Exchanges[0].Query)

	assert.Equal(t, "only=system", session.RedactQuery("only=system"))
	assert.Empty(t, session.RedactQuery("%zz"))
	assert.Equal(t, "http://pbx:8088/prefix", session.RedactURL("http://u:secret@pbx:8088/prefix?api_key=u:secret#f"))
}

func TestReadErrors(t *testing.T) {
	header := `{"kind":"header","format":1,"apps":[]}` + "\n"
	for name, in := range map[string]string{
		"empty":                 "",
		"no header":             `{"kind":"event","event":{}}`,
		"not json":              "hello",
		"newer format":          `{"kind":"header","format":2}`,
		"second header":         header + header,
		"event without data":    header + `{"kind":"event"}`,
		"exchange without path": header + `{"kind":"rest","method":"GET"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := session.Read(strings.NewReader(in))
			require.ErrorIs(t, err, session.ErrFormat)
			var fe *session.FormatError
			require.ErrorAs(t, err, &fe)
			assert.Positive(t, fe.Line)
		})
	}
	s, err := session.Read(strings.NewReader(header + `{"kind":"future","x":1}` + "\n\n"))
	require.NoError(t, err, "lines of unknown kinds are skipped")
	assert.Empty(t, s.Events)
}

func TestReadLineLimit(t *testing.T) {
	header := `{"kind":"header","format":1,"apps":[]}` + "\n"
	big := `{"kind":"event","event":"` + strings.Repeat("x", session.MaxLineSize) + `"}`
	_, err := session.Read(strings.NewReader(header + big))
	var fe *session.FormatError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, 2, fe.Line)
	assert.Contains(t, err.Error(), "MaxLineSize")

	// A line holding the largest frame the events websocket lets through
	// fits: the line's other members are far smaller than the margin.
	var b bytes.Buffer
	w, err := session.NewWriter(&b, session.Header{})
	require.NoError(t, err)
	b.Reset()
	data := []byte(`{"type":"X"}`)
	require.NoError(t, w.WriteEvent(session.Event{Time: time.Now(), Conn: 1 << 60, Data: data}))
	overhead := b.Len() - len(data)
	assert.LessOrEqual(t, ari.DefaultMaxFrameSize+overhead, session.MaxLineSize)
}

func start(t *testing.T, s *session.Session, cfg session.ServerConfig) *session.Server {
	t.Helper()
	srv, err := session.NewServer(s, cfg)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

// collect runs an events stream of apps against srv until it has n frames.
func collect(t *testing.T, cl *ari.Client, n int, apps ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []string
	err := cl.EventStream(ari.EventStreamConfig{Apps: apps, MaxAttempts: 1}).Run(ctx, func(f ari.Frame) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, string(f.Data))
		if len(got) == n {
			cancel()
		}
	})
	require.ErrorIs(t, err, context.Canceled, "got %q", got)
	return got
}

func TestServerEvents(t *testing.T) {
	s := sample()
	srv := start(t, s, session.ServerConfig{})
	got := collect(t, srv.Client(), 3, "a")
	assert.Equal(t, []string{string(s.Events[0].Data), "not json", string(s.Events[3].Data)}, got,
		"the events of the app, and the frame without one, in order")
	select {
	case <-srv.Played():
	case <-time.After(5 * time.Second):
		t.Fatal("Played not closed")
	}
	require.NoError(t, srv.WaitPlayed(t.Context()))

	// Every connection gets the session from the start.
	got = collect(t, srv.Client(), 4, "a", "b")
	assert.Len(t, got, 4)
	got = collect(t, srv.Client(), 2, "b")
	assert.Equal(t, []string{string(s.Events[1].Data), "not json"}, got)
}

func TestServerDecodesAsRecorded(t *testing.T) {
	s := sample()
	srv := start(t, s, session.ServerConfig{})
	for _, f := range collect(t, srv.Client(), 2, "b") {
		if f == "not json" {
			continue
		}
		e, err := events.Decode([]byte(f))
		require.NoError(t, err)
		assert.Equal(t, "StasisStart", e.EventType())
		assert.Equal(t, []string{"c2"}, events.ChannelIDs(e))
	}
}

func TestServerSpeed(t *testing.T) {
	s := sample()
	s.Events[3].Time = t0.Add(400 * time.Millisecond)
	srv := start(t, s, session.ServerConfig{Speed: 2})
	begin := time.Now()
	collect(t, srv.Client(), 3, "a")
	assert.GreaterOrEqual(t, time.Since(begin), 200*time.Millisecond, "the recorded 400ms at speed 2")
}

func TestServerNeedsApp(t *testing.T) {
	srv := start(t, sample(), session.ServerConfig{})
	ws, resp, err := websocket.DefaultDialer.Dial(strings.Replace(srv.URL, "http", "ws", 1)+"/ari/events", nil)
	if ws != nil {
		ws.Close()
	}
	require.Error(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "no app: refused as by Asterisk")
}

func get(t *testing.T, method, url string, user, pass string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	require.NoError(t, err)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestServerREST(t *testing.T) {
	srv := start(t, sample(), session.ServerConfig{})
	// The recorded answers of one request in turn, then the last again.
	for _, want := range []string{`[]`, `[{"id":"c1"}]`, `[{"id":"c1"}]`} {
		status, body := get(t, "GET", srv.URL+"/ari/channels", "", "")
		assert.Equal(t, 200, status)
		assert.Equal(t, want, body)
	}
	status, _ := get(t, "DELETE", srv.URL+"/ari/channels/c1?reason=busy&api_key=x:y", "", "")
	assert.Equal(t, 204, status, "matched with api_key aside")
	status, body := get(t, "DELETE", srv.URL+"/ari/channels/c1?reason=normal", "", "")
	assert.Equal(t, 501, status, "another query is another request")
	assert.Contains(t, body, "not in the recorded session")
	status, body = get(t, "POST", srv.URL+"/ari/x", "", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, "plain text", body)

	v, err := srv.Client().Version(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "22.10.1", v.String(), "asterisk/info from the header when not recorded")
}

func TestServerAuth(t *testing.T) {
	srv := start(t, sample(), session.ServerConfig{Username: "u", Password: "p"})
	status, _ := get(t, "GET", srv.URL+"/ari/channels", "", "")
	assert.Equal(t, 401, status)
	status, _ = get(t, "GET", srv.URL+"/ari/channels", "u", "wrong")
	assert.Equal(t, 401, status)
	status, _ = get(t, "GET", srv.URL+"/ari/channels", "u", "p")
	assert.Equal(t, 200, status)
	status, _ = get(t, "GET", srv.URL+"/ari/channels?api_key=u:p", "", "")
	assert.Equal(t, 200, status)
	assert.Len(t, collect(t, srv.Client(), 3, "a"), 3, "Client carries the credentials")
}

func TestServerListenError(t *testing.T) {
	_, err := session.NewServer(sample(), session.ServerConfig{Addr: "256.0.0.1:0"})
	require.Error(t, err)
}

func TestServerCloseEndsConnections(t *testing.T) {
	srv, err := session.NewServer(sample(), session.ServerConfig{})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	states := make(chan ari.StateChange, 16)
	done := make(chan error, 1)
	go func() {
		done <- srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{"a"}, MaxAttempts: 1,
			OnState: func(c ari.StateChange) { states <- c }}).Run(ctx, func(ari.Frame) {})
	}()
	for c := range states {
		if c.State == ari.StateConnected {
			break
		}
	}
	require.NoError(t, srv.WaitPlayed(ctx))
	srv.Close()
	select {
	case err := <-done:
		require.Error(t, err, "the stream lost its connection and gave up")
	case <-ctx.Done():
		t.Fatal("Close left the connection open")
	}
}

// probe pings the server for a while and returns the first write error:
// once the server has closed the connection, writes fail.
func probe(ws *websocket.Conn) error {
	for range 20 {
		if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)); err != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

func TestServerDropsSlowClient(t *testing.T) {
	s := &session.Session{Header: session.Header{Format: session.FormatVersion, Apps: []string{"a"}}}
	pad := strings.Repeat("x", 64<<10)
	for range 160 { // 10 MiB: more than the kernel buffers for a client that does not read
		s.Events = append(s.Events, session.Event{Data: []byte(`{"type":"X","application":"a","pad":"` + pad + `"}`)})
	}
	for _, tc := range []struct {
		timeout time.Duration
		dropped bool
	}{{50 * time.Millisecond, true}, {time.Minute, false}} {
		t.Run(tc.timeout.String(), func(t *testing.T) {
			srv := start(t, s, session.ServerConfig{WriteTimeout: tc.timeout})
			ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(srv.URL, "http", "ws", 1)+"/ari/events?app=a", nil)
			require.NoError(t, err)
			t.Cleanup(func() { ws.Close() })
			time.Sleep(300 * time.Millisecond) // not reading: the server's writes block
			err = probe(ws)
			if tc.dropped {
				assert.Error(t, err, "the server dropped the client that did not read")
			} else {
				assert.NoError(t, err, "the client still had time")
			}
			select {
			case <-srv.Played():
				t.Fatal("a client that did not read was sent every event")
			default:
			}
		})
	}
}

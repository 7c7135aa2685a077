package aritest_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/aritest/session"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/stasistest"
)

// sessionLine is one line of a session written by hand: an event (Event
// set) or an exchange.
type sessionLine struct {
	Event    string
	Exchange *session.Exchange
}

// recordSession writes the lines with session.NewWriter, as `ari record`
// does, and reads them back (Read sets each exchange's After).
func recordSession(t *testing.T, apps []string, lines ...sessionLine) *session.Session {
	t.Helper()
	var buf bytes.Buffer
	w, err := session.NewWriter(&buf, session.Header{Recorded: time.Now().UTC(), Version: "22.10.1", Apps: apps})
	require.NoError(t, err)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, l := range lines {
		at = at.Add(10 * time.Millisecond)
		if l.Exchange != nil {
			x := *l.Exchange
			x.Time = at
			require.NoError(t, w.WriteExchange(x))
			continue
		}
		require.NoError(t, w.WriteEvent(session.Event{Time: at, Conn: 1, Data: []byte(l.Event)}))
	}
	require.NoError(t, w.Flush())
	s, err := session.Read(&buf)
	require.NoError(t, err)
	return s
}

func evLine(format string, args ...any) sessionLine {
	return sessionLine{Event: fmt.Sprintf(format, args...)}
}

func xLine(method, path, query string, status int, body string) sessionLine {
	return sessionLine{Exchange: &session.Exchange{Method: method, Path: path, Query: query, Status: status, Body: []byte(body)}}
}

const recChannel = `{"id":"rec-1","name":"PJSIP/alice-00000001","state":"%s","protocol_id":"","caller":{"name":"Alice","number":"1001"},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"default","exten":"100","priority":1,"app_name":"Stasis","app_data":"replay"},"creationtime":"2026-12-01T10:00:00.000+0000","language":"en"}`

const recPlayback = `{"id":"pb-1","media_uri":"sound:hello-world","target_uri":"channel:rec-1","language":"en","state":"%s"}`

// recordedCall is a call as Asterisk would have it recorded: the app
// answers, plays hello-world, and hangs up once it has played.
func recordedCall(t *testing.T) *session.Session {
	ts := func(n int) string { return fmt.Sprintf("2026-12-01T10:00:0%d.000+0000", n) }
	common := `"application":"replay","asterisk_id":"0a:0b:0c:0d:0e:0f"`
	return recordSession(t, []string{"replay"},
		evLine(`{"type":"StasisStart","timestamp":"%s","args":[],"channel":`+recChannel+`,%s}`, ts(1), "Ring", common),
		xLine("POST", "/ari/channels/rec-1/answer", "", 204, ""),
		evLine(`{"type":"ChannelStateChange","timestamp":"%s","channel":`+recChannel+`,%s}`, ts(2), "Up", common),
		xLine("POST", "/ari/channels/rec-1/play", "media=sound%3Ahello-world", 201, fmt.Sprintf(recPlayback, "queued")),
		evLine(`{"type":"PlaybackStarted","timestamp":"%s","playback":`+recPlayback+`,%s}`, ts(3), "playing", common),
		evLine(`{"type":"PlaybackFinished","timestamp":"%s","playback":`+recPlayback+`,%s}`, ts(4), "done", common),
		xLine("DELETE", "/ari/channels/rec-1", "reason=normal", 204, ""),
		evLine(`{"type":"StasisEnd","timestamp":"%s","channel":`+recChannel+`,%s}`, ts(5), "Up", common),
	)
}

// player is the application under test: it answers (unless skipAnswer),
// plays hello-world and hangs up once the playback has finished.
type player struct {
	call       *stasis.Call
	skipAnswer bool
	seen       func(events.Event)
}

func (p *player) OnEvent(ctx context.Context, e events.Event) error {
	p.seen(e)
	switch e.(type) {
	case *events.StasisStart:
		if !p.skipAnswer {
			if err := p.call.Answer(ctx); err != nil {
				return err
			}
		}
		_, err := p.call.REST().Channels.Play(ctx, p.call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
		return err
	case *events.PlaybackFinished:
		return p.call.Hangup(ctx, resources.HangupReasonNormal)
	}
	return nil
}

// startPlayer runs the player app "replay" against srv and returns what
// its handlers saw.
func startPlayer(t *testing.T, srv *aritest.Server, skipAnswer bool) func() []string {
	var mu sync.Mutex
	var seen []string
	stasistest.Start(t, srv, stasistest.Options{Config: stasis.Config{Apps: []stasis.App{{Name: "replay",
		New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &player{call: call, skipAnswer: skipAnswer, seen: func(e events.Event) {
				mu.Lock()
				defer mu.Unlock()
				seen = append(seen, e.EventType()+" "+strings.Join(events.ChannelIDs(e), ","))
			}}, nil
		}}}}})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

func eventDescriptions(t *testing.T, s *session.Session) []string {
	var out []string
	for _, e := range s.Events {
		ev, err := events.Decode(e.Data)
		require.NoError(t, err)
		out = append(out, ev.EventType()+" "+strings.Join(events.ChannelIDs(ev), ","))
	}
	return out
}

func TestReplayToStasisApp(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	sess := recordedCall(t)
	seen := startPlayer(t, srv, false)

	rep, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{Strict: true})
	require.NoError(t, err)
	want := eventDescriptions(t, sess)
	require.Eventually(t, func() bool { return len(seen()) == len(want) }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, want, seen(), "the handler sees the recorded events in the recorded order")
	assert.Equal(t, len(sess.Events), rep.Events)
	assert.Len(t, rep.Answered, 3)
	assert.Empty(t, rep.Missing)
	assert.Empty(t, rep.Unrecorded, "the app made the recorded requests only")

	// The event log has the recorded frames, as recorded.
	var logged [][]byte
	for _, e := range srv.Events() {
		logged = append(logged, e.Raw)
	}
	require.Len(t, logged, len(sess.Events))
	for i, e := range sess.Events {
		assert.Equal(t, string(e.Data), string(logged[i]))
	}
	first := srv.Events()[0]
	assert.Equal(t, "replay", first.App)
	assert.Equal(t, "0a:0b:0c:0d:0e:0f", first.Event.Base().AsteriskID, "asterisk_id as recorded")
	assert.Equal(t, "rec-1", first.Event.(*events.StasisStart).Channel.ID)
}

func TestReplayStrictMismatch(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	sess := recordedCall(t)
	startPlayer(t, srv, true) // never answers

	rep, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{Strict: true, RequestWait: 200 * time.Millisecond})
	require.ErrorIs(t, err, aritest.ErrReplayMismatch)
	var me *aritest.ReplayMismatchError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "POST", me.Exchange.Method)
	assert.Equal(t, "/ari/channels/rec-1/answer", me.Exchange.Path)
	assert.Equal(t, 1, me.Event, "the answer came before the second event")
	assert.Contains(t, err.Error(), "POST /ari/channels/rec-1/answer")
	assert.Equal(t, 1, rep.Events, "stopped before the event the request came before")
}

func TestReplayNonStrictReportsMissing(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	sess := recordedCall(t)
	seen := startPlayer(t, srv, true)

	rep, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{})
	require.NoError(t, err)
	assert.Equal(t, len(sess.Events), rep.Events)
	require.Eventually(t, func() bool { return len(seen()) == len(sess.Events) }, 10*time.Second, 5*time.Millisecond)
	require.NotEmpty(t, rep.Missing)
	assert.Equal(t, "/ari/channels/rec-1/answer", rep.Missing[0].Path)
}

// get makes a request to srv as the default user.
func get(t *testing.T, srv *aritest.Server, method, pathQuery, body string) (int, string) {
	t.Helper()
	r := call(t, srv, method, pathQuery, body, "asterisk:asterisk")
	return r.status, r.body
}

// replayAnswersOnly replays s, which has no events, in the background
// (its recorded answers stay in place after it returns).
func replayAnswersOnly(t *testing.T, srv *aritest.Server, s *session.Session) {
	t.Helper()
	rep, err := srv.Replay(t.Context(), s, aritest.ReplayOptions{})
	require.NoError(t, err)
	assert.Len(t, rep.Missing, len(s.Exchanges))
}

func TestReplayAnswersInTurn(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	sess := recordSession(t, []string{"a"},
		xLine("GET", "/ari/channels/x", "", 404, `{"message":"Channel not found"}`),
		xLine("GET", "/ari/channels/x", "", 200, `{"id":"x","state":"Ring"}`),
		xLine("GET", "/ari/channels/x", "", 200, `{"id":"x","state":"Up"}`),
		xLine("GET", "/ari/asterisk/variable", "variable=A&other=1", 200, `{"value":"recorded"}`),
		xLine("GET", "/ari/sounds", "", 200, `not json`),
	)
	replayAnswersOnly(t, srv, sess)

	for _, want := range []string{`{"message":"Channel not found"}`, `{"id":"x","state":"Ring"}`, `{"id":"x","state":"Up"}`, `{"id":"x","state":"Up"}`} {
		_, body := get(t, srv, "GET", "/ari/channels/x", "")
		assert.Equal(t, want, body, "in turn, then the last again")
	}
	// The parameters in another order, with an api_key: the same request.
	status, body := get(t, srv, "GET", "/ari/asterisk/variable?other=1&variable=A&api_key=asterisk:asterisk", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, `{"value":"recorded"}`, body)
	_, body = get(t, srv, "GET", "/ari/sounds", "")
	assert.Equal(t, "not json", body)

	// Anything else: the simulator.
	status, body = get(t, srv, "GET", "/ari/asterisk/variable?variable=B", "")
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"value":""}`, body)
	status, _ = get(t, srv, "GET", "/ari/bridges/nope", "")
	assert.Equal(t, 404, status)

	rep, err := srv.Replay(t.Context(), recordSession(t, nil), aritest.ReplayOptions{})
	require.NoError(t, err)
	assert.Empty(t, rep.Answered, "a new replay replaces the recorded answers")
	_, body = get(t, srv, "GET", "/ari/channels/x", "")
	assert.Contains(t, body, "Channel not found")
}

func TestReplayReport(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	sess := recordSession(t, []string{"a"},
		xLine("GET", "/ari/channels", "", 200, `[{"id":"recorded"}]`),
		xLine("GET", "/ari/asterisk/ping", "", 200, `{"ping":"pong"}`),
		evLine(`{"type":"Dial","application":"a"}`),
	)
	ws := dialEvents(t, srv, "app=a")
	type result struct {
		rep *aritest.ReplayReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{Strict: true, RequestWait: time.Minute})
		done <- result{rep, err}
	}()
	// The application lists its channels (once the replay answers), asks
	// what was not recorded, then pings: the event may go.
	require.Eventually(t, func() bool {
		_, body := get(t, srv, "GET", "/ari/channels", "")
		return body == `[{"id":"recorded"}]`
	}, 10*time.Second, 5*time.Millisecond)
	status, _ := get(t, srv, "GET", "/ari/endpoints/Test/x?b=2&a=1", "")
	assert.Equal(t, 404, status)
	_, _ = get(t, srv, "GET", "/ari/endpoints/Test/x?a=1&b=2", "")
	select {
	case r := <-done:
		t.Fatalf("the strict replay ended before the ping: %v", r.err)
	default:
	}
	_, body := get(t, srv, "GET", "/ari/asterisk/ping", "")
	assert.Equal(t, `{"ping":"pong"}`, body)
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, 1, r.rep.Events)
	assert.Equal(t, sess.Exchanges, r.rep.Answered)
	assert.Empty(t, r.rep.Missing)
	assert.Equal(t, []string{"GET /ari/endpoints/Test/x?a=1&b=2"}, r.rep.Unrecorded, "each once, parameters sorted")
	ws.expect("Dial")
}

func TestReplayRESTOverWebsocket(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	replayAnswersOnly(t, srv, recordSession(t, []string{"a"},
		sessionLine{Exchange: &session.Exchange{Transport: session.TransportWebsocket, Method: "GET", Path: "/ari/channels/x", Status: 200, Body: []byte(`{"id":"x"}`)}},
	))
	ws := dialEvents(t, srv, "app=a")
	require.NoError(t, ws.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"RESTRequest","transaction_id":"t1","request_id":"r1","method":"GET","uri":"channels/x"}`)))
	resp, ok := ws.next().(*events.RESTResponse)
	require.True(t, ok)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, `{"id":"x"}`, resp.MessageBody)
	assert.Equal(t, "r1", resp.RequestID)
	require.NoError(t, ws.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"RESTRequest","transaction_id":"t2","request_id":"r2","method":"GET","uri":"channels/y"}`)))
	resp, ok = ws.next().(*events.RESTResponse)
	require.True(t, ok)
	assert.Equal(t, 404, resp.StatusCode, "not recorded: the simulator")
}

func TestReplayAnyFrame(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	sess := recordSession(t, []string{"a", "b"},
		evLine(`{"type":"SomethingNew","application":"a","timestamp":"2026-12-01T10:00:00.000+0000","thing":{"id":1}}`),
		evLine(`not json`),
		evLine(`{"type":"StasisEnd","application":"b","channel":{"id":"c1"}}`),
	)
	a, b := dialEvents(t, srv, "app=a"), dialEvents(t, srv, "app=b")
	rep, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Events)

	frames := func(c *wsClient, n int) []string {
		require.Eventually(t, func() bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			return len(c.frames) >= n
		}, 10*time.Second, 5*time.Millisecond)
		c.mu.Lock()
		defer c.mu.Unlock()
		var out []string
		for _, f := range c.frames {
			out = append(out, string(f))
		}
		return out
	}
	assert.Equal(t, []string{string(sess.Events[0].Data), "not json"}, frames(a, 2), "an unknown type, and a frame without application to every app")
	assert.Equal(t, []string{"not json", string(sess.Events[2].Data)}, frames(b, 2))

	logged := srv.Events()
	require.Len(t, logged, 4)
	assert.Equal(t, "SomethingNew", logged[0].Event.EventType())
	assert.Equal(t, "a", logged[0].App)
	assert.Equal(t, []string{"a", "b"}, []string{logged[1].App, logged[2].App})
	assert.Equal(t, "not json", string(logged[1].Raw))
	assert.IsType(t, &events.Unknown{}, logged[1].Event)
	assert.IsType(t, &events.StasisEnd{}, logged[3].Event)
}

func TestReplayWaitsForTheApp(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	sess := recordSession(t, []string{"a"}, evLine(`{"type":"Dial","application":"a"}`))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	rep, err := srv.Replay(ctx, sess, aritest.ReplayOptions{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 0, rep.Events)

	// Connected later, the application gets it.
	done := make(chan error, 1)
	go func() {
		_, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{})
		done <- err
	}()
	ws := dialEvents(t, srv, "app=a")
	ws.expect("Dial")
	require.NoError(t, <-done)
}

func TestReplayServerClosed(t *testing.T) {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	sess := recordSession(t, []string{"a"}, evLine(`{"type":"Dial","application":"a"}`))
	done := make(chan error, 1)
	go func() {
		_, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{})
		done <- err
	}()
	require.Eventually(t, func() bool {
		status, _ := get(t, srv, "GET", "/ari/channels", "")
		return status == 200
	}, 10*time.Second, time.Millisecond)
	srv.Close()
	require.ErrorIs(t, <-done, aritest.ErrClosed)
	_, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{})
	require.ErrorIs(t, err, aritest.ErrClosed)
}

func TestReplayBadOptions(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	_, err := srv.Replay(t.Context(), nil, aritest.ReplayOptions{})
	require.ErrorIs(t, err, aritest.ErrInvalid)
	_, err = srv.Replay(t.Context(), recordSession(t, nil), aritest.ReplayOptions{Speed: -1})
	require.ErrorIs(t, err, aritest.ErrInvalid)
}

func TestReplaySpeed(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	// Two events recorded 10ms apart, replayed at a fifth of the speed.
	sess := recordSession(t, []string{"a"}, evLine(`{"type":"Dial","application":"a"}`), evLine(`{"type":"Dial","application":"a"}`))
	dialEvents(t, srv, "app=a")
	start := time.Now()
	_, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{Speed: 0.2})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
}

func TestListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := aritest.Start(t, aritest.Config{Listener: ln})
	assert.Equal(t, "http://"+ln.Addr().String(), srv.URL)
	status, _ := get(t, srv, "GET", "/ari/asterisk/ping", "")
	assert.Equal(t, 200, status)
}

func TestReplayMatchesBodies(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	sess := recordSession(t, []string{"a"},
		sessionLine{Exchange: &session.Exchange{Method: "POST", Path: "/ari/channels/x/variable", Request: []byte(`{"variable":"A","value":"1"}`), Status: 204}},
		sessionLine{Exchange: &session.Exchange{Method: "POST", Path: "/ari/channels/x/variable", Request: []byte(`{"variable":"B","value":"2"}`), Status: 400, Body: []byte(`{"message":"recorded B"}`)}},
	)
	replayAnswersOnly(t, srv, sess)
	status, body := get(t, srv, "POST", "/ari/channels/x/variable", `{ "value": "2", "variable": "B" }`)
	assert.Equal(t, 400, status, "the body compared as JSON")
	assert.Equal(t, `{"message":"recorded B"}`, body)
	status, _ = get(t, srv, "POST", "/ari/channels/x/variable", `{"variable":"A","value":"1"}`)
	assert.Equal(t, 204, status)
	status, body = get(t, srv, "POST", "/ari/channels/x/variable", `{"variable":"C","value":"3"}`)
	assert.Equal(t, 404, status, "another body: the simulator")
	assert.Contains(t, body, "Channel not found")
}

package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/aritest/session"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
)

// The user of the proxy tests: recPassword goes as basic authentication
// and as api_key, over HTTP and over the websocket.
const proxyUser = "proxyuser"

func proxyUsers() []aritest.User { return []aritest.User{{Name: proxyUser, Password: recPassword}} }

// credURL is base with the credentials as user information and api_key.
func credURL(base string) string {
	return strings.Replace(base, "http://", "http://"+proxyUser+":"+recPassword+"@", 1) + "?api_key=" + proxyUser + ":" + recPassword
}

// startRecordProxy starts `ari record -listen` in front of the server at
// upstream; it returns the command, the session file and the proxy's URL.
func startRecordProxy(t *testing.T, upstream string, extra ...string) (*bgCommand, string, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "session.jsonl")
	args := append([]string{"record", "-o", file, "-listen", "127.0.0.1:0", "-url", upstream}, extra...)
	cmd := startARI(t, envOf(nil), args...)
	u, ok := strings.CutPrefix(cmd.waitLines(t, 1)[0], "ARI_URL=")
	require.True(t, ok, "the first line: %q", cmd.stdout.String())
	return cmd, file, u
}

// greeter answers, plays hello-world and hangs up once it has played.
type greeter struct{ call *stasis.Call }

func (g *greeter) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := g.call.Answer(ctx); err != nil {
		return err
	}
	_, err := g.call.REST().Channels.Play(ctx, g.call.ChannelID, &resources.ChannelPlayParams{Media: []string{"sound:hello-world"}})
	return err
}

func (g *greeter) OnPlaybackFinished(ctx context.Context, e *events.PlaybackFinished) error {
	return g.call.Hangup(ctx, resources.HangupReasonNormal)
}

// runGreeter runs a Stasis runtime serving app with greeters, connected
// to url with the test's credentials both ways; the returned function
// stops it.
func runGreeter(t *testing.T, url, app string, transport stasis.Transport) func() {
	t.Helper()
	cl, err := ari.NewClient(ari.Config{URL: url, Username: proxyUser, Password: recPassword, APIKey: proxyUser + ":" + recPassword})
	require.NoError(t, err)
	rt, err := stasis.New(stasis.Config{
		Client:    cl,
		Transport: transport,
		Apps: []stasis.App{{Name: app, New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &greeter{call: call}, nil
		}}},
	})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, rt.Shutdown(ctx))
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the runtime did not stop")
		}
	}
	t.Cleanup(stop)
	return stop
}

// sentToApp are the frames srv sent to app, compacted, in order, without
// the RESTResponse messages (exchanges in a session).
func sentToApp(srv *aritest.Server, app string) []string {
	var out []string
	for _, f := range sentTo(srv, app) {
		if !strings.Contains(f, `"type":"RESTResponse"`) {
			out = append(out, f)
		}
	}
	return out
}

// recordGreeter records, through the proxy, a greeter handling two calls
// placed on aritest, and returns the session and the events the greeter
// was sent.
func recordGreeter(t *testing.T, transport stasis.Transport) (*session.Session, []string, []string, string) {
	t.Helper()
	ctx := t.Context()
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: proxyUsers()})
	cmd, file, proxyURL := startRecordProxy(t, credURL(srv.URL), "-app", "greet")
	stopApp := runGreeter(t, proxyURL, "greet", transport)
	require.NoError(t, srv.WaitApp(ctx, "greet"))

	var ids []string
	for range 2 {
		p, err := srv.PlaceCall(aritest.PlaceCallParams{App: "greet"})
		require.NoError(t, err)
		require.NoError(t, p.WaitEnd(ctx))
		assert.Equal(t, []string{"sound:hello-world"}, p.MediaHeard())
		ids = append(ids, p.ID())
	}
	require.Eventually(t, func() bool {
		s, err := session.Load(file)
		return err == nil && len(s.Events) == len(sentToApp(srv, "greet"))
	}, 10*time.Second, 5*time.Millisecond)
	stopApp()
	require.NoError(t, cmd.stop(t))
	assert.Contains(t, cmd.stderr.String(), "recorded ")

	sess, err := session.Load(file)
	require.NoError(t, err)
	return sess, sentToApp(srv, "greet"), ids, file
}

// eventIndex returns the index of the first event of sess that match
// accepts, or fails.
func eventIndex(t *testing.T, sess *session.Session, what string, match func(events.Event) bool) int {
	t.Helper()
	for i, e := range sess.Events {
		ev, err := events.Decode(e.Data)
		if err == nil && match(ev) {
			return i
		}
	}
	t.Fatalf("no %s among the events", what)
	return -1
}

// exchangeIndex returns the index of the exchange method path, or fails.
func exchangeIndex(t *testing.T, sess *session.Session, method, path string) int {
	t.Helper()
	for i, x := range sess.Exchanges {
		if x.Method == method && x.Path == path {
			return i
		}
	}
	t.Fatalf("no exchange %s %s among %+v", method, path, sess.Exchanges)
	return -1
}

// checkGreeterSession checks a recorded greeter session: every event the
// app got, in order, and each call's exchanges in order, each placed
// after the event that caused it and before those it caused.
func checkGreeterSession(t *testing.T, sess *session.Session, want, ids []string, transport string) {
	t.Helper()
	assert.Equal(t, "22.10.1", sess.Header.Version)
	assert.Equal(t, []string{"greet"}, sess.Header.Apps)
	var got []string
	for _, e := range sess.Events {
		got = append(got, string(e.Data))
		assert.EqualValues(t, 1, e.Conn)
		assert.False(t, e.Time.IsZero())
	}
	assert.Equal(t, want, got, "every event the app got, in order")

	for _, id := range ids {
		start := eventIndex(t, sess, "StasisStart", func(ev events.Event) bool {
			e, ok := ev.(*events.StasisStart)
			return ok && e.Channel.ID == id
		})
		played := eventIndex(t, sess, "PlaybackStarted", func(ev events.Event) bool {
			e, ok := ev.(*events.PlaybackStarted)
			return ok && e.Playback.TargetURI == "channel:"+id
		})
		finished := eventIndex(t, sess, "PlaybackFinished", func(ev events.Event) bool {
			e, ok := ev.(*events.PlaybackFinished)
			return ok && e.Playback.TargetURI == "channel:"+id
		})
		answer := exchangeIndex(t, sess, "POST", "/ari/channels/"+id+"/answer")
		play := exchangeIndex(t, sess, "POST", "/ari/channels/"+id+"/play")
		hangup := exchangeIndex(t, sess, "DELETE", "/ari/channels/"+id)
		assert.Less(t, answer, play)
		assert.Less(t, play, hangup)
		xs := sess.Exchanges
		assert.Greater(t, xs[answer].After, start, "the answer after its StasisStart")
		assert.Greater(t, xs[play].After, start)
		assert.LessOrEqual(t, xs[play].After, played, "the play before the PlaybackStarted it caused")
		assert.Greater(t, xs[hangup].After, finished, "the hangup after the PlaybackFinished")
		for _, i := range []int{answer, play, hangup} {
			assert.Equal(t, transport, xs[i].Transport, "%s %s", xs[i].Method, xs[i].Path)
			assert.False(t, xs[i].Time.IsZero())
		}
		assert.Equal(t, 204, xs[answer].Status)
		assert.Equal(t, 201, xs[play].Status)
		assert.Contains(t, string(xs[play].Body), `"target_uri":"channel:`+id+`"`)
		assert.Contains(t, xs[play].Query, "media=sound%3Ahello-world")
		assert.Equal(t, 204, xs[hangup].Status)
		assert.Equal(t, "reason=normal", xs[hangup].Query)
	}
}

// assertNoCredentials checks that the file at path holds no credentials.
func assertNoCredentials(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, s := range []string{recPassword, "api_key", proxyUser + ":", "Authorization", "Basic ",
		base64.StdEncoding.EncodeToString([]byte(proxyUser + ":" + recPassword))} {
		assert.NotContains(t, string(data), s)
	}
}

func TestRecordProxyHTTP(t *testing.T) {
	noLeaks(t)
	sess, want, ids, file := recordGreeter(t, stasis.TransportHTTP)
	checkGreeterSession(t, sess, want, ids, session.TransportHTTP)
	assertNoCredentials(t, file)
}

func TestRecordProxyWebsocketTransport(t *testing.T) {
	noLeaks(t)
	sess, want, ids, file := recordGreeter(t, stasis.TransportWebsocket)
	checkGreeterSession(t, sess, want, ids, session.TransportWebsocket)
	for _, e := range sess.Events {
		assert.NotContains(t, string(e.Data), "RESTResponse")
	}
	assertNoCredentials(t, file)
}

// An application that sends no credentials of its own gets the
// recorder's; one with wrong credentials gets Asterisk's 401, over HTTP
// and on the events websocket.
func TestRecordProxyCredentials(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: proxyUsers()})
	cmd, file, proxyURL := startRecordProxy(t, credURL(srv.URL))

	// None: the recorder's.
	resp, err := http.Get(proxyURL + "/ari/channels")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(proxyURL, "http", "ws", 1)+"/ari/events?app=none", nil)
	require.NoError(t, err)
	ws.Close()

	// Only an api_key, the right one.
	resp, err = http.Get(proxyURL + "/ari/channels?api_key=" + proxyUser + ":" + recPassword)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	ws, _, err = websocket.DefaultDialer.Dial(strings.Replace(proxyURL, "http", "ws", 1)+"/ari/events?app=k&api_key="+proxyUser+":"+recPassword, nil)
	require.NoError(t, err)
	ws.Close()

	// Wrong ones: Asterisk's 401.
	req, err := http.NewRequest(http.MethodGet, proxyURL+"/ari/channels", nil)
	require.NoError(t, err)
	req.SetBasicAuth(proxyUser, "wrong")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(proxyUser+":wrong")))
	_, resp, err = websocket.DefaultDialer.Dial(strings.Replace(proxyURL, "http", "ws", 1)+"/ari/events?app=x", h)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	cl, err := ari.NewClient(ari.Config{URL: proxyURL, Username: proxyUser, Password: "wrong"})
	require.NoError(t, err)
	_, err = resources.New(cl).Channels.List(t.Context())
	var ae *ari.Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusUnauthorized, ae.Status)

	require.NoError(t, cmd.stop(t))
	assertNoCredentials(t, file)
	sess, err := session.Load(file)
	require.NoError(t, err)
	assert.Empty(t, sess.Header.Apps, "no -app: the header cannot know them")
	require.GreaterOrEqual(t, len(sess.Exchanges), 4)
	assert.Equal(t, http.StatusOK, sess.Exchanges[0].Status)
	assert.Equal(t, "", sess.Exchanges[1].Query, "api_key dropped")
	assert.Equal(t, http.StatusUnauthorized, sess.Exchanges[2].Status)
}

// fakeInfo serves GET /ari/asterisk/info as Asterisk 22.10.1 does, and
// anything else with next.
func fakeInfo(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ari/asterisk/info" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"system":{"version":"22.10.1","entity_id":"00:00:00:00:00:01"}}`)
			return
		}
		next(w, r)
	})
}

func TestRecordProxyUpstreamDown(t *testing.T) {
	up := httptest.NewServer(fakeInfo(http.NotFound))
	cmd, file, proxyURL := startRecordProxy(t, up.URL)
	up.Close()

	resp, err := http.Get(proxyURL + "/ari/channels")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, string(body), "cannot reach Asterisk at "+up.URL)

	_, resp, err = websocket.DefaultDialer.Dial(strings.Replace(proxyURL, "http", "ws", 1)+"/ari/events?app=a", nil)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)

	require.NoError(t, cmd.stop(t))
	sess, err := session.Load(file)
	require.NoError(t, err)
	assert.Equal(t, "22.10.1", sess.Header.Version)
	assert.Empty(t, sess.Exchanges, "no answer, no exchange; the version check is not recorded")
}

func TestRecordProxyListenBusy(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	file := filepath.Join(t.TempDir(), "s.jsonl")
	_, _, err = runARI(t, aritestEnv(srv), "record", "-o", file, "-listen", ln.Addr().String())
	require.Error(t, err)
	assert.Contains(t, err.Error(), ln.Addr().String())
	_, statErr := os.Stat(file)
	assert.ErrorIs(t, statErr, os.ErrNotExist)
}

// With -o -, the session goes to stdout and ARI_URL to stderr.
func TestRecordProxyToStdout(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	cmd := startARI(t, aritestEnv(srv), "record", "-o", "-", "-listen", "127.0.0.1:0", "-app", "a")
	require.Eventually(t, func() bool { return strings.Contains(cmd.stderr.String(), "ARI_URL=http://127.0.0.1:") },
		10*time.Second, 5*time.Millisecond)
	require.NoError(t, cmd.stop(t))
	s, err := session.Read(strings.NewReader(cmd.stdout.String()))
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, s.Header.Apps)
	assert.Equal(t, srv.URL, s.Header.Server)
}

func TestRecordProxyMaxWebsockets(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: proxyUsers()})
	cmd, _, proxyURL := startRecordProxy(t, credURL(srv.URL), "-max-websockets", "1")
	wsURL := strings.Replace(proxyURL, "http", "ws", 1) + "/ari/events?app=a"
	first, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	require.NoError(t, err)
	_, resp, err := websocket.DefaultDialer.Dial(wsURL, nil)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, cmd.stderr.String(), "-max-websockets")

	first.Close()
	require.Eventually(t, func() bool {
		ws, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
		if err != nil {
			return false
		}
		ws.Close()
		return true
	}, 10*time.Second, 10*time.Millisecond, "a slot again once the first left")
}

func TestRecordProxyRequestBodyLimit(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: proxyUsers()})
	cmd, file, proxyURL := startRecordProxy(t, credURL(srv.URL), "-max-request-body", "64")
	resp, err := http.Post(proxyURL+"/ari/channels/x/variable", "application/json", strings.NewReader(`{"variables":{"A":"`+strings.Repeat("x", 100)+`"}}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(proxyURL, "http", "ws", 1)+"/ari/events?app=a", nil)
	require.NoError(t, err)
	defer ws.Close()
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"RESTRequest","x":"`+strings.Repeat("x", 100)+`"}`)))
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err = ws.ReadMessage()
		if err != nil {
			break
		}
	}
	assert.True(t, websocket.IsCloseError(err, websocket.CloseMessageTooBig), "%v", err)

	require.NoError(t, cmd.stop(t))
	sess, err := session.Load(file)
	require.NoError(t, err)
	assert.Empty(t, sess.Exchanges)
}

// noLeaks checks, once the test and its cleanups are done, that no
// goroutine it started is left.
func noLeaks(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// testProxy serves a proxy of upstream; it returns the proxy, its URL and
// a function reading the session recorded so far.
func testProxy(t *testing.T, upstream string, tune func(*proxy)) (*proxy, string, func() *session.Session) {
	t.Helper()
	var out, stderr lockedBuffer
	sw, err := session.NewWriter(&out, session.Header{})
	require.NoError(t, err)
	up, err := parseUpstream(ari.Config{URL: upstream})
	require.NoError(t, err)
	p := newProxy(up, newTimeline(sw, &stderr), &stderr)
	if tune != nil {
		tune(p)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("the proxy did not stop")
		}
	})
	return p, "http://" + ln.Addr().String(), func() *session.Session {
		s, err := session.Read(strings.NewReader(out.String()))
		require.NoError(t, err)
		return s
	}
}

// wsUpstream serves an events websocket that runs serve on each
// connection.
func wsUpstream(t *testing.T, serve func(*websocket.Conn)) *httptest.Server {
	t.Helper()
	up := websocket.Upgrader{Subprotocols: []string{"ari"}}
	hs := httptest.NewServer(fakeInfo(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	}))
	t.Cleanup(hs.Close)
	return hs
}

// Close codes pass both ways: Asterisk's to the application, the
// application's to Asterisk.
func TestRecordProxyCloseCodes(t *testing.T) {
	noLeaks(t)
	fromApp := make(chan error, 1)
	hs := wsUpstream(t, func(c *websocket.Conn) {
		_, msg, err := c.ReadMessage()
		if err != nil {
			fromApp <- err
			return
		}
		if string(msg) == "bye" {
			_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "asterisk says bye"), time.Now().Add(time.Second))
			_, _, _ = c.ReadMessage()
			return
		}
		_, _, err = c.ReadMessage()
		fromApp <- err
	})
	_, proxyURL, _ := testProxy(t, hs.URL, nil)
	wsURL := strings.Replace(proxyURL, "http", "ws", 1) + "/ari/events?app=a"

	// Asterisk closes.
	ws, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Sec-Websocket-Protocol": {"ari"}})
	require.NoError(t, err)
	assert.Equal(t, "ari", ws.Subprotocol())
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte("bye")))
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 4001, ce.Code)
	assert.Equal(t, "asterisk says bye", ce.Text)
	ws.Close()

	// The application closes.
	ws, _, err = websocket.DefaultDialer.Dial(wsURL, nil)
	require.NoError(t, err)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte("hello")))
	require.NoError(t, ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4002, "app leaves"), time.Now().Add(time.Second)))
	select {
	case err := <-fromApp:
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, 4002, ce.Code)
		assert.Equal(t, "app leaves", ce.Text)
	case <-time.After(10 * time.Second):
		t.Fatal("Asterisk was not told")
	}
	ws.Close()
}

// A RESTResponse completes the exchange of its RESTRequest (path and
// query from the uri and the query_strings, the request's body); the
// other messages are events, on the connection's number.
func TestRecordProxyRESTOverWebsocket(t *testing.T) {
	noLeaks(t)
	hs := wsUpstream(t, func(c *websocket.Conn) {
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"StasisStart","application":"a"}`))
		for {
			_, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ChannelVarset","application":"a"}`))
			if strings.Contains(string(msg), `"request_id":"r1"`) {
				_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"RESTResponse","transaction_id":"t","request_id":"r1","status_code":200,"reason_phrase":"OK","uri":"x","content_type":"application/json","message_body":"{\"ok\":true}"}`))
			}
			// A response to nothing recorded is not an event either.
			_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"RESTResponse","request_id":"nobody","status_code":200}`))
		}
	})
	_, proxyURL, recorded := testProxy(t, hs.URL, nil)
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(proxyURL, "http", "ws", 1)+"/ari/events?app=a", nil)
	require.NoError(t, err)
	defer ws.Close()
	_, msg, err := ws.ReadMessage()
	require.NoError(t, err)
	assert.Contains(t, string(msg), "StasisStart")
	req := `{"type":"RESTRequest","transaction_id":"t","request_id":"r1","method":"post","uri":"channels/c%201/variable?x=1",` +
		`"query_strings":[{"name":"variable","value":"A B"},{"name":"api_key","value":"u:` + recPassword + `"}],` +
		`"content_type":"application/json","message_body":"{\"value\":\"v\"}"}`
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(req)))
	for _, want := range []string{"ChannelVarset", `"request_id":"r1"`, `"nobody"`} {
		_, msg, err = ws.ReadMessage()
		require.NoError(t, err)
		assert.Contains(t, string(msg), want, "forwarded unchanged")
	}

	s := recorded()
	require.Len(t, s.Events, 2)
	assert.Contains(t, string(s.Events[0].Data), "StasisStart")
	assert.Contains(t, string(s.Events[1].Data), "ChannelVarset")
	assert.EqualValues(t, 1, s.Events[1].Conn)
	require.Len(t, s.Exchanges, 1)
	x := s.Exchanges[0]
	assert.Equal(t, session.TransportWebsocket, x.Transport)
	assert.Equal(t, "POST", x.Method)
	assert.Equal(t, "/ari/channels/c 1/variable", x.Path)
	assert.Equal(t, "variable=A+B&x=1", x.Query)
	assert.JSONEq(t, `{"value":"v"}`, string(x.Request))
	assert.Equal(t, 200, x.Status)
	assert.JSONEq(t, `{"ok":true}`, string(x.Body))
	assert.Equal(t, 1, x.After, "placed when the request was sent: before the ChannelVarset that came before its answer")
}

// Asterisk sending a message over the read limit closes the application's
// websocket with 1009; the message is not recorded.
func TestRecordProxyHugeFrame(t *testing.T) {
	noLeaks(t)
	hs := wsUpstream(t, func(c *websocket.Conn) {
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"StasisStart"}`))
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"X","pad":"`+strings.Repeat("x", 2048)+`"}`))
		_, _, _ = c.ReadMessage()
	})
	_, proxyURL, recorded := testProxy(t, hs.URL, func(p *proxy) { p.maxFrame = 1024 })
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(proxyURL, "http", "ws", 1)+"/ari/events?app=a", nil)
	require.NoError(t, err)
	defer ws.Close()
	_, _, err = ws.ReadMessage()
	require.NoError(t, err)
	_, _, err = ws.ReadMessage()
	assert.True(t, websocket.IsCloseError(err, websocket.CloseMessageTooBig), "%v", err)
	assert.Len(t, recorded().Events, 1)
}

// The default read limit on Asterisk's messages is ari.DefaultMaxFrameSize.
func TestRecordProxyDefaults(t *testing.T) {
	p := newProxy(&upstream{}, nil, io.Discard)
	assert.EqualValues(t, ari.DefaultMaxFrameSize, p.maxFrame)
	assert.EqualValues(t, defaultMaxRequestBody, p.maxRequest)
	assert.Equal(t, defaultMaxProxiedWebsockets, cap(p.slots))
	assert.Equal(t, maxRecordedBody, p.maxBody)
}

// An answer too large to record is passed on whole and recorded without
// its body.
func TestRecordProxyLargeAnswer(t *testing.T) {
	noLeaks(t)
	big := strings.Repeat("x", 100)
	hs := httptest.NewServer(fakeInfo(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, big) }))
	t.Cleanup(hs.Close)
	_, proxyURL, recorded := testProxy(t, hs.URL, func(p *proxy) { p.maxBody = 10 })
	resp, err := http.Get(proxyURL + "/ari/big")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, big, string(body))
	s := recorded()
	require.Len(t, s.Exchanges, 1)
	assert.Empty(t, s.Exchanges[0].Body)
	assert.Equal(t, 200, s.Exchanges[0].Status)
}

// An application leaving mid-request cancels the request to Asterisk,
// which is not recorded.
func TestRecordProxyClientLeavesMidRequest(t *testing.T) {
	noLeaks(t)
	got := make(chan struct{})
	cancelled := make(chan struct{})
	hs := httptest.NewServer(fakeInfo(func(w http.ResponseWriter, r *http.Request) {
		close(got)
		<-r.Context().Done()
		close(cancelled)
	}))
	t.Cleanup(hs.Close)
	_, proxyURL, recorded := testProxy(t, hs.URL, nil)
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, proxyURL+"/ari/channels/x/answer", nil)
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-got
	cancel()
	require.Error(t, <-errc)
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the request to Asterisk was not cancelled")
	}
	assert.Empty(t, recorded().Exchanges)
}

// Lines are written in the order things happened: an exchange where its
// request was sent, the events that came before its answer after it.
func TestTimelineOrder(t *testing.T) {
	var out, stderr lockedBuffer
	sw, err := session.NewWriter(&out, session.Header{})
	require.NoError(t, err)
	tl := newTimeline(sw, &stderr)
	ev := func(n int) session.Event { return session.Event{Conn: 1, Data: fmt.Appendf(nil, `{"n":%d}`, n)} }
	tl.event(ev(0))
	a := tl.reserve(session.Exchange{Method: "POST", Path: "/ari/a"})
	b := tl.reserve(session.Exchange{Method: "POST", Path: "/ari/b"})
	tl.event(ev(1))
	tl.complete(b, session.Exchange{Method: "POST", Path: "/ari/b", Status: 204}, true)
	tl.event(ev(2))
	tl.complete(a, session.Exchange{Method: "POST", Path: "/ari/a", Status: 204}, true)
	c := tl.reserve(session.Exchange{Method: "GET", Path: "/ari/c"})
	tl.event(ev(3))
	tl.complete(c, session.Exchange{}, false) // failed: not recorded

	s, err := session.Read(strings.NewReader(out.String()))
	require.NoError(t, err)
	require.Len(t, s.Events, 4)
	require.Len(t, s.Exchanges, 2)
	assert.Equal(t, "/ari/a", s.Exchanges[0].Path)
	assert.Equal(t, 1, s.Exchanges[0].After)
	assert.Equal(t, "/ari/b", s.Exchanges[1].Path)
	assert.Equal(t, 1, s.Exchanges[1].After)
	events, exchanges := tl.counts()
	assert.Equal(t, 4, events)
	assert.Equal(t, 2, exchanges)
}

// Too many events behind an unanswered request: the timeline stops
// waiting for it, and records it where its answer comes.
func TestTimelineLimit(t *testing.T) {
	var out, stderr lockedBuffer
	sw, err := session.NewWriter(&out, session.Header{})
	require.NoError(t, err)
	tl := newTimeline(sw, &stderr)
	tl.maxLines = 3
	a := tl.reserve(session.Exchange{Method: "GET", Path: "/ari/slow"})
	for i := range 5 {
		tl.event(session.Event{Data: fmt.Appendf(nil, `{"n":%d}`, i)})
	}
	assert.Contains(t, stderr.String(), "GET /ari/slow")
	tl.complete(a, session.Exchange{Method: "GET", Path: "/ari/slow", Status: 200}, true)
	s, err := session.Read(strings.NewReader(out.String()))
	require.NoError(t, err)
	require.Len(t, s.Exchanges, 1)
	assert.Equal(t, 5, s.Exchanges[0].After)
}

// A recorder without credentials of its own still proxies an application
// that has them; its header then has no version.
func TestRecordProxyWithoutOwnCredentials(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: proxyUsers()})
	cmd, file, proxyURL := startRecordProxy(t, srv.URL, "-app", "greet")
	assert.Contains(t, cmd.stderr.String(), "the version check failed")
	stop := runGreeter(t, proxyURL, "greet", stasis.TransportHTTP)
	require.NoError(t, srv.WaitApp(t.Context(), "greet"))
	p, err := srv.PlaceCall(aritest.PlaceCallParams{App: "greet"})
	require.NoError(t, err)
	require.NoError(t, p.WaitEnd(t.Context()))
	assert.Equal(t, []string{"sound:hello-world"}, p.MediaHeard())
	stop()
	require.NoError(t, cmd.stop(t))
	sess, err := session.Load(file)
	require.NoError(t, err)
	assert.Empty(t, sess.Header.Version)
	assert.NotEmpty(t, sess.Events)
	exchangeIndex(t, sess, "DELETE", "/ari/channels/"+p.ID())
	assertNoCredentials(t, file)
}

func TestRecordProxyDuration(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	stdout, stderr, err := runARI(t, aritestEnv(srv), "record", "-o", filepath.Join(t.TempDir(), "s.jsonl"), "-listen", "127.0.0.1:0", "-duration", "100ms")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(stdout, "ARI_URL=http://127.0.0.1:"), stdout)
	assert.Contains(t, stderr, "recorded 0 events and 0 REST exchanges")
}

// A session recorded through the proxy, replayed strictly into aritest
// with the same application, gives the same events in the same order and
// every recorded request is made, each before the events it preceded.
func TestRecordProxyThenReplay(t *testing.T) {
	for _, tc := range []struct {
		name      string
		transport stasis.Transport
	}{{"http", stasis.TransportHTTP}, {"websocket", stasis.TransportWebsocket}} {
		t.Run(tc.name, func(t *testing.T) {
			sess, _, _, _ := recordGreeter(t, tc.transport)
			srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: proxyUsers()})
			runGreeter(t, srv.URL, "greet", tc.transport)
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			rep, err := srv.Replay(ctx, sess, aritest.ReplayOptions{Strict: true})
			require.NoError(t, err)
			assert.Equal(t, len(sess.Events), rep.Events)
			assert.Empty(t, rep.Missing)
			var want []string
			for _, e := range sess.Events {
				want = append(want, string(e.Data))
			}
			assert.Equal(t, want, sentToApp(srv, "greet"))
		})
	}
}

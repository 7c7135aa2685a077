package aritest_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/internal/syncbuf"
)

// persistent returns the configuration of a persistent outbound websocket
// for the application "outapp" (as in real-asterisk/conf-outbound).
func persistent(app *appServer) aritest.OutboundWebsocket {
	return aritest.OutboundWebsocket{
		Name: "outbound_outapp", Apps: []string{"outapp"}, URI: app.url("/ari"),
		Username: "appuser", Password: "apppass", ReconnectInterval: 20 * time.Millisecond,
	}
}

// perCall returns the configuration of a per-call outbound websocket for
// the application "percall".
func perCall(app *appServer) aritest.OutboundWebsocket {
	return aritest.OutboundWebsocket{
		Name: "outbound_percall", Apps: []string{"percall"}, URI: app.url("/ari"), PerCall: true,
		Username: "appuser", Password: "apppass", ReconnectInterval: 20 * time.Millisecond,
	}
}

// outboundDialplan is the default dialplan with conf-outbound's
// extensions, plus a variable set after Stasis to show the dialplan went
// on: 1100 runs Stasis(outapp), 1200 Stasis(percall).
func outboundDialplan() aritest.Dialplan {
	dp := aritest.DefaultDialplan()
	dp["default"]["1100"] = aritest.Exten("Stasis(outapp)", "Set(AFTER=${STASISSTATUS})", "Wait(1000)", "Hangup()")
	dp["default"]["1200"] = aritest.Exten("Stasis(percall)", "Set(AFTER=${STASISSTATUS})", "Wait(1000)", "Hangup()")
	return dp
}

func startOutbound(t *testing.T, timing aritest.Timing, outbound ...aritest.OutboundWebsocket) *aritest.Server {
	t.Helper()
	return aritest.Start(t, aritest.Config{Timing: timing, Dialplan: outboundDialplan(), Outbound: outbound})
}

// capturedOutbound returns the frames of the outbound session captured
// from Asterisk 22.10.1 (testdata/streams/outbound.jsonl).
func capturedOutbound(t *testing.T) []map[string]any {
	t.Helper()
	fh, err := os.Open("testdata/streams/outbound.jsonl")
	require.NoError(t, err)
	defer fh.Close()
	var out []map[string]any
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, jsonKeys(t, []byte(line)))
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// TestOutboundHandshake: the upgrade request is Asterisk's (path and
// query of the URI, subprotocol ari, Basic credentials, no Origin, no
// User-Agent), and the first message is ApplicationRegistered, shaped as
// the captured one.
func TestOutboundHandshake(t *testing.T) {
	app := newAppServer(t, false)
	cfg := persistent(app)
	cfg.URI = app.url("/ari/app?tenant=a%20b&x=1")
	srv := startOutbound(t, aritest.FastTiming(), cfg)
	c := app.accept(t)
	reg := c.expect("ApplicationRegistered")[0]
	assert.Equal(t, "outapp", application(reg))

	h := app.handshake(0)
	assert.Equal(t, "/ari/app?tenant=a%20b&x=1", h.URI)
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("appuser:apppass")), h.Header.Get("Authorization"))
	assert.Equal(t, "ari", h.Header.Get("Sec-WebSocket-Protocol"))
	assert.Equal(t, "13", h.Header.Get("Sec-WebSocket-Version"))
	assert.NotContains(t, h.Header, "Origin")
	assert.NotContains(t, h.Header, "User-Agent")

	var want map[string]any
	for _, m := range capturedOutbound(t) {
		if m["type"] == "ApplicationRegistered" {
			want = m
			break
		}
	}
	require.NotNil(t, want)
	assert.Empty(t, shapeDiff("ApplicationRegistered", jsonKeys(t, c.raw(0)), want))
	require.NoError(t, srv.WaitApp(ctx(t), "outapp"))
	assert.Equal(t, []string{"outapp"}, srv.Apps())

	t.Run("no Authorization without both username and password, no subprotocol selected", func(t *testing.T) {
		app := newAppServer(t, false, func(a *appServer) { a.noProtocol = true })
		cfg := persistent(app)
		cfg.Password = ""
		srv := startOutbound(t, aritest.FastTiming(), cfg)
		c := app.accept(t)
		c.expect("ApplicationRegistered")
		assert.NotContains(t, app.handshake(0).Header, "Authorization")
		require.NoError(t, srv.WaitApp(ctx(t), "outapp"))
	})

	t.Run("wss", func(t *testing.T) {
		app := newAppServer(t, true)
		pool := x509.NewCertPool()
		pool.AddCert(app.srv.Certificate())
		cfg := persistent(app)
		cfg.TLSConfig = &tls.Config{RootCAs: pool}
		require.True(t, strings.HasPrefix(cfg.URI, "wss://"))
		srv := startOutbound(t, aritest.FastTiming(), cfg)
		app.accept(t).expect("ApplicationRegistered")
		require.NoError(t, srv.WaitApp(ctx(t), "outapp"))
	})
}

// TestOutboundPersistentQueuesWhileDown: a persistent application stays
// registered while its connection is down; a call enters it, and its
// events are delivered on reconnection, as queued, before the new
// ApplicationRegistered.
func TestOutboundPersistentQueuesWhileDown(t *testing.T) {
	app := newAppServer(t, false)
	srv := startOutbound(t, aritest.FastTiming(), persistent(app))
	c1 := app.accept(t)
	c1.expect("ApplicationRegistered")

	app.refuse(503)
	require.NoError(t, c1.ws.Close()) // the application goes away
	require.NoError(t, srv.WaitUntil(ctx(t), func() bool {
		s := srv.OutboundSessions()
		return len(s) == 1 && !s[0].Connected && app.handshakeCount() >= 3
	}))
	assert.Empty(t, srv.Apps(), "no connection")

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1100"})
	require.NoError(t, err)
	ch, ok := srv.Channel(phone.ID())
	require.True(t, ok)
	assert.Equal(t, "Stasis", ch.Dialplan.AppName, "the call waits in Stasis(outapp)")
	var queued []byte
	for _, se := range srv.Events() {
		if se.Event.EventType() == "StasisStart" {
			queued = se.Raw
		}
	}
	require.NotNil(t, queued, "StasisStart was queued")
	time.Sleep(5 * time.Millisecond) // a later timestamp for ApplicationRegistered

	app.refuse(0)
	c2 := app.accept(t)
	evs := c2.expect("StasisStart "+phone.ID(), "ApplicationRegistered")
	assert.Equal(t, string(queued), string(c2.raw(0)), "delivered as queued, with its original timestamp")
	assert.True(t, evs[1].Base().Timestamp.After(evs[0].Base().Timestamp.Time))
	assert.Equal(t, "outapp", application(evs[0]))

	// The application serves the call over the same connection.
	r := c2.call(t, "DELETE", "channels/"+phone.ID(), "")
	assert.Equal(t, 204, r.StatusCode)
	c2.skipTo("StasisEnd " + phone.ID())
}

// TestOutboundPersistentReconnectsAtOnce: after a drop by either side, the
// simulator reconnects at once, not after ReconnectInterval, and sends
// ApplicationRegistered again.
func TestOutboundPersistentReconnectsAtOnce(t *testing.T) {
	app := newAppServer(t, false)
	cfg := persistent(app)
	cfg.ReconnectInterval = time.Minute
	srv := startOutbound(t, aritest.FastTiming(), cfg)
	c1 := app.accept(t)
	c1.expect("ApplicationRegistered")

	// The application closes (close frame 1000): Asterisk answers and
	// reconnects.
	c1.wmu.Lock()
	require.NoError(t, c1.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(time.Second)))
	c1.wmu.Unlock()
	assert.Equal(t, 1000, c1.closeCode(t))
	c2 := app.accept(t)
	c2.expect("ApplicationRegistered")

	// A network failure: no close frame, and a new connection at once.
	srv.DropWebsockets()
	assert.Equal(t, 1006, c2.closeCode(t))
	c3 := app.accept(t)
	c3.expect("ApplicationRegistered")
	require.NoError(t, srv.WaitApp(ctx(t), "outapp"))

	s := srv.OutboundSessions()
	require.Len(t, s, 1)
	assert.Equal(t, aritest.OutboundSession{
		Name: "outbound_outapp", ID: "outbound_outapp", Apps: []string{"outapp"},
		Connected: true, Connects: 3, Attempts: 3,
	}, s[0])
}

// TestOutboundPersistentRetries: while the application refuses, a
// persistent connection is attempted every ReconnectInterval forever, with
// a warning every ReconnectAttempts failures; RefuseWebsockets makes the
// attempts fail without reaching the application.
func TestOutboundPersistentRetries(t *testing.T) {
	app := newAppServer(t, false)
	app.refuse(401)
	var logs syncbuf.Buffer
	cfg := persistent(app)
	cfg.ReconnectInterval = 25 * time.Millisecond
	start := time.Now()
	srv := aritest.Start(t, aritest.Config{
		Timing: aritest.FastTiming(), Outbound: []aritest.OutboundWebsocket{cfg},
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	require.NoError(t, srv.WaitUntil(ctx(t), func() bool { return app.handshakeCount() >= 9 }))
	assert.GreaterOrEqual(t, time.Since(start), 8*cfg.ReconnectInterval, "attempts are ReconnectInterval apart")
	assert.GreaterOrEqual(t, srv.OutboundSessions()[0].Attempts, 9)
	assert.Equal(t, 0, srv.OutboundSessions()[0].Connects)
	out := logs.String()
	assert.GreaterOrEqual(t, strings.Count(out, "level=WARN"), 2, "a warning every 4 failures:\n%s", out)
	assert.Contains(t, out, "tries=4")
	assert.Contains(t, out, "401")

	app.refuse(0)
	app.accept(t).expect("ApplicationRegistered")
	require.NoError(t, srv.WaitApp(ctx(t), "outapp"))

	// RefuseWebsockets: the attempts fail before reaching the application.
	n := app.handshakeCount()
	before := srv.OutboundSessions()[0].Attempts
	srv.RefuseWebsockets(300 * time.Millisecond)
	srv.DropWebsockets()
	c := app.accept(t)
	c.expect("ApplicationRegistered")
	assert.Equal(t, n+1, app.handshakeCount(), "refused attempts do not reach the application")
	assert.GreaterOrEqual(t, srv.OutboundSessions()[0].Attempts-before, 4, "attempts went on while refused")
}

// TestOutboundPerCall: a per-call application gets a new connection per
// call, with the application id <app>:<channel name>;
// ApplicationRegistered, then StasisStart; REST on it; closed with 1000
// after StasisEnd, without ApplicationUnregistered.
func TestOutboundPerCall(t *testing.T) {
	app := newAppServer(t, false)
	srv := startOutbound(t, aritest.FastTiming(), perCall(app))
	assert.Empty(t, srv.OutboundSessions(), "no call, no session")

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1200"})
	require.NoError(t, err)
	name := phone.Channel().Name
	appID := "percall:" + name
	c := app.accept(t)
	evs := c.expect("ApplicationRegistered", "StasisStart "+phone.ID())
	for _, ev := range evs {
		assert.Equal(t, appID, application(ev))
	}
	assert.Equal(t, []aritest.OutboundSession{{
		Name: "outbound_percall", ID: "outbound_percall:" + name, Apps: []string{appID},
		PerCall: true, ChannelID: phone.ID(), Connected: true, Connects: 1, Attempts: 1,
	}}, srv.OutboundSessions())
	list, err := srv.Resources().Applications.List(ctx(t))
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, appID, list[0].Name)
	assert.Equal(t, []string{phone.ID()}, list[0].ChannelIDs)

	// answer, play, hang up over the websocket
	r := c.call(t, "POST", "channels/"+phone.ID()+"/answer", "")
	assert.Equal(t, 204, r.StatusCode)
	assert.Equal(t, appID, application(r))
	r = c.call(t, "POST", "channels/"+phone.ID()+"/play", "", "media", "sound:hello-world")
	assert.Equal(t, 201, r.StatusCode)
	var pb ari.Playback
	require.NoError(t, json.Unmarshal([]byte(r.MessageBody), &pb))
	assert.Equal(t, "sound:hello-world", pb.MediaURI)
	c.find(t, func(ev events.Event) bool { return ev.EventType() == "PlaybackFinished" })
	r = c.call(t, "DELETE", "channels/"+phone.ID(), "")
	assert.Equal(t, 204, r.StatusCode)
	c.find(t, func(ev events.Event) bool { return ev.EventType() == "StasisEnd" })

	assert.Equal(t, 1000, c.closeCode(t), "the simulator closes after StasisEnd")
	assert.NotContains(t, strings.Join(c.all(), "\n"), "ApplicationUnregistered")
	assert.Equal(t, ari.ChannelStateUp, phone.Channel().State)
	require.NoError(t, srv.WaitUntil(ctx(t), func() bool { return len(srv.OutboundSessions()) == 0 }))
	list, err = srv.Resources().Applications.List(ctx(t))
	require.NoError(t, err)
	assert.Empty(t, list)
	app.noConnection(t, 50*time.Millisecond)

	t.Run("two calls, two connections; the stasis-<app> context", func(t *testing.T) {
		p1, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1200"})
		require.NoError(t, err)
		p2, err := srv.PlaceCall(aritest.PlaceCallParams{Context: "stasis-percall", Extension: "anything"})
		require.NoError(t, err)
		byApp := map[string]*appConn{}
		for range 2 {
			c := app.accept(t)
			byApp[application(c.expect("ApplicationRegistered")[0])] = c
		}
		for _, p := range []*aritest.Phone{p1, p2} {
			c := byApp["percall:"+p.Channel().Name]
			require.NotNil(t, c, "a connection for %s", p.Channel().Name)
			c.expect("StasisStart " + p.ID())
			assert.Equal(t, 204, c.call(t, "DELETE", "channels/"+p.ID(), "").StatusCode)
			assert.Equal(t, 1000, c.closeCode(t))
		}
	})
}

// TestOutboundPerCallWaitsForPoll: StasisStart follows the connection at
// the next check, Timing.OutboundPoll after Stasis().
func TestOutboundPerCallWaitsForPoll(t *testing.T) {
	app := newAppServer(t, false)
	timing := aritest.FastTiming()
	timing.OutboundPoll = 200 * time.Millisecond
	srv := startOutbound(t, timing, perCall(app))
	start := time.Now()
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1200"})
	require.NoError(t, err)
	c := app.accept(t)
	c.expect("ApplicationRegistered")
	c.expect("StasisStart " + phone.ID())
	assert.GreaterOrEqual(t, time.Since(start), timing.OutboundPoll)
}

// TestOutboundPerCallHangupBeforeStart: a call that hangs up before the
// check that would send StasisStart has its connection closed (1000),
// without StasisStart.
func TestOutboundPerCallHangupBeforeStart(t *testing.T) {
	app := newAppServer(t, false)
	timing := aritest.FastTiming()
	timing.OutboundPoll = 300 * time.Millisecond
	srv := startOutbound(t, timing, perCall(app))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1200"})
	require.NoError(t, err)
	c := app.accept(t)
	c.expect("ApplicationRegistered")
	require.NoError(t, phone.Hangup(""))
	assert.Equal(t, 1000, c.closeCode(t))
	assert.Len(t, c.all(), 1, "no StasisStart")
	require.NoError(t, srv.WaitUntil(ctx(t), func() bool { return len(srv.OutboundSessions()) == 0 }))
	list, err := srv.Resources().Applications.List(ctx(t))
	require.NoError(t, err)
	assert.Empty(t, list)
}

// TestOutboundPerCallReconnectAfterAppClose reproduces Asterisk's quirk:
// an application that closes a per-call connection itself after StasisEnd
// gets one more connection, carrying only ApplicationRegistered, which
// the simulator closes after Timing.PerCallClose.
func TestOutboundPerCallReconnectAfterAppClose(t *testing.T) {
	app := newAppServer(t, false)
	timing := aritest.FastTiming()
	timing.PerCallClose = 300 * time.Millisecond
	srv := startOutbound(t, timing, perCall(app))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1200"})
	require.NoError(t, err)
	c1 := app.accept(t)
	c1.expect("ApplicationRegistered", "StasisStart "+phone.ID())
	require.NoError(t, phone.Hangup(""))
	c1.skipTo("StasisEnd " + phone.ID())
	require.NoError(t, c1.ws.Close())

	c2 := app.accept(t)
	c2.expect("ApplicationRegistered")
	assert.Equal(t, 1000, c2.closeCode(t))
	assert.Len(t, c2.all(), 1, "only ApplicationRegistered")
	require.NoError(t, srv.WaitUntil(ctx(t), func() bool { return len(srv.OutboundSessions()) == 0 }))
	app.noConnection(t, 50*time.Millisecond)
}

// TestOutboundPerCallConnectFailure: when the application refuses,
// Stasis() gives up after ReconnectAttempts attempts with
// STASISSTATUS=FAILED, and the dialplan goes on (no hangup).
func TestOutboundPerCallConnectFailure(t *testing.T) {
	app := newAppServer(t, false)
	app.refuse(503)
	srv := startOutbound(t, aritest.FastTiming(), perCall(app))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1200"})
	require.NoError(t, err)
	require.NoError(t, srv.WaitUntil(ctx(t), func() bool {
		v, _ := srv.ChannelVar(phone.ID(), "AFTER")
		return v == "FAILED"
	}))
	assert.Equal(t, 4, app.handshakeCount(), "ReconnectAttempts attempts")
	v, _ := srv.ChannelVar(phone.ID(), "STASISSTATUS")
	assert.Equal(t, "FAILED", v)
	select {
	case <-phone.Done():
		t.Fatal("the call was hung up")
	default:
	}
	assert.Empty(t, srv.OutboundSessions())
	list, err := srv.Resources().Applications.List(ctx(t))
	require.NoError(t, err)
	assert.Empty(t, list)
	for _, se := range srv.Events() {
		assert.NotEqual(t, "StasisStart", se.Event.EventType())
	}
}

// TestOutboundPerCallDrop: a per-call connection dropped mid-call is
// reconnected at once, with ApplicationRegistered and no StasisStart, and
// REST works on it; when the reconnection fails ReconnectAttempts times,
// the call leaves Stasis with STASISSTATUS=FAILED and goes on in the
// dialplan.
func TestOutboundPerCallDrop(t *testing.T) {
	app := newAppServer(t, false)
	srv := startOutbound(t, aritest.FastTiming(), perCall(app))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1200"})
	require.NoError(t, err)
	c1 := app.accept(t)
	c1.expect("ApplicationRegistered", "StasisStart "+phone.ID())

	srv.DropWebsockets()
	assert.Equal(t, 1006, c1.closeCode(t))
	c2 := app.accept(t)
	reg := c2.expect("ApplicationRegistered")[0]
	assert.Equal(t, "percall:"+phone.Channel().Name, application(reg))
	r := c2.call(t, "POST", "channels/"+phone.ID()+"/answer", "")
	assert.Equal(t, 204, r.StatusCode)
	require.NoError(t, phone.WaitState(ctx(t), ari.ChannelStateUp))
	assert.NotContains(t, strings.Join(c2.all(), "\n"), "StasisStart")

	app.refuse(503)
	srv.DropWebsockets()
	assert.Equal(t, 1006, c2.closeCode(t))
	require.NoError(t, srv.WaitUntil(ctx(t), func() bool {
		v, _ := srv.ChannelVar(phone.ID(), "AFTER")
		return v == "FAILED"
	}))
	assert.Equal(t, 2+4, app.handshakeCount(), "two connections, then 4 failed attempts")
	ch, ok := srv.Channel(phone.ID())
	require.True(t, ok, "the call goes on in the dialplan")
	assert.Equal(t, "Wait", ch.Dialplan.AppName)
	assert.Empty(t, srv.OutboundSessions())
	var end bool
	for _, se := range srv.Events() {
		end = end || se.Event.EventType() == "StasisEnd"
	}
	assert.False(t, end, "the StasisEnd went nowhere")
}

// TestOutboundREST: REST over an outbound websocket has LocalUser's
// rights, answers 503 while the simulator refuses websockets (Asterisk not
// fully booted), and a request sent before the simulator's first message
// is answered after it.
func TestOutboundREST(t *testing.T) {
	t.Run("a read-only LocalUser", func(t *testing.T) {
		app := newAppServer(t, false)
		cfg := persistent(app)
		cfg.LocalUser = "viewer"
		srv := startOutbound(t, aritest.FastTiming(), cfg)
		c := app.accept(t)
		c.expect("ApplicationRegistered")
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1100"})
		require.NoError(t, err)
		c.expect("StasisStart " + phone.ID())
		r := c.call(t, "POST", "channels/"+phone.ID()+"/answer", "")
		assert.Equal(t, 403, r.StatusCode)
		assert.Equal(t, `{"message":"Write access denied"}`, r.MessageBody)
		r = c.call(t, "GET", "channels/"+phone.ID(), "")
		assert.Equal(t, 200, r.StatusCode)
	})

	t.Run("503 while refusing", func(t *testing.T) {
		app := newAppServer(t, false)
		srv := startOutbound(t, aritest.FastTiming(), persistent(app))
		c := app.accept(t)
		c.expect("ApplicationRegistered")
		srv.RefuseWebsockets(time.Minute)
		r := c.call(t, "GET", "asterisk/ping", "")
		assert.Equal(t, 503, r.StatusCode)
		assert.Equal(t, `{"message":"Asterisk not booted"}`, r.MessageBody)
		srv.RefuseWebsockets(0)
		r = c.call(t, "GET", "asterisk/ping", "")
		assert.Equal(t, 200, r.StatusCode)
	})

	t.Run("a request before the first message", func(t *testing.T) {
		app := newAppServer(t, false, func(a *appServer) {
			a.onConnect = func(c *appConn) { c.send(a.t, "GET", "asterisk/ping", "") }
		})
		srv := startOutbound(t, aritest.FastTiming(), persistent(app))
		c := app.accept(t)
		c.expect("ApplicationRegistered", "RESTResponse")
		require.NoError(t, srv.WaitApp(ctx(t), "outapp"))
	})

	t.Run("a body and the variables of a call", func(t *testing.T) {
		app := newAppServer(t, false)
		srv := startOutbound(t, aritest.FastTiming(), persistent(app))
		c := app.accept(t)
		c.expect("ApplicationRegistered")
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1100"})
		require.NoError(t, err)
		c.expect("StasisStart " + phone.ID())
		r := c.call(t, "POST", "channels/"+phone.ID()+"/variable", `{"variable":"OBWS","value":"set-over-ws"}`)
		assert.Equal(t, 204, r.StatusCode)
		v, _ := srv.ChannelVar(phone.ID(), "OBWS")
		assert.Equal(t, "set-over-ws", v)
		assert.Equal(t, 204, c.call(t, "POST", "channels/"+phone.ID()+"/continue", "").StatusCode)
		c.skipTo("StasisEnd " + phone.ID())
		require.NoError(t, srv.WaitUntil(ctx(t), func() bool {
			v, _ := srv.ChannelVar(phone.ID(), "AFTER")
			return v == "SUCCESS"
		}))
	})
}

// TestOutboundStall: a stalled outbound websocket loses events and answers
// no ping; when the application closes it, the simulator reconnects at
// once, and the lost events stay lost.
func TestOutboundStall(t *testing.T) {
	app := newAppServer(t, false)
	srv := startOutbound(t, aritest.FastTiming(), persistent(app))
	c1 := app.accept(t)
	c1.expect("ApplicationRegistered")
	pong := make(chan struct{}, 1)
	c1.ws.SetPongHandler(func(string) error {
		select {
		case pong <- struct{}{}:
		default:
		}
		return nil
	})
	ping := func() {
		c1.wmu.Lock()
		defer c1.wmu.Unlock()
		require.NoError(t, c1.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)))
	}
	ping()
	select {
	case <-pong:
	case <-time.After(5 * time.Second):
		t.Fatal("no pong before the stall")
	}

	srv.StallWebsockets()
	ping()
	lost, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1100"})
	require.NoError(t, err)
	select {
	case <-pong:
		t.Fatal("a stalled connection answered a ping")
	case <-time.After(150 * time.Millisecond):
	}
	c1.quiet(10 * time.Millisecond)

	require.NoError(t, c1.ws.Close()) // the application's ping timeout
	c2 := app.accept(t)
	c2.expect("ApplicationRegistered")
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1100"})
	require.NoError(t, err)
	c2.expect("StasisStart " + phone.ID())
	ch, ok := srv.Channel(lost.ID())
	require.True(t, ok)
	assert.Equal(t, "Stasis", ch.Dialplan.AppName, "the lost call is in the application")
}

// TestOutboundRestartAndClose: Restart drops the connections without a
// close frame and the persistent one reconnects to the new Asterisk; Close
// stops dialing, even in the middle of retries (TestMain checks that no
// goroutine is left).
func TestOutboundRestartAndClose(t *testing.T) {
	app := newAppServer(t, false)
	srv := aritest.NewServer(aritest.Config{
		Timing: aritest.FastTiming(), Dialplan: outboundDialplan(),
		Outbound: []aritest.OutboundWebsocket{persistent(app), perCall(app)},
	})
	defer srv.Close()
	c1 := app.accept(t)
	c1.expect("ApplicationRegistered")
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1200"})
	require.NoError(t, err)
	pc := app.accept(t)
	pc.expect("ApplicationRegistered", "StasisStart "+phone.ID())
	require.Len(t, srv.OutboundSessions(), 2)

	srv.Restart()
	assert.Equal(t, 1006, c1.closeCode(t))
	assert.Equal(t, 1006, pc.closeCode(t))
	c2 := app.accept(t)
	c2.expect("ApplicationRegistered")
	require.NoError(t, srv.WaitApp(ctx(t), "outapp"))
	s := srv.OutboundSessions()
	require.Len(t, s, 1, "the per-call session ended with its call")
	assert.Equal(t, 2, s[0].Connects)
	p2, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "1100"})
	require.NoError(t, err)
	c2.expect("StasisStart " + p2.ID())

	app.refuse(503)
	srv.DropWebsockets()
	require.NoError(t, srv.WaitUntil(ctx(t), func() bool { return srv.OutboundSessions()[0].Attempts >= 5 }))
	done := make(chan struct{})
	go func() {
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs while the simulator dials")
	}
	assert.Equal(t, 1006, c2.closeCode(t))
}

// TestOutboundSubscribeAll: SubscribeAll subscribes the applications of
// an outbound websocket to every channel.
func TestOutboundSubscribeAll(t *testing.T) {
	app := newAppServer(t, false)
	cfg := persistent(app)
	cfg.SubscribeAll = true
	srv := startOutbound(t, aritest.FastTiming(), cfg)
	c := app.accept(t)
	c.expect("ApplicationRegistered")
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "300"}) // Answer, Echo
	require.NoError(t, err)
	c.expect("ChannelCreated " + phone.ID())
	got, err := srv.Resources().Applications.Get(ctx(t), "outapp")
	require.NoError(t, err)
	assert.Contains(t, got.ChannelIDs, "__AST_CHANNEL_ALL_TOPIC")
}

// TestOutboundConfigInvalid: an invalid outbound websocket makes NewServer
// panic with an error matching ErrInvalid.
func TestOutboundConfigInvalid(t *testing.T) {
	ok := aritest.OutboundWebsocket{Name: "o", Apps: []string{"a"}, URI: "ws://127.0.0.1:1/ari"}
	for name, mod := range map[string]func(*aritest.OutboundWebsocket){
		"no name":         func(o *aritest.OutboundWebsocket) { o.Name = "" },
		"no apps":         func(o *aritest.OutboundWebsocket) { o.Apps = nil },
		"http URI":        func(o *aritest.OutboundWebsocket) { o.URI = "http://127.0.0.1:1/ari" },
		"no host":         func(o *aritest.OutboundWebsocket) { o.URI = "ws:///ari" },
		"unknown user":    func(o *aritest.OutboundWebsocket) { o.LocalUser = "nobody" },
		"comma in app":    func(o *aritest.OutboundWebsocket) { o.Apps = []string{"a,b"} },
		"negative values": func(o *aritest.OutboundWebsocket) { o.ReconnectInterval = -time.Second },
	} {
		t.Run(name, func(t *testing.T) {
			o := ok
			mod(&o)
			err := newServerError(aritest.Config{Outbound: []aritest.OutboundWebsocket{o}})
			assert.ErrorIs(t, err, aritest.ErrInvalid)
		})
	}
	t.Run("an app twice", func(t *testing.T) {
		o2 := ok
		o2.Name = "o2"
		err := newServerError(aritest.Config{Outbound: []aritest.OutboundWebsocket{ok, o2}})
		assert.ErrorIs(t, err, aritest.ErrInvalid)
	})
	t.Run("valid", func(t *testing.T) {
		o := ok
		o.ReconnectInterval = time.Hour
		assert.NoError(t, newServerError(aritest.Config{Outbound: []aritest.OutboundWebsocket{o}}))
	})
}

// newServerError starts and closes a server, returning the error NewServer
// panicked with.
func newServerError(cfg aritest.Config) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(error)
			if !ok {
				e = errors.New("non-error panic")
			}
			err = e
		}
	}()
	aritest.NewServer(cfg).Close()
	return nil
}

// TestOutboundDefaults: the defaults of an outbound websocket are
// Asterisk's, and Timing's outbound delays are the real ones.
func TestOutboundDefaults(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Outbound: []aritest.OutboundWebsocket{{
		Name: "o", Apps: []string{"a"}, URI: "ws://127.0.0.1:1/ari", PerCall: true,
	}}})
	got := srv.Config().Outbound[0]
	assert.Equal(t, "ari", got.Protocols)
	assert.Equal(t, 500*time.Millisecond, got.ReconnectInterval)
	assert.Equal(t, 4, got.ReconnectAttempts)
	assert.Equal(t, 500*time.Millisecond, got.ConnectionTimeout)
	assert.Equal(t, "asterisk", got.LocalUser)
	timing := srv.Config().Timing
	assert.Equal(t, 500*time.Millisecond, timing.OutboundPoll)
	assert.Equal(t, 3*time.Second, timing.PerCallClose)
	assert.True(t, slices.Contains(srv.Config().Outbound[0].Apps, "a"))
}

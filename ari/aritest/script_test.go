package aritest_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

func TestPlaceCall(t *testing.T) {
	tests := []struct {
		name   string
		params aritest.PlaceCallParams
		want   []string // events the application sees
		state  string
		dp     ari.DialplanCEP
		args   []string
	}{
		{
			name:   "straight into the application, ringing",
			params: aritest.PlaceCallParams{App: "myapp", Args: []string{"a", "b"}, Extension: "5551234", Caller: ari.CallerID{Name: "Alice", Number: "1001"}},
			want:   []string{"StasisStart"},
			state:  "Ring",
			dp:     ari.DialplanCEP{Context: "default", Exten: "5551234", Priority: 1, AppName: "Stasis", AppData: "myapp,a,b"},
			args:   []string{"a", "b"},
		},
		{
			name:   "answered first",
			params: aritest.PlaceCallParams{App: "myapp", Answer: true},
			want:   []string{"StasisStart"},
			state:  "Up",
			dp:     ari.DialplanCEP{Context: "default", Exten: "s", Priority: 2, AppName: "Stasis", AppData: "myapp"},
			args:   []string{},
		},
		{
			name:   "through the dialplan",
			params: aritest.PlaceCallParams{Extension: "42", Caller: ari.CallerID{Number: "1001"}},
			want:   []string{"StasisStart"},
			state:  "Up",
			dp:     ari.DialplanCEP{Context: "default", Exten: "42", Priority: 2, AppName: "Stasis", AppData: "myapp,42"},
			args:   []string{"42"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dp := aritest.DefaultDialplan()
			dp["default"]["_X."] = aritest.Exten("Answer()", "Stasis(myapp,${EXTEN})")
			srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Dialplan: dp})
			ws := dialEvents(t, srv, "app=myapp")
			require.NoError(t, srv.WaitApp(ctx(t), "myapp"))

			phone, err := srv.PlaceCall(tt.params)
			require.NoError(t, err)
			if tt.params.Extension == "42" {
				// The dialplan's Answer() waits before Stasis().
				require.NoError(t, phone.WaitState(ctx(t), ari.ChannelStateUp))
			}
			evs := ws.expect(tt.want...)
			ss := evs[0].(*events.StasisStart)
			assert.Equal(t, phone.ID(), ss.Channel.ID)
			assert.True(t, strings.HasPrefix(ss.Channel.Name, "Test/phone-"), ss.Channel.Name)
			assert.Equal(t, tt.params.Caller, ss.Channel.Caller)
			assert.Equal(t, ari.ChannelState(tt.state), ss.Channel.State)
			assert.Equal(t, tt.dp, ss.Channel.Dialplan)
			assert.Equal(t, tt.args, ss.Args)

			// The phone sends DTMF, then hangs up.
			require.NoError(t, phone.SendDTMF("1#"))
			dt := ws.expect("ChannelDtmfReceived "+phone.ID()+" 1", "ChannelDtmfReceived "+phone.ID()+" #")
			assert.Equal(t, 5, dt[0].(*events.ChannelDTMFReceived).DurationMS)
			require.NoError(t, phone.Hangup(resources.HangupReasonBusy))
			ws.expect("ChannelHangupRequest "+phone.ID()+" cause=17 soft=false", "StasisEnd "+phone.ID())
			require.NoError(t, phone.WaitEnd(ctx(t)))
			assert.Equal(t, 17, phone.Cause())
			assert.ErrorIs(t, phone.Hangup(resources.HangupReasonNormal), aritest.ErrCallEnded)
			assert.ErrorIs(t, phone.SendDTMF("1"), aritest.ErrCallEnded)
			// The application is not subscribed to the channel after
			// StasisEnd: it does not see ChannelDestroyed.
			ws.quiet(30 * time.Millisecond)
			var types []string
			for _, se := range phone.Events() {
				types = append(types, se.Event.EventType())
			}
			assert.Equal(t, []string{"StasisStart", "ChannelDtmfReceived", "ChannelDtmfReceived", "ChannelHangupRequest", "StasisEnd"}, types)
			assert.Empty(t, srv.Channels())
		})
	}

	t.Run("no such extension", func(t *testing.T) {
		srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
		_, err := srv.PlaceCall(aritest.PlaceCallParams{Context: "nosuch", Extension: "1"})
		assert.Error(t, err)
		_, err = srv.PlaceCall(aritest.PlaceCallParams{Extension: "s"})
		assert.Error(t, err)
	})

	t.Run("no websocket for the application", func(t *testing.T) {
		srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "nobody"})
		require.NoError(t, err)
		// Stasis() fails (STASISSTATUS=FAILED) and the dialplan ends.
		require.NoError(t, phone.WaitEnd(ctx(t)))
		assert.Equal(t, 16, phone.Cause())
	})
}

// TestOutboundTestCalls dials Test phones that the script answers or
// rejects.
func TestOutboundTestCalls(t *testing.T) {
	timing := aritest.FastTiming()
	timing.Ring = aritest.Never
	srv := aritest.Start(t, aritest.Config{Timing: timing})
	ws := dialEvents(t, srv, "app=app1")
	require.NoError(t, srv.WaitApp(ctx(t), "app1"))
	rc := srv.Resources()
	c := ctx(t)

	t.Run("rejected busy", func(t *testing.T) {
		defer ws.use(t)()
		_, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Test/bob", App: "app1", ChannelID: "bob1"})
		require.NoError(t, err)
		ws.expect("Dial bob1 ", "ChannelStateChange bob1 Ringing", "Dial bob1 RINGING")
		phone, err := srv.WaitPhone(c, func(p *aritest.Phone) bool { return p.ID() == "bob1" })
		require.NoError(t, err)
		require.NoError(t, phone.WaitState(c, ari.ChannelStateRinging))
		require.NoError(t, phone.Reject(resources.HangupReasonBusy))
		ws.expect("ChannelHangupRequest bob1 cause=17 soft=false", "Dial bob1 BUSY", "ChannelDestroyed bob1 cause=17 User busy")
		assert.ErrorIs(t, phone.WaitState(c, ari.ChannelStateUp), aritest.ErrCallEnded)
	})

	t.Run("created, dialled with a caller, answered", func(t *testing.T) {
		defer ws.use(t)()
		_, err := rc.Channels.Create(c, &resources.ChannelCreateParams{Endpoint: "Test/carol", App: "app1", ChannelID: "carol1"})
		require.NoError(t, err)
		ws.expect("ChannelDialplan carol1 Stasis(app1)", "ChannelVarset carol1 STASISSTATUS=", "StasisStart carol1")
		// The phone exists, but WaitPhone waits until the call reaches it.
		phone := srv.Phone("carol1")
		require.NotNil(t, phone)
		assert.Error(t, phone.Answer(), "not dialled yet")
		short, cancel := context.WithTimeout(c, 20*time.Millisecond)
		defer cancel()
		_, err = srv.WaitPhone(short, func(p *aritest.Phone) bool { return p.ID() == "carol1" })
		assert.ErrorIs(t, err, context.DeadlineExceeded, "a created channel that is not dialled has not reached its phone")
		inbound, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app1", Answer: true, ChannelID: "in1"})
		require.NoError(t, err)
		ws.expect("StasisStart in1")
		require.NoError(t, rc.Channels.Dial(c, "carol1", &resources.ChannelDialParams{Caller: "in1"}))
		evs := ws.expect("Dial carol1 ", "ChannelStateChange carol1 Ringing", "Dial carol1 RINGING")
		assert.Equal(t, "in1", evs[0].(*events.Dial).Caller.ID)
		require.NoError(t, phone.Answer())
		ws.expect("ChannelStateChange carol1 Up", "Dial carol1 ANSWER")
		require.NoError(t, rc.Channels.Hangup(c, "carol1", nil))
		ws.expect("ChannelHangupRequest carol1 cause=32 soft=true", "StasisEnd carol1", "ChannelVarset carol1 STASISSTATUS=SUCCESS", "ChannelDestroyed carol1")
		require.NoError(t, inbound.Hangup(resources.HangupReasonNormal))
		ws.expect("ChannelHangupRequest in1 cause=16", "StasisEnd in1")
	})

	t.Run("auto answer after Timing.Ring", func(t *testing.T) {
		srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
		ws := dialEvents(t, srv, "app=app2")
		require.NoError(t, srv.WaitApp(ctx(t), "app2"))
		_, err := srv.Resources().Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Test/dave", App: "app2", ChannelID: "d1"})
		require.NoError(t, err)
		ws.expect("Dial d1 ", "ChannelStateChange d1 Ringing", "Dial d1 RINGING", "ChannelStateChange d1 Up", "Dial d1 ANSWER", "ChannelVarset d1 STASISSTATUS=", "StasisStart d1")
	})
}

func TestRestart(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	ws := dialEvents(t, srv, "app=testapp")
	require.NoError(t, srv.WaitApp(ctx(t), "testapp"))
	rc := srv.Resources()
	c := ctx(t)
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "testapp", Answer: true})
	require.NoError(t, err)
	ws.expect("StasisStart")
	_, err = rc.Bridges.Create(c, &resources.BridgeCreateParams{BridgeID: "b1"})
	require.NoError(t, err)
	require.NoError(t, rc.Mailboxes.Update(c, "mb@default", &resources.MailboxUpdateParams{NewMessages: 1}))
	require.NoError(t, rc.Asterisk.SetGlobalVar(c, &resources.AsteriskSetGlobalVarParams{Variable: "G", Value: "1"}))
	srv.AddStoredRecording("keep", "wav", time.Second)
	before, err := rc.Asterisk.GetInfo(c, nil)
	require.NoError(t, err)

	srv.Restart()

	// No event: the websocket is just gone.
	select {
	case <-ws.done:
	case <-time.After(5 * time.Second):
		t.Fatal("websocket not closed by Restart")
	}
	ws.quiet(0)
	<-phone.Done()
	assert.Empty(t, srv.Channels())
	assert.Empty(t, srv.Bridges())
	assert.Empty(t, srv.Apps())
	after, err := rc.Asterisk.GetInfo(c, nil)
	require.NoError(t, err)
	assert.True(t, after.Status.StartupTime.After(before.Status.StartupTime.Time), "startup_time %v, then %v", before.Status.StartupTime, after.Status.StartupTime)
	_, err = rc.Mailboxes.Get(c, "mb@default")
	assert.ErrorIs(t, err, ari.ErrNotFound)
	v, err := rc.Asterisk.GetGlobalVar(c, &resources.AsteriskGetGlobalVarParams{Variable: "G"})
	require.NoError(t, err)
	assert.Equal(t, "", v.Value)
	stored, err := rc.Recordings.ListStored(c)
	require.NoError(t, err)
	assert.Equal(t, []ari.StoredRecording{{Name: "keep", Format: "wav"}}, stored)
	apps, err := rc.Applications.List(c)
	require.NoError(t, err)
	assert.Empty(t, apps)

	// A new connection works as on a fresh server.
	ws2 := dialEvents(t, srv, "app=testapp")
	require.NoError(t, srv.WaitApp(c, "testapp"))
	_, err = srv.PlaceCall(aritest.PlaceCallParams{App: "testapp"})
	require.NoError(t, err)
	ws2.expect("StasisStart")
}

// TestDropAndRefuseWebsockets checks that an ari.EventStream reconnects
// after DropWebsockets, and backs off while RefuseWebsockets is in force;
// channels stay in Stasis meanwhile.
func TestDropAndRefuseWebsockets(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	st := openStream(t, srv, ari.EventStreamConfig{
		Apps:    []string{"testapp"},
		Backoff: ari.Backoff{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Jitter: -1},
	})
	c := ctx(t)
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "testapp", Answer: true})
	require.NoError(t, err)
	st.expect("StasisStart")

	srv.DropWebsockets()
	require.Eventually(t, func() bool { return connectedCount(st) == 2 }, 5*time.Second, time.Millisecond)
	require.NoError(t, srv.WaitApp(c, "testapp"))
	// The channel is still in the application; events flow again.
	require.NoError(t, phone.SendDTMF("5"))
	st.expect("ChannelDtmfReceived " + phone.ID() + " 5")

	srv.RefuseWebsockets(300 * time.Millisecond)
	refusedAt := time.Now()
	srv.DropWebsockets()
	require.Eventually(t, func() bool { return connectedCount(st) == 3 }, 5*time.Second, time.Millisecond)
	assert.GreaterOrEqual(t, time.Since(refusedAt), 250*time.Millisecond)
	var refused int
	for _, sc := range st.stateLog() {
		if sc.State == ari.StateDisconnected && ari.StatusCode(sc.Err) == http.StatusServiceUnavailable {
			refused++
		}
	}
	assert.GreaterOrEqual(t, refused, 2, "attempts refused with 503: %v", st.stateLog())
	require.NoError(t, srv.WaitApp(c, "testapp"))
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	st.expect("ChannelHangupRequest", "StasisEnd")
}

func connectedCount(st *streamClient) int {
	n := 0
	for _, sc := range st.stateLog() {
		if sc.State == ari.StateConnected {
			n++
		}
	}
	return n
}

// TestSlowClientIsDropped checks that a client that does not read its
// events is dropped after the write timeout, as Asterisk drops it, and that
// the simulator does not block meanwhile.
func TestSlowClientIsDropped(t *testing.T) {
	timing := aritest.FastTiming()
	timing.WriteTimeout = 20 * time.Millisecond
	srv := aritest.Start(t, aritest.Config{Timing: timing})
	// Small socket buffers on both sides fill up quickly.
	aritest.SetWebsocketWriteBuffer(srv, 16<<10)
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ari/events?app=slow&api_key=asterisk:asterisk"
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		return c, err
	}}
	conn, _, err := d.Dial(url, nil)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, srv.WaitApp(ctx(t), "slow"))
	rc := srv.Resources()
	big := strings.Repeat("x", 64<<10)
	deadline := time.Now().Add(10 * time.Second)
	n := 0
	for ; len(srv.Apps()) > 0 && time.Now().Before(deadline); n++ {
		err := rc.Events.UserEvent(ctx(t), "flood", &resources.EventUserEventParams{Application: "slow", Variables: map[string]string{"data": big}})
		if err != nil {
			break // the application is gone: 404
		}
	}
	t.Logf("%d events before the drop", n)
	assert.Empty(t, srv.Apps(), "the slow client was not dropped")
}

package aritest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// stasisPhone places an answered inbound call into app and returns its
// phone once the application has its StasisStart.
func stasisPhone(t *testing.T, srv *aritest.Server, ws *wsClient, app, id string) *aritest.Phone {
	t.Helper()
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: app, Answer: true, ChannelID: id})
	require.NoError(t, err)
	ws.expect("StasisStart " + id)
	return phone
}

func TestRecordings(t *testing.T) {
	timing := aritest.FastTiming()
	timing.RecordingSilence = 150 * time.Millisecond
	srv := aritest.Start(t, aritest.Config{Timing: timing})
	ws := dialEvents(t, srv, "app=rec")
	require.NoError(t, srv.WaitApp(ctx(t), "rec"))
	rc := srv.Resources()
	c := ctx(t)
	phone := stasisPhone(t, srv, ws, "rec", "r1")

	t.Run("pause, unpause, mute, stop", func(t *testing.T) {
		defer ws.use(t)()
		_, err := rc.Channels.Record(c, "r1", &resources.ChannelRecordParams{Name: "a", Format: "wav"})
		require.NoError(t, err)
		ws.expect("RecordingStarted r1 a recording")
		require.NoError(t, rc.Recordings.Pause(c, "a"))
		live, err := rc.Recordings.GetLive(c, "a")
		require.NoError(t, err)
		assert.Equal(t, ari.LiveRecordingState("paused"), live.State)
		require.NoError(t, rc.Recordings.Unpause(c, "a"))
		ws.expect("RecordingStarted r1 a recording")
		require.NoError(t, rc.Recordings.Mute(c, "a"))
		require.NoError(t, rc.Recordings.Unmute(c, "a"))
		require.NoError(t, rc.Recordings.Stop(c, "a"))
		evs := ws.expect("RecordingFinished r1 a done")
		assert.True(t, ari.Has(&evs[0].(*events.RecordingFinished).Recording, "duration"))
		_, err = rc.Recordings.GetLive(c, "a")
		assert.ErrorIs(t, err, ari.ErrNotFound)
	})

	t.Run("ifExists", func(t *testing.T) {
		defer ws.use(t)()
		_, err := rc.Channels.Record(c, "r1", &resources.ChannelRecordParams{Name: "a", Format: "wav"})
		var ae *ari.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 409, ae.Status)
		assert.Equal(t, "Recording 'a' already exists and can not be overwritten", ae.Message)
		_, err = rc.Channels.Record(c, "r1", &resources.ChannelRecordParams{Name: "a", Format: "wav", IfExists: "overwrite"})
		require.NoError(t, err)
		ws.expect("RecordingStarted r1 a")
		// A live recording of that name: 409 whatever ifExists says.
		_, err = rc.Channels.Record(c, "r1", &resources.ChannelRecordParams{Name: "a", Format: "wav", IfExists: "append"})
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 409, ae.Status)
		require.NoError(t, rc.Recordings.Cancel(c, "a"))
		ws.expect("RecordingFinished r1 a canceled")
		_, err = rc.Recordings.GetStored(c, "a")
		assert.ErrorIs(t, err, ari.ErrNotFound, "a canceled recording is deleted")
	})

	t.Run("ends by itself on silence", func(t *testing.T) {
		defer ws.use(t)()
		start := time.Now()
		_, err := rc.Channels.Record(c, "r1", &resources.ChannelRecordParams{Name: "quiet", Format: "wav"})
		require.NoError(t, err)
		ws.expect("RecordingStarted r1 quiet", "RecordingFinished r1 quiet done")
		assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	})

	t.Run("the phone talking keeps it going; terminateOn", func(t *testing.T) {
		defer ws.use(t)()
		phone.Talk(time.Minute)
		_, err := rc.Channels.Record(c, "r1", &resources.ChannelRecordParams{Name: "dtmf", Format: "wav", TerminateOn: "#"})
		require.NoError(t, err)
		ws.expect("RecordingStarted r1 dtmf")
		time.Sleep(200 * time.Millisecond)
		require.NoError(t, phone.SendDTMF("1#"))
		ws.expect("ChannelDtmfReceived r1 1", "ChannelDtmfReceived r1 #", "RecordingFinished r1 dtmf done")
		phone.Talk(0)
	})

	t.Run("queued behind a playback; stop while queued", func(t *testing.T) {
		defer ws.use(t)()
		_, err := rc.Channels.Play(c, "r1", &resources.ChannelPlayParams{Media: []string{"tone:ring"}, PlaybackID: "tone1"})
		require.NoError(t, err)
		ws.expect("PlaybackStarted r1 tone:ring")
		rec, err := rc.Channels.Record(c, "r1", &resources.ChannelRecordParams{Name: "q", Format: "gsm"})
		require.NoError(t, err)
		assert.Equal(t, ari.LiveRecordingState("queued"), rec.State)
		err = rc.Recordings.Stop(c, "q")
		var ae *ari.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "Recording not in session", ae.Message)
		require.NoError(t, rc.Playbacks.Stop(c, "tone1"))
		ws.expect("PlaybackFinished r1 tone:ring done", "RecordingStarted r1 q")
		require.NoError(t, rc.Recordings.Stop(c, "q"))
		ws.expect("RecordingFinished r1 q done")
		// Stored files: copy, download, delete.
		cp, err := rc.Recordings.CopyStored(c, "q", &resources.RecordingCopyStoredParams{DestinationRecordingName: "q2"})
		require.NoError(t, err)
		assert.Equal(t, "gsm", cp.Format)
		r := call1(t, srv, "GET", "/ari/recordings/stored/q2/file")
		assert.Equal(t, "audio/gsm", r.header.Get("Content-Type"))
		require.NoError(t, rc.Recordings.DeleteStored(c, "q2"))
		_, err = rc.Recordings.CopyStored(c, "q", &resources.RecordingCopyStoredParams{DestinationRecordingName: "dtmf"})
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "A recording with the same name already exists on the system", ae.Message)
	})

	t.Run("maxDurationSeconds; a hangup ends a recording", func(t *testing.T) {
		defer ws.use(t)()
		phone.Talk(time.Minute)
		_, err := rc.Channels.Record(c, "r1", &resources.ChannelRecordParams{Name: "max", Format: "wav", MaxDurationSeconds: 1})
		require.NoError(t, err)
		ws.expect("RecordingStarted r1 max")
		evs := ws.expect("RecordingFinished r1 max done")
		assert.Equal(t, 1, evs[0].(*events.RecordingFinished).Recording.Duration)
		body, err := rc.Recordings.GetStoredFile(c, "max")
		require.NoError(t, err)
		wav, _ := io.ReadAll(body)
		body.Close()
		checkWAV(t, wav)
		assert.GreaterOrEqual(t, len(wav), 44+16000)
		_, err = rc.Channels.Record(c, "r1", &resources.ChannelRecordParams{Name: "cut", Format: "wav"})
		require.NoError(t, err)
		ws.expect("RecordingStarted r1 cut")
		require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
		ws.expect("ChannelHangupRequest r1", "RecordingFinished r1 cut done", "StasisEnd r1")
	})
}

// call1 is call as the default user.
func call1(t testing.TB, srv *aritest.Server, method, target string) rawReply {
	return call(t, srv, method, target, "", "asterisk:asterisk")
}

func TestApplicationsAndSubscriptions(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Endpoints: []string{"alice"}})
	ws := dialEvents(t, srv, "app=one")
	other := dialEvents(t, srv, "app=two")
	require.NoError(t, srv.WaitApp(ctx(t), "one", "two"))
	rc := srv.Resources()
	c := ctx(t)
	stasisPhone(t, srv, ws, "one", "ch1")

	t.Run("subscribe to a channel of another application", func(t *testing.T) {
		defer ws.use(t)()
		defer other.use(t)()
		app, err := rc.Applications.Subscribe(c, "two", &resources.ApplicationSubscribeParams{EventSource: []string{"channel:ch1", "endpoint:Test/alice", "deviceState:Stasis:d"}})
		require.NoError(t, err)
		assert.Equal(t, []string{"ch1"}, app.ChannelIDs)
		assert.Equal(t, []string{"Test/alice"}, app.EndpointIDs)
		assert.Equal(t, []string{"Stasis:d"}, app.DeviceNames)
		require.NoError(t, rc.Channels.SetChannelVar(c, "ch1", &resources.ChannelSetChannelVarParams{Variable: "X", Value: "1"}))
		ws.expect("ChannelVarset ch1 X=1")
		other.expect("ChannelVarset ch1 X=1")
		require.NoError(t, rc.DeviceStates.Update(c, "Stasis:d", &resources.DeviceStateUpdateParams{DeviceState: "INUSE"}))
		evs := other.expect("DeviceStateChanged")
		assert.Equal(t, ari.DeviceState{Name: "Stasis:d", State: "INUSE"}, evs[0].(*events.DeviceStateChanged).DeviceState)
		app, err = rc.Applications.Unsubscribe(c, "two", &resources.ApplicationUnsubscribeParams{EventSource: []string{"channel:ch1"}})
		require.NoError(t, err)
		assert.Empty(t, app.ChannelIDs)
		require.NoError(t, rc.Channels.SetChannelVar(c, "ch1", &resources.ChannelSetChannelVarParams{Variable: "X", Value: "2"}))
		ws.expect("ChannelVarset ch1 X=2")
		other.quiet(20 * time.Millisecond)
	})

	t.Run("event filter", func(t *testing.T) {
		defer ws.use(t)()
		defer other.use(t)()
		app, err := rc.Applications.Filter(c, "one", &resources.ApplicationFilterParams{Filter: ptr(ari.DisallowEvents("ChannelVarset"))})
		require.NoError(t, err)
		assert.Equal(t, []map[string]string{{"type": "ChannelVarset"}}, app.EventsDisallowed)
		require.NoError(t, rc.Channels.SetChannelVar(c, "ch1", &resources.ChannelSetChannelVarParams{Variable: "X", Value: "3"}))
		require.NoError(t, rc.Channels.Hold(c, "ch1"))
		ws.quiet(20 * time.Millisecond)
		app, err = rc.Applications.Filter(c, "one", &resources.ApplicationFilterParams{Filter: &ari.EventFilter{}})
		require.NoError(t, err)
		assert.Empty(t, app.EventsDisallowed)
		require.NoError(t, rc.Channels.SetChannelVar(c, "ch1", &resources.ChannelSetChannelVarParams{Variable: "X", Value: "4"}))
		ws.expect("ChannelVarset ch1 X=4")
	})

	t.Run("move to another application and back; a failed move", func(t *testing.T) {
		defer ws.use(t)()
		defer other.use(t)()
		require.NoError(t, rc.Channels.Move(c, "ch1", &resources.ChannelMoveParams{App: "two", AppArgs: []string{"moved"}}))
		ws.expect("StasisEnd ch1")
		evs := other.expect("StasisStart ch1 moved")
		assert.Equal(t, "two", evs[0].Base().Application)
		require.NoError(t, rc.Channels.Move(c, "ch1", &resources.ChannelMoveParams{App: "nosuch"}))
		evs = other.expect("ApplicationMoveFailed ch1")
		assert.Equal(t, "nosuch", evs[0].(*events.ApplicationMoveFailed).Destination)
		require.NoError(t, rc.Channels.Move(c, "ch1", &resources.ChannelMoveParams{App: "one"}))
		other.expect("StasisEnd ch1")
		ws.expect("StasisStart ch1")
	})

	t.Run("user event", func(t *testing.T) {
		defer ws.use(t)()
		defer other.use(t)()
		require.NoError(t, rc.Events.UserEvent(c, "custom", &resources.EventUserEventParams{Application: "two", Source: []string{"channel:ch1", "endpoint:Test/alice"}, Variables: map[string]string{"k": "v"}}))
		evs := other.expect("ChannelUserevent ch1")
		ue := evs[0].(*events.ChannelUserEvent)
		assert.Equal(t, "custom", ue.EventName)
		assert.JSONEq(t, `{"eventname":"custom","k":"v"}`, string(ue.UserEvent))
		require.NotNil(t, ue.Endpoint)
		assert.Equal(t, "alice", ue.Endpoint.Resource)
	})

	t.Run("applications list", func(t *testing.T) {
		apps, err := rc.Applications.List(c)
		require.NoError(t, err)
		var names []string
		for _, a := range apps {
			names = append(names, a.Name)
		}
		assert.Equal(t, []string{"one", "two"}, names)
	})

	t.Run("a second websocket replaces the first", func(t *testing.T) {
		defer ws.use(t)()
		defer other.use(t)()
		third := dialEvents(t, srv, "app=two")
		other.expect("ApplicationReplaced")
		require.NoError(t, rc.Events.UserEvent(c, "again", &resources.EventUserEventParams{Application: "two"}))
		third.expect("ChannelUserevent")
		other.quiet(20 * time.Millisecond)
	})
}

func TestChannelOperations(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	ws := dialEvents(t, srv, "app=testapp")
	require.NoError(t, srv.WaitApp(ctx(t), "testapp"))
	rc := srv.Resources()
	c := ctx(t)
	_, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Local/100@default", App: "testapp", ChannelID: "a", OtherChannelID: "b",
		Variables: ari.VarsOf(map[string]string{"FOO": "bar", "CALLERID(name)": "Json"})})
	require.NoError(t, err)
	ws.expect("ChannelVarset b FOO=bar", "ChannelConnectedLine b", "Dial a ")
	ws.skipTo("StasisStart b")

	t.Run("hold on one half is seen on the other", func(t *testing.T) {
		defer ws.use(t)()
		require.NoError(t, rc.Channels.Hold(c, "a"))
		ws.expect("ChannelHold b")
		require.NoError(t, rc.Channels.Unhold(c, "a"))
		ws.expect("ChannelUnhold b")
	})

	t.Run("variables, functions, bulk", func(t *testing.T) {
		defer ws.use(t)()
		v, err := rc.Channels.GetChannelVar(c, "a", &resources.ChannelGetChannelVarParams{Variable: "CALLERID(name)"})
		require.NoError(t, err)
		assert.Equal(t, "Json", v.Value)
		require.NoError(t, rc.Channels.SetChannelVars(c, "a", &resources.ChannelSetChannelVarsParams{Variables: ari.Vars{"V1": {Value: "a"}, "V2": {Value: "b", ReportEvents: true}}}))
		ws.expect("ChannelVarset a V1=a", "ChannelVarset a V2=b")
		vs, err := rc.Channels.GetChannelVars(c, "a", &resources.ChannelGetChannelVarsParams{Variables: []string{"V1", "V2", "NOPE"}})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"V1": "a", "V2": "b"}, vs.Variables)
		require.NoError(t, rc.Asterisk.SetGlobalVar(c, &resources.AsteriskSetGlobalVarParams{Variable: "G", Value: "1"}))
		g, err := rc.Asterisk.GetGlobalVar(c, &resources.AsteriskGetGlobalVarParams{Variable: "G"})
		require.NoError(t, err)
		assert.Equal(t, "1", g.Value)
	})

	t.Run("a repeated media key keeps only the last", func(t *testing.T) {
		defer ws.use(t)()
		r := call1(t, srv, "POST", "/ari/channels/a/play?media=sound:beep&media=sound:hello-world&playbackId=rep")
		require.Equal(t, 201, r.status, r.body)
		assert.Equal(t, "/playbacks/rep", r.header.Get("Location"))
		var pb ari.Playback
		require.NoError(t, json.Unmarshal([]byte(r.body), &pb))
		assert.Equal(t, "sound:hello-world", pb.MediaURI)
		assert.Empty(t, pb.NextMediaURI)
		ws.expect("PlaybackStarted a sound:hello-world", "PlaybackFinished a sound:hello-world done")
	})

	t.Run("snoop", func(t *testing.T) {
		defer ws.use(t)()
		sn, err := rc.Channels.SnoopChannelWithID(c, "a", "snoop1", &resources.ChannelSnoopChannelWithIDParams{App: "testapp", Spy: "in", AppArgs: []string{"s1"}})
		require.NoError(t, err)
		assert.Equal(t, "Snoop/a-00000001", sn.Name)
		ws.expect("StasisStart snoop1 s1")
		require.NoError(t, rc.Channels.Hangup(c, "snoop1", nil))
		ws.expect("ChannelHangupRequest snoop1 cause=32", "StasisEnd snoop1")
	})

	t.Run("continue into the dialplan", func(t *testing.T) {
		defer ws.use(t)()
		require.NoError(t, rc.Channels.ContinueInDialplan(c, "b", &resources.ChannelContinueInDialplanParams{Context: "default", Extension: "300", Priority: 1}))
		ws.expect("StasisEnd b", "ChannelVarset b STASISSTATUS=SUCCESS", "ChannelDialplan b Answer()", "ChannelDialplan b Echo()")
		// Echo() sends DTMF back.
		require.NoError(t, rc.Channels.SendDTMF(c, "a", &resources.ChannelSendDTMFParams{DTMF: "7"}))
		ws.expect("ChannelDtmfReceived b 7", "ChannelDtmfReceived a 7")
	})

	t.Run("bridge variables and video source", func(t *testing.T) {
		defer ws.use(t)()
		_, err := rc.Bridges.CreateWithID(c, "bv", &resources.BridgeCreateWithIDParams{Name: "v"})
		require.NoError(t, err)
		require.NoError(t, rc.Bridges.SetBridgeVar(c, "bv", &resources.BridgeSetBridgeVarParams{Variable: "BV", Value: "x"}))
		v, err := rc.Bridges.GetBridgeVar(c, "bv", &resources.BridgeGetBridgeVarParams{Variable: "BV"})
		require.NoError(t, err)
		assert.Equal(t, "x", v.Value)
		require.NoError(t, rc.Bridges.AddChannel(c, "bv", &resources.BridgeAddChannelParams{Channel: []string{"a"}}))
		ws.expect("ChannelEnteredBridge a bv [a]")
		require.NoError(t, rc.Bridges.SetVideoSource(c, "bv", "a"))
		br, err := rc.Bridges.Get(c, "bv")
		require.NoError(t, err)
		assert.Equal(t, "a", br.VideoSourceID)
		require.NoError(t, rc.Bridges.ClearVideoSource(c, "bv"))
		// createWithId on an existing bridge is a conflict (22.10.1; 18
		// and older returned the bridge).
		_, err = rc.Bridges.CreateWithID(c, "bv", nil)
		assert.ErrorIs(t, err, ari.ErrConflict)
		br, err = rc.Bridges.Get(c, "bv")
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, br.Channels)
		require.NoError(t, rc.Bridges.Destroy(c, "bv"))
		ws.expect("ChannelLeftBridge a bv []")
	})
}

func TestDynamicConfig(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	rc := srv.Resources()
	c := ctx(t)

	t.Run("mailboxes are res_mwi_external objects", func(t *testing.T) {
		require.NoError(t, rc.Mailboxes.Update(c, "mb1@default", &resources.MailboxUpdateParams{OldMessages: 1, NewMessages: 2}))
		fields, err := rc.Asterisk.GetObject(c, "res_mwi_external", "mailboxes", "mb1@default")
		require.NoError(t, err)
		assert.Equal(t, []ari.ConfigTuple{{Attribute: "msgs_new", Value: "2"}, {Attribute: "msgs_old", Value: "1"}}, fields)
		_, err = rc.Asterisk.UpdateObject(c, "res_mwi_external", "mailboxes", "mb2@default", &resources.AsteriskUpdateObjectParams{Fields: []ari.ConfigTuple{{Attribute: "msgs_new", Value: "03"}}})
		require.NoError(t, err)
		mb, err := rc.Mailboxes.Get(c, "mb2@default")
		require.NoError(t, err)
		assert.Equal(t, ari.Mailbox{Name: "mb2@default", NewMessages: 3}, *mb)
		list, err := rc.Mailboxes.List(c)
		require.NoError(t, err)
		assert.Len(t, list, 2)
		require.NoError(t, rc.Asterisk.DeleteObject(c, "res_mwi_external", "mailboxes", "mb2@default"))
		_, err = rc.Mailboxes.Get(c, "mb2@default")
		assert.ErrorIs(t, err, ari.ErrNotFound)
	})

	t.Run("a registered type with validation", func(t *testing.T) {
		srv.DynamicConfig().Register(aritest.ConfigType{
			Class: "res_pjsip", Type: "aor",
			Fields: []aritest.ConfigField{
				{Name: "contact", Default: ""},
				{Name: "max_contacts", Default: "0", Check: func(v string) (string, error) {
					n, err := strconv.Atoi(v)
					if err != nil || n < 0 {
						return "", errors.New("bad max_contacts")
					}
					return strconv.Itoa(n), nil
				}},
			},
			Normalize: func(id string, f map[string]string) error {
				if f["contact"] == "forbidden" {
					return errors.New("no")
				}
				return nil
			},
		})
		fields, err := rc.Asterisk.UpdateObject(c, "res_pjsip", "aor", "alice", &resources.AsteriskUpdateObjectParams{Fields: []ari.ConfigTuple{{Attribute: "max_contacts", Value: "1"}}})
		require.NoError(t, err)
		assert.Equal(t, []ari.ConfigTuple{{Attribute: "contact", Value: ""}, {Attribute: "max_contacts", Value: "1"}}, fields)
		_, err = rc.Asterisk.UpdateObject(c, "res_pjsip", "aor", "alice", &resources.AsteriskUpdateObjectParams{Fields: []ari.ConfigTuple{{Attribute: "contact", Value: "forbidden"}}})
		var ae *ari.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "Update of object 'alice' failed field value validation", ae.Message)
		_, err = rc.Asterisk.GetObject(c, "res_pjsip", "registration", "alice")
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "objectType 'registration' not found", ae.Message)
	})

	t.Run("a free-form type", func(t *testing.T) {
		srv.DynamicConfig().Register(aritest.ConfigType{Class: "custom", Type: "thing"})
		fields, err := rc.Asterisk.UpdateObject(c, "custom", "thing", "t1", &resources.AsteriskUpdateObjectParams{Fields: []ari.ConfigTuple{{Attribute: "b", Value: "2"}, {Attribute: "a", Value: "1"}}})
		require.NoError(t, err)
		assert.Equal(t, []ari.ConfigTuple{{Attribute: "a", Value: "1"}, {Attribute: "b", Value: "2"}}, fields)
	})
}

func TestRESTOverWebsocket(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	ws := dialEvents(t, srv, "app=rest")
	require.NoError(t, srv.WaitApp(ctx(t), "rest"))
	send := func(method, uri, body string) *events.RESTResponse {
		t.Helper()
		msg := map[string]any{"type": "RESTRequest", "transaction_id": "t", "request_id": "r-" + uri, "method": method, "uri": uri}
		if body != "" {
			msg["content_type"] = "application/json"
			msg["message_body"] = body
		}
		require.NoError(t, ws.conn.WriteJSON(msg))
		return ws.expect("RESTResponse")[0].(*events.RESTResponse)
	}
	r := send("GET", "channels/nosuch", "")
	assert.Equal(t, 404, r.StatusCode)
	assert.Equal(t, "Not Found", r.ReasonPhrase)
	assert.Equal(t, `{"message":"Channel not found"}`, r.MessageBody)
	assert.Equal(t, "r-channels/nosuch", r.RequestID)
	r = send("POST", "bridges?bridgeId=b1", "")
	assert.Equal(t, 200, r.StatusCode)
	var br ari.Bridge
	require.NoError(t, json.Unmarshal([]byte(r.MessageBody), &br))
	assert.Equal(t, "b1", br.ID)
}

// TestCloseIsClean closes a busy server: calls in progress, timers armed,
// websockets open (goleak in TestMain checks that nothing is left).
func TestCloseIsClean(t *testing.T) {
	srv := aritest.NewServer(aritest.Config{})
	ws := dialEvents(t, srv, "app=busy")
	require.NoError(t, srv.WaitApp(ctx(t), "busy"))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "600"})
	require.NoError(t, err)
	_, err = srv.Resources().Channels.Originate(context.Background(), &resources.ChannelOriginateParams{Endpoint: "Test/x", App: "busy"})
	require.NoError(t, err)
	srv.Close()
	<-phone.Done()
	<-ws.done
	srv.Close() // idempotent
	_, err = srv.PlaceCall(aritest.PlaceCallParams{App: "busy"})
	assert.ErrorIs(t, err, aritest.ErrClosed)
}

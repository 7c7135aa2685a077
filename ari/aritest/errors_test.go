package aritest_test

import (
	"context"
	"errors"
	"io"
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

// rawReply is an HTTP reply read whole.
type rawReply struct {
	status int
	header http.Header
	body   string
}

// call sends a raw request to the simulator as user:pass ("" for none).
func call(t testing.TB, srv *aritest.Server, method, target, body, userpass string) rawReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+target, rd)
	require.NoError(t, err)
	if userpass != "" {
		u, p, _ := strings.Cut(userpass, ":")
		req.SetBasicAuth(u, p)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return rawReply{resp.StatusCode, resp.Header, string(b)}
}

// errorFixture starts a server with: c1 in Stasis (Up), x1 running the
// dialplan (not in Stasis), cr created in Stasis (Down), bridge br with c1.
func errorFixture(t *testing.T) *aritest.Server {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Endpoints: []string{"alice"}})
	_ = dialEvents(t, srv, "app=testapp")
	require.NoError(t, srv.WaitApp(ctx(t), "testapp"))
	rc := srv.Resources()
	c := ctx(t)
	_, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Local/100@default", App: "testapp", ChannelID: "c1"})
	require.NoError(t, err)
	_, err = srv.WaitEvent(c, func(e eventsEvent) bool { return e.EventType() == "StasisStart" && events.ChannelIDs(e)[0] == "c1" })
	require.NoError(t, err)
	_, err = rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Local/400@default", Context: "default", Extension: "400", ChannelID: "x1"})
	require.NoError(t, err)
	_, err = rc.Channels.Create(c, &resources.ChannelCreateParams{Endpoint: "Local/100@default", App: "testapp", ChannelID: "cr"})
	require.NoError(t, err)
	_, err = rc.Bridges.Create(c, &resources.BridgeCreateParams{BridgeID: "br"})
	require.NoError(t, err)
	require.NoError(t, rc.Bridges.AddChannel(c, "br", &resources.BridgeAddChannelParams{Channel: []string{"c1"}}))
	return srv
}

// TestErrorReplies checks Asterisk's statuses and messages for missing
// resources, wrong states and missing or invalid parameters, and the 501
// of the operations the simulator does not implement. The messages marked
// "capture" are in testdata/rest/responses.jsonl; the others are
// Asterisk's (res/ari/resource_*.c) as the simulator reproduces them.
func TestErrorReplies(t *testing.T) {
	srv := errorFixture(t)
	tests := []struct {
		name, method, path, body string
		status                   int
		message                  string
	}{
		// channels
		{"capture: channel not found", "GET", "/ari/channels/nosuch", "", 404, "Channel not found"},
		{"capture: hangup unknown channel", "DELETE", "/ari/channels/nosuch", "", 404, "Channel not found"},
		{"originate without endpoint", "POST", "/ari/channels?app=testapp", "", 400, "Endpoint must be specified"},
		{"originate with a bad endpoint", "POST", "/ari/channels?endpoint=Local&app=testapp", "", 400, "Invalid endpoint specified"},
		{"originate without app or extension", "POST", "/ari/channels?endpoint=Local/100@default", "", 400, "Application or extension must be specified"},
		{"originate to an unknown technology", "POST", "/ari/channels?endpoint=Foo/bar&app=testapp", "", 500, "Allocation failed"},
		{"originate with a used id", "POST", "/ari/channels?endpoint=Local/100@default&app=testapp&channelId=c1", "", 409, "Channel with given unique ID already exists"},
		{"create without app", "POST", "/ari/channels/create?endpoint=Local/100@default", "", 400, "Application name is required"},
		{"answer: not in Stasis", "POST", "/ari/channels/x1/answer", "", 409, "Channel not in Stasis application"},
		{"answer: no channel", "POST", "/ari/channels/nosuch/answer", "", 404, "Channel not found"},
		{"play on a Down channel", "POST", "/ari/channels/cr/play?media=sound:beep", "", 412, "Channel in invalid state"},
		{"dtmf on a Down channel", "POST", "/ari/channels/cr/dtmf?dtmf=1", "", 412, "Channel in invalid state"},
		{"dtmf without digits", "POST", "/ari/channels/c1/dtmf", "", 400, "DTMF is required"},
		{"hangup with a bad reason", "DELETE", "/ari/channels/c1?reason=bogus", "", 400, "Invalid reason for hangup reason provided"},
		{"hangup with reason and code", "DELETE", "/ari/channels/c1?reason=busy&reason_code=17", "", 400, "The reason and reason_code can't both be specified"},
		{"get variable without name", "GET", "/ari/channels/c1/variable", "", 400, "Variable name is required"},
		{"capture: unknown variable", "GET", "/ari/channels/c1/variable?variable=NOPE", "", 404, "Provided variable was not found"},
		{"set variable: not in Stasis", "POST", "/ari/channels/x1/variable?variable=A&value=1", "", 409, "Channel not in Stasis application"},
		{"play without media", "POST", "/ari/channels/c1/play", "", 400, "Missing parameter media"},
		{"play with negative skipms", "POST", "/ari/channels/c1/play?media=sound:beep&skipms=-1", "", 400, "skipms cannot be negative"},
		{"record in an unknown format", "POST", "/ari/channels/c1/record?name=r1&format=bogus", "", 422, "specified format is unknown on this system"},
		{"record with a bad ifExists", "POST", "/ari/channels/c1/record?name=r1&format=wav&ifExists=bogus", "", 400, "ifExists invalid"},
		{"record with a bad terminateOn", "POST", "/ari/channels/c1/record?name=r1&format=wav&terminateOn=5", "", 400, "terminateOn invalid"},
		{"snoop without direction", "POST", "/ari/channels/c1/snoop?app=testapp", "", 400, "Direction must be specified for at least spy or whisper"},
		{"snoop without app", "POST", "/ari/channels/c1/snoop?spy=in", "", 400, "Application name is required"},
		{"dial a channel in a bridge", "POST", "/ari/channels/c1/dial", "", 409, "Channel is in a bridge and cannot be dialed"},
		{"redirect without endpoint", "POST", "/ari/channels/c1/redirect", "", 400, "Required parameter 'endpoint' not provided."},
		{"mute with a bad direction", "POST", "/ari/channels/c1/mute?direction=up", "", 400, "Invalid direction specified"},
		{"too many media", "POST", "/ari/channels/c1/play?media=" + strings.Repeat("sound:beep,", 128) + "sound:beep", "", 400, "Too many values for media"},
		{"bad JSON body", "POST", "/ari/channels", "{", 400, "Error parsing request body"},
		// bridges
		{"capture: bridge not found", "GET", "/ari/bridges/nosuch", "", 404, "Bridge not found"},
		{"capture: add an unknown channel", "POST", "/ari/bridges/br/addChannel?channel=nosuch", "", 400, "Channel not found"},
		{"add a channel not in Stasis", "POST", "/ari/bridges/br/addChannel?channel=x1", "", 422, "Channel not in Stasis application"},
		{"add without channel", "POST", "/ari/bridges/br/addChannel", "", 400, "Missing parameter channel"},
		{"capture: remove a channel not in the bridge", "POST", "/ari/bridges/br/removeChannel?channel=cr", "", 422, "Channel not in this bridge"},
		{"capture: bridge id in use", "POST", "/ari/bridges?bridgeId=br", "", 409, "Bridge with id 'br' already exists"},
		{"capture: stop MOH not playing", "DELETE", "/ari/bridges/br/moh", "", 409, "Bridge isn't playing music"},
		{"createWithId on an existing bridge", "POST", "/ari/bridges/br?type=holding", "", 409, "Bridge with id 'br' already exists"},
		// playbacks and recordings
		{"playback not found", "GET", "/ari/playbacks/nosuch", "", 404, "Playback not found"},
		{"playback control without operation", "POST", "/ari/playbacks/nosuch/control", "", 400, "Missing operation"},
		{"playback control with a bad operation", "POST", "/ari/playbacks/nosuch/control?operation=jump", "", 400, "Invalid operation jump"},
		{"live recording not found", "GET", "/ari/recordings/live/nosuch", "", 404, "Recording not found"},
		{"stop an unknown recording", "POST", "/ari/recordings/live/nosuch/stop", "", 404, "Recording not found"},
		{"stored recording not found", "GET", "/ari/recordings/stored/nosuch", "", 404, "Recording not found"},
		{"copy an unknown recording", "POST", "/ari/recordings/stored/nosuch/copy?destinationRecordingName=x", "", 404, "Recording not found"},
		// applications and events
		{"capture: application not found", "GET", "/ari/applications/nosuch", "", 404, "Application not found"},
		{"subscribe without source", "POST", "/ari/applications/testapp/subscription", "", 400, "Missing parameter eventSource"},
		{"subscribe to a missing channel", "POST", "/ari/applications/testapp/subscription?eventSource=channel:nosuch", "", 422, "Event source does not exist"},
		{"subscribe with a bad scheme", "POST", "/ari/applications/testapp/subscription?eventSource=foo:bar", "", 400, "Invalid event source URI scheme"},
		{"unsubscribe a source not subscribed", "DELETE", "/ari/applications/testapp/subscription?eventSource=channel:x1", "", 422, "Event source was not subscribed to"},
		{"capture: unsubscribe from all bridges", "DELETE", "/ari/applications/testapp/subscription?eventSource=bridge:", "", 501, "Method not implemented"},
		{"event filter without body", "PUT", "/ari/applications/testapp/eventFilter", "", 400, "Invalid format definition"},
		{"user event to an unknown application", "POST", "/ari/events/user/ev?application=nosuch", "", 404, "Application not found"},
		{"user event from a missing channel", "POST", "/ari/events/user/ev?application=testapp&source=channel:nosuch", "", 422, "Event source was not found"},
		// other resources
		{"sound not found", "GET", "/ari/sounds/nosuch", "", 404, "Sound not found"},
		{"capture: mailbox not found", "GET", "/ari/mailboxes/nosuch", "", 404, "Mailbox is does not exist"},
		{"delete an unknown mailbox", "DELETE", "/ari/mailboxes/nosuch", "", 404, "Mailbox does not exist"},
		{"capture: uncontrolled device", "PUT", "/ari/deviceStates/Local:foo?deviceState=BUSY", "", 409, "Uncontrolled device specified"},
		{"capture: Local endpoints", "GET", "/ari/endpoints/Local", "", 404, "No Endpoints found - invalid tech Local"},
		{"endpoint not found", "GET", "/ari/endpoints/Test/nobody", "", 404, "Endpoint not found"},
		{"module not loaded", "GET", "/ari/asterisk/modules/nosuch.so", "", 404, "Module could not be found in running modules"},
		{"capture: module without reload", "PUT", "/ari/asterisk/modules/res_ari_sounds.so", "", 409, "Module does not support reloading"},
		{"bad info section", "GET", "/ari/asterisk/info?only=bogus", "", 400, "Unrecognized info section 'bogus'"},
		{"global variable without name", "GET", "/ari/asterisk/variable", "", 400, "Variable name is required"},
		{"log channel not found", "DELETE", "/ari/asterisk/logging/nosuch.log", "", 404, "Log channel does not exist"},
		{"unknown config class", "GET", "/ari/asterisk/config/dynamic/nosuch/x/y", "", 404, "configClass 'nosuch' not found"},
		{"unknown object type", "GET", "/ari/asterisk/config/dynamic/res_mwi_external/nosuch/y", "", 404, "objectType 'nosuch' not found"},
		{"unknown object", "GET", "/ari/asterisk/config/dynamic/res_mwi_external/mailboxes/nosuch", "", 404, "Object with id 'nosuch' not found"},
		{"create an object without fields", "PUT", "/ari/asterisk/config/dynamic/res_mwi_external/mailboxes/mbx", "", 400, "Fields must be provided to create a new object"},
		{"create an object with a bad field", "PUT", "/ari/asterisk/config/dynamic/res_mwi_external/mailboxes/mbx", `{"fields":[{"attribute":"bogus","value":"1"}]}`, 400, "Creation of object 'mbx' failed field value validation"},
		{"create an object with a bad value", "PUT", "/ari/asterisk/config/dynamic/res_mwi_external/mailboxes/mbx", `{"fields":[{"attribute":"msgs_new","value":"many"}]}`, 400, "Creation of object 'mbx' failed field value validation"},
		// routing and unsimulated operations
		{"unknown resource", "GET", "/ari/nosuch", "", 404, "Resource not found"},
		{"method not allowed", "PUT", "/ari/channels", "", 405, "Invalid method"},
		{"rtpstatistics on a Local channel", "GET", "/ari/channels/c1/rtp_statistics", "", 403, "Unsupported channel type"},
		{"rtpstatistics of an unknown channel", "GET", "/ari/channels/nosuch/rtp_statistics", "", 404, "Channel not found"},
		{"unsimulated: transfer_progress", "POST", "/ari/channels/c1/transfer_progress?states=ringing", "", 501, "aritest: channels.transfer_progress is not simulated"},
		{"claim of a channel not in broadcast state", "POST", "/ari/events/claim?channelId=c1&application=testapp", "", 404, "Channel not found or not in broadcast state"},
		{"claim without channelId", "POST", "/ari/events/claim?application=testapp", "", 400, "channelId parameter is required"},
		{"claim without application", "POST", "/ari/events/claim?channelId=c1", "", 400, "application parameter is required"},
		{"unsimulated: sendMessage", "PUT", "/ari/endpoints/sendMessage?to=pjsip:a&from=b", "", 501, "aritest: endpoints.sendMessage is not simulated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, tt.method, tt.path, tt.body, "asterisk:asterisk")
			assert.Equal(t, tt.status, r.status, r.body)
			assert.Equal(t, mustJSON(t, map[string]string{"message": tt.message}), r.body)
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
		})
	}
}

// TestErrorsThroughTheClient checks that the typed client turns the
// simulator's replies into *ari.Error values with Asterisk's message.
func TestErrorsThroughTheClient(t *testing.T) {
	srv := errorFixture(t)
	rc := srv.Resources()
	c := ctx(t)

	_, err := rc.Channels.Get(c, "nosuch")
	require.ErrorIs(t, err, ari.ErrNotFound)
	var ae *ari.Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "Channel not found", ae.Message)

	err = rc.Channels.Answer(c, "x1")
	require.ErrorIs(t, err, ari.ErrConflict)

	_, err = rc.Channels.Play(c, "cr", &resources.ChannelPlayParams{Media: []string{"sound:beep"}})
	require.ErrorIs(t, err, ari.ErrInvalidState)

	err = rc.Events.ClaimChannel(c, &resources.EventClaimChannelParams{ChannelID: "c1", Application: "testapp"})
	require.ErrorIs(t, err, ari.ErrNotFound)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "Channel not found or not in broadcast state", ae.Message)

	err = rc.Endpoints.SendMessage(c, &resources.EndpointSendMessageParams{To: "pjsip:a", From: "b"})
	require.ErrorIs(t, err, ari.ErrNotImplemented)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "aritest: endpoints.sendMessage is not simulated", ae.Message)

	// Every 22.10.1 operation is routed: simulated, or 501.
	ops := srv.Operations()
	assert.Len(t, ops, 109)
	var unsimulated []string
	for _, o := range ops {
		if !o.Simulated {
			unsimulated = append(unsimulated, o.Operation.String())
		}
	}
	t.Logf("not simulated (501): %v", unsimulated)
}

// TestAuthentication checks Basic authentication, api_key, the 401 and the
// read-only user's 403, on REST and on the events websocket.
func TestAuthentication(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	tests := []struct {
		name, method, target, userpass string
		status                         int
		body                           string
	}{
		{"no credentials", "GET", "/ari/asterisk/ping", "", 401, `{"message":"Authentication required"}`},
		{"wrong password", "GET", "/ari/asterisk/ping", "asterisk:wrong", 401, `{"message":"Authentication required"}`},
		{"unknown user", "GET", "/ari/asterisk/ping", "nobody:asterisk", 401, `{"message":"Authentication required"}`},
		{"api_key", "GET", "/ari/asterisk/ping?api_key=asterisk:asterisk", "", 200, ""},
		{"wrong api_key", "GET", "/ari/asterisk/ping?api_key=asterisk:nope", "", 401, `{"message":"Authentication required"}`},
		{"Basic wins over api_key", "GET", "/ari/asterisk/ping?api_key=asterisk:nope", "asterisk:asterisk", 200, ""},
		{"read-only GET", "GET", "/ari/channels", "viewer:viewer", 200, `[]`},
		{"capture: read-only POST", "POST", "/ari/channels?endpoint=Local/400@default&app=testapp", "viewer:viewer", 403, `{"message":"Write access denied"}`},
		{"read-only DELETE", "DELETE", "/ari/channels/x", "viewer:viewer", 403, `{"message":"Write access denied"}`},
		{"read-only api_key PUT", "PUT", "/ari/deviceStates/Stasis:x?deviceState=BUSY&api_key=viewer:viewer", "", 403, `{"message":"Write access denied"}`},
		{"websocket without credentials", "GET", "/ari/events?app=x", "", 401, `{"message":"Authentication required"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, tt.method, tt.target, "", tt.userpass)
			assert.Equal(t, tt.status, r.status)
			if tt.body != "" {
				assert.Equal(t, tt.body, r.body)
			}
			if tt.status == 401 {
				assert.Equal(t, `Basic realm="Asterisk REST Interface"`, r.header.Get("WWW-Authenticate"))
			}
		})
	}

	t.Run("websocket upgrade without app", func(t *testing.T) {
		url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ari/events"
		h := http.Header{"Authorization": {"Basic YXN0ZXJpc2s6YXN0ZXJpc2s="}}
		_, resp, err := websocket.DefaultDialer.Dial(url, h)
		require.ErrorIs(t, err, websocket.ErrBadHandshake)
		defer resp.Body.Close()
		assert.Equal(t, 400, resp.StatusCode)
		assert.Equal(t, "text/html", resp.Header.Get("Content-Type"))
		b, _ := io.ReadAll(resp.Body)
		assert.Contains(t, string(b), "<title>400 Bad Request</title>")
		assert.Contains(t, string(b), "HTTP request is missing param: [app]")
	})

	t.Run("websocket with api_key", func(t *testing.T) {
		url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ari/events?app=keyapp&api_key=viewer:viewer"
		conn, _, err := websocket.DefaultDialer.Dial(url, nil)
		require.NoError(t, err)
		conn.Close()
	})

	t.Run("EventStream with a wrong password", func(t *testing.T) {
		cl, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "wrong", Version: "22.10.1"})
		require.NoError(t, err)
		es := cl.EventStream(ari.EventStreamConfig{Apps: []string{"x"}, MaxAttempts: 1})
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = es.Run(c, func(ari.Frame) {})
		require.ErrorIs(t, err, ari.ErrUnauthorized)
		var ge *ari.GiveUpError
		require.True(t, errors.As(err, &ge))
	})
}

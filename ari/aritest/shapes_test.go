package aritest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// capturedSamples returns every event captured from Asterisk 22.10.1
// (testdata/events/*.json and the stream testdata/streams/testapp.jsonl),
// decoded as generic JSON, by type.
func capturedSamples(t testing.TB) map[string][]any {
	t.Helper()
	out := map[string][]any{}
	add := func(data []byte) {
		var v map[string]any
		require.NoError(t, json.Unmarshal(data, &v))
		typ, _ := v["type"].(string)
		require.NotEmpty(t, typ)
		out[typ] = append(out[typ], v)
	}
	files, err := filepath.Glob("testdata/events/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		add(data)
	}
	fh, err := os.Open("testdata/streams/testapp.jsonl")
	require.NoError(t, err)
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			add([]byte(line))
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// shapeDiff compares the shape of got with want: the same keys at every
// level, and the same JSON kinds (string, number, bool, object, array);
// array elements are compared with the elements of the other array (an
// empty array matches any array). It returns "" when they match.
func shapeDiff(path string, got, want any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %s, want object", path, kind(got))
		}
		var keys []string
		for k := range g {
			keys = append(keys, k)
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				return fmt.Sprintf("%s.%s: missing (Asterisk sends it)", path, k)
			case !wok:
				return fmt.Sprintf("%s.%s: extra key (Asterisk does not send it)", path, k)
			}
			if d := shapeDiff(path+"."+k, gv, wv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: got %s, want array", path, kind(got))
		}
		if len(w) == 0 {
			return ""
		}
		for i, gv := range g {
			if d := shapeDiff(fmt.Sprintf("%s[%d]", path, i), gv, w[0]); d != "" {
				return d
			}
		}
		return ""
	default:
		if kind(got) != kind(want) {
			return fmt.Sprintf("%s: got %s, want %s", path, kind(got), kind(want))
		}
		return ""
	}
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// schemaModels returns the models of the embedded 22.10.1 API description.
func schemaModels(t testing.TB) map[string]schemaModel {
	t.Helper()
	files, err := filepath.Glob("schema/asterisk-22.10.1/api-docs/*.json")
	require.NoError(t, err)
	models := map[string]schemaModel{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var doc struct {
			Models map[string]schemaModel `json:"models"`
		}
		require.NoError(t, json.Unmarshal(data, &doc))
		for k, v := range doc.Models {
			models[k] = v
		}
	}
	return models
}

type schemaModel struct {
	Properties map[string]struct {
		Type     string `json:"type"`
		Required bool   `json:"required"`
	} `json:"properties"`
}

// schemaDiff checks v against model (and, for events, the Event and
// Message models): no key the model lacks, every required key, and values
// of the declared types.
func schemaDiff(models map[string]schemaModel, path, model string, v any, isEvent bool) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprintf("%s: got %s, want object %s", path, kind(v), model)
	}
	props := map[string]struct {
		typ      string
		required bool
	}{}
	names := []string{model}
	if isEvent {
		names = append(names, "Event", "Message")
	}
	for _, n := range names {
		m, ok := models[n]
		if !ok {
			return fmt.Sprintf("%s: no model %s in the schema", path, n)
		}
		for k, p := range m.Properties {
			props[k] = struct {
				typ      string
				required bool
			}{p.Type, p.Required}
		}
	}
	for k, p := range props {
		if _, ok := obj[k]; !ok && p.required {
			return fmt.Sprintf("%s.%s: missing required member", path, k)
		}
	}
	for k, val := range obj {
		p, ok := props[k]
		if !ok {
			return fmt.Sprintf("%s.%s: not in model %s", path, k, model)
		}
		if d := typeDiff(models, path+"."+k, p.typ, val); d != "" {
			return d
		}
	}
	return ""
}

func typeDiff(models map[string]schemaModel, path, typ string, v any) string {
	if inner, ok := strings.CutPrefix(typ, "List["); ok {
		arr, ok := v.([]any)
		if !ok {
			return fmt.Sprintf("%s: got %s, want %s", path, kind(v), typ)
		}
		for i, e := range arr {
			if d := typeDiff(models, fmt.Sprintf("%s[%d]", path, i), strings.TrimSuffix(inner, "]"), e); d != "" {
				return d
			}
		}
		return ""
	}
	want := ""
	switch typ {
	case "string":
		want = "string"
	case "Date":
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("%s: got %s, want a date string", path, kind(v))
		}
		if _, err := time.Parse(ari.TimeLayout, s); err != nil {
			return fmt.Sprintf("%s: %q is not in Asterisk's date layout", path, s)
		}
		return ""
	case "int", "long", "double":
		want = "number"
	case "boolean":
		want = "bool"
	case "object":
		want = "object"
	default:
		return schemaDiff(models, path, typ, v, false)
	}
	if kind(v) != want {
		return fmt.Sprintf("%s: got %s, want %s (%s)", path, kind(v), want, typ)
	}
	return ""
}

// TestEventShapesMatchAsterisk runs scenarios that make the simulator send
// every event type it can send, and holds each event to the real
// captures: its keys and JSON value types, recursively, must be those of
// a captured event of its type. Types the captures lack are held to the
// 22.10.1 schema instead (no unknown member, every required member, the
// declared types).
func TestEventShapesMatchAsterisk(t *testing.T) {
	captured := capturedSamples(t)
	models := schemaModels(t)

	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Endpoints: []string{"alice"}})
	all := dialEvents(t, srv, "app=allapp&subscribeAll=true")
	_ = dialEvents(t, srv, "app=testapp,router")
	require.NoError(t, srv.WaitApp(ctx(t), "allapp", "testapp", "router"))
	runEveryEvent(t, srv)
	_ = all

	byType := map[string][]aritest.SentEvent{}
	for _, se := range srv.Events() {
		byType[se.Event.EventType()] = append(byType[se.Event.EventType()], se)
	}
	// Every type the simulator can send must have been produced.
	for _, typ := range emittedTypes {
		assert.NotEmpty(t, byType[typ], "scenario sent no %s", typ)
	}
	var uncaptured []string
	for typ, sent := range byType {
		samples := captured[typ]
		if len(samples) == 0 {
			uncaptured = append(uncaptured, typ)
		}
		for _, se := range sent {
			var got any
			require.NoError(t, json.Unmarshal(se.Raw, &got))
			if len(samples) == 0 {
				if d := schemaDiff(models, typ, typ, got, true); d != "" {
					t.Errorf("%s (no capture; checked against the schema): %s\n%s", typ, d, se.Raw)
				}
				continue
			}
			var diffs []string
			ok := false
			for _, want := range samples {
				d := shapeDiff(typ, got, want)
				if d == "" {
					ok = true
					break
				}
				diffs = append(diffs, d)
			}
			if !ok {
				t.Errorf("%s differs from every capture of its type:\n  %s\n%s", typ, strings.Join(uniq(diffs), "\n  "), se.Raw)
			}
		}
	}
	sort.Strings(uncaptured)
	t.Logf("types without a capture, checked against the schema: %v", uncaptured)
}

// emittedTypes lists the event types the simulator sends.
var emittedTypes = []string{
	"ApplicationMoveFailed", "ApplicationReplaced", "BridgeCreated", "BridgeDestroyed",
	"CallBroadcast", "CallClaimed",
	"ChannelCallerId", "ChannelConnectedLine", "ChannelCreated", "ChannelDestroyed",
	"ChannelDialplan", "ChannelDtmfReceived", "ChannelEnteredBridge", "ChannelHangupRequest",
	"ChannelHold", "ChannelLeftBridge", "ChannelStateChange", "ChannelUnhold",
	"ChannelUserevent", "ChannelVarset", "DeviceStateChanged", "Dial",
	"PlaybackContinuing", "PlaybackFinished", "PlaybackStarted", "RESTResponse",
	"RecordingFinished", "RecordingStarted", "StasisEnd", "StasisStart",
}

func uniq(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// runEveryEvent exercises the simulator so that it sends every type of
// emittedTypes.
func runEveryEvent(t *testing.T, srv *aritest.Server) {
	rc := srv.Resources()
	c := ctx(t)
	wait := func(typ string) {
		t.Helper()
		_, err := srv.WaitEvent(c, func(e eventsEvent) bool { return e.EventType() == typ })
		require.NoError(t, err, typ)
	}
	// Originate with a caller id (ChannelCallerID, ChannelConnectedLine),
	// a dialplan channel (ChannelDialplan), Stasis on both halves.
	_, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Local/100@default", App: "testapp", ChannelID: "c1", OtherChannelID: "c1b", CallerID: ari.CallerID{Name: "Alice", Number: "1001"}})
	require.NoError(t, err)
	_, err = srv.WaitEvent(c, func(e eventsEvent) bool { return e.EventType() == "StasisStart" && events.ChannelIDs(e)[0] == "c1b" })
	require.NoError(t, err)
	_, err = rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Local/200@default", App: "testapp", ChannelID: "c2", OtherChannelID: "c2b", AppArgs: []string{"x", "y"}})
	require.NoError(t, err)
	_, err = srv.WaitEvent(c, func(e eventsEvent) bool { return e.EventType() == "StasisStart" && events.ChannelIDs(e)[0] == "c2b" })
	require.NoError(t, err)

	// Playbacks: a list, and a missing sound.
	_, err = rc.Channels.Play(c, "c1", &resources.ChannelPlayParams{Media: []string{"sound:beep", "digits:12"}})
	require.NoError(t, err)
	_, err = rc.Channels.Play(c, "c1", &resources.ChannelPlayParams{Media: []string{"sound:no-such-file"}, PlaybackID: "pbfail"})
	require.NoError(t, err)
	_, err = srv.WaitEvent(c, func(e eventsEvent) bool {
		return e.EventType() == "PlaybackFinished" && strings.Contains(mustJSON(t, e), "pbfail")
	})
	require.NoError(t, err)

	// DTMF, variables, caller id functions, hold.
	require.NoError(t, rc.Channels.SendDTMF(c, "c1", &resources.ChannelSendDTMFParams{DTMF: "1"}))
	wait("ChannelDtmfReceived")
	require.NoError(t, rc.Channels.SetChannelVar(c, "c1", &resources.ChannelSetChannelVarParams{Variable: "CALLERID(all)", Value: `"Carol" <5551234>`}))
	require.NoError(t, rc.Channels.SetChannelVar(c, "c1", &resources.ChannelSetChannelVarParams{Variable: "CONNECTEDLINE(num)", Value: "777"}))
	require.NoError(t, rc.Channels.Hold(c, "c1"))
	require.NoError(t, rc.Channels.Unhold(c, "c1"))

	// Bridges, subscribed to all (allapp) and implicitly (testapp).
	_, err = rc.Bridges.Create(c, &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}, BridgeID: "brA", Name: "verify"})
	require.NoError(t, err)
	require.NoError(t, rc.Bridges.AddChannel(c, "brA", &resources.BridgeAddChannelParams{Channel: []string{"c1", "c2"}}))
	_, err = rc.Bridges.Play(c, "brA", &resources.BridgePlayParams{Media: []string{"sound:hello-world"}})
	require.NoError(t, err)
	_, err = rc.Bridges.Record(c, "brA", &resources.BridgeRecordParams{Name: "brrec", Format: "wav", MaxDurationSeconds: 1})
	require.NoError(t, err)
	wait("RecordingStarted")
	require.NoError(t, rc.Recordings.Stop(c, "brrec"))
	wait("RecordingFinished")
	require.NoError(t, rc.Bridges.RemoveChannel(c, "brA", &resources.BridgeRemoveChannelParams{Channel: []string{"c2"}}))
	require.NoError(t, rc.Bridges.Destroy(c, "brA"))

	// A user event, a device state, a failed move.
	require.NoError(t, rc.Events.UserEvent(c, "myEvent", &resources.EventUserEventParams{Application: "testapp", Source: []string{"channel:c1"}}))
	_, err = rc.Applications.Subscribe(c, "testapp", &resources.ApplicationSubscribeParams{EventSource: []string{"deviceState:Stasis:dev1"}})
	require.NoError(t, err)
	require.NoError(t, rc.DeviceStates.Update(c, "Stasis:dev1", &resources.DeviceStateUpdateParams{DeviceState: "BUSY"}))
	require.NoError(t, rc.Channels.Move(c, "c2", &resources.ChannelMoveParams{App: "nosuchapp"}))
	wait("ApplicationMoveFailed")

	// An inbound Test call hung up by its phone.
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "testapp", Answer: true, Caller: ari.CallerID{Name: "Bob", Number: "200"}})
	require.NoError(t, err)
	require.NoError(t, phone.Hangup(resources.HangupReasonBusy))

	// A call offered with StasisBroadcast, claimed (CallBroadcast,
	// CallClaimed).
	offered, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "bc", Broadcast: &aritest.BroadcastParams{Timeout: 10 * time.Second, NotifyClaimed: true}})
	require.NoError(t, err)
	wait("CallBroadcast")
	require.NoError(t, rc.Events.ClaimChannel(c, &resources.EventClaimChannelParams{ChannelID: "bc", Application: "testapp"}))
	wait("CallClaimed")
	require.NoError(t, offered.Hangup(resources.HangupReasonNormal))

	// Hang everything up.
	require.NoError(t, rc.Channels.Hangup(c, "c1", nil))
	require.NoError(t, rc.Channels.Hangup(c, "c2", &resources.ChannelHangupParams{ReasonCode: "17"}))

	// REST over websocket, then a second websocket taking testapp over.
	ws := dialEvents(t, srv, "app=restapp")
	require.NoError(t, ws.conn.WriteJSON(map[string]any{
		"type": "RESTRequest", "transaction_id": "t1", "request_id": "r1",
		"method": "GET", "uri": "asterisk/ping",
	}))
	ws.expect("RESTResponse")
	_ = dialEvents(t, srv, "app=testapp")
	wait("ApplicationReplaced")
	wait("ChannelDestroyed")
}

package resources_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// opCase is one call of a typed method and the request Asterisk expects
// from it.
type opCase struct {
	op   string // "resource.nickname"
	name string // variant, when an operation has several cases
	call func(ctx context.Context, c *resources.Client) (any, error)
	// req is "METHOD /path" under /ari, each segment as Asterisk decodes it.
	req string
	// query lists the query parameters, decoded; order does not matter,
	// multiplicity does.
	query []kv
	// body is the JSON body; "" means none.
	body string
}

// Ids used below; some need escaping in a path.
const (
	chID  = "c1-1795635659"
	ch2ID = "c2-1795635659"
	brID  = "brA-1795635659"
	pbID  = "pb1-1795635659"
	recID = "rec1-1795635659"
	mbox  = "mb1@default"
	dev   = "Stasis:dev1"
	mod   = "res_ari.so"
	logCh = "verify_test.log"
)

func intp(v int) *int { return &v }

// varsBody is the ari.Vars used in bodies, and what Asterisk gets for it.
var (
	testVars     = ari.Vars{"A": {Value: "1"}, "B": {Value: "2", ReportEvents: true}}
	testVarsJSON = `{"variables": {"A": "1", "B": {"value": "2", "report_events": true}}}`
	plainVars    = map[string]string{"X-Header": "x y", "key": "v"}
	plainVarJSON = `{"variables": {"X-Header": "x y", "key": "v"}}`
)

// opCases holds at least one case per operation of the union of releases;
// TestEveryOperation fails for an operation without one.
var opCases = []opCase{
	// applications
	{op: "applications.filter", call: func(ctx context.Context, c *resources.Client) (any, error) {
		f := ari.EventFilter{Allowed: []ari.EventMatch{{Type: "StasisStart"}, {Type: "StasisEnd"}}, Disallowed: []ari.EventMatch{{Type: "ChannelDtmfReceived"}}}
		return c.Applications.Filter(ctx, "router", &resources.ApplicationFilterParams{Filter: &f})
	}, req: "PUT /applications/router/eventFilter",
		body: `{"allowed": [{"type": "StasisStart"}, {"type": "StasisEnd"}], "disallowed": [{"type": "ChannelDtmfReceived"}]}`},
	{op: "applications.filter", name: "empty filter clears both", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Applications.Filter(ctx, "router", &resources.ApplicationFilterParams{Filter: &ari.EventFilter{}})
	}, req: "PUT /applications/router/eventFilter", body: `{}`},
	{op: "applications.filter", name: "empty allowed list", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Applications.Filter(ctx, "router", &resources.ApplicationFilterParams{Filter: &ari.EventFilter{Allowed: []ari.EventMatch{}}})
	}, req: "PUT /applications/router/eventFilter", body: `{"allowed": []}`},
	{op: "applications.filter", name: "nil params", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Applications.Filter(ctx, "router", nil)
	}, req: "PUT /applications/router/eventFilter"},
	{op: "applications.get", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Applications.Get(ctx, "testapp")
	}, req: "GET /applications/testapp"},
	{op: "applications.list", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Applications.List(ctx)
	}, req: "GET /applications"},
	{op: "applications.subscribe", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Applications.Subscribe(ctx, "testapp", &resources.ApplicationSubscribeParams{EventSource: []string{"channel:" + chID, "bridge:", "endpoint:PJSIP/alice", "deviceState:" + dev}})
	}, req: "POST /applications/testapp/subscription",
		query: q("eventSource", "channel:"+chID+",bridge:,endpoint:PJSIP/alice,deviceState:"+dev)},
	{op: "applications.unsubscribe", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Applications.Unsubscribe(ctx, "testapp", &resources.ApplicationUnsubscribeParams{EventSource: []string{"deviceState:" + dev}})
	}, req: "DELETE /applications/testapp/subscription", query: q("eventSource", "deviceState:"+dev)},

	// asterisk
	{op: "asterisk.addLog", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Asterisk.AddLog(ctx, logCh, &resources.AsteriskAddLogParams{Configuration: "notice,warning"})
	}, req: "POST /asterisk/logging/" + logCh, query: q("configuration", "notice,warning")},
	{op: "asterisk.deleteLog", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Asterisk.DeleteLog(ctx, logCh)
	}, req: "DELETE /asterisk/logging/" + logCh},
	{op: "asterisk.deleteObject", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Asterisk.DeleteObject(ctx, "res_mwi_external", "mailboxes", "mb2@default")
	}, req: "DELETE /asterisk/config/dynamic/res_mwi_external/mailboxes/mb2@default"},
	{op: "asterisk.getGlobalVar", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Asterisk.GetGlobalVar(ctx, &resources.AsteriskGetGlobalVarParams{Variable: "GVAR"})
	}, req: "GET /asterisk/variable", query: q("variable", "GVAR")},
	{op: "asterisk.getInfo", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Asterisk.GetInfo(ctx, &resources.AsteriskGetInfoParams{Only: []resources.GetInfoOnly{resources.GetInfoOnlyBuild, resources.GetInfoOnlySystem, resources.GetInfoOnlyConfig, resources.GetInfoOnlyStatus}})
	}, req: "GET /asterisk/info", query: q("only", "build,system,config,status")},
	{op: "asterisk.getInfo", name: "no params", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Asterisk.GetInfo(ctx, nil)
	}, req: "GET /asterisk/info"},
	{op: "asterisk.getModule", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Asterisk.GetModule(ctx, mod)
	}, req: "GET /asterisk/modules/" + mod},
	{op: "asterisk.getObject", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Asterisk.GetObject(ctx, "res_mwi_external", "mailboxes", mbox)
	}, req: "GET /asterisk/config/dynamic/res_mwi_external/mailboxes/" + mbox},
	{op: "asterisk.listLogChannels", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Asterisk.ListLogChannels(ctx)
	}, req: "GET /asterisk/logging"},
	{op: "asterisk.listModules", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Asterisk.ListModules(ctx)
	}, req: "GET /asterisk/modules"},
	{op: "asterisk.loadModule", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Asterisk.LoadModule(ctx, "res_musiconhold.so")
	}, req: "POST /asterisk/modules/res_musiconhold.so"},
	{op: "asterisk.ping", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Asterisk.Ping(ctx)
	}, req: "GET /asterisk/ping"},
	{op: "asterisk.reloadModule", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Asterisk.ReloadModule(ctx, "res_musiconhold.so")
	}, req: "PUT /asterisk/modules/res_musiconhold.so"},
	{op: "asterisk.rotateLog", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Asterisk.RotateLog(ctx, logCh)
	}, req: "PUT /asterisk/logging/" + logCh + "/rotate"},
	{op: "asterisk.setGlobalVar", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Asterisk.SetGlobalVar(ctx, &resources.AsteriskSetGlobalVarParams{Variable: "GVAR", Value: "4 2+&="})
	}, req: "POST /asterisk/variable", query: q("variable", "GVAR", "value", "4 2+&=")},
	{op: "asterisk.unloadModule", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Asterisk.UnloadModule(ctx, "res_musiconhold.so")
	}, req: "DELETE /asterisk/modules/res_musiconhold.so"},
	{op: "asterisk.updateObject", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Asterisk.UpdateObject(ctx, "res_mwi_external", "mailboxes", "mb2@default", &resources.AsteriskUpdateObjectParams{
			Fields: []ari.ConfigTuple{{Attribute: "msgs_new", Value: "3"}, {Attribute: "msgs_old", Value: "0"}}})
	}, req: "PUT /asterisk/config/dynamic/res_mwi_external/mailboxes/mb2@default",
		body: `{"fields": [{"attribute": "msgs_new", "value": "3"}, {"attribute": "msgs_old", "value": "0"}]}`},

	// bridges
	{op: "bridges.addChannel", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.AddChannel(ctx, brID, &resources.BridgeAddChannelParams{Channel: []string{chID, ch2ID}, Role: "announcer", AbsorbDTMF: true, Mute: true, InhibitConnectedLineUpdates: true})
	}, req: "POST /bridges/" + brID + "/addChannel",
		query: q("channel", chID+","+ch2ID, "role", "announcer", "absorbDTMF", "true", "mute", "true", "inhibitConnectedLineUpdates", "true")},
	{op: "bridges.addChannel", name: "false bools are not sent", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.AddChannel(ctx, brID, &resources.BridgeAddChannelParams{Channel: []string{chID}})
	}, req: "POST /bridges/" + brID + "/addChannel", query: q("channel", chID)},
	{op: "bridges.clearVideoSource", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.ClearVideoSource(ctx, brID)
	}, req: "DELETE /bridges/" + brID + "/videoSource"},
	{op: "bridges.create", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.Create(ctx, &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing, resources.BridgeCreateTypeDTMFEvents}, BridgeID: brID, Name: "verify"})
	}, req: "POST /bridges", query: q("type", "mixing,dtmf_events", "bridgeId", brID, "name", "verify")},
	// Asterisk reads the body of bridges.create wrongly: with Variables,
	// Create calls createWithId (bridges_create_test.go).
	{op: "bridges.createWithId", name: "Create with Variables", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.Create(ctx, &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing, resources.BridgeCreateTypeDTMFEvents}, BridgeID: brID, Name: "verify", Variables: testVars})
	}, req: "POST /bridges/" + brID, query: q("type", "mixing,dtmf_events", "name", "verify"), body: testVarsJSON},
	{op: "bridges.create", name: "nil params", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.Create(ctx, nil)
	}, req: "POST /bridges"},
	{op: "bridges.createWithId", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.CreateWithID(ctx, brID, &resources.BridgeCreateWithIDParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeHolding}, Name: "hold me", Variables: testVars})
	}, req: "POST /bridges/" + brID, query: q("type", "holding", "name", "hold me"), body: testVarsJSON},
	{op: "bridges.destroy", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.Destroy(ctx, brID)
	}, req: "DELETE /bridges/" + brID},
	{op: "bridges.get", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.Get(ctx, brID)
	}, req: "GET /bridges/" + brID},
	{op: "bridges.getBridgeVar", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.GetBridgeVar(ctx, brID, &resources.BridgeGetBridgeVarParams{Variable: "BVAR"})
	}, req: "GET /bridges/" + brID + "/variable", query: q("variable", "BVAR")},
	{op: "bridges.getBridgeVars", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.GetBridgeVars(ctx, brID, &resources.BridgeGetBridgeVarsParams{Variables: []string{"V1", "V2", "CALLERID(num)"}})
	}, req: "GET /bridges/" + brID + "/variables", query: q("variables", "V1,V2,CALLERID(num)")},
	{op: "bridges.list", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.List(ctx)
	}, req: "GET /bridges"},
	{op: "bridges.play", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.Play(ctx, brID, &resources.BridgePlayParams{Media: []string{"sound:hello-world", "digits:12"}, AnnouncerFormat: "ulaw", Lang: "en", OffsetMS: 500, SkipMS: intp(0), PlaybackID: "bpb-1"})
	}, req: "POST /bridges/" + brID + "/play",
		query: q("media", "sound:hello-world,digits:12", "announcer_format", "ulaw", "lang", "en", "offsetms", "500", "skipms", "0", "playbackId", "bpb-1")},
	{op: "bridges.play", name: "nil pointer not sent", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.Play(ctx, brID, &resources.BridgePlayParams{Media: []string{"sound:hello-world"}})
	}, req: "POST /bridges/" + brID + "/play", query: q("media", "sound:hello-world")},
	{op: "bridges.playWithId", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.PlayWithID(ctx, brID, "bpb-2", &resources.BridgePlayWithIDParams{Media: []string{"tone:ring;tonezone=us"}, AnnouncerFormat: "slin", Lang: "fr", OffsetMS: 1, SkipMS: intp(1500)})
	}, req: "POST /bridges/" + brID + "/play/bpb-2",
		query: q("media", "tone:ring;tonezone=us", "announcer_format", "slin", "lang", "fr", "offsetms", "1", "skipms", "1500")},
	{op: "bridges.record", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Bridges.Record(ctx, brID, &resources.BridgeRecordParams{Name: "brrec", Format: "wav", RecorderFormat: "slin", MaxDurationSeconds: 2, MaxSilenceSeconds: 3, IfExists: resources.RecordIfExistsOverwrite, Beep: true, TerminateOn: resources.RecordTerminateOnHash})
	}, req: "POST /bridges/" + brID + "/record",
		query: q("name", "brrec", "format", "wav", "recorder_format", "slin", "maxDurationSeconds", "2", "maxSilenceSeconds", "3", "ifExists", "overwrite", "beep", "true", "terminateOn", "#")},
	{op: "bridges.removeChannel", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.RemoveChannel(ctx, brID, &resources.BridgeRemoveChannelParams{Channel: []string{chID, ch2ID}})
	}, req: "POST /bridges/" + brID + "/removeChannel", query: q("channel", chID+","+ch2ID)},
	{op: "bridges.setBridgeVar", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.SetBridgeVar(ctx, brID, &resources.BridgeSetBridgeVarParams{Variable: "BVAR", Value: "x", ReportEvents: true})
	}, req: "POST /bridges/" + brID + "/variable", query: q("variable", "BVAR", "value", "x", "report_events", "true")},
	{op: "bridges.setBridgeVars", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.SetBridgeVars(ctx, brID, &resources.BridgeSetBridgeVarsParams{Variables: testVars})
	}, req: "POST /bridges/" + brID + "/variables", body: testVarsJSON},
	{op: "bridges.setVideoSource", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.SetVideoSource(ctx, brID, chID)
	}, req: "POST /bridges/" + brID + "/videoSource/" + chID},
	{op: "bridges.startMoh", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.StartMOH(ctx, brID, &resources.BridgeStartMOHParams{MOHClass: "default"})
	}, req: "POST /bridges/" + brID + "/moh", query: q("mohClass", "default")},
	{op: "bridges.stopMoh", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Bridges.StopMOH(ctx, brID)
	}, req: "DELETE /bridges/" + brID + "/moh"},

	// channels
	{op: "channels.answer", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Answer(ctx, chID)
	}, req: "POST /channels/" + chID + "/answer"},
	{op: "channels.continueInDialplan", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.ContinueInDialplan(ctx, chID, &resources.ChannelContinueInDialplanParams{Context: "default", Extension: "400", Priority: 1, Label: "start"})
	}, req: "POST /channels/" + chID + "/continue", query: q("context", "default", "extension", "400", "priority", "1", "label", "start")},
	{op: "channels.continueInDialplan", name: "zero params", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.ContinueInDialplan(ctx, chID, &resources.ChannelContinueInDialplanParams{})
	}, req: "POST /channels/" + chID + "/continue"},
	{op: "channels.create", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.Create(ctx, &resources.ChannelCreateParams{Endpoint: "Local/100@default", App: "testapp", AppArgs: []string{"a", "b"}, ChannelID: "cr-1", OtherChannelID: "crb-1", Originator: chID, Formats: []string{"ulaw", "alaw"}, Variables: testVars})
	}, req: "POST /channels/create",
		query: q("endpoint", "Local/100@default", "app", "testapp", "appArgs", "a,b", "channelId", "cr-1", "otherChannelId", "crb-1", "originator", chID, "formats", "ulaw,alaw"),
		body:  testVarsJSON},
	{op: "channels.dial", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Dial(ctx, "cr-1", &resources.ChannelDialParams{Caller: chID, Timeout: 10})
	}, req: "POST /channels/cr-1/dial", query: q("caller", chID, "timeout", "10")},
	{op: "channels.externalMedia", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.ExternalMedia(ctx, &resources.ChannelExternalMediaParams{
			ChannelID: "em-1", App: "testapp", Variables: testVars, ExternalHost: "127.0.0.1:40000",
			Encapsulation: resources.ExternalMediaEncapsulationAudiosocket, Transport: resources.ExternalMediaTransportTCP,
			ConnectionType: resources.ExternalMediaConnectionTypeServer, Format: "slin", Direction: resources.ExternalMediaDirectionBoth,
			Data: "c5f3cd42-d813-47d0-bf8e-5ab68ef5a901", TransportData: "f(prefix)",
		})
	}, req: "POST /channels/externalMedia",
		query: q("channelId", "em-1", "app", "testapp", "external_host", "127.0.0.1:40000", "encapsulation", "audiosocket",
			"transport", "tcp", "connection_type", "server", "format", "slin", "direction", "both",
			"data", "c5f3cd42-d813-47d0-bf8e-5ab68ef5a901", "transport_data", "f(prefix)"),
		body: testVarsJSON},
	{op: "channels.get", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.Get(ctx, chID)
	}, req: "GET /channels/" + chID},
	{op: "channels.getChannelVar", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.GetChannelVar(ctx, chID, &resources.ChannelGetChannelVarParams{Variable: "CALLERID(all)"})
	}, req: "GET /channels/" + chID + "/variable", query: q("variable", "CALLERID(all)")},
	{op: "channels.getChannelVars", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.GetChannelVars(ctx, chID, &resources.ChannelGetChannelVarsParams{Variables: []string{"V1", "V2"}})
	}, req: "GET /channels/" + chID + "/variables", query: q("variables", "V1,V2")},
	{op: "channels.hangup", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Hangup(ctx, chID, &resources.ChannelHangupParams{ReasonCode: "17"})
	}, req: "DELETE /channels/" + chID, query: q("reason_code", "17")},
	{op: "channels.hangup", name: "reason", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Hangup(ctx, chID, &resources.ChannelHangupParams{Reason: resources.HangupReasonNoAnswer})
	}, req: "DELETE /channels/" + chID, query: q("reason", "no_answer")},
	{op: "channels.hangup", name: "nil params", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Hangup(ctx, chID, nil)
	}, req: "DELETE /channels/" + chID},
	{op: "channels.hold", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Hold(ctx, chID)
	}, req: "POST /channels/" + chID + "/hold"},
	{op: "channels.list", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.List(ctx)
	}, req: "GET /channels"},
	{op: "channels.move", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Move(ctx, chID, &resources.ChannelMoveParams{App: "router", AppArgs: []string{"moved"}})
	}, req: "POST /channels/" + chID + "/move", query: q("app", "router", "appArgs", "moved")},
	{op: "channels.mute", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Mute(ctx, chID, &resources.ChannelMuteParams{Direction: resources.MuteDirectionIn})
	}, req: "POST /channels/" + chID + "/mute", query: q("direction", "in")},
	{op: "channels.originate", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.Originate(ctx, &resources.ChannelOriginateParams{
			Endpoint: "Local/100@default", Extension: "500", Context: "default", Priority: 1 << 40, Label: "lbl",
			App: "testapp", AppArgs: []string{"x", "y"}, CallerID: ari.CallerID{Name: "Alice", Number: "1001"}, Timeout: intp(-1), Variables: testVars,
			ChannelID: chID, OtherChannelID: "c1b", Originator: ch2ID, Formats: []string{"ulaw"},
		})
	}, req: "POST /channels",
		query: q("endpoint", "Local/100@default", "extension", "500", "context", "default", "priority", "1099511627776", "label", "lbl",
			"app", "testapp", "appArgs", "x,y", "callerId", "Alice <1001>", "timeout", "-1",
			"channelId", chID, "otherChannelId", "c1b", "originator", ch2ID, "formats", "ulaw"),
		body: testVarsJSON},
	{op: "channels.originate", name: "minimal", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Local/100@default", App: "testapp"})
	}, req: "POST /channels", query: q("endpoint", "Local/100@default", "app", "testapp")},
	{op: "channels.originate", name: "zero timeout pointer is sent", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Local/100@default", App: "testapp", Timeout: intp(0), Variables: ari.Vars{}})
	}, req: "POST /channels", query: q("endpoint", "Local/100@default", "app", "testapp", "timeout", "0"), body: `{"variables": {}}`},
	{op: "channels.originateWithId", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.OriginateWithID(ctx, chID, &resources.ChannelOriginateWithIDParams{
			Endpoint: "PJSIP/alice", Extension: "s", Context: "from-internal", Priority: 2, Label: "l",
			App: "testapp", AppArgs: []string{"a"}, CallerID: ari.CallerID{Name: "Bob", Number: "200"}, Timeout: intp(45), Variables: testVars,
			OtherChannelID: "c1b", Originator: ch2ID, Formats: []string{"alaw", "ulaw"},
		})
	}, req: "POST /channels/" + chID,
		query: q("endpoint", "PJSIP/alice", "extension", "s", "context", "from-internal", "priority", "2", "label", "l",
			"app", "testapp", "appArgs", "a", "callerId", "Bob <200>", "timeout", "45",
			"otherChannelId", "c1b", "originator", ch2ID, "formats", "alaw,ulaw"),
		body: testVarsJSON},
	{op: "channels.play", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.Play(ctx, chID, &resources.ChannelPlayParams{Media: []string{"sound:beep", "digits:12", "number:42", "characters:ab"}, Lang: "en", OffsetMS: 250, SkipMS: intp(5000), PlaybackID: pbID})
	}, req: "POST /channels/" + chID + "/play",
		query: q("media", "sound:beep,digits:12,number:42,characters:ab", "lang", "en", "offsetms", "250", "skipms", "5000", "playbackId", pbID)},
	{op: "channels.playWithId", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.PlayWithID(ctx, chID, pbID, &resources.ChannelPlayWithIDParams{Media: []string{"recording:" + recID}, Lang: "de", OffsetMS: 3, SkipMS: intp(0)})
	}, req: "POST /channels/" + chID + "/play/" + pbID,
		query: q("media", "recording:"+recID, "lang", "de", "offsetms", "3", "skipms", "0")},
	{op: "channels.progress", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Progress(ctx, chID)
	}, req: "POST /channels/" + chID + "/progress"},
	{op: "channels.rtpstatistics", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.RTPStatistics(ctx, chID)
	}, req: "GET /channels/" + chID + "/rtp_statistics"},
	{op: "channels.record", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.Record(ctx, chID, &resources.ChannelRecordParams{Name: recID, Format: "wav", MaxDurationSeconds: 3, MaxSilenceSeconds: 1, IfExists: resources.RecordIfExistsAppend, Beep: true, TerminateOn: resources.RecordTerminateOnStar})
	}, req: "POST /channels/" + chID + "/record",
		query: q("name", recID, "format", "wav", "maxDurationSeconds", "3", "maxSilenceSeconds", "1", "ifExists", "append", "beep", "true", "terminateOn", "*")},
	{op: "channels.redirect", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Redirect(ctx, chID, &resources.ChannelRedirectParams{Endpoint: "PJSIP/bob"})
	}, req: "POST /channels/" + chID + "/redirect", query: q("endpoint", "PJSIP/bob")},
	{op: "channels.ring", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Ring(ctx, chID)
	}, req: "POST /channels/" + chID + "/ring"},
	{op: "channels.ringStop", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.RingStop(ctx, chID)
	}, req: "DELETE /channels/" + chID + "/ring"},
	{op: "channels.sendDTMF", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.SendDTMF(ctx, chID, &resources.ChannelSendDTMFParams{DTMF: "123#*", Before: 10, Between: intp(0), Duration: intp(120), After: 20})
	}, req: "POST /channels/" + chID + "/dtmf", query: q("dtmf", "123#*", "before", "10", "between", "0", "duration", "120", "after", "20")},
	{op: "channels.setChannelVar", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.SetChannelVar(ctx, chID, &resources.ChannelSetChannelVarParams{Variable: "CALLERID(all)", Value: `"Carol" <5551234>`, ReportEvents: true})
	}, req: "POST /channels/" + chID + "/variable", query: q("variable", "CALLERID(all)", "value", `"Carol" <5551234>`, "report_events", "true")},
	{op: "channels.setChannelVars", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.SetChannelVars(ctx, chID, &resources.ChannelSetChannelVarsParams{Variables: testVars})
	}, req: "POST /channels/" + chID + "/variables", body: testVarsJSON},
	{op: "channels.snoopChannel", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.SnoopChannel(ctx, chID, &resources.ChannelSnoopChannelParams{Spy: resources.SnoopChannelSpyBoth, Whisper: resources.SnoopChannelWhisperOut, App: "testapp", AppArgs: []string{"snooping"}, SnoopID: "sn-1"})
	}, req: "POST /channels/" + chID + "/snoop", query: q("spy", "both", "whisper", "out", "app", "testapp", "appArgs", "snooping", "snoopId", "sn-1")},
	{op: "channels.snoopChannelWithId", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Channels.SnoopChannelWithID(ctx, chID, "sn-2", &resources.ChannelSnoopChannelWithIDParams{Spy: resources.SnoopChannelSpyIn, Whisper: resources.SnoopChannelWhisperNone, App: "testapp", AppArgs: []string{"x"}})
	}, req: "POST /channels/" + chID + "/snoop/sn-2", query: q("spy", "in", "whisper", "none", "app", "testapp", "appArgs", "x")},
	{op: "channels.startMoh", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.StartMOH(ctx, chID, &resources.ChannelStartMOHParams{MOHClass: "default"})
	}, req: "POST /channels/" + chID + "/moh", query: q("mohClass", "default")},
	{op: "channels.startSilence", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.StartSilence(ctx, chID)
	}, req: "POST /channels/" + chID + "/silence"},
	{op: "channels.stopMoh", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.StopMOH(ctx, chID)
	}, req: "DELETE /channels/" + chID + "/moh"},
	{op: "channels.stopSilence", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.StopSilence(ctx, chID)
	}, req: "DELETE /channels/" + chID + "/silence"},
	{op: "channels.transfer_progress", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.TransferProgress(ctx, chID, &resources.ChannelTransferProgressParams{States: "channel_answered"})
	}, req: "POST /channels/" + chID + "/transfer_progress", query: q("states", "channel_answered")},
	{op: "channels.unhold", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Unhold(ctx, chID)
	}, req: "DELETE /channels/" + chID + "/hold"},
	{op: "channels.unmute", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Channels.Unmute(ctx, chID, &resources.ChannelUnmuteParams{Direction: resources.MuteDirectionBoth})
	}, req: "DELETE /channels/" + chID + "/mute", query: q("direction", "both")},

	// deviceStates
	{op: "deviceStates.delete", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.DeviceStates.Delete(ctx, dev)
	}, req: "DELETE /deviceStates/" + dev},
	{op: "deviceStates.get", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.DeviceStates.Get(ctx, dev)
	}, req: "GET /deviceStates/" + dev},
	{op: "deviceStates.list", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.DeviceStates.List(ctx)
	}, req: "GET /deviceStates"},
	{op: "deviceStates.update", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.DeviceStates.Update(ctx, dev, &resources.DeviceStateUpdateParams{DeviceState: ari.DeviceStateValueBusy})
	}, req: "PUT /deviceStates/" + dev, query: q("deviceState", "BUSY")},

	// endpoints
	{op: "endpoints.get", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Endpoints.Get(ctx, "PJSIP", "alice")
	}, req: "GET /endpoints/PJSIP/alice"},
	{op: "endpoints.list", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Endpoints.List(ctx)
	}, req: "GET /endpoints"},
	{op: "endpoints.listByTech", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Endpoints.ListByTech(ctx, "PJSIP")
	}, req: "GET /endpoints/PJSIP"},
	{op: "endpoints.refer", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Endpoints.Refer(ctx, &resources.EndpointReferParams{To: "pjsip:alice", From: "pjsip:bob", ReferTo: "sip:carol@example.com", ToSelf: true, Variables: plainVars})
	}, req: "POST /endpoints/refer",
		query: q("to", "pjsip:alice", "from", "pjsip:bob", "refer_to", "sip:carol@example.com", "to_self", "true"), body: plainVarJSON},
	{op: "endpoints.referToEndpoint", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Endpoints.ReferToEndpoint(ctx, "PJSIP", "alice", &resources.EndpointReferToEndpointParams{From: "pjsip:bob", ReferTo: "sip:carol@example.com", Variables: plainVars})
	}, req: "POST /endpoints/PJSIP/alice/refer",
		query: q("from", "pjsip:bob", "refer_to", "sip:carol@example.com"), body: plainVarJSON},
	{op: "endpoints.sendMessage", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Endpoints.SendMessage(ctx, &resources.EndpointSendMessageParams{To: "pjsip:alice", From: "pjsip:bob", Body: "hello there & 100%", Variables: plainVars})
	}, req: "PUT /endpoints/sendMessage",
		query: q("to", "pjsip:alice", "from", "pjsip:bob", "body", "hello there & 100%"), body: plainVarJSON},
	{op: "endpoints.sendMessageToEndpoint", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Endpoints.SendMessageToEndpoint(ctx, "PJSIP", "alice", &resources.EndpointSendMessageToEndpointParams{From: "pjsip:bob", Body: "hi", Variables: plainVars})
	}, req: "PUT /endpoints/PJSIP/alice/sendMessage",
		query: q("from", "pjsip:bob", "body", "hi"), body: plainVarJSON},

	// events
	{op: "events.claimChannel", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Events.ClaimChannel(ctx, &resources.EventClaimChannelParams{ChannelID: "bcb-1", Application: "router"})
	}, req: "POST /events/claim", query: q("channelId", "bcb-1", "application", "router")},
	{op: "events.eventWebsocket", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Events.EventWebsocket(&resources.EventWebsocketParams{App: []string{"a", "b"}, SubscribeAll: true}), nil
	}, req: "GET /events", query: q("app", "a,b", "subscribeAll", "true")},
	{op: "events.userEvent", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Events.UserEvent(ctx, "myEvent", &resources.EventUserEventParams{Application: "testapp", Source: []string{"channel:" + chID, "bridge:" + brID}, Variables: plainVars})
	}, req: "POST /events/user/myEvent",
		query: q("application", "testapp", "source", "channel:"+chID+",bridge:"+brID), body: plainVarJSON},

	// mailboxes
	{op: "mailboxes.delete", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Mailboxes.Delete(ctx, mbox)
	}, req: "DELETE /mailboxes/" + mbox},
	{op: "mailboxes.get", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Mailboxes.Get(ctx, mbox)
	}, req: "GET /mailboxes/" + mbox},
	{op: "mailboxes.list", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Mailboxes.List(ctx)
	}, req: "GET /mailboxes"},
	{op: "mailboxes.update", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Mailboxes.Update(ctx, mbox, &resources.MailboxUpdateParams{OldMessages: 1, NewMessages: 2})
	}, req: "PUT /mailboxes/" + mbox, query: q("oldMessages", "1", "newMessages", "2")},

	// playbacks
	{op: "playbacks.control", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Playbacks.Control(ctx, pbID, &resources.PlaybackControlParams{Operation: resources.ControlOperationForward})
	}, req: "POST /playbacks/" + pbID + "/control", query: q("operation", "forward")},
	{op: "playbacks.get", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Playbacks.Get(ctx, pbID)
	}, req: "GET /playbacks/" + pbID},
	{op: "playbacks.stop", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Playbacks.Stop(ctx, pbID)
	}, req: "DELETE /playbacks/" + pbID},

	// recordings
	{op: "recordings.cancel", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Recordings.Cancel(ctx, recID)
	}, req: "DELETE /recordings/live/" + recID},
	{op: "recordings.copyStored", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Recordings.CopyStored(ctx, recID, &resources.RecordingCopyStoredParams{DestinationRecordingName: "sub/rec1copy"})
	}, req: "POST /recordings/stored/" + recID + "/copy", query: q("destinationRecordingName", "sub/rec1copy")},
	{op: "recordings.deleteStored", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Recordings.DeleteStored(ctx, recID)
	}, req: "DELETE /recordings/stored/" + recID},
	{op: "recordings.getLive", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Recordings.GetLive(ctx, recID)
	}, req: "GET /recordings/live/" + recID},
	{op: "recordings.getStored", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Recordings.GetStored(ctx, recID)
	}, req: "GET /recordings/stored/" + recID},
	{op: "recordings.getStoredFile", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Recordings.GetStoredFile(ctx, recID)
	}, req: "GET /recordings/stored/" + recID + "/file"},
	{op: "recordings.listStored", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Recordings.ListStored(ctx)
	}, req: "GET /recordings/stored"},
	{op: "recordings.mute", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Recordings.Mute(ctx, recID)
	}, req: "POST /recordings/live/" + recID + "/mute"},
	{op: "recordings.pause", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Recordings.Pause(ctx, recID)
	}, req: "POST /recordings/live/" + recID + "/pause"},
	{op: "recordings.stop", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Recordings.Stop(ctx, recID)
	}, req: "POST /recordings/live/" + recID + "/stop"},
	{op: "recordings.unmute", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Recordings.Unmute(ctx, recID)
	}, req: "DELETE /recordings/live/" + recID + "/mute"},
	{op: "recordings.unpause", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return nil, c.Recordings.Unpause(ctx, recID)
	}, req: "DELETE /recordings/live/" + recID + "/pause"},

	// sounds
	{op: "sounds.get", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Sounds.Get(ctx, "hello-world")
	}, req: "GET /sounds/hello-world"},
	{op: "sounds.list", call: func(ctx context.Context, c *resources.Client) (any, error) {
		return c.Sounds.List(ctx, &resources.SoundListParams{Lang: "en", Format: "gsm"})
	}, req: "GET /sounds", query: q("lang", "en", "format", "gsm")},
}

// pinnedCounts are the operation counts of the release folders this test
// was written against, from Asterisk's API descriptions. They are checked
// for those of them that schemas/ holds; any release is checked against
// its own description.
var pinnedCounts = map[string]int{
	"16.30.1": 98, "18.26.4": 100, "20.20.1": 109, "21.12.3": 102, "22.10.1": 109, "23.4.1": 109,
}

// TestOperationCoverage checks the typed client against the releases'
// descriptions: one operation per operation of any release, each in
// exactly the releases whose description has it, one typed method per
// operation, and one table case per operation.
func TestOperationCoverage(t *testing.T) {
	ops := resources.Operations()
	byKey := operationsByKey(t)
	counts := releaseCounts(ops)
	union := map[string]bool{}
	for _, v := range ari.KnownReleases() {
		s := loadSchema(t, v.String())
		t.Logf("Asterisk %s: %d operations", v, len(s.Ops))
		if want, pinned := pinnedCounts[v.String()]; pinned {
			assert.Len(t, s.Ops, want, "operations in schemas/asterisk-%s", v)
		}
		assert.Equal(t, len(s.Ops), counts[v.String()], "operations whose Availability has %s", v)
		for key, so := range s.Ops {
			union[key] = true
			op := byKey[key]
			if assert.NotNil(t, op, "%s of %s has no operation", key, v) {
				assert.Equal(t, so.Method, op.Method, key)
				assert.Equal(t, so.Path, op.Path, key)
				assert.Contains(t, op.Availability.Releases, v, "%s lacks %s", key, v)
			}
		}
	}
	assert.Len(t, ops, len(union), "operations of any release")

	// One typed method per operation, and no other method.
	c := newClient(t, "http://127.0.0.1:1", "22.10.1")
	methods := 0
	cv := reflect.ValueOf(c).Elem()
	for i := 0; i < cv.NumField(); i++ {
		if f := cv.Type().Field(i); f.IsExported() && f.Type.Kind() == reflect.Pointer {
			methods += f.Type.NumMethod()
		}
	}
	assert.Equal(t, len(ops), methods, "typed methods")
	for _, op := range ops {
		_, ok := serviceMethod(c, op)
		assert.True(t, ok, "no typed method for %s", op)
	}

	checkCasesCover(t, byKey)
}

// checkCasesCover fails for an operation without a case in opCases and
// for a case naming no operation.
func checkCasesCover(t *testing.T, byKey map[string]*ari.Operation) {
	t.Helper()
	has := map[string]bool{}
	for _, tc := range opCases {
		_, known := byKey[tc.op]
		assert.True(t, known, "case for an unknown operation %s", tc.op)
		has[tc.op] = true
	}
	for _, key := range sortedKeys(byKey) {
		assert.True(t, has[key], "operation %s has no case in opCases", key)
	}
}

// successStatus is the status Asterisk answers op with when it succeeds.
func successStatus(key string, so schemaOp) int {
	switch key {
	case "channels.play", "channels.playWithId", "channels.record",
		"bridges.play", "bridges.playWithId", "bridges.record":
		return http.StatusCreated
	case "endpoints.sendMessage", "endpoints.sendMessageToEndpoint",
		"endpoints.refer", "endpoints.referToEndpoint", "asterisk.reloadModule":
		return http.StatusAccepted
	}
	if so.ResponseClass == "void" {
		return http.StatusNoContent
	}
	return http.StatusOK
}

// replyCase is one reply served for an operation.
type replyCase struct {
	name  string
	reply reply
}

// repliesFor returns the replies to serve for op: every successful reply
// Asterisk 22.10.1 gave for it in responses.jsonl, plus one in the status
// Asterisk's code uses, with a body built from the description's model.
func repliesFor(t *testing.T, key string, so schemaOp, s *schema, fixtures []fixture) []replyCase {
	t.Helper()
	status := successStatus(key, so)
	synth := reply{status: status}
	switch so.ResponseClass {
	case "void":
	case "binary":
		synth.header = map[string]string{"Content-Type": "audio/wav"}
		synth.body = []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
	default:
		synth.body = s.sampleJSON(t, so.ResponseClass)
	}
	if status == http.StatusCreated {
		synth.header = map[string]string{"Location": "/ari/playbacks/sample"}
	}
	out := []replyCase{{name: "schema", reply: synth}}
	for _, fx := range fixtures {
		if fx.Status >= 300 {
			continue
		}
		op, _ := opForRequest(fx.method, fx.path)
		if op == nil || opKey(op) != key {
			continue
		}
		rp := reply{status: fx.Status, body: []byte(fx.Body)}
		if fx.Status == http.StatusCreated {
			rp.header = map[string]string{"Location": "/ari/somewhere"}
		}
		out = append(out, replyCase{name: "real " + fx.Request, reply: rp})
	}
	return out
}

// TestEveryOperation calls every typed method against a server reporting
// Asterisk 22.10.1 and checks the request it sends (method, path, query,
// body) and that it decodes the reply Asterisk gives.
func TestEveryOperation(t *testing.T) {
	fixtures := loadFixtures(t)
	s := loadSchema(t, "22.10.1")
	byKey := operationsByKey(t)
	checkCasesCover(t, byKey)
	realReplies := map[string]int{}

	for _, tc := range opCases {
		op := byKey[tc.op]
		require.NotNil(t, op, tc.op)
		so, ok := s.Ops[tc.op]
		require.True(t, ok, "%s is not in the 22.10.1 description", tc.op)
		name := tc.op
		if tc.name != "" {
			name += "/" + tc.name
		}
		wantMethod, wantPath, _ := strings.Cut(tc.req, " ")
		require.Equal(t, so.Method, wantMethod, "%s: the case's method is not the description's", tc.op)
		require.Equal(t, op.Method, wantMethod, "%s: Operation.Method", tc.op)
		_, _, okTmpl := matchTemplate(op.Path, wantPath)
		require.True(t, okTmpl, "%s: %s does not match the template %s", tc.op, wantPath, op.Path)

		if tc.op == "events.eventWebsocket" {
			t.Run(name, func(t *testing.T) { checkEventStream(t, tc) })
			continue
		}

		for _, rc := range repliesFor(t, tc.op, so, s, fixtures) {
			if strings.HasPrefix(rc.name, "real ") && tc.name == "" {
				realReplies[tc.op]++
			}
			t.Run(name+"/"+rc.name, func(t *testing.T) {
				rec := newRecorder(t)
				rec.setReply(rc.reply)
				c := newClient(t, rec.srv.URL, "22.10.1")

				got, err := tc.call(context.Background(), c)
				require.NoError(t, err)

				reqs := rec.take()
				require.Len(t, reqs, 1, "requests sent")
				r := reqs[0]
				assert.Equal(t, wantMethod, r.Method)
				assert.Equal(t, append([]string{"ari"}, strings.Split(strings.TrimPrefix(wantPath, "/"), "/")...),
					pathSegments(t, r.EscapedPath), "path segments of %s", r.EscapedPath)
				want := append([]kv(nil), tc.query...)
				sortKV(want)
				gotQ := parseQuery(t, r.RawQuery)
				assert.Equal(t, want, gotQ, "query %q", r.RawQuery)
				assert.NotContains(t, r.RawQuery, "+", "a '+' reads as a space in Asterisk")
				if tc.body == "" {
					assert.Empty(t, r.Body, "body")
					assert.Empty(t, r.ContentType, "Content-Type without a body")
				} else {
					assert.JSONEq(t, tc.body, string(r.Body))
					assert.Equal(t, "application/json", r.ContentType)
				}
				assert.Equal(t, basicAuth(testUser, testPass), r.Auth)

				checkResult(t, so, got, rc.reply)
			})
		}
	}
	t.Logf("%d operations decoded real 22.10.1 replies; the others replies built from the description", len(realReplies))
	for _, key := range sortedKeys(byKey) {
		if realReplies[key] == 0 {
			t.Logf("  no real reply for %s (%s)", key, s.Ops[key].ResponseClass)
		}
	}
}

func basicAuth(user, pass string) string {
	r, _ := http.NewRequest("GET", "http://x", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

// checkResult checks that the typed result holds what the reply said.
func checkResult(t *testing.T, so schemaOp, got any, rp reply) {
	t.Helper()
	switch so.ResponseClass {
	case "void":
		assert.Nil(t, got)
		return
	case "binary":
		rc, ok := got.(io.ReadCloser)
		require.True(t, ok, "getStoredFile gives an io.ReadCloser, not %T", got)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		assert.Equal(t, rp.body, data)
		return
	}
	// The Go type is the model's, its name spelled the Go way (RTPstat is
	// ari.RTPStat).
	rv := reflect.ValueOf(got)
	require.True(t, rv.IsValid(), "no result")
	if elem, ok := strings.CutPrefix(so.ResponseClass, "List["); ok {
		require.Equal(t, reflect.Slice, rv.Kind(), "%s gives a slice, not %T", so.ResponseClass, got)
		assert.Equal(t, normName(strings.TrimSuffix(elem, "]")), normName(rv.Type().Elem().Name()), "%s gives %T", so.ResponseClass, got)
	} else {
		require.Equal(t, reflect.Pointer, rv.Kind(), "%s gives a pointer, not %T", so.ResponseClass, got)
		require.False(t, rv.IsNil())
		assert.Equal(t, normName(so.ResponseClass), normName(rv.Type().Elem().Name()), "%s gives %T", so.ResponseClass, got)
	}
	// Written back, the decoded value is the reply: nothing was lost or
	// misread (the models encode as Asterisk does).
	data, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, string(rp.body), string(data))
}

// checkEventStream checks the events websocket operation: no request, an
// *ari.EventStream whose URL carries the apps as one comma-separated value.
func checkEventStream(t *testing.T, tc opCase) {
	rec := newRecorder(t)
	c := newClient(t, rec.srv.URL, "22.10.1")
	got, err := tc.call(context.Background(), c)
	require.NoError(t, err)
	es, ok := got.(*ari.EventStream)
	require.True(t, ok, "EventWebsocket gives an *ari.EventStream, not %T", got)
	u, err := url.Parse(es.URL())
	require.NoError(t, err)
	srvURL, _ := url.Parse(rec.srv.URL)
	assert.Equal(t, "ws", u.Scheme)
	assert.Equal(t, srvURL.Host, u.Host)
	assert.Equal(t, "/ari/events", u.EscapedPath())
	want := append([]kv(nil), tc.query...)
	sortKV(want)
	assert.Equal(t, want, parseQuery(t, u.RawQuery))
	assert.Nil(t, u.User, "no credentials in the URL")
	assertNoSecrets(t, es.URL())
	assert.Empty(t, rec.take(), "creating the stream sends nothing")

	// Without apps or subscribeAll.
	es = c.Events.EventWebsocket(&resources.EventWebsocketParams{App: []string{"only"}})
	u, err = url.Parse(es.URL())
	require.NoError(t, err)
	assert.Equal(t, q("app", "only"), parseQuery(t, u.RawQuery))
}

package ir_test

import (
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/gen/internal/generator"
	"gostasis.dev/gen/internal/ir"
)

var (
	realOnce sync.Once
	realAPI  *ir.API
	realErr  error
)

// realModel builds the IR of the repository's schemas/ once per test binary.
func realModel(t *testing.T) *ir.API {
	t.Helper()
	realOnce.Do(func() {
		var dirs []string
		dirs, realErr = generator.Releases(filepath.Join("..", "..", "..", "schemas"))
		if realErr == nil {
			realAPI, realErr = generator.Model(dirs)
		}
	})
	require.NoError(t, realErr)
	return realAPI
}

// paths renders id paths as ARI-NOTES section 3 writes them: the dotted
// JSON path, "?" when a step may be absent.
func paths(ps []ir.IDPath) []string {
	out := []string{}
	for _, p := range ps {
		s := p.PathText()
		if !p.Required {
			s += "?"
		}
		out = append(out, s)
	}
	return out
}

// wantIDs is ARI-NOTES section 3 for every event of the six releases:
// which fields name the channels and bridges an event is about, primary
// first. Requiredness ("?") follows the schemas: ChannelEnteredBridge's
// channel and TextMessageReceived's endpoint are optional there.
var wantIDs = map[string]struct{ channels, bridges []string }{
	"ApplicationMoveFailed":   {channels: []string{"channel"}},
	"ApplicationRegistered":   {},
	"ApplicationReplaced":     {},
	"ApplicationUnregistered": {},
	"BridgeAttendedTransfer": {
		channels: []string{"transferer_first_leg", "transferer_second_leg", "replace_channel?", "transferee?", "transfer_target?",
			"destination_link_first_leg?", "destination_link_second_leg?", "destination_threeway_channel?"},
		bridges: []string{"transferer_first_leg_bridge?", "transferer_second_leg_bridge?", "destination_bridge?", "destination_threeway_bridge?"},
	},
	"BridgeBlindTransfer":      {channels: []string{"channel", "replace_channel?", "transferee?"}, bridges: []string{"bridge?"}},
	"BridgeCreated":            {bridges: []string{"bridge"}},
	"BridgeDestroyed":          {bridges: []string{"bridge"}},
	"BridgeMerged":             {bridges: []string{"bridge", "bridge_from"}},
	"BridgeVideoSourceChanged": {bridges: []string{"bridge"}},
	"CallBroadcast":            {channels: []string{"channel"}},
	"CallClaimed":              {channels: []string{"channel"}},
	"ChannelCallerId":          {channels: []string{"channel"}},
	"ChannelConnectedLine":     {channels: []string{"channel"}},
	"ChannelCreated":           {channels: []string{"channel"}},
	"ChannelDestroyed":         {channels: []string{"channel"}},
	"ChannelDialplan":          {channels: []string{"channel"}},
	"ChannelDtmfReceived":      {channels: []string{"channel"}},
	"ChannelEnteredBridge":     {channels: []string{"channel?"}, bridges: []string{"bridge"}},
	"ChannelHangupRequest":     {channels: []string{"channel"}},
	"ChannelHold":              {channels: []string{"channel"}},
	"ChannelLeftBridge":        {channels: []string{"channel"}, bridges: []string{"bridge"}},
	"ChannelStateChange":       {channels: []string{"channel"}},
	"ChannelTalkingFinished":   {channels: []string{"channel"}},
	"ChannelTalkingStarted":    {channels: []string{"channel"}},
	"ChannelToneDetected":      {channels: []string{"channel"}},
	"ChannelTransfer": {
		// Required at every hop first, in schema order; then the optional
		// ones in schema order (refer_to precedes referred_by).
		channels: []string{"referred_by.source_channel", "refer_to.destination_channel?", "refer_to.connected_channel?", "referred_by.connected_channel?"},
		bridges:  []string{"refer_to.bridge?", "referred_by.bridge?"},
	},
	"ChannelUnhold":       {channels: []string{"channel"}},
	"ChannelUserevent":    {channels: []string{"channel?"}, bridges: []string{"bridge?"}},
	"ChannelVarset":       {channels: []string{"channel?"}},
	"ContactStatusChange": {channels: []string{"endpoint.channel_ids"}},
	"DeviceStateChanged":  {},
	"Dial":                {channels: []string{"peer", "caller?", "forwarded?"}},
	"EndpointStateChange": {channels: []string{"endpoint.channel_ids"}},
	"MissingParams":       {},
	"PeerStatusChange":    {channels: []string{"endpoint.channel_ids"}},
	"PlaybackContinuing":  {channels: []string{"playback.target_uri"}, bridges: []string{"playback.target_uri"}},
	"PlaybackFinished":    {channels: []string{"playback.target_uri"}, bridges: []string{"playback.target_uri"}},
	"PlaybackStarted":     {channels: []string{"playback.target_uri"}, bridges: []string{"playback.target_uri"}},
	"RESTResponse":        {},
	"RecordingFailed":     {channels: []string{"recording.target_uri"}, bridges: []string{"recording.target_uri"}},
	"RecordingFinished":   {channels: []string{"recording.target_uri"}, bridges: []string{"recording.target_uri"}},
	"RecordingStarted":    {channels: []string{"recording.target_uri"}, bridges: []string{"recording.target_uri"}},
	"StasisEnd":           {channels: []string{"channel"}},
	"StasisStart":         {channels: []string{"channel", "replace_channel?"}},
	"TextMessageReceived": {channels: []string{"endpoint.channel_ids?"}},
}

// wantSource is how an id is read at the end of a path.
func wantSource(p ir.IDPath, bridge bool) ir.IDSource {
	last := p.Steps[len(p.Steps)-1].Prop
	switch {
	case last.JSON == "target_uri" && bridge:
		return ir.SourceBridgeURI
	case last.JSON == "target_uri":
		return ir.SourceChannelURI
	case last.JSON == "channel_ids":
		return ir.SourceIDList
	case last.Type.Kind == ir.String:
		return ir.SourceString
	}
	return ir.SourceModelID
}

func TestRealChannelAndBridgeIDs(t *testing.T) {
	api := realModel(t)
	var got []string
	for _, ev := range api.Events {
		got = append(got, ev.Name)
		want, ok := wantIDs[ev.Name]
		if !assert.True(t, ok, "event %s is not in the expected table: classify it (ARI-NOTES section 3)", ev.Name) {
			continue
		}
		if want.channels == nil {
			want.channels = []string{}
		}
		if want.bridges == nil {
			want.bridges = []string{}
		}
		assert.Equal(t, want.channels, paths(ev.ChannelIDs), "%s channel ids", ev.Name)
		assert.Equal(t, want.bridges, paths(ev.BridgeIDs), "%s bridge ids", ev.Name)
		for _, p := range ev.ChannelIDs {
			assert.Equal(t, wantSource(p, false), p.Source, "%s channel id %s", ev.Name, p.PathText())
		}
		for _, p := range ev.BridgeIDs {
			assert.Equal(t, wantSource(p, true), p.Source, "%s bridge id %s", ev.Name, p.PathText())
		}
	}
	var want []string
	for name := range wantIDs {
		want = append(want, name)
	}
	sort.Strings(want)
	assert.Equal(t, want, got, "events of the union")
	// The one string property that names a bridge (gen/ir/quirks.go).
	for _, ev := range api.Events {
		if ev.Name == "BridgeAttendedTransfer" {
			assert.Equal(t, ir.SourceString, ev.BridgeIDs[2].Source)
		}
	}
}

// bits returns the availability bit set of the named releases.
func bits(t *testing.T, api *ir.API, versions ...string) uint64 {
	t.Helper()
	var out uint64
	for _, v := range versions {
		i := releaseIndex(t, api, v)
		out |= 1 << uint(i)
	}
	return out
}

func releaseIndex(t *testing.T, api *ir.API, version string) int {
	t.Helper()
	for i, r := range api.Releases {
		if r.Version == version {
			return i
		}
	}
	require.Failf(t, "unknown release", "%s", version)
	return -1
}

func operation(t *testing.T, api *ir.API, resource, nickname string) *ir.Operation {
	t.Helper()
	for _, r := range api.Resources {
		if r.Name != resource {
			continue
		}
		for _, o := range r.Ops {
			if o.Nickname == nickname {
				return o
			}
		}
	}
	require.Failf(t, "no operation", "%s.%s", resource, nickname)
	return nil
}

func param(t *testing.T, o *ir.Operation, name string) *ir.Param {
	t.Helper()
	for _, p := range o.Params {
		if p.Name == name {
			return p
		}
	}
	require.Failf(t, "no parameter", "%s.%s %s", o.Resource.Name, o.Nickname, name)
	return nil
}

func TestRealReleases(t *testing.T) {
	api := realModel(t)
	var versions []string
	for _, r := range api.Releases {
		versions = append(versions, r.Version)
	}
	assert.Equal(t, []string{"16.30.1", "18.26.4", "20.20.1", "21.12.3", "22.10.1", "23.4.1"}, versions)
	apiVersions := map[string]string{}
	for _, r := range api.Releases {
		apiVersions[r.Version] = r.APIVersion
	}
	assert.Equal(t, map[string]string{
		"16.30.1": "4.1.4", "18.26.4": "6.0.1", "20.20.1": "8.0.0",
		"21.12.3": "9.0.0", "22.10.1": "10.0.0", "23.4.1": "11.0.0",
	}, apiVersions)
}

func TestRealAvailability(t *testing.T) {
	api := realModel(t)
	all := bits(t, api, "16.30.1", "18.26.4", "20.20.1", "21.12.3", "22.10.1", "23.4.1")

	progress := operation(t, api, "channels", "progress")
	assert.Equal(t, bits(t, api, "20.20.1", "21.12.3", "22.10.1", "23.4.1"), progress.Avail.Releases, "channels.progress")

	claim := operation(t, api, "events", "claimChannel")
	assert.Equal(t, bits(t, api, "20.20.1", "22.10.1", "23.4.1"), claim.Avail.Releases, "events.claimChannel")
	// Asterisk's own since list is wrong (20.17.0, 22.7.0, 23.1.0): the
	// quirks table corrects it to the releases that shipped it.
	assert.Equal(t, []string{"20.20.0", "22.10.0", "23.4.0"}, claim.Avail.Since)
	bridgeVars := param(t, operation(t, api, "bridges", "create"), "variables")
	assert.Equal(t, []string{"20.20.0", "22.10.0", "23.4.0"}, bridgeVars.Avail.Since)
	assert.True(t, bridgeVars.Gated)

	hangup := operation(t, api, "channels", "hangup")
	assert.Equal(t, all, hangup.Avail.Releases)
	reasonCode := param(t, hangup, "reason_code")
	assert.Equal(t, all&^bits(t, api, "16.30.1"), reasonCode.Avail.Releases, "channels.hangup reason_code")
	assert.True(t, reasonCode.Gated)
	reason := param(t, hangup, "reason")
	assert.Equal(t, all, reason.Avail.Releases)
	assert.False(t, reason.Gated)
	require.Equal(t, ir.EnumRef, reason.Type.Kind)
	assert.Equal(t, "HangupReason", reason.Type.Enum.GoName)

	ops := 0
	perRelease := map[string]int{}
	for _, r := range api.Resources {
		for _, o := range r.Ops {
			ops++
			for i, rel := range api.Releases {
				if o.Avail.Releases&(1<<uint(i)) != 0 {
					perRelease[rel.Version]++
				}
			}
		}
	}
	assert.Equal(t, 109, ops, "operations of the union")
	assert.Equal(t, 109, perRelease["22.10.1"], "operations of 22.10.1")
	assert.Equal(t, 98, perRelease["16.30.1"], "operations of 16.30.1")

	eventsIn := func(version string) (n int, missingParams bool) {
		bit := uint64(1) << uint(releaseIndex(t, api, version))
		for _, ev := range api.Events {
			if ev.Avail.Releases&bit == 0 {
				continue
			}
			if ev.Name == "MissingParams" {
				missingParams = true
				continue
			}
			n++
		}
		return n, missingParams
	}
	n, mp := eventsIn("22.10.1")
	assert.Equal(t, 45, n, "event types of 22.10.1")
	assert.True(t, mp, "MissingParams in 22.10.1")
	n, mp = eventsIn("16.30.1")
	assert.Equal(t, 38, n, "event types of 16.30.1")
	assert.True(t, mp, "MissingParams in 16.30.1")

	var bases []string
	for _, b := range api.Bases {
		bases = append(bases, b.Name)
	}
	assert.Equal(t, []string{"Message", "Event"}, bases, "abstract bases, root first")
}

func TestRealNamesAndBodies(t *testing.T) {
	api := realModel(t)
	for _, tt := range []struct{ resource, nickname, goName string }{
		{"channels", "transfer_progress", "TransferProgress"},
		{"channels", "rtpstatistics", "RTPStatistics"},
		{"channels", "sendDTMF", "SendDTMF"},
		{"channels", "get", "Get"},
		{"bridges", "get", "Get"},
		{"endpoints", "list", "List"},
	} {
		assert.Equal(t, tt.goName, operation(t, api, tt.resource, tt.nickname).GoName, "%s.%s", tt.resource, tt.nickname)
	}

	for _, tt := range []struct {
		resource, nickname, param string
		in                        string
		body                      ir.BodyKind
		argName                   string
	}{
		{"channels", "originate", "variables", "body", ir.BodyVars, "variables"},
		{"channels", "setChannelVars", "variables", "body", ir.BodyVars, "variables"},
		{"channels", "getChannelVars", "variables", "query", ir.NoBody, "variables"},
		{"endpoints", "sendMessage", "variables", "body", ir.BodyStringMap, "variables"},
		{"events", "userEvent", "variables", "body", ir.BodyStringMap, "variables"},
		{"asterisk", "updateObject", "fields", "body", ir.BodyConfigTuples, "fields"},
		{"applications", "filter", "filter", "body", ir.BodyEventFilter, "filter"},
		{"bridges", "create", "type", "query", ir.NoBody, "typeArg"},
		{"endpoints", "sendMessage", "body", "query", ir.NoBody, "bodyArg"},
	} {
		p := param(t, operation(t, api, tt.resource, tt.nickname), tt.param)
		assert.Equal(t, tt.in, p.In, "%s.%s %s", tt.resource, tt.nickname, tt.param)
		assert.Equal(t, tt.body, p.Body, "%s.%s %s", tt.resource, tt.nickname, tt.param)
		assert.Equal(t, tt.argName, p.ArgName, "%s.%s %s", tt.resource, tt.nickname, tt.param)
	}

	// endpoints.sendMessage documents its body only under the misspelt
	// "descriptioni".
	p := param(t, operation(t, api, "endpoints", "sendMessage"), "variables")
	assert.True(t, strings.HasPrefix(p.Doc, `The "variables" key in the body object`), p.Doc)

	app := param(t, operation(t, api, "events", "eventWebsocket"), "app")
	assert.True(t, app.Multiple)
	assert.True(t, operation(t, api, "events", "eventWebsocket").Websocket)
	assert.True(t, operation(t, api, "recordings", "getStoredFile").Binary)
}

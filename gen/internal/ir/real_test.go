package ir_test

import (
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/gen/internal/generator"
	"gostasis.dev/gen/internal/ir"
)

// The tests of this file read the repository's schemas/. Releases are data:
// the facts pinned below are about the known releases (knownReleases) and
// are checked on the model of the known releases present, so that a
// release folder no test knows never breaks them; every release folder,
// known or not, is checked by the generic invariants (TestRealInvariants).

// knownReleases are the releases the pinned facts were read from, with
// their ARI apiVersion (docs/ari-notes.md section 1).
var knownReleases = map[string]string{
	"16.30.1": "4.1.4", "18.26.4": "6.0.1", "20.20.1": "8.0.0",
	"21.12.3": "9.0.0", "22.10.1": "10.0.0", "23.4.1": "11.0.0",
}

var schemasDir = filepath.Join("..", "..", "..", "schemas")

type cachedModel struct {
	once sync.Once
	api  *ir.API
	err  error
}

func (c *cachedModel) get(t *testing.T, dirs func() ([]string, error)) *ir.API {
	t.Helper()
	c.once.Do(func() {
		var ds []string
		if ds, c.err = dirs(); c.err == nil {
			c.api, c.err = generator.Model(ds)
		}
	})
	require.NoError(t, c.err)
	return c.api
}

var realCache, knownCache cachedModel

// realModel builds the IR of every release folder of schemas/, once per
// test binary.
func realModel(t *testing.T) *ir.API {
	t.Helper()
	return realCache.get(t, func() ([]string, error) { return generator.Releases(schemasDir) })
}

// knownModel builds the IR of the known releases present in schemas/,
// once per test binary; the test is skipped when none is present.
func knownModel(t *testing.T) *ir.API {
	t.Helper()
	dirs, err := generator.Releases(schemasDir)
	require.NoError(t, err)
	var known []string
	for _, d := range dirs {
		if _, ok := knownReleases[strings.TrimPrefix(filepath.Base(d), "asterisk-")]; ok {
			known = append(known, d)
		}
	}
	if len(known) == 0 {
		t.Skip("no known release in schemas/")
	}
	return knownCache.get(t, func() ([]string, error) { return known, nil })
}

// requireAllKnown skips a test pinning facts of the union of the known
// releases when one of them is absent from schemas/.
func requireAllKnown(t *testing.T, api *ir.API) {
	t.Helper()
	for v := range knownReleases {
		if !hasRelease(api, v) {
			t.Skipf("release %s is not in schemas/: the facts of the known union do not apply", v)
		}
	}
}

func hasRelease(api *ir.API, version string) bool {
	return slices.ContainsFunc(api.Releases, func(r ir.Release) bool { return r.Version == version })
}

// paths renders id paths as docs/ari-notes.md section 3 writes them: the dotted
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

// wantIDs is docs/ari-notes.md section 3 for every event of the known releases:
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
	api := knownModel(t)
	requireAllKnown(t, api)
	var got []string
	for _, ev := range api.Events {
		got = append(got, ev.Name)
		want, ok := wantIDs[ev.Name]
		if !assert.True(t, ok, "event %s is not in the expected table: classify it (docs/ari-notes.md section 3)", ev.Name) {
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
	}
	var want []string
	for name := range wantIDs {
		want = append(want, name)
	}
	sort.Strings(want)
	assert.Equal(t, want, got, "events of the union")
	// The one string property that names a bridge (gen/internal/ir/quirks.go).
	for _, ev := range api.Events {
		if ev.Name == "BridgeAttendedTransfer" {
			assert.Equal(t, ir.SourceString, ev.BridgeIDs[2].Source)
		}
	}
}

// bits returns the availability bit set of the named releases that are
// present.
func bits(t *testing.T, api *ir.API, versions ...string) uint64 {
	t.Helper()
	var out uint64
	for _, v := range versions {
		if hasRelease(api, v) {
			out |= 1 << uint(releaseIndex(t, api, v))
		}
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

// TestRealReleases checks the releases read: every folder, in version
// order, with the apiVersion pinned for the known ones.
func TestRealReleases(t *testing.T) {
	api := realModel(t)
	dirs, err := generator.Releases(schemasDir)
	require.NoError(t, err)
	require.Len(t, api.Releases, len(dirs), "one release per folder")
	for i, r := range api.Releases {
		assert.Equal(t, "asterisk-"+r.Version, r.Dir)
		assert.NotEmpty(t, r.APIVersion, r.Dir)
		if want, ok := knownReleases[r.Version]; ok {
			assert.Equal(t, want, r.APIVersion, r.Dir)
		}
		if i > 0 {
			prev := api.Releases[i-1]
			assert.Less(t, prev.Major, r.Major, "%s before %s: one folder per line, oldest first", prev.Dir, r.Dir)
		}
	}
}

// TestRealAvailability checks facts about the known releases, each only
// when the releases it is about are present.
func TestRealAvailability(t *testing.T) {
	api := knownModel(t)
	known := bits(t, api, slices.Collect(maps.Keys(knownReleases))...)

	// availableIn checks that the operation is in exactly the named
	// releases of those present.
	availableIn := func(resource, nickname string, versions ...string) *ir.Operation {
		t.Helper()
		want := bits(t, api, versions...)
		if want == 0 {
			return nil
		}
		o := operation(t, api, resource, nickname)
		assert.Equal(t, want, o.Avail.Releases, "%s.%s", resource, nickname)
		return o
	}
	availableIn("channels", "progress", "20.20.1", "21.12.3", "22.10.1", "23.4.1")

	if claim := availableIn("events", "claimChannel", "20.20.1", "22.10.1", "23.4.1"); claim != nil {
		// Asterisk's own since list is wrong (20.17.0, 22.7.0, 23.1.0): the
		// quirks table corrects it to the releases that shipped it.
		assert.Equal(t, []string{"20.20.0", "22.10.0", "23.4.0"}, claim.Avail.Since)
	}
	if bits(t, api, "20.20.1", "22.10.1", "23.4.1") != 0 {
		bridgeVars := param(t, operation(t, api, "bridges", "create"), "variables")
		assert.Equal(t, []string{"20.20.0", "22.10.0", "23.4.0"}, bridgeVars.Avail.Since)
		assert.True(t, bridgeVars.Gated)
	}

	hangup := availableIn("channels", "hangup", "16.30.1", "18.26.4", "20.20.1", "21.12.3", "22.10.1", "23.4.1")
	reasonCode := param(t, hangup, "reason_code")
	assert.Equal(t, known&^bits(t, api, "16.30.1"), reasonCode.Avail.Releases, "channels.hangup reason_code")
	assert.Equal(t, hasRelease(api, "16.30.1"), reasonCode.Gated)
	reason := param(t, hangup, "reason")
	assert.Equal(t, known, reason.Avail.Releases)
	assert.False(t, reason.Gated)
	require.Equal(t, ir.EnumRef, reason.Type.Kind)
	assert.Equal(t, "HangupReason", reason.Type.Enum.GoName)

	// Operations and event types per release (docs/ari-notes.md section 1).
	for version, want := range map[string]struct{ ops, events int }{
		"16.30.1": {98, 38},
		"22.10.1": {109, 45},
	} {
		if !hasRelease(api, version) {
			continue
		}
		bit := uint64(1) << uint(releaseIndex(t, api, version))
		ops := 0
		for _, r := range api.Resources {
			for _, o := range r.Ops {
				if o.Avail.Releases&bit != 0 {
					ops++
				}
			}
		}
		assert.Equal(t, want.ops, ops, "operations of %s", version)
		events, missingParams := 0, false
		for _, ev := range api.Events {
			switch {
			case ev.Avail.Releases&bit == 0:
			case ev.Name == "MissingParams":
				missingParams = true
			default:
				events++
			}
		}
		assert.Equal(t, want.events, events, "event types of %s", version)
		assert.True(t, missingParams, "MissingParams in %s", version)
	}

	var bases []string
	for _, b := range api.Bases {
		bases = append(bases, b.Name)
	}
	assert.Equal(t, []string{"Message", "Event"}, bases, "abstract bases, root first")
}

func TestRealNamesAndBodies(t *testing.T) {
	api := knownModel(t)
	requireAllKnown(t, api)
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

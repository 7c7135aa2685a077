package events_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

// idEntry says, for one message type, which members name the channels and
// bridges it is about, in the order ChannelIDs and BridgeIDs must list them
// (docs/ari-notes.md §3): members required at every hop first, in schema
// order, then the optional ones in schema order. A trailing "?" marks a
// member that is optional at some hop.
//
// A path names a Channel or Bridge object (its "id"), a string holding a
// bridge id (destination_bridge), an Endpoint's channel_ids list
// ("endpoint.channel_ids") or a Playback/LiveRecording target_uri
// ("playback.target_uri": a channel for "channel:<id>", a bridge for
// "bridge:<id>").
type idEntry struct {
	channels []string
	bridges  []string
}

// idTable is written from docs/ari-notes.md §3; TestIDTableFollowsSchema
// checks it against the schema and TestChannelAndBridgeIDs checks the
// generated code against it.
var idTable = map[string]idEntry{
	"ApplicationMoveFailed":   {channels: []string{"channel"}},
	"ApplicationRegistered":   {},
	"ApplicationReplaced":     {},
	"ApplicationUnregistered": {},
	"BridgeAttendedTransfer": {
		channels: []string{
			"transferer_first_leg",
			"transferer_second_leg",
			"replace_channel?",
			"transferee?",
			"transfer_target?",
			"destination_link_first_leg?",
			"destination_link_second_leg?",
			"destination_threeway_channel?",
		},
		bridges: []string{
			"transferer_first_leg_bridge?",
			"transferer_second_leg_bridge?",
			"destination_bridge?",
			"destination_threeway_bridge?",
		},
	},
	"BridgeBlindTransfer": {
		channels: []string{"channel", "replace_channel?", "transferee?"},
		bridges:  []string{"bridge?"},
	},
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
		channels: []string{
			"referred_by.source_channel",
			"refer_to.destination_channel?",
			"refer_to.connected_channel?",
			"referred_by.connected_channel?",
		},
		bridges: []string{"refer_to.bridge?", "referred_by.bridge?"},
	},
	"ChannelUnhold": {channels: []string{"channel"}},
	// docs/ari-notes.md §3: "ChannelUserevent: channel?", not its endpoint.
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
	"TextMessageReceived": {channels: []string{"endpoint?.channel_ids"}},
}

// notRouted lists the id sources the schema has but the notes leave out.
var notRouted = map[string]bool{
	"ChannelUserevent endpoint?.channel_ids": true,
}

// idPath splits a table path into its plain form and whether it is optional.
func idPath(p string) (string, bool) {
	return strings.ReplaceAll(p, "?", ""), strings.Contains(p, "?")
}

// idSources derives from the schema the members of typ that name channels
// and bridges, ordered by the rule of docs/ari-notes.md §3. Nested Bridge
// objects contribute their own id only (their channels[] are the bridge's
// business, not the event's: "Bridge*: none").
func idSources(s schema, typ string) (channels, bridges []string) {
	type source struct {
		path     string
		optional bool
	}
	var ch, br []source
	var walk func(props []schemaProp, prefix string, optional bool)
	walk = func(props []schemaProp, prefix string, optional bool) {
		for _, p := range props {
			opt := optional || !p.Required
			path := prefix + p.Name
			mark := path
			if !p.Required {
				mark += "?"
			}
			switch {
			case p.Type == "Channel":
				ch = append(ch, source{mark, opt})
			case p.Type == "Bridge":
				br = append(br, source{mark, opt})
			case p.Type == "string" && strings.HasSuffix(p.Name, "_bridge"):
				br = append(br, source{mark, opt})
			case p.Type == "Endpoint":
				ch = append(ch, source{mark + ".channel_ids", opt})
			case p.Type == "Playback" || p.Type == "LiveRecording":
				ch = append(ch, source{mark + ".target_uri", opt})
				br = append(br, source{mark + ".target_uri", opt})
			case s[p.Type] != nil:
				walk(s[p.Type].Props, mark+".", opt)
			}
		}
	}
	walk(s.eventProps(typ), "", false)
	order := func(in []source) []string {
		var out []string
		for _, pass := range []bool{false, true} {
			for _, x := range in {
				if x.optional == pass && !notRouted[typ+" "+x.path] {
					out = append(out, x.path)
				}
			}
		}
		return out
	}
	return order(ch), order(br)
}

func TestTypesMatchSchema(t *testing.T) {
	s := loadSchema(t)
	var names []string
	for _, ti := range events.Types() {
		names = append(names, ti.Name)
	}
	assert.Equal(t, s.messageTypes(), names)
}

func TestIDTableFollowsSchema(t *testing.T) {
	s := loadSchema(t)
	for _, typ := range s.messageTypes() {
		t.Run(typ, func(t *testing.T) {
			entry, ok := idTable[typ]
			require.True(t, ok, "idTable has no entry for %s", typ)
			ch, br := idSources(s, typ)
			assert.Equal(t, ch, entry.channels, "channel sources")
			assert.Equal(t, br, entry.bridges, "bridge sources")
		})
	}
}

// buildOpts controls how buildEvent fills a message from the schema.
type buildOpts struct {
	// id gives the id for a source: kind is "channel", "bridge",
	// "endpoint" (channel_ids elements), "target" (target_uri) or
	// "member" (a bridge's channels[] element).
	id func(kind, path string) string
	// target is the target_uri scheme: "channel:" or "bridge:".
	target string
	// omitOptional leaves out every optional member, at every depth.
	omitOptional bool
	// nullOptional writes null for every optional member.
	nullOptional bool
	// typeLast writes "type" last instead of first.
	typeLast bool
}

// distinctID gives every source its own id, derived from its path.
func distinctID(kind, path string) string { return kind[:2] + "-" + path }

// buildEvent builds a complete message of type typ from the schema: every
// member (required and optional, unless omitted), each with a value of its
// schema type.
func buildEvent(s schema, typ string, o buildOpts) ordered {
	obj := buildObject(s, s.eventProps(typ), "", o)
	for i := range obj {
		if obj[i].Key == "type" {
			obj[i].Value = typ
			if o.typeLast {
				m := obj[i]
				obj = append(append(obj[:i:i], obj[i+1:]...), m)
			}
			break
		}
	}
	return obj
}

func buildObject(s schema, props []schemaProp, prefix string, o buildOpts) ordered {
	obj := ordered{}
	for _, p := range props {
		if !p.Required && o.omitOptional {
			continue
		}
		mark := prefix + p.Name
		if !p.Required {
			mark += "?"
		}
		if !p.Required && o.nullOptional {
			obj = append(obj, member{p.Name, nil})
			continue
		}
		obj = append(obj, member{p.Name, buildValue(s, p, mark, o)})
	}
	return obj
}

func buildValue(s schema, p schemaProp, path string, o buildOpts) any {
	typ := p.Type
	switch {
	case typ == "string" && p.Name == "target_uri":
		return o.target + o.id("target", path)
	case typ == "string" && strings.HasSuffix(p.Name, "_bridge"):
		return o.id("bridge", path)
	case typ == "string":
		return "s"
	case typ == "int" || typ == "long":
		return 7
	case typ == "double":
		return 1.5
	case typ == "boolean":
		return true
	case typ == "Date":
		return "2025-03-17T08:32:35.709-0600"
	case typ == "object":
		return ordered{{"k", "v"}}
	}
	if elem, ok := listElem(typ); ok {
		switch {
		case p.Name == "channel_ids":
			return []any{o.id("endpoint", path+"#1"), o.id("endpoint", path+"#2")}
		case p.Name == "channels":
			return []any{o.id("member", path)}
		}
		return []any{buildValue(s, schemaProp{Name: p.Name, Type: elem, Required: true}, path, o)}
	}
	m := s[typ]
	if m == nil {
		panic("unknown schema type " + typ)
	}
	obj := buildObject(s, m.Props, path+".", o)
	if typ == "Channel" || typ == "Bridge" {
		for i := range obj {
			if obj[i].Key == "id" {
				obj[i].Value = o.id(strings.ToLower(typ), path)
			}
		}
	}
	return obj
}

// wantIDs expands table paths into the ids buildEvent gave them, for
// distinct ids: kind is "channel" or "bridge".
func wantIDs(paths []string, kind string, o buildOpts) []string {
	var out []string
	for _, p := range paths {
		plain, optional := idPath(p)
		if optional && (o.omitOptional || o.nullOptional) {
			continue
		}
		switch {
		case strings.HasSuffix(plain, ".channel_ids"):
			out = append(out, o.id("endpoint", p+"#1"), o.id("endpoint", p+"#2"))
		case strings.HasSuffix(plain, ".target_uri"):
			if o.target == kind+":" {
				out = append(out, o.id("target", p))
			}
		default:
			out = append(out, o.id(kind, p))
		}
	}
	return out
}

// decodeBuilt marshals obj and decodes it with events.Decode.
func decodeBuilt(t *testing.T, typ string, obj ordered) events.Event {
	t.Helper()
	data, err := json.Marshal(obj)
	require.NoError(t, err)
	ev, err := events.Decode(data)
	require.NoError(t, err, "%s", data)
	require.Equal(t, typ, ev.EventType())
	// The Go name is Asterisk's spelled with Go initialisms.
	require.True(t, strings.EqualFold("*events."+typ, typeName(ev)), "%s decoded as %s", typ, typeName(ev))
	return ev
}

// assertIDs checks ChannelIDs and BridgeIDs, and that "none" is nil.
func assertIDs(t *testing.T, ev events.Event, channels, bridges []string) {
	t.Helper()
	if len(channels) == 0 {
		assert.Nil(t, events.ChannelIDs(ev), "ChannelIDs")
	} else {
		assert.Equal(t, channels, events.ChannelIDs(ev), "ChannelIDs")
	}
	if len(bridges) == 0 {
		assert.Nil(t, events.BridgeIDs(ev), "BridgeIDs")
	} else {
		assert.Equal(t, bridges, events.BridgeIDs(ev), "BridgeIDs")
	}
}

func hasTarget(e idEntry) bool {
	for _, p := range e.channels {
		if strings.HasSuffix(p, ".target_uri") {
			return true
		}
	}
	return false
}

func TestChannelAndBridgeIDs(t *testing.T) {
	s := loadSchema(t)
	for _, ti := range events.Types() {
		typ := ti.Name
		entry, ok := idTable[typ]
		if !assert.True(t, ok, "idTable has no entry for known type %s", typ) {
			continue
		}
		t.Run(typ, func(t *testing.T) {
			all := buildOpts{id: distinctID, target: "channel:"}
			type idCase struct {
				name string
				opts buildOpts
			}
			cases := []idCase{
				{"every member", all},
				{"type last", buildOpts{id: distinctID, target: "channel:", typeLast: true}},
				{"optional members absent", buildOpts{id: distinctID, target: "channel:", omitOptional: true}},
				{"optional members null", buildOpts{id: distinctID, target: "channel:", nullOptional: true}},
				{"optional members null, type last", buildOpts{id: distinctID, target: "channel:", nullOptional: true, typeLast: true}},
			}
			if hasTarget(entry) {
				cases = append(cases, idCase{"bridge target", buildOpts{id: distinctID, target: "bridge:"}})
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					ev := decodeBuilt(t, typ, buildEvent(s, typ, c.opts))
					assertIDs(t, ev,
						wantIDs(entry.channels, "channel", c.opts),
						wantIDs(entry.bridges, "bridge", c.opts))
				})
			}

			t.Run("empty ids skipped", func(t *testing.T) {
				for _, target := range []string{"channel:", "bridge:"} {
					o := buildOpts{id: func(string, string) string { return "" }, target: target}
					assertIDs(t, decodeBuilt(t, typ, buildEvent(s, typ, o)), nil, nil)
				}
			})

			t.Run("same id listed once", func(t *testing.T) {
				for _, target := range []string{"channel:", "bridge:"} {
					o := buildOpts{id: func(string, string) string { return "dup" }, target: target}
					var ch, br []string
					if len(wantIDs(entry.channels, "channel", o)) > 0 {
						ch = []string{"dup"}
					}
					if len(wantIDs(entry.bridges, "bridge", o)) > 0 {
						br = []string{"dup"}
					}
					assertIDs(t, decodeBuilt(t, typ, buildEvent(s, typ, o)), ch, br)
				}
			})

			t.Run("append keeps the prefix", func(t *testing.T) {
				ev := decodeBuilt(t, typ, buildEvent(s, typ, all))
				for _, c := range []struct {
					kind   string
					want   []string
					append func([]string) []string
				}{
					{"channel", wantIDs(entry.channels, "channel", all), func(dst []string) []string { return events.AppendChannelIDs(dst, ev) }},
					{"bridge", wantIDs(entry.bridges, "bridge", all), func(dst []string) []string { return events.AppendBridgeIDs(dst, ev) }},
				} {
					// The prefix holds an id the event names: it is
					// appended again, since only what is appended is
					// deduplicated.
					prefix := []string{"pre", "x"}
					if len(c.want) > 0 {
						prefix[1] = c.want[0]
					}
					dst := make([]string, len(prefix), 32)
					copy(dst, prefix)
					got := c.append(dst)
					assert.Equal(t, append(slices.Clone(prefix), c.want...), got, c.kind)
					assert.Equal(t, prefix, dst[:2], "%s: prefix changed", c.kind)
					allocs := testing.AllocsPerRun(10, func() { _ = c.append(dst[:2]) })
					assert.Zero(t, allocs, "%s: append into a buffer with room allocates", c.kind)
					if len(c.want) == 0 {
						assert.Nil(t, c.append(nil), c.kind)
					}
				}
			})

			t.Run("zero value", func(t *testing.T) {
				ev := events.New(typ)
				require.NotNil(t, ev)
				assertIDs(t, ev, nil, nil)
			})
		})
	}
	for typ := range idTable {
		assert.True(t, events.Known(typ), "idTable has an entry for unknown type %s", typ)
	}
}

func TestUnknownIDs(t *testing.T) {
	ev, err := events.Decode([]byte(`{"type":"FutureEvent","channel":{"id":"c1","name":"x"},"bridge":{"channels":["c9"],"id":"b1"},"peer":{"id":"c2"}}`))
	require.NoError(t, err)
	assertIDs(t, ev, []string{"c1"}, []string{"b1"})
	assert.Equal(t, []string{"pre", "c1"}, events.AppendChannelIDs([]string{"pre"}, ev))

	for _, in := range []string{
		`{"type":"FutureEvent"}`,
		`{"type":"FutureEvent","channel":"c1","bridge":["b1"]}`,
		`{"type":"FutureEvent","channel":{"id":5},"bridge":{"id":null}}`,
		`{"type":"FutureEvent","channel":{"id":""},"bridge":null}`,
		`{"type":"FutureEvent","data":{"channel":{"id":"c1"}}}`,
	} {
		ev, err := events.Decode([]byte(in))
		require.NoError(t, err, in)
		assertIDs(t, ev, nil, nil)
	}
}

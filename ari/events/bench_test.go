package events_test

import (
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// The baseline decodes an event the way a typical reflection-based ARI
// library does: one json.Unmarshal of a header to read "type", then a second
// json.Unmarshal of the whole frame into a plain struct mirroring the
// concrete type, dates parsed with time.Parse by a small UnmarshalJSON.

type baselineHeader struct {
	Type string `json:"type"`
}

type baselineTime struct{ time.Time }

func (t *baselineTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(ari.TimeLayout, s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

type baselineEventBase struct {
	Type        string       `json:"type"`
	AsteriskID  string       `json:"asterisk_id,omitempty"`
	Application string       `json:"application"`
	Timestamp   baselineTime `json:"timestamp"`
}

type baselineCallerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

type baselineDialplanCEP struct {
	Context  string `json:"context"`
	Exten    string `json:"exten"`
	Priority int64  `json:"priority"`
	AppName  string `json:"app_name"`
	AppData  string `json:"app_data"`
}

type baselineChannel struct {
	ID           string              `json:"id"`
	ProtocolID   string              `json:"protocol_id"`
	Name         string              `json:"name"`
	State        string              `json:"state"`
	Caller       baselineCallerID    `json:"caller"`
	Connected    baselineCallerID    `json:"connected"`
	AccountCode  string              `json:"accountcode"`
	Dialplan     baselineDialplanCEP `json:"dialplan"`
	CreationTime baselineTime        `json:"creationtime"`
	Language     string              `json:"language"`
	ChannelVars  map[string]string   `json:"channelvars,omitempty"`
	CallerRDNIS  string              `json:"caller_rdnis,omitempty"`
	TenantID     string              `json:"tenantid,omitempty"`
}

type baselinePlayback struct {
	ID           string `json:"id"`
	MediaURI     string `json:"media_uri"`
	NextMediaURI string `json:"next_media_uri,omitempty"`
	TargetURI    string `json:"target_uri"`
	Language     string `json:"language,omitempty"`
	State        string `json:"state"`
}

type baselineStasisStart struct {
	baselineEventBase
	Args           []string         `json:"args"`
	Channel        baselineChannel  `json:"channel"`
	ReplaceChannel *baselineChannel `json:"replace_channel,omitempty"`
}

type baselineChannelDtmfReceived struct {
	baselineEventBase
	Digit      string          `json:"digit"`
	DurationMS int             `json:"duration_ms"`
	Channel    baselineChannel `json:"channel"`
}

type baselineChannelVarset struct {
	baselineEventBase
	Variable string           `json:"variable"`
	Value    string           `json:"value"`
	Channel  *baselineChannel `json:"channel,omitempty"`
}

type baselinePlaybackFinished struct {
	baselineEventBase
	Playback baselinePlayback `json:"playback"`
}

// baselineDecode is the two-pass, reflection-based decoding.
func baselineDecode(data []byte) (any, error) {
	var h baselineHeader
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, err
	}
	var v any
	switch h.Type {
	case "StasisStart":
		v = new(baselineStasisStart)
	case "ChannelDtmfReceived":
		v = new(baselineChannelDtmfReceived)
	case "PlaybackFinished":
		v = new(baselinePlaybackFinished)
	case "ChannelVarset":
		v = new(baselineChannelVarset)
	default:
		return nil, errors.New("baseline: unsupported type " + h.Type)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, err
	}
	return v, nil
}

// benchFixtures are the events benchmarked: the three of the brief, and
// ChannelVarset, which Asterisk sends with members before "type".
var benchFixtures = []string{"StasisStart.json", "ChannelDtmfReceived.json", "PlaybackFinished.json", "ChannelVarset.json"}

// TestBaselineMirrorsDecode keeps the baseline honest: it reads the same
// members, to the same values, as Decode.
func TestBaselineMirrorsDecode(t *testing.T) {
	for _, name := range benchFixtures {
		t.Run(name, func(t *testing.T) {
			data := fixtureNamed(t, name)
			base, err := baselineDecode(data)
			require.NoError(t, err)
			ev, err := events.Decode(data)
			require.NoError(t, err)
			// baselineTime marshals as RFC 3339: compare dates as
			// instants, everything else as JSON values.
			a, b := remarshal(t, base), remarshal(t, ev)
			at, bt := takeDates(t, a, time.RFC3339Nano), takeDates(t, b, ari.TimeLayout)
			require.NotEmpty(t, at)
			require.Len(t, bt, len(at))
			for i := range at {
				assert.True(t, at[i].Equal(bt[i]), "date %d: %v != %v", i, at[i], bt[i])
			}
			assert.Equal(t, a, b)
		})
	}
}

func remarshal(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// takeDates removes the "timestamp" and "creationtime" members at every
// depth and returns them parsed with layout, in a deterministic order.
func takeDates(t *testing.T, v any, layout string) []time.Time {
	t.Helper()
	var out []time.Time
	switch v := v.(type) {
	case map[string]any:
		for _, k := range []string{"timestamp", "creationtime"} {
			if s, ok := v[k].(string); ok {
				tm, err := time.Parse(layout, s)
				require.NoError(t, err)
				out = append(out, tm)
				delete(v, k)
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, takeDates(t, v[k], layout)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, takeDates(t, x, layout)...)
		}
	}
	return out
}

var benchSink any

func BenchmarkDecode(b *testing.B) {
	for _, name := range benchFixtures {
		data := fixtureNamed(b, name)
		fixture := name[:len(name)-len(".json")]
		b.Run("fixture="+fixture+"/impl=events", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				ev, err := events.Decode(data)
				if err != nil {
					b.Fatal(err)
				}
				benchSink = ev
			}
		})
		b.Run("fixture="+fixture+"/impl=baseline", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				v, err := baselineDecode(data)
				if err != nil {
					b.Fatal(err)
				}
				benchSink = v
			}
		})
	}
}

// BenchmarkChannelIDs appends the ids of an event into a reused buffer, as
// a router does for every event: it must not allocate.
func BenchmarkChannelIDs(b *testing.B) {
	for _, c := range []struct {
		name string
		data []byte
		want int
	}{
		{"StasisStart", fixtureNamed(b, "StasisStart.json"), 1},
		{"Dial", []byte(`{"type":"Dial","peer":{"id":"c2"},"caller":{"id":"c1"},"forwarded":{"id":"c3"}}`), 3},
		{"PlaybackFinished", fixtureNamed(b, "PlaybackFinished.json"), 1},
		{"EndpointStateChange", []byte(`{"type":"EndpointStateChange","endpoint":{"channel_ids":["a","b","a","c"]}}`), 3},
	} {
		ev, err := events.Decode(c.data)
		require.NoError(b, err)
		b.Run(c.name, func(b *testing.B) {
			buf := make([]string, 0, 8)
			b.ReportAllocs()
			for b.Loop() {
				buf = events.AppendChannelIDs(buf[:0], ev)
			}
			require.Len(b, buf, c.want)
			allocs := testing.AllocsPerRun(100, func() { buf = events.AppendChannelIDs(buf[:0], ev) })
			require.Zero(b, allocs, "AppendChannelIDs allocates")
		})
	}
}

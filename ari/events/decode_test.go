package events_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// mustDecode decodes data and fails the test on an error.
func mustDecode(t testing.TB, data []byte) events.Event {
	t.Helper()
	ev, err := events.Decode(data)
	require.NoError(t, err, "%s", data)
	require.NotNil(t, ev)
	return ev
}

// marshal is ev.MarshalJSON, failing the test on an error.
func marshal(t testing.TB, ev events.Event) []byte {
	t.Helper()
	out, err := ev.(json.Marshaler).MarshalJSON()
	require.NoError(t, err)
	require.True(t, json.Valid(out), "%s", out)
	return out
}

// as asserts that ev has the concrete type T.
func as[T events.Event](t testing.TB, ev events.Event) T {
	t.Helper()
	x, ok := ev.(T)
	require.True(t, ok, "decoded %T", ev)
	return x
}

func TestDecodeUnknownType(t *testing.T) {
	const in = `{"application":"app","channel":{"id":"c1","caller":{"name":"A"}},` +
		`"type":"FutureEvent","timestamp":"2025-03-17T08:32:35.709-0600",` +
		`"asterisk_id":"02:fc:00:00:00:01","bridge":{"id":"b1","channels":["c1","c2"]},` +
		`"extra":[1,2,{"x":null,"y":"\u00e9"}]}`
	data := []byte(in)
	ev := mustDecode(t, data)
	u := as[*events.Unknown](t, ev)

	assert.Equal(t, "FutureEvent", u.Type)
	assert.Equal(t, "FutureEvent", u.EventType())
	assert.Same(t, &u.EventBase, u.Base())
	assert.Equal(t, in, string(u.Raw))
	assert.Equal(t, "app", u.Application)
	assert.Equal(t, "02:fc:00:00:00:01", u.AsteriskID)
	want := time.Date(2025, 3, 17, 8, 32, 35, 709e6, time.FixedZone("", -6*3600))
	assert.True(t, want.Equal(u.Timestamp.Time), "timestamp %v", u.Timestamp)
	assert.Equal(t, []string{"c1"}, events.ChannelIDs(u))
	assert.Equal(t, []string{"b1"}, events.BridgeIDs(u))
	assert.Equal(t, in, string(marshal(t, u)))

	// Decode keeps no reference to its input.
	for i := range data {
		data[i] = 'X'
	}
	assert.Equal(t, in, string(u.Raw))
	assert.Equal(t, "app", u.Application)

	t.Run("type first, nothing else", func(t *testing.T) {
		u := as[*events.Unknown](t, mustDecode(t, []byte(` {"type":"X"} `)))
		assert.Equal(t, "X", u.Type)
		assert.Equal(t, ` {"type":"X"} `, string(u.Raw))
		assert.True(t, u.Timestamp.IsZero())
		assert.Nil(t, events.ChannelIDs(u))
	})

	t.Run("built by hand", func(t *testing.T) {
		u := &events.Unknown{EventBase: events.EventBase{Type: "X", Application: "app"}}
		assert.JSONEq(t, `{"type":"X","application":"app"}`, string(marshal(t, u)))
		u.AsteriskID = "id"
		u.Timestamp = ari.Time{Time: want}
		assert.Equal(t, `{"type":"X","asterisk_id":"id","application":"app","timestamp":"2025-03-17T08:32:35.709-0600"}`, string(marshal(t, u)))
	})

	t.Run("names of known Go types are not special", func(t *testing.T) {
		for _, typ := range []string{"Event", "Message", "Unknown", "stasisstart", "StasisStart ", ""} {
			in := fmt.Sprintf(`{"type":%q}`, typ)
			u := as[*events.Unknown](t, mustDecode(t, []byte(in)))
			assert.Equal(t, typ, u.Type)
		}
	})
}

// reorder returns data's top-level object with "type" moved to position at
// (clamped), re-encoded.
func reorder(t *testing.T, data []byte, at int) []byte {
	t.Helper()
	v, dup, err := parseOrdered(data)
	require.NoError(t, err)
	require.False(t, dup)
	obj := v.(ordered)
	i := slices.IndexFunc(obj, func(m member) bool { return m.Key == "type" })
	require.GreaterOrEqual(t, i, 0)
	m := obj[i]
	obj = slices.Delete(obj, i, i+1)
	at = min(at, len(obj))
	obj = slices.Insert(obj, at, m)
	out, err := json.Marshal(obj)
	require.NoError(t, err)
	return out
}

func TestDecodeTypeNotFirst(t *testing.T) {
	t.Run("members before type", func(t *testing.T) {
		in := `{"timestamp":"2026-11-25T19:41:00.885+0000",` +
			` "channel" : {"id":"c\u00e9\"1","name":"PJSIP/\u65e5\u672c-1","state":"Up","caller":{"name":"A\\B \ud83d\ude00","number":"1"},` +
			`"dialplan":{"context":"ctx","exten":"100","priority":3,"app_name":"Stasis","app_data":"a,b"},` +
			`"creationtime":"2026-11-25T19:41:00.885+0000","channelvars":{"X":"1","Y":{"value":"v"}},"extra":{"deep":[{"type":"Dial"}]}},` +
			"\n\t\"args\":[\"a\\nb\",\"日本\"],\"asterisk_id\":\"x\",\"application\":\"app\",\"type\":\"StasisStart\",\"replace_channel\":{\"id\":\"c2\"}}"
		ss := as[*events.StasisStart](t, mustDecode(t, []byte(in)))
		assert.Equal(t, "StasisStart", ss.Type)
		assert.Equal(t, "app", ss.Application)
		assert.Equal(t, "x", ss.AsteriskID)
		assert.Equal(t, "2026-11-25T19:41:00.885+0000", ss.Timestamp.String())
		assert.Equal(t, []string{"a\nb", "日本"}, ss.Args)
		assert.Equal(t, "c\u00e9\"1", ss.Channel.ID)
		assert.Equal(t, "PJSIP/日本-1", ss.Channel.Name)
		assert.Equal(t, ari.ChannelState("Up"), ss.Channel.State)
		assert.Equal(t, "A\\B 😀", ss.Channel.Caller.Name)
		assert.Equal(t, ari.DialplanCEP{Context: "ctx", Exten: "100", Priority: 3, AppName: "Stasis", AppData: "a,b"}, ss.Channel.Dialplan)
		assert.Equal(t, map[string]string{"X": "1", "Y": `{"value":"v"}`}, ss.Channel.ChannelVars)
		require.NotNil(t, ss.ReplaceChannel)
		assert.Equal(t, "c2", ss.ReplaceChannel.ID)
		assert.Equal(t, []string{"c\u00e9\"1", "c2"}, events.ChannelIDs(ss))
	})

	t.Run("every fixture with type moved", func(t *testing.T) {
		for _, fx := range fixtures(t) {
			want := marshal(t, mustDecode(t, fx.data))
			for _, at := range []int{1, 3, 1 << 20} {
				got := marshal(t, mustDecode(t, reorder(t, fx.data, at)))
				assert.Equal(t, string(want), string(got), "%s with type at %d", fx.name, at)
			}
		}
	})

	t.Run("more members before type than the stack buffer", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{")
		for i := range 40 {
			fmt.Fprintf(&b, `"x%d":{"a":[%d]},`, i, i)
		}
		b.WriteString(`"digit":"5","duration_ms":100,"channel":{"id":"c1"},"type":"ChannelDtmfReceived"}`)
		ev := as[*events.ChannelDTMFReceived](t, mustDecode(t, []byte(b.String())))
		assert.Equal(t, "5", ev.Digit)
		assert.Equal(t, 100, ev.DurationMS)
		assert.Equal(t, []string{"c1"}, events.ChannelIDs(ev))
	})
}

// strangeValues are values no schema member has.
var strangeValues = []any{
	nil, true, -0.0, 1e300, "s\u2028\"\\", []any{}, ordered{},
	[]any{1, "a", []any{[]any{nil}}, ordered{{"type", "Dial"}}},
	ordered{{"id", "not-a-channel"}, {"deep", ordered{{"deeper", []any{ordered{{"x", 1}}}}}}},
}

// withUnknownMembers adds unknown members at the start and the end of every
// object in v, except inside free-form objects (whose members are data).
func withUnknownMembers(v any, n *int) any {
	switch v := v.(type) {
	case ordered:
		out := ordered{}
		next := func() member {
			*n++
			return member{fmt.Sprintf("x_unknown_%d", *n), strangeValues[*n%len(strangeValues)]}
		}
		out = append(out, next())
		for _, m := range v {
			switch m.Key {
			case "channelvars", "bridgevars", "variables", "userevent":
				out = append(out, m)
			default:
				out = append(out, member{m.Key, withUnknownMembers(m.Value, n)})
			}
		}
		return append(out, next())
	case []any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = withUnknownMembers(v[i], n)
		}
		return out
	}
	return v
}

func TestDecodeIgnoresUnknownMembers(t *testing.T) {
	for _, fx := range fixtures(t) {
		want := marshal(t, mustDecode(t, fx.data))
		v, _, err := parseOrdered(fx.data)
		require.NoError(t, err)
		n := 0
		in, err := json.Marshal(withUnknownMembers(v, &n))
		require.NoError(t, err)
		got := marshal(t, mustDecode(t, in))
		assert.Equal(t, string(want), string(got), "%s", fx.name)
	}
}

func TestDecodeMalformed(t *testing.T) {
	deep := `{"type":"StasisStart","x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	cases := []struct {
		name string
		in   string
		// at is the offset the error must name: a marker "⟨" in in
		// (removed before decoding) or, when none, the value of at.
		at  int
		typ string
		msg string
		is  error
	}{
		{name: "empty", in: "", msg: "a message must be a JSON object, found the end of the input", is: events.ErrNotObject},
		{name: "only space", in: " \n\t⟨", msg: "found the end of the input", is: events.ErrNotObject},
		{name: "array", in: "  ⟨[{\"type\":\"StasisStart\"}]", msg: "found array", is: events.ErrNotObject},
		{name: "string", in: `⟨"StasisStart"`, msg: "found string", is: events.ErrNotObject},
		{name: "number", in: `⟨42`, msg: "found number", is: events.ErrNotObject},
		{name: "null", in: `⟨null`, msg: "found null", is: events.ErrNotObject},
		{name: "bool", in: `⟨true`, msg: "found bool", is: events.ErrNotObject},
		{name: "garbage", in: `⟨<xml/>`, msg: "found the character '<'", is: events.ErrNotObject},
		{name: "missing type", in: ` ⟨{"application":"app","channel":{"type":"StasisStart"}}`, msg: `in the object at byte 1: the message has no "type"`, is: events.ErrNoType},
		{name: "empty object", in: `⟨{}`, msg: `the message has no "type"`, is: events.ErrNoType},
		{name: "type is a number", in: `{"type": ⟨5,"application":"app"}`, msg: `(key "type"): expected string, found number: the message has no "type"`, is: events.ErrNoType},
		{name: "type is null", in: `{"a":1,"type":⟨null}`, msg: `expected string, found null`, is: events.ErrNoType},
		{name: "type is an object", in: `{"type":⟨{"name":"StasisStart"}}`, msg: `expected string, found object`, is: events.ErrNoType},
		{name: "truncated before type", in: `{"application":"ap⟨`, msg: "unexpected end of input"},
		{name: "truncated in type", in: `{"type":"StasisSt⟨`, msg: "unexpected end of input"},
		{name: "truncated after type", in: `{"type":"StasisStart","channel":{"id":"c1"⟨`, typ: "StasisStart", msg: "unexpected end of input"},
		{name: "truncated unknown", in: `{"type":"FutureEvent","x":[1,⟨`, typ: "FutureEvent", msg: "unexpected end of input"},
		{name: "channel is an array", in: `{"type":"StasisStart","channel": ⟨[]}`, typ: "StasisStart", msg: `(key "channel"): expected '{', found '['`},
		{name: "channel is an array, before type", in: `{"args":[],"channel":  ⟨[],"type":"StasisStart"}`, typ: "StasisStart", msg: `(key "channel"): expected '{', found '['`},
		{name: "nested wrong type before type", in: `{"channel":{"id":"c1","dialplan":{"priority":⟨"one"}},"type":"StasisStart"}`, typ: "StasisStart", msg: `(key "priority"): expected integer, found string`},
		{name: "args holds a number", in: `{"type":"StasisStart","args":["a",⟨1]}`, typ: "StasisStart", msg: "expected string, found number"},
		{name: "bad timestamp", in: `{"type":"StasisStart","timestamp":⟨"yesterday"}`, typ: "StasisStart", msg: `(key "timestamp"): invalid date "yesterday"`},
		{name: "bad timestamp before type", in: `{"timestamp": ⟨"2025-02-30T00:00:00.000+0000","type":"StasisStart"}`, typ: "StasisStart", msg: "day out of range"},
		{name: "bad nested date", in: `{"type":"ChannelCreated","channel":{"creationtime":⟨"2025-03-17 08:32:35"}}`, typ: "ChannelCreated", msg: `(key "creationtime"): invalid date`},
		{name: "bad timestamp of unknown type", in: `{"type":"FutureEvent","timestamp":⟨"soon"}`, typ: "FutureEvent", msg: "invalid date"},
		{name: "int overflow", in: `{"type":"ChannelDtmfReceived","duration_ms":⟨99999999999999999999}`, typ: "ChannelDtmfReceived", msg: "overflows int"},
		{name: "int with fraction", in: `{"type":"ChannelDtmfReceived","duration_ms":⟨1.5}`, typ: "ChannelDtmfReceived", msg: "is not an integer"},
		{name: "bool as string", in: `{"type":"BridgeBlindTransfer","is_external":⟨"yes"}`, typ: "BridgeBlindTransfer", msg: "expected bool, found string"},
		{name: "trailing garbage", in: `{"type":"StasisStart"} ⟨x`, typ: "StasisStart", msg: "invalid character 'x' after top-level value"},
		{name: "second object", in: `{"type":"StasisStart"}⟨{}`, typ: "StasisStart", msg: "after top-level value"},
		{name: "trailing garbage, no type", in: `{"a":1}⟨]`, msg: "after top-level value"},
		{name: "trailing comma", in: `{"type":"StasisStart",⟨}`, typ: "StasisStart", msg: "looking for beginning of object key string"},
		{name: "missing colon", in: `{"type" ⟨"StasisStart"}`, msg: "after object key"},
		{name: "bad escape", in: `{"type":"StasisStart","application":"a\⟨x"}`, typ: "StasisStart", msg: "in string escape code"},
		{name: "bad unicode escape", in: `{"application":"\u12⟨G4","type":"StasisStart"}`, msg: `in \u hexadecimal character escape`},
		{name: "control character", in: "{\"type\":\"StasisStart\",\"application\":\"a⟨\x01\"}", typ: "StasisStart", msg: `invalid character '\x01' in string literal`},
		{name: "bad literal", in: `{"type":"Dial","caller":nul⟨}`, typ: "Dial", msg: "in literal null"},
		{name: "leading zero", in: `{"type":"FutureEvent","n":0⟨1}`, typ: "FutureEvent", msg: "after object key:value pair"},
		{name: "single quotes", in: `{⟨'type':'StasisStart'}`, msg: "looking for beginning of object key string"},
		{name: "too deep", in: deep, at: len(`{"type":"StasisStart","x":`) + 9999, typ: "StasisStart", msg: "exceeded max depth"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at := c.at
			in := c.in
			if i := strings.Index(in, "⟨"); i >= 0 {
				at = i
				in = strings.Replace(in, "⟨", "", 1)
			}
			ev, err := events.Decode([]byte(in))
			require.Error(t, err)
			assert.Nil(t, ev)
			var de *ari.DecodeError
			require.True(t, errors.As(err, &de), "%T %v", err, err)
			typ := c.typ
			if typ == "" {
				typ = "event"
			}
			assert.Equal(t, typ, de.Type)
			msg := err.Error()
			assert.Contains(t, msg, fmt.Sprintf("at byte %d", at))
			assert.Contains(t, msg, c.msg)
			if c.is != nil {
				assert.ErrorIs(t, err, c.is)
			}
		})
	}
}

// TestDecodeTruncatedFixtures: every proper prefix of every fixture is an
// error that says where, never a panic.
func TestDecodeTruncatedFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/events/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := filepath.Base(f)
		data := []byte(strings.TrimSpace(string(fixtureNamed(t, name))))
		for n := range len(data) {
			ev, err := events.Decode(data[:n])
			var de *ari.DecodeError
			if !assert.True(t, errors.As(err, &de), "%s[:%d]: %v", name, n, err) {
				return
			}
			assert.Nil(t, ev)
			assert.Contains(t, err.Error(), "at byte ")
		}
	}
}

func TestDecodeStrings(t *testing.T) {
	literals := []string{
		`"plain"`,
		`""`,
		`"a\"b\\c\/d"`,
		`"\b\f\n\r\t"`,
		`"\u00e9\u0041\u0000"`,
		`"\ud83d\ude00 and 😀"`,
		`"lone \ud83d surrogate"`,
		`"reversed \ude00\ud83d"`,
		`"日本語 ✓ ĉ"`,
		`"\u2028\u2029 raw:` + "\u2028" + `"`,
		`"<&> \u003c"`,
		"\"bad utf-8 \xff\xfe end\"",
		"\"truncated rune \xe6\x97\"",
		`"\\u0041 is not an escape"`,
	}
	for _, lit := range literals {
		t.Run(lit, func(t *testing.T) {
			var want string
			require.NoError(t, json.Unmarshal([]byte(lit), &want))
			for _, in := range []string{
				`{"type":"ChannelVarset","variable":` + lit + `,"channel":{"id":` + lit + `}}`,
				`{"variable":` + lit + `,"channel":{"id":` + lit + `},"type":"ChannelVarset"}`,
			} {
				ev := as[*events.ChannelVarset](t, mustDecode(t, []byte(in)))
				assert.Equal(t, want, ev.Variable)
				require.NotNil(t, ev.Channel)
				assert.Equal(t, want, ev.Channel.ID)
				// Encoded as encoding/json encodes, and read back the same.
				out := marshal(t, ev)
				wantLit, err := json.Marshal(want)
				require.NoError(t, err)
				assert.Contains(t, string(out), `"variable":`+string(wantLit))
				back := as[*events.ChannelVarset](t, mustDecode(t, out))
				assert.Equal(t, want, back.Variable)
			}
		})
	}
	t.Run("escaped keys", func(t *testing.T) {
		ev := as[*events.ChannelDTMFReceived](t, mustDecode(t, []byte(`{"\u0074ype":"ChannelDtmfReceived","dig\u0069t":"#","channel":{"\u0069d":"c1"}}`)))
		assert.Equal(t, "#", ev.Digit)
		assert.Equal(t, []string{"c1"}, events.ChannelIDs(ev))
	})
}

func TestDecodeNullMembers(t *testing.T) {
	t.Run("optional objects", func(t *testing.T) {
		d := as[*events.Dial](t, mustDecode(t, []byte(`{"caller":null,"type":"Dial","peer":{"id":"p1"},"forwarded":null,"dialstatus":"ANSWER"}`)))
		assert.Nil(t, d.Caller)
		assert.Nil(t, d.Forwarded)
		assert.False(t, ari.Has(d, "caller"))
		assert.Equal(t, []string{"p1"}, events.ChannelIDs(d))
		var top map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(marshal(t, d), &top))
		assert.NotContains(t, top, "caller")
		assert.NotContains(t, top, "forwarded")

		ss := as[*events.StasisStart](t, mustDecode(t, []byte(`{"type":"StasisStart","replace_channel":null,"channel":{"id":"c1"}}`)))
		assert.Nil(t, ss.ReplaceChannel)

		v := as[*events.ChannelVarset](t, mustDecode(t, []byte(`{"type":"ChannelVarset","variable":"GLOBAL","value":"1","channel":null}`)))
		assert.Nil(t, v.Channel)
		assert.Nil(t, events.ChannelIDs(v))
	})
	t.Run("scalars, lists, maps and required objects", func(t *testing.T) {
		ss := as[*events.StasisStart](t, mustDecode(t, []byte(
			`{"type":"StasisStart","application":null,"asterisk_id":null,"timestamp":null,"args":null,`+
				`"channel":{"id":null,"caller":null,"dialplan":{"priority":null},"creationtime":null,"channelvars":null}}`)))
		assert.Equal(t, "", ss.Application)
		assert.Equal(t, "", ss.AsteriskID)
		assert.True(t, ss.Timestamp.IsZero())
		assert.Nil(t, ss.Args)
		assert.Equal(t, "", ss.Channel.ID)
		assert.Nil(t, ss.Channel.ChannelVars)
		assert.Nil(t, events.ChannelIDs(ss))

		ce := as[*events.ChannelEnteredBridge](t, mustDecode(t, []byte(`{"type":"ChannelEnteredBridge","bridge":null,"channel":{"id":"c1"}}`)))
		assert.Equal(t, ari.Bridge{}, ce.Bridge)
		assert.Nil(t, events.BridgeIDs(ce))
		assert.Equal(t, []string{"c1"}, events.ChannelIDs(ce))
	})
}

func TestDecodeKeepsUnknownEnumValues(t *testing.T) {
	ss := as[*events.StasisStart](t, mustDecode(t, []byte(`{"type":"StasisStart","channel":{"id":"c1","state":"Unknown (7)"}}`)))
	assert.Equal(t, ari.ChannelState("Unknown (7)"), ss.Channel.State)
	assert.False(t, ss.Channel.State.Known())
	assert.Contains(t, string(marshal(t, ss)), `"state":"Unknown (7)"`)

	pb := as[*events.PlaybackFinished](t, mustDecode(t, []byte(`{"type":"PlaybackFinished","playback":{"id":"p1","target_uri":"channel:c1","state":"teleported"}}`)))
	assert.Equal(t, ari.PlaybackState("teleported"), pb.Playback.State)
	assert.False(t, pb.Playback.State.Known())
	assert.Equal(t, []string{"c1"}, events.ChannelIDs(pb))

	ep := as[*events.EndpointStateChange](t, mustDecode(t, []byte(`{"type":"EndpointStateChange","endpoint":{"technology":"PJSIP","resource":"100","state":"levitating","channel_ids":[]}}`)))
	assert.Equal(t, ari.EndpointState("levitating"), ep.Endpoint.State)
	assert.Nil(t, events.ChannelIDs(ep))
}

func TestHas(t *testing.T) {
	t.Run("decoded empty optional member is kept", func(t *testing.T) {
		data := fixtureNamed(t, "Dial.json")
		d := as[*events.Dial](t, mustDecode(t, data))
		assert.Equal(t, "", d.Forward)
		assert.True(t, ari.Has(d, "forward"))
		out := string(marshal(t, d))
		assert.Contains(t, out, `"forward":""`)
		assert.JSONEq(t, string(data), out)
	})
	t.Run("fresh value omits it", func(t *testing.T) {
		d := &events.Dial{}
		assert.False(t, ari.Has(d, "forward"))
		assert.False(t, ari.Has(d, "dialstring"))
		assert.False(t, ari.Has(d, "caller"))
		assert.True(t, ari.Has(d, "peer"))
		assert.True(t, ari.Has(d, "dialstatus"))
		assert.True(t, ari.Has(d, "type"))
		assert.False(t, ari.Has(d, "no_such_member"))
		out := string(marshal(t, d))
		assert.NotContains(t, out, `"forward"`)
		assert.NotContains(t, out, `"asterisk_id"`)
	})
	t.Run("non-zero values are present", func(t *testing.T) {
		d := &events.Dial{Forward: "200@default", Caller: &ari.Channel{ID: "c0"}}
		assert.True(t, ari.Has(d, "forward"))
		assert.True(t, ari.Has(d, "caller"))
		out := string(marshal(t, d))
		assert.Contains(t, out, `"forward":"200@default"`)
		assert.Contains(t, out, `"caller":{"id":"c0"`)
	})
	t.Run("UnmarshalJSON forgets earlier presence", func(t *testing.T) {
		var d events.Dial
		require.NoError(t, json.Unmarshal(fixtureNamed(t, "Dial.json"), &d))
		assert.True(t, ari.Has(&d, "forward"))
		require.NoError(t, d.UnmarshalJSON([]byte(`{"type":"Dial","peer":{"id":"p1"}}`)))
		assert.False(t, ari.Has(&d, "forward"))
		assert.NotContains(t, string(marshal(t, &d)), `"forward"`)
	})
	t.Run("ari models inside events keep their zero members", func(t *testing.T) {
		ev := as[*events.ChannelCreated](t, mustDecode(t, []byte(`{"type":"ChannelCreated","channel":{"id":"c1","tenantid":""}}`)))
		assert.True(t, ari.Has(&ev.Channel, "tenantid"))
		assert.False(t, ari.Has(&ev.Channel, "caller_rdnis"))
		assert.Contains(t, string(marshal(t, ev)), `"tenantid":""`)
	})
	t.Run("every type", func(t *testing.T) {
		for _, ti := range events.Types() {
			ev := events.New(ti.Name)
			m, ok := ev.(json.Marshaler)
			require.True(t, ok, "%s is not a json.Marshaler", ti.Name)
			assert.True(t, ari.Has(m, "type"), ti.Name)
			assert.False(t, ari.Has(m, "asterisk_id"), ti.Name)
			decoded, err := events.Decode([]byte(`{"type":"` + ti.Name + `","asterisk_id":""}`))
			require.NoError(t, err, ti.Name)
			assert.True(t, ari.Has(decoded.(json.Marshaler), "asterisk_id"), ti.Name)
		}
	})
	t.Run("nil", func(t *testing.T) {
		assert.False(t, ari.Has(nil, "type"))
		assert.False(t, ari.Has((*events.Dial)(nil), "type"))
		assert.False(t, ari.Has((*ari.Channel)(nil), "id"))
	})
}

func TestUnmarshalJSONConcreteTypes(t *testing.T) {
	t.Run("every fixture", func(t *testing.T) {
		for _, fx := range fixtures(t) {
			want := mustDecode(t, fx.data)
			got := events.New(want.EventType())
			require.NotNil(t, got)
			require.NoError(t, json.Unmarshal(fx.data, got), fx.name)
			assert.Equal(t, want, got, fx.name)
		}
	})
	t.Run("StasisStart", func(t *testing.T) {
		var ss events.StasisStart
		require.NoError(t, json.Unmarshal(fixtureNamed(t, "StasisStart.json"), &ss))
		assert.Equal(t, "StasisStart", ss.Type)
		assert.Equal(t, "testapp", ss.Application)
		assert.Equal(t, "c1-1795635659", ss.Channel.ID)
		assert.Equal(t, "Alice", ss.Channel.Caller.Name)
		assert.Equal(t, int64(1), ss.Channel.Dialplan.Priority)
		assert.Equal(t, []string{}, ss.Args)
	})
	t.Run("in a larger document", func(t *testing.T) {
		var doc struct {
			Events []*events.ChannelDTMFReceived `json:"events"`
		}
		require.NoError(t, json.Unmarshal([]byte(`{"events":[{"type":"ChannelDtmfReceived","digit":"1"},null,{"digit":"2"}]}`), &doc))
		require.Len(t, doc.Events, 3)
		assert.Equal(t, "1", doc.Events[0].Digit)
		assert.Nil(t, doc.Events[1])
		assert.Equal(t, "2", doc.Events[2].Digit)
	})
	t.Run("null leaves the value alone", func(t *testing.T) {
		ss := events.StasisStart{Args: []string{"keep"}}
		require.NoError(t, ss.UnmarshalJSON([]byte("null")))
		assert.Equal(t, []string{"keep"}, ss.Args)
	})
	t.Run("errors", func(t *testing.T) {
		for _, in := range []string{
			`{"type":"StasisStart","channel":[]}`,
			`{"type":"StasisStart"} {}`,
			`[]`,
			`{"type":"StasisStart"`,
		} {
			var ss events.StasisStart
			err := ss.UnmarshalJSON([]byte(in))
			var de *ari.DecodeError
			require.True(t, errors.As(err, &de), "%s: %v", in, err)
			assert.Equal(t, "StasisStart", de.Type)
			assert.Contains(t, err.Error(), "at byte ")
			// Through encoding/json the error is the same.
			err = json.Unmarshal([]byte(in), &ss)
			if json.Valid([]byte(in)) {
				assert.True(t, errors.As(err, &de), "%s: %v", in, err)
			} else {
				assert.Error(t, err)
			}
		}
	})
	t.Run("round trip through encoding/json", func(t *testing.T) {
		for _, fx := range fixtures(t) {
			ev := mustDecode(t, fx.data)
			out, err := json.Marshal(ev)
			require.NoError(t, err)
			back := events.New(ev.EventType())
			require.NoError(t, json.Unmarshal(out, back))
			assert.Equal(t, string(marshal(t, ev)), string(marshal(t, back)), fx.name)
		}
	})
}

func TestDecodeDuplicateType(t *testing.T) {
	// The first string "type" decides; a later one does not make Base().Type
	// and EventType() disagree.
	ev := mustDecode(t, []byte(`{"type":"Dial","type":"StasisStart","peer":{"id":"p1"}}`))
	d := as[*events.Dial](t, ev)
	assert.Equal(t, "Dial", d.EventType())
	assert.Equal(t, "Dial", d.Type)
	assert.Equal(t, []string{"p1"}, events.ChannelIDs(d))

	u := as[*events.Unknown](t, mustDecode(t, []byte(`{"type":"A","type":"B"}`)))
	assert.Equal(t, "A", u.Type)

	// A "type" that is not a string is passed over for a later one.
	ss := as[*events.StasisStart](t, mustDecode(t, []byte(`{"type":5,"type":"StasisStart"}`)))
	assert.Equal(t, "StasisStart", ss.Type)
}

func TestTypesKnownNew(t *testing.T) {
	types := events.Types()
	require.NotEmpty(t, types)
	names := make([]string, len(types))
	for i, ti := range types {
		names[i] = ti.Name
		assert.NotZero(t, ti.Availability.Releases, ti.Name)
	}
	assert.True(t, sort.StringsAreSorted(names), "Types not sorted: %v", names)
	assert.Equal(t, len(names), len(slices.Compact(slices.Clone(names))), "duplicate names")
	for _, want := range []string{"StasisStart", "StasisEnd", "Dial", "ChannelTransfer", "CallBroadcast", "RESTResponse", "MissingParams"} {
		assert.Contains(t, names, want)
	}

	// Types returns a copy.
	types[0].Name = "Mutated"
	assert.NotEqual(t, "Mutated", events.Types()[0].Name)

	for _, name := range names {
		assert.True(t, events.Known(name), name)
		ev := events.New(name)
		require.NotNil(t, ev, name)
		assert.Equal(t, name, ev.EventType())
		assert.Equal(t, name, ev.Base().Type)
		assert.True(t, strings.EqualFold("*events."+name, typeName(ev)), "%s is %s", name, typeName(ev))
		// A new event encodes, and decodes back to its type.
		out := marshal(t, ev)
		assert.True(t, strings.HasPrefix(string(out), `{"type":"`+name+`"`), "%s", out)
		back := mustDecode(t, out)
		assert.Equal(t, name, back.EventType())
		assert.Equal(t, string(out), string(marshal(t, back)))
	}

	for _, name := range []string{"", "FutureEvent", "Event", "Message", "Unknown", "stasisstart", "StasisStart ", "AAA", "ZZZ"} {
		assert.False(t, events.Known(name), name)
		assert.Nil(t, events.New(name), name)
	}
	assert.Zero(t, testing.AllocsPerRun(10, func() {
		events.Known("BridgeAttendedTransfer")
		events.Known("FutureEvent")
	}), "Known allocates")
}

// TestFreeFormValuesAreValidUTF8: a channel variable whose value is not a
// string (Asterisk 22.10 sends {"value": ..., "report_events": ...}) is
// kept as its JSON text; like every decoded string it holds U+FFFD for
// invalid UTF-8, so that encoding is idempotent byte for byte. (Found by
// FuzzDecode: testdata/fuzz/FuzzDecode/channelvars-invalid-utf8.)
func TestFreeFormValuesAreValidUTF8(t *testing.T) {
	in := "{\"type\":\"StasisStart\",\"channel\":{\"id\":\"c1\",\"channelvars\":{\"A\":{\"value\":\"caf\xe9\",\"report_events\":true},\"B\":\"caf\xe9\"}}}"
	ss := as[*events.StasisStart](t, mustDecode(t, []byte(in)))
	assert.Equal(t, "caf\uFFFD", ss.Channel.ChannelVars["B"], "string values get U+FFFD")
	v := ss.Channel.ChannelVars["A"]
	assert.True(t, utf8.ValidString(v), "%q", v)
	assert.Equal(t, "{\"value\":\"caf\uFFFD\",\"report_events\":true}", v)
	out1 := marshal(t, ss)
	out2 := marshal(t, mustDecode(t, out1))
	assert.Equal(t, string(out1), string(out2))
}

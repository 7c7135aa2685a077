package events_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// conforms reports whether data is a message Decode must accept: one JSON
// object, without repeated keys, whose "type" is a string and whose members
// named in the schema (for its type, or the common ones for a type this
// build does not know) hold values of their schema types. Other members
// may hold anything. It is deliberately conservative (stricter than
// Decode), so that a false return asserts nothing.
func conforms(s schema, data []byte) bool {
	v, dup, err := parseOrdered(data)
	if err != nil || dup {
		return false
	}
	obj, ok := v.(ordered)
	if !ok {
		return false
	}
	tv, _ := obj.get("type")
	typ, ok := tv.(string)
	if !ok {
		return false
	}
	props := s.eventProps("Event") // Message's and Event's members
	if events.Known(typ) {
		props = s.eventProps(typ)
	}
	return membersConform(s, obj, props)
}

func membersConform(s schema, obj ordered, props []schemaProp) bool {
	for _, m := range obj {
		for _, p := range props {
			if p.Name == m.Key && !valueConforms(s, m.Value, p.Type) {
				return false
			}
		}
	}
	return true
}

func valueConforms(s schema, v any, typ string) bool {
	if v == nil {
		return true // null reads as the zero value of every type
	}
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "int", "long":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		bits := 64
		if typ == "int" {
			bits = strconv.IntSize
		}
		_, err := strconv.ParseInt(string(n), 10, bits)
		return err == nil
	case "double":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := strconv.ParseFloat(string(n), 64)
		return err == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "Date":
		str, ok := v.(string)
		return ok && (str == "" || validDate(str))
	case "object":
		_, ok := v.(ordered)
		return ok
	}
	if elem, ok := listElem(typ); ok {
		list, ok := v.([]any)
		if !ok {
			return false
		}
		for _, x := range list {
			if !valueConforms(s, x, elem) {
				return false
			}
		}
		return true
	}
	m := s[typ]
	obj, ok := v.(ordered)
	if m == nil || !ok {
		return false
	}
	return membersConform(s, obj, m.Props)
}

// validDate reports whether str is exactly in Asterisk's layout: a digit
// wherever the layout has one, its separators (a '.' before the fraction,
// a '+' or '-' before the offset) and nothing else, a valid date and time,
// and an offset of at most 23:59. The shape is checked by hand: time.Parse
// alone is looser (it takes a comma before the fraction, and in
// "00.+00+0000" reads "+00" as the fraction).
func validDate(str string) bool {
	const layout = "dddd-dd-ddTdd:dd:dd.ddd+dddd" // ari.TimeLayout, 'd' for a digit
	if len(str) != len(layout) || len(layout) != len(ari.TimeLayout) {
		return false
	}
	for i := range len(layout) {
		switch c := str[i]; layout[i] {
		case 'd':
			if c < '0' || c > '9' {
				return false
			}
		case '+':
			if c != '+' && c != '-' {
				return false
			}
		default:
			if c != layout[i] {
				return false
			}
		}
	}
	if _, err := time.Parse(ari.TimeLayout, str); err != nil {
		return false // out of range: month 13, February 30, hour 24...
	}
	off := str[len(str)-4:]
	return off[:2] <= "23" && off[2:] <= "59"
}

func TestConforms(t *testing.T) {
	s := loadSchema(t)
	for _, fx := range fixtures(t) {
		assert.True(t, conforms(s, fx.data), fx.name)
	}
	for _, typ := range s.messageTypes() {
		for _, o := range []buildOpts{
			{id: distinctID, target: "channel:"},
			{id: distinctID, target: "bridge:", nullOptional: true, typeLast: true},
			{id: distinctID, target: "channel:", omitOptional: true},
		} {
			data, err := json.Marshal(buildEvent(s, typ, o))
			require.NoError(t, err)
			assert.True(t, conforms(s, data), "%s", data)
		}
	}
	for _, in := range []string{
		`{"type":"FutureEvent","channel":[1],"anything":{}}`,
		`{"type":"StasisStart","unknown":[{"x":1e400}]}`,
		`{"type":"StasisStart","channel":{"dialplan":{"priority":-0}}}`,
	} {
		assert.True(t, conforms(s, []byte(in)), in)
	}
	for _, in := range []string{
		``, `[]`, `{}`, `{"type":5}`, `{"type":"A","type":"A"}`,
		`{"type":"StasisStart","channel":[]}`,
		`{"type":"StasisStart","channel":{"dialplan":{"priority":1.0}}}`,
		`{"type":"StasisStart","timestamp":"2025-03-17T08:32:35.709-2400"}`,
		`{"type":"StasisStart","timestamp":"2025-03-17T08:32:35.7-0600"}`,
		`{"type":"StasisStart","timestamp":"2025-03-17T08:32:35,709-0600"}`,
		`{"type":"StasisStart","timestamp":"0000-01-01T00:00:00.+00+0000"}`, // time.Parse reads "+00" as the fraction
		`{"type":"StasisStart","timestamp":"2025-03-17T08:32:35.7a9-0600"}`,
		`{"type":"StasisStart","timestamp":"2025-03-17 08:32:35.709-0600"}`,
		`{"type":"StasisStart","timestamp":"2025-03-17T08:32:35.709Z0600"}`,
		`{"type":"StasisStart","timestamp":"2025-02-30T08:32:35.709-0600"}`,
		`{"type":"FutureEvent","timestamp":"now"}`,
		`{"type":"FutureEvent","application":1}`,
		`{"type":"ChannelUserevent","userevent":"x"}`,
	} {
		assert.False(t, conforms(s, []byte(in)), in)
	}
}

// fuzzSeeds are malformed or unusual messages beside the fixtures.
var fuzzSeeds = []string{
	``,
	`{`,
	`[]`,
	`null`,
	`{}`,
	`{"type":5}`,
	`{"type":null,"type":"Dial"}`,
	`{"type":"Dial","type":"StasisStart","peer":{"id":"p"}}`,
	`{"type":"StasisStart","channel":[]}`,
	`{"channel":{"id":5},"type":"StasisStart"}`,
	`{"type":"StasisStart"} x`,
	`{"type":"StasisStart","timestamp":"2025-03-17T08:32:35.709123456-0600"}`,
	`{"type":"StasisStart","timestamp":"0001-01-01T00:00:00.000+0000"}`,
	`{"type":"StasisStart","timestamp":"2025-03-17T08:32:35Z"}`,
	`{"type":"\u0053tasisStart","args":["\ud83d\ude00","\ud83d"]}`,
	"{\"type\":\"ChannelVarset\",\"variable\":\"\xff\",\"channel\":{\"id\":\"\xe6\x97\"}}",
	`{"type":"ChannelUserevent","eventname":"e","userevent":{"a":[1,2,{"b":null}]},"channel":null}`,
	`{"type":"ChannelUserevent","userevent":null}`,
	`{"type":"StasisStart","channel":{"id":"c","channelvars":{"a":1,"b":{"value":"v","report_events":true},"c":null}}}`,
	`{"type":"FutureEvent","channel":{"id":"c1"},"bridge":{"id":"b1"},"x":[[[{}]]]}`,
	`{"type":"PlaybackStarted","playback":{"target_uri":"bridge:b1"}}`,
	`{"type":"ChannelTransfer","referred_by":{"source_channel":{"id":"a"}},"refer_to":{"destination_channel":{"id":"a"}}}`,
	`{"type":"EndpointStateChange","endpoint":{"channel_ids":["a","","a",null]}}`,
	`{"type":"BridgeAttendedTransfer","destination_bridge":"b1","transferer_first_leg":{"id":"x"}}`,
	`{"type":"ChannelDtmfReceived","duration_ms":-9223372036854775808}`,
	`{"type":"ChannelDtmfReceived","duration_ms":9223372036854775808}`,
	`{"type":"Dial","forward":null,"dialstring":""}`,
	`{"type":"StasisStart","args":[` + strings.Repeat(`"a",`, 50) + `"z"]}`,
	`{"a":` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `,"type":"X"}`,
}

// FuzzDecode: Decode never panics; what it accepts is valid JSON, encodes
// to valid JSON that decodes to the same type and encodes again to the same
// bytes (idempotence) with the same ids; what it rejects is an
// *ari.DecodeError saying where, and never a conforming message.
func FuzzDecode(f *testing.F) {
	s := loadSchema(f)
	for _, fx := range fixtures(f) {
		f.Add(fx.data)
	}
	for _, in := range fuzzSeeds {
		f.Add([]byte(in))
	}
	for _, typ := range s.messageTypes() {
		for _, o := range []buildOpts{
			{id: distinctID, target: "channel:"},
			{id: distinctID, target: "bridge:", nullOptional: true, typeLast: true},
		} {
			data, err := json.Marshal(buildEvent(s, typ, o))
			require.NoError(f, err)
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, s, data)
	})
}

func checkDecode(t *testing.T, s schema, data []byte) {
	in := bytes.Clone(data)
	ev, err := events.Decode(in)
	if err != nil {
		var de *ari.DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("error is a %T, not an *ari.DecodeError: %v", err, err)
		}
		if ev != nil {
			t.Fatalf("an event (%T) with an error", ev)
		}
		if !strings.Contains(err.Error(), "at byte ") {
			t.Fatalf("error does not say where: %v", err)
		}
		if conforms(s, data) {
			t.Fatalf("rejected a conforming message: %v\n%q", err, data)
		}
		return
	}
	if !json.Valid(data) {
		t.Fatalf("accepted invalid JSON as %T: %q", ev, data)
	}
	if ev.EventType() != ev.Base().Type {
		t.Fatalf("EventType %q, Base().Type %q", ev.EventType(), ev.Base().Type)
	}
	_, unknown := ev.(*events.Unknown)
	if unknown == events.Known(ev.EventType()) {
		t.Fatalf("%T for type %q", ev, ev.EventType())
	}
	out1, err := ev.(json.Marshaler).MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	out1 = bytes.Clone(out1)
	if !json.Valid(out1) {
		t.Fatalf("MarshalJSON wrote invalid JSON: %q", out1)
	}
	ch, br := events.ChannelIDs(ev), events.BridgeIDs(ev)
	checkIDs(t, ch)
	checkIDs(t, br)

	// The event shares nothing with the caller's bytes.
	clear(in)
	if again, _ := ev.(json.Marshaler).MarshalJSON(); !bytes.Equal(out1, again) {
		t.Fatalf("the event changed with its input:\n%q\n%q", out1, again)
	}

	ev2, err := events.Decode(out1)
	if err != nil {
		t.Fatalf("decoding MarshalJSON's output: %v\n%q", err, out1)
	}
	if fmt.Sprintf("%T", ev2) != fmt.Sprintf("%T", ev) || ev2.EventType() != ev.EventType() {
		t.Fatalf("%T %q became %T %q", ev, ev.EventType(), ev2, ev2.EventType())
	}
	out2, err := ev2.(json.Marshaler).MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	if !bytes.Equal(out1, out2) {
		t.Fatalf("not idempotent:\nin   %q\nout1 %q\nout2 %q", data, out1, out2)
	}
	if ch2, br2 := events.ChannelIDs(ev2), events.BridgeIDs(ev2); !slicesEqual(ch, ch2) || !slicesEqual(br, br2) {
		t.Fatalf("ids changed: %q %q -> %q %q", ch, br, ch2, br2)
	}
}

// checkIDs: no empty ids and no duplicates.
func checkIDs(t *testing.T, ids []string) {
	if ids != nil && len(ids) == 0 {
		t.Fatalf("empty, non-nil ids")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("bad ids %q", ids)
		}
		seen[id] = true
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

package session_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest/session"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func ev(app, typ string, n int) []byte {
	return fmt.Appendf(nil, `{"type":%q,"application":%q,"timestamp":"2026-12-01T10:00:0%d.000+0000","channel":{"id":"c%d"}}`, typ, app, n, n)
}

func sample() *session.Session {
	return &session.Session{
		Header: session.Header{Format: session.FormatVersion, Recorded: t0, Server: "http://pbx:8088", Version: "22.10.1", Apps: []string{"a", "b"}},
		Events: []session.Event{
			{Time: t0, Conn: 1, Data: ev("a", "StasisStart", 1)},
			{Time: t0.Add(10 * time.Millisecond), Conn: 1, Data: ev("b", "StasisStart", 2)},
			{Time: t0.Add(20 * time.Millisecond), Conn: 2, Data: []byte("not json")},
			{Time: t0.Add(30 * time.Millisecond), Conn: 2, Data: ev("a", "StasisEnd", 3)},
		},
		Exchanges: []session.Exchange{
			{Time: t0, Transport: session.TransportHTTP, Method: "GET", Path: "/ari/channels", Status: 200, Body: []byte(`[]`), After: 4},
			{Time: t0, Transport: session.TransportHTTP, Method: "GET", Path: "/ari/channels", Status: 200, Body: []byte(`[{"id":"c1"}]`), After: 4},
			{Time: t0, Transport: session.TransportWebsocket, Method: "DELETE", Path: "/ari/channels/c1", Query: "reason=busy", Status: 204, After: 4},
			{Time: t0, Transport: session.TransportHTTP, Method: "POST", Path: "/ari/channels", Request: []byte(`{"variables":{"A":"1"}}`), Status: 200, Body: []byte(`{"id":"c2"}`), After: 4},
			{Time: t0, Transport: session.TransportHTTP, Method: "POST", Path: "/ari/x", Request: []byte("not json"), Status: 200, Body: []byte("plain text"), After: 4},
		},
	}
}

func write(t *testing.T, s *session.Session) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := session.NewWriter(&b, s.Header)
	require.NoError(t, err)
	for _, e := range s.Events {
		require.NoError(t, w.WriteEvent(e))
	}
	for _, x := range s.Exchanges {
		require.NoError(t, w.WriteExchange(x))
	}
	require.NoError(t, w.Flush())
	return b.Bytes()
}

func TestWriteRead(t *testing.T) {
	in := sample()
	data := write(t, in)
	assert.Equal(t, 1+len(in.Events)+len(in.Exchanges), bytes.Count(data, []byte("\n")), "one line each")
	out, err := session.Read(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, in, out)
}

func TestExchangeKnowsTheEventsBeforeIt(t *testing.T) {
	var b bytes.Buffer
	w, err := session.NewWriter(&b, session.Header{})
	require.NoError(t, err)
	require.NoError(t, w.WriteExchange(session.Exchange{Method: "GET", Path: "/ari/asterisk/info", Status: 200}))
	require.NoError(t, w.WriteEvent(session.Event{Data: ev("a", "StasisStart", 1)}))
	require.NoError(t, w.WriteExchange(session.Exchange{Method: "POST", Path: "/ari/channels/c1/answer", Status: 204}))
	require.NoError(t, w.WriteEvent(session.Event{Data: ev("a", "ChannelStateChange", 1)}))
	require.NoError(t, w.WriteEvent(session.Event{Data: ev("a", "StasisEnd", 1)}))
	require.NoError(t, w.WriteExchange(session.Exchange{Method: "GET", Path: "/ari/channels", Status: 200}))
	s, err := session.Read(&b)
	require.NoError(t, err)
	var after []int
	for _, x := range s.Exchanges {
		after = append(after, x.After)
		assert.Equal(t, session.TransportHTTP, x.Transport, "the default transport")
	}
	assert.Equal(t, []int{0, 1, 3}, after)
	assert.NotContains(t, b.String(), `"transport"`, "the default transport is not written")
}

func TestWriteCompactsEvents(t *testing.T) {
	var b bytes.Buffer
	w, err := session.NewWriter(&b, session.Header{})
	require.NoError(t, err)
	require.NoError(t, w.WriteEvent(session.Event{Data: []byte("{\n  \"type\": \"X\"\n}")}))
	s, err := session.Read(&b)
	require.NoError(t, err)
	assert.Equal(t, `{"type":"X"}`, string(s.Events[0].Data))
	assert.Equal(t, []string{}, s.Header.Apps)
	assert.Equal(t, session.FormatVersion, s.Header.Format)
}

func TestRedaction(t *testing.T) {
	var b bytes.Buffer
	w, err := session.NewWriter(&b, session.Header{})
	require.NoError(t, err)
	require.NoError(t, w.WriteExchange(session.Exchange{Method: "GET", Path: "/ari/x", Query: "a=1&api_key=u:secret&b=2"}))
	assert.NotContains(t, b.String(), "secret")
	s, err := session.Read(&b)
	require.NoError(t, err)
	assert.Equal(t, "a=1&b=2", s.Exchanges[0].Query)

	assert.Equal(t, "only=system", session.RedactQuery("only=system"))
	assert.Empty(t, session.RedactQuery("%zz"))
	assert.Equal(t, "http://pbx:8088/prefix", session.RedactURL("http://u:secret@pbx:8088/prefix?api_key=u:secret#f"))
}

func TestReadErrors(t *testing.T) {
	header := `{"kind":"header","format":1,"apps":[]}` + "\n"
	for name, in := range map[string]string{
		"empty":                 "",
		"no header":             `{"kind":"event","event":{}}`,
		"not json":              "hello",
		"newer format":          `{"kind":"header","format":2}`,
		"second header":         header + header,
		"event without data":    header + `{"kind":"event"}`,
		"exchange without path": header + `{"kind":"rest","method":"GET"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := session.Read(strings.NewReader(in))
			require.ErrorIs(t, err, session.ErrFormat)
			var fe *session.FormatError
			require.ErrorAs(t, err, &fe)
			assert.Positive(t, fe.Line)
		})
	}
	s, err := session.Read(strings.NewReader(header + `{"kind":"future","x":1}` + "\n\n"))
	require.NoError(t, err, "lines of unknown kinds are skipped")
	assert.Empty(t, s.Events)
}

func TestReadLineLimit(t *testing.T) {
	header := `{"kind":"header","format":1,"apps":[]}` + "\n"
	big := `{"kind":"event","event":"` + strings.Repeat("x", session.MaxLineSize) + `"}`
	_, err := session.Read(strings.NewReader(header + big))
	var fe *session.FormatError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, 2, fe.Line)
	assert.Contains(t, err.Error(), "MaxLineSize")

	// A line holding the largest frame the events websocket lets through
	// fits: the line's other members are far smaller than the margin.
	var b bytes.Buffer
	w, err := session.NewWriter(&b, session.Header{})
	require.NoError(t, err)
	b.Reset()
	data := []byte(`{"type":"X"}`)
	require.NoError(t, w.WriteEvent(session.Event{Time: time.Now(), Conn: 1 << 60, Data: data}))
	overhead := b.Len() - len(data)
	assert.LessOrEqual(t, ari.DefaultMaxFrameSize+overhead, session.MaxLineSize)
}

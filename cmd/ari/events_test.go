package main

import (
	"encoding/json"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/aritest/session"
)

func TestEventsJSONLines(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	cmd := startARI(t, aritestEnv(srv), "events", "-app", "cli", "-json")
	require.NoError(t, srv.WaitApp(t.Context(), "cli"))

	placeCalls(t, srv, "cli", 2)
	want := sentTo(srv, "cli")
	require.NotEmpty(t, want)
	got := cmd.waitLines(t, len(want))
	require.NoError(t, cmd.stop(t))
	assert.Equal(t, want, cmd.stdout.lines(), "every event, as sent, in order")
	assert.Equal(t, want, got)
	assert.Contains(t, cmd.stderr.String(), "connected (apps cli)")
}

func TestEventsPretty(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	cmd := startARI(t, aritestEnv(srv), "events", "-app", "cli")
	require.NoError(t, srv.WaitApp(t.Context(), "cli"))

	p := placeCalls(t, srv, "cli", 1)[0]
	n := len(sentTo(srv, "cli"))
	lines := cmd.waitLines(t, n)
	require.NoError(t, cmd.stop(t))
	require.Len(t, lines, n)
	// 15:04:05.000 StasisStart app=cli channel=<id> name=Test/phone-1 state=Up args=""
	f := strings.Fields(lines[0])
	_, err := time.Parse("15:04:05.000", f[0])
	require.NoError(t, err, lines[0])
	assert.Equal(t, []string{"StasisStart", "app=cli", "channel=" + p.ID()}, f[1:4])
	assert.Contains(t, lines[0], "state=Up")
	byType := map[string]string{}
	for _, l := range lines {
		byType[strings.Fields(l)[1]] = l
	}
	assert.Contains(t, byType["ChannelDtmfReceived"], "ChannelDtmfReceived app=cli channel="+p.ID()+" digit=1 duration_ms=")
	assert.Contains(t, byType["ChannelHangupRequest"], "ChannelHangupRequest app=cli channel="+p.ID()+" cause=16")
	assert.Contains(t, lines[len(lines)-1], "StasisEnd app=cli channel="+p.ID())
}

func TestEventsFilters(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	byType := startARI(t, aritestEnv(srv), "events", "-app", "cli", "-json", "-type", "StasisStart,StasisEnd")
	byChannel := startARI(t, aritestEnv(srv), "events", "-app", "cli2", "-json", "-channel", "second")
	require.NoError(t, srv.WaitApp(t.Context(), "cli", "cli2"))

	placeCalls(t, srv, "cli", 2)
	for _, id := range []string{"first", "second"} {
		p, err := srv.PlaceCall(aritest.PlaceCallParams{App: "cli2", ChannelID: id})
		require.NoError(t, err)
		require.NoError(t, p.Hangup(""))
		require.NoError(t, p.WaitEnd(t.Context()))
	}

	lines := byType.waitLines(t, 4)
	for _, l := range lines {
		var m struct{ Type string }
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		assert.Contains(t, []string{"StasisStart", "StasisEnd"}, m.Type)
	}
	var want []string
	for _, l := range sentTo(srv, "cli2") {
		if strings.Contains(l, `"id":"second"`) {
			want = append(want, l)
		}
	}
	require.NotEmpty(t, want)
	byChannel.waitLines(t, len(want))
	require.NoError(t, byType.stop(t))
	require.NoError(t, byChannel.stop(t))
	assert.Len(t, byType.stdout.lines(), 4)
	assert.Equal(t, want, byChannel.stdout.lines())
}

func TestEventsUnknownAndUndecodable(t *testing.T) {
	sess := &session.Session{
		Header: session.Header{Format: session.FormatVersion, Version: "22.10.1", Apps: []string{"cli"}},
		Events: []session.Event{
			{Data: []byte(`{"type":"SomethingNew","application":"cli","timestamp":"2026-12-01T10:00:00.000+0000","channel":{"id":"c1"}}`)},
			{Data: []byte(`not json at all`)},
			{Data: []byte(`{"type":"StasisEnd","application":"cli","timestamp":"2026-12-01T10:00:01.000+0000","channel":{"id":"c1"}}`)},
		},
	}
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	replayed := make(chan error, 1)
	go func() {
		_, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{})
		replayed <- err
	}()

	cmd := startARI(t, aritestEnv(srv), "events", "-app", "cli")
	require.NoError(t, <-replayed)
	lines := cmd.waitLines(t, 2)
	require.NoError(t, cmd.stop(t))
	assert.Equal(t, []string{
		"10:00:00.000 SomethingNew app=cli channel=c1",
		"10:00:01.000 StasisEnd app=cli channel=c1",
	}, lines)
	assert.Contains(t, cmd.stderr.String(), "undecodable event")
	assert.Contains(t, cmd.stderr.String(), "not json at all")
}

func TestEventsBadCredentials(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	env := envOf(map[string]string{"ARI_URL": srv.URL, "ARI_USERNAME": "asterisk", "ARI_PASSWORD": "wrong"})
	_, _, err := runARI(t, env, "events", "-app", "cli")
	var ae *ari.Error
	require.ErrorAs(t, err, &ae, "refused at once, not retried forever")
	assert.Equal(t, 401, ae.Status)
	assert.NotContains(t, err.Error(), "wrong")
}

func TestEventsUsage(t *testing.T) {
	_, stderr, err := runARI(t, envOf(nil), "events")
	var ue *usageError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), "-app is required")
	assert.Equal(t, 2, exitCode(err, &strings.Builder{}))
	_ = stderr

	_, stderr, err = runARI(t, envOf(nil), "events", "-h")
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, stderr, "Usage: ari events -app")
	assert.Contains(t, stderr, "-channel")
	assert.Equal(t, 0, exitCode(err, &strings.Builder{}))
}

package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/aritest/session"
)

func TestRecordThenReplaySameEvents(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: recUsers()})
	file, want := recordCalls(t, srv, "rec", 3)

	// ari replay serves it; ari events reads it back.
	replay := startARI(t, envOf(nil), "replay", "-once", file)
	url := strings.TrimPrefix(replay.waitLines(t, 1)[0], "ARI_URL=")
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	events := startARI(t, defaultUserAt(url), "events", "-app", "rec", "-json")
	got := events.waitLines(t, len(want))
	require.NoError(t, replay.wait(t), "-once ends after every event was sent")
	require.NoError(t, events.stop(t))
	assert.Equal(t, want, got, "the same events in the same order")
	assert.Contains(t, replay.stderr.String(), fmt.Sprintf("ari: replayed %d events", len(want)))

	// Its REST answers are the recorded ones.
	replay = startARI(t, envOf(nil), "replay", "-auth", "rec:"+recPassword, file)
	url = strings.TrimPrefix(replay.waitLines(t, 1)[0], "ARI_URL=")
	out, _, err := runARI(t, envOf(map[string]string{"ARI_URL": url, "ARI_USERNAME": "rec", "ARI_PASSWORD": recPassword}), "version")
	require.NoError(t, err)
	assert.Contains(t, out, "Asterisk 22.10.1")
	_, _, err = runARI(t, envOf(map[string]string{"ARI_URL": url, "ARI_USERNAME": "rec", "ARI_PASSWORD": "other"}), "version")
	require.Error(t, err, "-auth refuses other credentials")
	require.NoError(t, replay.stop(t))
}

// defaultUserAt is the environment of a client of `ari replay` at url
// without -auth: aritest's default user.
func defaultUserAt(url string) func(string) string {
	return envOf(map[string]string{"ARI_URL": url, "ARI_USERNAME": "asterisk", "ARI_PASSWORD": "asterisk"})
}

// strictSession writes a session of app "cli": one event, then the
// version check of `ari version`.
func strictSession(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "strict.jsonl")
	f, err := os.Create(file)
	require.NoError(t, err)
	defer f.Close()
	w, err := session.NewWriter(f, session.Header{Recorded: time.Now().UTC(), Version: "22.10.1", Apps: []string{"cli"}})
	require.NoError(t, err)
	require.NoError(t, w.WriteEvent(session.Event{Time: time.Now().UTC(), Conn: 1,
		Data: []byte(`{"type":"StasisStart","application":"cli","timestamp":"2026-12-01T10:00:00.000+0000","args":[],"channel":{"id":"c1","name":"PJSIP/alice-1","state":"Up"}}`)}))
	require.NoError(t, w.WriteExchange(session.Exchange{Time: time.Now().UTC(), Method: "GET", Path: "/ari/asterisk/info", Query: "only=system",
		Status: 200, Body: []byte(`{"system":{"version":"22.10.1","entity_id":"0a:0b:0c:0d:0e:0f"}}`)}))
	require.NoError(t, w.Flush())
	return file
}

func TestReplayStrict(t *testing.T) {
	file := strictSession(t)

	// The client asks what was recorded: the replay ends well.
	replay := startARI(t, envOf(nil), "replay", "-strict", "-once", "-wait", "10s", file)
	url := strings.TrimPrefix(replay.waitLines(t, 1)[0], "ARI_URL=")
	events := startARI(t, defaultUserAt(url), "events", "-app", "cli")
	events.waitLines(t, 1)
	out, _, err := runARI(t, defaultUserAt(url), "version")
	require.NoError(t, err)
	assert.Contains(t, out, "Asterisk 22.10.1")
	err = replay.wait(t)
	require.NoError(t, err, replay.stderr.String())
	assert.Equal(t, 0, exitCode(err, io.Discard))
	assert.Contains(t, replay.stderr.String(), "ari: replayed 1 events; 1 recorded answers given, 0 recorded requests missing")
	require.NoError(t, events.stop(t))

	// It does not: the replay fails, naming the request.
	replay = startARI(t, envOf(nil), "replay", "-strict", "-once", "-wait", "50ms", file)
	url = strings.TrimPrefix(replay.waitLines(t, 1)[0], "ARI_URL=")
	events = startARI(t, defaultUserAt(url), "events", "-app", "cli")
	err = replay.wait(t)
	require.ErrorIs(t, err, aritest.ErrReplayMismatch)
	var msg strings.Builder
	assert.Equal(t, 1, exitCode(err, &msg))
	assert.Contains(t, msg.String(), "GET /ari/asterisk/info?only=system")
	assert.Contains(t, replay.stderr.String(), "ari: missing: GET /ari/asterisk/info?only=system (recorded after 1 events)")
	require.NoError(t, events.stop(t))
}

// Without -once, the simulator keeps serving after the replay; a strict
// failure still makes the exit status.
func TestReplayKeepsServing(t *testing.T) {
	file := strictSession(t)
	replay := startARI(t, envOf(nil), "replay", "-strict", "-wait", "50ms", file)
	url := strings.TrimPrefix(replay.waitLines(t, 1)[0], "ARI_URL=")
	events := startARI(t, defaultUserAt(url), "events", "-app", "cli")
	events.waitLines(t, 1)
	require.Eventually(t, func() bool { return strings.Contains(replay.stderr.String(), "still serving") }, 10*time.Second, 5*time.Millisecond)
	out, _, err := runARI(t, defaultUserAt(url), "call", "channels.list")
	require.NoError(t, err, "the simulator answers")
	assert.Contains(t, out, "[]")
	require.NoError(t, events.stop(t))
	require.ErrorIs(t, replay.stop(t), aritest.ErrReplayMismatch)
}

func TestReplayServesTheRecordedVersion(t *testing.T) {
	file := filepath.Join(t.TempDir(), "v.jsonl")
	f, err := os.Create(file)
	require.NoError(t, err)
	w, err := session.NewWriter(f, session.Header{Version: "21.4.0", Apps: []string{"cli"}})
	require.NoError(t, err)
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())

	replay := startARI(t, envOf(nil), "replay", file)
	url := strings.TrimPrefix(replay.waitLines(t, 1)[0], "ARI_URL=")
	out, _, err := runARI(t, defaultUserAt(url), "version")
	require.NoError(t, err)
	assert.Contains(t, out, "Asterisk 21.4.0")
	require.NoError(t, replay.stop(t))
}

func TestReplayListenBusy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	_, _, err = runARI(t, envOf(nil), "replay", "-listen", ln.Addr().String(), strictSession(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "address already in use")
	assert.Equal(t, 1, exitCode(err, io.Discard))
}

func TestReplayPrint(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: recUsers()})
	file, want := recordCalls(t, srv, "rec", 1)
	out, _, err := runARI(t, envOf(nil), "replay", "-print", "-json", file)
	require.NoError(t, err)
	assert.Equal(t, strings.Join(want, "\n")+"\n", out)
	out, _, err = runARI(t, envOf(nil), "replay", "-print", file)
	require.NoError(t, err)
	assert.Contains(t, strings.Split(out, "\n")[0], " StasisStart app=rec channel=")
}

func TestReplayErrors(t *testing.T) {
	_, _, err := runARI(t, envOf(nil), "replay")
	var ue *usageError
	require.ErrorAs(t, err, &ue)

	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte("{\"kind\":\"event\"}\n"), 0o600))
	_, _, err = runARI(t, envOf(nil), "replay", bad)
	require.ErrorIs(t, err, session.ErrFormat)

	_, _, err = runARI(t, envOf(nil), "replay", filepath.Join(t.TempDir(), "missing.jsonl"))
	require.ErrorIs(t, err, os.ErrNotExist)

	for _, args := range [][]string{
		{"replay", "-speed", "-1", "f"},
		{"replay", "-wait", "0s", "f"},
		{"replay", "-auth", "nocolon", "f"},
		{"replay", "a", "b"},
	} {
		_, _, err := runARI(t, envOf(nil), args...)
		require.ErrorAs(t, err, &ue, args)
	}
}

// TestReplayIDs pairs a playback id the client makes up with the
// recorded one, unless -ids "" says no parameter carries such ids.
func TestReplayIDs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ids.jsonl")
	f, err := os.Create(file)
	require.NoError(t, err)
	defer f.Close()
	w, err := session.NewWriter(f, session.Header{Recorded: time.Now().UTC(), Version: "22.10.1", Apps: []string{"cli"}})
	require.NoError(t, err)
	require.NoError(t, w.WriteExchange(session.Exchange{Time: time.Now().UTC(), Method: "POST", Path: "/ari/channels/c1/play",
		Query: "media=sound%3Ahello-world&playbackId=pb-rec", Status: 201,
		Body: []byte(`{"id":"pb-rec","media_uri":"sound:hello-world","target_uri":"channel:c1","language":"en","state":"queued"}`)}))
	require.NoError(t, w.Flush())

	for _, tc := range []struct {
		ids    []string
		paired bool
	}{{nil, true}, {[]string{"-ids", ""}, false}} {
		args := append([]string{"replay"}, tc.ids...)
		replay := startARI(t, envOf(nil), append(args, file)...)
		url := strings.TrimPrefix(replay.waitLines(t, 1)[0], "ARI_URL=")
		out, _, err := runARI(t, defaultUserAt(url), "call", "channels.play", "channelId=c1", "media=sound:hello-world", "playbackId=mine-1")
		if tc.paired {
			require.NoError(t, err)
			assert.Contains(t, out, `"mine-1"`, "the recorded answer, with the client's id")
			assert.NotContains(t, out, "pb-rec")
		} else {
			require.Error(t, err, "the simulator's answer: no channel c1")
		}
		require.NoError(t, replay.stop(t))
	}
}

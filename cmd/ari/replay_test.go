package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	events := startARI(t, envOf(map[string]string{"ARI_URL": url}), "events", "-app", "rec", "-json")
	got := events.waitLines(t, len(want))
	require.NoError(t, replay.wait(t), "-once ends after one client got every event")
	require.NoError(t, events.stop(t))
	assert.Equal(t, want, got, "the same events in the same order")

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
}

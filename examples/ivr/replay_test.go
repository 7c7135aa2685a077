package main

import (
	"bufio"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/aritest/session"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/stasistest"
)

// liveLine is a transcript line of the demo's live mode: "[channel] text".
var liveLine = regexp.MustCompile(`^\[([^\]]+)\] (.*)$`)

// liveTranscript reads the demo's live output: each call's lines.
func liveTranscript(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	calls := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := liveLine.FindStringSubmatch(sc.Text()); m != nil {
			calls[m[1]] = append(calls[m[1]], m[2])
		}
	}
	require.NoError(t, sc.Err())
	return calls
}

// TestReplaysARealSession is a recorded real session turned into a
// regression test. testdata/real-22.10.1.jsonl was recorded with
// `ari record -listen 127.0.0.1:8089` in front of this demo's live mode
// (ARI_URL=http://127.0.0.1:8089), on a real Asterisk 22.10.1 built by
// ../shared/real-asterisk: two calls originated into its from-phones
// context, alice to 100 (1, 2, then 47#) and bob to +15555550101 (9, then
// hang-up). testdata/real-22.10.1.transcript is what the demo printed
// then. Replayed strictly into aritest, the app makes every recorded
// request at its recorded place (the playback ids it makes up paired
// with the recorded ones) and writes the same transcript for each call.
func TestReplaysARealSession(t *testing.T) {
	sess, err := session.Load("testdata/real-22.10.1.jsonl")
	require.NoError(t, err)
	live := liveTranscript(t, "testdata/real-22.10.1.transcript")
	require.Len(t, live, 2)

	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	tr := &Transcript{}
	// Live, the demo's client learnt the server's version with its first
	// request (GET /asterisk/info, recorded); so does this one.
	client, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "asterisk"})
	require.NoError(t, err)
	stasistest.Start(t, srv, stasistest.Options{Config: stasis.Config{Client: client, Apps: []stasis.App{
		stasis.Router(stasis.RouterConfig{Name: routerApp, Routes: routes}),
		IVRApp(ivrApp, DefaultPrompts, tr),
	}}})
	rep, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{Strict: true})
	require.NoError(t, err)
	assert.Equal(t, len(sess.Events), rep.Events)
	assert.Empty(t, rep.Missing)
	assert.Empty(t, rep.Unrecorded)
	for call, want := range live {
		require.NoError(t, tr.Wait(t.Context(), call, want[len(want)-1]))
		assert.Equal(t, want, tr.Lines(call), "call %s", call)
	}
}

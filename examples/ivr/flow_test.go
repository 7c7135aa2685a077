package main

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis/stasistest"
)

// ivrTest serves the IVR alone, its prompts waiting timeout for a key
// and a sound lasting playback.
func ivrTest(t *testing.T, timeout, playback time.Duration) (*aritest.Server, *Transcript) {
	tm := aritest.FastTiming()
	tm.Playback = playback
	srv := aritest.Start(t, aritest.Config{Timing: tm, Sounds: []string{"demo-instruct", "demo-congrats", "vm-goodbye"}})
	prompts := DefaultPrompts
	prompts.Timeout = timeout
	tr := &Transcript{}
	stasistest.Run(t, srv, IVRApp(ivrApp, prompts, tr))
	return srv, tr
}

func TestNoKeyReturnsToTheMenuThenSaysGoodbye(t *testing.T) {
	srv, tr := ivrTest(t, 100*time.Millisecond, 20*time.Millisecond)
	ctx := t.Context()
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "c1", App: ivrApp})
	require.NoError(t, err)
	require.NoError(t, srv.WaitUntil(ctx, func() bool { return strings.Contains(strings.Join(phone.MediaHeard(), " "), DefaultPrompts.Menu) }))
	require.NoError(t, phone.SendDTMF("1"))
	// Silence after the option: the menu again; silence after the menu:
	// goodbye.
	require.NoError(t, phone.WaitEnd(ctx))
	assert.Equal(t, []string{
		DefaultPrompts.Welcome, DefaultPrompts.Menu, DefaultPrompts.Option1, DefaultPrompts.Menu, DefaultPrompts.Goodbye,
	}, phone.MediaHeard())
	require.NoError(t, tr.Wait(ctx, "c1", "left ivr"))
	lines := tr.Lines("c1")
	assert.Equal(t, 2, count(lines, "no key"), "%q", lines)
	assert.Less(t, index(lines, "pressed 1"), index(lines, "no key"))
	assert.Equal(t, 16, phone.Cause())
}

func TestTheCallerHangsUpDuringTheWelcome(t *testing.T) {
	srv, tr := ivrTest(t, time.Second, 5*time.Second) // the welcome lasts
	ctx := t.Context()
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "c1", App: ivrApp})
	require.NoError(t, err)
	require.NoError(t, tr.Wait(ctx, "c1", "playing "+DefaultPrompts.Welcome))
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	require.NoError(t, tr.Wait(ctx, "c1", "left ivr"))
	assert.Equal(t, []string{
		`entered ivr (caller "" <>, extension s)`, "answered", "playing " + DefaultPrompts.Welcome, "caller hung up", "left ivr",
	}, tr.Lines("c1"))
}

// TestSaysSoWhenAsteriskIsUnreachable: with an ARI_URL nothing answers
// at, the failed attempts are logged (the runtime logs its warnings to
// slog.Default() when no logger is set) within seconds.
func TestSaysSoWhenAsteriskIsUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now

	logs := &syncBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	out := &syncBuffer{}
	env := map[string]string{"ARI_URL": "http://" + addr, "ARI_USERNAME": "asterisk", "ARI_PASSWORD": "asterisk"}
	done := make(chan error, 1)
	began := time.Now()
	go func() { done <- run(ctx, out, func(k string) string { return env[k] }) }()
	assert.Eventually(t, func() bool {
		s := logs.String()
		return strings.Contains(s, "level=WARN") && strings.Contains(s, addr)
	}, 5*time.Second, 5*time.Millisecond, "a warning naming the address; log: %s", logs)
	t.Logf("warned after %v: %s", time.Since(began), strings.SplitN(logs.String(), "\n", 2)[0])
	cancel()
	require.NoError(t, <-done, "interrupted: a normal end")
	assert.Contains(t, out.String(), "serving apps")
}

func count(lines []string, s string) int {
	n := 0
	for _, l := range lines {
		if l == s {
			n++
		}
	}
	return n
}

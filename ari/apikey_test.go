package ari_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
	"gostasis.dev/internal/syncbuf"
)

// logBuffer collects log output written concurrently.
type logBuffer struct{ syncbuf.Buffer }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// errorTexts returns the text of err and of every error in its chain.
func errorTexts(err error) []string {
	var out []string
	for err != nil {
		out = append(out, err.Error())
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				out = append(out, errorTexts(e)...)
			}
			break
		}
		err = errors.Unwrap(err)
	}
	return out
}

// assertNoKey checks that no form of the key shows in any of texts.
func assertNoKey(t *testing.T, secret string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		assert.NotContains(t, s, secret)
		assert.NotContains(t, s, strings.ReplaceAll(secret, ":", "%3A"))
	}
}

// TestAPIKey: Config.APIKey authenticates the REST calls and the events
// websocket with Asterisk's api_key parameter (aritest checks it as
// Asterisk does), and the key shows in no URL, error or log line.
func TestAPIKey(t *testing.T) {
	const pass = "Kx7-api-Secret"
	srv := aritest.Start(t, aritest.Config{
		Users:  []aritest.User{{Name: "keyuser", Password: pass}},
		Timing: aritest.FastTiming(),
	})
	var logs logBuffer
	c, err := ari.NewClient(ari.Config{URL: srv.URL, APIKey: "keyuser:" + pass, Logger: logs.logger(), Version: "22.10.1"})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	rc := resources.New(c)
	_, err = rc.Asterisk.Ping(ctx)
	require.NoError(t, err, "the api_key authenticates a REST call")
	_, err = rc.Channels.List(ctx)
	require.NoError(t, err)

	// The events websocket.
	stream := c.EventStream(ari.EventStreamConfig{Apps: []string{"keyapp"}, MaxAttempts: 1})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- stream.Run(runCtx, func(ari.Frame) {}) }()
	require.NoError(t, srv.WaitApp(ctx, "keyapp"), "the api_key authenticates the websocket")
	stop()
	require.ErrorIs(t, <-done, context.Canceled)
	assertNoKey(t, pass, stream.URL(), c.EventsURL([]string{"keyapp"}, true))

	// A wrong key: 401 on REST and on the websocket.
	bad, err := ari.NewClient(ari.Config{URL: srv.URL, APIKey: "keyuser:wrong-" + pass, Logger: logs.logger(), Version: "22.10.1"})
	require.NoError(t, err)
	_, err = resources.New(bad).Asterisk.Ping(ctx)
	require.ErrorIs(t, err, ari.ErrUnauthorized)
	texts := errorTexts(err)
	err = bad.EventStream(ari.EventStreamConfig{Apps: []string{"keyapp"}, MaxAttempts: 1}).Run(ctx, func(ari.Frame) {})
	require.ErrorIs(t, err, ari.ErrUnauthorized)
	texts = append(texts, errorTexts(err)...)

	// A transport error: net/http repeats the whole URL in its errors.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	gone, err := ari.NewClient(ari.Config{URL: "http://" + addr, APIKey: "keyuser:" + pass, Logger: logs.logger(), Version: "22.10.1"})
	require.NoError(t, err)
	_, err = resources.New(gone).Asterisk.Ping(ctx)
	require.Error(t, err)
	texts = append(texts, errorTexts(err)...)
	err = gone.EventStream(ari.EventStreamConfig{Apps: []string{"keyapp"}, MaxAttempts: 1}).Run(ctx, func(ari.Frame) {})
	require.Error(t, err)
	texts = append(texts, errorTexts(err)...)

	// The key given in the URL instead.
	inURL, err := ari.NewClient(ari.Config{URL: srv.URL + "/ari?api_key=keyuser:" + pass, Logger: logs.logger(), Version: "22.10.1"})
	require.NoError(t, err)
	_, err = resources.New(inURL).Asterisk.Ping(ctx)
	require.NoError(t, err)

	require.NotEmpty(t, logs.String())
	assertNoKey(t, pass, append(texts, logs.String())...)
}

// TestAPIKeyInURLNotEchoed: a URL whose query NewClient refuses is not
// repeated in the error, so an api_key in it does not show.
func TestAPIKeyInURLNotEchoed(t *testing.T) {
	const pass = "Vq3-url-Secret"
	for _, u := range []string{
		"http://127.0.0.1:8088/ari?api_key=asterisk:" + pass + "&x=1",
		"http://127.0.0.1:8088/ari?app=a&api_key=asterisk:" + pass,
		"ftp://127.0.0.1:8088/ari?api_key=asterisk:" + pass,
		"http://127.0.0.1:port/ari?api_key=asterisk:" + pass,
		"http://127.0.0.1:8088/ari?api_key=asterisk:" + pass + "%zz",
	} {
		_, err := ari.NewClient(ari.Config{URL: u})
		require.Error(t, err, u)
		assertNoKey(t, pass, err.Error())
	}
}

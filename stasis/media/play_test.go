package media_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

func TestPlayPlaysTheListInOrder(t *testing.T) {
	out := make(chan outcome[time.Duration], 1)
	srv, rec := serve(t, timing(50*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
		start := time.Now()
		err := media.Play(ctx, call, media.Primary, "sound:hello-world", "sound:menu", "digits:42")
		out <- outcome[time.Duration]{time.Since(start), err}
		if err != nil {
			return err
		}
		return call.Hangup(ctx, resources.HangupReasonNormal)
	})
	phone := dial(t, srv)
	took, err := get(t, out)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, took, 150*time.Millisecond, "Play returns once everything has played")
	require.NoError(t, phone.WaitEnd(t.Context()))
	rec.waitEnd(t)
	assert.Equal(t, []string{"sound:hello-world", "sound:menu", "digits:42"}, phone.MediaHeard())
	assert.Empty(t, rec.mediaEvents(), "the playback's events were Play's")
}

func TestPlayLeavesDigitsToTheHandler(t *testing.T) {
	srv, rec := serve(t, timing(200*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
		return media.Play(ctx, call, media.Primary, "sound:hello-world")
	})
	cur := srv.Cursor()
	phone := dial(t, srv)
	started(t, cur, "sound:hello-world")
	require.NoError(t, phone.SendDTMF("5"))
	finished(t, cur, "sound:hello-world")
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	rec.waitEnd(t)
	assert.Equal(t, "5", rec.digits(phone.ID()))
}

func TestPlayCtxEndStopsThePlayback(t *testing.T) {
	out := make(chan outcome[struct{}], 1)
	srv, _ := serve(t, timing(5*time.Second), func(ctx context.Context, call *stasis.Call) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		time.AfterFunc(150*time.Millisecond, cancel) // say, a supervisor's goroutine
		err := media.Play(ctx, call, media.Primary, "sound:hello-world", "sound:menu")
		out <- outcome[struct{}]{struct{}{}, err}
		return nil
	})
	cur := srv.Cursor()
	phone := dial(t, srv)
	started(t, cur, "sound:hello-world")
	start := time.Now()

	_, err := get(t, out)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second)
	pb := finished(t, cur, "sound:hello-world")
	assert.Equal(t, "done", string(pb.State), "stopped")
	assert.Empty(t, srv.Playbacks())
	assert.Equal(t, []string{"sound:hello-world"}, phone.MediaHeard())
}

func TestPlayMissingSoundFails(t *testing.T) {
	out := make(chan outcome[struct{}], 1)
	srv, _ := serve(t, timing(20*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
		err := media.Play(ctx, call, media.Primary, "sound:no-such-sound")
		out <- outcome[struct{}]{struct{}{}, err}
		return nil
	})
	dial(t, srv)
	_, err := get(t, out)
	var pf *stasis.PlaybackFailedError
	require.ErrorAs(t, err, &pf)
	assert.Equal(t, "sound:no-such-sound", pf.Playback.MediaURI)
}

func TestPlayHangupEndsIt(t *testing.T) {
	// Asterisk fails a playback whose channel hangs up (before the
	// StasisEnd): Play reports the call's end.
	out := make(chan outcome[struct{}], 1)
	srv, rec := serve(t, timing(5*time.Second), func(ctx context.Context, call *stasis.Call) error {
		err := media.Play(ctx, call, media.Primary, "sound:hello-world")
		out <- outcome[struct{}]{struct{}{}, err}
		return err
	})
	cur := srv.Cursor()
	phone := dial(t, srv)
	started(t, cur, "sound:hello-world")
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	_, err := get(t, out)
	require.ErrorIs(t, err, stasis.ErrCallEnded)
	assert.Equal(t, stasis.EndStasisEnd, rec.waitEnd(t).Reason)
}

func TestPlayToABridge(t *testing.T) {
	out := make(chan outcome[struct{}], 1)
	srv, _ := serve(t, timing(20*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
		b, err := call.CreateBridge(ctx, nil)
		if err != nil {
			return err
		}
		if err := call.REST().Bridges.AddChannel(ctx, b.ID, &resources.BridgeAddChannelParams{Channel: []string{call.ChannelID}}); err != nil {
			return err
		}
		if err := call.WaitBridged(ctx, b.ID, call.ChannelID); err != nil {
			return err
		}
		err = media.Play(ctx, call, media.Bridge(b.ID), "sound:menu")
		out <- outcome[struct{}]{struct{}{}, err}
		return err
	})
	phone := dial(t, srv)
	_, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, []string{"sound:menu"}, phone.MediaHeard())
}

func TestPlayNoMedia(t *testing.T) {
	var pe *media.ParamError
	require.ErrorAs(t, media.Play(t.Context(), nil, media.Primary), &pe)
	assert.Equal(t, "media", pe.Param)
}

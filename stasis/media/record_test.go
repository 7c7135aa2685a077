package media_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// recording is a flow that records with p and reports it.
func recording(target func(call *stasis.Call) media.Target, p media.RecordParams, out chan<- outcome[media.RecordResult]) flow {
	return func(ctx context.Context, call *stasis.Call) error {
		res, err := media.Record(ctx, call, target(call), p)
		out <- outcome[media.RecordResult]{res, err}
		return err
	}
}

func primary(*stasis.Call) media.Target { return media.Primary }

// silent is FastTiming where a recording does not end on silence.
func silent() aritest.Timing {
	tm := aritest.FastTiming()
	tm.RecordingSilence = aritest.Never
	return tm
}

// recordingStarted waits, from cur on, for the RecordingStarted of name.
func recordingStarted(t *testing.T, cur *aritest.EventCursor, name string) {
	t.Helper()
	_, err := cur.Next(t.Context(), func(se aritest.SentEvent) bool {
		e, ok := se.Event.(*events.RecordingStarted)
		return ok && e.Recording.Name == name
	})
	require.NoError(t, err)
}

func TestRecordUntilTerminator(t *testing.T) {
	out := make(chan outcome[media.RecordResult], 1)
	p := media.RecordParams{Name: "vm-1", Beep: true, TerminateOn: resources.RecordTerminateOnHash}
	srv, rec := serve(t, silent(), recording(primary, p, out))
	cur := srv.Cursor()
	phone := dial(t, srv)
	recordingStarted(t, cur, "vm-1")
	phone.Talk(100 * time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, phone.SendDTMF("#"))

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, "vm-1", res.Recording.Name)
	assert.Equal(t, media.DefaultRecordFormat, res.Recording.Format)
	assert.Equal(t, ari.LiveRecordingState("done"), res.Recording.State)
	assert.Equal(t, "#", res.DTMF)
	assert.False(t, res.HungUp)
	assert.Contains(t, srv.StoredRecordings(), ari.StoredRecording{Name: "vm-1", Format: "wav"})
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	rec.waitEnd(t)
	assert.Empty(t, rec.mediaEvents(), "the recording's events and its digit were Record's")
}

func TestRecordMaxDurationRoundsUp(t *testing.T) {
	out := make(chan outcome[media.RecordResult], 1)
	p := media.RecordParams{Format: "gsm", MaxDuration: 300 * time.Millisecond}
	srv, _ := serve(t, silent(), recording(primary, p, out))
	start := time.Now()
	dial(t, srv)

	res, err := get(t, out)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "300ms is a second")
	assert.NotEmpty(t, res.Recording.Name, "a name of its own")
	assert.Equal(t, "gsm", res.Recording.Format)
	assert.Equal(t, 1, res.Recording.Duration)
}

func TestRecordHangupFinishesIt(t *testing.T) {
	out := make(chan outcome[media.RecordResult], 1)
	after := make(chan error, 1)
	srv, rec := serve(t, silent(), func(ctx context.Context, call *stasis.Call) error {
		res, err := media.Record(ctx, call, media.Primary, media.RecordParams{Name: "vm-2"})
		out <- outcome[media.RecordResult]{res, err}
		_, err = call.WaitDTMF(ctx)
		after <- err
		return err
	})
	cur := srv.Cursor()
	phone := dial(t, srv)
	recordingStarted(t, cur, "vm-2")
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))

	res, err := get(t, out)
	require.NoError(t, err)
	assert.True(t, res.HungUp)
	assert.Equal(t, "vm-2", res.Recording.Name)
	require.ErrorIs(t, <-after, stasis.ErrCallEnded)
	assert.Equal(t, stasis.EndStasisEnd, rec.waitEnd(t).Reason)
}

func TestRecordCtxEndStopsIt(t *testing.T) {
	out := make(chan outcome[media.RecordResult], 1)
	srv, _ := serve(t, silent(), func(ctx context.Context, call *stasis.Call) error {
		ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		res, err := media.Record(ctx, call, media.Primary, media.RecordParams{Name: "vm-3"})
		out <- outcome[media.RecordResult]{res, err}
		return nil
	})
	dial(t, srv)
	_, err := get(t, out)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, srv.Recordings(), "stopped")
	assert.Contains(t, srv.StoredRecordings(), ari.StoredRecording{Name: "vm-3", Format: "wav"}, "what was recorded is kept")
}

func TestRecordABridge(t *testing.T) {
	out := make(chan outcome[media.RecordResult], 1)
	srv, _ := serve(t, aritest.FastTiming(), func(ctx context.Context, call *stasis.Call) error {
		b, err := call.CreateBridge(ctx, nil)
		if err != nil {
			return err
		}
		if err := call.REST().Bridges.AddChannel(ctx, b.ID, &resources.BridgeAddChannelParams{Channel: []string{call.ChannelID}}); err != nil {
			return err
		}
		res, err := media.Record(ctx, call, media.Bridge(b.ID), media.RecordParams{Name: "conf"})
		out <- outcome[media.RecordResult]{res, err}
		return err
	})
	dial(t, srv)
	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, "conf", res.Recording.Name)
	assert.Contains(t, res.Recording.TargetURI, "bridge:")
}

func TestRecordAsteriskRefuses(t *testing.T) {
	out := make(chan outcome[media.RecordResult], 1)
	srv, _ := serve(t, silent(), recording(primary, media.RecordParams{Name: "taken"}, out))
	srv.AddStoredRecording("taken", "wav", time.Second)
	dial(t, srv)
	_, err := get(t, out)
	require.ErrorIs(t, err, ari.ErrConflict)
}

func TestRecordFailed(t *testing.T) {
	out := make(chan outcome[media.RecordResult], 1)
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	rec := &recorder{ends: make(chan stasis.End, 4)}
	startThrough(t, srv, failingRecordings(t, srv), app(recording(primary, media.RecordParams{Name: "vm-4"}, out), rec))
	dial(t, srv)

	_, err := get(t, out)
	var rf *stasis.RecordingFailedError
	require.ErrorAs(t, err, &rf)
	assert.Equal(t, "vm-4", rf.Recording.Name)
	assert.Equal(t, "disk full", rf.Recording.Cause)
}

func TestRecordParamErrors(t *testing.T) {
	for _, tc := range []struct {
		p     media.RecordParams
		param string
	}{
		{media.RecordParams{MaxDuration: -time.Second}, "RecordParams.MaxDuration"},
		{media.RecordParams{MaxSilence: -time.Second}, "RecordParams.MaxSilence"},
	} {
		_, err := media.Record(t.Context(), nil, media.Primary, tc.p)
		var pe *media.ParamError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, tc.param, pe.Param)
	}
}

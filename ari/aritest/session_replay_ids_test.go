package aritest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/aritest/session"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
	"gostasis.dev/stasis/stasistest"
)

// recordedPlay is a call recorded from an app that gave its playback and
// its bridge ids of its own (pb-rec, br-rec): answer, a bridge made with
// an id, a play with a playbackId, the bridge destroyed, hang-up.
func recordedPlay(t *testing.T) *session.Session {
	ts := func(n int) string { return fmt.Sprintf("2026-12-01T10:00:0%d.000+0000", n) }
	common := `"application":"replay","asterisk_id":"0a:0b:0c:0d:0e:0f"`
	pb := `{"id":"pb-rec","media_uri":"sound:hello-world","target_uri":"channel:rec-1","language":"en","state":"%s"}`
	bridge := `{"id":"br-rec","technology":"simple_bridge","bridge_type":"mixing","bridge_class":"stasis","creator":"Stasis","name":"","channels":[],"creationtime":"2026-12-01T10:00:01.000+0000","video_mode":"none"}`
	play := &session.Exchange{Method: "POST", Path: "/ari/channels/rec-1/play", Query: "media=sound%3Ahello-world&playbackId=pb-rec", Status: 201, Body: []byte(fmt.Sprintf(pb, "queued"))}
	return recordSession(t, []string{"replay"},
		evLine(`{"type":"StasisStart","timestamp":"%s","args":[],"channel":`+recChannel+`,%s}`, ts(1), "Ring", common),
		xLine("POST", "/ari/channels/rec-1/answer", "", 204, ""),
		evLine(`{"type":"ChannelStateChange","timestamp":"%s","channel":`+recChannel+`,%s}`, ts(2), "Up", common),
		xLine("POST", "/ari/bridges/br-rec", "type=mixing", 200, bridge),
		sessionLine{Exchange: play},
		evLine(`{"type":"PlaybackStarted","timestamp":"%s","playback":`+pb+`,%s}`, ts(3), "playing", common),
		evLine(`{"type":"PlaybackFinished","timestamp":"%s","playback":`+pb+`,%s}`, ts(4), "done", common),
		xLine("DELETE", "/ari/bridges/br-rec", "", 204, ""),
		xLine("DELETE", "/ari/channels/rec-1", "reason=normal", 204, ""),
		evLine(`{"type":"StasisEnd","timestamp":"%s","channel":`+recChannel+`,%s}`, ts(5), "Up", common),
	)
}

// idPlayer answers, makes a bridge with an id of its own, plays
// hello-world with media.Play (which makes up the playbackId and waits
// for its PlaybackFinished), destroys the bridge and hangs up.
type idPlayer struct {
	call   *stasis.Call
	bridge string
}

func (p *idPlayer) OnEvent(ctx context.Context, e events.Event) error {
	if _, ok := e.(*events.StasisStart); !ok {
		return nil
	}
	if err := p.call.Answer(ctx); err != nil {
		return err
	}
	rest := p.call.REST()
	if _, err := rest.Bridges.CreateWithID(ctx, p.bridge, &resources.BridgeCreateWithIDParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}}); err != nil {
		return err
	}
	if err := media.Play(ctx, p.call, media.Primary, "sound:hello-world"); err != nil {
		return err
	}
	if err := rest.Bridges.Destroy(ctx, p.bridge); err != nil {
		return err
	}
	return p.call.Hangup(ctx, resources.HangupReasonNormal)
}

// TestReplayPairsGeneratedIDs replays a call to an app that makes up
// other playback and bridge ids than the recorded ones: each recorded id
// stands for the app's in the answers, the events and its later
// requests, and the strict replay passes.
func TestReplayPairsGeneratedIDs(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	stasistest.Start(t, srv, stasistest.Options{Config: stasis.Config{
		Apps: []stasis.App{{Name: "replay", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &idPlayer{call: call, bridge: "br-" + call.ChannelID + "-app"}, nil
		}}},
	}})
	rep, err := srv.Replay(t.Context(), recordedPlay(t), aritest.ReplayOptions{Strict: true, RequestWait: 5 * time.Second})
	require.NoError(t, err)
	assert.Empty(t, rep.Unrecorded)
	assert.Empty(t, rep.Missing)
	assert.Len(t, rep.Answered, 5, "every recorded request made, the last ones after media.Play returned")
	// The log holds what was sent: the app's ids, not the recorded ones.
	var started, finished string
	for _, e := range srv.Events() {
		assert.NotContains(t, string(e.Raw), "pb-rec")
		switch e := e.Event.(type) {
		case *events.PlaybackStarted:
			started = e.Playback.ID
		case *events.PlaybackFinished:
			finished = e.Playback.ID
			assert.Equal(t, "channel:rec-1", e.Playback.TargetURI, "ids that were not made up stay")
		}
	}
	assert.NotEmpty(t, started)
	assert.Equal(t, started, finished, "the app's own playback id, which media.Play waited for")
}

// TestReplayWithoutGeneratedIDs lists the made-up ids' requests as
// unrecorded when pairing is off.
func TestReplayWithoutGeneratedIDs(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	stasistest.Start(t, srv, stasistest.Options{Config: stasis.Config{
		Apps: []stasis.App{{Name: "replay", New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &idPlayer{call: call, bridge: "br-app"}, nil
		}}},
	}})
	rep, err := srv.Replay(t.Context(), recordedPlay(t), aritest.ReplayOptions{Strict: true, RequestWait: 300 * time.Millisecond, GeneratedIDs: []string{}})
	require.ErrorIs(t, err, aritest.ErrReplayMismatch)
	var me *aritest.ReplayMismatchError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "/ari/bridges/br-rec", me.Exchange.Path)
	require.NotEmpty(t, rep.Unrecorded)
	assert.True(t, strings.HasPrefix(rep.Unrecorded[0], "POST /ari/bridges/br-app"), rep.Unrecorded)
}

// TestReplayPairsWholeIDsOnly never pairs a recorded id with part of
// another: a recorded "call-1" stands for the app's id, "call-10" and
// "call-1.5" stay.
func TestReplayPairsWholeIDsOnly(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	common := `"application":"ids","asterisk_id":"0a:0b:0c:0d:0e:0f","timestamp":"2026-12-01T10:00:01.000+0000"`
	sess := recordSession(t, []string{"ids"},
		xLine("POST", "/ari/channels/call-1", "endpoint=Local%2F100%40default", 200, `{"id":"call-1"}`),
		evLine(`{"type":"ChannelVarset","variable":"X","value":"call-1 call-10 xcall-1 call-1/x call-1.5","channel":{"id":"call-10"},%s}`, common),
	)
	ws := dialEvents(t, srv, "app=ids")
	done := make(chan error, 1)
	go func() {
		_, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{Strict: true})
		done <- err
	}()
	status, body := get(t, srv, "POST", "/ari/channels/mine-7?endpoint=Local%2F100%40default", "")
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"id":"mine-7"}`, body, "the recorded answer with the app's id")
	require.NoError(t, <-done)
	msg := firstFrame(t, ws)
	assert.Contains(t, string(msg), `"value":"mine-7 call-10 xcall-1 mine-7/x call-1.5"`)
	assert.Contains(t, string(msg), `"id":"call-10"`)
}

// firstFrame waits for the first frame ws received.
func firstFrame(t *testing.T, ws *wsClient) []byte {
	t.Helper()
	require.Eventually(t, func() bool {
		ws.mu.Lock()
		defer ws.mu.Unlock()
		return len(ws.frames) > 0
	}, 5*time.Second, 5*time.Millisecond)
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.frames[0]
}

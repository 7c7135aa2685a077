package aritest_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

// streamClient reads events with the SDK's own ari.EventStream.
type streamClient struct {
	*evq
	mu     sync.Mutex
	states []ari.StateChange
}

// openStream runs an ari.EventStream for apps until the test ends and
// waits for its connection.
func openStream(t testing.TB, srv *aritest.Server, cfg ari.EventStreamConfig) *streamClient {
	t.Helper()
	sc := &streamClient{evq: newEvq(t)}
	on := cfg.OnState
	cfg.OnState = func(c ari.StateChange) {
		sc.mu.Lock()
		sc.states = append(sc.states, c)
		sc.mu.Unlock()
		if on != nil {
			on(c)
		}
	}
	es := srv.Client().EventStream(cfg)
	runCtx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer close(sc.done)
		_ = es.Run(runCtx, func(f ari.Frame) { sc.push(f.Data) })
	}()
	t.Cleanup(func() { cancel(); <-stopped })
	require.NoError(t, srv.WaitApp(ctx(t), cfg.Apps...))
	return sc
}

func (sc *streamClient) stateLog() []ari.StateChange {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return append([]ari.StateChange(nil), sc.states...)
}

// TestCallFlow drives a whole call through the typed REST client and checks
// the events of each step, in Asterisk's order.
func TestCallFlow(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	ev := openStream(t, srv, ari.EventStreamConfig{Apps: []string{"testapp"}})
	rc := resources.New(srv.Client())
	c := ctx(t)

	// Originate Local/800@default: its second half enters Stasis without
	// answering (extension 800 of the default dialplan).
	ch, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{
		Endpoint: "Local/800@default", App: "testapp", ChannelID: "a", OtherChannelID: "b",
	})
	require.NoError(t, err)
	assert.Equal(t, ari.ChannelState("Down"), ch.State)
	assert.Equal(t, "Local/800@default-00000001;1", ch.Name)
	assert.Equal(t, ari.DialplanCEP{Context: "default", Exten: "800", Priority: 1, AppName: "AppDial2", AppData: "(Outgoing Line)"}, ch.Dialplan)
	ev.expect(
		"Dial a ",
		"ChannelDialplan b Stasis(testapp,noanswer)",
		"ChannelVarset b STASISSTATUS=",
		"StasisStart b noanswer",
	)

	// Ring, progress, then answer the second half: the first half is
	// answered and enters Stasis.
	require.NoError(t, rc.Channels.Ring(c, "b"))
	ev.expect("ChannelStateChange a Ringing", "Dial a RINGING")
	require.NoError(t, rc.Channels.Progress(c, "b"))
	ev.expect("Dial a PROGRESS")
	require.NoError(t, rc.Channels.Answer(c, "b"))
	ev.expect(
		"ChannelStateChange b Up",
		"ChannelStateChange a Up",
		"Dial a ANSWER",
		"ChannelVarset a STASISSTATUS=",
		"StasisStart a",
	)

	// Play a list of media: one Started per item, Continuing between.
	pb, err := rc.Channels.Play(c, "a", &resources.ChannelPlayParams{Media: []string{"sound:hello-world", "digits:12"}, PlaybackID: "pb1"})
	require.NoError(t, err)
	assert.Equal(t, ari.Playback{ID: "pb1", MediaURI: "sound:hello-world", NextMediaURI: "digits:12", TargetURI: "channel:a", Language: "en", State: "queued"}, withoutPresence(*pb))
	ev.expect(
		"PlaybackStarted a sound:hello-world playing",
		"PlaybackContinuing a sound:hello-world continuing",
		"PlaybackStarted a digits:12 playing",
		"PlaybackFinished a digits:12 done",
	)

	// DTMF sent on the first half is heard on the second.
	require.NoError(t, rc.Channels.SendDTMF(c, "a", &resources.ChannelSendDTMFParams{DTMF: "12", Between: ptr(5), Duration: ptr(5)}))
	evs := ev.expect("ChannelDtmfReceived b 1", "ChannelDtmfReceived b 2")
	assert.Equal(t, `"duration_ms":5`, jsonMember(t, evs[0], "duration_ms"))

	// A mixing bridge with both halves.
	br, err := rc.Bridges.Create(c, &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}, BridgeID: "br1", Name: "flow"})
	require.NoError(t, err)
	assert.Equal(t, "simple_bridge", br.Technology)
	assert.Empty(t, br.Channels)
	require.NoError(t, rc.Bridges.AddChannel(c, "br1", &resources.BridgeAddChannelParams{Channel: []string{"a", "b"}}))
	ev.expect(
		"ChannelEnteredBridge a br1 [a]",
		"ChannelEnteredBridge b br1 [a b]",
		"ChannelVarset a BRIDGEPEER=Local/800@default-00000001;2",
		"ChannelVarset b BRIDGEPEER=Local/800@default-00000001;1",
	)
	got, err := rc.Bridges.Get(c, "br1")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got.Channels)

	// Record the bridge, then stop the recording.
	rec, err := rc.Bridges.Record(c, "br1", &resources.BridgeRecordParams{Name: "flowrec", Format: "wav"})
	require.NoError(t, err)
	assert.Equal(t, ari.LiveRecordingState("queued"), rec.State)
	ev.expect("RecordingStarted flowrec recording")
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, rc.Recordings.Stop(c, "flowrec"))
	ev.expect("RecordingFinished flowrec done")
	stored, err := rc.Recordings.GetStored(c, "flowrec")
	require.NoError(t, err)
	assert.Equal(t, ari.StoredRecording{Name: "flowrec", Format: "wav"}, *stored)
	body, err := rc.Recordings.GetStoredFile(c, "flowrec")
	require.NoError(t, err)
	wav, err := io.ReadAll(body)
	body.Close()
	require.NoError(t, err)
	checkWAV(t, wav)

	// Hang up the first half: it leaves the bridge and Stasis, then the
	// second half follows.
	require.NoError(t, rc.Channels.Hangup(c, "a", &resources.ChannelHangupParams{Reason: "busy"}))
	ev.expect(
		"ChannelHangupRequest a cause=32 soft=true",
		"ChannelVarset a BRIDGEPEER=",
		"ChannelLeftBridge a br1 [b]",
		"StasisEnd a",
		"ChannelVarset a STASISSTATUS=SUCCESS",
		"ChannelHangupRequest b cause=17 soft=false",
		"ChannelDestroyed a cause=17 User busy",
		"ChannelVarset b BRIDGEPEER=",
		"ChannelLeftBridge b br1 []",
		"StasisEnd b",
		"ChannelVarset b STASISSTATUS=SUCCESS",
		"ChannelHangupRequest b cause=16 soft=true",
		"ChannelDialplan b NoOp(hangup Local/800@default-00000001;2)",
		"ChannelDestroyed b cause=17 User busy",
	)
	require.NoError(t, rc.Bridges.Destroy(c, "br1"))
	ev.quiet(30 * time.Millisecond)
	chans, err := rc.Channels.List(c)
	require.NoError(t, err)
	assert.Empty(t, chans)
}

// TestCallFlowTestTechnology originates to the Test technology: the
// channel rings, the script answers it, the application plays to it and
// the phone hangs up.
func TestCallFlowTestTechnology(t *testing.T) {
	timing := aritest.FastTiming()
	timing.Ring = aritest.Never
	srv := aritest.Start(t, aritest.Config{Timing: timing, Endpoints: []string{"alice"}})
	ev := openStream(t, srv, ari.EventStreamConfig{Apps: []string{"app1"}})
	rc := srv.Resources()
	c := ctx(t)

	_, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Test/alice", App: "app1", AppArgs: []string{"x", "y"}, ChannelID: "out1", CallerID: ari.CallerID{Name: "Bob", Number: "200"}})
	require.NoError(t, err)
	ev.expect("Dial out1 ", "ChannelStateChange out1 Ringing", "Dial out1 RINGING")

	phone, err := srv.WaitPhone(c, func(p *aritest.Phone) bool { return p.ID() == "out1" })
	require.NoError(t, err)
	assert.True(t, phone.Outbound())
	require.NoError(t, phone.Answer())
	ev.expect("ChannelStateChange out1 Up", "Dial out1 ANSWER", "ChannelVarset out1 STASISSTATUS=", "StasisStart out1 x,y")

	_, err = rc.Channels.Play(c, "out1", &resources.ChannelPlayParams{Media: []string{"sound:tt-monkeys"}})
	require.NoError(t, err)
	ev.expect("PlaybackStarted out1 sound:tt-monkeys playing", "PlaybackFinished out1 sound:tt-monkeys done")
	assert.Equal(t, []string{"sound:tt-monkeys"}, phone.MediaHeard())

	require.NoError(t, rc.Channels.SendDTMF(c, "out1", &resources.ChannelSendDTMFParams{DTMF: "42"}))
	require.NoError(t, srv.WaitUntil(c, func() bool { return phone.DTMFHeard() == "42" }))

	ep, err := rc.Endpoints.Get(c, "Test", "alice")
	require.NoError(t, err)
	assert.Equal(t, []string{"out1"}, ep.ChannelIDs)

	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	ev.expect(
		"ChannelHangupRequest out1 cause=16 soft=false",
		"StasisEnd out1",
		"ChannelVarset out1 STASISSTATUS=SUCCESS",
		"ChannelDestroyed out1 cause=16 Normal Clearing",
	)
	<-phone.Done()
	assert.Equal(t, 16, phone.Cause())
}

func ptr[T any](v T) *T { return &v }

// withoutPresence drops the presence bits of a decoded model so that it
// compares equal to a literal.
func withoutPresence(p ari.Playback) ari.Playback {
	return ari.Playback{ID: p.ID, MediaURI: p.MediaURI, NextMediaURI: p.NextMediaURI, TargetURI: p.TargetURI, Language: p.Language, State: p.State}
}

// checkWAV checks a RIFF/WAVE PCM header.
func checkWAV(t *testing.T, b []byte) {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 44)
	assert.Equal(t, "RIFF", string(b[0:4]))
	assert.Equal(t, uint32(len(b)-8), binary.LittleEndian.Uint32(b[4:]))
	assert.Equal(t, "WAVE", string(b[8:12]))
	assert.Equal(t, "fmt ", string(b[12:16]))
	assert.Equal(t, uint16(1), binary.LittleEndian.Uint16(b[20:]))
	assert.Equal(t, uint32(8000), binary.LittleEndian.Uint32(b[24:]))
	assert.Equal(t, "data", string(b[36:40]))
	assert.Equal(t, uint32(len(b)-44), binary.LittleEndian.Uint32(b[40:]))
	assert.True(t, bytes.Equal(b[44:], make([]byte, len(b)-44)))
}

package events_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

// call records one handler method call.
type call struct {
	method string
	event  events.Event
}

// recorder records calls and returns err from each.
type recorder struct {
	calls []call
	err   error
}

func (r *recorder) record(method string, e events.Event) error {
	r.calls = append(r.calls, call{method, e})
	return r.err
}

// allHandler implements the handler interface of every known type, and
// UnknownHandler.
type allHandler struct{ recorder }

func (h *allHandler) OnUnknown(_ context.Context, e *events.Unknown) error {
	return h.record("OnUnknown", e)
}

func (h *allHandler) OnApplicationMoveFailed(_ context.Context, e *events.ApplicationMoveFailed) error {
	return h.record("OnApplicationMoveFailed", e)
}

func (h *allHandler) OnApplicationRegistered(_ context.Context, e *events.ApplicationRegistered) error {
	return h.record("OnApplicationRegistered", e)
}

func (h *allHandler) OnApplicationReplaced(_ context.Context, e *events.ApplicationReplaced) error {
	return h.record("OnApplicationReplaced", e)
}

func (h *allHandler) OnApplicationUnregistered(_ context.Context, e *events.ApplicationUnregistered) error {
	return h.record("OnApplicationUnregistered", e)
}

func (h *allHandler) OnBridgeAttendedTransfer(_ context.Context, e *events.BridgeAttendedTransfer) error {
	return h.record("OnBridgeAttendedTransfer", e)
}

func (h *allHandler) OnBridgeBlindTransfer(_ context.Context, e *events.BridgeBlindTransfer) error {
	return h.record("OnBridgeBlindTransfer", e)
}

func (h *allHandler) OnBridgeCreated(_ context.Context, e *events.BridgeCreated) error {
	return h.record("OnBridgeCreated", e)
}

func (h *allHandler) OnBridgeDestroyed(_ context.Context, e *events.BridgeDestroyed) error {
	return h.record("OnBridgeDestroyed", e)
}

func (h *allHandler) OnBridgeMerged(_ context.Context, e *events.BridgeMerged) error {
	return h.record("OnBridgeMerged", e)
}

func (h *allHandler) OnBridgeVideoSourceChanged(_ context.Context, e *events.BridgeVideoSourceChanged) error {
	return h.record("OnBridgeVideoSourceChanged", e)
}

func (h *allHandler) OnCallBroadcast(_ context.Context, e *events.CallBroadcast) error {
	return h.record("OnCallBroadcast", e)
}

func (h *allHandler) OnCallClaimed(_ context.Context, e *events.CallClaimed) error {
	return h.record("OnCallClaimed", e)
}

func (h *allHandler) OnChannelCallerID(_ context.Context, e *events.ChannelCallerID) error {
	return h.record("OnChannelCallerID", e)
}

func (h *allHandler) OnChannelConnectedLine(_ context.Context, e *events.ChannelConnectedLine) error {
	return h.record("OnChannelConnectedLine", e)
}

func (h *allHandler) OnChannelCreated(_ context.Context, e *events.ChannelCreated) error {
	return h.record("OnChannelCreated", e)
}

func (h *allHandler) OnChannelDestroyed(_ context.Context, e *events.ChannelDestroyed) error {
	return h.record("OnChannelDestroyed", e)
}

func (h *allHandler) OnChannelDialplan(_ context.Context, e *events.ChannelDialplan) error {
	return h.record("OnChannelDialplan", e)
}

func (h *allHandler) OnChannelDTMFReceived(_ context.Context, e *events.ChannelDTMFReceived) error {
	return h.record("OnChannelDTMFReceived", e)
}

func (h *allHandler) OnChannelEnteredBridge(_ context.Context, e *events.ChannelEnteredBridge) error {
	return h.record("OnChannelEnteredBridge", e)
}

func (h *allHandler) OnChannelHangupRequest(_ context.Context, e *events.ChannelHangupRequest) error {
	return h.record("OnChannelHangupRequest", e)
}

func (h *allHandler) OnChannelHold(_ context.Context, e *events.ChannelHold) error {
	return h.record("OnChannelHold", e)
}

func (h *allHandler) OnChannelLeftBridge(_ context.Context, e *events.ChannelLeftBridge) error {
	return h.record("OnChannelLeftBridge", e)
}

func (h *allHandler) OnChannelStateChange(_ context.Context, e *events.ChannelStateChange) error {
	return h.record("OnChannelStateChange", e)
}

func (h *allHandler) OnChannelTalkingFinished(_ context.Context, e *events.ChannelTalkingFinished) error {
	return h.record("OnChannelTalkingFinished", e)
}

func (h *allHandler) OnChannelTalkingStarted(_ context.Context, e *events.ChannelTalkingStarted) error {
	return h.record("OnChannelTalkingStarted", e)
}

func (h *allHandler) OnChannelToneDetected(_ context.Context, e *events.ChannelToneDetected) error {
	return h.record("OnChannelToneDetected", e)
}

func (h *allHandler) OnChannelTransfer(_ context.Context, e *events.ChannelTransfer) error {
	return h.record("OnChannelTransfer", e)
}

func (h *allHandler) OnChannelUnhold(_ context.Context, e *events.ChannelUnhold) error {
	return h.record("OnChannelUnhold", e)
}

func (h *allHandler) OnChannelUserEvent(_ context.Context, e *events.ChannelUserEvent) error {
	return h.record("OnChannelUserEvent", e)
}

func (h *allHandler) OnChannelVarset(_ context.Context, e *events.ChannelVarset) error {
	return h.record("OnChannelVarset", e)
}

func (h *allHandler) OnContactStatusChange(_ context.Context, e *events.ContactStatusChange) error {
	return h.record("OnContactStatusChange", e)
}

func (h *allHandler) OnDeviceStateChanged(_ context.Context, e *events.DeviceStateChanged) error {
	return h.record("OnDeviceStateChanged", e)
}

func (h *allHandler) OnDial(_ context.Context, e *events.Dial) error {
	return h.record("OnDial", e)
}

func (h *allHandler) OnEndpointStateChange(_ context.Context, e *events.EndpointStateChange) error {
	return h.record("OnEndpointStateChange", e)
}

func (h *allHandler) OnMissingParams(_ context.Context, e *events.MissingParams) error {
	return h.record("OnMissingParams", e)
}

func (h *allHandler) OnPeerStatusChange(_ context.Context, e *events.PeerStatusChange) error {
	return h.record("OnPeerStatusChange", e)
}

func (h *allHandler) OnPlaybackContinuing(_ context.Context, e *events.PlaybackContinuing) error {
	return h.record("OnPlaybackContinuing", e)
}

func (h *allHandler) OnPlaybackFinished(_ context.Context, e *events.PlaybackFinished) error {
	return h.record("OnPlaybackFinished", e)
}

func (h *allHandler) OnPlaybackStarted(_ context.Context, e *events.PlaybackStarted) error {
	return h.record("OnPlaybackStarted", e)
}

func (h *allHandler) OnRESTResponse(_ context.Context, e *events.RESTResponse) error {
	return h.record("OnRESTResponse", e)
}

func (h *allHandler) OnRecordingFailed(_ context.Context, e *events.RecordingFailed) error {
	return h.record("OnRecordingFailed", e)
}

func (h *allHandler) OnRecordingFinished(_ context.Context, e *events.RecordingFinished) error {
	return h.record("OnRecordingFinished", e)
}

func (h *allHandler) OnRecordingStarted(_ context.Context, e *events.RecordingStarted) error {
	return h.record("OnRecordingStarted", e)
}

func (h *allHandler) OnStasisEnd(_ context.Context, e *events.StasisEnd) error {
	return h.record("OnStasisEnd", e)
}

func (h *allHandler) OnStasisStart(_ context.Context, e *events.StasisStart) error {
	return h.record("OnStasisStart", e)
}

func (h *allHandler) OnTextMessageReceived(_ context.Context, e *events.TextMessageReceived) error {
	return h.record("OnTextMessageReceived", e)
}

// Compile-time checks: allHandler implements every handler interface.
var (
	_ events.UnknownHandler                  = (*allHandler)(nil)
	_ events.ApplicationMoveFailedHandler    = (*allHandler)(nil)
	_ events.ApplicationRegisteredHandler    = (*allHandler)(nil)
	_ events.ApplicationReplacedHandler      = (*allHandler)(nil)
	_ events.ApplicationUnregisteredHandler  = (*allHandler)(nil)
	_ events.BridgeAttendedTransferHandler   = (*allHandler)(nil)
	_ events.BridgeBlindTransferHandler      = (*allHandler)(nil)
	_ events.BridgeCreatedHandler            = (*allHandler)(nil)
	_ events.BridgeDestroyedHandler          = (*allHandler)(nil)
	_ events.BridgeMergedHandler             = (*allHandler)(nil)
	_ events.BridgeVideoSourceChangedHandler = (*allHandler)(nil)
	_ events.CallBroadcastHandler            = (*allHandler)(nil)
	_ events.CallClaimedHandler              = (*allHandler)(nil)
	_ events.ChannelCallerIDHandler          = (*allHandler)(nil)
	_ events.ChannelConnectedLineHandler     = (*allHandler)(nil)
	_ events.ChannelCreatedHandler           = (*allHandler)(nil)
	_ events.ChannelDestroyedHandler         = (*allHandler)(nil)
	_ events.ChannelDialplanHandler          = (*allHandler)(nil)
	_ events.ChannelDTMFReceivedHandler      = (*allHandler)(nil)
	_ events.ChannelEnteredBridgeHandler     = (*allHandler)(nil)
	_ events.ChannelHangupRequestHandler     = (*allHandler)(nil)
	_ events.ChannelHoldHandler              = (*allHandler)(nil)
	_ events.ChannelLeftBridgeHandler        = (*allHandler)(nil)
	_ events.ChannelStateChangeHandler       = (*allHandler)(nil)
	_ events.ChannelTalkingFinishedHandler   = (*allHandler)(nil)
	_ events.ChannelTalkingStartedHandler    = (*allHandler)(nil)
	_ events.ChannelToneDetectedHandler      = (*allHandler)(nil)
	_ events.ChannelTransferHandler          = (*allHandler)(nil)
	_ events.ChannelUnholdHandler            = (*allHandler)(nil)
	_ events.ChannelUserEventHandler         = (*allHandler)(nil)
	_ events.ChannelVarsetHandler            = (*allHandler)(nil)
	_ events.ContactStatusChangeHandler      = (*allHandler)(nil)
	_ events.DeviceStateChangedHandler       = (*allHandler)(nil)
	_ events.DialHandler                     = (*allHandler)(nil)
	_ events.EndpointStateChangeHandler      = (*allHandler)(nil)
	_ events.MissingParamsHandler            = (*allHandler)(nil)
	_ events.PeerStatusChangeHandler         = (*allHandler)(nil)
	_ events.PlaybackContinuingHandler       = (*allHandler)(nil)
	_ events.PlaybackFinishedHandler         = (*allHandler)(nil)
	_ events.PlaybackStartedHandler          = (*allHandler)(nil)
	_ events.RESTResponseHandler             = (*allHandler)(nil)
	_ events.RecordingFailedHandler          = (*allHandler)(nil)
	_ events.RecordingFinishedHandler        = (*allHandler)(nil)
	_ events.RecordingStartedHandler         = (*allHandler)(nil)
	_ events.StasisEndHandler                = (*allHandler)(nil)
	_ events.StasisStartHandler              = (*allHandler)(nil)
	_ events.TextMessageReceivedHandler      = (*allHandler)(nil)
)

// someHandler handles two types, falls back to OnEvent for the others and
// handles unknown types.
type someHandler struct{ recorder }

func (h *someHandler) OnStasisStart(_ context.Context, e *events.StasisStart) error {
	return h.record("OnStasisStart", e)
}

func (h *someHandler) OnChannelDTMFReceived(_ context.Context, e *events.ChannelDTMFReceived) error {
	return h.record("OnChannelDTMFReceived", e)
}

func (h *someHandler) OnEvent(_ context.Context, e events.Event) error {
	return h.record("OnEvent", e)
}

// onlyStasis handles StasisStart and nothing else: no fallback.
type onlyStasis struct{ recorder }

func (h *onlyStasis) OnStasisStart(_ context.Context, e *events.StasisStart) error {
	return h.record("OnStasisStart", e)
}

// fallbackOnly has nothing but OnEvent.
type fallbackOnly struct{ recorder }

func (h *fallbackOnly) OnEvent(_ context.Context, e events.Event) error {
	return h.record("OnEvent", e)
}

func unknownEvent(t *testing.T) *events.Unknown {
	t.Helper()
	ev, err := events.Decode([]byte(`{"type":"FutureEvent","channel":{"id":"c1"}}`))
	require.NoError(t, err)
	return ev.(*events.Unknown)
}

func TestDispatchEveryType(t *testing.T) {
	ctx := context.Background()
	for _, ti := range events.Types() {
		t.Run(ti.Name, func(t *testing.T) {
			ev := events.New(ti.Name)
			h := &allHandler{}
			handled, err := events.Dispatch(ctx, h, ev)
			require.NoError(t, err)
			assert.True(t, handled)
			require.Len(t, h.calls, 1)
			assert.True(t, strings.EqualFold("On"+ti.Name, h.calls[0].method), "%s called %s", ti.Name, h.calls[0].method)
			assert.Same(t, ev, h.calls[0].event)
		})
	}
	t.Run("Unknown", func(t *testing.T) {
		h := &allHandler{}
		u := unknownEvent(t)
		handled, err := events.Dispatch(ctx, h, u)
		require.NoError(t, err)
		assert.True(t, handled)
		require.Len(t, h.calls, 1)
		assert.Equal(t, "OnUnknown", h.calls[0].method)
		assert.Same(t, events.Event(u), h.calls[0].event)
	})
}

func TestDispatchFixtures(t *testing.T) {
	ctx := context.Background()
	for _, fx := range fixtures(t) {
		ev, err := events.Decode(fx.data)
		require.NoError(t, err)
		h := &allHandler{}
		handled, err := events.Dispatch(ctx, h, ev)
		require.NoError(t, err)
		assert.True(t, handled, fx.name)
		require.Len(t, h.calls, 1, fx.name)
		assert.True(t, strings.EqualFold("On"+ev.EventType(), h.calls[0].method), "%s: %s called %s", fx.name, ev.EventType(), h.calls[0].method)
	}
}

func TestDispatchFallbacks(t *testing.T) {
	ctx := context.Background()
	ss := events.New("StasisStart")
	dtmf := events.New("ChannelDtmfReceived")
	end := events.New("StasisEnd")

	cases := []struct {
		name    string
		h       interface{ got() []call }
		ev      events.Event
		handled bool
		method  string
	}{
		{"own method", &someHandler{}, ss, true, "OnStasisStart"},
		{"other own method", &someHandler{}, dtmf, true, "OnChannelDTMFReceived"},
		{"no method: OnEvent", &someHandler{}, end, true, "OnEvent"},
		{"unknown without OnUnknown: OnEvent", &someHandler{}, unknownEvent(t), true, "OnEvent"},
		{"no method, no fallback", &onlyStasis{}, end, false, ""},
		{"unknown, no fallback", &onlyStasis{}, unknownEvent(t), false, ""},
		{"fallback only", &fallbackOnly{}, ss, true, "OnEvent"},
		{"OnUnknown wins over OnEvent", &unknownAndFallback{}, unknownEvent(t), true, "OnUnknown"},
		{"OnEvent for known types beside OnUnknown", &unknownAndFallback{}, ss, true, "OnEvent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			handled, err := events.Dispatch(ctx, c.h, c.ev)
			require.NoError(t, err)
			assert.Equal(t, c.handled, handled)
			calls := c.h.got()
			if c.method == "" {
				assert.Empty(t, calls)
				return
			}
			require.Len(t, calls, 1)
			assert.Equal(t, c.method, calls[0].method)
			assert.Same(t, c.ev, calls[0].event)
		})
	}

	t.Run("not a handler at all", func(t *testing.T) {
		for _, h := range []any{nil, 42, struct{}{}} {
			handled, err := events.Dispatch(ctx, h, ss)
			assert.NoError(t, err)
			assert.False(t, handled)
		}
	})
}

// unknownAndFallback has OnUnknown and OnEvent.
type unknownAndFallback struct{ recorder }

func (h *unknownAndFallback) OnUnknown(_ context.Context, e *events.Unknown) error {
	return h.record("OnUnknown", e)
}

func (h *unknownAndFallback) OnEvent(_ context.Context, e events.Event) error {
	return h.record("OnEvent", e)
}

func (r *recorder) got() []call { return r.calls }

func TestDispatchReturnsTheHandlersError(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	for _, h := range []interface {
		got() []call
	}{
		&someHandler{recorder{err: boom}},
		&allHandler{recorder{err: boom}},
		&fallbackOnly{recorder{err: boom}},
	} {
		for _, ev := range []events.Event{events.New("StasisStart"), events.New("StasisEnd"), unknownEvent(t)} {
			handled, err := events.Dispatch(ctx, h, ev)
			if !handled {
				continue
			}
			assert.ErrorIs(t, err, boom, "%T %s", h, ev.EventType())
		}
		assert.NotEmpty(t, h.got(), "%T", h)
	}
}

func TestDispatchPassesTheContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	var seen any
	h := ctxHandler(func(ctx context.Context) { seen = ctx.Value(key{}) })
	handled, err := events.Dispatch(ctx, h, events.New("StasisStart"))
	require.NoError(t, err)
	assert.True(t, handled)
	assert.Equal(t, "v", seen)
}

type ctxHandler func(context.Context)

func (f ctxHandler) OnStasisStart(ctx context.Context, _ *events.StasisStart) error {
	f(ctx)
	return nil
}

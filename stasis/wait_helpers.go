package stasis

import (
	"context"
	"fmt"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// The typed waits. Each is Wait with a match for one outcome; like Wait,
// it consumes only the event it returns, and an event that makes it fail
// (a channel destroyed, a recording failed) is held and still reaches the
// handler. Each fails with ErrCallEnded when the call ends meanwhile, and
// with ctx's error when ctx ends.

// GoneError reports that the channel or bridge a wait was about was
// destroyed before the awaited event: a dialled leg that was busy or not
// answered, a bridge destroyed meanwhile.
type GoneError struct {
	// Kind is "channel" or "bridge".
	Kind string
	// ID is the channel's or bridge's id.
	ID string
	// Cause and CauseText are the channel's hangup cause (ChannelDestroyed),
	// e.g. 17 "User busy"; zero for a bridge.
	Cause     int
	CauseText string
}

// Error says what was destroyed and, for a channel, its hangup cause.
func (e *GoneError) Error() string {
	if e.Kind == "channel" {
		return fmt.Sprintf("stasis: channel %s was destroyed (cause %d, %s)", e.ID, e.Cause, e.CauseText)
	}
	return fmt.Sprintf("stasis: %s %s was destroyed", e.Kind, e.ID)
}

// RecordingFailedError reports a RecordingFailed event for the recording a
// wait was about.
type RecordingFailedError struct {
	// Recording is the recording as the event reported it (Cause says
	// why, when Asterisk tells).
	Recording *ari.LiveRecording
}

// Error names the recording and Asterisk's cause.
func (e *RecordingFailedError) Error() string {
	if e.Recording.Cause != "" {
		return fmt.Sprintf("stasis: recording %s failed: %s", e.Recording.Name, e.Recording.Cause)
	}
	return fmt.Sprintf("stasis: recording %s failed", e.Recording.Name)
}

// PlaybackFailedError reports a playback that finished in state "failed"
// (e.g. a media URI Asterisk could not find).
type PlaybackFailedError struct {
	// Playback is the playback as the PlaybackFinished event reported it.
	Playback *ari.Playback
}

// Error names the playback and its media.
func (e *PlaybackFailedError) Error() string {
	return fmt.Sprintf("stasis: playback %s of %s failed", e.Playback.ID, e.Playback.MediaURI)
}

// destroyed fails a wait on channel id when it is destroyed.
func destroyed(ev events.Event, id string) error {
	if d, ok := ev.(*events.ChannelDestroyed); ok && d.Channel.ID == id {
		return &GoneError{Kind: "channel", ID: id, Cause: d.Cause, CauseText: d.CauseTxt}
	}
	return nil
}

// WaitDTMF waits for a digit pressed on the call's own channel (its
// ChannelDTMFReceived); digits on its other legs, such as a Local
// channel's second half, are held for the handler.
func (c *Call) WaitDTMF(ctx context.Context) (digit string, err error) {
	ev, err := c.wait(ctx, func(ev events.Event) (bool, error) {
		e, ok := ev.(*events.ChannelDTMFReceived)
		return ok && e.Channel.ID == c.ChannelID, nil
	})
	if err != nil {
		return "", err
	}
	return ev.(*events.ChannelDTMFReceived).Digit, nil
}

// WaitPlaybackFinished waits for the PlaybackFinished of playbackID (the
// id Play returned, or one you chose with NewID as
// ChannelPlayParams.PlaybackID; either way a wait that follows Play in
// the same method cannot miss the event). A playback
// that finished in state "failed" gives a *PlaybackFailedError (the
// event is then held for the handler).
func (c *Call) WaitPlaybackFinished(ctx context.Context, playbackID string) (*ari.Playback, error) {
	ev, err := c.wait(ctx, func(ev events.Event) (bool, error) {
		e, ok := ev.(*events.PlaybackFinished)
		if !ok || e.Playback.ID != playbackID {
			return false, nil
		}
		if e.Playback.State == ari.PlaybackStateFailed {
			p := e.Playback
			return false, &PlaybackFailedError{Playback: &p}
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &ev.(*events.PlaybackFinished).Playback, nil
}

// WaitRecording waits for the live recording recordingName to end: its
// RecordingFinished gives the recording, its RecordingFailed a
// *RecordingFailedError (the event is then held for the handler).
func (c *Call) WaitRecording(ctx context.Context, recordingName string) (*ari.LiveRecording, error) {
	ev, err := c.wait(ctx, func(ev events.Event) (bool, error) {
		switch e := ev.(type) {
		case *events.RecordingFinished:
			return e.Recording.Name == recordingName, nil
		case *events.RecordingFailed:
			if e.Recording.Name == recordingName {
				r := e.Recording
				return false, &RecordingFailedError{Recording: &r}
			}
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return &ev.(*events.RecordingFinished).Recording, nil
}

// WaitState waits for channel channelID (the call's own or one of its
// legs) to change to state, by its ChannelStateChange; it does not look
// at the channel's current state. It fails with a *GoneError when the
// channel is destroyed first.
func (c *Call) WaitState(ctx context.Context, channelID string, state ari.ChannelState) error {
	_, err := c.wait(ctx, func(ev events.Event) (bool, error) {
		if e, ok := ev.(*events.ChannelStateChange); ok && e.Channel.ID == channelID {
			return e.Channel.State == state, nil
		}
		return false, destroyed(ev, channelID)
	})
	return err
}

// WaitStasisStart waits for channel channelID, a leg the call originated
// or created, to enter the app (answered, for an originated channel) and
// returns its StasisStart, which is then not dispatched to OnStasisStart.
// It fails with a *GoneError when the channel is destroyed first (busy,
// no answer: GoneError.Cause says which).
func (c *Call) WaitStasisStart(ctx context.Context, channelID string) (*events.StasisStart, error) {
	ev, err := c.wait(ctx, func(ev events.Event) (bool, error) {
		if e, ok := ev.(*events.StasisStart); ok && e.Channel.ID == channelID {
			return true, nil
		}
		return false, destroyed(ev, channelID)
	})
	if err != nil {
		return nil, err
	}
	return ev.(*events.StasisStart), nil
}

// WaitBridged waits for channel channelID to enter bridge bridgeID (its
// ChannelEnteredBridge). It fails with a *GoneError when the channel or
// the bridge is destroyed first.
func (c *Call) WaitBridged(ctx context.Context, bridgeID, channelID string) error {
	_, err := c.wait(ctx, func(ev events.Event) (bool, error) {
		switch e := ev.(type) {
		case *events.ChannelEnteredBridge:
			return e.Bridge.ID == bridgeID && e.Channel != nil && e.Channel.ID == channelID, nil
		case *events.BridgeDestroyed:
			if e.Bridge.ID == bridgeID {
				return false, &GoneError{Kind: "bridge", ID: bridgeID}
			}
		}
		return false, destroyed(ev, channelID)
	})
	return err
}

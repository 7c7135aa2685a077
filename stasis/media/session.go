package media

import (
	"context"
	"errors"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
)

// The limits of the helpers' own waits and requests (see the package
// documentation).
const (
	// cleanupTimeout bounds the request that stops a playback or a
	// recording once ctx has ended.
	cleanupTimeout = 5 * time.Second
	// endGrace is how long a playback that failed while its channel was
	// being hung up, or a request refused with 404, waits for the call's
	// (or the target's) end.
	endGrace = 2 * time.Second
	// drainGrace is how long a prompt waits for the PlaybackFinished of a
	// playback it stopped on a barge-in.
	drainGrace = time.Second
)

// errTimedOut is the cause of a session wait whose deadline passed.
var errTimedOut = errors.New("media: timed out")

// session is one helper's run on a call: its target, the channel whose
// digits count, and what the waits have seen of them.
type session struct {
	call *stasis.Call
	// kind and id are the target's.
	kind, id string
	// from is the channel whose digits count ("" for none).
	from string
	// hangingUp is set once a ChannelHangupRequest of the target channel
	// or of from was seen.
	hangingUp bool
}

// newSession checks the call and the target.
func newSession(call *stasis.Call, target Target) (*session, error) {
	if call == nil {
		return nil, &ParamError{Param: "call", Value: "<nil>", Reason: "no call"}
	}
	kind, id, err := target.resolve(call)
	if err != nil {
		return nil, err
	}
	return &session{call: call, kind: kind, id: id}, nil
}

// probe checks that the helper runs on the call's goroutine while the
// call goes on, and returns the first event already there (held, or
// queued for the call) that match takes, if any, without waiting.
func (s *session) probe(match func(events.Event) bool) (events.Event, error) {
	// A wait with a context already ended takes nothing but an event
	// already there, and fails at once on the wrong goroutine or an
	// ended call.
	done, cancel := context.WithCancel(context.Background())
	cancel()
	ev, err := s.call.Wait(done, match)
	switch {
	case err == nil:
		return ev, nil
	case errors.Is(err, stasis.ErrCallEnded), errors.Is(err, stasis.ErrNotCallGoroutine):
		return nil, err
	case errors.Is(err, context.Canceled):
		return nil, nil
	}
	return nil, err
}

// never matches no event.
func never(events.Event) bool { return false }

// digitsFrom sets the channel whose digits count: id, or the target
// channel, or the call's own channel when the target is a bridge.
func (s *session) digitsFrom(id string) error {
	switch {
	case id != "":
		if _, _, err := Channel(id).resolve(s.call); err != nil {
			pe := err.(*ParamError)
			pe.Param, pe.Value = "PromptParams.DigitsFrom", id
			return pe
		}
		s.from = id
	case s.kind == kindChannel:
		s.from = s.id
	default:
		s.from = s.call.ChannelID
	}
	return nil
}

// isDigit reports a digit of the channel whose digits count.
func (s *session) isDigit(ev events.Event) (string, bool) {
	e, ok := ev.(*events.ChannelDTMFReceived)
	if !ok || s.from == "" || e.Channel.ID != s.from || e.Digit == "" {
		return "", false
	}
	return e.Digit, true
}

// watched reports the channels whose end ends the session: the target
// channel and the channel whose digits count.
func (s *session) watched(id string) bool {
	return id != "" && (s.kind == kindChannel && id == s.id || id == s.from)
}

// observe notes what an event passing by says of the session's channels
// and bridge, and returns the error that ends the session when one of
// them is gone. The call's own channel is not reported gone: its
// StasisEnd, which comes first, ends the wait with stasis.ErrCallEnded.
func (s *session) observe(ev events.Event) error {
	switch e := ev.(type) {
	case *events.ChannelHangupRequest:
		if s.watched(e.Channel.ID) {
			s.hangingUp = true
		}
	case *events.ChannelDestroyed:
		if s.watched(e.Channel.ID) && e.Channel.ID != s.call.ChannelID {
			return &stasis.GoneError{Kind: kindChannel, ID: e.Channel.ID, Cause: e.Cause, CauseText: e.CauseTxt}
		}
	case *events.BridgeDestroyed:
		if s.kind == kindBridge && e.Bridge.ID == s.id {
			return &stasis.GoneError{Kind: kindBridge, ID: s.id}
		}
	}
	return nil
}

// next waits for the first event of the call that match takes, until
// deadline (none when zero: then until ctx ends). It fails with
// errTimedOut at the deadline, a *stasis.GoneError when a watched channel
// or the target bridge is destroyed, or Wait's error (stasis.ErrCallEnded,
// ctx's error).
func (s *session) next(ctx context.Context, deadline time.Time, match func(events.Event) bool) (events.Event, error) {
	wctx, gone := context.WithCancelCause(ctx)
	defer gone(nil)
	if !deadline.IsZero() {
		var stop context.CancelFunc
		wctx, stop = context.WithDeadlineCause(wctx, deadline, errTimedOut)
		defer stop()
	}
	ev, err := s.call.Wait(wctx, func(ev events.Event) bool {
		if err := s.observe(ev); err != nil {
			// Ending the wait's context ends the wait, and keeps the
			// event for the handler.
			gone(err)
			return false
		}
		return match(ev)
	})
	if err == nil {
		return ev, nil
	}
	if errors.Is(err, stasis.ErrCallEnded) || ctx.Err() != nil {
		return nil, err
	}
	var g *stasis.GoneError
	if cause := context.Cause(wctx); errors.As(cause, &g) {
		return nil, g
	} else if errors.Is(cause, errTimedOut) {
		return nil, errTimedOut
	}
	return nil, err
}

// play starts a playback of media on the target and returns its id.
func (s *session) play(ctx context.Context, media []string) (string, error) {
	id := stasis.NewID()
	var err error
	if s.kind == kindBridge {
		_, err = s.call.REST().Bridges.Play(ctx, s.id, &resources.BridgePlayParams{Media: media, PlaybackID: id})
	} else {
		_, err = s.call.REST().Channels.Play(ctx, s.id, &resources.ChannelPlayParams{Media: media, PlaybackID: id})
	}
	if err != nil {
		if ctx.Err() != nil {
			// The request may have reached Asterisk.
			_ = s.stopPlayback(ctx, id)
		}
		return "", s.refused(ctx, err)
	}
	return id, nil
}

// stopPlayback stops playback id; one already over is not an error.
func (s *session) stopPlayback(ctx context.Context, id string) error {
	ctx, cancel := cleanupContext(ctx)
	defer cancel()
	err := s.call.REST().Playbacks.Stop(ctx, id)
	if errors.Is(err, ari.ErrNotFound) {
		return nil
	}
	return err
}

// abandon stops playback id after err ended a wait for it, unless the
// call's own channel, its target, is gone, and returns err with the
// stop's own error, if any.
func (s *session) abandon(ctx context.Context, id string, err error) error {
	if errors.Is(err, stasis.ErrCallEnded) && s.id == s.call.ChannelID {
		return err
	}
	if serr := s.stopPlayback(ctx, id); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

// failed returns the error of a playback that failed: when its channel
// was being hung up, the end that follows (see endOr), else pf.
func (s *session) failed(ctx context.Context, pf *stasis.PlaybackFailedError) error {
	if !s.hangingUp {
		return pf
	}
	return s.endOr(ctx, pf)
}

// refused returns the error of a request refused with err: for a 404 (the
// target is gone, or going: the channel hung up meanwhile), the end that
// follows (see endOr), else err.
func (s *session) refused(ctx context.Context, err error) error {
	if !errors.Is(err, ari.ErrNotFound) {
		return err
	}
	return s.endOr(ctx, err)
}

// endOr waits, at most endGrace, for the end of the call
// (stasis.ErrCallEnded) or of the target or DigitsFrom channel
// (*stasis.GoneError), and returns it; or err when neither comes.
func (s *session) endOr(ctx context.Context, err error) error {
	_, end := s.next(ctx, time.Now().Add(endGrace), never)
	var g *stasis.GoneError
	if errors.Is(end, stasis.ErrCallEnded) || errors.As(end, &g) {
		return end
	}
	return err
}

// cleanupContext is the context of a request that cleans up after ctx:
// ctx's values, not its end, bounded by cleanupTimeout.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}

// playbackOf returns the playback of a playback event, if it is one.
func playbackOf(ev events.Event) (*ari.Playback, bool) {
	switch e := ev.(type) {
	case *events.PlaybackStarted:
		return &e.Playback, true
	case *events.PlaybackContinuing:
		return &e.Playback, true
	case *events.PlaybackFinished:
		return &e.Playback, true
	}
	return nil, false
}

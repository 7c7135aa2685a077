package media

import (
	"context"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/stasis"
)

// Play plays media to target, in order, as one playback, and returns once
// it has played (its PlaybackFinished). Each media is a URI Asterisk
// plays: "sound:hello-world", "digits:1234", "number:42",
// "characters:abc", "tone:ring", "recording:<name>".
//
// When ctx ends first, Play stops the playback (DELETE /playbacks/{id})
// and returns an error matching ctx.Err(). It fails with an error
// matching stasis.ErrCallEnded when the call ends meanwhile (the
// playback's channel hangs up), a *stasis.GoneError when another target
// is destroyed, a *stasis.PlaybackFailedError when Asterisk could not
// play it, and a *ParamError, before sending anything, for a target that
// is not one of the call's or no media.
//
// Digits pressed meanwhile are not consumed: they reach the handler, or a
// Prompt that follows in the same method as typed ahead.
func Play(ctx context.Context, call *stasis.Call, target Target, media ...string) error {
	if len(media) == 0 {
		return &ParamError{Param: "media", Value: "", Reason: "no media to play"}
	}
	s, err := newSession(call, target)
	if err != nil {
		return err
	}
	if _, err := s.probe(never); err != nil {
		return err
	}
	id, err := s.play(ctx, media)
	if err != nil {
		return err
	}
	for {
		ev, err := s.next(ctx, time.Time{}, func(ev events.Event) bool {
			pb, ok := playbackOf(ev)
			return ok && pb.ID == id
		})
		if err != nil {
			return s.abandon(ctx, id, err)
		}
		if f, ok := ev.(*events.PlaybackFinished); ok {
			if f.Playback.State == ari.PlaybackStateFailed {
				pb := f.Playback
				return s.failed(ctx, &stasis.PlaybackFailedError{Playback: &pb})
			}
			return nil
		}
	}
}

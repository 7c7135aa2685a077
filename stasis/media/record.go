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

// DefaultRecordFormat is RecordParams.Format's default.
const DefaultRecordFormat = "wav"

// RecordParams says how to record. The zero value records in
// DefaultRecordFormat under a new name, with no limit, until the target
// hangs up (or ctx ends).
type RecordParams struct {
	// Name is the recording's name, which the stored recording keeps
	// (play it as "recording:"+Name). Default: a new id (stasis.NewID).
	Name string
	// Format is the file format, e.g. "wav" or "gsm". Default
	// DefaultRecordFormat.
	Format string
	// MaxDuration ends the recording after this long, rounded up to whole
	// seconds. 0: no limit.
	MaxDuration time.Duration
	// MaxSilence ends the recording after this long a silence, rounded up
	// to whole seconds. 0: no limit.
	MaxSilence time.Duration
	// IfExists says what to do when a recording of that name exists:
	// fail (Asterisk's default), overwrite or append.
	IfExists resources.RecordIfExists
	// Beep plays a beep when the recording begins.
	Beep bool
	// TerminateOn is the DTMF that ends the recording: none (Asterisk's
	// default), any, * or #. Only a channel's recording sees digits.
	TerminateOn resources.RecordTerminateOn
}

// RecordResult is a finished recording.
type RecordResult struct {
	// Recording is the recording as its RecordingFinished reported it:
	// Name, Format, Duration (in seconds), and with MaxSilence the
	// talking and silence durations.
	Recording ari.LiveRecording
	// DTMF holds the digits pressed on the recorded channel while it
	// recorded, in order, e.g. the TerminateOn digit that ended it.
	DTMF string
	// HungUp reports that the recorded channel was hung up during the
	// recording, which ended it.
	HungUp bool
}

// Record records target (a channel's audio, or a bridge's mix) and
// returns once the recording has finished: on MaxDuration, MaxSilence,
// TerminateOn, or when the recorded channel hangs up (Asterisk then
// finishes the recording, so a caller who hangs up leaves a recording:
// RecordResult.HungUp; the call ends after).
//
// When ctx ends first, Record stops the recording (what was recorded is
// kept, under p.Name) and returns an error matching ctx.Err(). It fails
// with a *stasis.RecordingFailedError when Asterisk reports the recording
// failed, an error matching stasis.ErrCallEnded when the call ends
// before the recording does, a *stasis.GoneError when the target bridge
// is destroyed, and a *ParamError, before sending anything, for bad
// params. Asterisk's refusals (a name that exists, an unknown format, a
// channel in a bridge) are the *ari.Error of the request.
func Record(ctx context.Context, call *stasis.Call, target Target, p RecordParams) (RecordResult, error) {
	maxDur, err := seconds("RecordParams.MaxDuration", p.MaxDuration)
	if err != nil {
		return RecordResult{}, err
	}
	maxSil, err := seconds("RecordParams.MaxSilence", p.MaxSilence)
	if err != nil {
		return RecordResult{}, err
	}
	s, err := newSession(call, target)
	if err != nil {
		return RecordResult{}, err
	}
	if s.kind == kindChannel {
		s.from = s.id
	}
	if _, err := s.probe(never); err != nil {
		return RecordResult{}, err
	}
	if p.Name == "" {
		p.Name = stasis.NewID()
	}
	if p.Format == "" {
		p.Format = DefaultRecordFormat
	}
	if err := s.record(ctx, &p, maxDur, maxSil); err != nil {
		return RecordResult{}, err
	}
	var res RecordResult
	for {
		ev, err := s.next(ctx, time.Time{}, func(ev events.Event) bool {
			if _, ok := s.isDigit(ev); ok {
				return true
			}
			switch e := ev.(type) {
			case *events.RecordingStarted:
				return e.Recording.Name == p.Name
			case *events.RecordingFinished:
				return e.Recording.Name == p.Name
			case *events.RecordingFailed:
				return e.Recording.Name == p.Name
			}
			return false
		})
		if err != nil {
			return RecordResult{}, s.abandonRecording(ctx, p.Name, err)
		}
		if d, ok := s.isDigit(ev); ok {
			res.DTMF += d
			continue
		}
		switch e := ev.(type) {
		case *events.RecordingFinished:
			res.Recording = e.Recording
			res.HungUp = s.hangingUp
			return res, nil
		case *events.RecordingFailed:
			rec := e.Recording
			return RecordResult{}, &stasis.RecordingFailedError{Recording: &rec}
		}
	}
}

// seconds converts a limit to whole seconds, rounding up.
func seconds(param string, d time.Duration) (int, error) {
	if d < 0 {
		return 0, &ParamError{Param: param, Value: d.String(), Reason: "negative"}
	}
	return int((d + time.Second - 1) / time.Second), nil
}

// record starts the recording p describes on the target.
func (s *session) record(ctx context.Context, p *RecordParams, maxDur, maxSil int) error {
	var err error
	if s.kind == kindBridge {
		_, err = s.call.REST().Bridges.Record(ctx, s.id, &resources.BridgeRecordParams{
			Name: p.Name, Format: p.Format, MaxDurationSeconds: maxDur, MaxSilenceSeconds: maxSil,
			IfExists: p.IfExists, Beep: p.Beep, TerminateOn: p.TerminateOn,
		})
	} else {
		_, err = s.call.REST().Channels.Record(ctx, s.id, &resources.ChannelRecordParams{
			Name: p.Name, Format: p.Format, MaxDurationSeconds: maxDur, MaxSilenceSeconds: maxSil,
			IfExists: p.IfExists, Beep: p.Beep, TerminateOn: p.TerminateOn,
		})
	}
	if err != nil {
		if ctx.Err() != nil {
			// The request may have reached Asterisk.
			_ = s.abandonRecording(ctx, p.Name, err)
		}
		return s.refused(ctx, err)
	}
	return nil
}

// abandonRecording stops recording name after err ended the wait for it,
// unless the call's own channel, its target, is gone (which ended the
// recording), and returns err with the stop's own error, if any.
func (s *session) abandonRecording(ctx context.Context, name string, err error) error {
	if errors.Is(err, stasis.ErrCallEnded) && s.id == s.call.ChannelID {
		return err
	}
	ctx, cancel := cleanupContext(ctx)
	defer cancel()
	serr := s.call.REST().Recordings.Stop(ctx, name)
	if serr != nil && !errors.Is(serr, ari.ErrNotFound) && !errors.Is(serr, ari.ErrConflict) {
		return errors.Join(err, serr)
	}
	return err
}

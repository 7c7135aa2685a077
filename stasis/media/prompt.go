package media

import (
	"context"
	"errors"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/stasis"
)

// The default timeouts of PromptParams (those of CyCoreSystems/ari's
// ext/play).
const (
	// DefaultFirstDigitTimeout is how long a prompt waits for a first
	// digit after it has played.
	DefaultFirstDigitTimeout = 4 * time.Second
	// DefaultInterDigitTimeout ends an entry this long after its last
	// digit.
	DefaultInterDigitTimeout = 3 * time.Second
	// DefaultOverallTimeout bounds an entry, from the prompt's end.
	DefaultOverallTimeout = 3 * time.Minute
)

// PromptParams says what a prompt plays and which entry it waits for.
// The zero value plays nothing and waits DefaultFirstDigitTimeout for an
// entry of any digits that ends DefaultInterDigitTimeout after the last
// one.
type PromptParams struct {
	// Media is the prompt: media URIs played in order, as one playback.
	// The first digit stops it (barge-in). Empty: the prompt only
	// collects.
	Media []string
	// Invalid is played before Media when an attempt is replayed because
	// its entry was invalid (e.g. "sound:option-is-invalid").
	Invalid []string
	// NoInput is played before Media when an attempt is replayed because
	// nothing was entered in time.
	NoInput []string

	// DigitsFrom is the channel whose digits count, one of the call's
	// channels. Default: the target channel, or the call's own channel
	// when the target is a bridge. Other channels' digits reach the
	// handler.
	DigitsFrom string

	// MaxDigits ends the entry once it is this long. 0: no limit (with
	// Match, the longest entry of Match is one).
	MaxDigits int
	// Terminator holds the digits that end the entry when pressed, e.g.
	// "#"; they are not part of it. An entry ended by a terminator alone
	// is empty, which is invalid unless Valid accepts it.
	Terminator string
	// Match lists the valid entries. An entry is over as soon as it is
	// one of them and no longer one starts with it, and invalid as soon
	// as none starts with it (a "3" in a 1-or-2 menu needs no timeout).
	// Nil: any entry that is not empty is valid (see Valid).
	Match []string
	// Valid, when set, judges the entry once it is over (by MaxDigits, a
	// terminator, Match or a timeout); with Match, an entry must be in
	// both.
	Valid func(digits string) bool

	// FirstDigitTimeout is how long the prompt waits for a first digit
	// after the prompt has played. Default DefaultFirstDigitTimeout;
	// negative: no wait (only a digit pressed while it plays counts).
	FirstDigitTimeout time.Duration
	// InterDigitTimeout ends the entry this long after its last digit.
	// Default DefaultInterDigitTimeout; negative: no wait.
	InterDigitTimeout time.Duration
	// OverallTimeout bounds an attempt's entry, from the end of the prompt
	// (or its barge-in). Default DefaultOverallTimeout; negative: no wait.
	OverallTimeout time.Duration

	// Replays is how many more attempts follow one that timed out or was
	// invalid, each playing the prompt again (after Invalid or NoInput).
	// 0: one attempt.
	Replays int
}

// Status says how a prompt ended.
type Status uint8

// The statuses of a prompt.
const (
	// StatusComplete: a valid entry was made.
	StatusComplete Status = iota + 1
	// StatusTimeout: nothing was entered in time, on the last attempt.
	StatusTimeout
	// StatusInvalid: the last attempt's entry was invalid.
	StatusInvalid
)

// String names the status, e.g. "complete".
func (s Status) String() string {
	switch s {
	case StatusComplete:
		return "complete"
	case StatusTimeout:
		return "timeout"
	case StatusInvalid:
		return "invalid"
	}
	return "unknown"
}

// PromptResult is what a prompt collected.
type PromptResult struct {
	// Digits is the last attempt's entry, without its terminator: valid
	// with StatusComplete, invalid with StatusInvalid, empty with
	// StatusTimeout.
	Digits string
	// Status says how the prompt ended.
	Status Status
	// Attempts is how many times the prompt ran (1 + the replays used).
	Attempts int
}

// Prompt plays p.Media to target and collects an entry of digits, and
// does so again, up to p.Replays times, while the entry is invalid or
// missing. The first digit stops the prompt (barge-in); the entry ends
// with p.MaxDigits, a terminator, p.Match, or a timeout. Only the digits
// of one channel count (PromptParams.DigitsFrom); digits the handler has
// not been given yet count as typed ahead (see the package
// documentation).
//
// A prompt that ran its course returns a nil error, whatever its Status.
// It fails with an error matching ctx.Err() when ctx ends (the prompt is
// stopped), stasis.ErrCallEnded when the call ends, a *stasis.GoneError
// when another target or the DigitsFrom channel is destroyed, a
// *stasis.PlaybackFailedError when Asterisk could not play the prompt,
// and a *ParamError, before sending anything, for bad params.
func Prompt(ctx context.Context, call *stasis.Call, target Target, p PromptParams) (PromptResult, error) {
	r, err := p.rules()
	if err != nil {
		return PromptResult{}, err
	}
	s, err := newSession(call, target)
	if err != nil {
		return PromptResult{}, err
	}
	if err := s.digitsFrom(p.DigitsFrom); err != nil {
		return PromptResult{}, err
	}
	var res PromptResult
	for res.Attempts <= p.Replays {
		media := p.Media
		switch {
		case res.Status == StatusInvalid && len(p.Invalid) > 0:
			media = append(append([]string(nil), p.Invalid...), p.Media...)
		case res.Status == StatusTimeout && len(p.NoInput) > 0:
			media = append(append([]string(nil), p.NoInput...), p.Media...)
		}
		res.Attempts++
		res.Digits, res.Status, err = s.collect(ctx, media, &r)
		if err != nil {
			return PromptResult{}, err
		}
		if res.Status == StatusComplete {
			break
		}
	}
	return res, nil
}

// attempt is one attempt of a prompt: its playback and its entry.
type attempt struct {
	s *session
	// pb is the prompt's playback id ("" when none was started).
	pb string
	// playing: the prompt plays; stopped: a digit stopped it; started and
	// finished: its PlaybackStarted and PlaybackFinished were seen.
	playing, stopped, started, finished bool
}

// ours reports the events of the attempt's playback.
func (a *attempt) ours(ev events.Event) bool {
	pb, ok := playbackOf(ev)
	return ok && a.pb != "" && pb.ID == a.pb
}

// collect plays media, unless a digit was typed ahead, and collects an
// entry.
func (s *session) collect(ctx context.Context, media []string, r *entryRules) (string, Status, error) {
	a := &attempt{s: s}
	isDigit := func(ev events.Event) bool { _, ok := s.isDigit(ev); return ok }
	ahead, err := s.probe(isDigit)
	if err != nil {
		return "", 0, err
	}
	var begun, last time.Time // the entry's start (the prompt's end) and last digit
	if ahead == nil && len(media) > 0 {
		if a.pb, err = s.play(ctx, media); err != nil {
			return "", 0, err
		}
		a.playing = true
	} else {
		begun = time.Now()
	}
	var entry string
	for {
		ev := ahead
		ahead = nil
		if ev == nil {
			var deadline time.Time
			if !a.playing {
				deadline = r.deadline(entry, begun, last)
			}
			ev, err = s.next(ctx, deadline, func(ev events.Event) bool { return isDigit(ev) || a.ours(ev) })
			switch {
			case errors.Is(err, errTimedOut):
				if entry == "" {
					return "", StatusTimeout, nil
				}
				return a.end(ctx, entry, r.final(entry))
			case err != nil:
				if a.playing {
					err = s.abandon(ctx, a.pb, err)
				}
				return "", 0, err
			}
		}
		if d, ok := s.isDigit(ev); ok {
			if a.playing {
				// Barge-in.
				a.playing, a.stopped = false, true
				if err := s.stopPlayback(ctx, a.pb); err != nil {
					return "", 0, err
				}
			}
			last = time.Now()
			if begun.IsZero() {
				begun = last
			}
			if strings.Contains(r.term, d) {
				return a.end(ctx, entry, r.final(entry))
			}
			entry += d
			if v := r.step(entry); v != needMore {
				return a.end(ctx, entry, v)
			}
			continue
		}
		switch e := ev.(type) {
		case *events.PlaybackStarted:
			a.started = true
		case *events.PlaybackFinished:
			a.finished = true
			if a.stopped {
				continue
			}
			a.playing = false
			begun = time.Now()
			if e.Playback.State == ari.PlaybackStateFailed {
				pb := e.Playback
				return "", 0, s.failed(ctx, &stasis.PlaybackFailedError{Playback: &pb})
			}
		}
	}
}

// end ends the attempt with entry and its verdict, once the
// PlaybackFinished of a prompt it stopped has come (within drainGrace):
// that event is the prompt's, not the handler's.
func (a *attempt) end(ctx context.Context, entry string, v verdict) (string, Status, error) {
	if a.stopped && a.started && !a.finished {
		deadline := time.Now().Add(drainGrace)
		for !a.finished {
			ev, err := a.s.next(ctx, deadline, a.ours)
			if err != nil {
				// Whatever ended the wait, the entry was made; the
				// next wait meets the call's end or ctx's again.
				break
			}
			_, a.finished = ev.(*events.PlaybackFinished)
		}
	}
	if v == accept {
		return entry, StatusComplete, nil
	}
	return entry, StatusInvalid, nil
}

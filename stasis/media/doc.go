// Package media plays media, prompts for digits and records, in a call
// flow of package stasis: each helper sends its request, then waits, in
// the call's own goroutine, for what ends it, and returns a typed result.
//
//	func (h *menu) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
//		if err := h.call.Answer(ctx); err != nil {
//			return err
//		}
//		res, err := media.Prompt(ctx, h.call, media.Primary, media.PromptParams{
//			Media:   []string{"sound:press-1-for-sales-2-for-support"},
//			Invalid: []string{"sound:option-is-invalid"},
//			Match:   []string{"1", "2"},
//			Replays: 1,
//		})
//		if err != nil {
//			return err // errors.Is(err, stasis.ErrCallEnded) when the caller hung up
//		}
//		if res.Status != media.StatusComplete {
//			return media.Play(ctx, h.call, media.Primary, "sound:goodbye")
//		}
//		...
//	}
//
// [Play] plays a list of media and returns when it has played. [Prompt]
// plays a prompt and collects an entry of digits: barge-in on the first
// digit, maximum digits, terminators, first, inter-digit and overall
// timeouts, replays with an invalid-entry and a no-input prompt, and a
// list or a function of valid entries. [Record] records and returns when
// the recording has finished.
//
// # Where they run
//
// The helpers wait with [stasis.Call.Wait], so they run where a wait may:
// in a handler's On<Event> methods, the factory, or an AfterFunc or Post
// func of the call; elsewhere they fail with [stasis.ErrNotCallGoroutine]
// before sending anything (where stasis can tell: while the call's
// goroutine is idle or waiting). They start no goroutine. While one runs, the
// call's other events are held and reach the handler, in order, once the
// method that called it returns (see [stasis.Call.Wait]).
//
// # Targets
//
// A [Target] is the call's own channel ([Primary]), or one of the
// channels or bridges the call owns or has joined ([Channel], [Bridge]):
// one whose events reach the call. Any other target fails with a
// *ParamError before anything is sent. A prompt counts only the digits of
// one channel: the target channel, or the call's own channel when the
// target is a bridge (PromptParams.DigitsFrom chooses another of the
// call's channels). An agent leg's digits never count as the caller's.
//
// # Endings and errors
//
//   - ctx bounds each helper: when it ends, the playback or recording in
//     progress is stopped (a recording keeps what it has recorded) and the
//     helper returns an error matching ctx.Err().
//   - When the call ends meanwhile (the caller hangs up, the runtime shuts
//     down), the error matches [stasis.ErrCallEnded]; a handler method may
//     return it as is, which ends the call normally. So does a request
//     Asterisk refuses with 404 because the channel has just hung up, and
//     a playback that fails because its channel is hanging up.
//   - When another target, or the channel whose digits count, is
//     destroyed first, the error is a *[stasis.GoneError].
//   - A playback Asterisk could not play (a missing sound) is a
//     *[stasis.PlaybackFailedError]; a failed recording a
//     *[stasis.RecordingFailedError].
//   - Bad arguments are a *ParamError, found before anything is sent.
//
// # Which events they consume
//
// A helper consumes the events of the playbacks and recordings it starts
// (PlaybackStarted, PlaybackContinuing, PlaybackFinished, RecordingStarted,
// RecordingFinished, RecordingFailed), the digits a prompt collects, and
// the digits pressed on a recorded channel while it records (reported in
// RecordResult.DTMF); every other event reaches the handler. Digits the
// handler has not been given yet when a prompt begins (pressed during a
// Play that precedes it in the same method, say) are typed ahead: they
// start the entry, and the prompt is not played, or is stopped at once.
// A playback stopped by a barge-in is waited for, briefly (at most a
// second), so that its PlaybackFinished does not reach the handler; one
// stopped because ctx ended is not.
//
// # Limits
//
// Stopping a playback or a recording after ctx ended uses a context of its
// own, bounded to 5 seconds. A playback that fails while its channel is
// being hung up, and a request refused with 404, wait up to 2 seconds for
// the call's (or the target's) end, so that a hangup reports
// stasis.ErrCallEnded (or a *stasis.GoneError) rather than a failure.
package media

package media_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// The examples run against the simulated Asterisk of package aritest, so
// they run with go test; against a real Asterisk, only Config.Client
// changes.

// ivr asks for 1 or 2, once more after a wrong key, and says what it got.
type ivr struct{ call *stasis.Call }

func (h *ivr) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	res, err := media.Prompt(ctx, h.call, media.Primary, media.PromptParams{
		Media:             []string{"sound:press-1-for-sales-2-for-support"},
		Invalid:           []string{"sound:option-is-invalid"},
		Match:             []string{"1", "2"},
		FirstDigitTimeout: 5 * time.Second,
		Replays:           1,
	})
	if err != nil {
		return err // stasis.ErrCallEnded if the caller hung up: the call just ends
	}
	fmt.Printf("entry %q: %s after %d attempts\n", res.Digits, res.Status, res.Attempts)
	return h.call.Hangup(ctx, resources.HangupReasonNormal)
}

// The caller presses 3 during the menu, hears that it is invalid, and
// presses 1 during that announcement: each key stops what plays.
func ExamplePrompt() {
	// A sound lasts a second: a key stops it long before.
	simulate(time.Second, func(ctx context.Context, call *stasis.Call) (any, error) { return &ivr{call: call}, nil },
		func(ctx context.Context, cur *aritest.EventCursor, phone *aritest.Phone) {
			untilPlaying(ctx, cur, "sound:press-1-for-sales-2-for-support")
			_ = phone.SendDTMF("3")
			untilPlaying(ctx, cur, "sound:option-is-invalid")
			_ = phone.SendDTMF("1")
			_ = phone.WaitEnd(ctx)
			fmt.Println("the caller heard", phone.MediaHeard())
		})
	// Output:
	// entry "1": complete after 2 attempts
	// the caller heard [sound:press-1-for-sales-2-for-support sound:option-is-invalid]
}

// greeter plays a welcome and a number, then rings for at most 100ms.
type greeter struct{ call *stasis.Call }

func (h *greeter) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := media.Play(ctx, h.call, media.Primary, "sound:welcome", "digits:42"); err != nil {
		return err
	}
	fmt.Println("played")
	ringing, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err := media.Play(ringing, h.call, media.Primary, "tone:ring") // a tone plays until stopped
	fmt.Println("the tone stopped at the deadline:", errors.Is(err, context.DeadlineExceeded))
	return h.call.Hangup(ctx, resources.HangupReasonNormal)
}

// Play returns once its media have played, or stops them when its
// context ends.
func ExamplePlay() {
	simulate(20*time.Millisecond, func(ctx context.Context, call *stasis.Call) (any, error) { return &greeter{call: call}, nil },
		func(ctx context.Context, cur *aritest.EventCursor, phone *aritest.Phone) {
			_ = phone.WaitEnd(ctx)
			fmt.Println("the caller heard", phone.MediaHeard())
		})
	// Output:
	// played
	// the tone stopped at the deadline: true
	// the caller heard [sound:welcome digits:42 tone:ring]
}

// voicemail records a message until # and plays it back.
type voicemail struct{ call *stasis.Call }

func (h *voicemail) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	res, err := media.Record(ctx, h.call, media.Primary, media.RecordParams{
		Name:        "vm-" + h.call.Caller.Number,
		Beep:        true,
		MaxDuration: 2 * time.Minute,
		TerminateOn: resources.RecordTerminateOnHash,
	})
	if err != nil {
		return err
	}
	fmt.Printf("recorded %s.%s, ended by %q\n", res.Recording.Name, res.Recording.Format, res.DTMF)
	if err := media.Play(ctx, h.call, media.Primary, "recording:"+res.Recording.Name); err != nil {
		return err
	}
	return h.call.Hangup(ctx, resources.HangupReasonNormal)
}

// Record returns once the recording has finished: here, when the caller
// presses #.
func ExampleRecord() {
	simulate(20*time.Millisecond, func(ctx context.Context, call *stasis.Call) (any, error) { return &voicemail{call: call}, nil },
		func(ctx context.Context, cur *aritest.EventCursor, phone *aritest.Phone) {
			_, _ = cur.Next(ctx, aritest.Type("RecordingStarted"))
			phone.Talk(50 * time.Millisecond)
			time.Sleep(50 * time.Millisecond)
			_ = phone.SendDTMF("#")
			_ = phone.WaitEnd(ctx)
			fmt.Println("the caller heard", phone.MediaHeard())
		})
	// Output:
	// recorded vm-1001.wav, ended by "#"
	// the caller heard [recording:vm-1001]
}

// simulate serves an app, "demo", made by newHandler, against a simulated
// Asterisk where a media item lasts playback, and runs caller as the far
// end of one call from 1001.
func simulate(playback time.Duration, newHandler stasis.Factory, caller func(ctx context.Context, cur *aritest.EventCursor, phone *aritest.Phone)) {
	tm := aritest.FastTiming()
	tm.Playback = playback
	tm.RecordingSilence = aritest.Never
	srv := aritest.NewServer(aritest.Config{Timing: tm, Sounds: []string{"press-1-for-sales-2-for-support", "option-is-invalid"}})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	rt, err := stasis.New(stasis.Config{Client: srv.Client(), Apps: []stasis.App{{Name: "demo", New: newHandler}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	defer func() { _ = rt.Shutdown(ctx); <-done }()
	_ = srv.WaitApp(ctx, "demo")

	cur := srv.Cursor()
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "demo", Answer: true, Caller: ari.CallerID{Number: "1001"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	caller(ctx, cur, phone)
}

// untilPlaying waits, from cur on, until uri plays.
func untilPlaying(ctx context.Context, cur *aritest.EventCursor, uri string) {
	_, _ = cur.Next(ctx, func(se aritest.SentEvent) bool {
		e, ok := se.Event.(*events.PlaybackStarted)
		return ok && e.Playback.MediaURI == uri
	})
}

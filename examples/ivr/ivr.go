package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
)

// Prompts are the sounds the IVR plays.
type Prompts struct {
	Welcome string // played first
	Menu    string // "press 1 for ..., 2 for ..., # to finish"
	Option1 string // played on 1
	Option2 string // played on 2
	Goodbye string // played before hanging up
}

// DefaultPrompts are sounds of Asterisk's core sound set.
var DefaultPrompts = Prompts{
	Welcome: "sound:hello-world",
	Menu:    "sound:demo-instruct",
	Option1: "sound:demo-congrats",
	Option2: "sound:tt-monkeys",
	Goodbye: "sound:vm-goodbye",
}

// Transcript collects one readable line per step of each call.
type Transcript struct {
	// Live, if set, also gets every line as it happens.
	Live io.Writer

	mu    sync.Mutex
	calls map[string][]string
	order []string
}

// Add records a line for a call.
func (t *Transcript) Add(call, format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.calls == nil {
		t.calls = map[string][]string{}
	}
	if _, ok := t.calls[call]; !ok {
		t.order = append(t.order, call)
	}
	line := fmt.Sprintf(format, args...)
	t.calls[call] = append(t.calls[call], line)
	if t.Live != nil {
		fmt.Fprintf(t.Live, "[%s] %s\n", call, line)
	}
}

// Wait waits until a line of call contains text.
func (t *Transcript) Wait(ctx context.Context, call, text string) error {
	for {
		for _, l := range t.Lines(call) {
			if strings.Contains(l, text) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %q in the transcript of %s: %w", text, call, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// Lines returns the lines of one call.
func (t *Transcript) Lines(call string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.calls[call]...)
}

// String renders every call's lines, calls in the order they started.
func (t *Transcript) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	for _, c := range t.order {
		fmt.Fprintf(&b, "call %s\n", c)
		for _, l := range t.calls[c] {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	return b.String()
}

// IVRApp is the seed application of ex_ari's example: it answers, plays a
// welcome and a menu, and reacts to DTMF: 1 and 2 stop the current prompt
// and play another, # says goodbye and hangs up, other digits are
// collected.
func IVRApp(name string, prompts Prompts, t *Transcript) stasis.App {
	return stasis.App{
		Name: name,
		New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &ivrCall{call: call, prompts: prompts, t: t, key: call.ChannelID}, nil
		},
	}
}

// ivrCall is the handler of one call.
type ivrCall struct {
	call    *stasis.Call
	prompts Prompts
	t       *Transcript
	key     string

	playing string // id of the current playback, "" when silent
	media   string // what it plays
	digits  []string
	leaving bool
}

func (h *ivrCall) say(format string, args ...any) { h.t.Add(h.key, format, args...) }

func (h *ivrCall) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	h.say("entered %s (caller %q <%s>, extension %s)", h.call.App, h.call.Caller.Name, h.call.Caller.Number, e.Channel.Dialplan.Exten)
	if err := h.call.Answer(ctx); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	h.say("answered")
	return h.play(ctx, h.prompts.Welcome)
}

// play starts media on the call, naming the playback first so that its
// events can be matched.
func (h *ivrCall) play(ctx context.Context, media string) error {
	id := stasis.NewID()
	h.playing, h.media = id, media
	_, err := h.call.REST().Channels.PlayWithID(ctx, h.call.ChannelID, id, &resources.ChannelPlayWithIDParams{Media: []string{media}})
	if err != nil {
		h.playing = ""
		return fmt.Errorf("play %s: %w", media, err)
	}
	h.say("playing %s", media)
	return nil
}

// stop stops the current prompt, if any.
func (h *ivrCall) stop(ctx context.Context) error {
	if h.playing == "" {
		return nil
	}
	id, media := h.playing, h.media
	h.playing = ""
	if err := h.call.REST().Playbacks.Stop(ctx, id); err != nil && !errors.Is(err, ari.ErrNotFound) {
		return fmt.Errorf("stop %s: %w", media, err)
	}
	h.say("stopped %s", media)
	return nil
}

func (h *ivrCall) OnPlaybackFinished(ctx context.Context, e *events.PlaybackFinished) error {
	if e.Playback.ID != h.playing {
		return nil // a prompt we stopped
	}
	h.playing = ""
	h.say("finished %s (%s)", e.Playback.MediaURI, e.Playback.State)
	switch {
	case h.leaving:
		h.say("hanging up")
		return h.call.Hangup(ctx, resources.HangupReasonNormal)
	case e.Playback.MediaURI == h.prompts.Welcome:
		return h.play(ctx, h.prompts.Menu)
	}
	return nil
}

func (h *ivrCall) OnChannelDTMFReceived(ctx context.Context, e *events.ChannelDTMFReceived) error {
	if h.leaving {
		return nil
	}
	switch e.Digit {
	case "1", "2":
		h.say("pressed %s", e.Digit)
		if err := h.stop(ctx); err != nil {
			return err
		}
		if e.Digit == "1" {
			return h.play(ctx, h.prompts.Option1)
		}
		return h.play(ctx, h.prompts.Option2)
	case "#":
		h.say("pressed #: collected %q", strings.Join(h.digits, ""))
		h.leaving = true
		if err := h.stop(ctx); err != nil {
			return err
		}
		return h.play(ctx, h.prompts.Goodbye)
	default:
		h.digits = append(h.digits, e.Digit)
		h.say("collected %s", e.Digit)
	}
	return nil
}

func (h *ivrCall) OnChannelHangupRequest(ctx context.Context, e *events.ChannelHangupRequest) error {
	if !h.leaving {
		h.say("caller hung up")
	}
	return nil
}

func (h *ivrCall) OnStasisEnd(ctx context.Context, e *events.StasisEnd) error {
	h.say("left %s", h.call.App)
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// Prompts are the sounds the IVR plays, and how long it waits for a key.
type Prompts struct {
	Welcome string // played first
	Menu    string // "press 1 for ..., 2 for ..., # to finish"
	Option1 string // played on 1
	Option2 string // played on 2
	Goodbye string // played before hanging up
	// Timeout is how long the IVR waits for a key once a prompt has
	// played: then it plays the menu again, or, after the menu, says
	// goodbye.
	Timeout time.Duration
}

// DefaultPrompts are sounds of Asterisk's core sound set.
var DefaultPrompts = Prompts{
	Welcome: "sound:hello-world",
	Menu:    "sound:demo-instruct",
	Option1: "sound:demo-congrats",
	Option2: "sound:tt-monkeys",
	Goodbye: "sound:vm-goodbye",
	Timeout: 10 * time.Second,
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

// IVRApp is the seed application of ex_ari's example, as a call flow: it
// answers, plays a welcome, then the menu, and reacts to each key: 1 and
// 2 play an option, # says goodbye and hangs up, other keys are
// collected. A key stops the prompt playing (barge-in); with no key
// within prompts.Timeout the menu plays again, or, after the menu, the IVR
// says goodbye.
func IVRApp(name string, prompts Prompts, t *Transcript) stasis.App {
	return stasis.App{
		Name: name,
		New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return &ivrCall{call: call, prompts: prompts, t: t, key: call.ChannelID}, nil
		},
	}
}

// ivrCall is the handler of one call. Its flow runs in OnStasisStart, in
// straight-line code: the media helpers wait for the call's events in the
// call's own goroutine.
type ivrCall struct {
	call    *stasis.Call
	prompts Prompts
	t       *Transcript
	key     string
}

func (h *ivrCall) say(format string, args ...any) { h.t.Add(h.key, format, args...) }

// OnStasisStart runs the call's flow until it hangs up or the caller
// does.
func (h *ivrCall) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	h.say("entered %s (caller %q <%s>, extension %s)", h.call.App, h.call.Caller.Name, h.call.Caller.Number, e.Channel.Dialplan.Exten)
	if err := h.call.Answer(ctx); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	h.say("answered")
	err := h.flow(ctx)
	if errors.Is(err, stasis.ErrCallEnded) {
		// Not a failure: the call just ends.
		h.say("caller hung up")
	}
	return err
}

// flow plays the welcome and serves the menu.
func (h *ivrCall) flow(ctx context.Context) error {
	h.say("playing %s", h.prompts.Welcome)
	if err := media.Play(ctx, h.call, media.Primary, h.prompts.Welcome); err != nil {
		return err
	}
	h.say("played %s", h.prompts.Welcome)
	prompt, collected := h.prompts.Menu, ""
	for {
		// Play prompt (if any) and wait for one key.
		p := media.PromptParams{MaxDigits: 1, FirstDigitTimeout: h.prompts.Timeout}
		if prompt != "" {
			h.say("playing %s", prompt)
			p.Media = []string{prompt}
		}
		res, err := media.Prompt(ctx, h.call, media.Primary, p)
		if err != nil {
			return err
		}
		if res.Status == media.StatusTimeout {
			h.say("no key")
			if prompt == h.prompts.Menu {
				return h.goodbye(ctx)
			}
			prompt = h.prompts.Menu
			continue
		}
		switch key := res.Digits; key {
		case "1":
			h.say("pressed 1")
			prompt = h.prompts.Option1
		case "2":
			h.say("pressed 2")
			prompt = h.prompts.Option2
		case "#":
			h.say("pressed #: collected %q", collected)
			return h.goodbye(ctx)
		default:
			collected += key
			h.say("collected %s", key)
			prompt = "" // wait for the next key in silence
		}
	}
}

// goodbye plays the goodbye and hangs up.
func (h *ivrCall) goodbye(ctx context.Context) error {
	h.say("playing %s", h.prompts.Goodbye)
	if err := media.Play(ctx, h.call, media.Primary, h.prompts.Goodbye); err != nil {
		return err
	}
	h.say("hanging up")
	return h.call.Hangup(ctx, resources.HangupReasonNormal)
}

func (h *ivrCall) OnStasisEnd(ctx context.Context, e *events.StasisEnd) error {
	h.say("left %s", h.call.App)
	return nil
}

package main

import (
	"context"
	"errors"
	"time"

	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// The sounds the app plays. The menu is a recording of your own
// (Asterisk's core sounds have none); the others are core sounds.
const (
	Menu    = "sound:press-1-for-sales-2-for-support"
	Invalid = "sound:option-is-invalid" // before the menu again, after a wrong key
	Busy    = "sound:is-curntly-busy"   // when the agent does not take the call
	Goodbye = "sound:vm-goodbye"        // when no valid key was pressed
)

// Config says whom the app dials and how long it waits for a key.
type Config struct {
	// Agents maps each key of the menu to the endpoint it dials.
	Agents map[string]string
	// DigitTimeout is how long the menu waits for a key once played.
	DigitTimeout time.Duration
}

// DefaultConfig dials PJSIP/sales on 1 and PJSIP/support on 2, and waits
// 5 seconds for a key.
var DefaultConfig = Config{Agents: map[string]string{"1": "PJSIP/sales", "2": "PJSIP/support"}, DigitTimeout: 5 * time.Second}

// App is the agent app: it answers, plays the menu (a key stops it) and
// waits for one key, replaying the menu once after a wrong key or none;
// then it dials the agent of that key and bridges the caller with them.
// When either hangs up, so does the other.
func App(name string, cfg Config) stasis.App {
	return stasis.App{Name: name, New: func(ctx context.Context, call *stasis.Call) (any, error) {
		return &agentCall{call: call, cfg: cfg}, nil
	}}
}

// agentCall is the handler of one caller's call.
type agentCall struct {
	call *stasis.Call
	cfg  Config
}

// OnStasisStart runs the caller's flow: the menu, the choice, the agent's
// call and the bridge.
func (a *agentCall) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if a.call.Leg(e).Kind != stasis.LegPrimary {
		return nil // the agent's leg, after the flow stopped waiting for it
	}
	if err := a.call.Answer(ctx); err != nil {
		return err
	}
	choice, err := media.Prompt(ctx, a.call, media.Primary, media.PromptParams{
		Media: []string{Menu}, Invalid: []string{Invalid}, Replays: 1, FirstDigitTimeout: a.cfg.DigitTimeout,
		MaxDigits: 1, Valid: func(key string) bool { return a.cfg.Agents[key] != "" },
	})
	if err != nil {
		return err // stasis.ErrCallEnded when the caller hung up: the call just ends
	} else if choice.Status != media.StatusComplete {
		return a.goodbye(ctx, Goodbye)
	}
	agent, err := a.call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: a.cfg.Agents[choice.Digits], CallerID: a.call.Caller})
	if err != nil {
		return err
	}
	var gone *stasis.GoneError
	if _, err := a.call.WaitStasisStart(ctx, agent.ID); errors.As(err, &gone) {
		return a.goodbye(ctx, Busy) // busy, rejected, not answered
	} else if err != nil {
		return err
	}
	bridge, err := a.call.CreateBridge(ctx, &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}})
	if err != nil {
		return err
	}
	return a.call.REST().Bridges.AddChannel(ctx, bridge.ID, &resources.BridgeAddChannelParams{Channel: []string{a.call.ChannelID, agent.ID}})
}

// OnStasisEnd hangs the caller up when the agent's leg leaves. When the
// caller leaves first, the call ends: the runtime hangs up the agent's
// leg and destroys the bridge, which the call created.
func (a *agentCall) OnStasisEnd(ctx context.Context, e *events.StasisEnd) error {
	if a.call.Leg(e).Kind == stasis.LegOriginated {
		return a.call.Hangup(ctx, resources.HangupReasonNormal)
	}
	return nil
}

// goodbye plays sound, then hangs up, whether the caller heard it all or
// hung up first.
func (a *agentCall) goodbye(ctx context.Context, sound string) error {
	return errors.Join(media.Play(ctx, a.call, media.Primary, sound), a.call.Hangup(ctx, resources.HangupReasonNormal))
}

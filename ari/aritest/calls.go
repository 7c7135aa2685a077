package aritest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// Call is the far end of a call of the simulated "Test" technology: a
// phone that called in (Server.PlaceCall) or that an application dialled
// (an originate or a dial to Test/<name>). Its methods act as the phone
// does: send DTMF, hang up, answer or reject a call ringing it.
type Call struct {
	s        *Server
	id       string
	outbound bool
	done     chan struct{}

	// guarded by s.mu
	ch           *channel
	ended        bool
	cause        int
	last         ari.Channel
	dtmfHeard    []byte
	mediaHeard   []string
	redirects    []string
	onHold       bool
	talkingUntil time.Time
}

// CallParams describes an inbound call for PlaceCall.
type CallParams struct {
	// App, when set, sends the call straight into this Stasis application
	// (as an extension running Stasis(App,Args...)), without the dialplan.
	App string
	// Args are the application arguments (with App).
	Args []string
	// Answer answers the call before it enters App (as Answer() would);
	// otherwise the channel is in state Ring. Ignored without App: the
	// dialplan decides.
	Answer bool
	// Context and Extension are where the call lands: the dialplan
	// location it runs (without App) or shows (with App). Defaults
	// "default" and "s".
	Context, Extension string
	// Caller is the caller id.
	Caller ari.CallerID
	// Endpoint names the calling Test endpoint: the channel is
	// Test/<Endpoint>-<n>. Default "phone".
	Endpoint string
	// ChannelID is the channel's unique id; default a generated one.
	ChannelID string
	// Variables are set on the channel before it enters the dialplan.
	Variables map[string]string
	// Language of the channel; default Config.Language.
	Language string
}

// PlaceCall places an inbound call from a Test phone. The channel enters
// the dialplan (or App) before PlaceCall returns, so a connected
// application has already been sent StasisStart.
func (s *Server) PlaceCall(p CallParams) (*Call, error) {
	if p.Context == "" {
		p.Context = "default"
	}
	if p.Extension == "" {
		p.Extension = "s"
	}
	if p.Endpoint == "" {
		p.Endpoint = "phone"
	}
	s.mu.Lock()
	defer s.unlock()
	if s.closed {
		return nil, ErrClosed
	}
	var steps []Step
	if p.App != "" {
		if p.Answer {
			steps = append(steps, Step{App: "Answer"})
		}
		steps = append(steps, Step{App: "Stasis", Data: stasisData(p.App, p.Args)})
	} else {
		var exists bool
		steps, exists = s.dp.lookup(p.Context, p.Extension)
		if !exists {
			return nil, fmt.Errorf("aritest: PlaceCall: no context %q in the dialplan", p.Context)
		}
		if len(steps) == 0 {
			return nil, fmt.Errorf("aritest: PlaceCall: no extension %q in context %q", p.Extension, p.Context)
		}
	}
	id := p.ChannelID
	if id == "" {
		id = s.newUniqueID()
	} else if s.channelIDTaken(id) {
		return nil, fmt.Errorf("aritest: PlaceCall: channel %q exists", id)
	}
	ch := s.newChannel(id, "Test/"+p.Endpoint+"-"+s.nextChanSuffix(), "Test", p.Endpoint, stateRing)
	ch.caller = p.Caller
	if p.Language != "" {
		ch.language = p.Language
	}
	ch.dp = ari.DialplanCEP{Context: p.Context, Exten: p.Extension, Priority: 1}
	keys := make([]string, 0, len(p.Variables))
	for k := range p.Variables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.writeVar(ch, k, p.Variables[k], false)
	}
	c := &Call{s: s, id: id, ch: ch, done: make(chan struct{})}
	ch.call = c
	s.calls[id] = c
	s.send(&events.ChannelCreated{Channel: ch.snapshot()}, target{ch: ch})
	s.startSteps(ch, p.Context, p.Extension, 1, steps)
	return c, nil
}

// end marks the call ended. Call with s.mu held.
func (c *Call) end() {
	if c.ended {
		return
	}
	c.ended = true
	if c.ch != nil {
		c.last = c.ch.snapshot()
		c.cause = c.ch.cause
	}
	close(c.done)
}

// ID returns the channel's unique id.
func (c *Call) ID() string { return c.id }

// Outbound reports whether the call was dialled by Asterisk (an originate
// or a dial to Test/...) rather than placed with PlaceCall.
func (c *Call) Outbound() bool { return c.outbound }

// Channel returns a snapshot of the channel (its last state once ended).
func (c *Call) Channel() ari.Channel {
	c.s.mu.Lock()
	defer c.s.unlock()
	if c.ended {
		return c.last
	}
	return c.ch.snapshot()
}

// State returns the channel's state ("Ring", "Ringing", "Up", ...).
func (c *Call) State() string { return string(c.Channel().State) }

// Done is closed when the channel has been destroyed.
func (c *Call) Done() <-chan struct{} { return c.done }

// Cause returns the hangup cause once the call has ended, else 0.
func (c *Call) Cause() int {
	c.s.mu.Lock()
	defer c.s.unlock()
	return c.cause
}

// live returns the channel, or ErrCallEnded. Call with s.mu held.
func (c *Call) live() (*channel, error) {
	if c.ended || c.ch == nil || c.ch.gone || c.ch.dying {
		return nil, ErrCallEnded
	}
	return c.ch, nil
}

// SendDTMF makes the phone send digits (0-9, A-D, *, #; 'w' pauses 500ms):
// each arrives as ChannelDtmfReceived on the call's channel, Timing.
// DTMFDuration long and Timing.DTMFGap apart. It returns at once; use
// WaitEvent or an EventCursor to wait for the digits.
func (c *Call) SendDTMF(digits string) error {
	c.s.mu.Lock()
	defer c.s.unlock()
	ch, err := c.live()
	if err != nil {
		return err
	}
	t := c.s.cfg.Timing
	c.s.queueDTMF(ch, digits, 0, t.DTMFGap, t.DTMFDuration, 0, true)
	return nil
}

// Hangup hangs the call up from the phone's side with a cause (16 for a
// normal clearing when cause is 0): ChannelHangupRequest with that cause,
// then what Asterisk does for the channel (StasisEnd, the dialplan's h
// extension, ChannelDestroyed).
func (c *Call) Hangup(cause int) error {
	c.s.mu.Lock()
	defer c.s.unlock()
	ch, err := c.live()
	if err != nil {
		return err
	}
	if cause <= 0 {
		cause = 16
	}
	if ch.dial != nil && !ch.dial.answered && c.outbound {
		c.s.outboundFailed(ch, cause)
		return nil
	}
	c.s.hangupRequest(ch, cause, cause, false)
	return nil
}

// errNotRinging is returned by Answer, Ring and Reject for a call that is
// not an unanswered outbound call.
var errNotRinging = errors.New("aritest: the call is not an unanswered outbound call")

// Answer answers an outbound call that is ringing the phone.
func (c *Call) Answer() error {
	c.s.mu.Lock()
	defer c.s.unlock()
	ch, err := c.live()
	if err != nil {
		return err
	}
	if !c.outbound || ch.dial == nil || ch.dial.answered {
		return errNotRinging
	}
	if !ch.dial.dialed {
		return errors.New("aritest: the channel has not been dialled yet")
	}
	c.s.outboundAnswered(ch)
	return nil
}

// Ring makes the phone of an outbound call report ringing (state Ringing
// and a Dial event with dialstatus RINGING). Dialled Test channels ring by
// themselves; Ring is for a second indication.
func (c *Call) Ring() error {
	c.s.mu.Lock()
	defer c.s.unlock()
	ch, err := c.live()
	if err != nil {
		return err
	}
	if !c.outbound || ch.dial == nil || ch.dial.answered {
		return errNotRinging
	}
	c.s.outboundRinging(ch)
	return nil
}

// Reject refuses an outbound call that is ringing the phone with a cause
// (17 busy, 21 rejected, 34 congestion...; 0 means 21): a hangup request,
// a Dial event with the matching status (BUSY, CONGESTION, NOANSWER or
// CHANUNAVAIL) and the channel's destruction.
func (c *Call) Reject(cause int) error {
	c.s.mu.Lock()
	defer c.s.unlock()
	ch, err := c.live()
	if err != nil {
		return err
	}
	if !c.outbound || ch.dial == nil || ch.dial.answered {
		return errNotRinging
	}
	if cause <= 0 {
		cause = 21
	}
	c.s.outboundFailed(ch, cause)
	return nil
}

// Hold puts the call on hold from the phone's side (ChannelHold).
func (c *Call) Hold() error { return c.hold(true) }

// Unhold takes the call off hold from the phone's side (ChannelUnhold).
func (c *Call) Unhold() error { return c.hold(false) }

func (c *Call) hold(on bool) error {
	c.s.mu.Lock()
	defer c.s.unlock()
	ch, err := c.live()
	if err != nil {
		return err
	}
	if on {
		c.s.send(&events.ChannelHold{Channel: ch.snapshot()}, target{ch: ch})
	} else {
		c.s.send(&events.ChannelUnhold{Channel: ch.snapshot()}, target{ch: ch})
	}
	return nil
}

// Talk makes the phone send audio for d, so that a recording of the call
// does not end on silence meanwhile.
func (c *Call) Talk(d time.Duration) {
	c.s.mu.Lock()
	defer c.s.unlock()
	c.talkingUntil = time.Now().Add(d)
}

// DTMFHeard returns the DTMF digits the phone received (channels.sendDTMF
// on its channel).
func (c *Call) DTMFHeard() string {
	c.s.mu.Lock()
	defer c.s.unlock()
	return string(c.dtmfHeard)
}

// MediaHeard returns the media URIs played to the phone (channel and
// bridge playbacks), in order.
func (c *Call) MediaHeard() []string {
	c.s.mu.Lock()
	defer c.s.unlock()
	return append([]string(nil), c.mediaHeard...)
}

// OnHold reports whether the application put the phone on hold
// (channels.hold).
func (c *Call) OnHold() bool {
	c.s.mu.Lock()
	defer c.s.unlock()
	return c.onHold
}

// Redirects returns the endpoints the application redirected the call to
// (channels.redirect), in order.
func (c *Call) Redirects() []string {
	c.s.mu.Lock()
	defer c.s.unlock()
	return append([]string(nil), c.redirects...)
}

// WaitState waits until the channel is in state (e.g. "Up"). It fails
// with ErrCallEnded if the call ends first.
func (c *Call) WaitState(ctx context.Context, state string) error {
	return c.s.waitFor(ctx, func() (bool, error) {
		if c.ended {
			return false, ErrCallEnded
		}
		return c.ch.state == state, nil
	})
}

// WaitEnd waits until the channel is destroyed.
func (c *Call) WaitEnd(ctx context.Context) error {
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Events returns the events sent about the call's channel (those whose
// ChannelIDs include it), to any application, oldest first.
func (c *Call) Events() []SentEvent {
	c.s.mu.Lock()
	defer c.s.unlock()
	var out []SentEvent
	var ids [8]string
	c.s.events.each(0, func(e *logEntry) bool {
		for _, id := range e.event().AppendChannelIDs(ids[:0]) {
			if id == c.id {
				out = append(out, e.sent())
				break
			}
		}
		return true
	})
	return out
}

// WaitEvent waits for an event of the given type about the call's channel,
// from the start of the event log.
func (c *Call) WaitEvent(ctx context.Context, eventType string) (events.Event, error) {
	return c.s.WaitEvent(ctx, func(e events.Event) bool {
		if e.EventType() != eventType {
			return false
		}
		var ids [8]string
		for _, id := range e.AppendChannelIDs(ids[:0]) {
			if id == c.id {
				return true
			}
		}
		return false
	})
}

// Calls returns the Test calls in progress, oldest first.
func (s *Server) Calls() []*Call {
	s.mu.Lock()
	defer s.unlock()
	out := make([]*Call, 0, len(s.calls))
	for _, c := range s.calls {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].ch, out[j].ch
		if !a.created.Equal(b.created) {
			return a.created.Before(b.created)
		}
		return a.id < b.id
	})
	return out
}

// Call returns the Test call of the channel id, or nil.
func (s *Server) Call(id string) *Call {
	s.mu.Lock()
	defer s.unlock()
	return s.calls[id]
}

// WaitCall waits for a Test call in progress for which match reports true
// (nil matches any), e.g. the outbound call an application dials. match
// runs with the server locked and must not call the server or the call.
func (s *Server) WaitCall(ctx context.Context, match func(*Call) bool) (*Call, error) {
	var found *Call
	err := s.waitFor(ctx, func() (bool, error) {
		for _, c := range s.calls {
			if match == nil || match(c) {
				found = c
				return true, nil
			}
		}
		return false, nil
	})
	return found, err
}

// Channels returns snapshots of the channels, oldest first.
func (s *Server) Channels() []ari.Channel {
	s.mu.Lock()
	defer s.unlock()
	chans := s.sortedChannels()
	out := make([]ari.Channel, 0, len(chans))
	for _, ch := range chans {
		out = append(out, ch.snapshot())
	}
	return out
}

// Channel returns a snapshot of the channel id and whether it exists.
func (s *Server) Channel(id string) (ari.Channel, bool) {
	s.mu.Lock()
	defer s.unlock()
	ch := s.channels[id]
	if ch == nil {
		return ari.Channel{}, false
	}
	return ch.snapshot(), true
}

// ChannelVar returns a channel variable (or dialplan function) as the
// dialplan reads it.
func (s *Server) ChannelVar(id, name string) (string, bool) {
	s.mu.Lock()
	defer s.unlock()
	ch := s.channels[id]
	if ch == nil {
		return "", false
	}
	return s.readVar(ch, name)
}

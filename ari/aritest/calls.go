package aritest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// Phone is the far end of a call: a simulated phone driven by the test.
// It either called in (Server.PlaceCall) or was dialled by an application
// (an originate or a dial to Test/<name>, or to a PJSIP, SIP or IAX2
// endpoint the server knows: see Config.Endpoints). It is not the
// application's side of the call (a
// *stasis.Call, for instance). Its methods do what a person at the phone
// does (send DTMF, hang up, answer or reject a call ringing it) and tell
// what that person heard. A Phone serves one call and is done when its
// channel is destroyed.
type Phone struct {
	s        *Server
	id       string
	endpoint string // "Test/alice", "PJSIP/alice"
	outbound bool
	done     chan struct{}

	// guarded by s.mu
	ch           *channel
	reached      bool // an outbound call has reached the phone: it rang
	ended        bool
	cause        int
	last         ari.Channel
	dtmfHeard    []byte
	mediaHeard   []string
	redirects    []string
	onHold       bool
	talkingUntil time.Time
}

// PlaceCallParams describes an inbound call for Server.PlaceCall.
type PlaceCallParams struct {
	// App, when set, sends the call straight into this Stasis application
	// (as an extension running Stasis(App,Args...)), without the dialplan.
	App string
	// Args are the application arguments (with App).
	Args []string
	// Broadcast, when set, offers the call to the connected applications
	// (as an extension running StasisBroadcast(...), see BroadcastParams),
	// without the dialplan: the first application to claim it gets it.
	// App and Broadcast are exclusive.
	Broadcast *BroadcastParams
	// Answer answers the call before it enters App or Broadcast (as
	// Answer() would); otherwise the channel is in state Ring. Ignored
	// without App or Broadcast: the dialplan decides.
	Answer bool
	// Context and Extension are where the call lands: the dialplan
	// location it runs (without App or Broadcast) or shows (with them).
	// Defaults "default" and "s".
	Context, Extension string
	// Caller is the caller id.
	Caller ari.CallerID
	// Endpoint names the calling endpoint: "alice" or "Test/alice" (the
	// channel is Test/alice-<n>), or "PJSIP/alice", "SIP/alice" or
	// "IAX2/alice" for a phone of that technology (PJSIP/alice-<n>).
	// Default "phone".
	Endpoint string
	// ChannelID is the channel's unique id; default a generated one.
	ChannelID string
	// Variables are set on the channel before it enters the dialplan.
	Variables map[string]string
	// Language of the channel; default Config.Language.
	Language string
}

// PlaceCall places an inbound call from a Test phone and returns that
// phone. The channel enters the dialplan (or App, or Broadcast) before
// PlaceCall returns, so a connected application has already been sent
// StasisStart (or CallBroadcast), unless Answer makes it wait.
// A missing dialplan context or extension, a ChannelID in use, or invalid
// BroadcastParams are errors.
func (s *Server) PlaceCall(p PlaceCallParams) (*Phone, error) {
	if p.Context == "" {
		p.Context = "default"
	}
	if p.Extension == "" {
		p.Extension = "s"
	}
	if p.Endpoint == "" {
		p.Endpoint = "phone"
	}
	tech, resource, ok := strings.Cut(p.Endpoint, "/")
	if !ok {
		tech, resource = "Test", p.Endpoint
	}
	tech = phoneTech(tech)
	if tech == "" || resource == "" {
		return nil, fmt.Errorf("%w: PlaceCall: endpoint %q: the simulated phones are Test/, PJSIP/, SIP/ and IAX2/ endpoints", ErrInvalid, p.Endpoint)
	}
	var broadcastData string
	if p.Broadcast != nil {
		if p.App != "" {
			return nil, fmt.Errorf("%w: PlaceCall: App and Broadcast are exclusive", ErrInvalid)
		}
		var err error
		if broadcastData, err = p.Broadcast.data(); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.unlock()
	if s.closed {
		return nil, ErrClosed
	}
	var steps []Step
	if p.App != "" || p.Broadcast != nil {
		if p.Answer {
			steps = append(steps, Step{App: "Answer"})
		}
		if p.Broadcast != nil {
			steps = append(steps, Step{App: "StasisBroadcast", Data: broadcastData})
		} else {
			steps = append(steps, Step{App: "Stasis", Data: stasisData(p.App, p.Args)})
		}
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
	ch := s.newChannel(id, tech+"/"+resource+"-"+s.nextChanSuffix(), tech, resource, stateRing)
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
	phone := &Phone{s: s, id: id, endpoint: tech + "/" + resource, ch: ch, done: make(chan struct{})}
	ch.phone = phone
	s.phones[id] = phone
	s.send(&events.ChannelCreated{Channel: ch.snapshot()}, target{ch: ch})
	s.startSteps(ch, p.Context, p.Extension, 1, steps)
	return phone, nil
}

// end marks the call ended. Call with s.mu held.
func (p *Phone) end() {
	if p.ended {
		return
	}
	p.ended = true
	if p.ch != nil {
		p.last = p.ch.snapshot()
		p.cause = p.ch.cause
	}
	close(p.done)
}

// ID returns the channel's unique id.
func (p *Phone) ID() string { return p.id }

// Endpoint returns the phone's endpoint, technology and resource:
// "Test/alice", or "PJSIP/alice" for a phone an application dialled as
// PJSIP/alice (or PJSIP/alice/sip:..., or PJSIP/100@alice).
func (p *Phone) Endpoint() string { return p.endpoint }

// Outbound reports whether the phone was dialled by Asterisk (an
// originate or a dial to Test/...) rather than placed a call with
// PlaceCall.
func (p *Phone) Outbound() bool { return p.outbound }

// Channel returns a snapshot of the channel (its last state once ended).
func (p *Phone) Channel() ari.Channel {
	p.s.mu.Lock()
	defer p.s.runlock()
	if p.ended {
		return p.last
	}
	return p.ch.snapshot()
}

// State returns the channel's state (ari.ChannelStateRing, Ringing, Up,
// ...).
func (p *Phone) State() ari.ChannelState { return p.Channel().State }

// Done is closed when the channel has been destroyed.
func (p *Phone) Done() <-chan struct{} { return p.done }

// Cause returns the hangup cause once the call has ended, else 0.
func (p *Phone) Cause() int {
	p.s.mu.Lock()
	defer p.s.runlock()
	return p.cause
}

// live returns the channel, or ErrCallEnded. Call with s.mu held.
func (p *Phone) live() (*channel, error) {
	if p.ended || p.ch == nil || p.ch.gone || p.ch.dying {
		return nil, ErrCallEnded
	}
	return p.ch, nil
}

// SendDTMF makes the phone send digits (0-9, A-D, *, #; 'w' pauses 500ms):
// each arrives as ChannelDTMFReceived on the call's channel, Timing.
// DTMFDuration long and Timing.DTMFGap apart. It returns at once; use
// WaitEvent or an EventCursor to wait for the digits.
func (p *Phone) SendDTMF(digits string) error {
	p.s.mu.Lock()
	defer p.s.unlock()
	ch, err := p.live()
	if err != nil {
		return err
	}
	t := p.s.cfg.Timing
	p.s.queueDTMF(ch, digits, 0, t.DTMFGap, t.DTMFDuration, 0, true)
	return nil
}

// Hangup hangs the call up from the phone's side for a reason (""
// means resources.HangupReasonNormal), whose hangup cause is the one
// channels.hangup gives it (normal 16, busy 17, no_answer 19, congestion
// 34, ...): ChannelHangupRequest with that cause, then what Asterisk does
// for the channel (StasisEnd, the dialplan's h extension,
// ChannelDestroyed). An unknown reason is an error matching ErrInvalid.
func (p *Phone) Hangup(reason resources.HangupReason) error {
	cause, err := reasonCause(reason, resources.HangupReasonNormal)
	if err != nil {
		return err
	}
	p.s.mu.Lock()
	defer p.s.unlock()
	ch, err := p.live()
	if err != nil {
		return err
	}
	if ch.dial != nil && !ch.dial.answered && p.outbound {
		p.s.outboundFailed(ch, cause)
		return nil
	}
	p.s.hangupRequest(ch, cause, cause, false)
	return nil
}

// errNotRinging is returned by Answer, Ring and Reject for a call that is
// not an unanswered outbound call.
var errNotRinging = errors.New("aritest: the call is not an unanswered outbound call")

// errNotDialled is returned by Answer, Ring and Reject for an outbound
// call that has not reached the phone yet (Server.WaitPhone waits for it).
var errNotDialled = errors.New("aritest: the channel has not been dialled yet")

// ringing returns the channel of an outbound call ringing the phone. Call
// with s.mu held.
func (p *Phone) ringing() (*channel, error) {
	ch, err := p.live()
	if err != nil {
		return nil, err
	}
	if !p.outbound || ch.dial == nil || ch.dial.answered {
		return nil, errNotRinging
	}
	if !p.reached {
		return nil, errNotDialled
	}
	return ch, nil
}

// Answer answers an outbound call that is ringing the phone.
func (p *Phone) Answer() error {
	p.s.mu.Lock()
	defer p.s.unlock()
	ch, err := p.ringing()
	if err != nil {
		return err
	}
	p.s.outboundAnswered(ch)
	return nil
}

// Ring makes the phone of an outbound call report ringing (state Ringing
// and a Dial event with dialstatus RINGING). Dialled Test channels ring by
// themselves; Ring is for a second indication.
func (p *Phone) Ring() error {
	p.s.mu.Lock()
	defer p.s.unlock()
	ch, err := p.ringing()
	if err != nil {
		return err
	}
	p.s.outboundRinging(ch)
	return nil
}

// Reject refuses an outbound call that is ringing the phone for a reason
// (resources.HangupReasonBusy, HangupReasonCongestion,
// HangupReasonNoAnswer...; "" means HangupReasonRejected), with the cause
// channels.hangup gives it: a hangup request, a Dial event with the
// matching status (BUSY, CONGESTION, NOANSWER or CHANUNAVAIL) and the
// channel's destruction. An unknown reason is an error matching
// ErrInvalid.
func (p *Phone) Reject(reason resources.HangupReason) error {
	cause, err := reasonCause(reason, resources.HangupReasonRejected)
	if err != nil {
		return err
	}
	p.s.mu.Lock()
	defer p.s.unlock()
	ch, err := p.ringing()
	if err != nil {
		return err
	}
	p.s.outboundFailed(ch, cause)
	return nil
}

// Hold puts the call on hold from the phone's side (ChannelHold).
func (p *Phone) Hold() error { return p.hold(true) }

// Unhold takes the call off hold from the phone's side (ChannelUnhold).
func (p *Phone) Unhold() error { return p.hold(false) }

func (p *Phone) hold(on bool) error {
	p.s.mu.Lock()
	defer p.s.unlock()
	ch, err := p.live()
	if err != nil {
		return err
	}
	if on {
		p.s.send(&events.ChannelHold{Channel: ch.snapshot()}, target{ch: ch})
	} else {
		p.s.send(&events.ChannelUnhold{Channel: ch.snapshot()}, target{ch: ch})
	}
	return nil
}

// Talk makes the phone send audio for d, so that a recording of the call
// does not end on silence meanwhile.
func (p *Phone) Talk(d time.Duration) {
	p.s.mu.Lock()
	defer p.s.unlock()
	p.talkingUntil = time.Now().Add(d)
}

// DTMFHeard returns the DTMF digits the phone received (channels.sendDTMF
// on its channel).
func (p *Phone) DTMFHeard() string {
	p.s.mu.Lock()
	defer p.s.runlock()
	return string(p.dtmfHeard)
}

// MediaHeard returns the media URIs played to the phone (channel and
// bridge playbacks), in order.
func (p *Phone) MediaHeard() []string {
	p.s.mu.Lock()
	defer p.s.runlock()
	return append([]string(nil), p.mediaHeard...)
}

// OnHold reports whether the application put the phone on hold
// (channels.hold).
func (p *Phone) OnHold() bool {
	p.s.mu.Lock()
	defer p.s.runlock()
	return p.onHold
}

// Redirects returns the endpoints the application redirected the call to
// (channels.redirect), in order.
func (p *Phone) Redirects() []string {
	p.s.mu.Lock()
	defer p.s.runlock()
	return append([]string(nil), p.redirects...)
}

// WaitState waits until the channel is in state (e.g.
// ari.ChannelStateUp). It fails with ErrCallEnded if the call ends first.
func (p *Phone) WaitState(ctx context.Context, state ari.ChannelState) error {
	return p.s.waitFor(ctx, func() (bool, error) {
		if p.ended {
			return false, ErrCallEnded
		}
		return p.ch.state == string(state), nil
	})
}

// WaitEnd waits until the channel is destroyed.
func (p *Phone) WaitEnd(ctx context.Context) error {
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Events returns the events sent about the call's channel (those whose
// ChannelIDs include it), to any application, oldest first.
func (p *Phone) Events() []SentEvent {
	p.s.mu.Lock()
	defer p.s.runlock()
	var out []SentEvent
	var ids [8]string
	p.s.events.each(0, func(e *logEntry) bool {
		for _, id := range events.AppendChannelIDs(ids[:0], e.event()) {
			if id == p.id {
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
func (p *Phone) WaitEvent(ctx context.Context, eventType string) (events.Event, error) {
	return p.s.WaitEvent(ctx, func(e events.Event) bool {
		if e.EventType() != eventType {
			return false
		}
		var ids [8]string
		for _, id := range events.AppendChannelIDs(ids[:0], e) {
			if id == p.id {
				return true
			}
		}
		return false
	})
}

// Phones returns the phones of the calls in progress, oldest first.
func (s *Server) Phones() []*Phone {
	s.mu.Lock()
	defer s.runlock()
	return s.sortedPhones()
}

// sortedPhones returns the phones of the calls in progress, oldest first.
// Call with mu held.
func (s *Server) sortedPhones() []*Phone {
	out := make([]*Phone, 0, len(s.phones))
	for _, p := range s.phones {
		out = append(out, p)
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

// Phone returns the phone whose channel is id, or nil if no call in
// progress has that channel.
func (s *Server) Phone(id string) *Phone {
	s.mu.Lock()
	defer s.runlock()
	return s.phones[id]
}

// WaitPhone waits for the phone of a call in progress for which match
// reports true (nil matches any), e.g. the phone an application dials,
// and returns it; phones are tried oldest first. The phone of an outbound
// call is only considered once the call has reached it (it rings), so
// that Answer or Reject can follow at once; a call placed with PlaceCall
// is considered at once. match runs without the server's lock, at once
// and after each change: it may call the phone (Endpoint, Channel, State,
// ...) or the server.
//
//	bob, err := srv.WaitPhone(ctx, func(p *aritest.Phone) bool { return p.Endpoint() == "PJSIP/bob" })
func (s *Server) WaitPhone(ctx context.Context, match func(*Phone) bool) (*Phone, error) {
	var cands []*Phone
	var found *Phone
	err := s.waitOutside(ctx, func() {
		cands = cands[:0]
		for _, p := range s.sortedPhones() {
			if !p.outbound || p.reached {
				cands = append(cands, p)
			}
		}
	}, func() (bool, error) {
		for _, p := range cands {
			if match == nil || match(p) {
				found = p
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
	defer s.runlock()
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
	defer s.runlock()
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
	defer s.runlock()
	ch := s.channels[id]
	if ch == nil {
		return "", false
	}
	return s.readVar(ch, name)
}

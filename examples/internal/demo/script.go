package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

// Script is what the people at the phones of a demo do, one step after
// the other, in straight-line code. Its errors are sticky: once a step
// fails, the steps that follow do nothing (those that return a phone
// return nil) and Err returns the first error.
//
//	sc := s.Script(ctx)
//	alice := sc.Call(aritest.PlaceCallParams{App: "agent", Caller: ari.CallerID{Name: "Alice"}})
//	sc.Hear(alice, "sound:menu")
//	sc.Press(alice, "1")
//	sc.Report(alice)
//	return sc.Err()
type Script struct {
	s   *Sim
	ctx context.Context
	err error
}

// Script starts a script whose waits end with ctx.
func (s *Sim) Script(ctx context.Context) *Script { return &Script{s: s, ctx: ctx} }

// Err returns the first error of the script's steps.
func (sc *Script) Err() error { return sc.err }

// fail records err, the error of step, unless an earlier step failed.
func (sc *Script) fail(step string, err error) {
	switch {
	case err == nil || sc.err != nil:
	case step == "":
		sc.err = err
	default:
		sc.err = fmt.Errorf("%s: %w", step, err)
	}
}

// ok reports whether the steps so far succeeded, and p (when given) is
// a phone.
func (sc *Script) ok(p ...*aritest.Phone) bool {
	return sc.err == nil && !slices.Contains(p, nil)
}

// Call places a call, whose phone it returns.
func (sc *Script) Call(p aritest.PlaceCallParams) *aritest.Phone {
	if !sc.ok() {
		return nil
	}
	phone, err := sc.s.PlaceCall(p)
	sc.fail("placing a call from "+p.Caller.Name, err)
	return phone
}

// Hear waits until phone has heard uri.
func (sc *Script) Hear(phone *aritest.Phone, uri string) {
	if sc.ok(phone) {
		sc.fail("hearing", sc.s.WaitHeard(sc.ctx, phone, uri))
	}
}

// Press sends digits from phone.
func (sc *Script) Press(phone *aritest.Phone, digits string) {
	if sc.ok(phone) {
		sc.fail(name(phone)+" pressing "+digits, phone.SendDTMF(digits))
	}
}

// Hangup hangs phone up (cause 16, normal clearing).
func (sc *Script) Hangup(phone *aritest.Phone) {
	if sc.ok(phone) {
		sc.fail(name(phone)+" hanging up", phone.Hangup(resources.HangupReasonNormal))
	}
}

// Ringing waits for a call the app dials to endpoint (e.g.
// "PJSIP/sales") to ring, and returns its phone.
func (sc *Script) Ringing(endpoint string) *aritest.Phone {
	if !sc.ok() {
		return nil
	}
	phone, err := sc.s.WaitPhone(sc.ctx, func(p *aritest.Phone) bool { return p.Outbound() && p.Endpoint() == endpoint })
	sc.fail("waiting for "+endpoint+" to ring", err)
	return phone
}

// Answer waits for a call to endpoint to ring, answers it and returns its
// phone.
func (sc *Script) Answer(endpoint string) *aritest.Phone {
	phone := sc.Ringing(endpoint)
	if sc.ok(phone) {
		sc.fail(endpoint+" answering", phone.Answer())
	}
	return phone
}

// Reject waits for a call to endpoint to ring, rejects it for reason and
// returns its phone.
func (sc *Script) Reject(endpoint string, reason resources.HangupReason) *aritest.Phone {
	phone := sc.Ringing(endpoint)
	if sc.ok(phone) {
		sc.fail(endpoint+" rejecting", phone.Reject(reason))
	}
	return phone
}

// Bridged waits until a bridge holds exactly the channels of phones, and
// returns it.
func (sc *Script) Bridged(phones ...*aritest.Phone) ari.Bridge {
	if !sc.ok(phones...) {
		return ari.Bridge{}
	}
	b, err := sc.s.WaitBridge(sc.ctx, func(b ari.Bridge) bool {
		return len(b.Channels) == len(phones) && !slices.ContainsFunc(phones, func(p *aritest.Phone) bool {
			return !slices.Contains(b.Channels, p.ID())
		})
	})
	sc.fail(fmt.Sprintf("waiting for a bridge of %d phones", len(phones)), err)
	return b
}

// NoBridge waits until the simulated Asterisk has no bridge left.
func (sc *Script) NoBridge() {
	if sc.ok() {
		sc.fail("waiting for the bridges to go", sc.s.WaitUntil(sc.ctx, func() bool { return len(sc.s.Bridges()) == 0 }))
	}
}

// Report waits until each of phones has hung up, and prints what it
// heard and its hangup cause; then it waits until the runtime has seen
// the calls end.
func (sc *Script) Report(phones ...*aritest.Phone) {
	for _, p := range phones {
		if !sc.ok(p) {
			return
		}
		if err := p.WaitEnd(sc.ctx); err != nil {
			sc.fail("waiting for "+name(p)+" to hang up", err)
			return
		}
		sc.s.Printf("%s heard %s; hung up with cause %d", name(p), heard(p), p.Cause())
	}
	if sc.ok() {
		sc.fail("", sc.s.WaitIdle(sc.ctx))
	}
}

// Printf prints a line of the demo's report, unless a step failed.
func (sc *Script) Printf(format string, args ...any) {
	if sc.ok() {
		sc.s.Printf(format, args...)
	}
}

// name names a phone: its caller's name, or the endpoint the app dialled.
func name(p *aritest.Phone) string {
	if n := p.Channel().Caller.Name; n != "" && !p.Outbound() {
		return n
	}
	return p.Endpoint()
}

// heard lists the media a phone heard, or says it heard none.
func heard(p *aritest.Phone) string {
	h := p.MediaHeard()
	if len(h) == 0 {
		return "nothing"
	}
	return strings.Join(h, ", ")
}

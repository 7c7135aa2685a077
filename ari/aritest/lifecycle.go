package aritest

import (
	"strconv"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/internal/astparse"
)

// pbx is a channel running the dialplan.
type pbx struct {
	context, exten string
	steps          []Step
	pc             int // index of the next step
	timer          *simTimer
	// answering is set during Answer's pause; the digits that arrive
	// meanwhile are held, as __ast_answer queues back the frames it
	// reads, for the next application to read.
	answering bool
	held      []heldDigit
}

// heldDigit is a DTMF digit received during Answer's pause.
type heldDigit struct {
	digit byte
	ms    int
}

// startPBX makes ch run the dialplan at context/exten/priority. It reports
// false (and hangs the channel up) when there is no such extension.
func (s *Server) startPBX(ch *channel, context, exten string, priority int) bool {
	steps, _ := s.dp.lookup(context, exten)
	if len(steps) == 0 || priority > len(steps) {
		ch.hasPBX = true
		ch.dp = ari.DialplanCEP{Context: context, Exten: exten, Priority: int64(priority)}
		s.endPBX(ch)
		return false
	}
	s.startSteps(ch, context, exten, priority, steps)
	return true
}

// startSteps makes ch run steps as the extension context/exten.
func (s *Server) startSteps(ch *channel, context, exten string, priority int, steps []Step) {
	if priority < 1 {
		priority = 1
	}
	ch.hasPBX = true
	ch.echo, ch.inMOH = false, false
	ch.pbx = &pbx{context: context, exten: exten, steps: steps, pc: priority - 1}
	s.runPBX(ch)
}

// runPBX runs the channel's dialplan from its current step until a step
// waits, blocks or ends the channel.
func (s *Server) runPBX(ch *channel) {
	for {
		p := ch.pbx
		if ch.gone || ch.dying || p == nil {
			return
		}
		p.timer = nil
		held := p.held
		p.answering, p.held = false, nil
		if p.pc >= len(p.steps) {
			s.endPBX(ch)
			return
		}
		st := p.steps[p.pc]
		p.pc++
		data := s.substitute(ch, st.Data)
		s.setDialplan(ch, p.context, p.exten, p.pc, st.App, data)
		wait, cont := s.execApp(ch, st.App, data)
		// The application after Answer reads the digits Answer queued
		// back: Stasis delivers them after StasisStart.
		for _, d := range held {
			if ch.gone || ch.dying {
				break
			}
			s.dtmfReceived(ch, d.digit, d.ms)
		}
		if !cont || ch.gone || ch.dying {
			return
		}
		if ch.pbx != p {
			continue // Goto
		}
		if wait > 0 {
			p.timer = s.after(wait, func() { s.runPBX(ch) })
			return
		}
	}
}

// endPBX is the end of the dialplan (or an invalid extension): Asterisk
// hangs the channel up.
func (s *Server) endPBX(ch *channel) {
	if ch.cause == 0 {
		ch.cause = 16
	}
	s.hangupApp(ch, 16)
}

// execApp runs one dialplan application. wait is how long the channel
// stays in it; cont is false when the dialplan does not go on by itself
// (Stasis, Echo, hangup...).
func (s *Server) execApp(ch *channel, app, data string) (wait time.Duration, cont bool) {
	t := s.cfg.Timing
	switch strings.ToLower(app) {
	case "answer":
		if ch.state != stateUp {
			s.answer(ch)
			if p := ch.pbx; p != nil && t.AnswerDelay > 0 {
				p.answering = true
			}
			return t.AnswerDelay, true
		}
		return 0, true
	case "wait":
		secs, _ := strconv.ParseFloat(strings.TrimSpace(data), 64)
		return time.Duration(secs * float64(t.WaitUnit)), true
	case "playback":
		n := 0
		for _, f := range strings.Split(strings.SplitN(data, ",", 2)[0], "&") {
			if !s.soundExists(f) {
				break
			}
			n++
		}
		ch.dpPlaying = time.Now().Add(time.Duration(n) * t.Playback)
		return time.Duration(n) * t.Playback, true
	case "senddtmf":
		args := strings.Split(data, ",")
		digits := args[0]
		// SendDTMF's defaults: 250ms between digits, 100ms digits (scaled
		// with Timing.DTMFGap and Timing.DTMFDuration, 100ms each by
		// default).
		gap, dur := t.DTMFGap*5/2, t.DTMFDuration
		if len(args) > 1 && args[1] != "" {
			gap = time.Duration(atoi(args[1])) * time.Millisecond
		}
		if len(args) > 2 && args[2] != "" {
			dur = time.Duration(atoi(args[2])) * time.Millisecond
		}
		// The dialplan goes on once the digits are sent (and a gap after
		// the last one, as ast_dtmf_stream waits).
		ch.dtmfDone = func() {
			if p := ch.pbx; p != nil {
				p.timer = s.after(gap, func() { s.runPBX(ch) })
			}
		}
		s.sendDTMFFrom(ch, digits, 0, gap, dur, 0)
		if ch.dtmfTimer == nil && ch.dtmfDone != nil {
			done := ch.dtmfDone
			ch.dtmfDone = nil
			done()
		}
		return 0, false
	case "echo":
		ch.echo = true
		return 0, false
	case "musiconhold":
		ch.inMOH = true
		return 0, false
	case "stasis":
		app, args := astparse.StasisArgs(data)
		if app == "" {
			s.setVar(ch, "STASISSTATUS", "FAILED")
			return 0, true
		}
		if s.activeApp(app) == nil && s.startPerCall(ch, app, args) {
			return 0, false // an outbound per-call websocket (outbound.go)
		}
		if s.enterStasis(ch, app, args) {
			return 0, false
		}
		return 0, true
	case "stasisbroadcast":
		return 0, s.execBroadcast(ch, data) // broadcast.go
	case "hangup":
		cause := 16
		if d := strings.TrimSpace(data); d != "" {
			if n := atoi(d); n > 0 {
				cause = n
			}
		}
		ch.cause = cause
		s.hangupApp(ch, cause)
		return 0, false
	case "ringing":
		s.indicateRinging(ch)
		return 0, true
	case "progress":
		s.indicateProgress(ch)
		return 0, true
	case "set":
		name, value, _ := strings.Cut(data, "=")
		s.writeVar(ch, strings.TrimSpace(name), value, true)
		return 0, true
	case "goto":
		s.gotoLocation(ch, data)
		return 0, true
	case "noop", "verbose", "log":
		return 0, true
	}
	// Asterisk hangs up a channel whose extension runs an unknown
	// application.
	s.hangupApp(ch, 16)
	return 0, false
}

// gotoLocation implements Goto([[context,]exten,]priority).
func (s *Server) gotoLocation(ch *channel, data string) {
	p := ch.pbx
	parts := strings.Split(data, ",")
	ctx, ext := p.context, p.exten
	prio := 1
	switch len(parts) {
	case 1:
		prio = atoi(parts[0])
	case 2:
		ext, prio = parts[0], atoi(parts[1])
	default:
		ctx, ext, prio = parts[0], parts[1], atoi(parts[2])
	}
	steps, _ := s.dp.lookup(ctx, ext)
	if prio < 1 {
		prio = 1
	}
	ch.pbx = &pbx{context: ctx, exten: ext, steps: steps, pc: prio - 1}
}

// substitute expands ${...} references in dialplan data (one level of
// nesting is enough for the functions the simulator knows).
func (s *Server) substitute(ch *channel, data string) string {
	if !strings.Contains(data, "${") {
		return data
	}
	var b strings.Builder
	for {
		i := strings.Index(data, "${")
		if i < 0 {
			b.WriteString(data)
			return b.String()
		}
		b.WriteString(data[:i])
		end := strings.IndexByte(data[i:], '}')
		if end < 0 {
			b.WriteString(data[i:])
			return b.String()
		}
		v, _ := s.readVar(ch, data[i+2:i+end])
		b.WriteString(v)
		data = data[i+end+1:]
	}
}

// answer answers ch (its state becomes Up) and, for the second half of a
// Local pair, the outgoing first half.
func (s *Server) answer(ch *channel) {
	if ch.state == stateUp || ch.gone {
		return
	}
	s.setState(ch, stateUp)
	if ch.tech == "Local" && ch.half == 2 && ch.peer != nil && !ch.peer.gone {
		s.outboundAnswered(ch.peer)
	}
}

// outboundAnswered handles the answer of an outgoing channel by its far
// end: Up, Dial ANSWER, then what the originate asked for.
func (s *Server) outboundAnswered(out *channel) {
	d := out.dial
	if d == nil || d.answered || out.gone || out.dying {
		return
	}
	d.answered = true
	d.timeout.stop()
	d.ringTimer.stop()
	s.setState(out, stateUp)
	s.sendDial(out, "ANSWER", d.answerString)
	if t := out.onAnswer; t != nil {
		out.onAnswer = nil
		if t.appName != "" {
			out.dp.AppName, out.dp.AppData = "Stasis", stasisData(t.appName, t.appArgs)
			if !s.enterStasis(out, t.appName, t.appArgs) {
				s.hangupRequest(out, 16, -1, false)
			}
			return
		}
		s.startPBX(out, t.context, t.exten, t.priority)
	}
}

// indicateRinging is a ring indication sent by ch: the outgoing half of a
// Local pair starts ringing.
func (s *Server) indicateRinging(ch *channel) {
	ch.ringing = true
	if ch.tech == "Local" && ch.half == 2 && ch.peer != nil {
		s.outboundRinging(ch.peer)
	}
}

// outboundRinging is the far end of an outgoing channel ringing.
func (s *Server) outboundRinging(out *channel) {
	d := out.dial
	if d == nil || d.answered || out.gone {
		return
	}
	s.setState(out, stateRinging)
	s.sendDial(out, "RINGING", d.dialString)
}

// indicateProgress is a progress indication sent by ch.
func (s *Server) indicateProgress(ch *channel) {
	if ch.tech == "Local" && ch.half == 2 && ch.peer != nil {
		out := ch.peer
		if d := out.dial; d != nil && !d.answered && !out.gone {
			s.sendDial(out, "PROGRESS", d.dialString)
		}
	}
}

// sendDial sends a Dial event about the outgoing channel out.
func (s *Server) sendDial(out *channel, status, dialString string) {
	ev := &events.Dial{Peer: out.snapshot(), DialStatus: status, DialString: dialString}
	markPresent(ev, "forward", "dialstring")
	t := target{ch: out}
	if d := out.dial; d != nil && d.caller != nil && !d.caller.gone {
		ev.Caller = d.caller.snapshotPtr()
		t.ch2 = d.caller
	}
	s.send(ev, t)
}

// enterStasis puts ch into the application appName. It reports false when
// the application has no websocket connected (STASISSTATUS=FAILED).
func (s *Server) enterStasis(ch *channel, appName string, args []string) bool {
	if args == nil {
		args = []string{}
	}
	ch.dp.AppName, ch.dp.AppData = "Stasis", stasisData(appName, args)
	if !ch.noStasisVarset {
		s.setVar(ch, "STASISSTATUS", "")
	}
	a := s.activeApp(appName)
	if a == nil {
		if !ch.noStasisVarset {
			s.setVar(ch, "STASISSTATUS", "FAILED")
		}
		return false
	}
	s.joinApp(ch, a, args)
	return true
}

// joinApp puts ch into the application a with StasisStart.
func (s *Server) joinApp(ch *channel, a *app, args []string) {
	ch.app, ch.appArgs = a, args
	a.inStasis++
	s.subscribeChannel(a, ch, false)
	s.send(&events.StasisStart{Args: args, Channel: ch.snapshot()}, target{direct: a})
}

// stasisEnd takes ch out of its application with StasisEnd.
func (s *Server) stasisEnd(ch *channel) {
	a := ch.app
	if a == nil {
		return
	}
	if ch.bridge != nil {
		// Leaving Stasis leaves the bridge first.
		s.bridgeLeave(ch.bridge, ch)
	}
	s.send(&events.StasisEnd{Channel: ch.snapshot()}, target{direct: a})
	ch.app, ch.appArgs = nil, nil
	a.inStasis--
	s.unsubscribeChannel(a, ch, false)
	if a.out != nil {
		a.out.stasisEnded(a, ch)
	}
	s.broadcastStasisEnded(ch)
}

// leaveStasisToDialplan ends Stasis for continueInDialplan: StasisEnd,
// STASISSTATUS=SUCCESS, then the dialplan at the location.
func (s *Server) leaveStasisToDialplan(ch *channel, context, exten string, priority int) {
	s.stopMedia(ch, false)
	s.stasisEnd(ch)
	s.setVar(ch, "STASISSTATUS", "SUCCESS")
	s.startPBX(ch, context, exten, priority)
}

// sendHangupRequest sends ChannelHangupRequest.
func (s *Server) sendHangupRequest(ch *channel, cause int, soft bool) {
	ev := &events.ChannelHangupRequest{Cause: cause, Soft: soft, Channel: ch.snapshot()}
	markPresent(ev, "cause")
	s.send(ev, target{ch: ch})
}

// hangupRequest hangs ch up: a ChannelHangupRequest with hrCause (none
// when negative; soft for ARI and dialplan hangups), then the teardown.
// cause is the hangup cause reported by ChannelDestroyed.
func (s *Server) hangupRequest(ch *channel, cause, hrCause int, soft bool) {
	if ch.gone || ch.dying {
		return
	}
	ch.cause = cause
	if hrCause >= 0 {
		s.sendHangupRequest(ch, hrCause, soft)
	}
	s.teardown(ch)
}

// hangupApp is the dialplan's Hangup(): a soft hangup request, then the
// teardown (which runs the h extension).
func (s *Server) hangupApp(ch *channel, cause int) {
	if ch.gone || ch.dying {
		return
	}
	if ch.cause == 0 {
		ch.cause = cause
	}
	s.sendHangupRequest(ch, cause, true)
	ch.hangupAppRan = true
	s.teardown(ch)
}

// teardown ends a channel whose hangup was requested: media, bridge and
// Stasis end, the dialplan runs "h", the other half of a Local pair is hung
// up, and the channel is destroyed. The order of the events is Asterisk's.
func (s *Server) teardown(ch *channel) {
	if ch.gone || ch.dying {
		return
	}
	ch.dying = true
	if ch.pbx != nil {
		ch.pbx.timer.stop()
	}
	ch.dtmfTimer.stop()
	if d := ch.dial; d != nil {
		d.timeout.stop()
		d.ringTimer.stop()
	}
	s.stopMedia(ch, true)
	if ch.bridge != nil {
		s.bridgeLeave(ch.bridge, ch)
	}
	if ch.app != nil {
		s.stasisEnd(ch)
		if !ch.noStasisVarset {
			s.setVar(ch, "STASISSTATUS", "SUCCESS")
		}
	}
	s.broadcastHangup(ch) // StasisBroadcast() waiting for a claim returns
	if ch.hasPBX {
		if !ch.hangupAppRan {
			s.sendHangupRequest(ch, 16, true)
		}
		s.runHExten(ch)
	} else {
		ch.dp.AppName, ch.dp.AppData = ch.outApp, ch.outData
	}
	peer := ch.peer
	if peer != nil && !peer.gone && !peer.dying {
		peer.cause = ch.cause
		s.sendHangupRequest(peer, ch.cause, false)
	}
	s.destroy(ch)
	if peer != nil && !peer.gone && !peer.dying {
		s.teardown(peer)
	}
	for _, sn := range ch.snoops {
		if !sn.gone && !sn.dying {
			s.hangupRequest(sn, 16, 16, false)
		}
	}
}

// runHExten runs the "h" extension of the channel's context.
func (s *Server) runHExten(ch *channel) {
	ctx := ch.dp.Context
	steps, _ := s.dp.lookup(ctx, "h")
	if len(steps) == 0 {
		return
	}
	ch.pbx = nil
	for i, st := range steps {
		data := s.substitute(ch, st.Data)
		s.setDialplan(ch, ctx, "h", i+1, st.App, data)
		if strings.EqualFold(st.App, "Set") {
			name, value, _ := strings.Cut(data, "=")
			s.writeVar(ch, strings.TrimSpace(name), value, true)
		}
	}
	ch.dp = ari.DialplanCEP{Context: ctx, Exten: "h", Priority: int64(len(steps) + 1)}
}

// destroy sends ChannelDestroyed and forgets the channel.
func (s *Server) destroy(ch *channel) {
	if ch.gone {
		return
	}
	ev := &events.ChannelDestroyed{Cause: ch.cause, CauseTxt: causeText(ch.cause), Channel: ch.snapshot()}
	s.send(ev, target{ch: ch})
	ch.gone = true
	delete(s.channels, ch.id)
	s.dropChannelSubs(ch)
	if ch.app != nil {
		ch.app.inStasis--
		ch.app = nil
	}
	if ch.phone != nil {
		ch.phone.end()
		delete(s.phones, ch.id)
	}
}

// destroyAtOnce destroys a channel that never got going (originate to a
// missing context or an application without websocket): ChannelDestroyed
// with cause 0, no hangup request.
func (s *Server) destroyAtOnce(ch *channel) {
	if ch.gone {
		return
	}
	ch.dying = true
	ch.cause = 0
	if d := ch.dial; d != nil {
		d.timeout.stop()
		d.ringTimer.stop()
	}
	s.destroy(ch)
}

package aritest

import (
	"time"

	"gostasis.dev/ari/events"
)

// dtmfDigit is a DTMF digit waiting to be sent from a channel.
type dtmfDigit struct {
	digit    byte
	delay    time.Duration // from the previous digit's event to this one's
	duration time.Duration
	toSelf   bool // sent by the far end (a test script): received by the channel itself
}

// validDTMF reports the digits Asterisk sends.
func validDTMF(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'D' || c >= 'a' && c <= 'd' || c == '*' || c == '#'
}

// sendDTMFFrom queues digits sent by ch (towards its far end) and returns
// how long sending them takes. 'w' pauses 500ms, 'W' a second. Each
// digit's event comes at the end of the digit.
func (s *Server) sendDTMFFrom(ch *channel, digits string, before, between, duration, after time.Duration) time.Duration {
	return s.queueDTMF(ch, digits, before, between, duration, after, false)
}

func (s *Server) queueDTMF(ch *channel, digits string, before, between, duration, after time.Duration, toSelf bool) time.Duration {
	total := before
	pending := before
	first := true
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		switch {
		case c == 'w':
			pending += 500 * time.Millisecond
			total += 500 * time.Millisecond
			continue
		case c == 'W':
			pending += time.Second
			total += time.Second
			continue
		case !validDTMF(c):
			continue
		}
		if !first {
			pending += between
			total += between
		}
		first = false
		pending += duration
		total += duration
		if c >= 'a' && c <= 'd' {
			c -= 'a' - 'A'
		}
		ch.dtmfQueue = append(ch.dtmfQueue, dtmfDigit{digit: c, delay: pending, duration: duration, toSelf: toSelf})
		pending = 0
	}
	if ch.dtmfTimer == nil && len(ch.dtmfQueue) > 0 {
		s.nextDTMF(ch)
	}
	return total + after
}

// nextDTMF arms the timer of the next queued digit.
func (s *Server) nextDTMF(ch *channel) {
	if ch.gone || ch.dying {
		ch.dtmfTimer = nil
		return
	}
	if len(ch.dtmfQueue) == 0 {
		ch.dtmfTimer = nil
		if done := ch.dtmfDone; done != nil {
			ch.dtmfDone = nil
			done()
		}
		return
	}
	d := ch.dtmfQueue[0]
	ch.dtmfTimer = s.after(d.delay, func() {
		ch.dtmfTimer = nil
		if ch.gone || ch.dying || len(ch.dtmfQueue) == 0 {
			return
		}
		ch.dtmfQueue = ch.dtmfQueue[1:]
		ms := int(d.duration / time.Millisecond)
		if d.toSelf {
			s.dtmfReceived(ch, d.digit, ms)
		} else {
			s.dtmfSent(ch, d.digit, ms)
		}
		s.nextDTMF(ch)
	})
}

// dtmfSent delivers a digit sent by ch to its far end: the other half of a
// Local pair receives it; a Test phone hears it.
func (s *Server) dtmfSent(ch *channel, digit byte, ms int) {
	if ch.tech == "Local" && ch.peer != nil && !ch.peer.gone && !ch.peer.dying {
		s.dtmfReceived(ch.peer, digit, ms)
		return
	}
	if ch.phone != nil {
		ch.phone.dtmfHeard = append(ch.phone.dtmfHeard, digit)
	}
}

// dtmfReceived is a digit arriving on ch: ChannelDTMFReceived, a recording
// that ends on it, and Echo() sending it back. During the dialplan's
// Answer pause the digit is held for the next application (runPBX), and
// while StasisBroadcast() waits for a claim, for the application that gets
// the channel.
func (s *Server) dtmfReceived(ch *channel, digit byte, ms int) {
	if p := ch.pbx; p != nil && p.answering {
		p.held = append(p.held, heldDigit{digit, ms})
		return
	}
	if s.broadcastHolds(ch, digit, ms) {
		return
	}
	s.send(&events.ChannelDTMFReceived{Digit: string(digit), DurationMS: ms, Channel: ch.snapshot()}, target{ch: ch})
	if rec, ok := ch.mq.cur.(*liveRecording); ok && rec.terminatesOn(digit) {
		s.finishRecording(rec, "done")
	}
	if ch.echo {
		s.dtmfSent(ch, digit, ms)
	}
}

package aritest

import (
	"crypto/rand"
	"fmt"
	"sort"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/internal/astparse"
)

func sortStrings(v []string) { sort.Strings(v) }

// newUUID returns a random version 4 UUID, as Asterisk gives playbacks.
func (s *Server) newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// sortedChannels returns the channels ordered by creation, then id.
func (s *Server) sortedChannels() []*channel {
	out := make([]*channel, 0, len(s.channels))
	for _, ch := range s.channels {
		out = append(out, ch)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].created.Equal(out[j].created) {
			return out[i].created.Before(out[j].created)
		}
		return out[i].id < out[j].id
	})
	return out
}

func hChannelsList(s *Server, c *reqCtx) reply {
	chans := s.sortedChannels()
	out := make([]ari.Channel, 0, len(chans))
	for _, ch := range chans {
		out = append(out, ch.snapshot())
	}
	return okJSON(out)
}

func hChannelsGet(s *Server, c *reqCtx) reply {
	ch := s.channels[c.path["channelId"]]
	if ch == nil {
		return errReply(404, msgChannelNotFound)
	}
	return okJSON(ch.snapshot())
}

func hChannelsHangup(s *Server, c *reqCtx) reply {
	ch := s.channels[c.path["channelId"]]
	if ch == nil {
		return errReply(404, msgChannelNotFound)
	}
	reason, code := c.str("reason"), c.str("reason_code")
	if reason != "" && code != "" {
		return errReply(400, "The reason and reason_code can't both be specified")
	}
	cause := 16
	switch {
	case code != "":
		n, ok := parseInt(code)
		if !ok {
			return errReply(400, "Invalid reason for hangup reason code provided")
		}
		cause = n
	case reason != "":
		n, ok := hangupReasons[reason]
		if !ok {
			return errReply(400, "Invalid reason for hangup reason provided")
		}
		cause = n
	}
	// ARI hangs up with a soft hangup (AST_SOFTHANGUP_EXPLICIT, 32).
	s.hangupRequest(ch, cause, 32, true)
	return noContent()
}

func parseInt(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	n := atoi(v)
	if n == 0 && strings.Trim(v, "+-0") != "" {
		return 0, false
	}
	return n, true
}

func hChannelsContinueInDialplan(s *Server, c *reqCtx) reply {
	ch, rep := s.findControl(c.path["channelId"])
	if ch == nil {
		return rep
	}
	ctx, ext := c.str("context"), c.str("extension")
	prio := c.int("priority", 0)
	if label := c.str("label"); label != "" {
		prio = 0
	}
	if ctx == "" {
		ctx = ch.dp.Context
	}
	if ext == "" {
		ext = ch.dp.Exten
		if prio == 0 {
			prio = int(ch.dp.Priority) + 1
		}
	}
	if prio <= 0 {
		prio = 1
	}
	// The dialplan runs once the channel has left its application, after
	// the reply.
	s.after(0, func() {
		if ch.gone || ch.dying || ch.app == nil {
			return
		}
		s.leaveStasisToDialplan(ch, ctx, ext, prio)
	})
	return noContent()
}

func hChannelsMove(s *Server, c *reqCtx) reply {
	ch, rep := s.findControl(c.path["channelId"])
	if ch == nil {
		return rep
	}
	appName := c.str("app")
	if appName == "" {
		return errReply(400, "Application name is required")
	}
	args := astparse.MoveArgs(c.str("appArgs"))
	s.after(0, func() {
		if ch.gone || ch.dying || ch.app == nil {
			return
		}
		old := ch.app
		next := s.activeApp(appName)
		if next == nil {
			s.send(&events.ApplicationMoveFailed{Channel: ch.snapshot(), Destination: appName, Args: args}, target{direct: old})
			return
		}
		if next == old {
			return
		}
		br := ch.bridge
		s.send(&events.StasisEnd{Channel: ch.snapshot()}, target{direct: old})
		old.inStasis--
		s.unsubscribeChannel(old, ch, false)
		if br != nil {
			s.unsubscribeBridge(old, br, false)
		}
		ch.app, ch.appArgs = next, args
		next.inStasis++
		s.subscribeChannel(next, ch, false)
		if br != nil {
			s.subscribeBridge(next, br, false)
		}
		s.send(&events.StasisStart{Args: args, Channel: ch.snapshot()}, target{direct: next})
	})
	return noContent()
}

func hChannelsRedirect(s *Server, c *reqCtx) reply {
	ch, rep := s.findControl(c.path["channelId"])
	if ch == nil {
		return rep
	}
	endpoint := c.str("endpoint")
	if endpoint == "" {
		return errReply(400, "Required parameter 'endpoint' not provided.")
	}
	tech, res, ok := strings.Cut(endpoint, "/")
	if !ok {
		return errReply(422, fmt.Sprintf("Endpoint parameter '%s' does not contain tech/resource", endpoint))
	}
	chTech, _, _ := strings.Cut(ch.name, "/")
	if !strings.EqualFold(chTech, tech) {
		return errReply(422, fmt.Sprintf("Endpoint technology '%s' does not match channel technology '%s'", tech, chTech))
	}
	if res == "" {
		return errReply(422, fmt.Sprintf("No resource provided in endpoint parameter '%s'", endpoint))
	}
	// Local channels cannot be redirected (no transfer support): Asterisk
	// accepts the request and nothing happens. A Test phone records it.
	if ch.phone != nil {
		ch.phone.redirects = append(ch.phone.redirects, res)
	}
	return noContent()
}

func hChannelsAnswer(s *Server, c *reqCtx) reply {
	ch, rep := s.findControl(c.path["channelId"])
	if ch == nil {
		return rep
	}
	s.answer(ch)
	return noContent()
}

func hChannelsRing(s *Server, c *reqCtx) reply {
	ch, rep := s.findControlUp(c.path["channelId"])
	if ch == nil {
		return rep
	}
	s.indicateRinging(ch)
	return noContent()
}

func hChannelsProgress(s *Server, c *reqCtx) reply {
	ch, rep := s.findControlUp(c.path["channelId"])
	if ch == nil {
		return rep
	}
	s.indicateProgress(ch)
	return noContent()
}

func muteDirection(c *reqCtx) (in, out bool, r reply, ok bool) {
	dir := c.str("direction")
	if dir == "" {
		dir = "both"
	}
	switch dir {
	case "in":
		return true, false, reply{}, true
	case "out":
		return false, true, reply{}, true
	case "both":
		return true, true, reply{}, true
	}
	return false, false, errReply(400, "Invalid direction specified"), false
}

func hChannelsMute(s *Server, c *reqCtx) reply {
	ch, rep := s.findControlUp(c.path["channelId"])
	if ch == nil {
		return rep
	}
	in, out, rep, ok := muteDirection(c)
	if !ok {
		return rep
	}
	ch.mutedIn = ch.mutedIn || in
	ch.mutedOut = ch.mutedOut || out
	return noContent()
}

func hChannelsUnmute(s *Server, c *reqCtx) reply {
	ch, rep := s.findControlUp(c.path["channelId"])
	if ch == nil {
		return rep
	}
	in, out, rep, ok := muteDirection(c)
	if !ok {
		return rep
	}
	ch.mutedIn = ch.mutedIn && !in
	ch.mutedOut = ch.mutedOut && !out
	return noContent()
}

// holdHeardBy returns the channel that receives a hold indication sent by
// ch: the other half of a Local pair.
func holdHeardBy(ch *channel) *channel {
	if ch.tech == "Local" && ch.peer != nil && !ch.peer.gone {
		return ch.peer
	}
	return nil
}

func hChannelsHold(s *Server, c *reqCtx) reply {
	ch, rep := s.findControlUp(c.path["channelId"])
	if ch == nil {
		return rep
	}
	ch.hold = true
	if p := holdHeardBy(ch); p != nil {
		s.send(&events.ChannelHold{Channel: p.snapshot()}, target{ch: p})
	} else if ch.phone != nil {
		ch.phone.onHold = true
	}
	return noContent()
}

func hChannelsUnhold(s *Server, c *reqCtx) reply {
	ch, rep := s.findControlUp(c.path["channelId"])
	if ch == nil {
		return rep
	}
	ch.hold = false
	if p := holdHeardBy(ch); p != nil {
		s.send(&events.ChannelUnhold{Channel: p.snapshot()}, target{ch: p})
	} else if ch.phone != nil {
		ch.phone.onHold = false
	}
	return noContent()
}

// hChannelFlag returns the handler of an operation that turns one of a
// controlled channel's media states on or off (music on hold, silence,
// ringing).
func hChannelFlag(flag func(*channel) *bool, on bool) func(*Server, *reqCtx) reply {
	return func(s *Server, c *reqCtx) reply {
		ch, rep := s.findControlUp(c.path["channelId"])
		if ch == nil {
			return rep
		}
		*flag(ch) = on
		return noContent()
	}
}

func mohFlag(ch *channel) *bool     { return &ch.moh }
func silenceFlag(ch *channel) *bool { return &ch.silence }
func ringingFlag(ch *channel) *bool { return &ch.ringing }

func hChannelsSendDTMF(s *Server, c *reqCtx) reply {
	ch, rep := s.findControlUp(c.path["channelId"])
	if ch == nil {
		return rep
	}
	digits := c.str("dtmf")
	if digits == "" {
		return errReply(400, "DTMF is required")
	}
	t := s.cfg.Timing
	ms := func(name string, def time.Duration) time.Duration {
		if !c.has(name) {
			return def
		}
		return time.Duration(c.int(name, 0)) * time.Millisecond
	}
	s.sendDTMFFrom(ch, digits, ms("before", 0), ms("between", t.DTMFGap), ms("duration", t.DTMFDuration), ms("after", 0))
	return noContent()
}

package aritest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gostasis.dev/ari/events"
	"gostasis.dev/ari/internal/astparse"
)

// StasisBroadcast() and events.claimChannel, as app_stasis_broadcast.c and
// res_stasis_broadcast.c of Asterisk 22.10.1 do them.

// Limits of StasisBroadcast(timeout,...), in milliseconds.
const (
	defaultBroadcastTimeoutMS = 500
	maxBroadcastTimeoutMS     = 60000
)

// Replies of POST /events/claim (res/ari/resource_events.c).
const (
	msgClaimNoChannelID   = "channelId parameter is required"
	msgClaimNoApplication = "application parameter is required"
	msgClaimNotFound      = "Channel not found or not in broadcast state"
	msgClaimConflict      = "Channel has already been claimed by another application"
)

// BroadcastParams offers a call placed with Server.PlaceCall to the
// connected applications, as an extension running
// StasisBroadcast(timeout,app_filter,args,notify_claimed) does (Asterisk
// 20.17, 22.7, 23.1 and later): the applications the filter matches get
// CallBroadcast, the first to claim the call (POST /events/claim) gets it
// with StasisStart, and the others get 409. Nobody claiming it within
// Timeout sets STASISSTATUS=TIMEOUT and the call hangs up (the end of
// the extension).
type BroadcastParams struct {
	// Timeout is how long the call waits for a claim, in whole
	// milliseconds (rounded up), at most a minute. Zero means Asterisk's
	// default, 500ms; NoDelay (or any negative value) means no wait at
	// all. The simulator does not scale it with Timing.
	Timeout time.Duration
	// Filter is a POSIX extended regular expression: only the
	// applications whose name it matches (anywhere: anchor it with ^ and
	// $) get CallBroadcast and CallClaimed. Empty means every connected
	// application. A filter Asterisk rejects (longer than 256 bytes, more
	// than 3 quantified groups, groups nested more than 10 deep, {m,n}
	// bounds above 100, or invalid) is ignored, as on Asterisk: the call
	// goes to every application.
	Filter string
	// Args are the args of the winner's StasisStart. StasisBroadcast
	// separates them with ':', so none may contain one.
	Args []string
	// NotifyClaimed sends CallClaimed, naming the winner, to the
	// applications the filter matches once the call is claimed.
	NotifyClaimed bool
}

// data returns the StasisBroadcast() data of p, escaped so that the
// dialplan's argument parser reads back exactly p's Filter and Args.
func (p *BroadcastParams) data() (string, error) {
	if p.Timeout > maxBroadcastTimeoutMS*time.Millisecond {
		return "", fmt.Errorf("%w: PlaceCall: Broadcast.Timeout %v is over %dms", ErrInvalid, p.Timeout, maxBroadcastTimeoutMS)
	}
	for _, a := range p.Args {
		if strings.Contains(a, ":") {
			return "", fmt.Errorf("%w: PlaceCall: Broadcast.Args: %q contains ':', StasisBroadcast's separator", ErrInvalid, a)
		}
	}
	var timeout, notify string
	switch {
	case p.Timeout < 0:
		timeout = "0"
	case p.Timeout > 0:
		timeout = strconv.FormatInt(int64((p.Timeout+time.Millisecond-1)/time.Millisecond), 10)
	}
	if p.NotifyClaimed {
		notify = "yes"
	}
	fields := []string{timeout, escapeAppArg(p.Filter), escapeAppArg(strings.Join(p.Args, ":")), notify}
	for len(fields) > 0 && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	return strings.Join(fields, ","), nil
}

// escapeAppArg escapes the bytes the dialplan's argument parser
// (astparse.SeparateArgs) would read as syntax.
func escapeAppArg(v string) string {
	if !strings.ContainsAny(v, `\",()[]`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if strings.IndexByte(`\",()[]`, v[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// broadcast is the broadcast context of a channel offered to the
// applications by StasisBroadcast(): it lives from the CallBroadcast until
// the timeout when nobody claims the channel, and until the end of the
// winner's Stasis session when one does (claims get 409 meanwhile, 404
// after). The channel holds it (channel.bcast), so that a claim finds it
// by the channel's id.
type broadcast struct {
	filter  *regexp.Regexp // nil: every application
	args    []string       // the winner's StasisStart args
	notify  bool           // notify_claimed: CallClaimed to the matching applications
	timeout int            // milliseconds, for the log
	timer   *simTimer
	claimed bool
	held    []heldDigit // digits received while nobody reads the channel
}

// matches reports whether the application receives the broadcast's
// events.
func (b *broadcast) matches(name string) bool {
	return b.filter == nil || b.filter.MatchString(name)
}

// execBroadcast runs StasisBroadcast(timeout,app_filter,args,notify_claimed)
// on ch: CallBroadcast to every connected application the filter matches,
// then the channel waits for a claim. It reports whether the dialplan goes
// on at once (a zero timeout).
func (s *Server) execBroadcast(ch *channel, data string) bool {
	argv := astparse.SeparateArgs(data, 4)
	arg := func(i int) string {
		if i < len(argv) {
			return argv[i]
		}
		return ""
	}
	timeout := defaultBroadcastTimeoutMS
	if v := arg(0); v != "" {
		n, ok := scanInt(v)
		if !ok || n < 0 || n > maxBroadcastTimeoutMS {
			s.log.Warn(fmt.Sprintf("Channel %s: invalid timeout value '%s' (must be 0-%dms), using default %dms",
				ch.name, v, maxBroadcastTimeoutMS, defaultBroadcastTimeoutMS))
			n = defaultBroadcastTimeoutMS
		}
		timeout = n
	}
	args := []string{}
	if v := arg(2); v != "" {
		args = strings.Split(v, ":")
		if len(args) > astparse.MaxAppArgs {
			args = args[:astparse.MaxAppArgs]
		}
	}
	// A StasisBroadcast() run again on the channel replaces the previous
	// broadcast.
	s.dropBroadcast(ch)
	b := &broadcast{
		filter:  s.broadcastFilter(ch, arg(1)),
		args:    args,
		notify:  isTrue(arg(3)),
		timeout: timeout,
	}
	ch.bcast = b

	ev := &events.CallBroadcast{Channel: ch.snapshot(), Caller: ch.caller.Number, Called: ch.dp.Exten}
	if ev.Caller == "" || ev.Called == "" {
		markPresent(ev, "caller", "called") // Asterisk sends them empty
	}
	s.send(ev, target{apps: s.broadcastApps(b, true)})
	// Asterisk sets STASISSTATUS first, but its ChannelVarset goes through
	// the message bus while CallBroadcast is written at once: applications
	// see CallBroadcast first.
	s.setVar(ch, "STASISSTATUS", "")

	if timeout == 0 {
		s.broadcastUnclaimed(ch, b)
		return true
	}
	b.timer = s.after(time.Duration(timeout)*time.Millisecond, func() {
		if ch.bcast != b || b.claimed || ch.gone || ch.dying {
			return
		}
		s.broadcastUnclaimed(ch, b)
		s.runPBX(ch)
	})
	return false
}

// broadcastApps returns the registered applications the broadcast b goes
// to, in random order as Asterisk shuffles them (so that no application
// is always first to hear of a call); shuffle false keeps map order.
func (s *Server) broadcastApps(b *broadcast, shuffle bool) []*app {
	out := make([]*app, 0, len(s.apps))
	for name, a := range s.apps {
		if a.conn != nil && b.matches(name) {
			out = append(out, a)
		}
	}
	if shuffle {
		rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// broadcastUnclaimed ends a broadcast nobody claimed in time:
// STASISSTATUS=TIMEOUT. The digits received meanwhile go to the next
// application of the dialplan.
func (s *Server) broadcastUnclaimed(ch *channel, b *broadcast) {
	b.timer.stop()
	ch.bcast = nil
	s.log.Warn(fmt.Sprintf("Channel %s: not claimed within %dms timeout", ch.name, b.timeout))
	s.setVar(ch, "STASISSTATUS", "TIMEOUT")
	if p := ch.pbx; p != nil {
		p.held = append(p.held, b.held...)
	}
}

// dropBroadcast forgets the broadcast of ch, if any, without events.
func (s *Server) dropBroadcast(ch *channel) {
	if b := ch.bcast; b != nil {
		b.timer.stop()
		ch.bcast = nil
	}
}

// broadcastHangup ends the broadcast of a channel hung up while it waited
// for a claim: the dialplan application returns with
// STASISSTATUS=TIMEOUT, then the hangup goes on.
func (s *Server) broadcastHangup(ch *channel) {
	b := ch.bcast
	if b == nil {
		return
	}
	if b.claimed {
		s.dropBroadcast(ch)
		return
	}
	b.held = nil
	s.broadcastUnclaimed(ch, b)
}

// broadcastStasisEnded forgets the broadcast of a channel whose winner's
// Stasis session ended: later claims get 404.
func (s *Server) broadcastStasisEnded(ch *channel) {
	if b := ch.bcast; b != nil && b.claimed {
		s.dropBroadcast(ch)
	}
}

// broadcastHolds reports whether ch is waiting for a claim, and then
// holds the digit for the application that gets the channel: nobody reads
// the channel meanwhile.
func (s *Server) broadcastHolds(ch *channel, digit byte, ms int) bool {
	b := ch.bcast
	if b == nil || b.claimed {
		return false
	}
	b.held = append(b.held, heldDigit{digit, ms})
	return true
}

// hEventsClaimChannel is POST /events/claim: the first claim of a
// broadcast channel wins; the channel enters Stasis(application) with the
// broadcast's args, as Stasis() would.
func hEventsClaimChannel(s *Server, c *reqCtx) reply {
	id := c.str("channelId")
	if id == "" {
		return errReply(400, msgClaimNoChannelID)
	}
	appName := c.str("application")
	if appName == "" {
		return errReply(400, msgClaimNoApplication)
	}
	ch := s.channels[id]
	if ch == nil || ch.bcast == nil || ch.gone || ch.dying {
		return errReply(404, msgClaimNotFound)
	}
	b := ch.bcast
	if b.claimed {
		return errReply(409, msgClaimConflict)
	}
	b.claimed = true
	b.timer.stop()
	if b.notify {
		// To the applications the filter matches now.
		s.send(&events.CallClaimed{Channel: ch.snapshot(), WinnerApp: appName}, target{apps: s.broadcastApps(b, false)})
	}
	// The dialplan application wakes up and runs stasis_app_exec, which
	// needs the application registered and active; it does not open a
	// per-call outbound websocket.
	a := s.activeApp(appName)
	if a == nil {
		s.log.Error(fmt.Sprintf("Stasis app '%s' not registered", appName))
		s.dropBroadcast(ch)
		s.setVar(ch, "STASISSTATUS", "FAILED")
		if p := ch.pbx; p != nil {
			p.held = append(p.held, b.held...)
		}
		s.runPBX(ch)
		return noContent()
	}
	s.joinApp(ch, a, b.args)
	held := b.held
	b.held = nil
	for _, d := range held {
		if ch.gone || ch.dying {
			break
		}
		s.dtmfReceived(ch, d.digit, d.ms)
	}
	return noContent()
}

// scanInt reads an integer as sscanf("%d") does: leading white space, a
// sign, digits, and anything after them ignored. ok is false without
// digits.
func scanInt(v string) (n int, ok bool) {
	v = strings.TrimLeft(v, " \t\n\v\f\r")
	i := 0
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		i++
	}
	start := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == start {
		return 0, false
	}
	n, err := strconv.Atoi(v[:i])
	if err != nil { // out of int's range: out of any range checked
		n = math.MaxInt
	}
	return n, true
}

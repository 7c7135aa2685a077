package aritest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// Channel states as Asterisk names them.
const (
	stateDown    = "Down"
	stateRing    = "Ring"
	stateRinging = "Ringing"
	stateUp      = "Up"
)

// channel is one simulated channel.
type channel struct {
	id, name string
	tech     string // Local, Test, Snoop, UnicastRTP, AudioSocket, WebSocket
	resource string // what follows "tech/" in the dial string
	state    string
	caller   ari.CallerID
	conn     ari.CallerID // connected line
	dp       ari.DialplanCEP
	created  time.Time
	language string
	vars     map[string]string
	chanVars map[string]string // reported as channelvars in REST replies of externalMedia

	peer *channel // the other half of a Local pair
	half int      // 1 or 2 for Local halves

	// dialing: set on an outgoing channel while and after it is dialed.
	dial *dialInfo
	// outApp/outData is what the dialplan location shows outside Stasis for a
	// channel without a PBX ("AppDial2", "(Outgoing Line)" for originated
	// channels, "" for channels/create).
	outApp, outData string
	// after answer: what an originated channel does.
	onAnswer *origTarget

	pbx            *pbx // non-nil while the channel runs the dialplan
	hasPBX         bool // the channel runs (or ran) the dialplan: it runs "h" at hangup
	hangupAppRan   bool
	noStasisVarset bool // snoop channels set no STASISSTATUS

	// Stasis
	app     *app // application the channel is in, or nil
	appArgs []string
	subs    []chanSub
	bcast   *broadcast // StasisBroadcast() in progress (broadcast.go), or nil

	bridge *bridge
	role   string

	// mq runs the channel's playbacks and recordings one after the other.
	mq mediaQueue

	hold, moh, silence, ringing bool
	mutedIn, mutedOut           bool
	echo                        bool // running Echo(): DTMF heard is sent back
	inMOH                       bool

	dtmfTimer *simTimer
	dtmfQueue []dtmfDigit
	dtmfDone  func() // called when the queue is empty (the dialplan's SendDTMF)

	snoops    []*channel // snoop channels spying on this one
	dpPlaying time.Time  // the dialplan's Playback() plays until then

	gone, dying bool
	cause       int
	phone       *Phone
}

// chanSub is an application's subscription to a channel: explicit (by
// originate or applications.subscribe) or because the channel is in the
// application.
type chanSub struct {
	app      *app
	explicit bool
	stasis   bool
}

// dialInfo describes the dialing of an outgoing channel.
type dialInfo struct {
	dialString   string // "100@default" for Local/100@default
	answerString string // dialstring of the ANSWER Dial event
	caller       *channel
	answered     bool
	timeout      *simTimer
	ringTimer    *simTimer
	timeoutSecs  int
	dialed       bool // dialing started (originate, or channels.dial)
}

// origTarget is where an originated channel goes once answered.
type origTarget struct {
	appName  string
	appArgs  []string
	context  string
	exten    string
	priority int
}

// snapshot returns the channel as ARI shows it.
func (c *channel) snapshot() ari.Channel {
	return ari.Channel{
		ID:           c.id,
		Name:         c.name,
		State:        ari.ChannelState(c.state),
		Caller:       c.caller,
		Connected:    c.conn,
		Dialplan:     c.dp,
		CreationTime: ari.Time{Time: c.created},
		Language:     c.language,
	}
}

// snapshotPtr returns a pointer to a new snapshot.
func (c *channel) snapshotPtr() *ari.Channel {
	sn := c.snapshot()
	return &sn
}

// invalidForMedia reports the states channel_state_invalid refuses with
// 412 (outbound channels not yet answered or ringing).
func (c *channel) invalidForMedia() bool {
	switch c.state {
	case stateDown, "Rsrvd", "OffHook", "Dialing", "Pre-ring", "Dialing Offhook":
		return true
	}
	return false
}

// newUniqueID returns an id as Asterisk generates them:
// "<systemname>-<unix time>.<n>".
func (s *Server) newUniqueID() string {
	s.seqUnique++
	return fmt.Sprintf("%s-%d.%d", s.cfg.SystemName, s.now().Unix(), s.seqUnique)
}

// nextChanSuffix returns the next 8-hex-digit channel name suffix.
func (s *Server) nextChanSuffix() string {
	s.seqChan++
	return fmt.Sprintf("%08x", s.seqChan)
}

// newChannel creates and registers a channel. Call with mu held.
func (s *Server) newChannel(id, name, tech, resource, state string) *channel {
	ch := &channel{
		id:       id,
		name:     name,
		tech:     tech,
		resource: resource,
		state:    state,
		created:  s.now(),
		language: s.cfg.Language,
		dp:       ari.DialplanCEP{Context: "default", Exten: "s", Priority: 1},
	}
	s.channels[id] = ch
	return ch
}

// channelIDTaken reports whether a new channel may not take id: as
// main/channel.c do_ids_conflict does, through get_by_uniqueid, which
// compares id with the start of every existing id, ignoring case ("call-1"
// is taken while "call-1-phone" exists).
func (s *Server) channelIDTaken(id string) bool {
	if _, ok := s.channels[id]; ok {
		return true
	}
	for existing := range s.channels {
		if len(existing) >= len(id) && strings.EqualFold(existing[:len(id)], id) {
			return true
		}
	}
	return false
}

// setState changes the channel's state and reports it.
func (s *Server) setState(ch *channel, state string) {
	if ch.state == state || ch.gone {
		return
	}
	ch.state = state
	s.send(&events.ChannelStateChange{Channel: ch.snapshot()}, target{ch: ch})
}

// setVar sets a channel variable and reports it with ChannelVarset.
func (s *Server) setVar(ch *channel, name, value string) {
	if ch.vars == nil {
		ch.vars = make(map[string]string, 4)
	}
	ch.vars[name] = value
	v := &events.ChannelVarset{Variable: name, Value: value, Channel: ch.snapshotPtr()}
	s.send(v, target{ch: ch})
}

// setCallerID changes the caller id and reports it.
func (s *Server) setCallerID(ch *channel, id ari.CallerID) {
	if ch.caller == id {
		return
	}
	ch.caller = id
	s.send(&events.ChannelCallerID{
		CallerPresentation:    0,
		CallerPresentationTxt: "Presentation Allowed, Not Screened",
		Channel:               ch.snapshot(),
	}, target{ch: ch})
}

// setConnected changes the connected line and reports it.
func (s *Server) setConnected(ch *channel, id ari.CallerID) {
	if ch.conn == id {
		return
	}
	ch.conn = id
	s.send(&events.ChannelConnectedLine{Channel: ch.snapshot()}, target{ch: ch})
}

// setDialplan moves the channel's dialplan location and reports it with
// ChannelDialplan.
func (s *Server) setDialplan(ch *channel, context, exten string, priority int, app, data string) {
	ch.dp = ari.DialplanCEP{Context: context, Exten: exten, Priority: int64(priority), AppName: app, AppData: data}
	s.send(&events.ChannelDialplan{DialplanApp: app, DialplanAppData: data, Channel: ch.snapshot()}, target{ch: ch})
}

// parseCallerID reads a caller id as Asterisk does (ast_callerid_split:
// "Name <number>", a quoted and escaped name, a number or a name).
func parseCallerID(s string) ari.CallerID {
	name, num := splitCallerID(s)
	return ari.CallerID{Name: name, Number: num}
}

// formatCallerID writes a caller id as CALLERID(all) reads.
func formatCallerID(id ari.CallerID) string {
	switch {
	case id.Name != "" && id.Number != "":
		return `"` + id.Name + `" <` + id.Number + ">"
	case id.Number != "":
		return "<" + id.Number + ">"
	case id.Name != "":
		return `"` + id.Name + `"`
	}
	return ""
}

// causeText is ast_cause2str.
func causeText(cause int) string {
	if t, ok := causeTexts[cause]; ok {
		return t
	}
	return "Unknown"
}

var causeTexts = map[int]string{
	1:   "Unallocated (unassigned) number",
	2:   "No route to specified transmit network",
	3:   "No route to destination",
	6:   "Channel unacceptable",
	7:   "Call awarded and being delivered in an established channel",
	16:  "Normal Clearing",
	17:  "User busy",
	18:  "No user responding",
	19:  "User alerting, no answer",
	20:  "Subscriber absent",
	21:  "Call Rejected",
	22:  "Number changed",
	23:  "Redirected to new destination",
	26:  "Answered elsewhere",
	27:  "Destination out of order",
	28:  "Invalid number format",
	29:  "Facility rejected",
	30:  "Response to STATus ENQuiry",
	31:  "Normal, unspecified",
	34:  "Circuit/channel congestion",
	38:  "Network out of order",
	41:  "Temporary failure",
	42:  "Switching equipment congestion",
	43:  "Access information discarded",
	44:  "Requested channel not available",
	50:  "Requested facility not subscribed",
	57:  "Bearer capability not authorized",
	58:  "Bearer capability not available",
	65:  "Bearer capability not implemented",
	66:  "Channel type not implemented",
	69:  "Requested facility not implemented",
	81:  "Invalid call reference value",
	88:  "Incompatible destination",
	95:  "Invalid message unspecified",
	96:  "Mandatory information element is missing",
	97:  "Message type nonexist.",
	98:  "Wrong message",
	99:  "Info. element nonexist or not implemented",
	100: "Invalid information element contents",
	101: "Message not compatible with call state",
	102: "Recover on timer expiry",
	103: "Mandatory IE length error",
	111: "Protocol error, unspecified",
	127: "Interworking, unspecified",
}

// hangupReasons maps channels.hangup's reason to a cause
// (convert_reason_to_hangup_code).
var hangupReasons = map[string]int{
	"normal":             16,
	"busy":               17,
	"congestion":         34,
	"no_answer":          19,
	"timeout":            18,
	"rejected":           21,
	"unallocated":        1,
	"normal_unspecified": 31,
	"number_incomplete":  28,
	"codec_mismatch":     58,
	"interworking":       127,
	"failure":            38,
	"answered_elsewhere": 26,
}

// dialStatusForCause is the Dial status an outbound channel failing with
// cause reports.
func dialStatusForCause(cause int) string {
	switch cause {
	case 17:
		return "BUSY"
	case 18, 19:
		return "NOANSWER"
	case 34, 42:
		return "CONGESTION"
	}
	return "CHANUNAVAIL"
}

// stasisData is the app_data of Stasis(app,args...).
func stasisData(app string, args []string) string {
	if len(args) == 0 {
		return app
	}
	return app + "," + strings.Join(args, ",")
}

func itoa(n int) string { return strconv.Itoa(n) }

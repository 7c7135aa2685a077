package aritest

import (
	"fmt"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/internal/astparse"
)

// Error messages of Asterisk's ARI handlers (res/ari/resource_*.c).
const (
	msgChannelNotFound = "Channel not found"
	msgNotInStasis     = "Channel not in Stasis application"
	msgInvalidState    = "Channel in invalid state"
	msgBridgeNotFound  = "Bridge not found"
	msgAppNotFound     = "Application not found"
	msgAllocFailed     = "Allocation failed"
	msgIDExists        = "Channel with given unique ID already exists"
)

// maxUniqueID is AST_MAX_PUBLIC_UNIQUEID.
const maxUniqueID = 149

// findControl finds a channel in Stasis, or Asterisk's 404 / 409.
func (s *Server) findControl(id string) (*channel, reply) {
	ch := s.channels[id]
	if ch == nil {
		return nil, errReply(404, msgChannelNotFound)
	}
	if ch.app == nil {
		return nil, errReply(409, msgNotInStasis)
	}
	return ch, reply{}
}

// findControlUp is findControl plus channel_state_invalid's 412.
func (s *Server) findControlUp(id string) (*channel, reply) {
	ch, rep := s.findControl(id)
	if ch == nil {
		return nil, rep
	}
	if ch.invalidForMedia() {
		return nil, errReply(412, msgInvalidState)
	}
	return ch, reply{}
}

// origination is a parsed originate / create request.
type origination struct {
	tech, resource string
	endpoint       string // the phone's endpoint name (tech != Local)
	id, otherID    string
	appName        string
	appArgs        []string
	context, exten string
	priority       int
	callerID       string
	timeout        int
	vars           map[string]string
	varKeys        []string
	create         bool
}

// parseOrigination validates an originate or create request as Asterisk
// does, in its order.
func (s *Server) parseOrigination(c *reqCtx, id string, create bool) (*origination, reply, bool) {
	o := &origination{create: create, id: id, timeout: 30, priority: 1}
	endpoint := c.str("endpoint")
	if endpoint == "" {
		return nil, errReply(400, "Endpoint must be specified"), false
	}
	if c.str("originator") != "" && c.str("formats") != "" {
		return nil, errReply(400, "Originator and formats can't both be specified"), false
	}
	tech, res, _ := strings.Cut(endpoint, "/")
	if tech == "" || res == "" {
		return nil, errReply(400, "Invalid endpoint specified"), false
	}
	o.tech, o.resource = tech, res
	o.appName = c.str("app")
	o.appArgs = astparse.OriginateArgs(c.str("appArgs"))
	if create {
		if o.appName == "" {
			return nil, errReply(400, "Application name is required"), false
		}
	} else if o.appName == "" {
		o.exten = c.str("extension")
		if o.exten == "" {
			return nil, errReply(400, "Application or extension must be specified"), false
		}
		o.context = c.str("context")
		if o.context == "" {
			o.context = "default"
		}
		o.priority = c.int("priority", 1)
		if o.priority < 1 {
			o.priority = 1
		}
	}
	if o.id == "" {
		o.id = c.str("channelId")
	}
	o.otherID = c.str("otherChannelId")
	if len(o.id) > maxUniqueID || len(o.otherID) > maxUniqueID {
		return nil, errReply(400, fmt.Sprintf("Uniqueid length exceeds maximum of %d", maxUniqueID)), false
	}
	o.callerID = c.str("callerId")
	o.timeout = c.int("timeout", 30)
	vars, keys, ok := readVars(c.body["variables"])
	if !ok {
		return nil, errReply(400, "Error parsing request body"), false
	}
	o.vars, o.varKeys = vars, keys
	switch {
	case strings.EqualFold(tech, "Local"):
		o.tech = "Local"
	case phoneTech(tech) != "":
		// A phone: Test/<name>, or an endpoint of PJSIP, SIP or IAX2
		// that the channel driver finds (dialledEndpoint).
		o.tech = phoneTech(tech)
		name, found := s.dialledEndpoint(o.tech, res)
		if !found {
			s.log.Debug("aritest: originate: no such endpoint; Asterisk fails the channel's allocation",
				"endpoint", endpoint, "hint", "dial Test/<name>, Local/<exten>@<context>, or a PJSIP endpoint of DynamicConfig or a PJSIP/SIP/IAX2 endpoint of Config.Endpoints")
			return nil, c.allocFailed(), false
		}
		o.endpoint = name
	default:
		// ast_request fails for an unknown technology; ARI reports it as
		// an allocation failure, or as the connection's last id conflict.
		return nil, c.allocFailed(), false
	}
	if o.id != "" && s.channelIDTaken(o.id) || o.otherID != "" && s.channelIDTaken(o.otherID) {
		return nil, c.idConflict(), false
	}
	if o.tech == "Local" && o.id != "" && o.otherID == "" && s.channelIDTaken(o.id+";2") {
		return nil, c.idConflict(), false
	}
	return o, reply{}, true
}

func hChannelsOriginate(s *Server, c *reqCtx) reply { return s.originate(c, "", false) }

func hChannelsOriginateWithID(s *Server, c *reqCtx) reply {
	return s.originate(c, c.path["channelId"], false)
}

func hChannelsCreate(s *Server, c *reqCtx) reply { return s.originate(c, "", true) }

// originate implements channels.originate, originateWithId and create.
func (s *Server) originate(c *reqCtx, id string, create bool) reply {
	o, rep, ok := s.parseOrigination(c, id, create)
	if !ok {
		return rep
	}
	var ch *channel
	if o.tech == "Local" {
		ch = s.newLocalPair(o)
	} else {
		ch = s.newPhoneOutbound(o)
	}
	snap := ch.snapshot()
	s.startOrigination(ch, o)
	return okJSON(snap)
}

// newLocalPair creates the two halves of Local/<exten>@<context>.
func (s *Server) newLocalPair(o *origination) *channel {
	exten, context, _ := strings.Cut(o.resource, "@")
	if context == "" {
		context = "default"
	}
	// Local/...;n options (/n, /j) are not part of the location.
	if i := strings.IndexByte(context, '/'); i >= 0 {
		context = context[:i]
	}
	id1 := o.id
	if id1 == "" {
		id1 = s.newUniqueID()
	}
	id2 := o.otherID
	if id2 == "" {
		if o.id != "" {
			id2 = o.id + ";2"
		} else {
			id2 = s.newUniqueID()
		}
	}
	base := "Local/" + o.resource + "-" + s.nextChanSuffix()
	ch1 := s.newChannel(id1, base+";1", "Local", o.resource, stateDown)
	ch2 := s.newChannel(id2, base+";2", "Local", o.resource, stateRing)
	ch1.half, ch2.half = 1, 2
	ch1.peer, ch2.peer = ch2, ch1
	if o.create {
		ch1.dp = ari.DialplanCEP{Context: context, Exten: exten, Priority: 1}
	} else {
		ch1.dp = ari.DialplanCEP{Context: context, Exten: exten, Priority: 1, AppName: "AppDial2", AppData: "(Outgoing Line)"}
		ch1.outApp, ch1.outData = "AppDial2", "(Outgoing Line)"
	}
	ch2.dp = ari.DialplanCEP{Context: context, Exten: exten, Priority: 1}
	ch1.dial = &dialInfo{dialString: o.resource, answerString: o.resource}
	if o.create {
		ch1.dial.answerString = ""
	}
	s.applyOriginationParty(ch1, o)
	s.send(&events.ChannelCreated{Channel: ch1.snapshot()}, target{ch: ch1})
	s.send(&events.ChannelCreated{Channel: ch2.snapshot()}, target{ch: ch2})
	return ch1
}

// newPhoneOutbound creates an outgoing channel to a phone: Test/<name>,
// or a PJSIP, SIP or IAX2 endpoint (channel <tech>/<endpoint>-<n>).
func (s *Server) newPhoneOutbound(o *origination) *channel {
	id := o.id
	if id == "" {
		id = s.newUniqueID()
	}
	ch := s.newChannel(id, o.tech+"/"+o.endpoint+"-"+s.nextChanSuffix(), o.tech, o.resource, stateDown)
	if !o.create {
		ch.dp.AppName, ch.dp.AppData = "AppDial2", "(Outgoing Line)"
		ch.outApp, ch.outData = "AppDial2", "(Outgoing Line)"
	}
	ch.dial = &dialInfo{dialString: o.resource, answerString: o.resource}
	if o.create {
		ch.dial.answerString = ""
	}
	s.applyOriginationParty(ch, o)
	s.send(&events.ChannelCreated{Channel: ch.snapshot()}, target{ch: ch})
	phone := &Phone{s: s, id: ch.id, endpoint: o.tech + "/" + o.endpoint, outbound: true, done: make(chan struct{})}
	ch.phone = phone
	phone.ch = ch
	s.phones[ch.id] = phone
	return ch
}

// applyOriginationParty sets the caller id and the variables of an
// originated channel (before anyone is subscribed: no events).
func (s *Server) applyOriginationParty(ch *channel, o *origination) {
	if o.callerID != "" {
		id := parseCallerID(o.callerID)
		ch.caller, ch.conn = id, id
	}
	for _, k := range o.varKeys {
		s.writeVar(ch, k, o.vars[k], false)
	}
}

// startOrigination subscribes the application and starts dialing (or, for
// channels/create, puts the channel in Stasis).
func (s *Server) startOrigination(ch *channel, o *origination) {
	peer := ch.peer
	if o.appName != "" {
		a := s.activeApp(o.appName)
		if a == nil {
			// No websocket for the application: Asterisk answers 200 and
			// the channel is destroyed at once.
			if peer != nil {
				s.destroyAtOnce(peer)
			}
			s.destroyAtOnce(ch)
			return
		}
		s.subscribeChannel(a, ch, true)
		if peer != nil && !o.create {
			s.subscribeChannel(a, peer, true)
		}
	}
	if o.create {
		ch.dial.timeoutSecs = o.timeout
		s.setDialplan(ch, ch.dp.Context, ch.dp.Exten, 1, "Stasis", stasisData(o.appName, o.appArgs))
		if !s.enterStasis(ch, o.appName, o.appArgs) {
			if peer != nil {
				s.destroyAtOnce(peer)
			}
			s.destroyAtOnce(ch)
		}
		return
	}
	if o.appName != "" {
		ch.onAnswer = &origTarget{appName: o.appName, appArgs: o.appArgs}
	} else {
		ch.onAnswer = &origTarget{context: o.context, exten: o.exten, priority: o.priority}
	}
	ch.dial.timeoutSecs = o.timeout
	if peer != nil {
		// A Local channel to a missing context or extension cannot be
		// called: both halves are destroyed at once (cause 0).
		if steps, _ := s.dp.lookup(peer.dp.Context, peer.dp.Exten); len(steps) == 0 {
			s.destroyAtOnce(peer)
			s.destroyAtOnce(ch)
			return
		}
	}
	// The dialing runs in its own "thread", after the reply.
	s.after(0, func() { s.dialOut(ch) })
}

// dialOut dials an outgoing channel: a Local pair starts its second half's
// dialplan, a phone rings.
func (s *Server) dialOut(ch *channel) {
	if ch.gone || ch.dying {
		return
	}
	d := ch.dial
	d.dialed = true
	if peer := ch.peer; peer != nil && ch.tech == "Local" {
		// The second half inherits the variables and sees the first
		// half's caller as its connected line and vice versa.
		keys := make([]string, 0, len(ch.vars))
		for k := range ch.vars {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			s.setVar(peer, k, ch.vars[k])
		}
		// Both parties change before either event is sent.
		oldCaller, oldConn := peer.caller, peer.conn
		peer.caller, peer.conn = ch.conn, ch.caller
		if peer.caller != oldCaller {
			s.send(&events.ChannelCallerID{CallerPresentationTxt: "Presentation Allowed, Not Screened", Channel: peer.snapshot()}, target{ch: peer})
		}
		if peer.conn != oldConn {
			s.send(&events.ChannelConnectedLine{Channel: peer.snapshot()}, target{ch: peer})
		}
		s.sendDial(ch, "", d.dialString)
		s.armDialTimeout(ch)
		s.startPBX(peer, peer.dp.Context, peer.dp.Exten, 1)
		return
	}
	s.sendDial(ch, "", d.dialString)
	s.armDialTimeout(ch)
	if ch.phone != nil {
		ch.phone.reached = true // Answer, Ring and Reject work from now on
	}
	s.outboundRinging(ch)
	if r := s.cfg.Timing.Ring; r != Never && !d.answered {
		d.ringTimer = s.after(r, func() { s.outboundAnswered(ch) })
	}
}

// armDialTimeout hangs an unanswered outgoing channel up after the
// originate's timeout (seconds; -1 for none).
func (s *Server) armDialTimeout(ch *channel) {
	d := ch.dial
	if d.timeoutSecs <= 0 {
		return
	}
	d.timeout = s.after(time.Duration(d.timeoutSecs)*time.Second, func() {
		if !d.answered {
			s.outboundFailed(ch, 19)
		}
	})
}

// outboundFailed ends an outgoing channel that was not answered (busy,
// rejected, timed out): the far end's hangup, the Dial status, and the
// destruction of the channel.
func (s *Server) outboundFailed(ch *channel, cause int) {
	if ch.gone || ch.dying || ch.dial == nil || ch.dial.answered {
		return
	}
	ch.cause = cause
	s.sendHangupRequest(ch, cause, false)
	s.sendDial(ch, dialStatusForCause(cause), ch.dial.dialString)
	ch.dial.answered = true // no CANCEL
	s.teardown(ch)
}

func hChannelsDial(s *Server, c *reqCtx) reply {
	ch, rep := s.findControl(c.path["channelId"])
	if ch == nil {
		return rep
	}
	if ch.bridge != nil {
		return errReply(409, "Channel is in a bridge and cannot be dialed")
	}
	var caller *channel
	if id := c.str("caller"); id != "" {
		if caller = s.channels[id]; caller == nil {
			return errReply(404, "Caller not found")
		}
	}
	if ch.dial == nil || ch.dial.dialed || ch.state != stateDown {
		return errReply(409, "Channel is not in the 'Down' state")
	}
	d := ch.dial
	d.dialed = true
	d.caller = caller
	if c.has("timeout") {
		d.timeoutSecs = c.int("timeout", 0)
	}
	s.after(0, func() { s.dialOut(ch) })
	return noContent()
}

// snoopDirections are the values of spy and whisper.
var snoopDirections = map[string]bool{"none": true, "both": true, "out": true, "in": true}

func hChannelsSnoopChannel(s *Server, c *reqCtx) reply { return s.snoop(c, c.str("snoopId")) }

func hChannelsSnoopChannelWithID(s *Server, c *reqCtx) reply {
	return s.snoop(c, c.path["snoopId"])
}

// snoop implements snoopChannel: a Snoop/<id>-n channel, answered, put in
// the application at once.
func (s *Server) snoop(c *reqCtx, id string) reply {
	spy, whisper := c.str("spy"), c.str("whisper")
	if spy == "" {
		spy = "none"
	}
	if whisper == "" {
		whisper = "none"
	}
	if !snoopDirections[spy] {
		return errReply(400, "Invalid direction specified for spy")
	}
	if !snoopDirections[whisper] {
		return errReply(400, "Invalid direction specified for whisper")
	}
	if spy == "none" && whisper == "none" {
		return errReply(400, "Direction must be specified for at least spy or whisper")
	}
	appName := c.str("app")
	if appName == "" {
		return errReply(400, "Application name is required")
	}
	spied := s.channels[c.path["channelId"]]
	if spied == nil {
		return errReply(404, msgChannelNotFound)
	}
	if id == "" {
		id = s.newUniqueID()
	}
	if s.channelIDTaken(id) {
		return c.idConflict()
	}
	s.seqSnoop++
	sn := s.newChannel(id, fmt.Sprintf("Snoop/%s-%08x", spied.id, s.seqSnoop), "Snoop", spied.id, stateUp)
	sn.noStasisVarset = true
	spied.snoops = append(spied.snoops, sn)
	s.send(&events.ChannelCreated{Channel: sn.snapshot()}, target{ch: sn})
	snap := sn.snapshot()
	args := astparse.OriginateArgs(c.str("appArgs"))
	if !s.enterStasis(sn, appName, args) {
		s.destroyAtOnce(sn)
	}
	return okJSON(snap)
}

// hChannelsExternalMedia creates an external media channel (RTP,
// AudioSocket or media websocket) that enters the application at once.
func hChannelsExternalMedia(s *Server, c *reqCtx) reply {
	appName := c.str("app")
	if appName == "" {
		return errReply(400, "app cannot be empty")
	}
	transport := strings.ToLower(c.str("transport"))
	if transport == "" {
		transport = "udp"
	}
	encap := strings.ToLower(c.str("encapsulation"))
	if encap == "" {
		encap = "rtp"
	}
	host := c.str("external_host")
	if host == "" && transport != "websocket" {
		return errReply(400, "external_host cannot be empty")
	}
	format := c.str("format")
	if format == "" {
		return errReply(400, "format cannot be empty")
	}
	vars, keys, ok := readVars(c.body["variables"])
	if !ok {
		return errReply(400, "Error parsing request body")
	}
	id := c.str("channelId")
	if id == "" {
		id = s.newUniqueID()
	}
	if s.channelIDTaken(id) {
		return c.idConflict()
	}
	s.seqPointer++
	ptr := fmt.Sprintf("0x7f75%08x", 0x30021830+(s.seqPointer-1)*0x40)
	var name, dialString string
	chanVars := map[string]string{}
	switch {
	case encap == "rtp" && transport == "udp":
		name = "UnicastRTP/" + host + "-" + ptr
		dialString = host + "/c(" + format + ")"
		port := 10000 + int(s.seqPointer*2)%10000
		chanVars["UNICASTRTP_LOCAL_PORT"] = itoa(port)
		chanVars["UNICASTRTP_LOCAL_ADDRESS"] = "127.0.0.1"
	case encap == "audiosocket" && transport == "tcp":
		data := c.str("data")
		if data == "" {
			return errReply(400, "data can not be empty for audiosocket")
		}
		name = "AudioSocket/" + host + "-" + data
		dialString = host + "/" + data
		chanVars["AUDIOSOCKET_SERVICE"] = host
		chanVars["AUDIOSOCKET_UUID"] = data
	case transport == "websocket":
		name = "WebSocket/INCOMING/" + ptr
		dialString = "INCOMING"
		chanVars["MEDIA_WEBSOCKET_CONNECTION_ID"] = s.newUUID()
		chanVars["MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE"] = "160"
	default:
		return errReply(501, "The encapsulation and/or transport is not supported")
	}
	tech, _, _ := strings.Cut(name, "/")
	ch := s.newChannel(id, name, tech, dialString, stateDown)
	ch.dp.AppName, ch.dp.AppData = "AppDial2", "(Outgoing Line)"
	ch.outApp, ch.outData = "AppDial2", "(Outgoing Line)"
	ch.dial = &dialInfo{dialString: dialString, answerString: dialString}
	ch.chanVars = chanVars
	for k, v := range chanVars {
		s.writeVar(ch, k, v, false)
	}
	for _, k := range keys {
		s.writeVar(ch, k, vars[k], false)
	}
	s.send(&events.ChannelCreated{Channel: ch.snapshot()}, target{ch: ch})
	snap := ch.snapshot()
	snap.ChannelVars = chanVars
	args := []string{}
	if encap == "audiosocket" {
		args = []string{c.str("data")}
	}
	a := s.activeApp(appName)
	if a == nil {
		s.destroyAtOnce(ch)
		return okJSON(snap)
	}
	s.subscribeChannel(a, ch, true)
	ch.onAnswer = &origTarget{appName: appName, appArgs: args}
	s.after(0, func() {
		if ch.gone {
			return
		}
		s.sendDial(ch, "", dialString)
		s.outboundAnswered(ch)
	})
	return okJSON(snap)
}

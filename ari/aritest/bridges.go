package aritest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// bridge is a Stasis bridge.
type bridge struct {
	id, name    string
	tech        string // simple_bridge, softmix, holding_bridge
	typ         string // mixing, holding
	videoMode   string
	videoSource string
	created     time.Time
	members     []*channel // in join order
	subs        []bridgeSub
	moh         bool
	mohClass    string
	playQ       mediaQueue
	vars        map[string]string
	gone        bool
}

// bridgeSub is an application's subscription to a bridge: explicit, and
// one implicit subscription per channel of the application in the bridge.
type bridgeSub struct {
	app      *app
	explicit bool
	implicit int
}

func (b *bridge) model() ari.Bridge {
	ids := make([]string, len(b.members))
	for i, m := range b.members {
		ids[i] = m.id
	}
	sort.Strings(ids)
	m := ari.Bridge{
		ID:            b.id,
		Technology:    b.tech,
		BridgeType:    ari.BridgeType(b.typ),
		BridgeClass:   "stasis",
		Creator:       "Stasis",
		Name:          b.name,
		Channels:      ids,
		VideoMode:     b.videoMode,
		VideoSourceID: b.videoSource,
		CreationTime:  ari.Time{Time: b.created},
	}
	markPresent(&m, "video_mode")
	return m
}

func (b *bridge) setVar(name, value string) {
	if b.vars == nil {
		b.vars = make(map[string]string)
	}
	b.vars[name] = value
}

// retech recomputes the mixing technology: simple_bridge for two
// channels, softmix beyond.
func (b *bridge) retech() {
	if b.typ != "mixing" {
		return
	}
	if len(b.members) > 2 {
		b.tech = "softmix"
	} else {
		b.tech = "simple_bridge"
	}
}

func hBridgesList(s *Server, c *reqCtx) reply {
	out := make([]ari.Bridge, 0, len(s.bridges))
	for _, b := range s.sortedBridges() {
		out = append(out, b.model())
	}
	return okJSON(out)
}

func (s *Server) sortedBridges() []*bridge {
	out := make([]*bridge, 0, len(s.bridges))
	for _, b := range s.bridges {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].created.Equal(out[j].created) {
			return out[i].created.Before(out[j].created)
		}
		return out[i].id < out[j].id
	})
	return out
}

// hBridgesCreate is bridges.create as Asterisk 22.10.1 (to 23.5.0-rc1 and
// master) runs it: it reads the whole body as the variables, not its
// "variables" member, so the documented {"variables": {...}} fails with
// 400 once the bridge exists, and the bridge stays.
func hBridgesCreate(s *Server, c *reqCtx) reply {
	return s.createBridge(c, c.str("bridgeId"), json.RawMessage(c.rawBody))
}

// hBridgesCreateWithID is bridges.createWithId, which reads the body's
// "variables" as documented.
func hBridgesCreateWithID(s *Server, c *reqCtx) reply {
	return s.createBridge(c, c.path["bridgeId"], c.body["variables"])
}

// createBridge creates a bridge, then sets the variables of vars on it
// (ast_ari_bridges_create and ast_ari_bridges_create_with_id).
func (s *Server) createBridge(c *reqCtx, id string, vars json.RawMessage) reply {
	if b := s.bridges[id]; b != nil && id != "" {
		return errReply(409, fmt.Sprintf("Bridge with id '%s' already exists", id))
	}
	if id == "" {
		id = s.newUUID()
	}
	b := &bridge{id: id, name: c.str("name"), typ: "mixing", tech: "simple_bridge", videoMode: "talker", created: s.now()}
	for _, t := range strings.Split(c.str("type"), ",") {
		switch strings.TrimSpace(t) {
		case "holding":
			b.typ, b.tech = "holding", "holding_bridge"
		case "video_sfu":
			b.videoMode = "sfu"
		case "video_single":
			b.videoMode = "single"
		}
	}
	s.bridges[id] = b
	s.send(&events.BridgeCreated{Bridge: b.model()}, target{br: b})
	list, rep, ok := bridgeBodyVars(vars)
	if !ok {
		return rep // the bridge stays, as in Asterisk
	}
	for _, v := range list {
		b.setVar(v.name, v.value)
	}
	return okJSON(b.model())
}

func hBridgesGet(s *Server, c *reqCtx) reply {
	b := s.bridges[c.path["bridgeId"]]
	if b == nil {
		return errReply(404, msgBridgeNotFound)
	}
	return okJSON(b.model())
}

func hBridgesDestroy(s *Server, c *reqCtx) reply {
	b := s.bridges[c.path["bridgeId"]]
	if b == nil {
		return errReply(404, msgBridgeNotFound)
	}
	s.destroyBridge(b)
	return noContent()
}

// bridgeChannels resolves the channel parameter of addChannel and
// removeChannel (control_list_create).
func (s *Server) bridgeChannels(c *reqCtx) ([]*channel, reply, bool) {
	ids, rep, ok := c.list("channel")
	if !ok {
		return nil, rep, false
	}
	if len(ids) == 0 || ids[0] == "" {
		return nil, errReply(400, "Missing parameter channel"), false
	}
	out := make([]*channel, 0, len(ids))
	for _, id := range ids {
		ch := s.channels[id]
		if ch == nil {
			return nil, errReply(400, msgChannelNotFound), false
		}
		if ch.app == nil {
			return nil, errReply(422, msgNotInStasis), false
		}
		out = append(out, ch)
	}
	return out, reply{}, true
}

func hBridgesAddChannel(s *Server, c *reqCtx) reply {
	b := s.bridges[c.path["bridgeId"]]
	if b == nil {
		return errReply(404, msgBridgeNotFound)
	}
	chans, rep, ok := s.bridgeChannels(c)
	if !ok {
		return rep
	}
	role := c.str("role")
	for _, ch := range chans {
		if r, ok := ch.mq.cur.(*liveRecording); ok && r.state == "recording" {
			return errReply(409, fmt.Sprintf("Channel %s currently recording", ch.id))
		}
	}
	for _, ch := range chans {
		if ch.bridge == b || ch.gone {
			continue
		}
		if ch.bridge != nil {
			s.bridgeLeave(ch.bridge, ch)
		}
		s.bridgeJoin(b, ch, role)
	}
	return noContent()
}

func hBridgesRemoveChannel(s *Server, c *reqCtx) reply {
	b := s.bridges[c.path["bridgeId"]]
	if b == nil {
		return errReply(404, msgBridgeNotFound)
	}
	chans, rep, ok := s.bridgeChannels(c)
	if !ok {
		return rep
	}
	for _, ch := range chans {
		if ch.bridge != b {
			return errReply(422, "Channel not in this bridge")
		}
	}
	for _, ch := range chans {
		s.bridgeLeave(b, ch)
	}
	return noContent()
}

// peersOf returns the names of the other members, most recent first, or
// oldest first.
func peersOf(b *bridge, ch *channel, recentFirst bool) string {
	var names []string
	if recentFirst {
		for i := len(b.members) - 1; i >= 0; i-- {
			if m := b.members[i]; m != ch {
				names = append(names, m.name)
			}
		}
	} else {
		for _, m := range b.members {
			if m != ch {
				names = append(names, m.name)
			}
		}
	}
	return strings.Join(names, ",")
}

// bridgeJoin adds ch to b: ChannelEnteredBridge, then (in a mixing
// bridge) the BRIDGEPEER variables and, for two parties, the connected
// lines, in the order Asterisk sends them.
func (s *Server) bridgeJoin(b *bridge, ch *channel, role string) {
	b.members = append(b.members, ch)
	ch.bridge, ch.role = b, role
	if ch.app != nil {
		s.subscribeBridge(ch.app, b, false)
	}
	// The snapshot is taken before the technology changes (a third channel
	// makes a simple_bridge a softmix one).
	s.send(&events.ChannelEnteredBridge{Bridge: b.model(), Channel: ch.snapshotPtr()}, target{br: b})
	b.retech()
	if b.typ != "mixing" {
		return
	}
	switch n := len(b.members); {
	case n == 2:
		other := b.members[0]
		s.setVar(other, "BRIDGEPEER", ch.name)
		s.setVar(ch, "BRIDGEPEER", other.name)
		s.setConnected(other, ch.caller)
		s.setConnected(ch, other.caller)
	case n > 2:
		s.setVar(ch, "BRIDGEPEER", peersOf(b, ch, false))
		for _, m := range b.members {
			if m != ch {
				s.setVar(m, "BRIDGEPEER", peersOf(b, m, true))
			}
		}
	}
}

// bridgeLeave removes ch from b: BRIDGEPEER cleared, ChannelLeftBridge,
// then the remaining members' BRIDGEPEER.
func (s *Server) bridgeLeave(b *bridge, ch *channel) {
	if ch.bridge != b {
		return
	}
	if b.typ == "mixing" && ch.vars["BRIDGEPEER"] != "" {
		s.setVar(ch, "BRIDGEPEER", "")
	}
	s.removeMember(b, ch)
	s.send(&events.ChannelLeftBridge{Bridge: b.model(), Channel: ch.snapshot()}, target{br: b})
	b.retech()
	if ch.app != nil {
		s.unsubscribeBridge(ch.app, b, false)
	}
	if b.typ == "mixing" && len(b.members) >= 2 {
		for _, m := range b.members {
			s.setVar(m, "BRIDGEPEER", peersOf(b, m, true))
		}
	}
}

func (s *Server) removeMember(b *bridge, ch *channel) {
	for i, m := range b.members {
		if m == ch {
			b.members = append(b.members[:i], b.members[i+1:]...)
			break
		}
	}
	ch.bridge, ch.role = nil, ""
}

// destroyBridge empties and destroys b: BRIDGEPEER cleared on every
// member, ChannelLeftBridge for each, BridgeDestroyed.
func (s *Server) destroyBridge(b *bridge) {
	if b.gone {
		return
	}
	b.gone = true
	if pb, ok := b.playQ.cur.(*playback); ok {
		b.playQ.waiting = nil
		s.endPlayback(pb, "done")
	}
	for _, r := range s.liveRecs {
		if r.br == b {
			s.finishRecording(r, "done")
		}
	}
	// Asterisk empties the bridge in the order of its channel container:
	// by id.
	members := append([]*channel(nil), b.members...)
	sort.Slice(members, func(i, j int) bool { return members[i].id < members[j].id })
	if b.typ == "mixing" {
		for _, m := range members {
			if m.vars["BRIDGEPEER"] != "" {
				s.setVar(m, "BRIDGEPEER", "")
			}
		}
	}
	for _, m := range members {
		s.removeMember(b, m)
		s.send(&events.ChannelLeftBridge{Bridge: b.model(), Channel: m.snapshot()}, target{br: b})
		b.retech()
		if m.app != nil {
			s.unsubscribeBridge(m.app, b, false)
		}
	}
	s.send(&events.BridgeDestroyed{Bridge: b.model()}, target{br: b})
	for _, sub := range b.subs {
		delete(sub.app.bridges, b)
	}
	b.subs = nil
	delete(s.bridges, b.id)
}

func hBridgesStartMOH(s *Server, c *reqCtx) reply {
	b := s.bridges[c.path["bridgeId"]]
	if b == nil {
		return errReply(404, msgBridgeNotFound)
	}
	// A holding bridge accepts the request, but its music channel cannot
	// join it: stopping answers 409 as on Asterisk.
	if b.typ == "mixing" {
		b.moh, b.mohClass = true, c.str("mohClass")
	}
	return noContent()
}

func hBridgesStopMOH(s *Server, c *reqCtx) reply {
	b := s.bridges[c.path["bridgeId"]]
	if b == nil {
		return errReply(404, msgBridgeNotFound)
	}
	if !b.moh {
		return errReply(409, "Bridge isn't playing music")
	}
	b.moh = false
	return noContent()
}

func hBridgesSetVideoSource(s *Server, c *reqCtx) reply {
	b := s.bridges[c.path["bridgeId"]]
	if b == nil {
		return errReply(404, msgBridgeNotFound)
	}
	ch := s.channels[c.path["channelId"]]
	if ch == nil {
		return errReply(404, msgChannelNotFound)
	}
	if ch.app == nil {
		return errReply(409, msgNotInStasis)
	}
	if ch.bridge != b {
		return errReply(422, "Channel not in bridge")
	}
	b.videoSource = ch.id
	return noContent()
}

func hBridgesClearVideoSource(s *Server, c *reqCtx) reply {
	b := s.bridges[c.path["bridgeId"]]
	if b == nil {
		return errReply(404, msgBridgeNotFound)
	}
	b.videoSource = ""
	return noContent()
}

// Bridges returns the bridges.
func (s *Server) Bridges() []ari.Bridge {
	s.mu.Lock()
	defer s.runlock()
	out := make([]ari.Bridge, 0, len(s.bridges))
	for _, b := range s.sortedBridges() {
		out = append(out, b.model())
	}
	return out
}

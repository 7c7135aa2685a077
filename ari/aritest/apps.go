package aritest

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// app is a Stasis application: registered by an events websocket, with its
// subscriptions and event filters.
type app struct {
	name string
	conn *wsConn // nil while no websocket is connected
	// out is the outbound websocket session that registered the
	// application (outbound.go), if any.
	out *outboundSession

	channels  map[*channel]struct{}
	bridges   map[*bridge]struct{}
	endpoints map[string]struct{}
	devices   map[string]struct{}

	allChannels, allBridges, allEndpoints, allDevices bool

	allowed, disallowed []map[string]string

	inStasis int // channels in the application
}

// Topic names Asterisk reports for "all" subscriptions.
const (
	allChannelsTopic  = "__AST_CHANNEL_ALL_TOPIC"
	allBridgesTopic   = "__AST_BRIDGE_ALL_TOPIC"
	allEndpointsTopic = "__AST_ENDPOINT_ALL_TOPIC"
)

// getApp returns the application called name, creating it. Call with mu
// held.
func (s *Server) getApp(name string) *app {
	a := s.apps[name]
	if a == nil {
		a = &app{
			name:      name,
			channels:  make(map[*channel]struct{}),
			bridges:   make(map[*bridge]struct{}),
			endpoints: make(map[string]struct{}),
			devices:   make(map[string]struct{}),
		}
		s.apps[name] = a
	}
	return a
}

// activeApp returns the application called name if a websocket is
// connected for it.
func (s *Server) activeApp(name string) *app {
	if a := s.apps[name]; a != nil && a.conn != nil {
		return a
	}
	return nil
}

// connected reports whether a websocket carries the application's events:
// an outbound session's pending connection, which queues them while the
// application is away, does not count.
func (a *app) connected() bool {
	return a.conn != nil && (a.conn.out == nil || a.conn.ws != nil)
}

// listed reports whether /applications shows the application.
func (a *app) listed() bool { return a.conn != nil || a.inStasis > 0 }

// subscribeChannel subscribes a to ch (explicitly, or because ch is in a).
func (s *Server) subscribeChannel(a *app, ch *channel, explicit bool) {
	for i := range ch.subs {
		if ch.subs[i].app == a {
			if explicit {
				ch.subs[i].explicit = true
			} else {
				ch.subs[i].stasis = true
			}
			return
		}
	}
	ch.subs = append(ch.subs, chanSub{app: a, explicit: explicit, stasis: !explicit})
	a.channels[ch] = struct{}{}
}

// unsubscribeChannel removes one kind of subscription of a to ch; it
// reports false when there was none.
func (s *Server) unsubscribeChannel(a *app, ch *channel, explicit bool) bool {
	for i := range ch.subs {
		sub := &ch.subs[i]
		if sub.app != a {
			continue
		}
		if explicit {
			if !sub.explicit {
				return false
			}
			sub.explicit = false
		} else {
			sub.stasis = false
		}
		if !sub.explicit && !sub.stasis {
			ch.subs = append(ch.subs[:i], ch.subs[i+1:]...)
			delete(a.channels, ch)
		}
		return true
	}
	return false
}

// dropChannelSubs forgets every subscription to a destroyed channel.
func (s *Server) dropChannelSubs(ch *channel) {
	for _, sub := range ch.subs {
		delete(sub.app.channels, ch)
	}
	ch.subs = nil
}

// subscribeBridge subscribes a to br; implicit subscriptions (a channel of
// a is in the bridge) are counted.
func (s *Server) subscribeBridge(a *app, br *bridge, explicit bool) {
	for i := range br.subs {
		if br.subs[i].app == a {
			if explicit {
				br.subs[i].explicit = true
			} else {
				br.subs[i].implicit++
			}
			return
		}
	}
	sub := bridgeSub{app: a, explicit: explicit}
	if !explicit {
		sub.implicit = 1
	}
	br.subs = append(br.subs, sub)
	a.bridges[br] = struct{}{}
}

// unsubscribeBridge removes one subscription of a to br.
func (s *Server) unsubscribeBridge(a *app, br *bridge, explicit bool) bool {
	for i := range br.subs {
		sub := &br.subs[i]
		if sub.app != a {
			continue
		}
		if explicit {
			if !sub.explicit {
				return false
			}
			sub.explicit = false
		} else if sub.implicit > 0 {
			sub.implicit--
		}
		if !sub.explicit && sub.implicit == 0 {
			br.subs = append(br.subs[:i], br.subs[i+1:]...)
			delete(a.bridges, br)
		}
		return true
	}
	return false
}

// setAll updates the "all sources" subscriptions of a and the server's
// lists of such applications.
func (s *Server) setAll(a *app, channels, bridges, endpoints, devices *bool) {
	upd := func(flag *bool, v *bool, list *[]*app) {
		if v == nil || *flag == *v {
			return
		}
		*flag = *v
		if *v {
			*list = append(*list, a)
			return
		}
		for i, x := range *list {
			if x == a {
				*list = append((*list)[:i], (*list)[i+1:]...)
				return
			}
		}
	}
	upd(&a.allChannels, channels, &s.allChanApps)
	upd(&a.allBridges, bridges, &s.allBridgeApps)
	upd(&a.allEndpoints, endpoints, &s.allEndpointApps)
	upd(&a.allDevices, devices, &s.allDeviceApps)
}

// target says which applications an event goes to.
type target struct {
	ch, ch2  *channel // apps subscribed to these channels
	br       *bridge  // apps subscribed to this bridge
	direct   *app     // only this application (StasisStart, StasisEnd, ...)
	apps     []*app   // only these applications (CallBroadcast, CallClaimed)
	device   string   // apps subscribed to this device state
	endpoint string   // apps subscribed to this endpoint ("Test/alice")
	global   bool     // apps subscribed to all channels (a global variable)
}

// send stamps ev (type, timestamp, asterisk_id), marshals it once and
// queues it, with its "application" filled in, on the websocket of every
// application t selects that is connected and whose event filter lets it
// through. Call with mu held.
func (s *Server) send(ev events.Event, t target) {
	var buf [8]*app
	rcpt := buf[:0]
	add := func(a *app) {
		if a == nil || a.conn == nil {
			return
		}
		for _, x := range rcpt {
			if x == a {
				return
			}
		}
		rcpt = append(rcpt, a)
	}
	if t.direct != nil {
		add(t.direct)
	} else if t.apps != nil {
		for _, a := range t.apps {
			add(a)
		}
	} else {
		for _, ch := range [2]*channel{t.ch, t.ch2} {
			if ch == nil {
				continue
			}
			for _, sub := range ch.subs {
				add(sub.app)
			}
			for _, a := range s.allChanApps {
				add(a)
			}
		}
		if t.global {
			for _, a := range s.allChanApps {
				add(a)
			}
		}
		if t.br != nil {
			for _, sub := range t.br.subs {
				add(sub.app)
			}
			for _, a := range s.allBridgeApps {
				add(a)
			}
		}
		if t.device != "" {
			for _, a := range s.allDeviceApps {
				add(a)
			}
			for _, a := range s.apps {
				if _, ok := a.devices[t.device]; ok {
					add(a)
				}
			}
		}
		if t.endpoint != "" {
			for _, a := range s.allEndpointApps {
				add(a)
			}
			for _, a := range s.apps {
				if _, ok := a.endpoints[t.endpoint]; ok {
					add(a)
				}
			}
		}
	}
	if len(rcpt) == 0 {
		return
	}
	typ := ev.EventType()
	b := ev.Base()
	b.Type = typ
	b.Timestamp = ari.Time{Time: s.now()}
	b.AsteriskID = s.cfg.AsteriskID
	b.Application = ""
	data, err := ev.(json.Marshaler).MarshalJSON()
	if err != nil {
		s.log.Error("aritest: marshalling an event", "type", typ, "error", err)
		return
	}
	at := bytes.Index(data, appKey)
	for _, a := range rcpt {
		if !a.allows(typ) {
			continue
		}
		frame := spliceApp(data, at, a.name)
		a.conn.enqueue(frame)
		s.events.add(a.name, frame)
	}
}

var appKey = []byte(`"application":""`)

// spliceApp returns data with the empty "application" member at at set to
// name.
func spliceApp(data []byte, at int, name string) []byte {
	if at < 0 {
		return append([]byte(nil), data...)
	}
	q, _ := json.Marshal(name)
	out := make([]byte, 0, len(data)+len(q))
	out = append(out, data[:at]...)
	out = append(out, `"application":`...)
	out = append(out, q...)
	out = append(out, data[at+len(appKey):]...)
	return out
}

// allows applies the application's event filter (events_allowed and
// events_disallowed), which Asterisk matches on "type" only.
func (a *app) allows(typ string) bool {
	if len(a.allowed) > 0 && !filterMatches(a.allowed, typ) {
		return false
	}
	return !filterMatches(a.disallowed, typ)
}

func filterMatches(list []map[string]string, typ string) bool {
	for _, m := range list {
		if m["type"] == typ {
			return true
		}
	}
	return false
}

// model returns the Application model of a.
func (a *app) model() ari.Application {
	m := ari.Application{
		Name:             a.name,
		ChannelIDs:       []string{},
		BridgeIDs:        []string{},
		EndpointIDs:      []string{},
		DeviceNames:      []string{},
		EventsAllowed:    []map[string]string{},
		EventsDisallowed: []map[string]string{},
	}
	for ch := range a.channels {
		m.ChannelIDs = append(m.ChannelIDs, ch.id)
	}
	if a.allChannels {
		m.ChannelIDs = append(m.ChannelIDs, allChannelsTopic)
	}
	for br := range a.bridges {
		m.BridgeIDs = append(m.BridgeIDs, br.id)
	}
	if a.allBridges {
		m.BridgeIDs = append(m.BridgeIDs, allBridgesTopic)
	}
	for ep := range a.endpoints {
		m.EndpointIDs = append(m.EndpointIDs, ep)
	}
	if a.allEndpoints {
		m.EndpointIDs = append(m.EndpointIDs, allEndpointsTopic)
	}
	for d := range a.devices {
		m.DeviceNames = append(m.DeviceNames, d)
	}
	sort.Strings(m.ChannelIDs)
	sort.Strings(m.BridgeIDs)
	sort.Strings(m.EndpointIDs)
	sort.Strings(m.DeviceNames)
	m.EventsAllowed = append(m.EventsAllowed, a.allowed...)
	m.EventsDisallowed = append(m.EventsDisallowed, a.disallowed...)
	return m
}

// --- REST: applications ---

func hApplicationsList(s *Server, c *reqCtx) reply {
	names := make([]string, 0, len(s.apps))
	for name, a := range s.apps {
		if a.listed() {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := make([]ari.Application, 0, len(names))
	for _, n := range names {
		out = append(out, s.apps[n].model())
	}
	return okJSON(out)
}

func (s *Server) findApp(name string) *app {
	if a := s.apps[name]; a != nil && a.listed() {
		return a
	}
	return nil
}

func hApplicationsGet(s *Server, c *reqCtx) reply {
	a := s.findApp(c.path["applicationName"])
	if a == nil {
		return errReply(404, msgAppNotFound)
	}
	return okJSON(a.model())
}

func hApplicationsSubscribe(s *Server, c *reqCtx) reply {
	return s.subscription(c, true)
}

func hApplicationsUnsubscribe(s *Server, c *reqCtx) reply {
	return s.subscription(c, false)
}

// subscription implements applications.subscribe and unsubscribe.
func (s *Server) subscription(c *reqCtx, sub bool) reply {
	sources, rep, ok := c.list("eventSource")
	if !ok {
		return rep
	}
	if len(sources) == 0 {
		return errReply(400, "Missing parameter eventSource")
	}
	a := s.findApp(c.path["applicationName"])
	if a == nil {
		return errReply(404, msgAppNotFound)
	}
	// Validate every source first, as Asterisk does.
	type src struct {
		scheme, id string
		ch         *channel
		br         *bridge
	}
	var srcs []src
	for _, uri := range sources {
		var x src
		switch {
		case hasPrefix(uri, "channel:"):
			x.scheme, x.id = "channel", uri[len("channel:"):]
			if x.id != "" {
				if x.ch = s.channels[x.id]; x.ch == nil {
					return errReply(422, eventSourceMissing(sub))
				}
			}
		case hasPrefix(uri, "bridge:"):
			x.scheme, x.id = "bridge", uri[len("bridge:"):]
			if x.id != "" {
				if x.br = s.bridges[x.id]; x.br == nil {
					return errReply(422, eventSourceMissing(sub))
				}
			}
		case hasPrefix(uri, "endpoint:"):
			x.scheme, x.id = "endpoint", uri[len("endpoint:"):]
			if x.id != "" && !s.endpointExists(x.id) {
				return errReply(422, eventSourceMissing(sub))
			}
		case hasPrefix(uri, "deviceState:"):
			x.scheme, x.id = "deviceState", uri[len("deviceState:"):]
		default:
			return errReply(400, "Invalid event source URI scheme")
		}
		if !sub && x.id == "" {
			return errReply(501, "Method not implemented")
		}
		if !sub {
			subscribed := false
			switch x.scheme {
			case "channel":
				_, subscribed = a.channels[x.ch]
			case "bridge":
				_, subscribed = a.bridges[x.br]
			case "endpoint":
				_, subscribed = a.endpoints[x.id]
			case "deviceState":
				_, subscribed = a.devices[x.id]
			}
			if !subscribed {
				return errReply(422, eventSourceMissing(sub))
			}
		}
		srcs = append(srcs, x)
	}
	yes := true
	for _, x := range srcs {
		switch x.scheme {
		case "channel":
			switch {
			case x.ch == nil:
				s.setAll(a, &yes, nil, nil, nil)
			case sub:
				s.subscribeChannel(a, x.ch, true)
			default:
				s.unsubscribeChannel(a, x.ch, true)
			}
		case "bridge":
			switch {
			case x.br == nil:
				s.setAll(a, nil, &yes, nil, nil)
			case sub:
				s.subscribeBridge(a, x.br, true)
			default:
				s.unsubscribeBridge(a, x.br, true)
			}
		case "endpoint":
			switch {
			case x.id == "":
				s.setAll(a, nil, nil, &yes, nil)
			case sub:
				a.endpoints[x.id] = struct{}{}
			default:
				delete(a.endpoints, x.id)
			}
		case "deviceState":
			switch {
			case x.id == "":
				s.setAll(a, nil, nil, nil, &yes)
			case sub:
				a.devices[x.id] = struct{}{}
			default:
				delete(a.devices, x.id)
			}
		}
	}
	return okJSON(a.model())
}

func eventSourceMissing(sub bool) string {
	if sub {
		return "Event source does not exist"
	}
	return "Event source was not subscribed to"
}

func hApplicationsFilter(s *Server, c *reqCtx) reply {
	a := s.findApp(c.path["applicationName"])
	if a == nil {
		return errReply(404, msgAppNotFound)
	}
	var body map[string]json.RawMessage
	if len(c.rawBody) == 0 || json.Unmarshal(c.rawBody, &body) != nil || body == nil {
		return errReply(400, "Invalid format definition")
	}
	if len(body) == 0 {
		a.allowed, a.disallowed = nil, nil
		return okJSON(a.model())
	}
	parse := func(key string, dst *[]map[string]string) bool {
		raw, ok := body[key]
		if !ok {
			return true
		}
		var list []map[string]any
		if json.Unmarshal(raw, &list) != nil {
			return false
		}
		out := make([]map[string]string, 0, len(list))
		for _, m := range list {
			e := make(map[string]string, len(m))
			for k, v := range m {
				switch v := v.(type) {
				case string:
					e[k] = v
				case float64:
					e[k] = strconv.FormatFloat(v, 'f', -1, 64)
				case bool:
					e[k] = strconv.FormatBool(v)
				}
			}
			out = append(out, e)
		}
		*dst = out
		return true
	}
	allowed, disallowed := a.allowed, a.disallowed
	if !parse("allowed", &allowed) || !parse("disallowed", &disallowed) {
		return errReply(400, "Invalid format definition")
	}
	a.allowed, a.disallowed = allowed, disallowed
	return okJSON(a.model())
}

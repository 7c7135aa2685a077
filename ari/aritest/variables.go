package aritest

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"gostasis.dev/ari"
)

// splitFunc splits "FUNC(arg)" into FUNC and arg.
func splitFunc(name string) (fn, arg string, ok bool) {
	i := strings.IndexByte(name, '(')
	if i <= 0 || !strings.HasSuffix(name, ")") {
		return "", "", false
	}
	return strings.ToUpper(name[:i]), strings.ToLower(name[i+1 : len(name)-1]), true
}

// readVar reads a variable or a dialplan function as the dialplan sees it.
func (s *Server) readVar(ch *channel, name string) (string, bool) {
	if fn, arg, ok := splitFunc(name); ok {
		switch fn {
		case "CALLERID":
			return partyField(ch.caller, arg)
		case "CONNECTEDLINE":
			return partyField(ch.conn, arg)
		case "CHANNEL":
			switch arg {
			case "name":
				return ch.name, true
			case "state":
				return ch.state, true
			case "language":
				return ch.language, true
			case "uniqueid":
				return ch.id, true
			case "channeltype":
				return ch.tech, true
			}
			return "", false
		}
		v, ok := ch.vars[name]
		return v, ok
	}
	switch name {
	case "EXTEN":
		return ch.dp.Exten, true
	case "CONTEXT":
		return ch.dp.Context, true
	case "PRIORITY":
		return strconv.FormatInt(ch.dp.Priority, 10), true
	case "CHANNEL":
		return ch.name, true
	case "UNIQUEID":
		return ch.id, true
	case "LANGUAGE":
		return ch.language, true
	case "HANGUPCAUSE":
		return strconv.Itoa(ch.cause), true
	}
	if v, ok := ch.vars[name]; ok {
		return v, true
	}
	v, ok := s.globals[name]
	return v, ok
}

func partyField(p ari.CallerID, arg string) (string, bool) {
	switch arg {
	case "name":
		return p.Name, true
	case "num", "number":
		return p.Number, true
	case "all", "":
		return formatCallerID(p), true
	}
	return "", false
}

// writeVar sets a variable, or writes a dialplan function (CALLERID(...)
// and CONNECTEDLINE(...) update the channel and send ChannelCallerID /
// ChannelConnectedLine; other functions are accepted and ignored).
func (s *Server) writeVar(ch *channel, name, value string, events bool) {
	if fn, arg, ok := splitFunc(name); ok {
		switch fn {
		case "CALLERID":
			id := setPartyField(ch.caller, arg, value)
			if events {
				s.setCallerID(ch, id)
			} else {
				ch.caller = id
			}
		case "CONNECTEDLINE":
			id := setPartyField(ch.conn, arg, value)
			if events {
				s.setConnected(ch, id)
			} else {
				ch.conn = id
			}
		}
		return
	}
	if events {
		s.setVar(ch, name, value)
		return
	}
	if ch.vars == nil {
		ch.vars = make(map[string]string, 4)
	}
	ch.vars[name] = value
}

func setPartyField(p ari.CallerID, arg, value string) ari.CallerID {
	switch arg {
	case "name":
		p.Name = value
	case "num", "number":
		p.Number = value
	case "all", "":
		p = parseCallerID(value)
	}
	return p
}

// readVars reads the "variables" body member: values are strings or
// {"value": ..., "report_events": ...}.
func readVars(raw json.RawMessage) (map[string]string, []string, bool) {
	if len(raw) == 0 {
		return nil, nil, true
	}
	var vs ari.Vars
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, nil, false
	}
	out := make(map[string]string, len(vs))
	keys := make([]string, 0, len(vs))
	for k, v := range vs {
		out[k] = v.Value
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return out, keys, true
}

// --- REST: channel variables ---

func hChannelsGetChannelVar(s *Server, c *reqCtx) reply {
	name := c.str("variable")
	if name == "" {
		return errReply(400, "Variable name is required")
	}
	ch := s.channels[c.path["channelId"]]
	if ch == nil {
		return errReply(404, "Provided channel was not found")
	}
	v, ok := s.readVar(ch, name)
	if !ok {
		return errReply(404, "Provided variable was not found")
	}
	return okJSON(ari.Variable{Value: v})
}

func hChannelsSetChannelVar(s *Server, c *reqCtx) reply {
	ch, rep := s.findControl(c.path["channelId"])
	if ch == nil {
		return rep
	}
	name := c.str("variable")
	if name == "" {
		return errReply(400, "Variable name is required")
	}
	s.writeVar(ch, name, c.str("value"), true)
	return noContent()
}

func hChannelsGetChannelVars(s *Server, c *reqCtx) reply {
	names, rep, ok := c.list("variables")
	if !ok {
		return rep
	}
	if len(names) == 0 {
		return errReply(400, "Variable names are required")
	}
	ch := s.channels[c.path["channelId"]]
	if ch == nil {
		return errReply(404, "Provided channel was not found")
	}
	out := ari.Variables{Variables: map[string]string{}}
	for _, n := range names {
		if v, ok := s.readVar(ch, n); ok {
			out.Variables[n] = v
		}
	}
	return okJSON(out)
}

func hChannelsSetChannelVars(s *Server, c *reqCtx) reply {
	ch, rep := s.findControl(c.path["channelId"])
	if ch == nil {
		return rep
	}
	vars, keys, ok := readVars(c.body["variables"])
	if !ok {
		return errReply(400, "Invalid variables")
	}
	if len(vars) == 0 {
		return errReply(400, "Variables are required")
	}
	for _, k := range keys {
		s.writeVar(ch, k, vars[k], true)
	}
	return noContent()
}

// --- REST: bridge variables ---

func hBridgesGetBridgeVar(s *Server, c *reqCtx) reply {
	name := c.str("variable")
	if name == "" {
		return errReply(400, "Variable name is required")
	}
	br := s.bridges[c.path["bridgeId"]]
	if br == nil {
		return errReply(404, msgBridgeNotFound)
	}
	v, ok := br.vars[name]
	if !ok {
		return errReply(404, "Provided variable was not found")
	}
	return okJSON(ari.Variable{Value: v})
}

func hBridgesSetBridgeVar(s *Server, c *reqCtx) reply {
	br := s.bridges[c.path["bridgeId"]]
	if br == nil {
		return errReply(404, msgBridgeNotFound)
	}
	name := c.str("variable")
	if name == "" {
		return errReply(400, "Variable name is required")
	}
	br.setVar(name, c.str("value"))
	return noContent()
}

func hBridgesGetBridgeVars(s *Server, c *reqCtx) reply {
	names, rep, ok := c.list("variables")
	if !ok {
		return rep
	}
	if len(names) == 0 {
		return errReply(400, "Variable names are required")
	}
	br := s.bridges[c.path["bridgeId"]]
	if br == nil {
		return errReply(404, msgBridgeNotFound)
	}
	out := ari.Variables{Variables: map[string]string{}}
	for _, n := range names {
		if v, ok := br.vars[n]; ok {
			out.Variables[n] = v
		}
	}
	return okJSON(out)
}

func hBridgesSetBridgeVars(s *Server, c *reqCtx) reply {
	br := s.bridges[c.path["bridgeId"]]
	if br == nil {
		return errReply(404, msgBridgeNotFound)
	}
	vars, keys, ok := readVars(c.body["variables"])
	if !ok {
		return errReply(400, "Invalid variables")
	}
	if len(vars) == 0 {
		return errReply(400, "Variables are required")
	}
	for _, k := range keys {
		br.setVar(k, vars[k])
	}
	return noContent()
}

package aritest

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// --- mailboxes (res_mwi_external objects) ---

const (
	mwiClass = "res_mwi_external"
	mwiType  = "mailboxes"
)

func (s *Server) mailbox(name string) (ari.Mailbox, bool) {
	tuples, err := s.dynConfig.Get(mwiClass, mwiType, name)
	if err != nil {
		return ari.Mailbox{}, false
	}
	m := ari.Mailbox{Name: name}
	for _, t := range tuples {
		n, _ := strconv.Atoi(t.Value)
		switch t.Attribute {
		case "msgs_new":
			m.NewMessages = n
		case "msgs_old":
			m.OldMessages = n
		}
	}
	return m, true
}

func hMailboxesList(s *Server, c *reqCtx) reply {
	out := []ari.Mailbox{}
	for _, id := range s.dynConfig.IDs(mwiClass, mwiType) {
		if m, ok := s.mailbox(id); ok {
			out = append(out, m)
		}
	}
	return okJSON(out)
}

func hMailboxesGet(s *Server, c *reqCtx) reply {
	m, ok := s.mailbox(c.path["mailboxName"])
	if !ok {
		return errReply(404, "Mailbox is does not exist")
	}
	return okJSON(m)
}

func hMailboxesUpdate(s *Server, c *reqCtx) reply {
	oldN := c.int("oldMessages", 0)
	newN := c.int("newMessages", 0)
	if oldN < 0 || newN < 0 {
		return errReply(500, "Failed to update the mailbox")
	}
	_, err := s.dynConfig.Put(mwiClass, mwiType, c.path["mailboxName"], []ari.ConfigTuple{
		{Attribute: "msgs_new", Value: strconv.Itoa(newN)},
		{Attribute: "msgs_old", Value: strconv.Itoa(oldN)},
	})
	if err != nil {
		return errReply(500, "Failed to update the mailbox")
	}
	return noContent()
}

func hMailboxesDelete(s *Server, c *reqCtx) reply {
	if err := s.dynConfig.Delete(mwiClass, mwiType, c.path["mailboxName"]); err != nil {
		return errReply(404, "Mailbox does not exist")
	}
	return noContent()
}

// --- device states ---

var deviceStates = map[string]bool{
	"UNKNOWN": true, "NOT_INUSE": true, "INUSE": true, "BUSY": true, "INVALID": true,
	"UNAVAILABLE": true, "RINGING": true, "RINGINUSE": true, "ONHOLD": true,
}

func hDeviceStatesList(s *Server, c *reqCtx) reply {
	names := make([]string, 0, len(s.devices))
	for n := range s.devices {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]ari.DeviceState, 0, len(names))
	for _, n := range names {
		out = append(out, ari.DeviceState{Name: n, State: ari.DeviceStateValue(s.devices[n])})
	}
	return okJSON(out)
}

func hDeviceStatesGet(s *Server, c *reqCtx) reply {
	name := c.path["deviceName"]
	st, ok := s.devices[name]
	if !ok {
		st = "UNKNOWN"
		if !strings.HasPrefix(name, "Stasis:") {
			st = "INVALID"
		}
	}
	return okJSON(ari.DeviceState{Name: name, State: ari.DeviceStateValue(st)})
}

func hDeviceStatesUpdate(s *Server, c *reqCtx) reply {
	name := c.path["deviceName"]
	dev, ok := strings.CutPrefix(name, "Stasis:")
	if !ok {
		return errReply(409, "Uncontrolled device specified")
	}
	if dev == "" {
		return errReply(404, "Device name is missing")
	}
	st := strings.ToUpper(c.str("deviceState"))
	if !deviceStates[st] {
		st = "UNKNOWN"
	}
	s.devices[name] = st
	s.send(&events.DeviceStateChanged{DeviceState: ari.DeviceState{Name: name, State: ari.DeviceStateValue(st)}}, target{device: name})
	return noContent()
}

func hDeviceStatesDelete(s *Server, c *reqCtx) reply {
	name := c.path["deviceName"]
	if !strings.HasPrefix(name, "Stasis:") {
		return errReply(409, "Uncontrolled device specified")
	}
	if _, ok := s.devices[name]; !ok {
		return errReply(404, "Device name is missing")
	}
	delete(s.devices, name)
	return noContent()
}

// DeviceStates returns the Stasis-controlled device states, by device
// name ("Stasis:<name>").
func (s *Server) DeviceStates() map[string]ari.DeviceStateValue {
	s.mu.Lock()
	defer s.runlock()
	out := make(map[string]ari.DeviceStateValue, len(s.devices))
	for k, v := range s.devices {
		out[k] = ari.DeviceStateValue(v)
	}
	return out
}

// --- sounds ---

// sound is an entry of the built-in sound catalogue.
type sound struct {
	id      string
	text    string
	formats []string
}

// soundCatalogue is a small part of Asterisk's English core sounds.
var soundCatalogue = []sound{
	{"beep", "", []string{"gsm"}},
	{"conf-adminmenu", "", []string{"gsm"}},
	{"conf-onlyperson", "", []string{"gsm"}},
	{"demo-congrats", "", []string{"gsm"}},
	{"demo-echotest", "", []string{"gsm"}},
	{"digits/0", "", []string{"gsm"}},
	{"digits/1", "", []string{"gsm"}},
	{"digits/2", "", []string{"gsm"}},
	{"digits/3", "", []string{"gsm"}},
	{"digits/4", "", []string{"gsm"}},
	{"digits/5", "", []string{"gsm"}},
	{"digits/6", "", []string{"gsm"}},
	{"digits/7", "", []string{"gsm"}},
	{"digits/8", "", []string{"gsm"}},
	{"digits/9", "", []string{"gsm"}},
	{"goodbye", "", []string{"gsm"}},
	{"hello-world", "", []string{"gsm", "slin"}},
	{"pls-hold-while-try", "", []string{"gsm"}},
	{"queue-minutes", "", []string{"gsm"}},
	{"silence/1", "", []string{"gsm"}},
	{"tt-monkeys", "", []string{"gsm"}},
	{"tt-weasels", "", []string{"gsm"}},
	{"vm-goodbye", "", []string{"gsm"}},
	{"vm-intro", "", []string{"gsm"}},
	{"welcome", "", []string{"gsm"}},
}

var soundIndex = func() map[string]*sound {
	m := make(map[string]*sound, len(soundCatalogue))
	for i := range soundCatalogue {
		m[soundCatalogue[i].id] = &soundCatalogue[i]
	}
	return m
}()

func (sd *sound) model(lang, format string) (ari.Sound, bool) {
	m := ari.Sound{ID: sd.id, Text: sd.text, Formats: []ari.FormatLangPair{}}
	for _, f := range sd.formats {
		if (lang == "" || lang == "en") && (format == "" || format == f) {
			m.Formats = append(m.Formats, ari.FormatLangPair{Language: "en", Format: f})
		}
	}
	return m, len(m.Formats) > 0
}

func hSoundsList(s *Server, c *reqCtx) reply {
	out := []ari.Sound{}
	for i := range soundCatalogue {
		if m, ok := soundCatalogue[i].model(c.str("lang"), c.str("format")); ok {
			out = append(out, m)
		}
	}
	return okJSON(out)
}

func hSoundsGet(s *Server, c *reqCtx) reply {
	sd := soundIndex[c.path["soundId"]]
	if sd == nil {
		return errReply(404, "Sound not found")
	}
	m, _ := sd.model("", "")
	return okJSON(m)
}

// --- endpoints: endpoints.go ---

// --- user events ---

func hEventsUserEvent(s *Server, c *reqCtx) reply {
	appName := c.str("application")
	if appName == "" {
		return errReply(400, "Missing parameter application")
	}
	sources, rep, ok := c.list("source")
	if !ok {
		return rep
	}
	a := s.findApp(appName)
	if a == nil {
		return errReply(404, msgAppNotFound)
	}
	ev := &events.ChannelUserEvent{EventName: c.path["eventName"]}
	for _, uri := range sources {
		switch {
		case hasPrefix(uri, "channel:"):
			ch := s.channels[uri[len("channel:"):]]
			if ch == nil {
				return errReply(422, "Event source was not found")
			}
			ev.Channel = ch.snapshotPtr()
		case hasPrefix(uri, "bridge:"):
			br := s.bridges[uri[len("bridge:"):]]
			if br == nil {
				return errReply(422, "Event source was not found")
			}
			m := br.model()
			ev.Bridge = &m
		case hasPrefix(uri, "endpoint:"):
			id := uri[len("endpoint:"):]
			if !s.endpointExists(id) || !strings.Contains(id, "/") {
				return errReply(422, "Event source was not found")
			}
			tech, res, _ := strings.Cut(id, "/")
			m := s.endpointModel(tech, res)
			ev.Endpoint = &m
		default:
			return errReply(400, "Invalid event source URI scheme")
		}
	}
	// userevent is the variables object with "eventname" added.
	ue := map[string]json.RawMessage{}
	if raw, ok := c.body["variables"]; ok {
		if err := json.Unmarshal(raw, &ue); err != nil || ue == nil {
			return errReply(400, "Invalid userevnet data")
		}
	}
	name, _ := json.Marshal(c.path["eventName"])
	ue["eventname"] = name
	ev.UserEvent, _ = json.Marshal(ue)
	s.send(ev, target{direct: a})
	return noContent()
}

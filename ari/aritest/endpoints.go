package aritest

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// ErrInvalid matches the errors the test API returns for an argument it
// refuses: an unknown hangup reason, an endpoint of a technology the
// simulator has no phones for.
var ErrInvalid = errors.New("aritest: invalid argument")

// phoneTechs are the technologies whose channels are simulated phones,
// spelt as Asterisk names their channels.
var phoneTechs = [...]string{"Test", "PJSIP", "SIP", "IAX2"}

// phoneTech returns Asterisk's spelling of tech if its channels are
// simulated phones, else "".
func phoneTech(tech string) string {
	for _, t := range phoneTechs {
		if strings.EqualFold(t, tech) {
			return t
		}
	}
	return ""
}

// reasonCause returns the hangup cause channels.hangup gives reason
// (convert_reason_to_hangup_code); "" stands for def.
func reasonCause(reason, def resources.HangupReason) (int, error) {
	if reason == "" {
		reason = def
	}
	cause, ok := hangupReasons[string(reason)]
	if !ok {
		return 0, fmt.Errorf("%w: hangup reason %q is none of resources.HangupReason's", ErrInvalid, reason)
	}
	return cause, nil
}

// dialledEndpoint resolves the resource of an originate or create to tech
// (one of phoneTechs) as the channel driver would: the endpoint whose
// phone answers (the channel is <tech>/<name>-<n>), and whether the
// driver finds it. Any Test resource exists. A PJSIP endpoint exists in
// the dynamic configuration (res_pjsip endpoint objects) or in
// Config.Endpoints; SIP and IAX2 peers in Config.Endpoints only. Call with
// mu held.
func (s *Server) dialledEndpoint(tech, resource string) (name string, ok bool) {
	switch tech {
	case "Test":
		return resource, resource != ""
	case "PJSIP":
		// chan_pjsip's request(): "endpoint[/aor or URI]"; failing an
		// endpoint of that name, "user@endpoint" (a trunk).
		name, _, _ = strings.Cut(resource, "/")
		if s.pjsipEndpointExists(name) {
			return name, true
		}
		if _, trunk, found := strings.Cut(name, "@"); found && s.pjsipEndpointExists(trunk) {
			return trunk, true
		}
		return "", false
	case "SIP", "IAX2":
		// "peer", "peer/exten", "exten@peer", "user:secret@peer:port/exten".
		name, _, _ = strings.Cut(resource, "/")
		if i := strings.LastIndexByte(name, '@'); i >= 0 {
			name = name[i+1:]
		}
		name, _, _ = strings.Cut(name, ":")
		return name, name != "" && s.listedEndpoint(tech, name)
	}
	return "", false
}

// pjsipEndpointExists reports whether chan_pjsip finds the endpoint name.
// Call with mu held.
func (s *Server) pjsipEndpointExists(name string) bool {
	if name == "" {
		return false
	}
	if _, err := s.dynConfig.Get(pjsipClass, "endpoint", name); err == nil {
		return true
	}
	return s.listedEndpoint("PJSIP", name)
}

// endpointRef is an endpoint of Config.Endpoints.
type endpointRef struct{ tech, resource string }

// listedEndpoints returns the endpoints of Config.Endpoints ("alice" is
// Test/alice), sorted by technology and resource.
func (s *Server) listedEndpoints() []endpointRef {
	out := make([]endpointRef, 0, len(s.endpoints))
	for _, e := range s.endpoints {
		tech, res, ok := strings.Cut(e, "/")
		if !ok {
			tech, res = "Test", e
		}
		if t := phoneTech(tech); t != "" {
			tech = t
		}
		out = append(out, endpointRef{tech, res})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].tech != out[j].tech {
			return out[i].tech < out[j].tech
		}
		return out[i].resource < out[j].resource
	})
	return out
}

// listedEndpoint reports whether Config.Endpoints lists tech/resource.
func (s *Server) listedEndpoint(tech, resource string) bool {
	for _, e := range s.listedEndpoints() {
		if e.tech == tech && e.resource == resource {
			return true
		}
	}
	return false
}

// endpointExists reports whether "tech/resource" names a listed endpoint,
// or "tech" alone a technology with listed endpoints (Test always).
func (s *Server) endpointExists(id string) bool {
	tech, res, _ := strings.Cut(id, "/")
	if res == "" && tech == "Test" {
		return true
	}
	for _, e := range s.listedEndpoints() {
		if e.tech == tech && (res == "" || e.resource == res) {
			return true
		}
	}
	return false
}

// endpointModel returns the endpoint tech/res as ARI shows it, with the
// channels of its phones.
func (s *Server) endpointModel(tech, res string) ari.Endpoint {
	ep := ari.Endpoint{Technology: tech, Resource: res, State: "online", ChannelIDs: []string{}}
	want := tech + "/" + res
	for _, ch := range s.channels {
		if ch.phone != nil && ch.phone.endpoint == want {
			ep.ChannelIDs = append(ep.ChannelIDs, ch.id)
		}
	}
	sort.Strings(ep.ChannelIDs)
	return ep
}

// endpointList returns the listed endpoints of tech ("" for all).
func (s *Server) endpointList(tech string) []ari.Endpoint {
	out := []ari.Endpoint{}
	for _, e := range s.listedEndpoints() {
		if tech == "" || e.tech == tech {
			out = append(out, s.endpointModel(e.tech, e.resource))
		}
	}
	return out
}

func hEndpointsList(s *Server, c *reqCtx) reply { return okJSON(s.endpointList("")) }

func hEndpointsListByTech(s *Server, c *reqCtx) reply {
	tech := c.path["tech"]
	list := s.endpointList(tech)
	if len(list) == 0 {
		return errReply(404, "No Endpoints found - invalid tech "+tech)
	}
	return okJSON(list)
}

func hEndpointsGet(s *Server, c *reqCtx) reply {
	id := c.path["tech"] + "/" + c.path["resource"]
	if c.path["resource"] == "" || !s.endpointExists(id) {
		return errReply(404, "Endpoint not found")
	}
	return okJSON(s.endpointModel(c.path["tech"], c.path["resource"]))
}

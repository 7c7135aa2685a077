package ir

// Facts about Asterisk's API description that the description itself does
// not say, each one checked against real Asterisk output (docs/ari-notes.md
// section 2). Keep this file short: everything else is derived from the
// schemas.

// stringMapProps are `object` properties that Asterisk always fills with
// string values (docs/ari-notes.md 2.12): they become map[string]string. Every
// other `object` property stays free-form JSON (json.RawMessage), e.g.
// ChannelUserevent.userevent. A "[]" suffix means the elements of a
// List[object].
var stringMapProps = map[string]bool{
	"Channel.channelvars":             true,
	"Bridge.bridgevars":               true,
	"TextMessage.variables":           true,
	"Variables.variables":             true,
	"Application.events_allowed[]":    true,
	"Application.events_disallowed[]": true,
}

// idStrings are string properties of events that hold a bridge or channel
// id although their type is a plain string. Any other string property of
// an event whose name mentions a channel or a bridge stops generation, so
// that a new one is classified here on purpose.
var idStrings = map[string]idKind{
	"BridgeAttendedTransfer.destination_bridge": bridgeID,
}

type idKind int

const (
	notAnID idKind = iota
	channelID
	bridgeID
)

// targetURIProp is the property of playbacks and recordings that names
// what they play to or record: "channel:<id>", "bridge:<id>",
// "endpoint:<tech>/<resource>" or "deviceState:<name>".
const targetURIProp = "target_uri"

// channelListProp is the property of Endpoint listing its channels. An
// event that names no channel otherwise is routed to them (endpoint,
// peer, contact and text message events; docs/ari-notes.md section 3).
const channelListProp = "channel_ids"

// The models whose id routes an event.
const (
	channelModel  = "Channel"
	bridgeModel   = "Bridge"
	endpointModel = "Endpoint"
)

// sinceFixes correct or complete Asterisk's "since" where the schemas'
// presence cannot tell within a release line (docs/ari-notes.md 2.11 and 4). Keys
// are "resource.nickname" for operations and "resource.nickname.param" for
// parameters; the value replaces the element's since list. Presence per
// line still comes from the schema folders.
var sinceFixes = map[string][]string{
	// The schema says 20.17.0, 22.7.0, 23.1.0; it first shipped in 20.20,
	// 22.10 and 23.4 with CallBroadcast/CallClaimed.
	"events.claimChannel": {"20.20.0", "22.10.0", "23.4.0"},
	// Variables objects with report_events arrived with the bulk variable
	// operations.
	"bridges.create.variables":             {"20.20.0", "22.10.0", "23.4.0"},
	"bridges.createWithId.variables":       {"20.20.0", "22.10.0", "23.4.0"},
	"channels.setChannelVar.report_events": {"20.20.0", "22.10.0", "23.4.0"},
}

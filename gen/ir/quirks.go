package ir

// Facts about Asterisk's API description that the description itself does
// not say, each one checked against real Asterisk output (ARI-NOTES
// section 2 and the captures in shared/fixtures). Keep this file short:
// everything else is derived from the schemas.

// stringMapProps are `object` properties that Asterisk always fills with
// string values (ARI-NOTES 2.12): they become map[string]string. Every
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
// peer, contact and text message events; ARI-NOTES section 3).
const channelListProp = "channel_ids"

// The models whose id routes an event.
const (
	channelModel  = "Channel"
	bridgeModel   = "Bridge"
	endpointModel = "Endpoint"
)

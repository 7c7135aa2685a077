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

// listParams are string query parameters that Asterisk reads as a
// comma-separated list although the schema does not mark them
// allowMultiple: they become slices that the client joins with commas.
// Keys are "resource.nickname.param"; split says how Asterisk splits the
// value (the code that does it is named beside each, as of 16.30 to
// 23.4); valuesInDoc marks a list of values the description lists in
// parentheses, which become an enum. A string query parameter whose
// description speaks of a list, or whose name ends in "Args", stops
// generation unless it is classified here or in notListParams.
var listParams = map[string]listParam{
	// res_stasis.c bridge_create_common: strsep(",") then ast_strip;
	// unknown values are ignored.
	"bridges.create.type":       {split: SplitPlain, valuesInDoc: true},
	"bridges.createWithId.type": {split: SplitPlain, valuesInDoc: true},
	// resource_channels.c: ast_strip(strsep(&formats_copy, ",")).
	"channels.originate.formats":       {split: SplitPlain},
	"channels.originateWithId.formats": {split: SplitPlain},
	"channels.create.formats":          {split: SplitPlain},
	// resource_channels.c and res_stasis_snoop.c append appArgs to the
	// Stasis() application's data ("app,args"), which app_stasis.c parses
	// with AST_STANDARD_APP_ARGS; a snoop's data first goes through
	// ast_pbx_exec_application, which substitutes ${...} and $[...].
	"channels.originate.appArgs":          {split: SplitAppArgs},
	"channels.originateWithId.appArgs":    {split: SplitAppArgs},
	"channels.create.appArgs":             {split: SplitAppArgs},
	"channels.snoopChannel.appArgs":       {split: SplitAppArgs},
	"channels.snoopChannelWithId.appArgs": {split: SplitAppArgs},
	// stasis/control.c app_control_move: strtok_r(",").
	"channels.move.appArgs": {split: SplitStrtok},
}

type listParam struct {
	split       Split
	valuesInDoc bool
}

// notListParams are string query parameters whose description speaks of a
// list but that are one value, with the reason.
var notListParams = map[string]string{}

// callerIDParams are string query parameters in Asterisk's caller id
// syntax, read by ast_callerid_parse (resource_channels.c): they become
// ari.CallerID, which the client formats as "Name" <Number>. A string
// query parameter named callerId or described as a CallerID stops
// generation unless it is listed here.
var callerIDParams = map[string]bool{
	"channels.originate.callerId":       true,
	"channels.originateWithId.callerId": true,
}

// reroutes are operations that Asterisk does not run as described once a
// body parameter is set: such a call is sent to a sibling operation that
// takes the id in its path, with the id parameter's value (a new UUID
// when it is empty) and every other parameter under the same name. Key:
// "resource.nickname.param"; an operation or sibling absent from the
// schemas (test schemas) is left as described.
var reroutes = map[string]reroute{
	// res/ari/resource_bridges.c, 22.10.1 to 23.5.0-rc1 and master:
	// ast_ari_bridges_create creates the bridge, then reads the whole body
	// as the variables (json_to_ast_variables(args->variables), where
	// args->variables is the body), so the documented {"variables": {...}}
	// fails with 400 "Each object value in 'variables' must include
	// string field 'value'" and the bridge is left behind.
	// ast_ari_bridges_create_with_id reads body["variables"]. Going there,
	// the documented body keeps working once create is fixed; sending
	// bare variables to create instead would set "type", "bridgeId" or
	// "name" too (create's body parser reads them from the same object)
	// and would be ignored once create is fixed.
	"bridges.create.variables": {
		via: "createWithId", id: "bridgeId",
		why: "Asterisk 22.10.1 to 23.5.0-rc1 reads the whole body of POST /bridges as the variables, answering the documented body with 400 after creating the bridge, which is left behind; POST /bridges/{bridgeId} reads the body as documented.",
	},
}

type reroute struct {
	via, id string
	why     string // for the method's documentation
}

// errorFixes correct the error statuses operations declare where
// Asterisk's code answers otherwise, so that an *ari.Error's Reason never
// states what its status does not mean. Key: "resource.nickname"; the
// reason replaces the declared one, or adds the status; "" removes a
// status Asterisk never answers.
var errorFixes = map[string]map[int]string{
	// resource_channels.c ast_ari_channels_rtpstatistics: 403 "Unsupported
	// channel type" for a technology without RTP glue (a Local channel);
	// 404 "RTP info not found" (an externalMedia UnicastRTP channel, real
	// 22.10.1) or "Statistics not found" as well as "Channel not found".
	"channels.rtpstatistics": {
		403: "Unsupported channel type: the channel's technology has no RTP (a Local channel)",
		404: "Channel not found, or it has no RTP session or statistics",
	},
	// resource_applications.c ast_ari_applications_unsubscribe answers
	// STASIS_ASR_EVENT_SOURCE_NOT_FOUND, which res_stasis.c app_unsubscribe
	// returns for a source the application is not subscribed to (existing
	// or not), with 422 "Event source was not subscribed to"; no 409.
	"applications.unsubscribe": {
		409: "",
		422: "Application not subscribed to event source (whether or not it exists)",
	},
	// main/channel.c do_ids_conflict looks each assigned id up with
	// get_by_uniqueid, which compares it as a prefix of the existing ids,
	// ignoring case (channelstorage_ao2_legacy.c by_uniqueid_cb): "call-1"
	// conflicts with an existing "call-1-phone". The error it records
	// (ast_channel_errno) is per thread and never cleared, so a later
	// request on the same HTTP connection that fails otherwise (an
	// unknown technology) answers 409 too. externalMedia originates the
	// same way; its declared 409 reason is copied from another operation.
	"channels.originate":       {409: idConflictReason},
	"channels.originateWithId": {409: idConflictReason},
	"channels.create":          {409: idConflictReason},
	"channels.externalMedia":   {409: idConflictReason},
}

const idConflictReason = "Channel with given unique ID already exists, or one whose id begins with it (ignoring case); after such a conflict, also the answer on that HTTP connection for an unknown technology"

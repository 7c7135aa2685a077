// Package ir is the generator's intermediate model: the union of every
// release's API description, with Go names decided, the releases that have
// each operation, parameter, model, property, enum value and event, and the
// fields that name channels and bridges in each event. Emitters only print
// what this package decided.
package ir

// API is the union of all releases.
type API struct {
	// Releases are the releases read, oldest first.
	Releases []Release
	// Models are the non-event models (package ari), sorted by name.
	Models []*Model
	// Bases are the abstract message models (Message, Event), root first.
	Bases []*Model
	// Events are the concrete message types (package events), sorted by name.
	Events []*Model
	// Enums are the enums of model properties (package ari), sorted by Go name.
	Enums []*Enum
	// ParamEnums are the enums of operation parameters (package resources).
	ParamEnums []*Enum
	// Resources are the declaration files, sorted by name.
	Resources []*Resource
}

// Release is one release folder.
type Release struct {
	// Version is the Asterisk version, e.g. "22.10.1".
	Version string
	// Major, Minor and Patch are Version's numbers.
	Major, Minor, Patch int
	// APIVersion is the ARI version the release declares.
	APIVersion string
	// Dir is the folder name, e.g. "asterisk-22.10.1".
	Dir string
}

// Avail says which releases have an element: bit i is API.Releases[i].
type Avail struct {
	Releases uint64
	// Since is Asterisk's own "since" list (operations only), sorted.
	Since []string
}

// Model is an object type.
type Model struct {
	// Name is Asterisk's model id, as the wire spells it (the "type" of an
	// event); GoName spells it by the naming rule for Go.
	Name string
	// Resource is the declaration file that declares it (newest release).
	Resource string
	Doc      string
	Avail    Avail
	// Props are the model's own properties in declaration order (newest
	// release first, then properties only older releases have).
	Props []*Prop
	// Parent is the model this one is a subtype of, or nil.
	Parent *Model
	// Discriminator is the property naming the subtype ("type"), on roots.
	Discriminator string
	// Message reports a subtype (at any depth) of a discriminated root: an
	// event or other message Asterisk sends on the websocket.
	Message bool
	// Abstract reports a message model with subtypes (Message, Event).
	Abstract bool
	// ChannelIDs and BridgeIDs are the fields that name channels and
	// bridges, primary first (events only).
	ChannelIDs []IDPath
	BridgeIDs  []IDPath
}

// AllProps returns the inherited properties (root first) then the own ones.
func (m *Model) AllProps() []*Prop {
	if m.Parent == nil {
		return m.Props
	}
	return append(append([]*Prop(nil), m.Parent.AllProps()...), m.Props...)
}

// Prop is a model property.
type Prop struct {
	// JSON is the key on the wire.
	JSON string
	// GoName is the Go field name.
	GoName string
	Doc    string
	Type   *Type
	// Required reports a property every release that has it requires.
	Required bool
	Avail    Avail
}

// Kind is the kind of a Type.
type Kind int

// The kinds of types.
const (
	String Kind = iota
	Bool
	Int
	Long
	Double
	Date
	// Raw is free-form JSON (json.RawMessage).
	Raw
	// StringMap is a JSON object of strings (map[string]string).
	StringMap
	// ModelRef is a reference to a Model.
	ModelRef
	// List is a JSON array of Elem.
	List
	// EnumRef is a string restricted (openly) to an Enum's values.
	EnumRef
)

// Type is the type of a property, parameter or response.
type Type struct {
	Kind  Kind
	Elem  *Type
	Model *Model
	Enum  *Enum
}

// Enum is an open string enum.
type Enum struct {
	GoName string
	Doc    string
	Values []*EnumValue
	Avail  Avail
	// Param reports an enum of parameters (package resources); the others
	// are the enums of model properties (package ari), which parameters use
	// too when their values are a subset.
	Param bool
}

// EnumValue is one value of an enum.
type EnumValue struct {
	Value  string
	GoName string
	Avail  Avail
}

// Resource is one declaration file.
type Resource struct {
	// Name is the file's name, e.g. "channels" or "deviceStates".
	Name string
	// GoName is the Go name of the service, e.g. "Channels".
	GoName string
	// Singular is the singular Go name, e.g. "Channel", used in type names.
	Singular string
	Doc      string
	Avail    Avail
	Ops      []*Operation
}

// Operation is one operation.
type Operation struct {
	Resource *Resource
	Nickname string
	// GoName is the method name.
	GoName  string
	Method  string
	Path    string
	Summary string
	Notes   string
	// Response is the result type; nil for void. Binary reports a binary
	// (streamed) reply; Websocket the events websocket upgrade.
	Response  *Type
	Binary    bool
	Websocket bool
	// ResponseClass is Asterisk's responseClass, for documentation.
	ResponseClass string
	Params        []*Param
	Errors        []ErrorResponse
	Avail         Avail
	// Reroute, if set, sends a call that sets one parameter to another
	// operation (quirks.go, reroutes).
	Reroute *Reroute
}

// PathParams returns the path parameters in the order the path names them.
func (o *Operation) PathParams() []*Param {
	var out []*Param
	for _, name := range pathParamNames(o.Path) {
		for _, p := range o.Params {
			if p.In == "path" && p.Name == name {
				out = append(out, p)
			}
		}
	}
	return out
}

// ErrorResponse is a declared error status.
type ErrorResponse struct {
	Status int
	Reason string
}

// BodyKind says how a body parameter is sent.
type BodyKind int

// Body parameter kinds (docs/ari-notes.md 2.5).
const (
	NoBody BodyKind = iota
	// BodyVars: {"<name>": {var: value|{value, report_events}}} (ari.Vars).
	BodyVars
	// BodyStringMap: {"<name>": {key: value}}.
	BodyStringMap
	// BodyConfigTuples: {"<name>": [{attribute, value}]}.
	BodyConfigTuples
	// BodyEventFilter: the whole body is the filter object (ari.EventFilter).
	BodyEventFilter
)

// Param is an operation parameter.
type Param struct {
	Name string
	// GoName is the field name in the params struct.
	GoName string
	// ArgName is the Go argument name, for path parameters.
	ArgName  string
	In       string
	Doc      string
	Required bool
	Multiple bool
	// Type is the Go value type of one value (String, Bool, Int, Long,
	// Double or EnumRef) for path and query parameters.
	Type *Type
	Body BodyKind
	// Default is the default value Asterisk applies, as text ("" if none).
	Default string
	// Pointer reports that the Go field is a pointer because Asterisk's
	// default differs from Go's zero value.
	Pointer bool
	// Min is the minimum of a RANGE, if any.
	Min   *float64
	Avail Avail
	// Gated reports that not every release accepts the parameter.
	Gated bool
	// Split says how Asterisk splits the one comma-separated value of a
	// Multiple parameter, which decides what an element may hold.
	Split Split
	// ValuesInDoc reports an enum whose values the description lists in
	// parentheses rather than in allowableValues (quirks.go, listParams).
	ValuesInDoc bool
	// CallerID reports a string in Asterisk's caller id syntax
	// ("Name" <Number>), typed ari.CallerID (quirks.go, callerIDParams).
	CallerID bool
}

// Split says how Asterisk splits the comma-separated value of a list
// parameter (docs/ari-notes.md 2.6; quirks.go, listParams).
type Split int

// The ways Asterisk splits a list.
const (
	// SplitMultiple: an allowMultiple parameter, split by the parser
	// Asterisk generates from the description (ast_app_separate_args: a
	// comma inside quotes, parentheses or brackets does not split; nothing
	// is removed). Values are sent as given.
	SplitMultiple Split = iota
	// SplitPlain: strsep at every comma, blanks stripped; a value must hold
	// no comma.
	SplitPlain
	// SplitAppArgs: the arguments of the Stasis() application
	// (AST_STANDARD_APP_ARGS, which removes quotes and backslashes); the
	// client escapes each value so that it arrives unchanged.
	SplitAppArgs
	// SplitStrtok: strtok_r at every comma, which drops empty values; a
	// value must be non-empty and hold no comma.
	SplitStrtok
)

// IDPath is how to reach one channel or bridge id from an event.
type IDPath struct {
	// Steps are the fields walked from the event, e.g. ReferredBy,
	// SourceChannel. The last step holds the id source.
	Steps []Step
	// Source says what the last step holds.
	Source IDSource
	// Required reports that every step is required.
	Required bool
}

// Step is one field of an IDPath.
type Step struct {
	Prop *Prop
	// Optional steps are pointers (models) that may be nil.
	Optional bool
}

// IDSource says how to read an id at the end of an IDPath.
type IDSource int

// The id sources.
const (
	// SourceModelID: a Channel or Bridge model; its id field.
	SourceModelID IDSource = iota
	// SourceChannelURI: a target_uri string; the id after "channel:".
	SourceChannelURI
	// SourceBridgeURI: a target_uri string; the id after "bridge:".
	SourceBridgeURI
	// SourceIDList: a list of id strings (Endpoint.channel_ids).
	SourceIDList
	// SourceString: a string holding an id.
	SourceString
)

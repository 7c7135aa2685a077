package main

// The types of the operation table that the generator writes to
// ops_gen.go (gen/internal/emit/cli.go): what "ari call" checks arguments
// against and prints as help.

// callResult says what an operation replies with.
type callResult int

// The kinds of reply.
const (
	// resultNone: no body (204, 202); ari call prints "ok".
	resultNone callResult = iota
	// resultJSON: a model or a list of models, printed indented.
	resultJSON
	// resultBinary: a stream (recordings.getStoredFile's audio), copied
	// to the output as it is.
	resultBinary
	// resultWebsocket: the events websocket, which ari call does not open.
	resultWebsocket
)

// paramKind is the type of one value of a parameter.
type paramKind int

// The parameter types. The body kinds are JSON given on the command line.
const (
	kindString paramKind = iota
	kindInt
	kindNumber
	kindBool
	// kindEnum: a string among callParam.values.
	kindEnum
	// kindVars: {"name": "value" or {"value": "...", "report_events": true}},
	// sent as {"<param>": {...}}.
	kindVars
	// kindStringMap: {"name": "value"}, sent as {"<param>": {...}}.
	kindStringMap
	// kindConfigTuples: [{"attribute": "a", "value": "v"}] or {"a": "v"},
	// sent as {"<param>": [...]}.
	kindConfigTuples
	// kindEventFilter: {"allowed": [...], "disallowed": [...]}, sent as the
	// whole body.
	kindEventFilter
)

// callOp describes one operation.
type callOp struct {
	// name is "resource.nickname", e.g. "channels.originate".
	name string
	// result is what the operation replies; class is Asterisk's
	// responseClass ("Channel", "List[Bridge]", "void").
	result callResult
	class  string
	// summary, notes and avail (the releases that have the operation)
	// are printed by the operation's help.
	summary, notes, avail string
	// params are path parameters in path order, then the others.
	params []callParam
	// reroute, if set, sends a call that sets one parameter to another
	// operation, as the generated clients of package resources do.
	reroute *callReroute
}

// callReroute sends a call of an operation that Asterisk does not run as
// described once the body parameter when is set to the sibling operation
// via ("bridges.createWithId"), whose one path parameter takes the value
// of the parameter id (a new UUID when it is not given); the other
// parameters keep their names.
type callReroute struct {
	when, via, id string
}

// callParam describes one parameter of an operation.
type callParam struct {
	name string
	// in is "path", "query" or "body".
	in   string
	kind paramKind
	// list reports a comma-separated list of values.
	list     bool
	required bool
	// callerID reports a caller id in Asterisk's syntax: "Name" <number>.
	callerID bool
	// def is the default Asterisk applies; min the least value allowed;
	// values the allowed values of an enum.
	def, min string
	values   []string
	doc      string
	// avail names the releases that accept the parameter, when not every
	// release of its operation does.
	avail string
}

// param returns op's parameter called name, or nil.
func (op *callOp) param(name string) *callParam {
	for i := range op.params {
		if op.params[i].name == name {
			return &op.params[i]
		}
	}
	return nil
}

// findCallOp returns the operation called name ("channels.originate"), or
// nil.
func findCallOp(name string) *callOp {
	for i := range callOps {
		if callOps[i].name == name {
			return &callOps[i]
		}
	}
	return nil
}

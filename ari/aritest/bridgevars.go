package aritest

import (
	"bytes"
	"encoding/json"
	"strings"
)

// The messages of res/ari/resource_bridges.c json_to_ast_variables.
const (
	msgVarNoValue      = "Each object value in 'variables' must include string field 'value'"
	msgVarBadReport    = "Field 'report_events' in 'variables' entries must be boolean"
	msgVarBadValueKind = "Each value in 'variables' must be a string or an object with 'value' and optional 'report_events'"
)

// bridgeVar is one variable of a bridge creation.
type bridgeVar struct{ name, value string }

// bridgeBodyVars reads the variables of bridges.create or createWithId as
// json_to_ast_variables does, in the order of the object: a string, or an
// object with a string "value" and an optional boolean "report_events";
// an empty name is skipped, names are stripped of blanks. Anything but an
// object holds no variable. It fails with Asterisk's 400 at the first bad
// value. Asterisk calls it once the bridge exists, so a failure leaves the
// bridge behind.
func bridgeBodyVars(raw json.RawMessage) ([]bridgeVar, reply, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, reply{}, true
	}
	var out []bridgeVar
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errReply(400, "Error parsing request body"), false
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errReply(400, "Error parsing request body"), false
		}
		if name == "" {
			continue
		}
		value, rep, ok := bridgeVarValue(v)
		if !ok {
			return nil, rep, false
		}
		out = append(out, bridgeVar{strings.TrimSpace(name), value})
	}
	return out, reply{}, true
}

// bridgeVarValue reads one value of json_to_ast_variables.
func bridgeVarValue(v json.RawMessage) (string, reply, bool) {
	var s string
	switch v = bytes.TrimSpace(v); {
	case len(v) > 0 && v[0] == '"':
		_ = json.Unmarshal(v, &s)
		return s, reply{}, true
	case len(v) > 0 && v[0] == '{':
		var obj map[string]json.RawMessage
		_ = json.Unmarshal(v, &obj)
		value := bytes.TrimSpace(obj["value"])
		if len(value) == 0 || value[0] != '"' {
			return "", errReply(400, msgVarNoValue), false
		}
		if r, ok := obj["report_events"]; ok {
			if r := string(bytes.TrimSpace(r)); r != "true" && r != "false" {
				return "", errReply(400, msgVarBadReport), false
			}
		}
		_ = json.Unmarshal(value, &s)
		return s, reply{}, true
	}
	return "", errReply(400, msgVarBadValueKind), false
}

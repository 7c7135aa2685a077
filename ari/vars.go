package ari

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// VarValue is a variable value in a request body: sent as a plain string,
// or, when ReportEvents is set, as {"value": "...", "report_events": true},
// which asks Asterisk to report changes of the variable in channel events
// (Asterisk 20.20+, 22.10+, 23.4+; older releases want plain strings, so
// leave ReportEvents false for them).
type VarValue struct {
	// Value is the variable's value.
	Value string
	// ReportEvents asks Asterisk to include updates of this variable in
	// the channel's events.
	ReportEvents bool
}

var (
	_ json.Marshaler   = VarValue{}
	_ json.Unmarshaler = (*VarValue)(nil)
)

// MarshalJSON encodes v as a JSON string, or as an object when
// ReportEvents is set.
func (v VarValue) MarshalJSON() ([]byte, error) {
	s, err := json.Marshal(v.Value)
	if err != nil || !v.ReportEvents {
		return s, err
	}
	out := make([]byte, 0, len(s)+32)
	out = append(out, `{"value":`...)
	out = append(out, s...)
	out = append(out, `,"report_events":true}`...)
	return out, nil
}

// UnmarshalJSON accepts both forms: a string, or an object with "value"
// and an optional "report_events". null leaves v unchanged.
func (v *VarValue) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return fmt.Errorf("ari: variable value: empty JSON")
	}
	switch data[0] {
	case 'n':
		if string(data) == "null" {
			return nil
		}
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*v = VarValue{Value: s}
		return nil
	case '{':
		var o struct {
			Value        string `json:"value"`
			ReportEvents bool   `json:"report_events"`
		}
		if err := json.Unmarshal(data, &o); err != nil {
			return fmt.Errorf("ari: variable value: %w", err)
		}
		*v = VarValue{Value: o.Value, ReportEvents: o.ReportEvents}
		return nil
	}
	return fmt.Errorf("ari: variable value must be a string or an object, not %.20s", data)
}

// Vars is a set of channel or bridge variables in a request body, e.g. the
// "variables" of channels.originate: {"variables": {"CALLERID(name)":
// "Alice", "STATE": {"value": "waiting", "report_events": true}}}.
type Vars map[string]VarValue

// VarsOf turns a map of plain values into Vars; nil gives nil.
func VarsOf(m map[string]string) Vars {
	if m == nil {
		return nil
	}
	vs := make(Vars, len(m))
	for k, v := range m {
		vs[k] = VarValue{Value: v}
	}
	return vs
}

// Set sets the variable name to value, sent as a plain string.
func (vs Vars) Set(name, value string) { vs[name] = VarValue{Value: value} }

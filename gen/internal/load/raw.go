package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The raw* types mirror Asterisk's JSON (docs/ari-notes.md section 1) for
// decoding only: Dir turns them into go-openapi/spec values at once.

// rawIndex mirrors resources.json.
type rawIndex struct {
	APIVersion string `json:"apiVersion"`
	APIs       []struct {
		Path        string `json:"path"`
		Description string `json:"description"`
	} `json:"apis"`
}

// rawFile mirrors a declaration file; models stay raw so that
// orderedObject keeps the declaration order of models and properties,
// which encoding/json maps lose.
type rawFile struct {
	APIVersion   string          `json:"apiVersion"`
	ResourcePath string          `json:"resourcePath"`
	Since        []string        `json:"since"`
	APIs         []rawAPI        `json:"apis"`
	Models       json.RawMessage `json:"models"`
}

type rawAPI struct {
	Path        string         `json:"path"`
	Description string         `json:"description"`
	Operations  []rawOperation `json:"operations"`
}

type rawOperation struct {
	HTTPMethod        string          `json:"httpMethod"`
	Since             []string        `json:"since"`
	Summary           string          `json:"summary"`
	Notes             string          `json:"notes"`
	Nickname          string          `json:"nickname"`
	ResponseClass     string          `json:"responseClass"`
	Upgrade           string          `json:"upgrade"`
	WebsocketProtocol string          `json:"websocketProtocol"`
	Parameters        []rawParameter  `json:"parameters"`
	ErrorResponses    []rawErrorReply `json:"errorResponses"`
}

type rawParameter struct {
	Name            string              `json:"name"`
	Description     string              `json:"description"`
	Descriptioni    string              `json:"descriptioni"` // typo in 16.x-20.x endpoints.json
	ParamType       string              `json:"paramType"`
	Required        *bool               `json:"required"`
	AllowMultiple   *bool               `json:"allowMultiple"`
	DataType        string              `json:"dataType"`
	AllowableValues *rawAllowableValues `json:"allowableValues"`
	DefaultValue    json.RawMessage     `json:"defaultValue"`
	DefalutValue    json.RawMessage     `json:"defalutValue"` // typo in 16.x channels.hangup
}

type rawErrorReply struct {
	Code   json.RawMessage `json:"code"` // a number, or a string in channels.move
	Reason string          `json:"reason"`
}

type rawModel struct {
	ID            string          `json:"id"`
	Description   string          `json:"description"`
	Discriminator string          `json:"discriminator"`
	SubTypes      []string        `json:"subTypes"`
	Properties    json.RawMessage `json:"properties"`
}

type rawProperty struct {
	Type            string              `json:"type"`
	Required        *bool               `json:"required"`
	Description     string              `json:"description"`
	AllowableValues *rawAllowableValues `json:"allowableValues"`
}

// rawAllowableValues is either a LIST of values or a RANGE with a minimum
// (and, in principle, a maximum).
type rawAllowableValues struct {
	// ValueType is "LIST" or "RANGE", upper-cased.
	ValueType string
	// Values are a LIST's values as text.
	Values []string
	Min    *float64
	Max    *float64
}

// UnmarshalJSON reads allowableValues, whose min and max may be numbers
// or strings.
func (a *rawAllowableValues) UnmarshalJSON(b []byte) error {
	var raw struct {
		ValueType string          `json:"valueType"`
		Values    []any           `json:"values"`
		Min       json.RawMessage `json:"min"`
		Max       json.RawMessage `json:"max"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	a.ValueType = strings.ToUpper(raw.ValueType)
	for _, v := range raw.Values {
		a.Values = append(a.Values, fmt.Sprint(v))
	}
	var err error
	if a.Min, err = number(raw.Min); err != nil {
		return fmt.Errorf("allowableValues.min: %w", err)
	}
	if a.Max, err = number(raw.Max); err != nil {
		return fmt.Errorf("allowableValues.max: %w", err)
	}
	return nil
}

func number(raw json.RawMessage) (*float64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	s := strings.Trim(string(raw), `"`)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

type keyValue struct {
	key   string
	value json.RawMessage
}

// orderedObject splits a JSON object into its members in document order.
func orderedObject(raw json.RawMessage) ([]keyValue, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("expected an object")
	}
	var out []keyValue
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out = append(out, keyValue{key, v})
	}
	return out, nil
}

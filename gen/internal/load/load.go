// Package load reads Asterisk's ARI API description (Swagger 1.1 keywords
// with 1.2's subTypes and discriminator) from a release folder, tolerating
// the quirks found in real releases: missing keys, string error codes,
// misspelt keys and unknown keys.
package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Release is one folder of the schemas directory: resources.json and the
// declaration files it lists.
type Release struct {
	// Dir is the folder read.
	Dir string
	// Name is the folder's base name, e.g. "asterisk-22.10.1".
	Name string
	// Version is the Asterisk version taken from the folder name, e.g. "22.10.1".
	Version string
	// APIVersion is resources.json's apiVersion, e.g. "10.0.0".
	APIVersion string
	// Files are the declaration files in the order resources.json lists them.
	Files []*File
}

// File is one declaration file (api-docs/<name>.json).
type File struct {
	// Path is the file read, for error messages.
	Path string
	// Name is the resource name, e.g. "channels".
	Name string
	// Description is resources.json's description of the file.
	Description  string
	APIVersion   string
	ResourcePath string
	Since        []string
	APIs         []*API
	// Models in the order the file declares them.
	Models []*Model
}

// API is one path of a declaration file with its operations.
type API struct {
	Path        string
	Description string
	Operations  []*Operation
}

// Operation is one HTTP operation.
type Operation struct {
	HTTPMethod        string
	Since             []string
	Summary           string
	Notes             string
	Nickname          string
	ResponseClass     string
	Upgrade           string
	WebsocketProtocol string
	Parameters        []*Parameter
	ErrorResponses    []*ErrorResponse
}

// Parameter is one operation parameter.
type Parameter struct {
	Name            string
	Description     string
	ParamType       string
	Required        bool
	AllowMultiple   bool
	DataType        string
	AllowableValues *AllowableValues
	// DefaultValue is the raw JSON of defaultValue (or of its misspelling
	// defalutValue), nil when absent.
	DefaultValue json.RawMessage
}

// AllowableValues is either a LIST of values or a RANGE with a minimum.
type AllowableValues struct {
	ValueType string
	Values    []string
	Min       *float64
	Max       *float64
}

// ErrorResponse is one declared error status.
type ErrorResponse struct {
	Code   int
	Reason string
}

// Model is one model declaration.
type Model struct {
	ID            string
	Description   string
	Discriminator string
	SubTypes      []string
	// Properties in declaration order.
	Properties []*Property
}

// Property is one model property.
type Property struct {
	Name            string
	Type            string
	Required        bool
	Description     string
	AllowableValues *AllowableValues
}

// Error names the file and the element that could not be read.
type Error struct {
	File    string
	Element string
	Err     error
}

func (e *Error) Error() string {
	if e.Element == "" {
		return e.File + ": " + e.Err.Error()
	}
	return e.File + ": " + e.Element + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Dir reads the release folder dir. Its base name must be
// "asterisk-<version>".
func Dir(dir string) (*Release, error) {
	name := filepath.Base(dir)
	version, ok := strings.CutPrefix(name, "asterisk-")
	if !ok || version == "" {
		return nil, &Error{File: dir, Err: fmt.Errorf("folder name must be asterisk-<version>")}
	}
	rel := &Release{Dir: dir, Name: name, Version: version}
	idxPath := filepath.Join(dir, "resources.json")
	var idx struct {
		APIVersion string `json:"apiVersion"`
		APIs       []struct {
			Path        string `json:"path"`
			Description string `json:"description"`
		} `json:"apis"`
	}
	if err := readJSON(idxPath, &idx); err != nil {
		return nil, err
	}
	rel.APIVersion = idx.APIVersion
	if len(idx.APIs) == 0 {
		return nil, &Error{File: idxPath, Element: "apis", Err: fmt.Errorf("lists no declaration files")}
	}
	seen := map[string]bool{}
	for i, a := range idx.APIs {
		// "/api-docs/channels.{format}" -> channels
		base := strings.TrimSuffix(filepath.Base(a.Path), ".{format}")
		if base == "" || base == "." || strings.ContainsAny(base, `/\{}`) {
			return nil, &Error{File: idxPath, Element: fmt.Sprintf("apis[%d].path %q", i, a.Path), Err: fmt.Errorf("not a declaration file path")}
		}
		if seen[base] {
			return nil, &Error{File: idxPath, Element: fmt.Sprintf("apis[%d].path %q", i, a.Path), Err: fmt.Errorf("listed twice")}
		}
		seen[base] = true
		f, err := readFile(filepath.Join(dir, "api-docs", base+".json"), base)
		if err != nil {
			return nil, err
		}
		f.Description = a.Description
		rel.Files = append(rel.Files, f)
	}
	return rel, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &Error{File: path, Err: err}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &Error{File: path, Err: describeJSONError(data, err)}
	}
	return nil
}

// describeJSONError adds the line and column to encoding/json's errors.
func describeJSONError(data []byte, err error) error {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
	}
	if off <= 0 || off > int64(len(data)) {
		return err
	}
	// Offset counts the bytes read, the offending one included: point at it.
	off--
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Errorf("line %d column %d: %w", line, col, err)
}

// rawFile mirrors a declaration file; rawOrdered keeps the declaration
// order of models and properties, which encoding/json maps lose.
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
	Name            string           `json:"name"`
	Description     string           `json:"description"`
	Descriptioni    string           `json:"descriptioni"` // typo in 16.x-20.x endpoints.json
	ParamType       string           `json:"paramType"`
	Required        *bool            `json:"required"`
	AllowMultiple   *bool            `json:"allowMultiple"`
	DataType        string           `json:"dataType"`
	AllowableValues *AllowableValues `json:"allowableValues"`
	DefaultValue    json.RawMessage  `json:"defaultValue"`
	DefalutValue    json.RawMessage  `json:"defalutValue"` // typo in 16.x channels.hangup
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
	Type            string           `json:"type"`
	Required        *bool            `json:"required"`
	Description     string           `json:"description"`
	AllowableValues *AllowableValues `json:"allowableValues"`
}

// UnmarshalJSON reads allowableValues, whose min and max may be numbers
// or strings.
func (a *AllowableValues) UnmarshalJSON(b []byte) error {
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

func readFile(path, name string) (*File, error) {
	var raw rawFile
	if err := readJSON(path, &raw); err != nil {
		return nil, err
	}
	f := &File{Path: path, Name: name, APIVersion: raw.APIVersion, ResourcePath: raw.ResourcePath, Since: raw.Since}
	for _, a := range raw.APIs {
		api := &API{Path: a.Path, Description: a.Description}
		for _, o := range a.Operations {
			op, err := convertOperation(path, a.Path, o)
			if err != nil {
				return nil, err
			}
			api.Operations = append(api.Operations, op)
		}
		f.APIs = append(f.APIs, api)
	}
	models, err := orderedObject(raw.Models)
	if err != nil {
		return nil, &Error{File: path, Element: "models", Err: err}
	}
	for _, kv := range models {
		m, err := convertModel(path, kv.key, kv.value)
		if err != nil {
			return nil, err
		}
		f.Models = append(f.Models, m)
	}
	return f, nil
}

func convertOperation(file, path string, o rawOperation) (*Operation, error) {
	elem := fmt.Sprintf("%s %s (%s)", o.HTTPMethod, path, o.Nickname)
	if o.Nickname == "" {
		return nil, &Error{File: file, Element: elem, Err: fmt.Errorf("operation has no nickname")}
	}
	switch o.HTTPMethod {
	case "GET", "POST", "PUT", "DELETE":
	default:
		return nil, &Error{File: file, Element: elem, Err: fmt.Errorf("unsupported httpMethod %q", o.HTTPMethod)}
	}
	op := &Operation{
		HTTPMethod: o.HTTPMethod, Since: o.Since, Summary: o.Summary, Notes: o.Notes,
		Nickname: o.Nickname, ResponseClass: o.ResponseClass, Upgrade: o.Upgrade,
		WebsocketProtocol: o.WebsocketProtocol,
	}
	for _, p := range o.Parameters {
		param := &Parameter{
			Name: p.Name, Description: p.Description, ParamType: p.ParamType,
			Required: p.Required != nil && *p.Required, AllowMultiple: p.AllowMultiple != nil && *p.AllowMultiple,
			DataType: p.DataType, AllowableValues: p.AllowableValues, DefaultValue: p.DefaultValue,
		}
		if param.Description == "" {
			param.Description = p.Descriptioni
		}
		if len(param.DefaultValue) == 0 {
			param.DefaultValue = p.DefalutValue
		}
		switch param.ParamType {
		case "path":
			param.Required = true
		case "query", "body":
		default:
			return nil, &Error{File: file, Element: elem + " parameter " + p.Name, Err: fmt.Errorf("unsupported paramType %q", p.ParamType)}
		}
		if param.Name == "" || param.DataType == "" {
			return nil, &Error{File: file, Element: elem + " parameter " + p.Name, Err: fmt.Errorf("parameter needs a name and a dataType")}
		}
		op.Parameters = append(op.Parameters, param)
	}
	for i, e := range o.ErrorResponses {
		code, err := strconv.Atoi(strings.Trim(string(e.Code), `" `))
		if err != nil {
			return nil, &Error{File: file, Element: fmt.Sprintf("%s errorResponses[%d].code", elem, i), Err: fmt.Errorf("not a status code: %s", e.Code)}
		}
		op.ErrorResponses = append(op.ErrorResponses, &ErrorResponse{Code: code, Reason: e.Reason})
	}
	return op, nil
}

func convertModel(file, id string, raw json.RawMessage) (*Model, error) {
	var rm rawModel
	if err := json.Unmarshal(raw, &rm); err != nil {
		return nil, &Error{File: file, Element: "model " + id, Err: err}
	}
	if rm.ID != "" && rm.ID != id {
		return nil, &Error{File: file, Element: "model " + id, Err: fmt.Errorf("id %q differs from its key", rm.ID)}
	}
	m := &Model{ID: id, Description: rm.Description, Discriminator: rm.Discriminator, SubTypes: rm.SubTypes}
	props, err := orderedObject(rm.Properties)
	if err != nil {
		return nil, &Error{File: file, Element: "model " + id + " properties", Err: err}
	}
	for _, kv := range props {
		var rp rawProperty
		if err := json.Unmarshal(kv.value, &rp); err != nil {
			return nil, &Error{File: file, Element: "model " + id + " property " + kv.key, Err: err}
		}
		if rp.Type == "" {
			return nil, &Error{File: file, Element: "model " + id + " property " + kv.key, Err: fmt.Errorf("property has no type")}
		}
		m.Properties = append(m.Properties, &Property{
			Name: kv.key, Type: rp.Type, Required: rp.Required != nil && *rp.Required,
			Description: rp.Description, AllowableValues: rp.AllowableValues,
		})
	}
	return m, nil
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

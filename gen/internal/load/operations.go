package load

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-openapi/spec"

	"gostasis.dev/gen/internal/ext"
	"gostasis.dev/gen/internal/generr"
)

// readAPI adds one path of the declaration file (at file, for resource)
// with its operations.
func (r *reader) readAPI(file, resource string, api rawAPI) error {
	item, exists := r.doc.Paths.Paths[api.Path]
	if exists {
		return generr.New(file, "path "+api.Path, "path declared twice")
	}
	for _, o := range api.Operations {
		op, err := r.readOperation(file, resource, api, o)
		if err != nil {
			return err
		}
		slot := methodSlot(&item, o.HTTPMethod)
		if *slot != nil {
			return generr.New(file, o.HTTPMethod+" "+api.Path, "two %s operations on one path", o.HTTPMethod)
		}
		*slot = op
	}
	r.doc.Paths.Paths[api.Path] = item
	return nil
}

func methodSlot(item *spec.PathItem, method string) **spec.Operation {
	switch method {
	case "GET":
		return &item.Get
	case "POST":
		return &item.Post
	case "PUT":
		return &item.Put
	default:
		return &item.Delete
	}
}

// operationID is the operation id: nicknames are unique per file only
// (docs/ari-notes.md 2.1).
func operationID(resource, nickname string) string { return resource + "." + nickname }

// readOperation turns one operation into its Swagger 2.0 form.
func (r *reader) readOperation(file, resource string, api rawAPI, o rawOperation) (*spec.Operation, error) {
	elem := fmt.Sprintf("%s %s (%s)", o.HTTPMethod, api.Path, o.Nickname)
	if o.Nickname == "" {
		return nil, generr.New(file, elem, "operation has no nickname")
	}
	switch o.HTTPMethod {
	case "GET", "POST", "PUT", "DELETE":
	default:
		return nil, generr.New(file, elem, "unsupported httpMethod %q", o.HTTPMethod)
	}
	for _, p := range o.Parameters {
		switch p.ParamType {
		case "path", "query", "body":
		default:
			return nil, generr.New(file, elem+" parameter "+p.Name, "unsupported paramType %q", p.ParamType)
		}
		if p.Name == "" || p.DataType == "" {
			return nil, generr.New(file, elem+" parameter "+p.Name, "parameter needs a name and a dataType")
		}
	}
	codes := make([]int, len(o.ErrorResponses))
	for i, e := range o.ErrorResponses {
		// A number, or a string in channels.move (docs/ari-notes.md 2.3).
		code, err := strconv.Atoi(strings.Trim(string(e.Code), `" `))
		if err != nil {
			return nil, generr.New(file, fmt.Sprintf("%s errorResponses[%d].code", elem, i), "not a status code: %s", e.Code)
		}
		codes[i] = code
	}

	op := spec.NewOperation(operationID(resource, o.Nickname))
	op.Summary = o.Summary
	op.Description = o.Notes
	op.Tags = []string{resource}
	ext.SetOperation(op, ext.Operation{
		Resource: resource, Nickname: o.Nickname, Since: o.Since, ResponseClass: o.ResponseClass,
		Upgrade: o.Upgrade, WebsocketProtocol: o.WebsocketProtocol, PathDescription: api.Description,
		Order: r.order,
	})
	r.order++
	bodies := 0
	for _, p := range o.Parameters {
		param, err := readParameter(p)
		if err != nil {
			return nil, generr.Wrap(file, elem+" parameter "+p.Name, err)
		}
		if p.ParamType == "body" {
			bodies++
		}
		if p.ParamType == "path" && !strings.Contains(api.Path, "{"+p.Name+"}") {
			return nil, generr.New(file, elem+" parameter "+p.Name, "path parameter not in the path")
		}
		op.Parameters = append(op.Parameters, *param)
	}
	if bodies > 1 {
		return nil, generr.New(file, elem, "more than one body parameter")
	}
	for _, name := range pathParams(api.Path) {
		found := false
		for _, p := range o.Parameters {
			found = found || (p.ParamType == "path" && p.Name == name)
		}
		if !found {
			return nil, generr.New(file, elem, "path parameter {%s} is not declared", name)
		}
	}
	op.Responses = &spec.Responses{}
	op.Responses.StatusCodeResponses = map[int]spec.Response{}
	ok := spec.Response{}
	switch rc := o.ResponseClass; rc {
	case "void", "":
		ok.Description = "No content"
		op.Responses.StatusCodeResponses[204] = ok
	case "binary":
		ok.Description = "Binary content"
		ok.Schema = &spec.Schema{SchemaProps: spec.SchemaProps{Type: spec.StringOrArray{"file"}}}
		op.Responses.StatusCodeResponses[200] = ok
	default:
		s, err := typeSchema(rc)
		if err != nil {
			return nil, generr.Wrap(file, elem+" responseClass", err)
		}
		ok.Description = "OK"
		ok.Schema = s
		op.Responses.StatusCodeResponses[200] = ok
	}
	for i, code := range codes {
		if code < 400 || code > 599 {
			return nil, generr.New(file, fmt.Sprintf("%s errorResponses code %d", elem, code), "not an error status")
		}
		resp := op.Responses.StatusCodeResponses[code]
		if resp.Description != "" {
			resp.Description += "; " + o.ErrorResponses[i].Reason
		} else {
			resp.Description = o.ErrorResponses[i].Reason
		}
		op.Responses.StatusCodeResponses[code] = resp
	}
	return op, nil
}

var pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)

func pathParams(path string) []string {
	var out []string
	for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	return out
}

// readParameter turns one parameter into its Swagger 2.0 form: an
// allowMultiple parameter is a csv array (docs/ari-notes.md 2.6), a body
// parameter has a schema (2.5).
func readParameter(p rawParameter) (*spec.Parameter, error) {
	param := &spec.Parameter{}
	param.Name = p.Name
	param.In = p.ParamType
	// Misspelt keys (docs/ari-notes.md 2.4).
	param.Description = p.Description
	if param.Description == "" {
		param.Description = p.Descriptioni
	}
	def := p.DefaultValue
	if len(def) == 0 {
		def = p.DefalutValue
	}
	// Absent means false; path parameters are always required (2.2).
	param.Required = (p.Required != nil && *p.Required) || p.ParamType == "path"
	multiple := p.AllowMultiple != nil && *p.AllowMultiple
	ext.SetParameter(param, ext.Parameter{DataType: p.DataType})
	if p.ParamType == "body" {
		s, err := bodySchema(p.DataType)
		if err != nil {
			return nil, err
		}
		param.Schema = s
		return param, nil
	}
	typ, format, err := simpleType(p.DataType)
	if err != nil {
		return nil, err
	}
	if multiple {
		param.Type = "array"
		param.CollectionFormat = "csv"
		param.Items = &spec.Items{SimpleSchema: spec.SimpleSchema{Type: typ, Format: format}}
	} else {
		param.Type = typ
		param.Format = format
	}
	if av := p.AllowableValues; av != nil {
		switch av.ValueType {
		case "LIST":
			enum := make([]any, len(av.Values))
			for i, v := range av.Values {
				enum[i] = v
			}
			if multiple {
				param.Items.Enum = enum
			} else {
				param.Enum = enum
			}
		case "RANGE":
			param.Minimum = av.Min
			param.Maximum = av.Max
		default:
			return nil, fmt.Errorf("unknown allowableValues valueType %q", av.ValueType)
		}
	}
	if len(def) > 0 {
		var v any
		if err := json.Unmarshal(def, &v); err != nil {
			return nil, fmt.Errorf("defaultValue: %w", err)
		}
		param.Default = v
	}
	return param, nil
}

// simpleType maps an Asterisk parameter dataType to Swagger's type and format.
func simpleType(dataType string) (string, string, error) {
	switch dataType {
	case "string":
		return "string", "", nil
	case "boolean":
		return "boolean", "", nil
	case "int":
		return "integer", "int32", nil
	case "long":
		return "integer", "int64", nil
	case "double":
		return "number", "double", nil
	}
	return "", "", fmt.Errorf("unsupported parameter dataType %q", dataType)
}

// bodySchema describes a body parameter. "containers" is Asterisk's word for
// a JSON object of name/value pairs; "object" is a free-form object.
func bodySchema(dataType string) (*spec.Schema, error) {
	switch dataType {
	case "containers", "object":
		s := &spec.Schema{}
		s.Type = spec.StringOrArray{"object"}
		ext.SetType(s, ext.Type{DataType: dataType})
		return s, nil
	}
	return typeSchema(dataType)
}

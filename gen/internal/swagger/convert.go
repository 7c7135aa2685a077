// Package swagger normalises one release's ARI description (as read by
// package load) into a go-openapi/spec Swagger 2.0 document: paths and
// operations with ids, parameters with enums, defaults and collection
// formats, definitions with subtypes as allOf under the "type"
// discriminator, and x- extensions for what Swagger 2.0 has no word for
// (since, upgrade, Asterisk's nicknames and original types).
package swagger

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/go-openapi/spec"

	"gostasis.dev/gen/internal/load"
)

// Extension keys set on the converted document.
const (
	// ExtAsteriskVersion on the root: the release, e.g. "22.10.1".
	ExtAsteriskVersion = "x-asterisk-version"
	// ExtResource on operations and definitions: the declaration file.
	ExtResource = "x-resource"
	// ExtResourceDescription on the root: map resource -> description.
	ExtResourceDescription = "x-resource-descriptions"
	// ExtNickname on operations: Asterisk's nickname.
	ExtNickname = "x-nickname"
	// ExtSince on operations: Asterisk's "since" list.
	ExtSince = "x-since"
	// ExtUpgrade on operations: "websocket" for the events websocket.
	ExtUpgrade = "x-upgrade"
	// ExtWebsocketProtocol on operations: the websocket subprotocol.
	ExtWebsocketProtocol = "x-websocket-protocol"
	// ExtResponseClass on operations: Asterisk's responseClass.
	ExtResponseClass = "x-response-class"
	// ExtPathDescription on operations: the description of their path.
	ExtPathDescription = "x-path-description"
	// ExtDataType on parameters and properties: Asterisk's type name.
	ExtDataType = "x-asterisk-type"
	// ExtAllowMultiple on parameters: allowMultiple.
	ExtAllowMultiple = "x-allow-multiple"
	// ExtOrder on definitions: property names in declaration order.
	ExtOrder = "x-order"
	// ExtSubTypes on definitions: subtypes in declaration order.
	ExtSubTypes = "x-subtypes"
	// ExtOrderIndex on operations: position in the release, for stable order.
	ExtOrderIndex = "x-order-index"
)

// Convert turns a loaded release into a Swagger 2.0 document.
func Convert(rel *load.Release) (*spec.Swagger, error) {
	doc := &spec.Swagger{}
	doc.Swagger = "2.0"
	doc.Info = &spec.Info{}
	doc.Info.Title = "Asterisk REST Interface " + rel.Version
	doc.Info.Version = rel.APIVersion
	doc.BasePath = "/ari"
	doc.Paths = &spec.Paths{Paths: map[string]spec.PathItem{}}
	doc.Definitions = spec.Definitions{}
	doc.Extensions = spec.Extensions{}
	doc.Extensions.Add(ExtAsteriskVersion, rel.Version)
	descs := map[string]any{}
	modelFile := map[string]string{}
	index := 0
	for _, f := range rel.Files {
		descs[f.Name] = f.Description
		doc.Tags = append(doc.Tags, spec.NewTag(f.Name, f.Description, nil))
		for _, api := range f.APIs {
			item, exists := doc.Paths.Paths[api.Path]
			if exists {
				return nil, &load.Error{File: f.Path, Element: "path " + api.Path, Err: fmt.Errorf("path declared twice")}
			}
			for _, o := range api.Operations {
				op, err := convertOperation(f, api, o)
				if err != nil {
					return nil, err
				}
				op.Extensions.Add(ExtOrderIndex, index)
				index++
				slot := methodSlot(&item, o.HTTPMethod)
				if *slot != nil {
					return nil, &load.Error{File: f.Path, Element: o.HTTPMethod + " " + api.Path, Err: fmt.Errorf("two %s operations on one path", o.HTTPMethod)}
				}
				*slot = op
			}
			doc.Paths.Paths[api.Path] = item
		}
		for _, m := range f.Models {
			if prev, dup := modelFile[m.ID]; dup {
				return nil, &load.Error{File: f.Path, Element: "model " + m.ID, Err: fmt.Errorf("also declared in %s", prev)}
			}
			modelFile[m.ID] = f.Path
			s, err := convertModel(f, m)
			if err != nil {
				return nil, err
			}
			doc.Definitions[m.ID] = s
		}
	}
	doc.Extensions.Add(ExtResourceDescription, descs)
	if err := linkSubtypes(rel, doc, modelFile); err != nil {
		return nil, err
	}
	resFile := map[string]string{}
	for _, f := range rel.Files {
		resFile[f.Name] = f.Path
	}
	if err := checkRefs(doc, modelFile, resFile); err != nil {
		return nil, err
	}
	return doc, nil
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

// OperationID is the operation id used in converted documents.
func OperationID(resource, nickname string) string { return resource + "." + nickname }

func convertOperation(f *load.File, api *load.API, o *load.Operation) (*spec.Operation, error) {
	op := spec.NewOperation(OperationID(f.Name, o.Nickname))
	op.Summary = o.Summary
	op.Description = o.Notes
	op.Tags = []string{f.Name}
	op.Extensions = spec.Extensions{}
	op.Extensions.Add(ExtResource, f.Name)
	op.Extensions.Add(ExtNickname, o.Nickname)
	op.Extensions.Add(ExtSince, strs(o.Since))
	op.Extensions.Add(ExtResponseClass, o.ResponseClass)
	op.Extensions.Add(ExtPathDescription, api.Description)
	if o.Upgrade != "" {
		op.Extensions.Add(ExtUpgrade, o.Upgrade)
		op.Extensions.Add(ExtWebsocketProtocol, o.WebsocketProtocol)
	}
	elem := fmt.Sprintf("%s %s (%s)", o.HTTPMethod, api.Path, o.Nickname)
	bodies := 0
	for _, p := range o.Parameters {
		param, err := convertParameter(p)
		if err != nil {
			return nil, &load.Error{File: f.Path, Element: elem + " parameter " + p.Name, Err: err}
		}
		if p.ParamType == "body" {
			bodies++
		}
		if p.ParamType == "path" && !strings.Contains(api.Path, "{"+p.Name+"}") {
			return nil, &load.Error{File: f.Path, Element: elem + " parameter " + p.Name, Err: fmt.Errorf("path parameter not in the path")}
		}
		op.Parameters = append(op.Parameters, *param)
	}
	if bodies > 1 {
		return nil, &load.Error{File: f.Path, Element: elem, Err: fmt.Errorf("more than one body parameter")}
	}
	for _, name := range pathParams(api.Path) {
		found := false
		for _, p := range o.Parameters {
			found = found || (p.ParamType == "path" && p.Name == name)
		}
		if !found {
			return nil, &load.Error{File: f.Path, Element: elem, Err: fmt.Errorf("path parameter {%s} is not declared", name)}
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
			return nil, &load.Error{File: f.Path, Element: elem + " responseClass", Err: err}
		}
		ok.Description = "OK"
		ok.Schema = s
		op.Responses.StatusCodeResponses[200] = ok
	}
	for _, e := range o.ErrorResponses {
		if e.Code < 400 || e.Code > 599 {
			return nil, &load.Error{File: f.Path, Element: fmt.Sprintf("%s errorResponses code %d", elem, e.Code), Err: fmt.Errorf("not an error status")}
		}
		r := op.Responses.StatusCodeResponses[e.Code]
		if r.Description != "" {
			r.Description += "; " + e.Reason
		} else {
			r.Description = e.Reason
		}
		op.Responses.StatusCodeResponses[e.Code] = r
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

func convertParameter(p *load.Parameter) (*spec.Parameter, error) {
	param := &spec.Parameter{}
	param.Name = p.Name
	param.In = p.ParamType
	param.Description = p.Description
	param.Required = p.Required
	param.Extensions = spec.Extensions{}
	param.Extensions.Add(ExtDataType, p.DataType)
	param.Extensions.Add(ExtAllowMultiple, p.AllowMultiple)
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
	if p.AllowMultiple {
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
			if p.AllowMultiple {
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
	if len(p.DefaultValue) > 0 {
		var def any
		if err := json.Unmarshal(p.DefaultValue, &def); err != nil {
			return nil, fmt.Errorf("defaultValue: %w", err)
		}
		param.Default = def
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
		s.Extensions = spec.Extensions{}
		s.Extensions.Add(ExtDataType, dataType)
		return s, nil
	}
	return typeSchema(dataType)
}

// typeSchema maps a property type or responseClass (string, Date, List[X],
// a model name, ...) to a schema.
func typeSchema(t string) (*spec.Schema, error) {
	s := &spec.Schema{}
	s.Extensions = spec.Extensions{}
	s.Extensions.Add(ExtDataType, t)
	if inner, ok := strings.CutPrefix(t, "List["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		if !ok || inner == "" {
			return nil, fmt.Errorf("malformed container type %q", t)
		}
		items, err := typeSchema(inner)
		if err != nil {
			return nil, err
		}
		s.Type = spec.StringOrArray{"array"}
		s.Items = &spec.SchemaOrArray{Schema: items}
		return s, nil
	}
	switch t {
	case "string", "boolean", "int", "long", "double":
		typ, format, _ := simpleType(t)
		s.Type = spec.StringOrArray{typ}
		s.Format = format
	case "Date":
		s.Type = spec.StringOrArray{"string"}
		s.Format = "date-time"
	case "object", "containers":
		s.Type = spec.StringOrArray{"object"}
	case "binary", "void":
		return nil, fmt.Errorf("%q is not a value type", t)
	default:
		if !isIdent(t) {
			return nil, fmt.Errorf("unsupported type %q", t)
		}
		s.Ref = spec.MustCreateRef("#/definitions/" + t)
	}
	return s, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func convertModel(f *load.File, m *load.Model) (spec.Schema, error) {
	s := spec.Schema{}
	s.Type = spec.StringOrArray{"object"}
	s.Description = m.Description
	s.Discriminator = m.Discriminator
	s.Properties = spec.SchemaProperties{}
	s.Extensions = spec.Extensions{}
	s.Extensions.Add(ExtResource, f.Name)
	order := []any{}
	for _, p := range m.Properties {
		ps, err := typeSchema(p.Type)
		if err != nil {
			return s, &load.Error{File: f.Path, Element: "model " + m.ID + " property " + p.Name, Err: err}
		}
		ps.Description = p.Description
		if av := p.AllowableValues; av != nil && av.ValueType == "LIST" {
			for _, v := range av.Values {
				ps.Enum = append(ps.Enum, v)
			}
		}
		s.Properties[p.Name] = *ps
		if p.Required {
			s.Required = append(s.Required, p.Name)
		}
		order = append(order, p.Name)
	}
	s.Extensions.Add(ExtOrder, order)
	if len(m.SubTypes) > 0 {
		s.Extensions.Add(ExtSubTypes, strs(m.SubTypes))
	}
	return s, nil
}

// linkSubtypes rewrites every subtype as allOf [parent, own properties],
// the Swagger 2.0 form of Swagger 1.2's subTypes, and checks that the
// discriminator is inherited.
func linkSubtypes(rel *load.Release, doc *spec.Swagger, modelFile map[string]string) error {
	parent := map[string]string{}
	names := make([]string, 0, len(doc.Definitions))
	for name := range doc.Definitions {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		subs, _ := doc.Definitions[name].Extensions.GetStringSlice(ExtSubTypes)
		for _, sub := range subs {
			if _, ok := doc.Definitions[sub]; !ok {
				return &load.Error{File: modelFile[name], Element: "model " + name + " subTypes", Err: fmt.Errorf("unknown model %q", sub)}
			}
			if p, dup := parent[sub]; dup && p != name {
				return &load.Error{File: modelFile[name], Element: "model " + name + " subTypes", Err: fmt.Errorf("%q already a subtype of %q", sub, p)}
			}
			parent[sub] = name
		}
	}
	for sub, par := range parent {
		child := doc.Definitions[sub]
		own := spec.Schema{}
		own.Type = child.Type
		own.Properties = child.Properties
		own.Required = child.Required
		child.Properties = nil
		child.Required = nil
		child.Type = nil
		child.AllOf = []spec.Schema{*spec.RefSchema("#/definitions/" + par), own}
		doc.Definitions[sub] = child
	}
	return nil
}

// checkRefs makes sure every model a property or response names exists.
func checkRefs(doc *spec.Swagger, modelFile, resFile map[string]string) error {
	var check func(where, file string, s *spec.Schema) error
	check = func(where, file string, s *spec.Schema) error {
		if s == nil {
			return nil
		}
		if ref := s.Ref.String(); ref != "" {
			name := strings.TrimPrefix(ref, "#/definitions/")
			if _, ok := doc.Definitions[name]; !ok {
				return &load.Error{File: file, Element: where, Err: fmt.Errorf("unknown type %q", name)}
			}
		}
		if s.Items != nil {
			if err := check(where, file, s.Items.Schema); err != nil {
				return err
			}
		}
		for _, a := range s.AllOf {
			if err := check(where, file, &a); err != nil {
				return err
			}
		}
		for _, name := range sortedKeys(s.Properties) {
			p := s.Properties[name]
			if err := check(where+" property "+name, file, &p); err != nil {
				return err
			}
		}
		return nil
	}
	for _, name := range sortedKeys(doc.Definitions) {
		d := doc.Definitions[name]
		if err := check("model "+name, modelFile[name], &d); err != nil {
			return err
		}
	}
	for _, path := range sortedKeys(doc.Paths.Paths) {
		item := doc.Paths.Paths[path]
		for _, op := range []*spec.Operation{item.Get, item.Post, item.Put, item.Delete} {
			if op == nil {
				continue
			}
			res, _ := op.Extensions.GetString(ExtResource)
			for code, r := range op.Responses.StatusCodeResponses {
				if err := check(fmt.Sprintf("%s %s response %d", op.ID, path, code), resFile[res], r.Schema); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func strs(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

package load

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/go-openapi/spec"

	"gostasis.dev/gen/internal/ext"
	"gostasis.dev/gen/internal/generr"
)

// readModel turns the model id (declared in file, for resource) into a
// definition. Subtypes are linked once every file is read (linkSubtypes).
func readModel(file, resource, id string, raw json.RawMessage) (spec.Schema, error) {
	s := spec.Schema{}
	var rm rawModel
	if err := json.Unmarshal(raw, &rm); err != nil {
		return s, generr.Wrap(file, "model "+id, err)
	}
	if rm.ID != "" && rm.ID != id {
		return s, generr.New(file, "model "+id, "id %q differs from its key", rm.ID)
	}
	props, err := orderedObject(rm.Properties)
	if err != nil {
		return s, generr.Wrap(file, "model "+id+" properties", err)
	}
	s.Type = spec.StringOrArray{"object"}
	s.Description = rm.Description
	s.Discriminator = rm.Discriminator
	s.Properties = spec.SchemaProperties{}
	order := []string{}
	for _, kv := range props {
		elem := "model " + id + " property " + kv.key
		var rp rawProperty
		if err := json.Unmarshal(kv.value, &rp); err != nil {
			return s, generr.Wrap(file, elem, err)
		}
		if rp.Type == "" {
			return s, generr.New(file, elem, "property has no type")
		}
		ps, err := typeSchema(rp.Type)
		if err != nil {
			return s, generr.Wrap(file, elem, err)
		}
		ps.Description = rp.Description
		if av := rp.AllowableValues; av != nil && av.ValueType == "LIST" {
			for _, v := range av.Values {
				ps.Enum = append(ps.Enum, v)
			}
		}
		s.Properties[kv.key] = *ps
		if rp.Required != nil && *rp.Required {
			s.Required = append(s.Required, kv.key)
		}
		order = append(order, kv.key)
	}
	ext.SetModel(&s, ext.Model{Resource: resource, Properties: order, SubTypes: rm.SubTypes})
	return s, nil
}

// typeSchema maps a property type or responseClass (string, Date, List[X],
// a model name, ...) to a schema.
func typeSchema(t string) (*spec.Schema, error) {
	s := &spec.Schema{}
	ext.SetType(s, ext.Type{DataType: t})
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

// linkSubtypes rewrites every subtype as allOf [parent, own properties],
// the Swagger 2.0 form of Swagger 1.2's subTypes (children do not name
// their parent: the parent lists them).
func (r *reader) linkSubtypes() error {
	defs := r.doc.Definitions
	parent := map[string]string{}
	for _, name := range sortedKeys(defs) {
		d := defs[name]
		for _, sub := range ext.ModelOf(&d).SubTypes {
			if _, ok := defs[sub]; !ok {
				return generr.New(r.modelFile[name], "model "+name+" subTypes", "unknown model %q", sub)
			}
			if p, dup := parent[sub]; dup && p != name {
				return generr.New(r.modelFile[name], "model "+name+" subTypes", "%q already a subtype of %q", sub, p)
			}
			parent[sub] = name
		}
	}
	for sub, par := range parent {
		child := defs[sub]
		own := spec.Schema{}
		own.Type = child.Type
		own.Properties = child.Properties
		own.Required = child.Required
		child.Properties = nil
		child.Required = nil
		child.Type = nil
		child.AllOf = []spec.Schema{*spec.RefSchema("#/definitions/" + par), own}
		defs[sub] = child
	}
	return nil
}

// checkRefs makes sure every model a property or response names exists;
// files maps resource names to their declaration files.
func (r *reader) checkRefs(files map[string]string) error {
	defs := r.doc.Definitions
	var check func(where, file string, s *spec.Schema) error
	check = func(where, file string, s *spec.Schema) error {
		if s == nil {
			return nil
		}
		if ref := s.Ref.String(); ref != "" {
			name := strings.TrimPrefix(ref, "#/definitions/")
			if _, ok := defs[name]; !ok {
				return generr.New(file, where, "unknown type %q", name)
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
	for _, name := range sortedKeys(defs) {
		d := defs[name]
		if err := check("model "+name, r.modelFile[name], &d); err != nil {
			return err
		}
	}
	for _, path := range sortedKeys(r.doc.Paths.Paths) {
		item := r.doc.Paths.Paths[path]
		for _, op := range []*spec.Operation{item.Get, item.Post, item.Put, item.Delete} {
			if op == nil {
				continue
			}
			file := files[ext.OperationOf(op).Resource]
			for _, code := range slices.Sorted(maps.Keys(op.Responses.StatusCodeResponses)) {
				where := fmt.Sprintf("%s %s response %d", op.ID, path, code)
				if err := check(where, file, op.Responses.StatusCodeResponses[code].Schema); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

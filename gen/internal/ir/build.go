package ir

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-openapi/spec"

	"gostasis.dev/gen/internal/ext"
	"gostasis.dev/gen/internal/generr"
)

// Input is one release's description, as package load reads it.
type Input struct {
	Release Release
	// Doc is the release's document; Asterisk-only facts are read from it
	// through package ext.
	Doc *spec.Swagger
	// Files maps a resource name to the file it was read from, for errors.
	Files map[string]string
}

// ParseRelease reads a version such as "22.10.1" into a Release.
func ParseRelease(version, dir, apiVersion string) (Release, error) {
	parts := strings.SplitN(version, ".", 3)
	nums := [3]int{}
	for i := range parts {
		digits := parts[i]
		if j := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 {
			digits = digits[:j]
		}
		n, err := strconv.Atoi(digits)
		if err != nil {
			return Release{}, generr.New(dir, "", "version %q is not major.minor.patch", version)
		}
		nums[i] = n
	}
	return Release{Version: version, Major: nums[0], Minor: nums[1], Patch: nums[2], APIVersion: apiVersion, Dir: dir}, nil
}

func (r Release) less(o Release) bool {
	if r.Major != o.Major {
		return r.Major < o.Major
	}
	if r.Minor != o.Minor {
		return r.Minor < o.Minor
	}
	return r.Patch < o.Patch
}

type builder struct {
	in     []Input
	api    *API
	models map[string]*Model
	// raw per model: the schema of each release index (nil when absent).
	schemas map[string][]*spec.Schema
	parent  map[string]string
}

// Build merges the releases into one API. Releases are ordered by version;
// two folders of the same release line are an error (keep the newest).
func Build(inputs []Input) (*API, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("no release to generate from")
	}
	if len(inputs) > 64 {
		return nil, fmt.Errorf("%d releases: at most 64 are supported", len(inputs))
	}
	in := slices.Clone(inputs)
	sort.Slice(in, func(i, j int) bool { return in[i].Release.less(in[j].Release) })
	for i := 1; i < len(in); i++ {
		if in[i].Release.Major == in[i-1].Release.Major {
			return nil, generr.New(in[i].Release.Dir, "", "same release line as %s: keep one folder per line", in[i-1].Release.Dir)
		}
	}
	b := &builder{in: in, api: &API{}, models: map[string]*Model{}, schemas: map[string][]*spec.Schema{}, parent: map[string]string{}}
	for _, r := range in {
		b.api.Releases = append(b.api.Releases, r.Release)
	}
	steps := []func() error{b.buildModels, b.buildHierarchy, b.buildProps, b.buildResources, b.buildModelEnums, b.buildParamEnums, b.buildIDs, b.buildFixes}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return b.api, nil
}

// newestFirst returns release indexes from the newest.
func (b *builder) newestFirst() []int {
	out := make([]int, len(b.in))
	for i := range out {
		out[i] = len(b.in) - 1 - i
	}
	return out
}

func (b *builder) file(i int, resource string) string {
	if f, ok := b.in[i].Files[resource]; ok {
		return f
	}
	return b.in[i].Release.Dir + "/api-docs/" + resource + ".json"
}

func (b *builder) buildModels() error {
	for i, in := range b.in {
		for name := range in.Doc.Definitions {
			s := in.Doc.Definitions[name]
			if b.schemas[name] == nil {
				b.schemas[name] = make([]*spec.Schema, len(b.in))
			}
			b.schemas[name][i] = &s
		}
	}
	for _, name := range sortedKeys(b.schemas) {
		per := b.schemas[name]
		m := &Model{Name: name}
		for _, i := range b.newestFirst() {
			s := per[i]
			if s == nil {
				continue
			}
			m.Avail.Releases |= 1 << uint(i)
			if m.Resource == "" {
				m.Resource = ext.ModelOf(s).Resource
				m.Doc = s.Description
				m.Discriminator = s.Discriminator
			}
			if len(s.AllOf) == 2 {
				p := strings.TrimPrefix(s.AllOf[0].Ref.String(), "#/definitions/")
				if prev, ok := b.parent[name]; ok && prev != p {
					return generr.New(b.file(i, m.Resource), "model "+name, "subtype of %s here but of %s in a newer release", p, prev)
				}
				b.parent[name] = p
			}
		}
		if !isGoIdent(name) {
			return generr.New(b.file(len(b.in)-1, m.Resource), "model "+name, "not a valid Go type name")
		}
		b.models[name] = m
	}
	return nil
}

var goIdentRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func isGoIdent(s string) bool { return goIdentRE.MatchString(s) }

func (b *builder) buildHierarchy() error {
	for name, p := range b.parent {
		b.models[name].Parent = b.models[p]
	}
	hasChildren := map[string]bool{}
	for _, p := range b.parent {
		hasChildren[p] = true
	}
	for _, name := range sortedKeys(b.models) {
		m := b.models[name]
		root := m
		for depth := 0; root.Parent != nil; depth++ {
			if depth > 16 {
				return generr.New(b.file(len(b.in)-1, m.Resource), "model "+m.Name, "subtype cycle")
			}
			root = root.Parent
		}
		if root != m && root.Discriminator != "" {
			m.Message = true
		}
		if root == m && root.Discriminator != "" {
			m.Message = true
		}
		m.Abstract = hasChildren[m.Name]
	}
	names := sortedKeys(b.models)
	for _, n := range names {
		m := b.models[n]
		switch {
		case m.Message && m.Abstract:
			b.api.Bases = append(b.api.Bases, m)
		case m.Message:
			b.api.Events = append(b.api.Events, m)
		default:
			b.api.Models = append(b.api.Models, m)
		}
	}
	sort.SliceStable(b.api.Bases, func(i, j int) bool { return depth(b.api.Bases[i]) < depth(b.api.Bases[j]) })
	return nil
}

func depth(m *Model) int {
	d := 0
	for ; m.Parent != nil; m = m.Parent {
		d++
	}
	return d
}

// ownSchema returns the schema holding a model's own properties.
func ownSchema(s *spec.Schema) *spec.Schema {
	if len(s.AllOf) == 2 {
		return &s.AllOf[1]
	}
	return s
}

func (b *builder) buildProps() error {
	for _, name := range sortedKeys(b.models) {
		m := b.models[name]
		per := b.schemas[name]
		byName := map[string]*Prop{}
		typeText := map[string]string{}
		for _, i := range b.newestFirst() {
			if per[i] == nil {
				continue
			}
			full := per[i]
			s := ownSchema(full)
			for _, pn := range ext.ModelOf(full).Properties {
				ps, ok := s.Properties[pn]
				if !ok {
					continue
				}
				required := slices.Contains(s.Required, pn)
				text := ext.TypeOf(&ps).DataType
				file, elem := b.file(i, m.Resource), "model "+name+" property "+pn
				p, seen := byName[pn]
				if !seen {
					t, err := b.propType(m, pn, &ps)
					if err != nil {
						return generr.Wrap(file, elem, err)
					}
					p = &Prop{JSON: pn, GoName: GoName(pn), Doc: ps.Description, Type: t, Required: required}
					byName[pn] = p
					typeText[pn] = text
					m.Props = append(m.Props, p)
				} else {
					if typeText[pn] != text && !compatibleTypes(typeText[pn], text) {
						return generr.New(file, elem, "type %s here but %s in a newer release", text, typeText[pn])
					}
					p.Required = p.Required && required
					if p.Doc == "" {
						p.Doc = ps.Description
					}
					if p.Type.Kind == EnumRef {
						addEnumValues(p.Type.Enum, enumStrings(ps.Enum), i)
					}
				}
				p.Avail.Releases |= 1 << uint(i)
				if p.Type.Kind == EnumRef && !seen {
					addEnumValues(p.Type.Enum, enumStrings(ps.Enum), i)
				}
			}
		}
		goNames := map[string]string{}
		for _, p := range m.AllProps() {
			if prev, dup := goNames[p.GoName]; dup {
				return generr.New(b.file(len(b.in)-1, m.Resource), "model "+name, "properties %q and %q both map to Go field %s", prev, p.JSON, p.GoName)
			}
			goNames[p.GoName] = p.JSON
		}
		if len(optionalScalars(m)) > 64 {
			return generr.New(b.file(len(b.in)-1, m.Resource), "model "+name, "more than 64 optional scalar properties")
		}
	}
	return nil
}

// compatibleTypes allows a property to widen between releases.
func compatibleTypes(newer, older string) bool {
	return (newer == "long" && older == "int") || (newer == "int" && older == "long")
}

// optionalScalars returns a model's optional properties whose absence
// cannot be told from their zero value (strings, numbers, booleans,
// dates, enums), inherited first: their presence is tracked in a bit set.
func optionalScalars(m *Model) []*Prop {
	var out []*Prop
	for _, p := range m.AllProps() {
		if !p.Required && p.Type.Scalar() {
			out = append(out, p)
		}
	}
	return out
}

// OptionalScalars is optionalScalars for emitters.
func OptionalScalars(m *Model) []*Prop { return optionalScalars(m) }

// Scalar reports a string, number, boolean, date or enum.
func (t *Type) Scalar() bool {
	switch t.Kind {
	case String, Bool, Int, Long, Double, Date, EnumRef:
		return true
	}
	return false
}

func (b *builder) propType(m *Model, prop string, s *spec.Schema) (*Type, error) {
	t, err := b.schemaType(s, m.Name+"."+prop)
	if err != nil {
		return nil, err
	}
	if len(s.Enum) > 0 {
		if t.Kind != String {
			return nil, fmt.Errorf("allowableValues on a non-string property")
		}
		t = &Type{Kind: EnumRef, Enum: &Enum{GoName: modelEnumName(m.GoName(), GoName(prop)), Doc: fmt.Sprintf("%s is a value of %s.%s.", modelEnumName(m.GoName(), GoName(prop)), m.GoName(), GoName(prop))}}
	}
	return t, nil
}

// modelEnumName names the enum of a model property without stutter:
// Channel.state -> ChannelState, Bridge.bridge_type -> BridgeType,
// DeviceState.state -> DeviceStateValue.
func modelEnumName(model, prop string) string {
	switch {
	case strings.HasPrefix(prop, model):
		return prop
	case strings.HasSuffix(model, prop):
		return model + "Value"
	}
	return model + prop
}

// schemaType maps a property schema to a Type; key is "Model.prop" for the
// string-map table.
func (b *builder) schemaType(s *spec.Schema, key string) (*Type, error) {
	if ref := s.Ref.String(); ref != "" {
		name := strings.TrimPrefix(ref, "#/definitions/")
		m, ok := b.models[name]
		if !ok {
			return nil, fmt.Errorf("unknown model %q", name)
		}
		return &Type{Kind: ModelRef, Model: m}, nil
	}
	if len(s.Type) != 1 {
		return nil, fmt.Errorf("schema without a single type")
	}
	switch s.Type[0] {
	case "string":
		if s.Format == "date-time" {
			return &Type{Kind: Date}, nil
		}
		return &Type{Kind: String}, nil
	case "boolean":
		return &Type{Kind: Bool}, nil
	case "integer":
		if s.Format == "int64" {
			return &Type{Kind: Long}, nil
		}
		return &Type{Kind: Int}, nil
	case "number":
		return &Type{Kind: Double}, nil
	case "object":
		if stringMapProps[key] {
			return &Type{Kind: StringMap}, nil
		}
		return &Type{Kind: Raw}, nil
	case "array":
		if s.Items == nil || s.Items.Schema == nil {
			return nil, fmt.Errorf("array without items")
		}
		elem, err := b.schemaType(s.Items.Schema, key+"[]")
		if err != nil {
			return nil, err
		}
		return &Type{Kind: List, Elem: elem}, nil
	}
	return nil, fmt.Errorf("unsupported type %q", s.Type[0])
}

func enumStrings(vs []any) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// addEnumValues records values seen in release i, keeping first-seen order
// (newest release first).
func addEnumValues(e *Enum, values []string, i int) {
	e.Avail.Releases |= 1 << uint(i)
	for _, v := range values {
		var ev *EnumValue
		for _, x := range e.Values {
			if x.Value == v {
				ev = x
			}
		}
		if ev == nil {
			ev = &EnumValue{Value: v, GoName: EnumValueName(v)}
			e.Values = append(e.Values, ev)
		}
		ev.Avail.Releases |= 1 << uint(i)
	}
}

func (b *builder) buildModelEnums() error {
	seen := map[string]*Enum{}
	for _, m := range append(append(append([]*Model(nil), b.api.Models...), b.api.Bases...), b.api.Events...) {
		for _, p := range m.Props {
			t := p.Type
			if t.Kind != EnumRef {
				continue
			}
			file, elem := b.file(len(b.in)-1, m.Resource), "model "+m.Name+" property "+p.JSON
			if prev, dup := seen[t.Enum.GoName]; dup && prev != t.Enum {
				return generr.New(file, elem, "enum name %s used twice", t.Enum.GoName)
			}
			if other, dup := b.models[t.Enum.GoName]; dup && !other.Message {
				return generr.New(file, elem, "enum name %s is also the name of a model", t.Enum.GoName)
			}
			seen[t.Enum.GoName] = t.Enum
			if err := checkEnumValueNames(t.Enum); err != nil {
				return generr.Wrap(file, elem, err)
			}
			b.api.Enums = append(b.api.Enums, t.Enum)
		}
	}
	sort.Slice(b.api.Enums, func(i, j int) bool { return b.api.Enums[i].GoName < b.api.Enums[j].GoName })
	return nil
}

func checkEnumValueNames(e *Enum) error {
	names := map[string]string{}
	for _, v := range e.Values {
		if prev, dup := names[v.GoName]; dup {
			return fmt.Errorf("enum values %q and %q both map to %s%s", prev, v.Value, e.GoName, v.GoName)
		}
		names[v.GoName] = v.Value
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

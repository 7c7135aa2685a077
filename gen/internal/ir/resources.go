package ir

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/go-openapi/spec"

	"gostasis.dev/gen/internal/ext"
	"gostasis.dev/gen/internal/generr"
)

var pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)

func pathParamNames(path string) []string {
	var out []string
	for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	return out
}

type opEntry struct {
	method, path string
	op           *spec.Operation
	ext          ext.Operation
}

func (b *builder) buildResources() error {
	resources := map[string]*Resource{}
	ops := map[string]*Operation{}
	order := map[string]int{}
	for _, i := range b.newestFirst() {
		doc := b.in[i].Doc
		descs := map[string]string{}
		for _, tag := range doc.Tags {
			descs[tag.Name] = tag.Description
		}
		var entries []opEntry
		for path, item := range doc.Paths.Paths {
			for method, op := range map[string]*spec.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "DELETE": item.Delete} {
				if op != nil {
					entries = append(entries, opEntry{method: method, path: path, op: op, ext: ext.OperationOf(op)})
				}
			}
		}
		sort.Slice(entries, func(a, c int) bool { return entries[a].ext.Order < entries[c].ext.Order })
		for _, e := range entries {
			resName, nick := e.ext.Resource, e.ext.Nickname
			res := resources[resName]
			if res == nil {
				res = &Resource{Name: resName, GoName: GoName(resName), Doc: descs[resName]}
				res.Singular = singular(res.GoName)
				resources[resName] = res
			}
			res.Avail.Releases |= 1 << uint(i)
			key := resName + "." + nick
			file, elem := b.file(i, resName), fmt.Sprintf("%s %s (%s)", e.method, e.path, nick)
			op := ops[key]
			if op == nil {
				var err error
				op, err = b.newOperation(res, e)
				if err != nil {
					return generr.Wrap(file, elem, err)
				}
				ops[key] = op
				order[key] = len(order)
				res.Ops = append(res.Ops, op)
			} else if op.Method != e.method {
				return generr.New(file, elem, "method %s here but %s in a newer release", e.method, op.Method)
			}
			op.Avail.Releases |= 1 << uint(i)
			if err := b.mergeOperation(op, e, i); err != nil {
				return generr.Wrap(file, elem, err)
			}
		}
	}
	for _, res := range resources {
		methods := map[string]string{}
		for _, op := range res.Ops {
			if fix, ok := sinceFixes[res.Name+"."+op.Nickname]; ok {
				op.Avail.Since = append([]string(nil), fix...)
			}
			for _, p := range op.Params {
				if fix, ok := sinceFixes[res.Name+"."+op.Nickname+"."+p.Name]; ok {
					p.Avail.Since = append([]string(nil), fix...)
				}
			}
			if prev, dup := methods[op.GoName]; dup {
				return generr.New(b.file(len(b.in)-1, res.Name), "operation "+op.Nickname, "nicknames %q and %q both map to method %s", prev, op.Nickname, op.GoName)
			}
			methods[op.GoName] = op.Nickname
			b.finishParams(op)
			if op.Websocket {
				app, all := findParam(op.Params, "app"), findParam(op.Params, "subscribeAll")
				if app == nil || !app.Multiple || all == nil || all.Type.Kind != Bool || len(op.Params) != 2 {
					return generr.New(b.file(len(b.in)-1, res.Name), "operation "+op.Nickname, "a websocket operation must take exactly app (allowMultiple) and subscribeAll (boolean)")
				}
			}
			sort.Slice(op.Errors, func(a, c int) bool { return op.Errors[a].Status < op.Errors[c].Status })
		}
		sort.SliceStable(res.Ops, func(a, c int) bool { return res.Ops[a].GoName < res.Ops[c].GoName })
		b.api.Resources = append(b.api.Resources, res)
	}
	sort.Slice(b.api.Resources, func(a, c int) bool { return b.api.Resources[a].Name < b.api.Resources[c].Name })
	return nil
}

func (b *builder) newOperation(res *Resource, e opEntry) (*Operation, error) {
	op := &Operation{
		Resource: res, Nickname: e.ext.Nickname, GoName: GoName(e.ext.Nickname), Method: e.method, Path: e.path,
		Summary: e.op.Summary, Notes: e.op.Description, ResponseClass: e.ext.ResponseClass,
	}
	if e.ext.Upgrade == "websocket" {
		op.Websocket = true
		return op, nil
	}
	for code, r := range e.op.Responses.StatusCodeResponses {
		if code >= 300 {
			continue
		}
		if r.Schema == nil {
			continue
		}
		if len(r.Schema.Type) == 1 && r.Schema.Type[0] == "file" {
			op.Binary = true
			continue
		}
		t, err := b.schemaType(r.Schema, "")
		if err != nil {
			return nil, fmt.Errorf("response: %w", err)
		}
		if t.Kind == List && t.Elem.Kind != ModelRef {
			return nil, fmt.Errorf("response: only lists of models are supported")
		}
		if t.Kind != List && t.Kind != ModelRef {
			return nil, fmt.Errorf("response: unsupported response class %q", op.ResponseClass)
		}
		op.Response = t
	}
	return op, nil
}

// mergeOperation adds release i's view of an operation: since, parameters,
// error responses. The newest release's documentation wins.
func (b *builder) mergeOperation(op *Operation, e opEntry, i int) error {
	sop := e.op
	for _, s := range e.ext.Since {
		if !containsString(op.Avail.Since, s) {
			op.Avail.Since = append(op.Avail.Since, s)
		}
	}
	sort.Slice(op.Avail.Since, func(a, c int) bool { return versionLess(op.Avail.Since[a], op.Avail.Since[c]) })
	for _, sp := range sop.Parameters {
		p := findParam(op.Params, sp.Name)
		if p == nil {
			np, err := b.newParam(op, &sp)
			if err != nil {
				return fmt.Errorf("parameter %s: %w", sp.Name, err)
			}
			p = np
			op.Params = append(op.Params, p)
		} else {
			if p.In != sp.In {
				return fmt.Errorf("parameter %s is in %s here but in %s in a newer release", sp.Name, sp.In, p.In)
			}
			p.Required = p.Required && sp.Required
			if p.Doc == "" {
				p.Doc = sp.Description
			}
			if p.Body == BodyStringMap && strings.Contains(sp.Description, "report_events") && p.Name == "variables" {
				p.Body = BodyVars
			}
		}
		p.Avail.Releases |= 1 << uint(i)
		if p.Type != nil && p.Type.Kind == EnumRef {
			vals := sp.Enum
			if sp.Items != nil {
				vals = sp.Items.Enum
			}
			strs := enumStrings(vals)
			if p.ValuesInDoc {
				if strs = docValues(sp.Description); strs == nil {
					return fmt.Errorf("parameter %s: listParams (gen/internal/ir/quirks.go) says the description lists the values in parentheses, but it does not: %q", sp.Name, sp.Description)
				}
			}
			addEnumValues(p.Type.Enum, strs, i)
		}
	}
	for code, r := range sop.Responses.StatusCodeResponses {
		if code < 400 {
			continue
		}
		found := false
		for _, e := range op.Errors {
			found = found || e.Status == code
		}
		if !found {
			op.Errors = append(op.Errors, ErrorResponse{Status: code, Reason: r.Description})
		}
	}
	return nil
}

func findParam(ps []*Param, name string) *Param {
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func versionLess(a, c string) bool {
	ra, _ := ParseRelease(a, "", "")
	rc, _ := ParseRelease(c, "", "")
	return ra.less(rc)
}

func (b *builder) newParam(op *Operation, sp *spec.Parameter) (*Param, error) {
	p := &Param{Name: sp.Name, GoName: GoName(sp.Name), ArgName: ArgName(sp.Name), In: sp.In, Doc: sp.Description, Required: sp.Required}
	dataType := ext.ParameterOf(sp).DataType
	if sp.In == "body" {
		// docs/ari-notes.md 2.5: the body parameter's name is a key of the
		// body object, except the event filter, which is the whole body.
		switch {
		case dataType == "object" && sp.Name == "filter":
			p.Body = BodyEventFilter
		case dataType == "containers" && sp.Name == "fields":
			p.Body = BodyConfigTuples
		case dataType == "containers" && sp.Name == "variables" && strings.Contains(sp.Description, "report_events"):
			p.Body = BodyVars
		case dataType == "containers":
			p.Body = BodyStringMap
		default:
			return nil, fmt.Errorf("unsupported body parameter of type %q: classify it in gen/internal/ir/resources.go", dataType)
		}
		return p, nil
	}
	simple := sp.SimpleSchema
	enum := sp.Enum
	if sp.Type == "array" {
		p.Multiple = true
		if sp.Items == nil {
			return nil, fmt.Errorf("array without items")
		}
		simple = sp.Items.SimpleSchema
		enum = sp.Items.Enum
	}
	switch simple.Type {
	case "string":
		p.Type = &Type{Kind: String}
	case "boolean":
		p.Type = &Type{Kind: Bool}
	case "integer":
		p.Type = &Type{Kind: Int}
		if simple.Format == "int64" {
			p.Type = &Type{Kind: Long}
		}
	case "number":
		p.Type = &Type{Kind: Double}
	default:
		return nil, fmt.Errorf("unsupported type %q", simple.Type)
	}
	if p.In == "path" && (p.Multiple || p.Type.Kind != String) {
		return nil, fmt.Errorf("path parameters must be single strings")
	}
	if p.Multiple && p.Type.Kind != String {
		return nil, fmt.Errorf("allowMultiple is supported on string parameters only, not %s", simple.Type)
	}
	if len(enum) > 0 {
		if p.Type.Kind != String {
			return nil, fmt.Errorf("allowableValues on a non-string parameter")
		}
		p.Type = &Type{Kind: EnumRef, Enum: &Enum{}}
	}
	if err := classifyString(op, p, sp); err != nil {
		return nil, err
	}
	if p.CallerID && b.models["CallerID"] == nil {
		return nil, fmt.Errorf("a caller id parameter needs the CallerID model, which no release declares")
	}
	p.Min = sp.Minimum
	if sp.Default != nil {
		p.Default = fmt.Sprint(sp.Default)
		if f, ok := sp.Default.(float64); ok {
			p.Default = strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	switch p.Type.Kind {
	case Bool:
		p.Pointer = p.Default == "true"
	case Int, Long, Double:
		p.Pointer = p.Default != "" && p.Default != "0"
	}
	return p, nil
}

var (
	// listWordRE finds a description that speaks of a list.
	listWordRE = regexp.MustCompile(`(?i)\b(comma|list)\b`)
	// callerIDWordRE finds a description that speaks of a caller id.
	callerIDWordRE = regexp.MustCompile(`(?i)\bcaller ?id\b`)
	// docValuesRE finds the values a description lists in parentheses:
	// "(mixing, holding, dtmf_events)".
	docValuesRE = regexp.MustCompile(`\(([a-z0-9_]+(?:, *[a-z0-9_]+)+)\)`)
)

// classifyString applies listParams and callerIDParams to a single string
// query parameter, and stops generation on one that reads like a list or a
// caller id but is classified in neither (fail closed).
func classifyString(op *Operation, p *Param, sp *spec.Parameter) error {
	key := op.Resource.Name + "." + op.Nickname + "." + p.Name
	single := p.In == "query" && !p.Multiple && p.Type.Kind == String
	lp, isList := listParams[key]
	_, notList := notListParams[key]
	switch {
	case isList && !single:
		return fmt.Errorf("listed in listParams (gen/internal/ir/quirks.go) but not a single string query parameter without allowableValues")
	case isList:
		p.Multiple, p.Split = true, lp.split
		if lp.valuesInDoc {
			if !docValuesRE.MatchString(sp.Description) {
				return fmt.Errorf("listParams (gen/internal/ir/quirks.go) says the description lists the values in parentheses, but it does not: %q", sp.Description)
			}
			p.Type, p.ValuesInDoc = &Type{Kind: EnumRef, Enum: &Enum{}}, true
		}
	case single && !notList && (listWordRE.MatchString(sp.Description) || strings.HasSuffix(strings.ToLower(p.Name), "args")):
		return fmt.Errorf("reads like a comma-separated list: classify it in gen/internal/ir/quirks.go (listParams, with how Asterisk splits it, or notListParams)")
	}
	switch {
	case callerIDParams[key] && !single:
		return fmt.Errorf("listed in callerIDParams (gen/internal/ir/quirks.go) but not a single string query parameter")
	case callerIDParams[key]:
		p.CallerID = true
	case single && (strings.EqualFold(p.Name, "callerId") || strings.EqualFold(p.Name, "caller_id") || callerIDWordRE.MatchString(sp.Description)):
		return fmt.Errorf("reads like a caller id: list it in callerIDParams in gen/internal/ir/quirks.go if Asterisk parses it as \"Name\" <Number>")
	}
	return nil
}

// docValues returns the values a description lists in parentheses.
func docValues(description string) []string {
	m := docValuesRE.FindStringSubmatch(description)
	if m == nil {
		return nil
	}
	vals := strings.Split(m[1], ",")
	for i := range vals {
		vals[i] = strings.TrimSpace(vals[i])
	}
	return vals
}

// finishParams orders parameters (path params in path order first, then
// the others as the newest release declares them), checks Go names and
// marks the parameters that not every release of the operation accepts.
func (b *builder) finishParams(op *Operation) {
	for _, p := range op.Params {
		p.Gated = p.Avail.Releases != op.Avail.Releases || len(p.Avail.Since) > 0
	}
	pathOrder := pathParamNames(op.Path)
	rank := func(p *Param) int {
		for i, n := range pathOrder {
			if p.In == "path" && p.Name == n {
				return i
			}
		}
		return len(pathOrder)
	}
	sort.SliceStable(op.Params, func(a, c int) bool { return rank(op.Params[a]) < rank(op.Params[c]) })
}

// buildParamEnums types enum parameters. Parameters whose values (in every
// release) are a subset of one model enum's use it (deviceStates.update's
// deviceState is an ari.DeviceStateValue). The others with the same name
// and the same values share one type named after the shortest operation
// that has it (Mute + Direction -> MuteDirection); a name used by two
// different value sets is prefixed with the resource
// (ChannelRecordIfExists). An enum whose values only the description lists
// (ValuesInDoc) is named like its params struct's field when another
// resource has an operation of the same name (bridges.create's type ->
// BridgeCreateType, as channels.create exists); the older enums keep their
// names.
func (b *builder) buildParamEnums() error {
	type group struct {
		enum  *Enum
		users []*Param
		name  string
		op    string
		res   *Resource
		// resources are those of the users.
		resources map[*Resource]bool
	}
	groups := map[string]*group{}
	var keys []string
	for _, res := range b.api.Resources {
		for _, op := range res.Ops {
			goNames := map[string]string{}
			for _, p := range op.Params {
				if prev, dup := goNames[p.GoName]; dup {
					return generr.New(b.file(len(b.in)-1, res.Name), "operation "+op.Nickname, "parameters %q and %q both map to Go name %s", prev, p.Name, p.GoName)
				}
				goNames[p.GoName] = p.Name
				if p.Type == nil || p.Type.Kind != EnumRef {
					continue
				}
				vals := make([]string, len(p.Type.Enum.Values))
				for i, v := range p.Type.Enum.Values {
					vals[i] = v.Value
				}
				key := p.Name + "=" + strings.Join(vals, "\x00")
				g := groups[key]
				name := op.GoName + p.GoName
				if g == nil {
					g = &group{enum: &Enum{Param: true}, name: name, op: op.GoName, res: res, resources: map[*Resource]bool{}}
					groups[key] = g
					keys = append(keys, key)
				} else if len(name) < len(g.name) || (len(name) == len(g.name) && name < g.name) {
					g.name, g.op, g.res = name, op.GoName, res
				}
				g.resources[res] = true
				for _, v := range p.Type.Enum.Values {
					var gv *EnumValue
					for _, x := range g.enum.Values {
						if x.Value == v.Value {
							gv = x
						}
					}
					if gv == nil {
						gv = &EnumValue{Value: v.Value, GoName: v.GoName}
						g.enum.Values = append(g.enum.Values, gv)
					}
					gv.Avail.Releases |= v.Avail.Releases
				}
				g.enum.Avail.Releases |= p.Avail.Releases
				g.users = append(g.users, p)
			}
		}
	}
	sort.Strings(keys)
	var named []string
	for _, k := range keys {
		g := groups[k]
		if me := b.modelEnumFor(g.enum); me != nil {
			for _, p := range g.users {
				p.Type.Enum = me
			}
			continue
		}
		if g.users[0].ValuesInDoc && b.otherResourceHas(g.resources, g.op) && !strings.HasPrefix(g.name, g.res.Singular) {
			g.name = g.res.Singular + g.name
		}
		named = append(named, k)
	}
	keys = named
	count := map[string]int{}
	for _, k := range keys {
		count[groups[k].name]++
	}
	for _, k := range keys {
		g := groups[k]
		name := g.name
		if count[name] > 1 {
			name = g.res.Singular + name
		}
		g.enum.GoName = name
		g.enum.Doc = fmt.Sprintf("%s is a value of the %q parameter.", name, g.users[0].Name)
		if err := checkEnumValueNames(g.enum); err != nil {
			return generr.Wrap(b.file(len(b.in)-1, g.res.Name), "parameter "+g.users[0].Name, err)
		}
		for _, p := range g.users {
			p.Type.Enum = g.enum
		}
		b.api.ParamEnums = append(b.api.ParamEnums, g.enum)
	}
	sort.Slice(b.api.ParamEnums, func(i, j int) bool { return b.api.ParamEnums[i].GoName < b.api.ParamEnums[j].GoName })
	return nil
}

// modelEnumFor returns the model enum whose values include all of e's, if
// exactly one does and e has more than one value (a single value such as
// "both" says too little to tell which enum it is).
func (b *builder) modelEnumFor(e *Enum) *Enum {
	if len(e.Values) < 2 {
		return nil
	}
	var found *Enum
	for _, me := range b.api.Enums {
		has := map[string]bool{}
		for _, v := range me.Values {
			has[v.Value] = true
		}
		subset := true
		for _, v := range e.Values {
			subset = subset && has[v.Value]
		}
		if subset {
			if found != nil {
				return nil
			}
			found = me
		}
	}
	return found
}

// otherResourceHas reports whether a resource outside rs has an operation
// whose method is named op.
func (b *builder) otherResourceHas(rs map[*Resource]bool, op string) bool {
	for _, r := range b.api.Resources {
		if rs[r] {
			continue
		}
		for _, o := range r.Ops {
			if o.GoName == op {
				return true
			}
		}
	}
	return false
}

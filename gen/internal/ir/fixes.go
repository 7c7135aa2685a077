package ir

import (
	"fmt"
	"sort"
	"strings"

	"gostasis.dev/gen/internal/generr"
)

// Reroute is how a call of an operation is sent when Asterisk does not
// run the operation as described once a parameter is set (quirks.go,
// reroutes): the call goes to Via, a sibling operation taking the id in
// its path.
type Reroute struct {
	// When is the body parameter whose being set reroutes the call.
	When *Param
	// Via is the operation called instead.
	Via *Operation
	// ID is the operation's string parameter whose value is Via's one
	// path parameter; a new id is generated when it is empty.
	ID *Param
	// Args pairs each other parameter of the operation (Args[i][0]) with
	// Via's parameter of the same name and type (Args[i][1]), in the
	// operation's order.
	Args [][2]*Param
}

// buildFixes applies the corrections of quirks.go that need the whole
// model: error statuses (errorFixes) and reroutes. It runs last, once
// parameter types and enums are final.
func (b *builder) buildFixes() error {
	ops := map[string]*Operation{}
	for _, res := range b.api.Resources {
		for _, op := range res.Ops {
			ops[res.Name+"."+op.Nickname] = op
		}
	}
	newest := len(b.in) - 1
	for _, key := range sortedKeys(errorFixes) {
		op := ops[key]
		if op == nil {
			continue // a test schema without it
		}
		fixErrors(op, errorFixes[key])
	}
	for _, key := range sortedKeys(reroutes) {
		opKey, param, _ := cutLast(key, ".")
		op := ops[opKey]
		if op == nil {
			continue
		}
		when := findParam(op.Params, param)
		q := reroutes[key]
		via := ops[op.Resource.Name+"."+q.via]
		if when == nil || via == nil {
			continue // a test schema without them
		}
		rr, err := resolveReroute(op, when, via, q.id)
		if err != nil {
			return generr.New(b.file(newest, op.Resource.Name), "operation "+op.Nickname,
				"reroute through %s: %v (gen/internal/ir/quirks.go, reroutes)", via.Nickname, err)
		}
		op.Reroute = rr
		op.Notes = strings.TrimSpace(op.Notes + "\n\n" + fmt.Sprintf("With %s set, the call goes to %s (%s %s) with %s, or a new id when it is empty: %s",
			when.GoName, via.GoName, via.Method, via.Path, rr.ID.GoName, q.why))
		when.Doc = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(when.Doc), ".") + ". Setting it sends the call to " + via.GoName + " (see " + op.GoName + ").")
	}
	return nil
}

// fixErrors applies one operation's errorFixes.
func fixErrors(op *Operation, fixes map[int]string) {
	var out []ErrorResponse
	for _, e := range op.Errors {
		reason, fixed := fixes[e.Status]
		switch {
		case !fixed:
			out = append(out, e)
		case reason != "":
			out = append(out, ErrorResponse{Status: e.Status, Reason: reason})
		}
	}
	for status, reason := range fixes {
		if reason == "" {
			continue
		}
		found := false
		for _, e := range op.Errors {
			found = found || e.Status == status
		}
		if !found {
			out = append(out, ErrorResponse{Status: status, Reason: reason})
		}
	}
	sort.Slice(out, func(a, c int) bool { return out[a].Status < out[c].Status })
	op.Errors = out
}

// resolveReroute checks that via can take every parameter of op, and
// pairs them.
func resolveReroute(op *Operation, when *Param, via *Operation, idName string) (*Reroute, error) {
	if when.Body == NoBody {
		return nil, fmt.Errorf("parameter %s is not a body parameter", when.Name)
	}
	id := findParam(op.Params, idName)
	if id == nil || id.In != "query" || id.Multiple || id.Type == nil || id.Type.Kind != String {
		return nil, fmt.Errorf("%s is not a string query parameter of %s", idName, op.Nickname)
	}
	paths := via.PathParams()
	if len(paths) != 1 || paths[0].Name != idName {
		return nil, fmt.Errorf("its path parameters are not just %s", idName)
	}
	if !sameResult(op, via) {
		return nil, fmt.Errorf("its result is not %s's", op.Nickname)
	}
	rr := &Reroute{When: when, Via: via, ID: id}
	for _, p := range op.Params {
		switch {
		case p.In == "path":
			return nil, fmt.Errorf("%s has path parameters", op.Nickname)
		case p == id:
			continue
		}
		vp := findParam(via.Params, p.Name)
		if vp == nil || vp.In == "path" || !sameParamType(p, vp) {
			return nil, fmt.Errorf("parameter %s has no counterpart of the same type", p.Name)
		}
		if p.Avail.Releases&^vp.Avail.Releases != 0 {
			return nil, fmt.Errorf("parameter %s is missing from releases that have it in %s", p.Name, op.Nickname)
		}
		rr.Args = append(rr.Args, [2]*Param{p, vp})
	}
	return rr, nil
}

// sameParamType reports whether two parameters have the same Go field
// type and are sent the same way.
func sameParamType(a, c *Param) bool {
	if a.In != c.In || a.Body != c.Body || a.Multiple != c.Multiple || a.Pointer != c.Pointer || a.CallerID != c.CallerID || a.Split != c.Split {
		return false
	}
	if a.Type == nil || c.Type == nil {
		return a.Type == nil && c.Type == nil
	}
	return a.Type.Kind == c.Type.Kind && a.Type.Enum == c.Type.Enum && a.Type.Model == c.Type.Model
}

// sameResult reports whether two operations return the same Go type.
func sameResult(a, c *Operation) bool {
	if a.Binary != c.Binary || a.Websocket != c.Websocket || (a.Response == nil) != (c.Response == nil) {
		return false
	}
	if a.Response == nil {
		return true
	}
	ra, rc := a.Response, c.Response
	if ra.Kind == List && rc.Kind == List {
		ra, rc = ra.Elem, rc.Elem
	}
	return ra.Kind == rc.Kind && ra.Model == rc.Model
}

// cutLast splits s at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

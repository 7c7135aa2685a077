package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gostasis.dev/internal/editdist"

	"gostasis.dev/ari"
)

// callArgError is an argument of "ari call" that was refused before
// anything was sent: an unknown operation or parameter, a value of the
// wrong type, a missing required parameter.
type callArgError struct {
	// Op is the operation ("channels.originate"), or the unknown name.
	Op string
	// Param is the parameter at fault, or "" for the operation itself.
	Param string
	// Problem says what is wrong.
	Problem string
}

func (e *callArgError) Error() string {
	if e.Param == "" {
		return "call " + e.Op + ": " + e.Problem
	}
	return "call " + e.Op + ": " + e.Param + ": " + e.Problem
}

// callArgs reads key=value arguments of op into a map, refusing unknown
// and repeated keys.
func callArgs(op *callOp, args []string) (map[string]string, error) {
	values := map[string]string{}
	for _, arg := range args {
		key, value, ok := strings.Cut(arg, "=")
		if !ok {
			return nil, &callArgError{Op: op.name, Problem: fmt.Sprintf("argument %q is not key=value (see ari call %s --help)", arg, op.name)}
		}
		if op.param(key) == nil {
			return nil, &callArgError{Op: op.name, Param: key, Problem: fmt.Sprintf("unknown parameter%s (see ari call %s --help)", callSuggest(key, callParamNames(op)), op.name)}
		}
		if _, dup := values[key]; dup {
			return nil, &callArgError{Op: op.name, Param: key, Problem: "given twice"}
		}
		values[key] = value
	}
	return values, nil
}

// callRerouted applies op's reroute to values when its parameter is set:
// it returns the operation to call instead, with the values renamed, or
// op and values as they are.
func callRerouted(op *callOp, values map[string]string) (*callOp, map[string]string, error) {
	rr := op.reroute
	if rr == nil {
		return op, values, nil
	}
	if _, set := values[rr.when]; !set {
		return op, values, nil
	}
	via := findCallOp(rr.via)
	if via == nil || len(via.params) == 0 || via.params[0].in != "path" {
		return nil, nil, &callArgError{Op: op.name, Problem: "reroute to unknown operation " + rr.via + ": cmd/ari/ops_gen.go is stale (run go generate ./...)"}
	}
	out := map[string]string{}
	for k, v := range values {
		if k != rr.id {
			out[k] = v
		}
	}
	id := values[rr.id]
	if id == "" {
		var err error
		if id, err = newUUID(); err != nil {
			return nil, nil, err
		}
	}
	out[via.params[0].name] = id
	return via, out, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// callRequest turns the checked key=value arguments of op into a request
// (desc is op's description from package resources). Every value is
// checked against the table before anything is sent.
func callRequest(op *callOp, desc *ari.Operation, values map[string]string) (*ari.Request, error) {
	bad := func(param, format string, a ...any) error {
		return &callArgError{Op: op.name, Param: param, Problem: fmt.Sprintf(format, a...)}
	}
	var missing []string
	for _, p := range op.params {
		if _, ok := values[p.name]; p.required && !ok {
			missing = append(missing, p.name)
		}
	}
	if len(missing) > 0 {
		return nil, bad("", "missing required parameter %s (see ari call %s --help)", strings.Join(missing, ", "), op.name)
	}

	r := &ari.Request{Op: desc, Path: desc.Path}
	var q ari.Query
	for i := range op.params {
		p := &op.params[i]
		v, ok := values[p.name]
		if !ok {
			continue
		}
		switch p.in {
		case "path":
			if v == "" {
				return nil, bad(p.name, "must not be empty")
			}
			r.Path = strings.Replace(r.Path, "{"+p.name+"}", ari.PathEscape(v), 1)
		case "query":
			vals := []string{v}
			if p.list {
				vals = strings.Split(v, ",")
			}
			for j, one := range vals {
				norm, err := callValue(p, one)
				if err != nil {
					return nil, bad(p.name, "%v", err)
				}
				vals[j] = norm
			}
			q.AddList(p.name, vals)
		case "body":
			body, err := callBody(p, v)
			if err != nil {
				return nil, bad(p.name, "%v", err)
			}
			r.Body = body
		}
	}
	r.Query = q.Encode()
	return r, nil
}

// callValue checks one value of a path or query parameter against its
// type and returns it as Asterisk reads it.
func callValue(p *callParam, v string) (string, error) {
	switch p.kind {
	case kindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return "", fmt.Errorf("%q is not an integer", v)
		}
		if p.min != "" {
			if m, err := strconv.ParseFloat(p.min, 64); err == nil && float64(n) < m {
				return "", fmt.Errorf("%d is below the minimum %s", n, p.min)
			}
		}
		return strconv.FormatInt(n, 10), nil
	case kindNumber:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("%q is not a number", v)
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case kindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return "", fmt.Errorf("%q is not true or false", v)
		}
		return strconv.FormatBool(b), nil
	case kindEnum:
		for _, allowed := range p.values {
			if v == allowed {
				return v, nil
			}
		}
		return "", fmt.Errorf("%q is not one of %s%s", v, strings.Join(p.values, ", "), callSuggest(v, p.values))
	}
	return v, nil
}

// callBody parses the JSON given for a body parameter and returns the
// request body.
func callBody(p *callParam, v string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not one JSON value")
	}
	obj, isObj := x.(map[string]any)
	switch p.kind {
	case kindVars:
		if !isObj {
			return nil, fmt.Errorf(`want a JSON object {"name": "value" or {"value": "...", "report_events": true}}`)
		}
		for name, val := range obj {
			switch val := val.(type) {
			case string:
			case map[string]any:
				if _, ok := val["value"].(string); !ok {
					return nil, fmt.Errorf(`variable %q: an object needs a string "value"`, name)
				}
			default:
				return nil, fmt.Errorf("variable %q: want a string or an object", name)
			}
		}
		return map[string]any{p.name: obj}, nil
	case kindStringMap:
		if !isObj {
			return nil, fmt.Errorf(`want a JSON object of strings {"name": "value"}`)
		}
		for name, val := range obj {
			if _, ok := val.(string); !ok {
				return nil, fmt.Errorf("%q: want a string", name)
			}
		}
		return map[string]any{p.name: obj}, nil
	case kindConfigTuples:
		tuples, err := callConfigTuples(x)
		if err != nil {
			return nil, err
		}
		return map[string]any{p.name: tuples}, nil
	case kindEventFilter:
		if !isObj {
			return nil, fmt.Errorf(`want a JSON object {"allowed": [{"type": "..."}], "disallowed": [...]}`)
		}
		return json.RawMessage(compactBodyJSON(v)), nil
	}
	return nil, fmt.Errorf("not a body parameter")
}

// callConfigTuples reads {"attr": "value"} (sorted by attribute) or
// [{"attribute": "attr", "value": "value"}] as a list of ari.ConfigTuple.
func callConfigTuples(x any) ([]ari.ConfigTuple, error) {
	const want = `want a JSON object {"attribute": "value"} or an array [{"attribute": "...", "value": "..."}]`
	switch x := x.(type) {
	case map[string]any:
		out := make([]ari.ConfigTuple, 0, len(x))
		for attr, val := range x {
			s, ok := val.(string)
			if !ok {
				return nil, fmt.Errorf("%q: want a string", attr)
			}
			out = append(out, ari.ConfigTuple{Attribute: attr, Value: s})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Attribute < out[j].Attribute })
		return out, nil
	case []any:
		out := make([]ari.ConfigTuple, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			attr, okA := m["attribute"].(string)
			val, okV := m["value"].(string)
			if !ok || !okA || !okV {
				return nil, fmt.Errorf(want)
			}
			out = append(out, ari.ConfigTuple{Attribute: attr, Value: val})
		}
		return out, nil
	}
	return nil, fmt.Errorf(want)
}

// compactBodyJSON returns the JSON v without insignificant space (v is valid).
func compactBodyJSON(v string) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(v)); err != nil {
		return []byte(v)
	}
	return b.Bytes()
}

func callParamNames(op *callOp) []string {
	out := make([]string, len(op.params))
	for i, p := range op.params {
		out[i] = p.name
	}
	return out
}

// callSuggest returns `; did you mean "x"?` for the candidate closest to s
// (case-insensitive edit distance), or "" when there is none.
func callSuggest(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := editdist.Distance(strings.ToLower(s), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

package events_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file reads Asterisk's API descriptions (the generator's input, in
// ../../schemas) so that tests can build events from the schema and check
// decoded events against it, independently of the generated code.

// schemaProp is one property of a model, in declaration order.
type schemaProp struct {
	Name     string
	Type     string
	Required bool
}

// schemaModel is one model of the merged schema.
type schemaModel struct {
	ID       string
	Props    []schemaProp
	SubTypes []string
}

// schema is every model of every release, the newest definition winning
// (nothing was ever removed: docs/ari-notes.md §4).
type schema map[string]*schemaModel

var (
	schemaOnce sync.Once
	schemaVal  schema
	schemaErr  error
)

// loadSchema reads and merges ../../schemas/asterisk-*/api-docs/*.json.
func loadSchema(t testing.TB) schema {
	t.Helper()
	schemaOnce.Do(func() { schemaVal, schemaErr = readSchema("../../schemas") })
	require.NoError(t, schemaErr)
	return schemaVal
}

func readSchema(root string) (schema, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "asterisk-*"))
	if err != nil {
		return nil, err
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("no schemas under %s", root)
	}
	sort.Slice(dirs, func(i, j int) bool { return versionLess(filepath.Base(dirs[i]), filepath.Base(dirs[j])) })
	out := schema{}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "api-docs", "*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if err := readModels(f, out); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return out, nil
}

// versionLess orders "asterisk-16.30.1" before "asterisk-23.4.1".
func versionLess(a, b string) bool {
	var x, y [3]int
	fmt.Sscanf(strings.TrimPrefix(a, "asterisk-"), "%d.%d.%d", &x[0], &x[1], &x[2])
	fmt.Sscanf(strings.TrimPrefix(b, "asterisk-"), "%d.%d.%d", &y[0], &y[1], &y[2])
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

func readModels(file string, out schema) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var doc struct {
		Models map[string]json.RawMessage `json:"models"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	for id, raw := range doc.Models {
		var m struct {
			SubTypes   []string        `json:"subTypes"`
			Properties json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		model := &schemaModel{ID: id, SubTypes: m.SubTypes}
		keys, vals, err := orderedMembers(m.Properties)
		if err != nil {
			return err
		}
		for i, k := range keys {
			var p struct {
				Type     string `json:"type"`
				Required bool   `json:"required"`
			}
			if err := json.Unmarshal(vals[i], &p); err != nil {
				return err
			}
			model.Props = append(model.Props, schemaProp{Name: k, Type: p.Type, Required: p.Required})
		}
		out[id] = model
	}
	return nil
}

// orderedMembers returns the keys and values of a JSON object in order.
func orderedMembers(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("not an object: %v %v", tok, err)
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys = append(keys, tok.(string))
		vals = append(vals, v)
	}
	return keys, vals, nil
}

// eventProps returns the properties of message type typ, those inherited
// from Message (and Event, for events) first.
func (s schema) eventProps(typ string) []schemaProp {
	var props []schemaProp
	props = append(props, s["Message"].Props...)
	if s.isEvent(typ) {
		props = append(props, s["Event"].Props...)
	}
	if m := s[typ]; m != nil {
		props = append(props, m.Props...)
	}
	return props
}

func (s schema) isEvent(typ string) bool {
	for _, x := range s["Event"].SubTypes {
		if x == typ {
			return true
		}
	}
	return false
}

// messageTypes lists the subtypes of Message and Event, sorted.
func (s schema) messageTypes() []string {
	var out []string
	for _, x := range s["Message"].SubTypes {
		if x != "Event" {
			out = append(out, x)
		}
	}
	out = append(out, s["Event"].SubTypes...)
	sort.Strings(out)
	return out
}

// listElem returns X for "List[X]".
func listElem(typ string) (string, bool) {
	if strings.HasPrefix(typ, "List[") && strings.HasSuffix(typ, "]") {
		return typ[len("List[") : len(typ)-1], true
	}
	return "", false
}

// ordered is a JSON object that keeps its members' order.
type ordered []member

type member struct {
	Key   string
	Value any
}

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// get returns the value of key, or nil.
func (o ordered) get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// parseOrdered reads JSON into ordered objects, []any, json.Number, string,
// bool and nil. It reports dup when an object repeats a key.
// Nesting deeper than maxParseDepth is an error.
func parseOrdered(data []byte) (v any, dup bool, err error) {
	if !json.Valid(data) {
		return nil, false, fmt.Errorf("invalid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, dup, err = parseValue(dec, 0)
	if err != nil {
		return nil, false, err
	}
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) != 0 {
		return nil, false, fmt.Errorf("trailing data")
	}
	return v, dup, nil
}

// maxParseDepth is far below the decoders' limit of 10000.
const maxParseDepth = 1000

func parseValue(dec *json.Decoder, depth int) (any, bool, error) {
	if depth > maxParseDepth {
		return nil, false, fmt.Errorf("nested too deep")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, false, err
	}
	switch tok {
	case json.Delim('{'):
		var o ordered
		dup := false
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, false, err
			}
			key := k.(string)
			if seen[key] {
				dup = true
			}
			seen[key] = true
			v, d, err := parseValue(dec, depth+1)
			if err != nil {
				return nil, false, err
			}
			dup = dup || d
			o = append(o, member{key, v})
		}
		if _, err := dec.Token(); err != nil {
			return nil, false, err
		}
		if o == nil {
			o = ordered{}
		}
		return o, dup, nil
	case json.Delim('['):
		a := []any{}
		dup := false
		for dec.More() {
			v, d, err := parseValue(dec, depth+1)
			if err != nil {
				return nil, false, err
			}
			dup = dup || d
			a = append(a, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, false, err
		}
		return a, dup, nil
	}
	return tok, false, nil
}

func TestSchemaLoads(t *testing.T) {
	s := loadSchema(t)
	require.Contains(t, s, "Channel")
	require.Contains(t, s, "StasisStart")
	require.Equal(t, []string{"type", "asterisk_id"}, propNames(s["Message"].Props))
	require.Equal(t, []string{"application", "timestamp"}, propNames(s["Event"].Props))
}

func propNames(ps []schemaProp) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

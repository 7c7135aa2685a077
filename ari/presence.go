package ari

import (
	"encoding/json"
	"reflect"

	"gostasis.dev/ari/internal/presence"
	"gostasis.dev/ari/internal/wire"
)

// presenceSet is embedded in the generated models that have optional
// scalar members; the alias keeps the field unexported.
type presenceSet = presence.Set

// Has reports whether the member with JSON key key is set in v, a model of
// this package or an event of package events (pass a pointer): a required
// member always is; an optional one when it is non-zero, non-nil, or was
// present in the JSON v was decoded from. It is how to tell an optional
// number or string Asterisk sent as zero ("duration": 0) from one it left
// out. Has encodes v to find out, so it is meant for occasional checks,
// not hot paths.
func Has(v json.Marshaler, key string) bool {
	if v == nil {
		return false
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return false
	}
	data, err := v.MarshalJSON()
	if err != nil {
		return false
	}
	var d wire.Decoder
	d.Reset(string(data))
	if !d.Object() {
		return false
	}
	for {
		k, ok := d.Key()
		if !ok {
			return false
		}
		if k == key {
			return true
		}
		d.Skip()
	}
}

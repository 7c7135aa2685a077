package aritest

import (
	"encoding/json"
	"reflect"
	"strings"
)

// jsonModel is a generated model or event, by pointer.
type jsonModel interface {
	json.Marshaler
	json.Unmarshaler
}

// markPresent makes v's optional members with the given JSON keys count as
// present, so that they are written even when they hold their zero value,
// as Asterisk writes them ("video_mode": "", "cause": 0). The generated
// types record presence only when decoding, so v goes through its own JSON
// with the members added. A key v has no field for is ignored.
func markPresent(v jsonModel, keys ...string) {
	data, err := v.MarshalJSON()
	if err != nil {
		return
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return
	}
	for _, key := range keys {
		if _, ok := obj[key]; ok {
			continue
		}
		if f, ok := fieldByJSONKey(reflect.ValueOf(v).Elem(), key); ok {
			if raw, err := json.Marshal(f.Interface()); err == nil {
				obj[key] = raw
			}
		}
	}
	if data, err = json.Marshal(obj); err == nil {
		_ = v.UnmarshalJSON(data)
	}
}

// fieldByJSONKey finds the field of struct s (or of a struct it embeds)
// whose json tag names key.
func fieldByJSONKey(s reflect.Value, key string) (reflect.Value, bool) {
	t := s.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			if f, ok := fieldByJSONKey(s.Field(i), key); ok {
				return f, true
			}
			continue
		}
		if name, _, _ := strings.Cut(sf.Tag.Get("json"), ","); name == key {
			return s.Field(i), true
		}
	}
	return reflect.Value{}, false
}

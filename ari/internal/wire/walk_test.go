package wire

import (
	"slices"
	"testing"
)

// walk decodes the next value into the types encoding/json uses for any,
// with the Decoder's generic methods only.
func walk(d *Decoder) any {
	switch d.Peek() {
	case KindObject:
		m := map[string]any{}
		if d.Object() {
			for {
				k, ok := d.Key()
				if !ok {
					break
				}
				m[k] = walk(d)
			}
		}
		return m
	case KindArray:
		a := []any{}
		if d.Array() {
			for d.More() {
				a = append(a, walk(d))
			}
		}
		return a
	case KindString:
		return d.String()
	case KindNumber:
		return d.Float64()
	case KindBool:
		return d.Bool()
	case KindNull:
		d.Null()
		return nil
	default:
		d.Skip() // records why there is no value
		return nil
	}
}

// walkAll decodes the whole document s with walk.
func walkAll(s string) (any, error) {
	var d Decoder
	d.Reset(s)
	v := walk(&d)
	d.End()
	return v, d.Err()
}

// encodeAny writes v, a value as encoding/json decodes into any, with the
// Encoder.
func encodeAny(e *Encoder, v any) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.ObjectStart()
		for _, k := range keys {
			e.Key(k)
			encodeAny(e, v[k])
		}
		e.ObjectEnd()
	case []any:
		e.ArrayStart()
		for _, x := range v {
			encodeAny(e, x)
		}
		e.ArrayEnd()
	case string:
		e.String(v)
	case float64:
		e.Float64(v)
	case bool:
		e.Bool(v)
	case nil:
		e.Null()
	default:
		panic("encodeAny: unexpected type")
	}
}

func TestWalkEncodeAnySmoke(t *testing.T) {
	v, err := walkAll(`{"a":[1,"x",true,null,{}]}`)
	if err != nil {
		t.Fatal(err)
	}
	var e Encoder
	encodeAny(&e, v)
	if got := string(e.Bytes()); got != `{"a":[1,"x",true,null,{}]}` {
		t.Fatalf("got %s", got)
	}
}

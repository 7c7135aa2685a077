package wire

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

// within reports whether sub's bytes lie inside s's.
func within(s, sub string) bool {
	if sub == "" {
		return true
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	q := uintptr(unsafe.Pointer(unsafe.StringData(sub)))
	return q >= p && q+uintptr(len(sub)) <= p+uintptr(len(s))
}

func TestStringsAreSubstrings(t *testing.T) {
	const doc = `{"plain":"abc","utf8":"héllo 😀","esc\u0061pe":"a\nb","bad":"` + "\xff" + `","m":{"k":"v","n":1},"l":["x"],"r":[1, 2]}`
	var d Decoder
	d.Reset(doc)
	d.Object()
	for {
		k, ok := d.Key()
		if !ok {
			break
		}
		switch k {
		case "plain", "utf8":
			assert.True(t, within(doc, k), "key %q", k)
			v := d.String()
			assert.True(t, within(doc, v), "value of %q", k)
		case "escape":
			assert.False(t, within(doc, k), "an escaped key is a copy")
			v := d.String()
			assert.Equal(t, "a\nb", v)
			assert.False(t, within(doc, v), "an escaped value is a copy")
		case "bad":
			v := d.String()
			assert.Equal(t, "\ufffd", v)
			assert.False(t, within(doc, v), "invalid UTF-8 is replaced in a copy")
		case "m":
			for mk, mv := range d.StringMap() {
				assert.True(t, within(doc, mk), "map key %q", mk)
				assert.True(t, within(doc, mv), "map value %q", mv)
			}
		case "l":
			for _, v := range d.Strings() {
				assert.True(t, within(doc, v), "element %q", v)
			}
		case "r":
			r := d.Raw()
			assert.Equal(t, "[1, 2]", r)
			assert.True(t, within(doc, r))
		}
	}
	d.End()
	assert.NoError(t, d.Err())
}

package wire

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func encode(f func(e *Encoder)) string {
	var e Encoder
	f(&e)
	return string(e.Bytes())
}

func TestEncoderCommas(t *testing.T) {
	got := encode(func(e *Encoder) {
		e.ObjectStart()
		e.Key("a")
		e.Int(1)
		e.Key("b")
		e.ArrayStart()
		e.String("x")
		e.Int64(-2)
		e.Float64(1.5)
		e.Bool(true)
		e.Bool(false)
		e.Null()
		e.ObjectStart()
		e.ObjectEnd()
		e.ArrayStart()
		e.ArrayEnd()
		e.Raw(`{"r":[1]}`)
		e.Raw("")
		e.ArrayEnd()
		e.Key("c")
		e.ObjectStart()
		e.Key("d")
		e.Strings([]string{"p", "q"})
		e.ObjectEnd()
		e.Key("t")
		e.Time(time.Date(2026, 11, 25, 19, 41, 0, 885e6, time.UTC))
		e.ObjectEnd()
	})
	assert.Equal(t, `{"a":1,"b":["x",-2,1.5,true,false,null,{},[],{"r":[1]},null],"c":{"d":["p","q"]},"t":"2026-11-25T19:41:00.885+0000"}`, got)
	assert.True(t, json.Valid([]byte(got)))
}

func TestEncoderReset(t *testing.T) {
	buf := make([]byte, 0, 64)
	buf = append(buf, "garbage"...)
	var e Encoder
	e.Reset(buf)
	e.Int(1)
	assert.Equal(t, "1", string(e.Bytes()))
	assert.Same(t, &buf[:1][0], &e.Bytes()[0], "Reset reuses the buffer")

	e.Reset(e.Bytes())
	e.String("again")
	assert.Equal(t, `"again"`, string(e.Bytes()))

	var zero Encoder
	zero.Null()
	assert.Equal(t, "null", string(zero.Bytes()))
}

func TestEncoderString(t *testing.T) {
	for _, s := range []string{
		"", "abc", `quote " backslash \ slash /`, "\b\f\n\r\t", "\x00\x01\x1f\x7f",
		"<script>&amp;</script>", "é€😀", "\u2028\u2029", "a\xffb", "\xed\xa0\x80", "\xf0\x9f\x98",
		"tail\xc3", strings.Repeat("long ", 100),
	} {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), encode(func(e *Encoder) { e.String(s) }), "%q", s)
		assert.Equal(t, `{`+string(want)+`:0}`, encode(func(e *Encoder) { e.ObjectStart(); e.Key(s); e.Int(0); e.ObjectEnd() }), "key %q", s)
	}
	assert.Equal(t, `"\u003ca\u003e\u0026"`, encode(func(e *Encoder) { e.String("<a>&") }))
}

func TestEncoderNumbers(t *testing.T) {
	for _, f := range []float64{
		0, math.Copysign(0, -1), 1, -1, 1.5, 0.1, 1e20, 1e21, 123456789, 1e-6, 1e-7, 9.999e-7,
		5e-324, math.MaxFloat64, -math.MaxFloat64, 1.0 / 3, 1e-9, 12345678.125,
	} {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		assert.Equal(t, string(want), encode(func(e *Encoder) { e.Float64(f) }), "%v", f)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		assert.Equal(t, "0", encode(func(e *Encoder) { e.Float64(f) }), "%v", f)
	}
	for _, v := range []int64{0, -1, 42, math.MaxInt64, math.MinInt64} {
		want, _ := json.Marshal(v)
		assert.Equal(t, string(want), encode(func(e *Encoder) { e.Int64(v) }))
		assert.Equal(t, string(want), encode(func(e *Encoder) { e.Int(int(v)) }))
	}
}

func TestEncoderStrings(t *testing.T) {
	assert.Equal(t, "null", encode(func(e *Encoder) { e.Strings(nil) }))
	assert.Equal(t, "[]", encode(func(e *Encoder) { e.Strings([]string{}) }))
	assert.Equal(t, `["a","\u003c"]`, encode(func(e *Encoder) { e.Strings([]string{"a", "<"}) }))
}

func TestEncoderStringMap(t *testing.T) {
	assert.Equal(t, "null", encode(func(e *Encoder) { e.StringMap(nil) }))
	assert.Equal(t, "{}", encode(func(e *Encoder) { e.StringMap(map[string]string{}) }))
	m := map[string]string{}
	for i := range 40 {
		m[string(rune('a'+i%26))+strings.Repeat("x", i/26)] = "v" + strings.Repeat("\n", i%3)
	}
	m["<"] = "&"
	want, err := json.Marshal(m)
	require.NoError(t, err)
	for range 5 { // map order varies; the output must not
		assert.Equal(t, string(want), encode(func(e *Encoder) { e.StringMap(m) }))
	}
}

func TestEncoderTime(t *testing.T) {
	assert.Equal(t, `""`, encode(func(e *Encoder) { e.Time(time.Time{}) }))
	assert.Equal(t, `"2025-03-17T08:32:35.709-0600"`, encode(func(e *Encoder) {
		e.Time(time.Date(2025, 3, 17, 8, 32, 35, 709999999, time.FixedZone("MDT", -6*3600)))
	}))
}

func TestEncoderRoundTrip(t *testing.T) {
	// What the Encoder writes, the Decoder reads back.
	var e Encoder
	e.ObjectStart()
	e.Key("s")
	e.String("a\"\\\n<é😀\u2028")
	e.Key("i")
	e.Int64(math.MinInt64)
	e.Key("f")
	e.Float64(-1.25e-7)
	e.Key("m")
	e.StringMap(map[string]string{"k": "v"})
	e.Key("t")
	e.Time(time.Date(2025, 3, 17, 8, 32, 35, 709e6, time.UTC))
	e.ObjectEnd()

	var d Decoder
	d.Reset(string(e.Bytes()))
	require.True(t, d.Object())
	for {
		k, ok := d.Key()
		if !ok {
			break
		}
		switch k {
		case "s":
			assert.Equal(t, "a\"\\\n<é😀\u2028", d.String())
		case "i":
			assert.Equal(t, int64(math.MinInt64), d.Int64())
		case "f":
			assert.Equal(t, -1.25e-7, d.Float64())
		case "m":
			assert.Equal(t, map[string]string{"k": "v"}, d.StringMap())
		case "t":
			assert.True(t, time.Date(2025, 3, 17, 8, 32, 35, 709e6, time.UTC).Equal(d.Time()))
		}
	}
	d.End()
	require.NoError(t, d.Err())
}

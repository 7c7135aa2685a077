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

// decCase reads in with read, then calls End, and expects want and either no
// error or the error text err.
type decCase struct {
	name string
	in   string
	want any
	err  string
}

func runDecoder(t *testing.T, read func(d *Decoder) any, cases []decCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d Decoder
			d.Reset(tc.in)
			got := read(&d)
			d.End()
			if tc.err != "" {
				require.Error(t, d.Err())
				assert.Equal(t, tc.err, d.Err().Error())
				assert.IsType(t, &SyntaxError{}, d.Err())
				return
			}
			require.NoError(t, d.Err())
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDecoderString(t *testing.T) {
	runDecoder(t, func(d *Decoder) any { return d.String() }, []decCase{
		{"plain", `"abc"`, "abc", ""},
		{"spaces", " \t\r\n\"abc\" \n", "abc", ""},
		{"empty", `""`, "", ""},
		{"null", `null`, "", ""},
		{"simple escapes", `"a\"b\\c\/d\b\f\n\r\t"`, "a\"b\\c/d\b\f\n\r\t", ""},
		{"unicode escapes", `"\u00e9\u20AC\u0041"`, "é€A", ""},
		{"NUL escape", `"\u0000"`, "\x00", ""},
		{"surrogate pair", `"\ud83d\ude00"`, "😀", ""},
		{"lone high surrogate", `"\ud83d"`, "\ufffd", ""},
		{"high surrogate then text", `"\ud83dx"`, "\ufffdx", ""},
		{"high surrogate then BMP escape", `"\ud83d\u0041"`, "\ufffdA", ""},
		{"reversed pair", `"\ude00\ud83d"`, "\ufffd\ufffd", ""},
		{"high high low", `"\ud83d\ud83d\ude00"`, "\ufffd😀", ""},
		{"utf8", `"héllo wörld 😀"`, "héllo wörld 😀", ""},
		{"invalid utf8", "\"a\xffb\xc3\"", "a\ufffdb\ufffd", ""},
		{"utf8-encoded surrogate", "\"\xed\xa0\x80\"", "\ufffd\ufffd\ufffd", ""},
		{"DEL and high ASCII", "\"\x7f\"", "\x7f", ""},

		{"number", `42`, nil, `json: at byte 0: expected string, found number`},
		{"object", ` {}`, nil, `json: at byte 1: expected string, found '{'`},
		{"array", `[]`, nil, `json: at byte 0: expected string, found '['`},
		{"bool", `true`, nil, `json: at byte 0: expected string, found bool`},
		{"garbage", `x`, nil, `json: at byte 0: invalid character 'x' looking for beginning of value`},
		{"empty input", ``, nil, `json: at byte 0: unexpected end of input`},
		{"only space", `   `, nil, `json: at byte 3: unexpected end of input`},
		{"unterminated", `"abc`, nil, `json: at byte 4: unexpected end of input`},
		{"unterminated after escape", `"a\n`, nil, `json: at byte 4: unexpected end of input`},
		{"newline", "\"a\nb\"", nil, `json: at byte 2: invalid character '\n' in string literal`},
		{"tab", "\"a\tb\"", nil, `json: at byte 2: invalid character '\t' in string literal`},
		{"NUL", "\"a\x00\"", nil, `json: at byte 2: invalid character '\x00' in string literal`},
		{"control after escape", "\"\\n\x01\"", nil, `json: at byte 3: invalid character '\x01' in string literal`},
		{"bad escape", `"\x"`, nil, `json: at byte 2: invalid character 'x' in string escape code`},
		{"single quote escape", `"\'"`, nil, `json: at byte 2: invalid character '\'' in string escape code`},
		{"bad hex", `"\u12g4"`, nil, `json: at byte 5: invalid character 'g' in \u hexadecimal character escape`},
		{"short hex", `"\u12`, nil, `json: at byte 5: unexpected end of input`},
		{"short hex quoted", `"\u12"`, nil, `json: at byte 5: invalid character '"' in \u hexadecimal character escape`},
		{"backslash at end", `"\`, nil, `json: at byte 2: unexpected end of input`},
		{"bad null", `nulx`, nil, `json: at byte 3: invalid character 'x' in literal null (expecting 'l')`},
		{"short null", `nul`, nil, `json: at byte 3: unexpected end of input`},
		{"trailing", `"a" x`, nil, `json: at byte 4: invalid character 'x' after top-level value`},
		{"two values", `"a""b"`, nil, `json: at byte 3: invalid character '"' after top-level value`},
	})
}

func TestDecoderStringMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`"\ud800"`, `"\udbff\udfff"`, `"\udc00"`, `"\ud800\udc00\udc00"`, `"\uD834\uDD1E"`,
		`"\ud800\\"`, `"\ud800\n"`, "\"\xf0\x9f\x98\"", "\"\xf4\x90\x80\x80\"", `"\u2028\u2029"`,
	} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(in), &want), in)
		var d Decoder
		d.Reset(in)
		assert.Equal(t, want, d.String(), in)
		assert.NoError(t, d.Err(), in)
	}
}

func TestDecoderInt(t *testing.T) {
	cases := []decCase{
		{"zero", `0`, int64(0), ""},
		{"negative zero", `-0`, int64(0), ""},
		{"positive", `42`, int64(42), ""},
		{"negative", `-42`, int64(-42), ""},
		{"spaces", " 123\n", int64(123), ""},
		{"null", `null`, int64(0), ""},
		{"18 digits", `999999999999999999`, int64(999999999999999999), ""},
		{"max", `9223372036854775807`, int64(math.MaxInt64), ""},
		{"min", `-9223372036854775808`, int64(math.MinInt64), ""},

		{"overflow", `9223372036854775808`, nil, `json: at byte 0: number 9223372036854775808 overflows int64`},
		{"underflow", `-9223372036854775809`, nil, `json: at byte 0: number -9223372036854775809 overflows int64`},
		{"huge", `123456789012345678901234567890`, nil, `json: at byte 0: number 123456789012345678901234567890 overflows int64`},
		{"fraction", `1.5`, nil, `json: at byte 0: number 1.5 is not an integer`},
		{"zero fraction", `1.0`, nil, `json: at byte 0: number 1.0 is not an integer`},
		{"exponent", `1e3`, nil, `json: at byte 0: number 1e3 is not an integer`},
		{"string", `"1"`, nil, `json: at byte 0: expected integer, found string`},
		{"bool", `true`, nil, `json: at byte 0: expected integer, found bool`},
		{"lone minus", `-`, nil, `json: at byte 1: unexpected end of input`},
		{"minus letter", `-x`, nil, `json: at byte 1: invalid character 'x' in numeric literal`},
		{"plus", `+1`, nil, `json: at byte 0: invalid character '+' looking for beginning of value`},
		{"leading zero", `01`, nil, `json: at byte 1: invalid character '1' after top-level value`},
		{"dot at end", `1.`, nil, `json: at byte 2: unexpected end of input`},
		{"dot letter", `1.x`, nil, `json: at byte 2: invalid character 'x' after decimal point in numeric literal`},
		{"exponent at end", `1e`, nil, `json: at byte 2: unexpected end of input`},
		{"exponent sign at end", `1e+`, nil, `json: at byte 3: unexpected end of input`},
		{"exponent letter", `1e+x`, nil, `json: at byte 3: invalid character 'x' in exponent of numeric literal`},
		{"leading dot", `.5`, nil, `json: at byte 0: invalid character '.' looking for beginning of value`},
	}
	runDecoder(t, func(d *Decoder) any { return d.Int64() }, cases)
	if math.MaxInt == math.MaxInt64 {
		for i := range cases {
			if v, ok := cases[i].want.(int64); ok {
				cases[i].want = int(v)
			}
			cases[i].err = strings.ReplaceAll(cases[i].err, "int64", "int")
		}
		runDecoder(t, func(d *Decoder) any { return d.Int() }, cases)
	}
}

func TestDecoderFloat64(t *testing.T) {
	runDecoder(t, func(d *Decoder) any { return d.Float64() }, []decCase{
		{"zero", `0`, 0.0, ""},
		{"integer", `42`, 42.0, ""},
		{"negative", `-42`, -42.0, ""},
		{"fraction", `1.5`, 1.5, ""},
		{"exponent", `-1.5e3`, -1500.0, ""},
		{"capital exponent", `1E-2`, 0.01, ""},
		{"plus exponent", `2e+2`, 200.0, ""},
		{"15 digits", `999999999999999`, 999999999999999.0, ""},
		{"16 digits", `9007199254740993`, 9007199254740992.0, ""},
		{"long", `123456789012345678901234567890`, 1.2345678901234568e29, ""},
		{"tenth", `0.1`, 0.1, ""},
		{"large", `1e308`, 1e308, ""},
		{"tiny", `5e-324`, 5e-324, ""},
		{"underflow", `1e-400`, 0.0, ""},
		{"null", `null`, 0.0, ""},

		{"overflow", `1e400`, nil, `json: at byte 0: number 1e400 out of range`},
		{"negative overflow", ` -1e400`, nil, `json: at byte 1: number -1e400 out of range`},
		{"string", `"1.5"`, nil, `json: at byte 0: expected number, found string`},
		{"object", `{}`, nil, `json: at byte 0: expected number, found '{'`},
		{"dot", `1.e5`, nil, `json: at byte 2: invalid character 'e' after decimal point in numeric literal`},
		{"NaN", `NaN`, nil, `json: at byte 0: invalid character 'N' looking for beginning of value`},
	})

	var d Decoder
	d.Reset(`-0`)
	assert.True(t, math.Signbit(d.Float64()), "-0 keeps its sign")
	d.Reset(`-0.0`)
	assert.True(t, math.Signbit(d.Float64()), "-0.0 keeps its sign")
}

func TestDecoderBool(t *testing.T) {
	runDecoder(t, func(d *Decoder) any { return d.Bool() }, []decCase{
		{"true", `true`, true, ""},
		{"false", ` false `, false, ""},
		{"null", `null`, false, ""},
		{"number", `1`, nil, `json: at byte 0: expected bool, found number`},
		{"string", `"true"`, nil, `json: at byte 0: expected bool, found string`},
		{"short", `tru`, nil, `json: at byte 3: unexpected end of input`},
		{"typo", `trUe`, nil, `json: at byte 2: invalid character 'U' in literal true (expecting 'u')`},
		{"false typo", `fals3`, nil, `json: at byte 4: invalid character '3' in literal false (expecting 'e')`},
		{"glued", `truex`, nil, `json: at byte 4: invalid character 'x' after top-level value`},
		{"capital", `True`, nil, `json: at byte 0: invalid character 'T' looking for beginning of value`},
	})
}

func TestDecoderNull(t *testing.T) {
	read := func(d *Decoder) any {
		if d.Null() {
			return "null"
		}
		return d.Raw()
	}
	runDecoder(t, read, []decCase{
		{"null", ` null `, "null", ""},
		{"not null", `1`, "1", ""},
		{"string", `"null"`, `"null"`, ""},
		{"bad null", `nil`, nil, `json: at byte 1: invalid character 'i' in literal null (expecting 'u')`},
		{"empty", ``, nil, `json: at byte 0: unexpected end of input`},
	})
}

func TestDecoderPeek(t *testing.T) {
	for in, want := range map[string]Kind{
		`{}`: KindObject, ` []`: KindArray, "\n\"x\"": KindString, `-1`: KindNumber, `0`: KindNumber,
		`true`: KindBool, `false`: KindBool, `null`: KindNull, ``: KindInvalid, `  `: KindInvalid,
		`x`: KindInvalid, `}`: KindInvalid, `+1`: KindInvalid,
	} {
		var d Decoder
		d.Reset(in)
		assert.Equal(t, want, d.Peek(), "%q", in)
		assert.Equal(t, want, d.Peek(), "%q: Peek consumes no value", in)
		assert.NoError(t, d.Err(), "%q: Peek records no error", in)
	}
	var d Decoder
	d.Reset(`"x"`)
	d.Fail("stop")
	assert.Equal(t, KindInvalid, d.Peek(), "after an error")
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{
		KindInvalid: "invalid", KindObject: "object", KindArray: "array", KindString: "string",
		KindNumber: "number", KindBool: "bool", KindNull: "null", Kind(200): "invalid",
	} {
		assert.Equal(t, want, k.String())
	}
}

// readObject reads an object of integers into a map; nil for null.
func readObject(d *Decoder) any {
	if !d.Object() {
		return nil
	}
	m := map[string]int64{}
	for {
		k, ok := d.Key()
		if !ok {
			return m
		}
		m[k] = d.Int64()
	}
}

func TestDecoderObject(t *testing.T) {
	runDecoder(t, readObject, []decCase{
		{"empty", `{}`, map[string]int64{}, ""},
		{"empty with space", "{ \n }", map[string]int64{}, ""},
		{"two", `{"a":1,"b":2}`, map[string]int64{"a": 1, "b": 2}, ""},
		{"spaces", " { \"a\" : 1 ,\n\t\"b\" : 2 } ", map[string]int64{"a": 1, "b": 2}, ""},
		{"escaped key", `{"a\u0062":1}`, map[string]int64{"ab": 1}, ""},
		{"duplicate keys", `{"a":1,"a":2}`, map[string]int64{"a": 2}, ""},
		{"null", `null`, nil, ""},

		{"array", `[]`, nil, `json: at byte 0: expected '{', found '['`},
		{"string", `"{}"`, nil, `json: at byte 0: expected '{', found string`},
		{"trailing comma", `{"a":1,}`, nil, `json: at byte 7 (key "a"): invalid character '}' looking for beginning of object key string`},
		{"leading comma", `{,"a":1}`, nil, `json: at byte 1: invalid character ',' looking for beginning of object key string`},
		{"missing colon", `{"a" 1}`, nil, `json: at byte 5: invalid character '1' after object key`},
		{"missing comma", `{"a":1 "b":2}`, nil, `json: at byte 7 (key "a"): invalid character '"' after object key:value pair`},
		{"unterminated", `{"a":1`, nil, `json: at byte 6 (key "a"): unexpected end of input`},
		{"unterminated key", `{"a`, nil, `json: at byte 3: unexpected end of input`},
		{"open only", `{`, nil, `json: at byte 1: unexpected end of input`},
		{"number key", `{1:2}`, nil, `json: at byte 1: invalid character '1' looking for beginning of object key string`},
		{"wrong close", `{"a":1]`, nil, `json: at byte 6 (key "a"): invalid character ']' after object key:value pair`},
		{"missing value", `{"a":}`, nil, `json: at byte 5 (key "a"): invalid character '}' looking for beginning of value`},
		{"wrong value", `{"a":1,"b":"x"}`, nil, `json: at byte 11 (key "b"): expected integer, found string`},
		{"bad key escape", `{"\q":1}`, nil, `json: at byte 3: invalid character 'q' in string escape code`},
		{"trailing", `{} {}`, nil, `json: at byte 3: invalid character '{' after top-level value`},
	})
}

// readArray reads an array of integers; nil for null.
func readArray(d *Decoder) any {
	if !d.Array() {
		return nil
	}
	a := []int64{}
	for d.More() {
		a = append(a, d.Int64())
	}
	return a
}

func TestDecoderArray(t *testing.T) {
	runDecoder(t, readArray, []decCase{
		{"empty", `[]`, []int64{}, ""},
		{"empty with space", "[ \n ]", []int64{}, ""},
		{"three", `[1,2,3]`, []int64{1, 2, 3}, ""},
		{"spaces", " [ 1 ,\n2 ] ", []int64{1, 2}, ""},
		{"null", `null`, nil, ""},

		{"object", `{}`, nil, `json: at byte 0: expected '[', found '{'`},
		{"trailing comma", `[1,]`, nil, `json: at byte 3: invalid character ']' looking for beginning of value`},
		{"leading comma", `[,1]`, nil, `json: at byte 1: invalid character ',' looking for beginning of value`},
		{"missing comma", `[1 2]`, nil, `json: at byte 3: invalid character '2' after array element`},
		{"unterminated", `[1`, nil, `json: at byte 2: unexpected end of input`},
		{"open only", `[`, nil, `json: at byte 1: unexpected end of input`},
		{"wrong close", `[1}`, nil, `json: at byte 2: invalid character '}' after array element`},
		{"wrong element", `[1,"2"]`, nil, `json: at byte 3: expected integer, found string`},
	})
}

func TestDecoderNested(t *testing.T) {
	type dialplan struct {
		Context  string
		Priority int64
	}
	type channel struct {
		ID       string
		Dialplan dialplan
		Tags     []string
	}
	read := func(d *Decoder) any {
		var c channel
		if !d.Object() {
			return c
		}
		for {
			k, ok := d.Key()
			if !ok {
				break
			}
			switch k {
			case "channel":
				if d.Object() {
					for {
						k, ok := d.Key()
						if !ok {
							break
						}
						switch k {
						case "id":
							c.ID = d.String()
						case "dialplan":
							if d.Object() {
								for {
									k, ok := d.Key()
									if !ok {
										break
									}
									switch k {
									case "context":
										c.Dialplan.Context = d.String()
									case "priority":
										c.Dialplan.Priority = d.Int64()
									default:
										d.Skip()
									}
								}
							}
						case "tags":
							c.Tags = d.Strings()
						default:
							d.Skip()
						}
					}
				}
			default:
				d.Skip()
			}
		}
		return c
	}
	runDecoder(t, read, []decCase{
		{"full", `{"type":"X","channel":{"id":"c1","extra":{"a":[1,{"b":null}]},"dialplan":{"context":"default","priority":1},"tags":["a","b"]},"more":true}`,
			channel{ID: "c1", Dialplan: dialplan{"default", 1}, Tags: []string{"a", "b"}}, ""},
		{"null channel", `{"channel":null}`, channel{}, ""},
		{"error key is innermost", `{"channel":{"id":"c1","dialplan":{"context":"default","priority":"1"}}}`, nil,
			`json: at byte 65 (key "priority"): expected integer, found string`},
		{"error in skipped value", `{"channel":{"id":"c1","extra":{"a":[1,}]}}}`, nil,
			`json: at byte 38 (key "extra"): invalid character '}' looking for beginning of value`},
		{"wrong type", `{"channel":["c1"]}`, nil, `json: at byte 11 (key "channel"): expected '{', found '['`},
	})
}

func TestDecoderRawAndSkip(t *testing.T) {
	valid := []struct{ in, raw string }{
		{`{"a": [1, 2]}`, `{"a": [1, 2]}`},
		{" 42 ", "42"},
		{"-1.5e-3", "-1.5e-3"},
		{"null", "null"},
		{"true", "true"},
		{"false", "false"},
		{`"a\nb\u00e9"`, `"a\nb\u00e9"`},
		{"\"\xff\"", "\"\xff\""},
		{`[]`, `[]`},
		{`{}`, `{}`},
		{` [ { } , [ ] , "" , 0 ] `, `[ { } , [ ] , "" , 0 ]`},
		{`{"a":{"b":{"c":[null,true,false,"x",-0.0E+1]}}}`, `{"a":{"b":{"c":[null,true,false,"x",-0.0E+1]}}}`},
	}
	for _, tc := range valid {
		var d Decoder
		d.Reset(tc.in)
		assert.Equal(t, tc.raw, d.Raw(), tc.in)
		d.End()
		assert.NoError(t, d.Err(), tc.in)

		d.Reset(tc.in)
		d.Skip()
		d.End()
		assert.NoError(t, d.Err(), tc.in)
	}

	invalid := []struct{ in, err string }{
		{``, `json: at byte 0: unexpected end of input`},
		{`[1,]`, `json: at byte 3: invalid character ']' looking for beginning of value`},
		{`{"a"}`, `json: at byte 4: invalid character '}' after object key`},
		{`{"a":1,}`, `json: at byte 7: invalid character '}' looking for beginning of object key string`},
		{`{"a":1 "b":2}`, `json: at byte 7: invalid character '"' after object key:value pair`},
		{`[1 2]`, `json: at byte 3: invalid character '2' after array element`},
		{`{1:1}`, `json: at byte 1: invalid character '1' looking for beginning of object key string`},
		{`tru`, `json: at byte 3: unexpected end of input`},
		{`"abc`, `json: at byte 4: unexpected end of input`},
		{"[\"\x01\"]", `json: at byte 2: invalid character '\x01' in string literal`},
		{`{"a":[}`, `json: at byte 6: invalid character '}' looking for beginning of value`},
		{`[1]]`, `json: at byte 3: invalid character ']' after top-level value`},
		{`}`, `json: at byte 0: invalid character '}' looking for beginning of value`},
		{`[01]`, `json: at byte 2: invalid character '1' after array element`},
		{`{"a":-}`, `json: at byte 6: invalid character '}' in numeric literal`},
		{`[1.]`, `json: at byte 3: invalid character ']' after decimal point in numeric literal`},
	}
	for _, tc := range invalid {
		var d Decoder
		d.Reset(tc.in)
		if raw := d.Raw(); d.Err() != nil {
			assert.Equal(t, "", raw, tc.in)
		}
		d.End()
		if assert.Error(t, d.Err(), tc.in) {
			assert.Equal(t, tc.err, d.Err().Error(), tc.in)
		}
		assert.False(t, json.Valid([]byte(tc.in)), "test case %q is valid JSON", tc.in)

		d.Reset(tc.in)
		d.Skip()
		d.End()
		assert.Error(t, d.Err(), tc.in)
	}
}

func TestDecoderRawInObject(t *testing.T) {
	in := `{"x": {"y": 1} , "z": [2], "w": "v"}`
	var d Decoder
	d.Reset(in)
	require.True(t, d.Object())
	got := map[string]string{}
	for {
		k, ok := d.Key()
		if !ok {
			break
		}
		got[k] = d.Raw()
	}
	d.End()
	require.NoError(t, d.Err())
	assert.Equal(t, map[string]string{"x": `{"y": 1}`, "z": `[2]`, "w": `"v"`}, got)
}

func TestDecoderDepth(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	nestObj := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }

	for _, in := range []string{nest(MaxDepth), nestObj(MaxDepth)} {
		require.True(t, json.Valid([]byte(in)))
		var d Decoder
		d.Reset(in)
		d.Skip()
		d.End()
		assert.NoError(t, d.Err())
		_, err := walkAll(in)
		assert.NoError(t, err)
	}
	for _, in := range []string{nest(MaxDepth + 1), nestObj(MaxDepth + 1)} {
		require.False(t, json.Valid([]byte(in)))
		var d Decoder
		d.Reset(in)
		d.Skip()
		if assert.Error(t, d.Err()) {
			assert.Contains(t, d.Err().Error(), "exceeded max depth")
		}
		_, err := walkAll(in)
		if assert.Error(t, err) {
			assert.Contains(t, err.Error(), "exceeded max depth")
		}
	}

	// The limit counts the levels opened with Array as well as skipped ones.
	var d Decoder
	d.Reset("[" + nest(MaxDepth) + "]")
	require.True(t, d.Array())
	require.True(t, d.More())
	d.Skip()
	assert.EqualError(t, d.Err(), "json: at byte 10000: exceeded max depth")

	// Very deep input fails fast, without exhausting the stack.
	deep := strings.Repeat("[", 1<<20)
	d.Reset(deep)
	d.Skip()
	assert.Error(t, d.Err())
}

func TestDecoderStrings(t *testing.T) {
	runDecoder(t, func(d *Decoder) any { return d.Strings() }, []decCase{
		{"two", `["a","b"]`, []string{"a", "b"}, ""},
		{"empty", `[]`, []string{}, ""},
		{"null", `null`, []string(nil), ""},
		{"null element", `["a",null]`, []string{"a", ""}, ""},
		{"escapes", `["\u0041\n"]`, []string{"A\n"}, ""},
		{"number element", `["a",1]`, nil, `json: at byte 5: expected string, found number`},
		{"object", `{}`, nil, `json: at byte 0: expected '[', found '{'`},
		{"unterminated", `["a"`, nil, `json: at byte 4: unexpected end of input`},
	})
	var d Decoder
	d.Reset(`[]`)
	assert.NotNil(t, d.Strings(), "[] is an empty, non-nil slice")
}

func TestDecoderStringMap(t *testing.T) {
	runDecoder(t, func(d *Decoder) any { return d.StringMap() }, []decCase{
		{"strings", `{"a":"x","b":"y"}`, map[string]string{"a": "x", "b": "y"}, ""},
		{"empty", `{}`, map[string]string{}, ""},
		{"null", `null`, map[string]string(nil), ""},
		{"non-strings kept as JSON", `{"n":1.50,"t":true,"f":false,"z":null,"o":{"value":"v","report_events":true},"a":[1, 2]}`,
			map[string]string{"n": "1.50", "t": "true", "f": "false", "z": "", "o": `{"value":"v","report_events":true}`, "a": "[1, 2]"}, ""},
		{"escapes", `{"k\"":"v\u00e9"}`, map[string]string{`k"`: "vé"}, ""},
		{"invalid UTF-8 in kept JSON", "{\"o\":{\"x\":\"a\xffb\"},\"s\":\"\xfe\"}", map[string]string{"o": "{\"x\":\"a\ufffdb\"}", "s": "\ufffd"}, ""},
		{"array", `[]`, nil, `json: at byte 0: expected '{', found '['`},
		{"bad value", `{"a":[1,]}`, nil, `json: at byte 8 (key "a"): invalid character ']' looking for beginning of value`},
		{"unterminated", `{"a":"x"`, nil, `json: at byte 8 (key "a"): unexpected end of input`},
	})
	var d Decoder
	d.Reset(`{}`)
	assert.NotNil(t, d.StringMap(), "{} is an empty, non-nil map")
}

func TestDecoderTime(t *testing.T) {
	mst := time.FixedZone("", -6*3600)
	runDecoder(t, func(d *Decoder) any { return d.Time() }, []decCase{
		{"asterisk", `"2026-11-25T19:41:00.885+0000"`, time.Date(2026, 11, 25, 19, 41, 0, 885e6, time.UTC), ""},
		{"offset", `"2025-03-17T08:32:35.709-0600"`, time.Date(2025, 3, 17, 8, 32, 35, 709e6, mst), ""},
		{"rfc3339", `"2025-03-17T14:32:35Z"`, time.Date(2025, 3, 17, 14, 32, 35, 0, time.UTC), ""},
		{"empty", `""`, time.Time{}, ""},
		{"null", `null`, time.Time{}, ""},
		{"escaped", `"2026-11-25T19:41:00.885\u002b0000"`, time.Date(2026, 11, 25, 19, 41, 0, 885e6, time.UTC), ""},
		{"garbage", ` "garbage"`, nil, `json: at byte 1: invalid date "garbage": not in the layout 2006-01-02T15:04:05.000-0700`},
		{"month", `"2026-13-25T19:41:00.885+0000"`, nil, `json: at byte 0: invalid date "2026-13-25T19:41:00.885+0000": month out of range`},
		{"number", `1700000000`, nil, `json: at byte 0: expected string, found number`},
	})

	var d Decoder
	d.Reset(`{"creationtime":"yesterday"}`)
	d.Object()
	d.Key()
	d.Time()
	assert.EqualError(t, d.Err(), `json: at byte 16 (key "creationtime"): invalid date "yesterday": not in the layout 2006-01-02T15:04:05.000-0700`)
}

func TestDecoderSticky(t *testing.T) {
	var d Decoder
	d.Reset(`{"a": x, "b": "ok"} ["s"] {"k":"v"} "2026-11-25T19:41:00.885+0000" 1 true null`)
	require.True(t, d.Object())
	k, ok := d.Key()
	require.True(t, ok)
	require.Equal(t, "a", k)
	assert.Equal(t, "", d.String())
	first := d.Err()
	require.Error(t, first)
	off := d.Offset()

	// Every method is now a no-op returning zero values.
	_, ok = d.Key()
	assert.False(t, ok)
	assert.Equal(t, KindInvalid, d.Peek())
	assert.False(t, d.Object())
	assert.False(t, d.Array())
	assert.False(t, d.More())
	assert.False(t, d.Null())
	assert.Equal(t, "", d.String())
	assert.Equal(t, 0, d.Int())
	assert.Equal(t, int64(0), d.Int64())
	assert.Equal(t, 0.0, d.Float64())
	assert.False(t, d.Bool())
	assert.Equal(t, "", d.Raw())
	assert.Nil(t, d.Strings())
	assert.Nil(t, d.StringMap())
	assert.True(t, d.Time().IsZero())
	d.Skip()
	d.End()
	d.Fail("second")
	assert.Same(t, first, d.Err())
	assert.Equal(t, off, d.Offset())

	d.Reset(`"fresh"`)
	assert.NoError(t, d.Err(), "Reset forgets the error")
	assert.Equal(t, "fresh", d.String())
}

func TestDecoderFailAndKeyContext(t *testing.T) {
	var d Decoder
	d.Reset(`{"state":"Bogus"}`)
	require.True(t, d.Object())
	k, _ := d.Key()
	require.Equal(t, "state", k)
	if d.String() != "Up" {
		d.Fail(`unknown state "Bogus"`)
	}
	assert.EqualError(t, d.Err(), `json: at byte 16 (key "state"): unknown state "Bogus"`)

	d.Reset(`[1, "x"]`)
	d.SetKeyContext("args")
	d.Array()
	d.More()
	d.Int()
	d.More()
	d.Int()
	assert.EqualError(t, d.Err(), `json: at byte 4 (key "args"): expected integer, found string`)
	var se *SyntaxError
	require.ErrorAs(t, d.Err(), &se)
	assert.Equal(t, SyntaxError{Offset: 4, Key: "args", Msg: "expected integer, found string"}, *se)

	// The key context is cleared when the top-level object ends.
	d.Reset(`{"a":1} x`)
	readObject(&d)
	d.End()
	assert.EqualError(t, d.Err(), `json: at byte 8: invalid character 'x' after top-level value`)
}

func TestSyntaxErrorError(t *testing.T) {
	assert.Equal(t, `json: at byte 0: unexpected end of input`,
		(&SyntaxError{Msg: msgEOF}).Error())
	assert.Equal(t, `json: at byte 57 (key "channel"): expected '{', found '['`,
		(&SyntaxError{Offset: 57, Key: "channel", Msg: "expected '{', found '['"}).Error())
	assert.Equal(t, `json: at byte 3 (key "a\"b\n"): x`,
		(&SyntaxError{Offset: 3, Key: "a\"b\n", Msg: "x"}).Error())
}

func TestDecoderEnd(t *testing.T) {
	var d Decoder
	d.Reset(`{"a":1`)
	d.Object()
	d.Key()
	d.Int()
	d.End()
	assert.EqualError(t, d.Err(), `json: at byte 6 (key "a"): unexpected end of input`)

	d.Reset(`{"a":1}`)
	d.Object()
	d.Key()
	d.Int()
	d.End()
	assert.EqualError(t, d.Err(), `json: at byte 6 (key "a"): invalid character '}' in unfinished object or array`)

	d.Reset(" 1 \n\t\r ")
	d.Int()
	d.End()
	assert.NoError(t, d.Err())
	assert.Equal(t, 7, d.Offset())
}

func TestDecoderMisuse(t *testing.T) {
	// Calls out of place are errors, never panics.
	var d Decoder
	d.Reset(`}`)
	_, ok := d.Key()
	assert.False(t, ok)
	assert.EqualError(t, d.Err(), `json: at byte 0: invalid character '}' outside of an object or array`)

	d.Reset(`]`)
	assert.False(t, d.More())
	assert.Error(t, d.Err())

	var zero Decoder
	assert.Equal(t, "", zero.String())
	assert.EqualError(t, zero.Err(), `json: at byte 0: unexpected end of input`)
}

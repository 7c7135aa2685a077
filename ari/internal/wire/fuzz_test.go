package wire

// Run a fuzzer with, e.g.,
//
//	go test -run '^$' -fuzz '^FuzzDecoderSkip$' -fuzztime 60s ./ari/internal/wire
//
// Inputs that failed once are kept in testdata/fuzz as regression seeds.

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// addFixtures seeds f with the real captures and a few hand-picked inputs.
func addFixtures(f *testing.F) {
	for _, s := range fixtures(f) {
		f.Add(s)
	}
	for _, s := range []string{
		``, ` `, `null`, `true`, `false`, `0`, `-0.5e+10`, `"\ud83d\ude00"`, `"\ud83d"`, "\"\xff\"",
		`[1,]`, `{"a":1,}`, `{"a" 1}`, `[[[[]]]]`, `{"a":{"b":[{"c":null}]}}`, `1e400`, `"\u12"`,
		`[01]`, `nul`, "\"\x01\"", `{"a":1}x`,
	} {
		f.Add(s)
	}
}

// FuzzDecoderSkip checks that Skip and Raw accept exactly what json.Valid
// accepts, and never panic.
func FuzzDecoderSkip(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, s string) {
		valid := json.Valid([]byte(s))

		var d Decoder
		d.Reset(s)
		d.Skip()
		d.End()
		if (d.Err() == nil) != valid {
			t.Fatalf("Skip: err %v, json.Valid %v", d.Err(), valid)
		}
		checkErr(t, &d, s)

		d.Reset(s)
		raw := d.Raw()
		d.End()
		if (d.Err() == nil) != valid {
			t.Fatalf("Raw: err %v, json.Valid %v", d.Err(), valid)
		}
		if valid && raw != strings.Trim(s, " \t\r\n") {
			t.Fatalf("Raw = %q", raw)
		}
	})
}

// checkErr checks the shape of a recorded error.
func checkErr(t *testing.T, d *Decoder, s string) {
	t.Helper()
	if d.err != nil && (d.err.Offset < 0 || d.err.Offset > len(s) || d.err.Msg == "") {
		t.Fatalf("bad error %#v for input of length %d", d.err, len(s))
	}
	if d.pos < 0 || d.pos > len(s) {
		t.Fatalf("offset %d out of [0, %d]", d.pos, len(s))
	}
}

// FuzzDecoderWalk checks that a generic walk never panics and, on valid
// input, decodes what encoding/json decodes; and that the Encoder writes it
// back as encoding/json would.
func FuzzDecoderWalk(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := walkAll(s)
		var want any
		wantErr := json.Unmarshal([]byte(s), &want)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("walk error %v, encoding/json error %v", err, wantErr)
		}
		if err != nil {
			return
		}
		if !equalJSON(got, want) {
			t.Fatalf("walk = %#v, encoding/json = %#v", got, want)
		}
		var e Encoder
		encodeAny(&e, got)
		wantJSON, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if string(e.Bytes()) != string(wantJSON) {
			t.Fatalf("Encoder wrote %s, encoding/json %s", e.Bytes(), wantJSON)
		}
	})
}

// equalJSON compares decoded JSON values; unlike reflect.DeepEqual it does
// not depend on the Go types of empty containers.
func equalJSON(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

// FuzzDecoderMethods drives a Decoder with an arbitrary sequence of calls,
// in and out of place, over arbitrary input: it must never panic, keep its
// offset in range, and keep its first error.
func FuzzDecoderMethods(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 1, 4}, `{"a":"x","b":[1,2]}`)
	f.Add([]byte{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, `[null, 1, true, "s", {"k":1}, [], 1.5, "2026-11-25T19:41:00.885+0000"]`)
	f.Fuzz(func(t *testing.T, ops []byte, s string) {
		var d Decoder
		d.Reset(s)
		var first error
		for _, op := range ops {
			switch op % 18 {
			case 0:
				d.Object()
			case 1:
				d.Key()
			case 2:
				d.Array()
			case 3:
				d.More()
			case 4:
				_ = d.String()
			case 5:
				d.Int()
			case 6:
				d.Int64()
			case 7:
				d.Float64()
			case 8:
				d.Bool()
			case 9:
				d.Null()
			case 10:
				d.Raw()
			case 11:
				d.Skip()
			case 12:
				d.Strings()
			case 13:
				d.StringMap()
			case 14:
				d.Time()
			case 15:
				d.Peek()
			case 16:
				d.End()
			case 17:
				d.SetKeyContext("k")
			}
			checkErr(t, &d, s)
			if first != nil && d.Err() != first {
				t.Fatalf("error changed from %v to %v", first, d.Err())
			}
			first = d.Err()
		}
	})
}

// FuzzEncoderString checks that String writes what encoding/json writes,
// and that it reads back as the same string.
//
// Run it with a short -fuzzminimizetime (5s): minimizing a long interesting
// input re-runs encoding/json thousands of times and otherwise stalls the
// workers for the default minute.
func FuzzEncoderString(f *testing.F) {
	// Seed with every distinct key and string value of the captures.
	seen := map[string]bool{}
	for _, doc := range fixtures(f) {
		var d Decoder
		d.Reset(doc)
		eachKey(&d, func(k string) bool {
			seen[k] = true
			if d.Peek() == KindString {
				seen[d.String()] = true
				return true
			}
			return false
		})
	}
	for s := range seen {
		f.Add(s)
	}
	for _, s := range []string{"", "<&>", "\u2028\u2029", "\xff", "\xed\xa0\x80", "😀", "\x00\x1f\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var e Encoder
		e.String(s)
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if string(e.Bytes()) != string(want) {
			t.Fatalf("String(%q) = %s, encoding/json %s", s, e.Bytes(), want)
		}
		var back string
		if err := json.Unmarshal(e.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("read back %q, want %q", back, s)
		}
		var d Decoder
		d.Reset(string(e.Bytes()))
		if got := d.String(); got != back || d.Err() != nil {
			t.Fatalf("Decoder read %q (%v), encoding/json %q", got, d.Err(), back)
		}
	})
}

var (
	rfc3339  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$`)
	asterisk = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$`)
)

// FuzzParseTime checks that ParseTime never panics, agrees with time.Parse,
// and that what it parses AppendTime writes back and ParseTime reads again.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2026-11-25T19:41:00.885+0000", "2025-03-17T08:32:35.709-0600", "2025-03-17T08:32:35Z",
		"2025-03-17T08:32:35.123456789+05:30", "2024-02-29T23:59:59-09", "0000-01-01T00:00:00.000-2359",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)

		// time.Parse is laxer in places (a sign inside the fraction, offset
		// hour 24); compare on well-formed input.
		if want, perr := time.Parse(Layout, s); perr == nil && asterisk.MatchString(s) && s[24:26] < "24" && s[26:28] < "60" {
			if err != nil || !tm.Equal(want) {
				t.Fatalf("ParseTime(%q) = %v, %v; time.Parse %v", s, tm, err, want)
			}
		}
		if rfc3339.MatchString(s) {
			if want, perr := time.Parse(time.RFC3339Nano, s); perr == nil && (err != nil || !tm.Equal(want)) {
				t.Fatalf("ParseTime(%q) = %v, %v; time.Parse %v", s, tm, err, want)
			}
		}
		if err != nil {
			return
		}

		b := AppendTime(nil, tm)
		if want := tm.Format(Layout); string(b) != want {
			t.Fatalf("AppendTime = %s, Format = %s", b, want)
		}
		back, err := ParseTime(string(b))
		if err != nil {
			t.Fatalf("ParseTime(AppendTime(%q) = %q): %v", s, b, err)
		}
		_, off := tm.Zone()
		_, backOff := back.Zone()
		if !back.Equal(tm.Truncate(time.Millisecond)) || off != backOff {
			t.Fatalf("%q -> %q -> %v, want %v", s, b, back, tm)
		}
		if asterisk.MatchString(s) && s[23:] != "-0000" && string(b) != s {
			t.Fatalf("%q written back as %q", s, b)
		}
	})
}

// FuzzStringMap checks that what StringMap reads, the Encoder writes back
// stably: decode, encode, decode, encode gives the same bytes twice.
func FuzzStringMap(f *testing.F) {
	f.Add(`{"a":"x","b":1,"c":{"value":"v","report_events":true},"d":null}`)
	f.Add("{\"\":{\"\":\"\x9b\"}}")
	f.Add(`{"k":["\u00e9",true]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var d Decoder
		d.Reset(s)
		m := d.StringMap()
		d.End()
		if d.Err() != nil {
			return
		}
		var e Encoder
		e.StringMap(m)
		out1 := string(e.Bytes())
		d.Reset(out1)
		m2 := d.StringMap()
		d.End()
		if d.Err() != nil {
			t.Fatalf("reading back %q: %v", out1, d.Err())
		}
		e.Reset(nil)
		e.StringMap(m2)
		if out2 := string(e.Bytes()); out1 != out2 {
			t.Fatalf("not stable:\n%q\n%q", out1, out2)
		}
	})
}

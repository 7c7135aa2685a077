package wire

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

func readFixture(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile("testdata/events/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkStasisStart measures the goal of this package: decoding an event
// into its generated struct, including the string conversion and finding the
// event type, against encoding/json parsing it twice (type, then struct).
func BenchmarkStasisStart(b *testing.B) {
	data := readFixture(b, "StasisStart.json")
	b.Run("wire", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			s := string(data)
			if eventType(s) != "StasisStart" {
				b.Fatal("type")
			}
			ev := new(tStasisStart)
			if err := decodeStasisStart(s, ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json-twice", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			ev := new(tStasisStart)
			if err := decodeWithEncodingJSON(data, ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWalk decodes StasisStart into map[string]any.
func BenchmarkWalk(b *testing.B) {
	data := readFixture(b, "StasisStart.json")
	b.Run("wire", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := walkAll(string(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var v map[string]any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSkip validates StasisStart without decoding it.
func BenchmarkSkip(b *testing.B) {
	data := readFixture(b, "StasisStart.json")
	s := string(data)
	b.Run("wire", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(s)))
		var d Decoder
		for b.Loop() {
			d.Reset(s)
			d.Skip()
			d.End()
			if d.Err() != nil {
				b.Fatal(d.Err())
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if !json.Valid(data) {
				b.Fatal("invalid")
			}
		}
	})
}

// BenchmarkDecoderStringAndKey reads one key and one unescaped string
// value: 0 allocations.
func BenchmarkDecoderStringAndKey(b *testing.B) {
	const s = `{"name":"Local/100@default-00000012;1"}`
	b.ReportAllocs()
	var d Decoder
	for b.Loop() {
		d.Reset(s)
		d.Object()
		k, _ := d.Key()
		v := d.String()
		d.Key()
		if k != "name" || len(v) != 28 {
			b.Fatal(k, v)
		}
	}
}

func BenchmarkParseTime(b *testing.B) {
	for _, s := range []string{"2026-11-25T19:41:00.885+0000", "2025-03-17T08:32:35.709-0600"} {
		b.Run(s[23:], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseTime(s); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(s[23:]+"/time.Parse", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := time.Parse(Layout, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendTime(b *testing.B) {
	tm := time.Date(2025, 3, 17, 8, 32, 35, 709e6, time.FixedZone("", -6*3600))
	buf := make([]byte, 0, 64)
	b.Run("wire", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendTime(buf[:0], tm)
		}
	})
	b.Run("time.AppendFormat", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = tm.AppendFormat(buf[:0], Layout)
		}
	})
}

func BenchmarkEncoderString(b *testing.B) {
	for name, s := range map[string]string{
		"ascii":   "Local/100@default-00000012;1",
		"escapes": "line\none <b>&\"quoted\"</b>\ttab",
		"unicode": "Zoë Ångström 😀 — ok",
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var e Encoder
			buf := make([]byte, 0, 256)
			for b.Loop() {
				e.Reset(buf)
				e.String(s)
			}
		})
		b.Run(name+"/json.Marshal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

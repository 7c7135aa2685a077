package wire

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestZeroAllocs pins the allocation-free paths that generated code relies
// on.
func TestZeroAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	const doc = `{"name":"Local/100@default-00000012;1","n":-42,"f":1.5e3,"b":true,"z":null,` +
		`"raw":{"a":[1,"x",{"y":null}]},"skip":[true,false,"s\n"],"t":"2026-11-25T19:41:00.885+0000",` +
		`"t6":"2025-03-17T08:32:35.709-0600","u":"héllo"}`
	ParseTime("2025-03-17T08:32:35.709-0600") // warm the zone cache

	var d Decoder
	var sink struct {
		s, raw string
		n      int
		f      float64
		b      bool
		tm     time.Time
	}
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset(doc)
		d.Object()
		for {
			k, ok := d.Key()
			if !ok {
				break
			}
			switch k {
			case "name", "u":
				sink.s = d.String()
			case "n":
				sink.n = d.Int()
			case "f":
				sink.f = d.Float64()
			case "b":
				sink.b = d.Bool()
			case "z":
				d.Null()
			case "raw":
				sink.raw = d.Raw()
			case "t", "t6":
				sink.tm = d.Time()
			default:
				d.Skip()
			}
		}
		d.End()
	})
	assert.NoError(t, d.Err())
	assert.Zero(t, allocs, "Decoder: keys, unescaped strings, numbers, Raw, Skip, Time")

	allocs = testing.AllocsPerRun(100, func() {
		sink.tm, _ = ParseTime("2026-11-25T19:41:00.885+0000")
	})
	assert.Zero(t, allocs, "ParseTime +0000")
	allocs = testing.AllocsPerRun(100, func() {
		sink.tm, _ = ParseTime("2025-03-17T08:32:35.709-0600")
	})
	assert.Zero(t, allocs, "ParseTime -0600")

	var e Encoder
	buf := make([]byte, 0, 1024)
	m := map[string]string{"b": "2", "a": "1"}
	tm := time.Date(2025, 3, 17, 8, 32, 35, 709e6, time.UTC)
	allocs = testing.AllocsPerRun(100, func() {
		e.Reset(buf)
		e.ObjectStart()
		e.Key("s")
		e.String("Zoë <x> \u2028")
		e.Key("i")
		e.Int(-42)
		e.Key("f")
		e.Float64(1.5e-9)
		e.Key("t")
		e.Time(tm)
		e.Key("l")
		e.Strings([]string{"a"})
		e.Key("m")
		e.StringMap(m)
		e.ObjectEnd()
	})
	assert.Zero(t, allocs, "Encoder into a buffer with room")
}

func TestEscapedStringAllocatesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	var d Decoder
	var sink string
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset(`"a\nb\u00e9\ud83d\ude00"`)
		sink = d.String()
	})
	assert.Equal(t, "a\nbé😀", sink)
	assert.Equal(t, 1.0, allocs)
}

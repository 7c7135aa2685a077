package wire

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixtures returns the real Asterisk 22.10.1 events copied into testdata:
// every file of testdata/events and every line of the testapp stream, by
// name.
func fixtures(tb testing.TB) map[string]string {
	tb.Helper()
	out := map[string]string{}
	files, err := filepath.Glob("testdata/events/*.json")
	require.NoError(tb, err)
	require.NotEmpty(tb, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(tb, err)
		out[filepath.Base(f)] = string(b)
	}
	f, err := os.Open("testdata/streams/testapp.jsonl")
	require.NoError(tb, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out["testapp.jsonl:"+strconv.Itoa(n)] = line
		}
	}
	require.NoError(tb, sc.Err())
	return out
}

func TestFixturesWalk(t *testing.T) {
	fx := fixtures(t)
	require.Greater(t, len(fx), 300)
	for name, s := range fx {
		var want any
		require.NoError(t, json.Unmarshal([]byte(s), &want), name)

		got, err := walkAll(s)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)

		// Re-encoded, it is the same JSON value, byte for byte what
		// encoding/json writes for it.
		var e Encoder
		encodeAny(&e, got)
		wantJSON, err := json.Marshal(want)
		require.NoError(t, err)
		assert.Equal(t, string(wantJSON), string(e.Bytes()), name)

		var back any
		require.NoError(t, json.Unmarshal(e.Bytes(), &back), name)
		assert.Equal(t, want, back, name)

		// Raw of the whole document is the document, minus outer space.
		var d Decoder
		d.Reset(s)
		assert.Equal(t, strings.TrimSpace(s), d.Raw(), name)
		d.End()
		assert.NoError(t, d.Err(), name)
	}
}

// TestFixturesTimes checks that every date in the captures parses and is
// written back byte for byte.
func TestFixturesTimes(t *testing.T) {
	n := 0
	for name, s := range fixtures(t) {
		var d Decoder
		d.Reset(s)
		eachKey(&d, func(k string) bool {
			if k != "timestamp" && k != "creationtime" {
				return false
			}
			raw := d.Raw()
			var d2 Decoder
			d2.Reset(raw)
			tm := d2.Time()
			require.NoError(t, d2.Err(), "%s: %s", name, raw)
			assert.Equal(t, raw, `"`+string(AppendTime(nil, tm))+`"`, name)
			var e Encoder
			e.Time(tm)
			assert.Equal(t, raw, string(e.Bytes()), name)
			n++
			return true
		})
		require.NoError(t, d.Err(), name)
	}
	assert.Greater(t, n, 500)
}

// eachKey walks the document and calls f before each object member's value;
// if f returns true it has consumed the value.
func eachKey(d *Decoder, f func(k string) bool) {
	switch d.Peek() {
	case KindObject:
		d.Object()
		for {
			k, ok := d.Key()
			if !ok {
				return
			}
			if !f(k) {
				eachKey(d, f)
			}
		}
	case KindArray:
		d.Array()
		for d.More() {
			eachKey(d, f)
		}
	default:
		d.Skip()
	}
}

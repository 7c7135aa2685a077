package events_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

// fixture is one real event captured from Asterisk 22.10.1.
type fixture struct {
	name string
	data []byte
}

// fixtures returns every captured event: the files in testdata/events and
// every line of testdata/streams/testapp.jsonl.
func fixtures(t testing.TB) []fixture {
	t.Helper()
	var out []fixture
	files, err := filepath.Glob("testdata/events/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		out = append(out, fixture{filepath.Base(f), data})
	}
	fh, err := os.Open("testdata/streams/testapp.jsonl")
	require.NoError(t, err)
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := append([]byte(nil), sc.Bytes()...)
		if strings.TrimSpace(string(line)) == "" {
			continue
		}
		out = append(out, fixture{"testapp.jsonl:" + itoa(n), line})
	}
	require.NoError(t, sc.Err())
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func fixtureNamed(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata/events", name))
	require.NoError(t, err)
	return data
}

func TestDecodeFixturesToConcreteTypes(t *testing.T) {
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			var head struct {
				Type string `json:"type"`
			}
			require.NoError(t, json.Unmarshal(fx.data, &head))
			ev, err := events.Decode(fx.data)
			require.NoError(t, err)
			_, unknown := ev.(*events.Unknown)
			assert.False(t, unknown, "type %s decoded to Unknown", head.Type)
			assert.Equal(t, head.Type, ev.EventType())
			assert.Equal(t, head.Type, ev.Base().Type)
			assert.True(t, strings.EqualFold("*events."+head.Type, typeName(ev)), "%s is %s", head.Type, typeName(ev))
		})
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// TestRoundTripKeepsEverything: marshalling a decoded event yields every key
// and value of the input, compared as JSON values (and nothing else).
func TestRoundTripKeepsEverything(t *testing.T) {
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			ev, err := events.Decode(fx.data)
			require.NoError(t, err)
			out, err := json.Marshal(ev)
			require.NoError(t, err)
			var in, back any
			require.NoError(t, json.Unmarshal(fx.data, &in))
			require.NoError(t, json.Unmarshal(out, &back))
			assert.Equal(t, in, back)
		})
	}
}

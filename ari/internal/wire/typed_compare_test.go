package wire

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTypedStasisStart checks the generated-style decoder against
// encoding/json on every StasisStart capture.
func TestTypedStasisStart(t *testing.T) {
	n := 0
	for name, s := range fixtures(t) {
		if eventType(s) != "StasisStart" {
			continue
		}
		n++
		var want, got tStasisStart
		require.NoError(t, decodeWithEncodingJSON([]byte(s), &want), name)
		require.NoError(t, decodeStasisStart(s, &got), name)
		// time.Parse picks time.Local for +0000 when Local is UTC;
		// compare instants and offsets, then the rest.
		for _, p := range [][2]*jsonTime{{&want.Timestamp, &got.Timestamp}, {&want.Channel.Creationtime, &got.Channel.Creationtime}} {
			require.True(t, p[0].Equal(p[1].Time), name)
			_, wo := p[0].Zone()
			_, go_ := p[1].Zone()
			require.Equal(t, wo, go_, name)
			*p[0], *p[1] = jsonTime{}, jsonTime{}
		}
		assert.Equal(t, want, got, name)
	}
	assert.Greater(t, n, 5)
}

func TestTypedStasisStartArgs(t *testing.T) {
	b, err := os.ReadFile("testdata/events/StasisStart.args.json")
	require.NoError(t, err)
	var ev tStasisStart
	require.NoError(t, decodeStasisStart(string(b), &ev))
	assert.Equal(t, []string{"arg1", "arg2"}, ev.Args)
	assert.Equal(t, "2026-11-25T19:41:02.087+0000", string(AppendTime(nil, ev.Timestamp.Time)))

	// A wrong type deep inside is reported with its key and offset.
	bad := strings.Replace(string(b), `"priority": 2`, `"priority": "2"`, 1)
	err = decodeStasisStart(bad, new(tStasisStart))
	require.Error(t, err)
	assert.Regexp(t, `^json: at byte \d+ \(key "priority"\): expected integer, found string$`, err.Error())
}
